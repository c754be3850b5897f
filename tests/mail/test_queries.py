"""Outbox reads for the admin and a manager's outbox screen."""

from datetime import timedelta

import pytest
from django.utils import timezone

from practica.mail.models import MessageStatus, OutboundMessage
from practica.mail.queries import (
    due_message_count,
    oldest_unsent_queued_at,
    outbox_status_counts,
    outbox_summary,
    recent_messages,
)
from tests.mail.conftest import make_queued_messages

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def test_status_counts_include_every_status():
    rows = make_queued_messages(5)
    OutboundMessage.objects.filter(pk__in=[rows[0].pk, rows[1].pk]).update(
        status=MessageStatus.SENT
    )
    OutboundMessage.objects.filter(pk=rows[2].pk).update(status=MessageStatus.FAILED)

    assert outbox_status_counts() == {
        "queued": 2,
        "sending": 0,
        "sent": 2,
        "deferred": 0,
        "failed": 1,
    }


def test_due_count_and_oldest_unsent():
    rows = make_queued_messages(3)
    later = timezone.now() + timedelta(hours=1)
    OutboundMessage.objects.filter(pk=rows[0].pk).update(
        status=MessageStatus.DEFERRED, next_attempt_at=later
    )

    assert due_message_count() == 2
    assert due_message_count(now=later) == 3
    assert oldest_unsent_queued_at() == rows[0].created_at
    summary = outbox_summary()
    assert summary["due"] == 2
    assert summary["by_status"]["queued"] == 2


def test_recent_messages_newest_first_filtered_and_without_bodies():
    rows = make_queued_messages(4)
    OutboundMessage.objects.filter(pk=rows[0].pk).update(
        status=MessageStatus.FAILED, created_at=timezone.now() + timedelta(minutes=1)
    )

    recent = list(recent_messages(limit=3))
    assert len(recent) == 3
    assert recent[0].pk == rows[0].pk
    assert "body_text" in recent[0].get_deferred_fields()
    assert [m.pk for m in recent_messages(status=MessageStatus.FAILED)] == [rows[0].pk]
    assert [m.pk for m in recent_messages(to_email=rows[1].to_email.upper())] == [rows[1].pk]
