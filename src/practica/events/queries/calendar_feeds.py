"""What each calendar feed holds, as `CalendarEntry` rows for one reader.

Feeds hold what members see in lists (published and cancelled events, never drafts) from a
year back on, so clients keep recent history and see cancellations. The meeting link goes
only to readers holding a seat at that event or hosting it (`can_see_online_link` without the
per-event organizer check, which would cost queries per event).
"""

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Prefetch, Q
from django.utils import timezone

from practica.communities.models import Community, Group, Program
from practica.events.calendar import CalendarEntry
from practica.events.models import (
    SEAT_HOLDING,
    Event,
    EventHost,
    EventQuerySet,
    EventStatus,
    Registration,
    RegistrationStatus,
)

HISTORY = timedelta(days=365)


def _listed(now: datetime | None) -> EventQuerySet:
    since = (now or timezone.now()) - HISTORY
    return (
        Event.objects.listed()
        .filter(ends_at__gte=since)
        .select_related("community")
        .prefetch_related(
            "topics",
            Prefetch("hosts", queryset=EventHost.objects.select_related("person")),
        )
        .order_by("starts_at", "pk")
    )


def _entries(queryset: EventQuerySet, person: Any) -> list[CalendarEntry]:
    events = list(queryset)
    ids = [event.pk for event in events]
    statuses = dict(
        Registration.objects.filter(person_id=person.pk, event_id__in=ids).values_list(
            "event_id", "status"
        )
    )
    hosted = {
        event.pk
        for event in events
        if any(host.person_id == person.pk for host in event.hosts.all())
    }
    return [
        CalendarEntry(
            event=event,
            show_online_link=event.pk in hosted or statuses.get(event.pk) in SEAT_HOLDING,
            tentative=event.pk not in hosted
            and statuses.get(event.pk) == RegistrationStatus.WAITLISTED,
        )
        for event in events
    ]


def my_feed(person: Any, *, now: datetime | None = None) -> list[CalendarEntry]:
    """The member's events: those they hold a seat or an offer at, are waiting for
    (tentative), host or speak at; and cancelled events they had signed up for."""
    mine = Q(
        registrations__person_id=person.pk,
        registrations__status__in=(*SEAT_HOLDING, RegistrationStatus.WAITLISTED),
    )
    signed_up_for_cancelled = Q(status=EventStatus.CANCELLED, registrations__person_id=person.pk)
    hosting = Q(hosts__person_id=person.pk)
    ids = (
        Event.objects.listed()
        .filter(mine | signed_up_for_cancelled | hosting)
        .values_list("pk", flat=True)
        .distinct()
    )
    return _entries(_listed(now).filter(pk__in=ids), person)


def community_feed(
    community: Community, person: Any, *, now: datetime | None = None
) -> list[CalendarEntry]:
    """The events the community hosts or co-hosts."""
    events = _listed(now).filter(Q(community=community) | Q(co_hosts=community)).distinct()
    return _entries(events, person)


def group_feed(group: Group, person: Any, *, now: datetime | None = None) -> list[CalendarEntry]:
    """The meetings of a grassroots group."""
    return _entries(_listed(now).filter(group=group), person)


def program_feed(
    program: Program, person: Any, *, now: datetime | None = None
) -> list[CalendarEntry]:
    """The events of every community in the program (hosting or co-hosting)."""
    ids = (
        Event.objects.listed()
        .filter(Q(community__program=program) | Q(co_hosts__program=program))
        .values_list("pk", flat=True)
        .distinct()
    )
    return _entries(_listed(now).filter(pk__in=ids), person)


def all_feed(person: Any, *, now: datetime | None = None) -> list[CalendarEntry]:
    """Every listed event of every community."""
    return _entries(_listed(now), person)
