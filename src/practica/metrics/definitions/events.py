"""Event figures: events held, attendance rate and satisfaction (CSAT), over the trailing year.

A community's events are the published (not draft, not cancelled) events it hosts or co-hosts:
sister communities that serve members together both count the event.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from practica.events.models import SEAT_HOLDING, Event, EventStatus, Feedback, Registration
from practica.metrics.definitions.figures import count_value, share_value
from practica.metrics.definitions.population import counted
from practica.metrics.definitions.windows import trailing_start

EVENT_DAYS = 365
SATISFIED_FROM = 4  # CSAT: scores 4 and 5 of 5


def community_events(community_id: int) -> QuerySet[Event]:
    """The published events the community hosts or co-hosts."""
    co_hosted = Event.co_hosts.through.objects.filter(community_id=community_id).values("event_id")
    return Event.objects.filter(
        Q(community_id=community_id) | Q(pk__in=co_hosted), status=EventStatus.PUBLISHED
    )


def _events_started(community_id: int, as_of: datetime) -> QuerySet[Event]:
    return community_events(community_id).filter(
        starts_at__gt=trailing_start(as_of, days=EVENT_DAYS), starts_at__lte=as_of
    )


def events_held_year(community_id: int, as_of: datetime) -> Decimal:
    """The community's published events that started in `(as_of - 365 days, as_of]`."""
    return count_value(_events_started(community_id, as_of).count())


@dataclass(frozen=True)
class Attendance:
    registered: int
    checked_in: int

    @property
    def rate(self) -> Decimal | None:
        return share_value(self.checked_in, self.registered)


def attendance_figures(community_id: int, as_of: datetime) -> Attendance:
    """Over the events that started in the trailing 365 days, had ended by `as_of` and took
    attendance (at least one check-in: an event where nobody was checked in most likely did
    not take it, and would read as nobody coming): the registrations holding a seat (registered
    or offered; walk-ins get one at the door), and of those the ones checked in."""
    took_attendance = Exists(
        Registration.objects.filter(event_id=OuterRef("pk"), checked_in_at__isnull=False)
    )
    events = _events_started(community_id, as_of).filter(took_attendance, ends_at__lte=as_of)
    counts = Registration.objects.filter(
        counted("person"), event__in=events, status__in=SEAT_HOLDING
    ).aggregate(
        registered=Count("pk"),
        checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)),
    )
    return Attendance(registered=counts["registered"], checked_in=counts["checked_in"])


def attendance_rate(community_id: int, as_of: datetime) -> Decimal | None:
    """Checked in ÷ registered over the trailing year's events that took attendance; None
    when there were none."""
    return attendance_figures(community_id, as_of).rate


@dataclass(frozen=True)
class Satisfaction:
    responses: int
    satisfied: int

    @property
    def csat(self) -> Decimal | None:
        return share_value(self.satisfied, self.responses)


def satisfaction_figures(community_id: int, as_of: datetime) -> Satisfaction:
    """The feedback given by `as_of` on the events that started in the trailing 365 days, and
    how much of it scored 4 or 5 of 5."""
    counts = Feedback.objects.filter(
        counted("person"),
        event__in=_events_started(community_id, as_of),
        submitted_at__lte=as_of,
    ).aggregate(
        responses=Count("pk"),
        satisfied=Count("pk", filter=Q(satisfaction__gte=SATISFIED_FROM)),
    )
    return Satisfaction(responses=counts["responses"], satisfied=counts["satisfied"])


def csat(community_id: int, as_of: datetime) -> Decimal | None:
    """Share of the trailing year's event feedback scoring 4 or 5 of 5; None without any."""
    return satisfaction_figures(community_id, as_of).csat
