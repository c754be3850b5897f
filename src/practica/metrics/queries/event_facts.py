"""The events of a period, read from `EventFact`, shared by the events and satisfaction panels.

An event belongs to the period when it starts in it (its start's day in the site's time zone
within [start, end]) and has started (an event later today is not held yet). With several
communities an event they host together is counted once: its figures are the event's,
whichever community's row they are read from.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from practica.metrics.models import EventFact
from practica.metrics.queries.buckets import local_day, local_midnight
from practica.metrics.queries.filters import DashboardFilters
from practica.metrics.rollups.event_facts import EVENT_COLUMNS


@dataclass(frozen=True)
class PeriodEvent:
    event_id: int
    day: date  # the day it starts
    ends_at: datetime
    format: str
    took_attendance: bool
    registered: int
    checked_in: int
    walk_ins: int
    no_shows: int
    attendees_compared: int
    attendees_cross_org: int
    feedback: int
    satisfied: int
    score_counts: dict[str, int]


# The fact's columns as the rollup writes them, but the community: an event hosted together
# is read once, whichever community's row.
FIELDS = tuple(column for column in EVENT_COLUMNS if column != "community_id")


def period_events(filters: DashboardFilters) -> list[PeriodEvent]:
    """The events the filtered communities host that start in the period, and have started,
    each once, by start (one query)."""
    rows = (
        EventFact.objects.filter(
            community_id__in=filters.community_ids,
            starts_at__gte=local_midnight(filters.start),
            starts_at__lt=local_midnight(filters.end + timedelta(days=1)),
            # The period ends today at the latest, but tonight's meetup is not held yet: it
            # would count as an event held, its registrations as if they had come.
            starts_at__lte=timezone.now(),
        )
        .order_by("starts_at", "event_id")
        .values(*FIELDS)
    )
    events: dict[int, PeriodEvent] = {}
    for row in rows:
        if row["event_id"] in events:
            continue
        starts_at = row.pop("starts_at")
        scores = row.pop("score_counts") or {}
        events[row["event_id"]] = PeriodEvent(
            day=local_day(starts_at),
            score_counts={str(score): int(n) for score, n in scores.items()},
            **row,
        )
    return list(events.values())


def ended_by(filters: DashboardFilters) -> datetime:
    """The moment an event must have ended by for its attendance to count: the period's end,
    or now when that is sooner."""
    return min(timezone.now(), local_midnight(filters.end + timedelta(days=1)))
