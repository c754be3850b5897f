"""AnswerFact rows: the community's counted answers with both sides' org units as of the day.

Counted, as `definitions.collaboration` counts them (without its 90-day window): a visible
post, not the opening one, in a visible question thread of the community, by a counted
person other than the asker, the asker counted too. answerer_unit: the answerer's
affiliation on the answer's day, else the org unit the post recorded; asker_unit: the
asker's affiliation on the question's day, else the org unit the opening post recorded.
The levels are `User.career_level` (not dated).
"""

from collections.abc import Sequence
from typing import Any

from django.db.models import F, QuerySet

from practica.discussions.models import Post, ThreadKind
from practica.metrics.definitions.population import counted
from practica.metrics.rollups.affiliations import UnitHistory
from practica.metrics.rollups.calendar import day_number_of

ANSWER_COLUMNS = (
    "post_id",
    "community_id",
    "thread_id",
    "answered_at",
    "asked_at",
    "answerer_id",
    "asker_id",
    "answerer_unit_id",
    "asker_unit_id",
    "answerer_level",
    "asker_level",
)


def counted_answers(community_id: int) -> QuerySet[Post]:
    return Post.objects.filter(
        counted("author"),
        counted("thread__author"),
        thread__community_id=community_id,
        thread__kind=ThreadKind.QUESTION,
        thread__is_hidden=False,
        is_opening=False,
        is_hidden=False,
    ).exclude(author_id=F("thread__author_id"))


def answer_rows(
    community_id: int,
    thread_ids: Sequence[int] | None = None,
    history: UnitHistory | None = None,
) -> list[tuple[Any, ...]]:
    """AnswerFact rows (ANSWER_COLUMNS) of the community's counted answers, or of those in
    `thread_ids`."""
    answers = counted_answers(community_id)
    if thread_ids is not None:
        answers = answers.filter(thread_id__in=thread_ids)
    # One query for the opening posts' org units: a correlated subquery per answer is slower.
    opening_units = dict(
        Post.objects.filter(thread__in=answers.values("thread_id"), is_opening=True).values_list(
            "thread_id", "author_org_unit_id"
        )
    )
    rows = answers.values_list(
        "pk",
        "thread_id",
        "created_at",
        "thread__created_at",
        "author_id",
        "thread__author_id",
        "author_org_unit_id",
        "author__career_level",
        "thread__author__career_level",
    )
    answerers = history if history is not None else UnitHistory(answers.values("author_id"))
    askers = history if history is not None else UnitHistory(answers.values("thread__author_id"))
    day_number = day_number_of()
    facts: list[tuple[Any, ...]] = []
    for (
        pk,
        thread_id,
        answered_at,
        asked_at,
        answerer_id,
        asker_id,
        answerer_post_unit,
        answerer_level,
        asker_level,
    ) in rows.iterator(chunk_size=20000):
        facts.append(
            (
                pk,
                community_id,
                thread_id,
                answered_at,
                asked_at,
                answerer_id,
                asker_id,
                answerers.unit_on(answerer_id, day_number(answered_at)) or answerer_post_unit,
                askers.unit_on(asker_id, day_number(asked_at)) or opening_units.get(thread_id),
                answerer_level,
                asker_level,
            )
        )
    return facts
