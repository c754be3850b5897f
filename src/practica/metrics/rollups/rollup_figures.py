"""The raw definitions' figures, read back from the rollups.

Each function here equals its namesake in `practica.metrics.definitions` (the tests check
it on random data): the daily figures at `as_of = day_end(day)`, the facts' figures at any
`as_of`. One exception, said where it applies: CSAT from EventFact counts all feedback given
by the build, the raw figure only that given by `as_of`.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from practica.metrics.definitions.collaboration import (
    ANSWER_DAYS,
    CrossOrgAnswers,
    count_cross_org,
)
from practica.metrics.definitions.events import EVENT_DAYS, Attendance, Satisfaction
from practica.metrics.definitions.figures import count_value
from practica.metrics.definitions.response_times import QUESTION_DAYS, ResponseTimes, Wait
from practica.metrics.models import AnswerFact, CommunityDay, EventFact, QuestionFact

DAY_FIGURES = (
    "members",
    "new_members_30d",
    "active_28d",
    "engaged_28d",
)


def day_figures(community_id: int, day: date, segment: str = "") -> dict[str, Any]:
    """The CommunityDay row's figures for the day (all 0 when there is no row)."""
    row = (
        CommunityDay.objects.filter(community_id=community_id, segment=segment, day=day)
        .values()
        .first()
    )
    if row is None:
        return dict.fromkeys(DAY_FIGURES, 0)
    return dict(row)


def members_from_rollup(community_id: int, day: date) -> Decimal:
    """`definitions.membership.members` at `day_end(day)`."""
    return count_value(day_figures(community_id, day)["members"])


def new_members_from_rollup(community_id: int, day: date) -> Decimal:
    """`definitions.membership.new_members_30_days` at `day_end(day)`."""
    return count_value(day_figures(community_id, day)["new_members_30d"])


def active_from_rollup(community_id: int, day: date) -> Decimal:
    """`definitions.activity.active_members` at `day_end(day)`."""
    return count_value(day_figures(community_id, day)["active_28d"])


def engaged_from_rollup(community_id: int, day: date) -> Decimal:
    """`definitions.activity.engaged_members` at `day_end(day)`."""
    return count_value(day_figures(community_id, day)["engaged_28d"])


def response_times_from_facts(community_id: int, as_of: datetime) -> ResponseTimes:
    """`definitions.response_times.response_times`: the waits of the questions asked in
    (as_of − 90 days, as_of]; a first response after `as_of` has not happened yet."""
    rows = (
        QuestionFact.objects.filter(
            community_id=community_id,
            asked_at__gt=as_of - timedelta(days=QUESTION_DAYS),
            asked_at__lte=as_of,
        )
        .order_by("asked_at", "pk")
        .values_list("asked_at", "first_response_at", "first_response_seconds")
    )
    waits: list[Wait] = []
    asked: list[datetime] = []
    for asked_at, first_response_at, seconds in rows:
        if first_response_at is not None and first_response_at <= as_of:
            waits.append(Wait(seconds=seconds or 0, answered=True))  # set with the response
        else:
            waits.append(Wait(seconds=int((as_of - asked_at).total_seconds()), answered=False))
        asked.append(asked_at)
    return ResponseTimes(waits=tuple(waits), as_of=as_of, asked_at=tuple(asked))


def cross_org_from_facts(community_id: int, as_of: datetime) -> CrossOrgAnswers:
    """`definitions.collaboration.cross_org_figures`: the answers of (as_of − 90 days,
    as_of], compared at the community's `QASettings.cross_org_depth`."""
    pairs = list(
        AnswerFact.objects.filter(
            community_id=community_id,
            answered_at__gt=as_of - timedelta(days=ANSWER_DAYS),
            answered_at__lte=as_of,
        ).values_list("answerer_unit_id", "asker_unit_id")
    )
    if not pairs:
        return CrossOrgAnswers(answers=0, compared=0, cross_org=0)
    return count_cross_org(community_id, pairs)


def _events_started(community_id: int, as_of: datetime):  # type: ignore[no-untyped-def]
    return EventFact.objects.filter(
        community_id=community_id,
        starts_at__gt=as_of - timedelta(days=EVENT_DAYS),
        starts_at__lte=as_of,
    )


def events_held_from_facts(community_id: int, as_of: datetime) -> Decimal:
    """`definitions.events.events_held_year`."""
    return count_value(_events_started(community_id, as_of).count())


def attendance_from_facts(community_id: int, as_of: datetime) -> Attendance:
    """`definitions.events.attendance_figures`: events of the trailing year that had ended
    by `as_of` and took attendance."""
    sums = (
        _events_started(community_id, as_of)
        .filter(took_attendance=True, ends_at__lte=as_of)
        .aggregate(registered=Sum("registered"), checked_in=Sum("checked_in"))
    )
    return Attendance(registered=sums["registered"] or 0, checked_in=sums["checked_in"] or 0)


def csat_from_facts(community_id: int, as_of: datetime) -> Satisfaction:
    """`definitions.events.satisfaction_figures` — over all the feedback given by the build
    on the trailing year's events; it equals the raw figure when that feedback had all been
    given by `as_of` (feedback comes within days of an event; a bucket ending between an
    event and its late feedback counts the late feedback)."""
    sums = _events_started(community_id, as_of).aggregate(
        responses=Sum("feedback"), satisfied=Sum("satisfied")
    )
    return Satisfaction(responses=sums["responses"] or 0, satisfied=sums["satisfied"] or 0)
