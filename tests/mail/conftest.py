"""A real SMTP server (aiosmtpd) for outbox tests, with switches for refusals and outages."""

import asyncio
import socket
import threading
from collections import Counter
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from practica.mail.models import MessageStatus, OutboundMessage
from practica.mail.services import new_message_id

SHUTTING_DOWN = "421 4.3.2 Service shutting down"


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage


class RecordingHandler:
    """Records every accepted message; can refuse recipients or go down after N messages."""

    def __init__(self) -> None:
        self.received: list[ReceivedMail] = []
        self.lock = threading.Lock()
        self.rcpt_reply: str | None = None
        self.go_down_after: int | None = None
        self.down = False
        self.controller: Controller | None = None

    async def handle_MAIL(self, server, session, envelope, address, mail_options) -> str:
        if self.down:
            return SHUTTING_DOWN
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if self.down:
            return SHUTTING_DOWN
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.down:
            return SHUTTING_DOWN
        parsed = message_from_bytes(envelope.original_content, policy=default_policy)
        with self.lock:
            self.received.append(
                ReceivedMail(envelope.mail_from, tuple(envelope.rcpt_tos), parsed)  # type: ignore[arg-type]
            )
            count = len(self.received)
        if self.go_down_after is not None and count >= self.go_down_after:
            # An outage right after this message is accepted: stop listening, drop the session.
            self.down = True
            asyncio.get_running_loop().call_soon(self._drop_everything, server)
        return "250 2.0.0 Message accepted for delivery"

    def _drop_everything(self, server: Any) -> None:
        if self.controller is not None and self.controller.server is not None:
            self.controller.server.close()
        if server.transport is not None:
            server.transport.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1 that tests can stop, restart and make refuse mail."""

    def __init__(self) -> None:
        self.port = free_port()
        self.handler = RecordingHandler()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.handler.down = False
        self.handler.go_down_after = None
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.handler.controller = self.controller
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def go_down_after(self, count: int) -> None:
        """Accept `count` more messages, then stop listening and drop the connection."""
        self.handler.go_down_after = len(self.received) + count

    def refuse_recipients_with(self, reply: str | None) -> None:
        """Answer every RCPT with `reply` (e.g. "451 4.7.1 Try later"); None accepts again."""
        self.handler.rcpt_reply = reply

    @property
    def received(self) -> list[ReceivedMail]:
        with self.handler.lock:
            return list(self.handler.received)

    def message_id_counts(self) -> Counter[str]:
        return Counter(str(mail.message["Message-ID"]) for mail in self.received)


@pytest.fixture(autouse=True)
def _mail_goes_to_the_outbox(settings):
    """Django's test set-up swaps EMAIL_BACKEND for locmem; these tests need the real one."""
    settings.EMAIL_BACKEND = "practica.mail.backends.OutboxEmailBackend"


@pytest.fixture
def smtp_server(settings):
    """A running SMTP server that DELIVERY_EMAIL_BACKEND (Django's SMTP backend) points at."""
    server = SmtpServer()
    server.start()
    settings.DELIVERY_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


def make_queued_messages(count: int, *, prefix: str = "bulk") -> list[OutboundMessage]:
    """Insert queued outbox rows directly, as a committed backlog no task was scheduled for."""
    now = timezone.now()
    rows = [
        OutboundMessage(
            idempotency_key=f"{prefix}-{number}",
            from_email="Practica <practica@example.com>",
            to_email=f"person{number}@example.com",
            subject=f"Message {number}",
            body_text=f"Body {number}",
            message_id=new_message_id(),
            status=MessageStatus.QUEUED,
            next_attempt_at=now,
            created_at=now,
        )
        for number in range(count)
    ]
    OutboundMessage.objects.bulk_create(rows)
    return list(OutboundMessage.objects.filter(idempotency_key__startswith=f"{prefix}-"))
