"""Reads about a community's maturity self-assessments: the list, the latest beside the one
before, and the history for the chart over time."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from practica.communities.models import (
    Community,
    MaturityAssessment,
    MaturityCompetency,
    MaturityStage,
)

AVERAGE_PLACES = Decimal("0.01")
HISTORY_LIMIT = 24


def maturity_assessments(community: Community) -> QuerySet[MaturityAssessment]:
    """The community's assessments, the latest first, with their scores and who assessed."""
    return (
        MaturityAssessment.objects.filter(community=community)
        .select_related("assessed_by")
        .prefetch_related("scores")
        .order_by("-assessed_on", "-pk")
    )


def stages_of(assessment: MaturityAssessment) -> dict[str, int]:
    """Competency → stage of one assessment (scores prefetched: no query)."""
    return {score.competency: score.stage for score in assessment.scores.all()}


def average_stage(assessment: MaturityAssessment) -> Decimal | None:
    """The mean stage over the competencies scored, to two places; None without scores."""
    stages = list(stages_of(assessment).values())
    if not stages:
        return None
    return (Decimal(sum(stages)) / len(stages)).quantize(AVERAGE_PLACES)


def stage_label(stage: int | None) -> Any:
    return MaturityStage(stage).label if stage in MaturityStage.values else ""


@dataclass(frozen=True)
class CompetencyRow:
    """One competency in the latest assessment beside the previous one."""

    competency: str
    latest: int | None
    previous: int | None
    note: str

    @property
    def label(self) -> Any:
        return MaturityCompetency(self.competency).label

    @property
    def latest_label(self) -> Any:
        return stage_label(self.latest)

    @property
    def previous_label(self) -> Any:
        return stage_label(self.previous)

    @property
    def change(self) -> int | None:
        """Stages gained (negative: lost) since the previous assessment."""
        if self.latest is None or self.previous is None:
            return None
        return self.latest - self.previous

    @property
    def change_size(self) -> int:
        return abs(self.change or 0)


@dataclass(frozen=True)
class MaturityComparison:
    latest: MaturityAssessment | None
    previous: MaturityAssessment | None
    rows: list[CompetencyRow]

    @property
    def has_notes(self) -> bool:
        return any(row.note for row in self.rows)


def maturity_comparison(community: Community) -> MaturityComparison:
    """The latest assessment beside the one before it, competency by competency (all eight,
    in the model's order); both None before the first assessment."""
    latest, previous = ([*maturity_assessments(community)[:2], None, None])[:2]
    return compare_assessments(latest, previous)


def compare_assessments(
    latest: MaturityAssessment | None, previous: MaturityAssessment | None
) -> MaturityComparison:
    latest_stages = stages_of(latest) if latest else {}
    previous_stages = stages_of(previous) if previous else {}
    notes = {score.competency: score.note for score in latest.scores.all()} if latest else {}
    rows = [
        CompetencyRow(
            competency=competency.value,
            latest=latest_stages.get(competency.value),
            previous=previous_stages.get(competency.value),
            note=notes.get(competency.value, ""),
        )
        for competency in MaturityCompetency
    ]
    return MaturityComparison(latest=latest, previous=previous, rows=rows)


@dataclass(frozen=True)
class MaturityPoint:
    assessment_id: int
    assessed_on: date
    average: Decimal | None
    stages: dict[str, int]


def maturity_history(community: Community, limit: int = HISTORY_LIMIT) -> list[MaturityPoint]:
    """The last `limit` assessments, the oldest first: each day's stages and mean stage."""
    latest = list(maturity_assessments(community)[:limit])
    return [
        MaturityPoint(
            assessment_id=assessment.pk,
            assessed_on=assessment.assessed_on,
            average=average_stage(assessment),
            stages=stages_of(assessment),
        )
        for assessment in reversed(latest)
    ]
