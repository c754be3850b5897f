"""Writing the conference's texts from phrase pools: proposal titles and abstracts, review
comments, reviewers' statements, keynote titles. No network, deterministic by the story's seed:
the era's tools and models (as the Q&A demo draws them) and the topics' names fill the pools."""

import random
from dataclasses import dataclass, field

from practica.demo import conference_catalogue as catalogue
from practica.demo import qa_phrases as phrases
from practica.demo.qa_writing import mid_sentence

# The Q&A demo's model families by topic (the nearest listed ancestor-or-self decides).
AREAS = {
    "natural-language-processing": "language",
    "speech": "language",
    "transformers": "language",
    "computer-vision": "vision",
    "convolutional-networks": "vision",
    "generative-models": "vision",
}


@dataclass
class ConferenceWriter:
    """Fills the phrase pools; caches each year's tools and each topic's name."""

    rng: random.Random
    names: dict[str, str]  # topic slug → name as it reads mid-sentence
    roots: dict[str, str]  # topic slug → its root's slug
    areas: dict[str, str]  # topic slug → model family ("language", "vision", "tabular")
    _era: dict[tuple[int, str], tuple[list[str], list[str], list[str]]] = field(
        default_factory=dict
    )

    def era(self, year: int, area: str) -> tuple[list[str], list[str], list[str]]:
        key = (year, area)
        cached = self._era.get(key)
        if cached is None:
            tools = [
                name
                for since, name in phrases.FRAMEWORKS
                if since <= year and phrases.RETIRED.get(name, 9999) > year
            ][-4:]
            gpus = [name for since, name in phrases.GPUS if since <= year][-2:]
            models = [name for since, name in phrases.MODELS[area] if since <= year][-3:]
            cached = self._era[key] = (tools, gpus, models)
        return cached

    def fill(self, template: str, *, year: int, topics: list[str], team: str) -> str:
        if "{" not in template:
            return template
        rng = self.rng
        first = topics[0]
        second = topics[1] if len(topics) > 1 else self.roots.get(first, first)
        if second == first:
            second = "machine-learning"
        tools, gpus, models = self.era(year, self.areas.get(first, "tabular"))
        topic = self.names[first]
        return template.format(
            topic=topic,
            Topic=topic[:1].upper() + topic[1:],
            topic2=self.names.get(second, second),
            fw=rng.choice(tools),
            gpu=rng.choice(gpus),
            model=rng.choice(models),
            n=(n := rng.choice((4, 8, 16, 32, 64))),
            m=n * rng.choice((4, 8, 16)),
            year=year,
            customer=rng.choice(phrases.CUSTOMERS),
            team=team,
            use=rng.choice(catalogue.USES),
            pct=rng.choice((3, 4, 6, 8, 11, 12, 15, 18, 22, 30)),
        )

    def title(self, kind: str, *, year: int, topics: list[str], team: str) -> str:
        pattern = self.rng.choice(catalogue.TITLES[kind])
        if ":" not in pattern and self.rng.random() < 0.75:
            pattern = f"{pattern}: {self.rng.choice(catalogue.SUBTITLES)}"
        return self.fill(pattern, year=year, topics=topics, team=team)[:200]

    def abstract(self, kind: str, *, year: int, topics: list[str], team: str) -> str:
        rng = self.rng
        blocks = [rng.choice(catalogue.ABSTRACT_OPENINGS), rng.choice(catalogue.ABSTRACT_MIDDLES)]
        if kind not in ("panel", "tutorial") or rng.random() < 0.3:
            blocks.append(rng.choice(catalogue.ABSTRACT_RESULTS))
        blocks.append(rng.choice(catalogue.ABSTRACT_TAKEAWAYS[kind]))
        filled = [self.fill(block, year=year, topics=topics, team=team) for block in blocks]
        # Opening and approach make the first paragraph; results and take-away the second.
        return f"{filled[0]} {filled[1]}\n\n" + " ".join(filled[2:])

    def statement(self, *, year: int, topics: list[str], team: str) -> str:
        pattern = self.rng.choice(catalogue.STATEMENTS)
        return self.fill(pattern, year=year, topics=topics or ["machine-learning"], team=team)

    def review_comments(self, score: float, *, topics: list[str]) -> tuple[str, str]:
        """(to the speakers, to the committee): praise for a good score, concerns for a poor
        one, both in between; the committee hears something a third of the time."""
        rng = self.rng
        name = self.names[topics[0]] if topics else "machine learning"
        parts = []
        if score >= 3.0:
            parts.append(rng.choice(catalogue.REVIEW_PRAISE))
        if score < 3.8 or rng.random() < 0.3:
            parts.append(rng.choice(catalogue.REVIEW_CONCERNS))
        to_speakers = " ".join(part.format(topic=name) for part in parts)
        to_committee = ""
        if rng.random() < 0.35:
            to_committee = rng.choice(catalogue.REVIEW_TO_COMMITTEE).format(topic=name)
        return to_speakers, to_committee

    def keynote(self, *, year: int, topic: str) -> str:
        name = self.names.get(topic, "machine learning")
        pattern = self.rng.choice(catalogue.KEYNOTES)
        return pattern.format(topic=name, Topic=name[:1].upper() + name[1:], year=year)


def new_writer(rng: random.Random, topics: dict) -> ConferenceWriter:
    """A writer for the story's topic taxonomy (`story.topics`: slug → Topic)."""
    by_path = {topic.path: slug for slug, topic in topics.items()}
    roots = {}
    for slug, topic in topics.items():
        root_path = "/" + topic.path.strip("/").split("/")[0] + "/"
        roots[slug] = by_path.get(root_path, slug)
    names = {slug: mid_sentence(topic.name) for slug, topic in topics.items()}
    areas = {}
    for slug, topic in topics.items():
        lineage = topic.path.strip("/").split("/")[::-1]
        areas[slug] = next((AREAS[s] for s in lineage if s in AREAS), "tabular")
    return ConferenceWriter(rng=rng, names=names, roots=roots, areas=areas)
