"""Concurrent program writers on PostgreSQL with real threads: the edition row lock keeps a
room single-booked and the activity rows of a publication single."""

import threading

import pytest

from practica.conference.models import ProgramSlot
from practica.conference.services.program import ProgramConflict, publish_program
from practica.core.models import Activity, ActivityKind
from tests.concurrency import postgres_only, run_concurrently
from tests.conference.program_helpers import accepted, place

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]

WRITERS = 8


def test_concurrent_placements_into_one_room_book_it_once(edition, chair):
    proposals = [accepted(edition) for _ in range(WRITERS)]
    refused: list[str] = []
    lock = threading.Lock()

    def attempt(proposal, clock):
        try:
            place(edition, chair, proposal, clock=clock)
        except ProgramConflict as conflict:
            with lock:
                refused.append(conflict.code)

    # Every attempt overlaps every other: 10:00, 10:01, … in the main hall, 30 minutes each.
    targets = [
        (lambda proposal=proposal, clock=f"10:0{index}": attempt(proposal, clock))
        for index, proposal in enumerate(proposals)
    ]
    errors = run_concurrently(targets)

    assert errors == []
    assert ProgramSlot.objects.filter(edition=edition).count() == 1
    assert refused == ["room_taken"] * (WRITERS - 1)


def test_concurrent_publications_record_each_speaker_once(edition, chair):
    for clock in ("10:00", "11:00", "12:00"):
        place(edition, chair, accepted(edition), clock=clock)

    errors = run_concurrently(
        [lambda: publish_program(edition=edition, actor=chair) for _ in range(WRITERS)]
    )

    assert errors == []
    assert Activity.objects.filter(kind=ActivityKind.PRESENTED).count() == 3
