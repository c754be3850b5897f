"""Writing the demo's posts: fill the phrase pools for an era and a topic, render each block once.

A post is Markdown blocks joined by blank lines. Each block renders on its own to the same HTML
it has inside the whole post (paragraphs and fenced code blocks do not interact), so a post's
`body_html` is the concatenation of its blocks' cached renderings: tens of thousands of posts,
a few thousand calls to `render_markdown`.
"""

import html
import random
from dataclasses import dataclass, field

from django.utils.html import strip_tags

from practica.core.markdown import render_markdown
from practica.core.search_text import searchable_text
from practica.demo import qa_phrases as phrases
from practica.demo.qa_texts import PROBLEMS, Problem


@dataclass(frozen=True)
class Text:
    """A post's Markdown, its rendered HTML, its plain text, and that text as the search index
    stores it (`searchable_text(plain)`)."""

    body: str
    html: str
    plain: str
    searchable: str


@dataclass
class Writer:
    """Renders blocks once per distinct text; draws the era's tools from the story's generator."""

    rng: random.Random
    rendered: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    by_topic: dict[str, list[Problem]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for problem in PROBLEMS:
            for slug in problem.topics:
                self.by_topic.setdefault(slug, []).append(problem)

    def text(self, blocks: list[str]) -> Text:
        pieces = [block for block in blocks if block]
        htmls, plains, searchables = [], [], []
        for block in pieces:
            cached = self.rendered.get(block)
            if cached is None:
                rendered = render_markdown(block)
                plain = html.unescape(strip_tags(rendered))
                cached = self.rendered[block] = (rendered, plain, searchable_text(plain))
            htmls.append(cached[0])
            plains.append(cached[1])
            searchables.append(cached[2])
        plain = "".join(plains)
        # Blocks that end in white space join without touching each other's characters, so
        # the searchable text of the whole is that of its blocks joined.
        if all(piece[-1:].isspace() for piece in plains[:-1]):
            searchable = "".join(searchables)
        else:
            searchable = searchable_text(plain)
        return Text("\n\n".join(pieces), "".join(htmls), plain, searchable)

    def problem_for(self, slug: str, year: int) -> Problem | None:
        fitting = [p for p in self.by_topic.get(slug, ()) if p.since <= year]
        return self.rng.choice(fitting) if fitting else None

    def fill(self, template: str, *, year: int, topic: str, area: str = "tabular") -> str:
        """The template with this era's framework, GPU and model, and the topic's name."""
        if "{" not in template:
            return template
        rng = self.rng
        tools = [
            name
            for since, name in phrases.FRAMEWORKS
            if since <= year and phrases.RETIRED.get(name, 9999) > year
        ]
        gpus = [name for since, name in phrases.GPUS if since <= year][-2:]
        models = [name for since, name in phrases.MODELS[area] if since <= year][-3:]
        return template.format(
            fw=rng.choice(tools[-4:]),
            gpu=rng.choice(gpus),
            model=rng.choice(models),
            n=rng.choice((2, 4, 8, 16)),
            topic=topic,
            Topic=topic[:1].upper() + topic[1:],
            customer=rng.choice(phrases.CUSTOMERS),
            year=year,
        )


def mid_sentence(name: str) -> str:
    """ "Machine translation" → "machine translation"; "A/B testing", "MLOps" stay as they are."""
    first = name.split(maxsplit=1)[0]
    return name[0].lower() + name[1:] if first[1:].islower() else name


def question_text(
    writer: Writer, *, year: int, topic: str, problem: Problem | None, chinese: bool, urgent: bool
) -> tuple[str, Text]:
    """A question's title and opening post."""
    rng, fill = writer.rng, writer.fill
    name = mid_sentence(topic)
    if chinese:
        title = fill(rng.choice(phrases.CHINESE_TITLES), year=year, topic=topic)
        return title, writer.text(
            [fill(rng.choice(phrases.CHINESE_CONTEXT), year=year, topic=topic)]
        )
    if urgent:
        title = fill(rng.choice(phrases.URGENT_TITLES), year=year, topic=name)
        body = [fill(rng.choice(phrases.URGENT_CONTEXT), year=year, topic=name)]
        return title, writer.text(body)
    if problem is None:
        title = fill(rng.choice(phrases.GENERIC_TITLES), year=year, topic=name)
        title = title[:1].upper() + title[1:]
        context = fill(rng.choice(phrases.GENERIC_CONTEXT), year=year, topic=name)
        return title, writer.text([context, rng.choice(phrases.CLOSINGS)])
    area = problem.area
    title = fill(rng.choice(problem.titles), year=year, topic=name, area=area)
    blocks = [fill(rng.choice(problem.context), year=year, topic=name, area=area)]
    if problem.code and rng.random() < 0.6:
        blocks.append(fill(problem.code, year=year, topic=name, area=area))
    blocks.append(rng.choice(phrases.CLOSINGS))
    return title, writer.text(blocks)


def answer_text(
    writer: Writer,
    *,
    year: int,
    topic: str,
    problem: Problem | None,
    chinese: bool,
    urgent: bool,
    index: int,
) -> Text:
    """The `index`-th answer to a question (answers to one question say different things)."""
    rng, fill = writer.rng, writer.fill
    name = mid_sentence(topic)
    if chinese:
        return writer.text([rng.choice(phrases.CHINESE_ANSWERS)])
    if urgent:
        return writer.text([phrases.URGENT_ANSWERS[index % len(phrases.URGENT_ANSWERS)]])
    if problem is None:
        pool = phrases.GENERIC_ANSWERS
        first = fill(pool[(index + rng.randrange(len(pool))) % len(pool)], year=year, topic=name)
        return writer.text([first, rng.choice(phrases.ANSWER_CLOSINGS)])
    answers = problem.answers
    blocks = [fill(answers[(index + rng.randrange(2)) % len(answers)], year=year, topic=name)]
    if problem.fix and index == 0 and rng.random() < 0.6:
        blocks.append(fill(problem.fix, year=year, topic=name, area=problem.area))
    blocks.append(rng.choice(phrases.ANSWER_CLOSINGS))
    return writer.text(blocks)


def discussion_text(writer: Writer, *, year: int, topic: str) -> tuple[str, Text]:
    rng, fill = writer.rng, writer.fill
    name = mid_sentence(topic)
    title = fill(rng.choice(phrases.DISCUSSION_TITLES), year=year, topic=name)
    title = title[:1].upper() + title[1:]
    return title, writer.text([fill(rng.choice(phrases.DISCUSSION_CONTEXT), year=year, topic=name)])


def reply_text(writer: Writer) -> Text:
    return writer.text([writer.rng.choice(phrases.DISCUSSION_REPLIES)])
