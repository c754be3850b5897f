"""QuestionFact rows: the community's counted questions and how long each waited.

Counted, as the response-time definitions count them (without their 90-day window): threads
of kind question, not hidden, not merged into another thread, not closed as a duplicate,
asked by a counted person. first_response_at / accepted_at are the thread's; the seconds are
`max(0, whole seconds)` from the question, as `definitions.response_times` computes a wait.
The asker's org unit is their affiliation's on the day asked, else the org unit the opening
post recorded, else `User.org_unit`; asker_division is that unit's depth-0 ancestor.
was_routed: the question has at least one routing round.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from practica.discussions.models import Post, RoutingRound, Thread, ThreadKind
from practica.metrics.definitions.population import counted
from practica.metrics.rollups.affiliations import UnitHistory, division_ids
from practica.metrics.rollups.calendar import day_number_of

QUESTION_COLUMNS = (
    "thread_id",
    "community_id",
    "asked_at",
    "asker_id",
    "asker_unit_id",
    "asker_division_id",
    "first_response_at",
    "first_response_seconds",
    "accepted_at",
    "accepted_seconds",
    "was_routed",
)


def counted_questions(community_id: int) -> QuerySet[Thread]:
    return Thread.objects.filter(
        counted("author"),
        community_id=community_id,
        kind=ThreadKind.QUESTION,
        is_hidden=False,
        merged_into__isnull=True,
        duplicate_of__isnull=True,
    )


def wait_seconds(since: datetime, until: datetime | None) -> int | None:
    if until is None:
        return None
    return max(0, int((until - since).total_seconds()))


def question_rows(
    community_id: int,
    thread_ids: Sequence[int] | None = None,
    history: UnitHistory | None = None,
) -> tuple[list[tuple[Any, ...]], list[tuple[int, int]]]:
    """(QuestionFact rows for QUESTION_COLUMNS, (thread, topic) pairs) of the community's
    counted questions, or of those among `thread_ids`."""
    questions = counted_questions(community_id)
    if thread_ids is not None:
        questions = questions.filter(pk__in=thread_ids)
    # One query for the opening posts' org units: a correlated subquery per thread is slower.
    opening_units = dict(
        Post.objects.filter(thread__in=questions.values("pk"), is_opening=True).values_list(
            "thread_id", "author_org_unit_id"
        )
    )
    rows = questions.values_list(
        "pk", "created_at", "author_id", "first_response_at", "accepted_at", "author__org_unit_id"
    )
    routed = set(
        RoutingRound.objects.filter(thread__in=questions.values("pk")).values_list(
            "thread_id", flat=True
        )
    )
    history = history if history is not None else UnitHistory(questions.values("author_id"))
    divisions = division_ids()
    day_number = day_number_of()
    facts: list[tuple[Any, ...]] = []
    for pk, asked_at, asker_id, first_response_at, accepted_at, home in rows.iterator(
        chunk_size=20000
    ):
        unit = history.unit_on(asker_id, day_number(asked_at)) or opening_units.get(pk) or home
        facts.append(
            (
                pk,
                community_id,
                asked_at,
                asker_id,
                unit,
                divisions.get(unit) if unit is not None else None,
                first_response_at,
                wait_seconds(asked_at, first_response_at),
                accepted_at,
                wait_seconds(asked_at, accepted_at),
                pk in routed,
            )
        )
    through = Thread.topics.through
    topics = list(
        through.objects.filter(thread_id__in=questions.values("pk")).values_list(
            "thread_id", "topic_id"
        )
    )
    return facts, topics
