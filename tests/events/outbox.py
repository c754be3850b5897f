"""Reading the events' mails back from the outbox, invitation parsed."""

from dataclasses import dataclass

import icalendar
import pytest

from practica.mail.models import OutboundMessage


@dataclass
class SentMail:
    row: OutboundMessage

    @property
    def to(self) -> str:
        return self.row.to_email

    @property
    def subject(self) -> str:
        return self.row.subject

    @property
    def text(self) -> str:
        return self.row.body_text

    @property
    def html(self) -> str:
        return self.row.body_html

    @property
    def key(self) -> str:
        return self.row.idempotency_key

    @property
    def invitation(self) -> icalendar.Calendar:
        [attachment] = self.row.attachments
        assert attachment["filename"] == "invite.ics"
        calendar = icalendar.Calendar.from_ical(attachment["content"])
        method = str(calendar["METHOD"])
        assert attachment["mimetype"] == f"text/calendar; method={method}"
        return calendar

    @property
    def vevent(self) -> icalendar.Event:
        [vevent] = self.invitation.walk("VEVENT")
        return vevent


def sent_mails(**filters) -> list[SentMail]:
    return [SentMail(row) for row in OutboundMessage.objects.filter(**filters).order_by("pk")]


@pytest.fixture
def outbox_backend(settings):
    """Django's test set-up swaps EMAIL_BACKEND for locmem; these tests read the outbox."""
    settings.EMAIL_BACKEND = "practica.mail.backends.OutboxEmailBackend"


def register_and_mail(**kwargs):
    """`register_for_event` with its on-commit work run, as after a real commit: the worker's
    confirmation or waiting-list mail is then in the outbox (Celery runs eagerly in tests)."""
    from django.test import TestCase

    from practica.events.services.registration import register_for_event

    with TestCase.captureOnCommitCallbacks(execute=True):
        return register_for_event(**kwargs)
