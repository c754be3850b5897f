# Fixtures come from reviewing_setup; pytest injects them by name.
# ruff: noqa: F401, F811
"""Simultaneous writers (PostgreSQL): a double-clicked submission, two beat workers sending
reminders, two chairs sending the decisions — each happens once."""

from datetime import timedelta

import pytest

from practica.conference.models import Review
from practica.conference.services.decisions import decide, send_decision_mails
from practica.conference.services.reviews import send_review_reminders
from practica.core.models import Activity, ActivityKind
from practica.mail.models import OutboundMessage
from tests.concurrency import postgres_only, run_concurrently
from tests.conference.reviewing_setup import (
    outbox_backend,
    proposal,
    reviewer,
    reviewing,
    speaker,
    submitted,
)

pytestmark = [
    postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures(outbox_backend.__name__),
]


def test_a_double_submission_makes_one_review_and_one_activity(proposal, reviewer):
    errors = run_concurrently([lambda: submitted(proposal, reviewer)] * 4)

    assert errors == []
    assert Review.objects.count() == 1
    assert Activity.objects.filter(kind=ActivityKind.REVIEWED).count() == 1


def test_two_beat_workers_send_each_reminder_once(proposal, reviewer):
    now = proposal.edition.review_closes_at - timedelta(days=2)

    errors = run_concurrently([lambda: send_review_reminders(now=now)] * 4)

    assert errors == []
    assert OutboundMessage.objects.count() == 1


def test_two_chairs_sending_at_once_mail_each_speaker_once(proposal, chair):
    decide(proposal=proposal, outcome="accepted", actor=chair)

    errors = run_concurrently(
        [lambda: send_decision_mails(edition=proposal.edition, actor=chair)] * 3
    )

    assert errors == []
    assert OutboundMessage.objects.count() == 1
