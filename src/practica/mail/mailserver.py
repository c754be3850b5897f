"""`practica mailserver`: the SMTP/LMTP listener an MTA hands list mail to (aiosmtpd).

- RCPT: only addresses on `MAIL_LIST_DOMAIN` that `mail.addresses.read_recipient` understands
  are accepted — the list of a community that exists, a valid reply key of an existing member,
  a valid VERP bounce key — everything else gets 550 5.1.1 at once, before any data is sent.
- DATA: aiosmtpd enforces `MAIL_MAX_MESSAGE_BYTES` (552, and SIZE is advertised in EHLO/LHLO);
  then `inbound.receive_message` runs once per recipient. LMTP answers one line per recipient
  (RFC 2033), in RCPT order; SMTP can only answer once, so it gives the worst outcome, a
  temporary failure first (the MTA retries the whole message and duplicates are recognised).
- Database work runs in worker threads (`asyncio.to_thread`), never on the event loop, and each
  call closes that thread's database connections afterwards (Django's are per thread).
- `stop()` closes the listening socket first, lets messages being handled finish (up to a
  timeout), then stops the loop; the command calls it on SIGTERM and SIGINT.
- One log line per message: peer, envelope, size and the reply per recipient.
"""

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings
from django.db import connections

from practica.communities.models import Community
from practica.mail import addresses
from practica.mail.models import InboundVia
from practica.mail.services.inbound import InboundOutcome, clean_address, receive_for_recipients
from practica.people.models import User

logger = logging.getLogger(__name__)

MAX_RECIPIENTS = 100
# Real mail breaks RFC 5321's 1,000-octet line limit often enough; hostile lines stop here.
LINE_LENGTH_LIMIT = 64 * 1024
SHUTDOWN_GRACE_SECONDS = 30.0
_T = TypeVar("_T")


class _SMTPServer(SMTP):
    line_length_limit = LINE_LENGTH_LIMIT


class _LMTPServer(LMTP):
    line_length_limit = LINE_LENGTH_LIMIT


def _with_database(function: Callable[..., _T], *args: Any) -> _T:
    """Run database work in this worker thread, then close the thread's connections."""
    try:
        return function(*args)
    finally:
        connections.close_all()


def recipient_refusal(address: str) -> str | None:
    """The SMTP reply refusing `address` at RCPT time, or None to accept it."""
    target = addresses.read_recipient(address)
    if isinstance(target, addresses.UnknownRecipient):
        return f"550 5.1.1 <{clean_address(address)}>: no such recipient ({target.reason})"
    if (
        isinstance(target, addresses.ListRecipient)
        and not Community.objects.filter(slug=target.community_slug).exists()
    ):
        return f"550 5.1.1 <{clean_address(address)}>: no such list"
    if (
        isinstance(target, addresses.ReplyRecipient)
        and not User.objects.filter(pk=target.person_id).exists()
    ):
        return f"550 5.1.1 <{clean_address(address)}>: no such reply address"
    return None


def worst_outcome(outcomes: Sequence[InboundOutcome]) -> InboundOutcome:
    """The one reply SMTP can give for several recipients: temporary failure, else refusal,
    else acceptance."""

    def severity(outcome: InboundOutcome) -> int:
        if outcome.is_temporary:
            return 2
        return 0 if outcome.is_accepted else 1

    return max(outcomes, key=severity)


class InboundMailHandler:
    """aiosmtpd handler: checks recipients, hands each message to `receive_message`."""

    def __init__(self, *, via: str) -> None:
        self.via = via
        self._in_flight = 0
        self._lock = threading.Lock()

    @property
    def in_flight(self) -> int:
        with self._lock:
            return self._in_flight

    async def handle_RCPT(  # noqa: N802 — aiosmtpd's hook name
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        try:
            refusal = await asyncio.to_thread(_with_database, recipient_refusal, address)
        except Exception:
            logger.exception("Could not check recipient %s", address)
            return "451 4.3.0 Temporary failure; try again later"
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(  # noqa: N802 — aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or b""
        recipients = list(envelope.rcpt_tos)
        with self._lock:
            self._in_flight += 1
        started = time.monotonic()
        try:
            outcomes = await asyncio.to_thread(
                _with_database,
                lambda: receive_for_recipients(
                    raw=bytes(raw),
                    envelope_from=str(envelope.mail_from or ""),
                    recipients=recipients,
                    via=self.via,
                ),
            )
        finally:
            with self._lock:
                self._in_flight -= 1
        logger.info(
            "%s from=<%s> peer=%s size=%d %.0fms %s",
            self.via,
            clean_address(str(envelope.mail_from or "")),
            session.peer[0] if session.peer else "?",
            len(raw),
            (time.monotonic() - started) * 1000,
            " ".join(
                f"to=<{clean_address(recipient)}>:{outcome.smtp_code}:{outcome.status}"
                for recipient, outcome in zip(recipients, outcomes, strict=True)
            ),
        )
        if self.via == InboundVia.LMTP:
            return "\r\n".join(outcome.smtp_reply for outcome in outcomes)
        return worst_outcome(outcomes).smtp_reply


class _Controller(Controller):
    def __init__(self, handler: InboundMailHandler, *, lmtp: bool, **kwargs: Any) -> None:
        self.lmtp = lmtp
        super().__init__(handler, **kwargs)

    def factory(self) -> SMTP:
        server_class = _LMTPServer if self.lmtp else _SMTPServer
        return server_class(self.handler, **self.SMTP_kwargs)


class MailServer:
    """The listener on host:port in a background thread: `start()`, `stop()`, or `with`."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 8025, lmtp: bool = False) -> None:
        self.host, self.port, self.lmtp = host, port, lmtp
        self.handler = InboundMailHandler(via=InboundVia.LMTP if lmtp else InboundVia.SMTP)
        self._controller = _Controller(
            self.handler,
            lmtp=lmtp,
            hostname=host,
            port=port,
            server_hostname=addresses.list_domain(),
            ident="Practica mailserver",
            data_size_limit=int(settings.MAIL_MAX_MESSAGE_BYTES),
            enable_SMTPUTF8=True,
            decode_data=False,
        )
        self.running = False

    def start(self) -> None:
        self._controller.start()
        self.running = True

    def stop(self, *, grace_seconds: float = SHUTDOWN_GRACE_SECONDS) -> None:
        """Stop listening, let messages being handled finish, then stop."""
        if not self.running:
            return
        self.running = False
        listener = self._controller.server
        if listener is not None:
            self._controller.loop.call_soon_threadsafe(listener.close)
        deadline = time.monotonic() + grace_seconds
        while self.handler.in_flight and time.monotonic() < deadline:
            time.sleep(0.05)
        self._controller.stop()

    def __enter__(self) -> "MailServer":
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
