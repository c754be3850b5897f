"""The company's org chart: six divisions, their groups and teams, where they sit, whom they hire.

A team names the topics it works on, so its people's expertise (and bios) fit the team.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.text import slugify

from practica.core.tree import child_path, path_depth
from practica.people.models import OrgUnit, OrgUnitKind

if TYPE_CHECKING:
    from practica.demo.story import DemoStory


@dataclass(frozen=True)
class TeamSpec:
    name: str
    topics: tuple[str, ...]


@dataclass(frozen=True)
class DivisionSpec:
    key: str
    name: str
    offices: tuple[tuple[str, int], ...]
    groups: tuple[tuple[str, tuple[TeamSpec, ...]], ...]


@dataclass
class Team:
    """A team as placed in the database, with its division and the people planned for it."""

    unit: OrgUnit
    group: OrgUnit
    division_key: str
    topics: tuple[str, ...]
    people: list = field(default_factory=list)


def _teams(*specs: tuple[str, tuple[str, ...]]) -> tuple[TeamSpec, ...]:
    return tuple(TeamSpec(name, topics) for name, topics in specs)


DIVISIONS: tuple[DivisionSpec, ...] = (
    DivisionSpec(
        "research",
        "Research",
        (
            ("Redmond", 30),
            ("Cambridge", 15),
            ("Beijing", 15),
            ("Bangalore", 10),
            ("New York", 8),
            ("Zurich", 6),
            ("Herzliya", 5),
            ("Tokyo", 5),
            ("Berlin", 3),
            ("Paris", 3),
        ),
        (
            (
                "Language and Knowledge",
                _teams(
                    ("Machine Translation", ("machine-translation", "large-language-models")),
                    ("Language Models", ("large-language-models", "transformers")),
                    ("Knowledge and Search", ("information-extraction", "knowledge-graphs")),
                ),
            ),
            (
                "Perception",
                _teams(
                    ("Computer Vision", ("image-classification", "object-detection")),
                    ("Speech and Audio", ("speech-recognition", "speech-synthesis")),
                    ("Multimodal Learning", ("video-understanding", "image-generation")),
                ),
            ),
            (
                "Machine Learning Foundations",
                _teams(
                    ("Reinforcement Learning", ("reinforcement-learning", "multi-armed-bandits")),
                    (
                        "Optimization and Theory",
                        ("convex-optimization", "stochastic-gradient-methods"),
                    ),
                    ("Causal and Statistical ML", ("causal-inference", "bayesian-inference")),
                ),
            ),
            (
                "Responsible AI Research",
                _teams(
                    ("Fairness and Interpretability", ("fairness", "interpretability")),
                    ("Privacy and Security", ("differential-privacy", "robustness")),
                ),
            ),
        ),
    ),
    DivisionSpec(
        "cloud-ai",
        "Cloud & AI Platform",
        (
            ("Redmond", 35),
            ("Seattle", 15),
            ("Hyderabad", 15),
            ("Dublin", 8),
            ("Vancouver", 7),
            ("Shanghai", 8),
            ("Bangalore", 5),
            ("Sydney", 3),
            ("Berlin", 4),
        ),
        (
            (
                "AI Services",
                _teams(
                    ("Translation Services", ("machine-translation", "model-deployment")),
                    ("Vision Services", ("object-detection", "optical-character-recognition")),
                    ("Speech Services", ("speech-recognition", "speech-synthesis")),
                    ("Language Services", ("named-entity-recognition", "text-classification")),
                ),
            ),
            (
                "ML Platform",
                _teams(
                    ("Training Infrastructure", ("distributed-training", "gpu-computing")),
                    ("Model Serving", ("model-deployment", "model-monitoring")),
                    ("Experimentation", ("experiment-tracking", "automl")),
                ),
            ),
            (
                "Data Platform",
                _teams(
                    ("Data Pipelines", ("data-pipelines", "stream-processing")),
                    ("Data Lake", ("data-lakes", "data-quality")),
                    ("Feature Store", ("feature-stores", "data-pipelines")),
                ),
            ),
        ),
    ),
    DivisionSpec(
        "devices",
        "Devices",
        (
            ("Redmond", 25),
            ("Shanghai", 15),
            ("Tokyo", 15),
            ("Munich", 12),
            ("Herzliya", 10),
            ("Vancouver", 8),
            ("Sydney", 5),
        ),
        (
            (
                "Mixed Reality",
                _teams(
                    ("Spatial Perception", ("3d-vision", "object-detection")),
                    ("Hand and Eye Tracking", ("3d-vision", "convolutional-networks")),
                ),
            ),
            (
                "Silicon and Systems",
                _teams(
                    ("On-device ML", ("model-compression", "gpu-computing")),
                    ("Sensor Fusion", ("time-series", "anomaly-detection")),
                ),
            ),
            (
                "Consumer Experiences",
                _teams(
                    ("Camera and Imaging", ("image-segmentation", "image-generation")),
                    ("Voice Assistant", ("speech-recognition", "dialogue-systems")),
                ),
            ),
        ),
    ),
    DivisionSpec(
        "business-apps",
        "Business Applications",
        (
            ("Redmond", 20),
            ("New York", 15),
            ("London", 15),
            ("Bangalore", 15),
            ("Paris", 10),
            ("São Paulo", 8),
            ("Madrid", 7),
            ("Dublin", 5),
        ),
        (
            (
                "Productivity Apps",
                _teams(
                    ("Writing Assistance", ("large-language-models", "summarization")),
                    ("Search and Recommendations", ("recommender-systems", "search-ranking")),
                    (
                        "Document Intelligence",
                        ("optical-character-recognition", "information-extraction"),
                    ),
                ),
            ),
            (
                "CRM and ERP",
                _teams(
                    ("Sales Insights", ("forecasting", "uplift-modeling")),
                    ("Customer Service AI", ("dialogue-systems", "sentiment-analysis")),
                ),
            ),
            (
                "Analytics",
                _teams(
                    ("Business Intelligence", ("data-visualization", "statistics")),
                    ("Forecasting", ("forecasting", "time-series")),
                ),
            ),
        ),
    ),
    DivisionSpec(
        "sales-field",
        "Sales & Field",
        (
            ("New York", 15),
            ("London", 12),
            ("São Paulo", 10),
            ("Paris", 8),
            ("Munich", 8),
            ("Sydney", 8),
            ("Tokyo", 8),
            ("Madrid", 6),
            ("Redmond", 5),
            ("Bangalore", 5),
            ("Beijing", 5),
        ),
        (
            (
                "Americas Field",
                _teams(
                    (
                        "Americas AI Solution Architects",
                        ("model-deployment", "large-language-models"),
                    ),
                    ("Americas Customer Success", ()),
                ),
            ),
            (
                "EMEA Field",
                _teams(
                    ("EMEA AI Solution Architects", ("model-deployment", "machine-translation")),
                    ("EMEA Technical Specialists", ("data-pipelines",)),
                ),
            ),
            (
                "Asia Pacific Field",
                _teams(
                    (
                        "APAC AI Solution Architects",
                        ("model-deployment", "optical-character-recognition"),
                    ),
                    ("APAC Technical Specialists", ()),
                ),
            ),
        ),
    ),
    DivisionSpec(
        "operations",
        "Operations",
        (
            ("Redmond", 30),
            ("Hyderabad", 20),
            ("Dublin", 15),
            ("Bangalore", 10),
            ("Seattle", 10),
            ("London", 8),
        ),
        (
            (
                "Finance and Supply Chain",
                _teams(
                    ("Supply Chain Analytics", ("forecasting", "operations-research")),
                    ("Finance Data Science", ("time-series", "causal-inference")),
                ),
            ),
            (
                "People and Workplace",
                _teams(
                    ("People Analytics", ("statistics", "survival-analysis")),
                    ("Programs and Communities", ()),
                ),
            ),
            (
                "IT and Security",
                _teams(
                    ("Security Analytics", ("anomaly-detection", "stream-processing")),
                    ("Platform Administration", ()),
                ),
            ),
        ),
    ),
)


def _unit(name: str, slug: str, kind: str, parent: OrgUnit | None) -> OrgUnit:
    path = child_path(parent.path if parent else None, slug)
    return OrgUnit(
        name=name, slug=slug, kind=kind, parent=parent, path=path, depth=path_depth(path)
    )


def build_org_chart(story: "DemoStory") -> None:
    """Insert divisions, then groups, then teams: parents first, so children have their ids."""
    divisions = [
        _unit(spec.name, slugify(spec.key), OrgUnitKind.DIVISION, None) for spec in DIVISIONS
    ]
    OrgUnit.objects.bulk_create(divisions)
    groups: list[tuple[DivisionSpec, OrgUnit, tuple[TeamSpec, ...]]] = []
    for spec, division in zip(DIVISIONS, divisions, strict=True):
        story.divisions[spec.key] = division
        for name, teams in spec.groups:
            unit = _unit(name, slugify(f"{spec.key} {name}"), OrgUnitKind.GROUP, division)
            groups.append((spec, unit, teams))
    OrgUnit.objects.bulk_create([unit for _spec, unit, _teams in groups])
    teams_to_insert: list[Team] = []
    for spec, group, team_specs in groups:
        for team_spec in team_specs:
            unit = _unit(team_spec.name, slugify(team_spec.name), OrgUnitKind.TEAM, group)
            teams_to_insert.append(Team(unit, group, spec.key, team_spec.topics))
    OrgUnit.objects.bulk_create([team.unit for team in teams_to_insert])
    for team in teams_to_insert:
        story.teams_by_division.setdefault(team.division_key, []).append(team)
        story.teams_by_slug[team.unit.slug] = team


DIVISION_OFFICES = {spec.key: spec.offices for spec in DIVISIONS}
