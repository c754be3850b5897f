"""Events held, attendance rate and CSAT against hand-built events of the trailing year."""

from datetime import timedelta
from decimal import Decimal

import pytest

from practica.events.models import CheckInMethod, EventStatus, RegistrationStatus
from practica.metrics.definitions.events import (
    attendance_figures,
    attendance_rate,
    csat,
    events_held_year,
    satisfaction_figures,
)
from tests.factories.events import EventFactory, RegistrationFactory
from tests.factories.metrics import FeedbackFactory
from tests.factories.people import UserFactory
from tests.metrics.conftest import AS_OF, before

pytestmark = pytest.mark.django_db


def event(host, *, started, co_hosts=(), **fields):
    held = EventFactory(community=host, starts_at=started, **fields)
    held.co_hosts.set(co_hosts)
    return held


def register(held, *, checked_in=False, **fields):
    if checked_in:
        fields.setdefault("checked_in_at", held.starts_at + timedelta(minutes=5))
        fields.setdefault("check_in_method", CheckInMethod.ORGANIZER)
    return RegistrationFactory(event=held, **fields)


@pytest.fixture
def events(community, other_community):
    """The community's events and their registrations (see each line)."""
    recent = event(community, started=before(days=10))
    for _ in range(3):
        register(recent, checked_in=True)
    register(recent)  # a no-show
    register(recent, checked_in=True, check_in_method=CheckInMethod.WALK_IN)
    register(recent, status=RegistrationStatus.CANCELLED)
    register(recent, status=RegistrationStatus.WAITLISTED)
    register(recent, checked_in=True, person=UserFactory(is_system=True))
    co_hosted = event(other_community, started=before(days=100), co_hosts=[community])
    register(co_hosted, checked_in=True)
    register(co_hosted)
    no_attendance_taken = event(community, started=before(days=50))
    for _ in range(3):
        register(no_attendance_taken)
    in_progress = event(
        community, started=before(minutes=30), ends_at=before(minutes=-30)
    )  # held, but its attendance is not final
    register(in_progress, checked_in=True)
    register(in_progress)
    cancelled = event(community, started=before(days=20), status=EventStatus.CANCELLED)
    register(cancelled, checked_in=True)
    event(community, started=before(days=20), status=EventStatus.DRAFT)
    old = event(community, started=before(days=365))  # the window's start is exclusive
    register(old, checked_in=True)
    upcoming = event(community, started=before(days=-5))
    register(upcoming)
    elsewhere = event(other_community, started=before(days=10))
    register(elsewhere, checked_in=True)
    return {
        "recent": recent,
        "co_hosted": co_hosted,
        "no_attendance_taken": no_attendance_taken,
        "old": old,
        "elsewhere": elsewhere,
    }


def test_events_held_count_hosted_and_co_hosted(community, other_community, events):
    # recent, co-hosted, no attendance taken, in progress.
    assert events_held_year(community.pk, AS_OF) == Decimal(4)
    # The other community: its co-hosted event and its own.
    assert events_held_year(other_community.pk, AS_OF) == Decimal(2)


def test_attendance_rate_over_ended_events_that_took_attendance(community, events):
    figures = attendance_figures(community.pk, AS_OF)
    # recent: 5 holding a seat (3 checked in, a no-show, a walk-in), co-hosted: 2 (1 in).
    assert (figures.registered, figures.checked_in) == (7, 5)
    assert attendance_rate(community.pk, AS_OF) == Decimal("0.7143")


def test_csat(community, events):
    recent = events["recent"]
    for score in (5, 4, 3):
        FeedbackFactory(event=recent, satisfaction=score, submitted_at=before(days=9))
    FeedbackFactory(event=events["co_hosted"], satisfaction=2, submitted_at=before(days=99))
    FeedbackFactory(
        event=events["no_attendance_taken"], satisfaction=5, submitted_at=before(days=49)
    )
    FeedbackFactory(event=events["no_attendance_taken"], satisfaction=5, submitted_at=AS_OF)
    # Left out: too late for AS_OF, too old an event, another community's, a bot's.
    FeedbackFactory(event=recent, satisfaction=1, submitted_at=before(days=-1))
    FeedbackFactory(event=events["old"], satisfaction=1, submitted_at=before(days=360))
    FeedbackFactory(event=events["elsewhere"], satisfaction=1, submitted_at=before(days=9))
    FeedbackFactory(
        event=recent,
        satisfaction=1,
        submitted_at=before(days=9),
        person=UserFactory(is_system=True),
    )
    figures = satisfaction_figures(community.pk, AS_OF)
    assert (figures.responses, figures.satisfied) == (6, 4)
    assert csat(community.pk, AS_OF) == Decimal("0.6667")


def test_no_events_is_zero_held_and_no_rates(community, other_community):
    held = event(other_community, started=before(days=10))
    register(held, checked_in=True)
    FeedbackFactory(event=held, submitted_at=before(days=9))
    assert events_held_year(community.pk, AS_OF) == Decimal(0)
    assert attendance_rate(community.pk, AS_OF) is None
    assert csat(community.pk, AS_OF) is None


def test_only_events_without_check_ins_give_no_attendance_rate(community):
    held = event(community, started=before(days=10))
    register(held)
    assert attendance_rate(community.pk, AS_OF) is None
