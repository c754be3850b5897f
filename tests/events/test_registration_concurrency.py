"""Hundreds of concurrent registrations for a few seats, on PostgreSQL with real threads."""

import threading

import pytest
from django.db import connection

from practica.events.models import EventSeats, Registration, RegistrationStatus
from practica.events.services.registration import (
    RegistrationRefused,
    cancel_registration,
    register_for_event,
)
from tests.concurrency import postgres_only, run_concurrently
from tests.factories.events import EventFactory
from tests.factories.people import UserFactory

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]

ATTEMPTS = 400
# PostgreSQL allows ~100 connections (shared with other test runs): 40 workers, one each.
WORKERS = 40
SEATS = 7
WAITLIST = 40


def _register(event, person, outcomes, lock):
    try:
        registration = register_for_event(event=event, person=person)
        outcome = registration.status
    except RegistrationRefused as refused:
        outcome = refused.code
    with lock:
        outcomes.append(outcome)


def run_in_workers(targets, workers=WORKERS):
    """Run every callable, `workers` at a time, each worker on its own connection."""
    queue = list(targets)
    lock = threading.Lock()

    def drain():
        while True:
            with lock:
                if not queue:
                    return
                target = queue.pop()
            target()

    return run_concurrently([drain for _ in range(workers)])


def test_hundreds_of_concurrent_attempts_never_overbook_or_duplicate():
    event = EventFactory(seats=SEATS)
    EventSeats.objects.filter(event=event).update(waitlist_limit=WAITLIST)
    people = [UserFactory() for _ in range(ATTEMPTS // 2)]
    outcomes: list[str] = []
    lock = threading.Lock()
    # Every person tries twice in a row, taken by two workers at once: a double click.
    targets = [
        (lambda person=person: _register(event, person, outcomes, lock))
        for person in people
        for _attempt in range(2)
    ]

    errors = run_in_workers(targets)

    assert errors == []
    assert len(outcomes) == ATTEMPTS
    assert outcomes.count("registered") == 2 * SEATS
    assert outcomes.count("waitlisted") == 2 * WAITLIST
    assert outcomes.count("full") == ATTEMPTS - 2 * (SEATS + WAITLIST)
    rows = Registration.objects.filter(event=event)
    assert rows.count() == SEATS + WAITLIST
    assert rows.values("person").distinct().count() == rows.count()
    registered = rows.filter(status=RegistrationStatus.REGISTERED).count()
    waiting = rows.filter(status=RegistrationStatus.WAITLISTED).count()
    assert registered == SEATS
    assert waiting == WAITLIST
    seats = EventSeats.objects.get(event=event)
    assert (seats.taken, seats.waitlisted) == (SEATS, WAITLIST)
    positions = list(
        rows.filter(status=RegistrationStatus.WAITLISTED).values_list(
            "waitlist_position", flat=True
        )
    )
    assert len(set(positions)) == WAITLIST
    assert connection.vendor == "postgresql"


def test_concurrent_cancellations_offer_each_freed_seat_exactly_once():
    event = EventFactory(seats=10)
    holders = [UserFactory() for _ in range(10)]
    seats = [register_for_event(event=event, person=person) for person in holders]
    waiting = [register_for_event(event=event, person=UserFactory()) for _ in range(20)]
    assert {registration.status for registration in waiting} == {"waitlisted"}

    errors = run_concurrently(
        [
            (lambda seat=seat, person=person: cancel_registration(registration=seat, actor=person))
            for seat, person in zip(seats, holders, strict=True)
        ]
    )

    assert errors == []
    rows = Registration.objects.filter(event=event)
    assert rows.filter(status=RegistrationStatus.OFFERED).count() == 10
    offered = set(rows.filter(status=RegistrationStatus.OFFERED).values_list("pk", flat=True))
    assert offered == {registration.pk for registration in waiting[:10]}
    counters = EventSeats.objects.get(event=event)
    assert (counters.taken, counters.waitlisted) == (10, 10)
