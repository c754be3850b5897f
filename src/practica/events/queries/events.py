"""Reads about events and their seats, reused by views, API, mails and metrics."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from practica.communities.models import Community
from practica.communities.permissions import MANAGING_ROLES, MODERATING_ROLES
from practica.communities.queries import current_roles_of
from practica.core.models import Topic
from practica.core.tree import subtree_filter
from practica.events.models import (
    Event,
    EventHost,
    EventSeats,
    EventStatus,
    Registration,
    RegistrationStatus,
    SeatMode,
)

# Registrations that are told about changes: they hold a seat, an offer or a waiting place.
ACTIVE_STATUSES = (
    RegistrationStatus.REGISTERED,
    RegistrationStatus.OFFERED,
    RegistrationStatus.WAITLISTED,
)


@dataclass(frozen=True)
class SeatSummary:
    """The seats of one mode as a member sees them."""

    mode: str
    label: str
    capacity: int | None
    taken: int
    waitlisted: int
    waitlist_limit: int | None

    @property
    def available(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.taken, 0)

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.taken >= self.capacity

    @property
    def waitlist_full(self) -> bool:
        return self.waitlist_limit is not None and self.waitlisted >= self.waitlist_limit


def seat_summary(event: Event) -> list[SeatSummary]:
    """One summary per seat mode of `event`, in the event's mode order (one query)."""
    rows = {seats.mode: seats for seats in EventSeats.objects.filter(event_id=event.pk)}
    return [
        SeatSummary(
            mode=mode,
            label=str(SeatMode(mode).label),
            capacity=rows[mode].capacity,
            taken=rows[mode].taken,
            waitlisted=rows[mode].waitlisted,
            waitlist_limit=rows[mode].waitlist_limit,
        )
        for mode in event.seat_modes
        if mode in rows
    ]


def registration_of(event: Event, person: Any) -> Registration | None:
    """`person`'s registration for `event` in any status, or None (anonymous: None)."""
    if person is None or not getattr(person, "is_authenticated", False):
        return None
    return Registration.objects.filter(event_id=event.pk, person_id=person.pk).first()


def waitlist_rank(registration: Registration) -> int:
    """Where the registration stands in its mode's waiting list (1 = next), 0 if not waiting."""
    if registration.status != RegistrationStatus.WAITLISTED or not registration.waitlist_position:
        return 0
    return Registration.objects.filter(
        event_id=registration.event_id,
        mode=registration.mode,
        status=RegistrationStatus.WAITLISTED,
        waitlist_position__lte=registration.waitlist_position,
    ).count()


def registrants(event: Event, *, statuses: tuple[str, ...] = ACTIVE_STATUSES) -> QuerySet:
    """The event's registrations in `statuses`, with their people, waiting list in order."""
    return (
        Registration.objects.filter(event_id=event.pk, status__in=statuses)
        .select_related("person")
        .order_by("status", "waitlist_position", "registered_at", "pk")
    )


def registrations_to_tell(event: Event) -> list[Registration]:
    """Everyone registered, offered a seat or waiting: those told of a change or cancellation."""
    registrations = list(registrants(event))
    for registration in registrations:
        registration.event = event
    return registrations


def waiting_list(event: Event, mode: str) -> QuerySet:
    """The waiting list of one mode, first in line first."""
    return (
        Registration.objects.filter(
            event_id=event.pk, mode=mode, status=RegistrationStatus.WAITLISTED
        )
        .select_related("person")
        .order_by("waitlist_position", "pk")
    )


def my_registrations(person: Any, *, upcoming_only: bool = True) -> QuerySet:
    """`person`'s active registrations with their events, soonest first."""
    queryset = Registration.objects.filter(person_id=person.pk, status__in=ACTIVE_STATUSES)
    if upcoming_only:
        queryset = queryset.filter(event__ends_at__gte=timezone.now())
    return queryset.select_related("event", "event__community").order_by("event__starts_at")


def visible_events_filter(user: Any) -> Q:
    """Events `user` sees in lists: every published or cancelled one, and the drafts of the
    events they organize (as `permissions.can_view_event`, but as one filter)."""
    if user.is_staff:
        return Q()
    roles = current_roles_of(user)
    moderated = [pk for pk, role in roles.items() if role in MODERATING_ROLES]
    managed = [pk for pk, role in roles.items() if role in MANAGING_ROLES]
    hosted = EventHost.objects.filter(person_id=user.pk).values("event_id")
    co_hosted = Event.co_hosts.through.objects.filter(community_id__in=managed).values("event_id")
    return (
        ~Q(status=EventStatus.DRAFT)
        | Q(community_id__in=moderated)
        | Q(pk__in=hosted)
        | Q(pk__in=co_hosted)
    )


def find_events(
    *,
    viewer: Any,
    community: Community | None = None,
    topic: Topic | None = None,
    event_format: str = "",
    mode: str = "",
    status: str = "",
    text: str = "",
    registered_only: bool = False,
    include_drafts: bool = True,
    when: str = "",
    now: datetime | None = None,
) -> QuerySet[Event]:
    """The events list for `viewer`, filtered; the one query behind the page and the API.

    `community` matches hosting or co-hosting; `topic` includes its sub-topics; `when` is
    "upcoming" (not ended, soonest first), "past" (ended, latest first) or "" (all, by start).
    Drafts appear only to their organizers, and only with `include_drafts`.
    """
    now = now or timezone.now()
    events = Event.objects.filter(visible_events_filter(viewer))
    if not include_drafts:
        events = events.exclude(status=EventStatus.DRAFT)
    if community is not None:
        co_hosted = Event.co_hosts.through.objects.filter(community=community).values("event_id")
        events = events.filter(Q(community=community) | Q(pk__in=co_hosted))
    if topic is not None:
        tagged = Event.topics.through.objects.filter(
            subtree_filter(topic.path, "topic__path")
        ).values("event_id")
        events = events.filter(pk__in=tagged)
    if event_format:
        events = events.filter(format=event_format)
    if mode:
        events = events.filter(mode=mode)
    if status:
        events = events.filter(status=status)
    if text.strip():
        events = events.filter(title__icontains=text.strip())
    if registered_only:
        mine = Registration.objects.filter(person_id=viewer.pk, status__in=ACTIVE_STATUSES)
        events = events.filter(pk__in=mine.values("event_id"))
    if when == "upcoming":
        return events.filter(ends_at__gte=now).order_by("starts_at", "pk")
    if when == "past":
        return events.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
    return events.order_by("starts_at", "pk")
