"""The demo's events: the yearly cadence, every format, consistent seats and registrations,
attendance, feedback, AMA boards, the 2014 conferences' rush and the ledger that matches."""

import io
import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from practica.core.models import Activity, ActivityKind
from practica.demo.events import conference_seats
from practica.demo.logins import MANAGER_EMAIL, MEMBER_EMAIL
from practica.events.models import (
    SEAT_HOLDING,
    AmaQuestion,
    AmaVote,
    CadenceTarget,
    Event,
    EventCost,
    EventFormat,
    EventHost,
    EventMaterial,
    EventSeats,
    EventSeries,
    EventStatus,
    Feedback,
    QuestionStatus,
    Registration,
    RegistrationStatus,
)
from practica.events.services.registration import register_for_event
from practica.people.models import User

N = 300
TODAY = "2026-01-15"
NOW = datetime(2026, 1, 15, tzinfo=UTC)
ML = "machine-learning"


def load_demo(*, today: str = TODAY, seed: int = 7) -> None:
    call_command(
        "demo", "--members", str(N), "--seed", str(seed), "--today", today, stdout=io.StringIO()
    )


@pytest.fixture(autouse=True)
def _fresh_content_types():
    """`demo --reset` in another test flushed and rolled back inside its transaction, which
    leaves ContentType's cache holding ids that no longer exist."""
    ContentType.objects.clear_cache()


@pytest.fixture
def demo(db):
    load_demo()


def _ledger(kind: str) -> Counter:
    return Counter(
        Activity.objects.filter(kind=kind, subject_type__model="event").values_list(
            "subject_id", "person_id"
        )
    )


def test_fifty_to_sixty_events_a_year_in_every_format(demo):
    ml = Event.objects.filter(community__slug=ML)
    per_year = Counter(ml.values_list("starts_at__year", flat=True))
    assert min(per_year) == 2014
    for year in range(2014, 2026):
        assert 50 <= per_year[year] <= 60, (year, per_year[year])
    formats = set(Event.objects.values_list("format", flat=True))
    assert formats == set(EventFormat.values)
    for slug in ("artificial-intelligence", "data-engineering", "responsible-ai"):
        count = Event.objects.filter(community__slug=slug, starts_at__year=2024).count()
        assert 2 <= count < per_year[2024], slug
    assert CadenceTarget.objects.get(community__slug=ML).events_per_year_min == 50
    weekly = EventSeries.objects.get(title="Deep learning study group")
    sessions = list(weekly.events.filter(starts_at__year=2019).values_list("starts_at", flat=True))
    assert len(sessions) == 8
    assert all(
        timedelta(days=6) < b - a < timedelta(days=8) for a, b in itertools.pairwise(sessions)
    )
    assert Event.objects.filter(co_hosts__slug=ML).exists()
    assert (
        Event.objects.filter(status=EventStatus.CANCELLED).exclude(cancellation_reason="").exists()
    )
    # Hosts and speakers: the manager hosts many; AMAs have an executive; panels a moderator.
    manager = User.objects.get(email=MANAGER_EMAIL)
    assert EventHost.objects.filter(person=manager, role="host").count() > 50
    ama_speakers = EventHost.objects.filter(event__format=EventFormat.AMA, role="speaker")
    assert ama_speakers.filter(person__career_level__gte=9).count() == ama_speakers.count() > 0
    assert EventHost.objects.filter(role="moderator").exists()
    assert EventHost.objects.filter(person__isnull=True).exclude(guest_name="").exists()
    assert not Event.objects.filter(ends_at__lte=F("starts_at")).exists()
    online = Event.objects.filter(mode="online")
    assert not online.filter(online_url="").exists()
    assert not Event.objects.filter(mode="in_person").exclude(online_url="").exists()
    assert Event.objects.values("uid").distinct().count() == Event.objects.count()


def test_seats_and_registrations_are_consistent(demo):
    for seats in EventSeats.objects.annotate(
        holding=Count(
            "event__registrations",
            filter=Q(event__registrations__mode=F("mode"))
            & Q(event__registrations__status__in=SEAT_HOLDING),
        ),
        waiting=Count(
            "event__registrations",
            filter=Q(event__registrations__mode=F("mode"))
            & Q(event__registrations__status=RegistrationStatus.WAITLISTED),
        ),
    ):
        assert seats.taken == seats.holding, seats
        assert seats.waitlisted == seats.waiting, seats
        assert seats.capacity is None or seats.taken <= seats.capacity
        assert seats.last_waitlist_position >= seats.waitlisted
    registrations = Registration.objects.all()
    statuses = Counter(registrations.values_list("status", flat=True))
    assert statuses[RegistrationStatus.REGISTERED] > 10 * statuses[RegistrationStatus.CANCELLED] > 0
    assert statuses[RegistrationStatus.WAITLISTED] > 0
    assert (
        not registrations.filter(registered_at__gte=F("event__starts_at"))
        .exclude(check_in_method="walk_in")
        .exists()
    )
    assert not registrations.filter(registered_at__gte=NOW).exists()
    assert not registrations.filter(status="waitlisted", waitlist_position__isnull=True).exists()
    # Check-ins only for held seats of events that took place; walk-ins too.
    checked = registrations.filter(checked_in_at__isnull=False)
    assert checked.count() > 0.4 * statuses[RegistrationStatus.REGISTERED]
    assert not checked.exclude(status=RegistrationStatus.REGISTERED).exists()
    assert not checked.filter(event__starts_at__gt=NOW).exists()
    assert not checked.exclude(event__status=EventStatus.PUBLISHED).exists()
    methods = set(checked.values_list("check_in_method", flat=True))
    assert {"organizer", "self", "import"} <= methods
    # Feedback from attendees only, after the event; AMA questions on AMAs, counted votes.
    feedback = Feedback.objects.all()
    assert feedback.count() > 0
    attended = set(checked.values_list("event_id", "person_id"))
    assert set(feedback.values_list("event_id", "person_id")) <= attended
    assert not feedback.filter(submitted_at__lt=F("event__ends_at")).exists()
    assert set(feedback.values_list("satisfaction", flat=True)) <= {1, 2, 3, 4, 5}
    questions = AmaQuestion.objects.all()
    assert questions.exists()
    assert not questions.exclude(event__format=EventFormat.AMA).exists()
    for question in questions.annotate(votes_=Count("votes")):
        assert question.vote_count == question.votes_
    assert questions.filter(status=QuestionStatus.ANSWERED).exists()
    assert not AmaVote.objects.filter(person=F("question__author")).exists()
    # Materials and costs of past events only.
    assert EventMaterial.objects.filter(kind="recording").exists()
    assert not EventMaterial.objects.filter(event__ends_at__gt=NOW).exists()
    assert not EventMaterial.objects.filter(added_at__lt=F("event__ends_at")).exists()
    assert EventCost.objects.filter(category="food", amount__gt=0).exists()


def test_the_2014_conferences_filled_in_hours(demo):
    # Every conference edition has its event; the first two, in 2014, are the famous rush.
    conferences = Event.objects.filter(
        format=EventFormat.CONFERENCE, starts_at__year=2014
    ).order_by("starts_at")
    assert [c.starts_at.year for c in conferences] == [2014, 2014]
    seats = conference_seats(N)
    for conference in conferences:
        row = conference.seats.get()
        assert row.capacity == seats
        assert row.taken == seats
        assert row.waitlisted > 0
        arrived = list(
            conference.registrations.order_by("registered_at").values_list(
                "registered_at", flat=True
            )
        )
        assert arrived[0] >= conference.registration_opens_at
        # The last seat went within a few hours of opening.
        assert arrived[seats - 1] - conference.registration_opens_at < timedelta(hours=5)
        assert conference.registrations.filter(checked_in_at__isnull=False).count() > 0.8 * seats
        assert conference.costs.filter(category="venue").exists()


def test_the_ledger_matches_the_rows(demo):
    # A REGISTERED row when a seat was taken: registrations holding one (not walk-ins, who
    # only attended) and those cancelled later; never for the waiting list.
    held = Registration.objects.filter(
        Q(status=RegistrationStatus.REGISTERED) | Q(status=RegistrationStatus.CANCELLED)
    ).exclude(check_in_method="walk_in")
    registered = _ledger(ActivityKind.REGISTERED)
    assert set(registered) == set(held.values_list("event_id", "person_id"))
    assert max(registered.values()) == 1
    attended = _ledger(ActivityKind.ATTENDED)
    assert set(attended) == set(
        Registration.objects.filter(checked_in_at__isnull=False).values_list(
            "event_id", "person_id"
        )
    )
    assert set(_ledger(ActivityKind.GAVE_FEEDBACK)) == set(
        Feedback.objects.values_list("event_id", "person_id")
    )
    assert sum(_ledger(ActivityKind.ASKED_AMA_QUESTION).values()) == AmaQuestion.objects.count()
    past = Event.objects.filter(status=EventStatus.PUBLISHED, starts_at__lte=NOW)
    speakers = set(
        EventHost.objects.filter(event__in=past, role="speaker", person__isnull=False).values_list(
            "event_id", "person_id"
        )
    )
    assert set(_ledger(ActivityKind.PRESENTED)) == speakers
    assert _ledger(ActivityKind.HOSTED)
    assert not Activity.objects.filter(kind=ActivityKind.ATTENDED, occurred_at__gt=NOW).exists()


def test_upcoming_events_are_open_and_a_visitor_can_register(db):
    today = timezone.now().date()
    load_demo(today=today.isoformat())
    now = timezone.now()
    upcoming = Event.objects.filter(status=EventStatus.PUBLISHED, starts_at__gt=now)
    full = upcoming.filter(
        title__startswith="Hands-on lab: fine-tuning", seats__waitlisted__gt=0
    ).get()
    assert full.seats.get().taken == full.seats.get().capacity
    assert upcoming.filter(registration_opens_at__gt=now).exists()  # the next rush
    member = User.objects.get(email=MEMBER_EMAIL)
    assert Registration.objects.filter(
        person=member, event__in=upcoming, status=RegistrationStatus.REGISTERED
    ).exists()
    assert Registration.objects.filter(person=member, checked_in_at__isnull=False).count() >= 2
    open_now = [
        event
        for event in upcoming.filter(community__slug=ML)
        .filter(Q(registration_opens_at__isnull=True) | Q(registration_opens_at__lte=now))
        .exclude(registrations__person=member)
        if any(s.capacity is None or s.taken < s.capacity for s in event.seats.all())
    ]
    assert len(open_now) >= 3
    event = open_now[0]
    registration = register_for_event(event=event, person=member)
    assert registration.was_created
    assert registration.status == RegistrationStatus.REGISTERED
