"""At the door and after, with real concurrent writers on PostgreSQL: self check-ins never take
more seats than there are, a double-clicked check-in counts once, simultaneous votes and survey
answers count once each, and the survey mail goes out once."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from practica.core.models import Activity, ActivityKind
from practica.events.models import (
    AmaQuestion,
    AmaVote,
    EventFormat,
    EventMode,
    EventSeats,
    Feedback,
    Registration,
    RegistrationStatus,
    SeatMode,
)
from practica.events.services import ama, attendance
from practica.events.services.feedback import request_feedback, submit_feedback
from practica.mail.models import OutboundMessage
from tests.concurrency import postgres_only, run_concurrently
from tests.factories.events import EventFactory, RegistrationFactory
from tests.factories.people import UserFactory

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def live_event(**fields):
    now = timezone.now()
    return EventFactory(
        starts_at=now - timedelta(minutes=10), ends_at=now + timedelta(minutes=50), **fields
    )


def test_concurrent_self_check_ins_never_overbook():
    event = live_event(mode=EventMode.IN_PERSON, seats=5)
    people = [UserFactory() for _ in range(30)]
    refused: list[Exception] = []
    lock = threading.Lock()

    def check_in(person):
        def run():
            try:
                attendance.self_check_in(event=event, person=person, code=event.check_in_code)
            except ValidationError as error:
                with lock:
                    refused.append(error)

        return run

    errors = run_concurrently([check_in(person) for person in people])
    assert errors == []
    seats = EventSeats.objects.get(event=event, mode=SeatMode.IN_PERSON)
    assert (seats.taken, seats.capacity) == (5, 5)
    assert Registration.objects.filter(event=event, checked_in_at__isnull=False).count() == 5
    assert len(refused) == 25


def test_a_double_clicked_check_in_counts_once():
    event = live_event(mode=EventMode.IN_PERSON)
    organizer = UserFactory(is_staff=True)
    registration = RegistrationFactory(event=event, mode=SeatMode.IN_PERSON)
    EventSeats.objects.filter(event=event).update(taken=1)
    errors = run_concurrently(
        [lambda: attendance.check_in(registration=registration, actor=organizer) for _ in range(10)]
    )
    assert errors == []
    assert Activity.objects.filter(kind=ActivityKind.ATTENDED).count() == 1
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REGISTERED
    assert EventSeats.objects.get(event=event).taken == 1


def test_simultaneous_votes_count_once_each():
    event = live_event(format=EventFormat.AMA)
    question = ama.ask_question(event=event, author=UserFactory(), text="A popular question?")
    voters = [UserFactory() for _ in range(15)]
    # Each voter clicks twice at the same moment.
    targets = [
        (lambda voter=voter: ama.vote_question(question=question, person=voter))
        for voter in voters
        for _ in range(2)
    ]
    assert run_concurrently(targets) == []
    question = AmaQuestion.objects.get(pk=question.pk)
    assert question.vote_count == AmaVote.objects.filter(question=question).count() == 15


def test_simultaneous_survey_answers_make_one_row():
    now = timezone.now()
    event = EventFactory(starts_at=now - timedelta(hours=2), ends_at=now - timedelta(hours=1))
    person = RegistrationFactory(event=event, checked_in_at=now - timedelta(hours=2)).person
    targets = [
        (lambda score=score: submit_feedback(event=event, person=person, satisfaction=score))
        for score in (1, 2, 3, 4, 5, 5, 4, 3)
    ]
    assert run_concurrently(targets) == []
    assert Feedback.objects.filter(event=event, person=person).count() == 1
    assert Activity.objects.filter(kind=ActivityKind.GAVE_FEEDBACK).count() == 1


def test_the_survey_mail_goes_once_under_concurrent_beats(settings):
    settings.EMAIL_BACKEND = "practica.mail.backends.OutboxEmailBackend"
    now = timezone.now()
    event = EventFactory(starts_at=now - timedelta(hours=2), ends_at=now - timedelta(hours=1))
    for _ in range(3):
        RegistrationFactory(event=event, checked_in_at=now - timedelta(hours=2))
    sent: list[int] = []
    lock = threading.Lock()

    def beat():
        count = request_feedback(event=event)
        with lock:
            sent.append(count)

    assert run_concurrently([beat for _ in range(5)]) == []
    assert sorted(sent) == [0, 0, 0, 0, 3]
    assert OutboundMessage.objects.count() == 3
