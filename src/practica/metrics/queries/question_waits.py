"""The questions of a period as columns (numpy arrays), for the response-times panel.

Thousands of datetimes are a page's main cost to load, so the database sends each question's
moment as integer microseconds and its two waits as whole seconds (NOT_DONE for a wait not over
by `as_of`); ages, waits and buckets are then worked out over the arrays.
"""

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime

import numpy as np
from django.db.models import Case, F, IntegerField, QuerySet, Value, When

from practica.metrics.models import QuestionFact
from practica.metrics.queries.columns import (
    EpochMicroseconds,
    epoch_microseconds,
    integer_columns,
    moment_buckets,
)
from practica.metrics.queries.survival import BoolArray, IntArray, WaitStats, array_wait_stats


@dataclass(frozen=True)
class Asked:
    """The period's questions as columns, one entry per question, and their two waits as of
    `as_of` in whole seconds: a wait not over by then (no response, or one after `as_of`) is
    the question's age."""

    thread_ids: IntArray
    community_ids: IntArray
    asked_at: IntArray  # microseconds since 1970-01-01 UTC
    ages: IntArray
    first: IntArray
    first_done: BoolArray
    accepted: IntArray
    accepted_done: BoolArray
    was_routed: BoolArray

    def __len__(self) -> int:
        return len(self.thread_ids)

    def where(self, keep: BoolArray) -> "Asked":
        """The questions where `keep` is true."""
        return Asked(*(getattr(self, name)[keep] for name in ASKED_COLUMNS))

    def first_stats(self) -> WaitStats:
        return array_wait_stats(self.ages, self.first, self.first_done)

    def accepted_stats(self) -> WaitStats:
        return array_wait_stats(self.ages, self.accepted, self.accepted_done)

    def first_stats_where(self, keep: BoolArray) -> WaitStats:
        """`first_stats` of the questions where `keep` is true (without copying the rest)."""
        return array_wait_stats(self.ages[keep], self.first[keep], self.first_done[keep])

    def buckets(self, buckets: Sequence[date]) -> IntArray:
        """Each question's bucket (index into `buckets`, their first days) by when asked."""
        return moment_buckets(buckets, self.asked_at)


ASKED_COLUMNS = tuple(field.name for field in fields(Asked))


NOT_DONE = -1  # the wait column of a question not answered (or accepted) by as_of


def _wait_by(moment: str, seconds: str, as_of: datetime) -> Case:
    # One column per wait, NOT_DONE when not over by as_of: every column sent costs the page.
    return Case(
        When(**{f"{moment}__lte": as_of, f"{seconds}__isnull": False}, then=F(seconds)),
        default=Value(NOT_DONE),
        output_field=IntegerField(),
    )


def asked_questions(
    facts: QuerySet[QuestionFact], as_of: datetime, *, community_id: int | None = None
) -> Asked:
    """The questions of `facts` as columns, their waits as of `as_of` (see `Asked`). With
    `community_id`, every fact is that community's, so its column is not read."""
    columns = integer_columns(
        facts.order_by().values(
            asked_thread=F("thread_id"),
            asked_us=EpochMicroseconds("asked_at"),
            first=_wait_by("first_response_at", "first_response_seconds", as_of),
            accepted=_wait_by("accepted_at", "accepted_seconds", as_of),
            routed=F("was_routed"),
            **({} if community_id is not None else {"asked_community": F("community_id")}),
        )
    )
    asked_at = columns["asked_us"]
    # Whole seconds from asking to as_of (never negative: nothing is asked after as_of).
    ages = np.maximum(0, (epoch_microseconds(as_of) - asked_at) // 1_000_000)
    first_done = columns["first"] != NOT_DONE
    accepted_done = columns["accepted"] != NOT_DONE
    communities = columns.get("asked_community")
    return Asked(
        thread_ids=columns["asked_thread"],
        community_ids=np.full(len(asked_at), community_id, dtype=np.int64)
        if communities is None
        else communities,
        asked_at=asked_at,
        ages=ages,
        first=np.where(first_done, np.maximum(0, columns["first"]), ages),
        first_done=first_done,
        accepted=np.where(accepted_done, np.maximum(0, columns["accepted"]), ages),
        accepted_done=accepted_done,
        was_routed=columns["routed"].astype(np.bool_),
    )
