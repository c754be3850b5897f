"""EventFact rows: each published event's attendance and feedback, once per community that
hosts or co-hosts it (`definitions.events.community_events`).

registered: seat-holding registrations (registered or offered) of counted people;
checked_in: of those, the ones checked in; walk_ins: counted people checked in as walk-ins;
took_attendance: anyone was checked in (as `definitions.events.attendance_figures` decides);
no_shows: registered − checked_in once the event has ended (at the build) and took
attendance, else 0. attendees_compared / attendees_cross_org: the counted people checked in
whose division on the event's day is known / differs from the organizer's division that
day; the organizer is `Event.created_by`, else the first host who is a person; divisions as
for segments (the affiliation's org unit on the day, else `User.org_unit`, up to its
depth-0 ancestor). feedback / satisfied / score_counts: counted people's feedback, the ones
scoring 4 or 5, and the count per score 1–5.
"""

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from practica.events.models import (
    SEAT_HOLDING,
    CheckInMethod,
    Event,
    EventHost,
    Feedback,
    Registration,
)
from practica.metrics.definitions.events import SATISFIED_FROM, community_events
from practica.metrics.rollups.affiliations import UnitHistory, division_ids
from practica.metrics.rollups.calendar import day_number_of
from practica.people.models import User

EVENT_COLUMNS = (
    "event_id",
    "community_id",
    "starts_at",
    "ends_at",
    "format",
    "took_attendance",
    "registered",
    "checked_in",
    "walk_ins",
    "no_shows",
    "attendees_compared",
    "attendees_cross_org",
    "feedback",
    "satisfied",
    "score_counts",
)
SCORES = ("1", "2", "3", "4", "5")
SEATED = frozenset(str(status) for status in SEAT_HOLDING)


def event_rows(
    community_id: int,
    now: datetime,
    event_ids: Sequence[int] | None = None,
    history: UnitHistory | None = None,
) -> list[tuple[Any, ...]]:
    """EventFact rows (EVENT_COLUMNS) of the community's published events (or of those
    among `event_ids`), as of `now`."""
    events: QuerySet[Event] = community_events(community_id)
    if event_ids is not None:
        events = events.filter(pk__in=event_ids)
    event_list = list(events.values_list("pk", "starts_at", "ends_at", "format", "created_by_id"))
    if not event_list:
        return []
    event_pks = events.values("pk")
    first_host: dict[int, int] = {}
    for event_id, person_id in (
        EventHost.objects.filter(event__in=event_pks, person__isnull=False)
        .order_by("event_id", "position", "pk")
        .values_list("event_id", "person_id")
    ):
        first_host.setdefault(event_id, person_id)
    registrations = Registration.objects.filter(event__in=event_pks).values_list(
        "event_id",
        "person_id",
        "status",
        "checked_in_at",
        "check_in_method",
        "person__is_system",
        "person__is_placeholder",
    )
    took: set[int] = set()
    tallies: dict[int, Counter[str]] = defaultdict(Counter)
    attendees: dict[int, list[int]] = defaultdict(list)
    for event_id, person_id, status, checked_in_at, method, system, placeholder in registrations:
        if checked_in_at is not None:
            took.add(event_id)
        if system or placeholder:
            continue
        tally = tallies[event_id]
        if status in SEATED:
            tally["registered"] += 1
            tally["checked_in"] += checked_in_at is not None
        if checked_in_at is not None:
            tally["walk_ins"] += method == CheckInMethod.WALK_IN
            attendees[event_id].append(person_id)
    scores: dict[int, Counter[str]] = defaultdict(Counter)
    for event_id, satisfaction in Feedback.objects.filter(
        event__in=event_pks, person__is_system=False, person__is_placeholder=False
    ).values_list("event_id", "satisfaction"):
        scores[event_id][str(satisfaction)] += 1
    people = (
        Q(pk__in=Registration.objects.filter(event__in=event_pks).values("person_id"))
        | Q(pk__in=events.values("created_by_id"))
        | Q(pk__in=EventHost.objects.filter(event__in=event_pks).values("person_id"))
    )
    person_ids = User.objects.filter(people).values("pk")
    history = history if history is not None else UnitHistory(person_ids)
    homes = dict(User.objects.filter(people).values_list("pk", "org_unit_id"))
    divisions = division_ids()
    day_number = day_number_of()

    def division(person_id: int | None, day: int) -> int | None:
        if person_id is None:
            return None
        unit = history.unit_on(person_id, day) or homes.get(person_id)
        return divisions.get(unit) if unit is not None else None

    rows: list[tuple[Any, ...]] = []
    for pk, starts_at, ends_at, event_format, created_by_id in event_list:
        tally = tallies.get(pk, Counter())
        took_attendance = pk in took
        ended = ends_at <= now
        day = day_number(starts_at)
        organizer = division(created_by_id or first_host.get(pk), day)
        compared = cross = 0
        if organizer is not None:
            for person_id in attendees.get(pk, ()):
                theirs = division(person_id, day)
                if theirs is not None:
                    compared += 1
                    cross += theirs != organizer
        counts = scores.get(pk, Counter())
        rows.append(
            (
                pk,
                community_id,
                starts_at,
                ends_at,
                event_format,
                took_attendance,
                tally["registered"],
                tally["checked_in"],
                tally["walk_ins"],
                tally["registered"] - tally["checked_in"] if took_attendance and ended else 0,
                compared,
                cross,
                sum(counts.values()),
                sum(counts[score] for score in SCORES if int(score) >= SATISFIED_FROM),
                {score: counts[score] for score in SCORES},
            )
        )
    return rows
