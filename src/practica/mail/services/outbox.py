"""The outbox: mail is written in its cause's transaction and delivered afterwards, once.

Guarantees, and how they are kept:

- **Nothing lost.** `enqueue_messages` inserts rows inside the caller's transaction, so a mail
  exists exactly when its cause committed. Delivery is scheduled with `transaction.on_commit`;
  if the broker or a worker is down, the rows wait in the database and the beat task
  (`deliver_due_messages`, every minute) picks them up. If the SMTP server is unreachable a
  message is deferred with backoff, however long the outage lasts; only the server's own
  verdict on a message (a 5xx reply, or 4xx replies until `OUTBOX_MAX_ATTEMPTS`) fails it.
- **Nothing sent twice.** The idempotency key is unique, and inserts ignore conflicts, so the
  same key never makes a second row. A row is sent only by the worker that *claimed* it: a
  conditional UPDATE moves it from queued/deferred (and due) to `sending`; on PostgreSQL the
  candidates are first locked with `SELECT … FOR UPDATE SKIP LOCKED`, so concurrent workers
  take disjoint rows without waiting; on SQLite the IMMEDIATE transaction serialises claims
  and the UPDATE's WHERE clause is the guard. The one window left: a worker that dies (or
  stalls past `OUTBOX_CLAIM_TIMEOUT_SECONDS`) after the SMTP server accepted a message but
  before it marked the row sent. The stale claim is then taken again and the message is sent a
  second time, with the same Message-ID, which lets receiving systems drop the copy. The same
  holds if the connection drops after the message's final dot but before the server's reply
  arrives (the server may have taken it; we cannot know, so it is retried). Each row is marked
  sent right after its own SMTP acceptance to keep that window small.

SMTP talk always happens outside any transaction opened here: the claim commits first, then
the batch is sent over one connection of `settings.DELIVERY_EMAIL_BACKEND`, and each outcome
is written in its own short UPDATE. Nothing here records activity: mail is a consequence of
an action, and the action's service records it.
"""

import logging
import random
import smtplib
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import formatdate, make_msgid, parseaddr
from enum import Enum
from functools import partial
from hashlib import sha256
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.utils import DNS_NAME
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from practica.core.outgoing_mail import IDEMPOTENCY_HEADER
from practica.mail.models import MessageStatus, OutboundMessage

logger = logging.getLogger(__name__)

DELIVERY_BATCH_SIZE = 100
# Two consecutive connection-level failures mean the server is down: the rest of the batch waits.
TRANSPORT_FAILURES_BEFORE_GIVING_UP = 2
MAX_KEY_LENGTH = OutboundMessage._meta.get_field("idempotency_key").max_length or 200
MAX_SUBJECT_LENGTH = OutboundMessage._meta.get_field("subject").max_length or 998
MAX_LIST_ID_LENGTH = OutboundMessage._meta.get_field("list_id").max_length or 255
MAX_ADDRESS_LENGTH = OutboundMessage._meta.get_field("to_email").max_length or 320
_IN_CHUNK = 500  # stays far below SQLite's bound-parameter limit
_UNSENT = (MessageStatus.QUEUED, MessageStatus.DEFERRED)


@dataclass(frozen=True)
class TextAttachment:
    """A small text file sent with a mail, such as an invitation's `invite.ics`."""

    filename: str
    content: str
    mimetype: str = "text/plain"

    def as_row(self) -> dict[str, str]:
        return {"filename": self.filename, "content": self.content, "mimetype": self.mimetype}


@dataclass(frozen=True)
class OutgoingMail:
    """One mail to one recipient, as apps above `mail` hand it to the outbox.

    `headers` may carry `Message-ID` (kept, e.g. a list post's own id shared by all its
    recipients) and display headers such as `To`, `Cc`, `Reply-To`, `List-Id`.
    """

    to: str
    subject: str
    body_text: str
    idempotency_key: str
    body_html: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    from_email: str | None = None
    attachments: Sequence[TextAttachment] = ()


@dataclass
class DeliveryReport:
    """What one delivery run did, by outcome."""

    sent: int = 0
    deferred: int = 0
    failed: int = 0

    def __add__(self, other: "DeliveryReport") -> "DeliveryReport":
        return DeliveryReport(
            sent=self.sent + other.sent,
            deferred=self.deferred + other.deferred,
            failed=self.failed + other.failed,
        )

    @property
    def attempted(self) -> int:
        return self.sent + self.deferred + self.failed

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "deferred": self.deferred, "failed": self.failed}


class FailureKind(Enum):
    """How a delivery error is treated."""

    PERMANENT = "permanent"  # the server refused this message for good (5xx), or it is unbuildable
    TEMPORARY = "temporary"  # the server refused this message for now (4xx)
    TRANSPORT = "transport"  # the server could not be reached or dropped the session


# --- Enqueueing ------------------------------------------------------------------------------


def site_mail_domain() -> str:
    """The domain used in generated Message-IDs: the host of `SITE_URL`."""
    return urlsplit(settings.SITE_URL).hostname or str(DNS_NAME)


def new_message_id() -> str:
    """A fresh, globally unique Message-ID on the site's domain."""
    return make_msgid(domain=site_mail_domain())


def random_idempotency_key() -> str:
    """A key for mail that has no natural one: it can never collide, so it never dedupes."""
    return f"uuid:{uuid.uuid4().hex}"


def normalize_idempotency_key(key: str) -> str:
    """The key as stored: keys longer than the column are replaced by their SHA-256 digest."""
    key = key.strip()
    if not key:
        raise ValueError("An outbound mail needs a non-empty idempotency key.")
    if len(key) > MAX_KEY_LENGTH:
        return f"sha256:{sha256(key.encode()).hexdigest()}"
    return key


def _check_header_value(name: str, value: str) -> str:
    if "\n" in value or "\r" in value:
        raise BadHeaderError(f"Header values can't contain newlines (got {value!r} for {name}).")
    return value


def _row_for(mail: OutgoingMail, *, now: datetime) -> OutboundMessage:
    address = parseaddr(mail.to)[1]
    if "@" not in address or len(mail.to) > MAX_ADDRESS_LENGTH:
        raise ValueError(f"Not a deliverable email address: {mail.to!r}")
    headers: dict[str, str] = {}
    message_id = ""
    list_id = ""
    for name, value in mail.headers.items():
        text = _check_header_value(name, str(value))
        if name.lower() == IDEMPOTENCY_HEADER.lower():
            continue  # the key is ours, never the recipient's
        if name.lower() == "message-id":
            message_id = text
            continue
        if name.lower() == "list-id":
            list_id = text.rpartition("<")[2].rstrip(">").strip()[:MAX_LIST_ID_LENGTH]
        headers[name] = text
    return OutboundMessage(
        idempotency_key=normalize_idempotency_key(mail.idempotency_key),
        from_email=_check_header_value("From", mail.from_email or settings.DEFAULT_FROM_EMAIL),
        to_email=_check_header_value("To", mail.to.strip()),
        subject=_check_header_value("Subject", mail.subject)[:MAX_SUBJECT_LENGTH],
        body_text=mail.body_text,
        body_html=mail.body_html,
        headers=headers,
        attachments=[attachment.as_row() for attachment in mail.attachments],
        message_id=message_id or new_message_id(),
        list_id=list_id,
        status=MessageStatus.QUEUED,
        next_attempt_at=now,
        created_at=now,
    )


def _chunked(items: Sequence[int] | Sequence[str], size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def enqueue_messages(*, mails: Iterable[OutgoingMail]) -> list[int]:
    """Write `mails` to the outbox in the caller's transaction; return their row ids.

    Runs in `transaction.atomic()` — a savepoint when the caller already has a transaction, so
    the rows commit or roll back with their cause. A key already in the outbox (or repeated in
    `mails`) creates nothing (`INSERT … ON CONFLICT DO NOTHING`); its existing row's id is
    returned. No lock is taken: the unique index on `idempotency_key` settles races. After the
    outermost commit, delivery of the still-queued rows is scheduled in batches; if that fails
    (broker down), the beat task delivers them later. Raises `ValueError`/`BadHeaderError` on
    an unusable address, key or header, before writing anything.
    """
    now = timezone.now()
    rows: dict[str, OutboundMessage] = {}
    for mail in mails:
        row = _row_for(mail, now=now)
        rows.setdefault(row.idempotency_key, row)
    if not rows:
        return []
    keys = list(rows)
    with transaction.atomic():
        OutboundMessage.objects.bulk_create(rows.values(), ignore_conflicts=True, batch_size=500)
        id_by_key: dict[str, int] = {}
        queued: list[int] = []
        for chunk in _chunked(keys, _IN_CHUNK):
            for pk, key, status in OutboundMessage.objects.filter(
                idempotency_key__in=chunk
            ).values_list("pk", "idempotency_key", "status"):
                id_by_key[key] = pk
                if status == MessageStatus.QUEUED:
                    queued.append(pk)
        if queued:
            transaction.on_commit(partial(schedule_delivery, message_ids=queued), robust=True)
    return [id_by_key[key] for key in keys if key in id_by_key]


def enqueue_message(
    *,
    to: str,
    subject: str,
    body_text: str,
    idempotency_key: str,
    body_html: str = "",
    headers: Mapping[str, str] | None = None,
    from_email: str | None = None,
    attachments: Sequence[TextAttachment] = (),
) -> OutboundMessage:
    """Put one mail in the outbox (see `enqueue_messages`); return its row, new or existing."""
    enqueue_messages(
        mails=[
            OutgoingMail(
                to=to,
                subject=subject,
                body_text=body_text,
                body_html=body_html,
                headers=dict(headers or {}),
                idempotency_key=idempotency_key,
                from_email=from_email,
                attachments=tuple(attachments),
            )
        ]
    )
    return OutboundMessage.objects.get(idempotency_key=normalize_idempotency_key(idempotency_key))


def schedule_delivery(*, message_ids: Sequence[int]) -> None:
    """Hand `message_ids` to the Celery worker, `DELIVERY_BATCH_SIZE` ids per task."""
    from practica.mail.tasks import deliver_messages  # tasks import this module

    for chunk in _chunked(list(message_ids), DELIVERY_BATCH_SIZE):
        deliver_messages.delay(chunk)


def retry_messages(*, message_ids: Sequence[int], now: datetime | None = None) -> int:
    """Make deferred or failed messages due now and schedule their delivery; return the count.

    One conditional UPDATE (no lock): rows already sent, or being sent, are left alone. A failed
    message keeps its attempt count, so this gives it one more try, not a new series.
    """
    now = now or timezone.now()
    ids = list(message_ids)
    changed = 0
    with transaction.atomic():
        for chunk in _chunked(ids, _IN_CHUNK):
            changed += OutboundMessage.objects.filter(
                pk__in=chunk,
                status__in=[MessageStatus.QUEUED, MessageStatus.DEFERRED, MessageStatus.FAILED],
            ).update(status=MessageStatus.QUEUED, next_attempt_at=now)
        if changed:
            transaction.on_commit(partial(schedule_delivery, message_ids=ids), robust=True)
    return changed


# --- Delivering ------------------------------------------------------------------------------


def claim_timeout() -> timedelta:
    """How long a `sending` claim is trusted before another worker may take the row over."""
    return timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT_SECONDS)


def _due(now: datetime) -> Q:
    stale = timezone.now() - claim_timeout()
    return Q(status__in=_UNSENT, next_attempt_at__lte=now) | Q(
        status=MessageStatus.SENDING, claimed_at__lt=stale
    )


def claim_messages(
    *, scope: Q | None = None, limit: int = DELIVERY_BATCH_SIZE, now: datetime | None = None
) -> list[OutboundMessage]:
    """Atomically move up to `limit` due messages (within `scope`) to `sending`; return them.

    Due: queued or deferred with `next_attempt_at <= now`, or `sending` with a claim older than
    `claim_timeout()`. Locks: on PostgreSQL the candidate rows with `FOR UPDATE SKIP LOCKED`
    (rows another worker is claiming are skipped, not waited for); on SQLite the IMMEDIATE
    transaction's write lock. The UPDATE repeats the due condition, so a row is claimed by one
    caller only. `claimed_at` (wall clock) marks the claim and guards the later outcome writes.
    """
    now = now or timezone.now()
    due = _due(now)
    claimed_at = timezone.now()
    with transaction.atomic():
        candidates = (
            OutboundMessage.objects.filter(scope or Q())
            .filter(due)
            .order_by("next_attempt_at", "pk")
        )
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        OutboundMessage.objects.filter(pk__in=ids).filter(due).update(
            status=MessageStatus.SENDING, claimed_at=claimed_at
        )
        return list(
            OutboundMessage.objects.filter(
                pk__in=ids, status=MessageStatus.SENDING, claimed_at=claimed_at
            ).order_by("next_attempt_at", "pk")
        )


def build_email_message(
    message: OutboundMessage, *, connection: BaseEmailBackend | None = None
) -> EmailMultiAlternatives:
    """The Django mail for an outbox row: its stable Message-ID, text and HTML alternatives.

    The envelope goes to `to_email` only; stored `To`/`Cc` headers (several recipients of one
    mail) are shown as written. `Date` is the enqueue time unless a header gives one.
    """
    headers = dict(message.headers)
    headers["Message-ID"] = message.message_id or f"<outbox-{message.pk}@{site_mail_domain()}>"
    if not any(name.lower() == "date" for name in headers):
        headers["Date"] = formatdate(message.created_at.timestamp())
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=message.from_email,
        to=[message.to_email],
        headers=headers,
        connection=connection,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for attachment in message.attachments:
        email.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    return email


def classify_delivery_error(error: BaseException) -> FailureKind:
    """Sort a delivery exception: the server's verdict on this message, or a broken transport."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reply in error.recipients.values()]
        if 421 in codes:
            return FailureKind.TRANSPORT  # "service closing": smtplib dropped the session
        if codes and all(500 <= code < 600 for code in codes):
            return FailureKind.PERMANENT
        return FailureKind.TEMPORARY
    if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        if error.smtp_code == 421:
            return FailureKind.TRANSPORT
        if 500 <= error.smtp_code < 600:
            return FailureKind.PERMANENT
        return FailureKind.TEMPORARY
    if isinstance(error, OSError):
        # Connection refused or reset, timeouts, greeting/HELO/AUTH failures, disconnects.
        return FailureKind.TRANSPORT
    # Anything else was raised while serialising this message; retrying cannot help.
    return FailureKind.PERMANENT


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with jitter: 30 s · 2^(attempts-1), capped at an hour, minus ≤20 %."""
    base = settings.OUTBOX_RETRY_BASE_SECONDS
    cap = settings.OUTBOX_RETRY_CAP_SECONDS
    seconds = min(cap, base * 2 ** max(attempts - 1, 0))
    # Jitter spreads retries of a large batch so a recovering server is not hit all at once.
    seconds *= 1 - random.random() * 0.2  # noqa: S311 — not security-relevant
    return timedelta(seconds=seconds)


def _mark_sent_statement() -> str:
    table = connection.ops.quote_name(OutboundMessage._meta.db_table)
    return (
        f"UPDATE {table} SET status = %s, sent_at = %s, attempts = %s"  # noqa: S608 — _meta name
        " WHERE id = %s AND status = %s AND claimed_at = %s"
    )


def _mark_sent(message: OutboundMessage) -> bool:
    # The hottest write of a fan-out (one per message): plain SQL, as the ORM's UPDATE would
    # compile it, saves about a millisecond of Python per message.
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            _mark_sent_statement(),
            [
                MessageStatus.SENT.value,
                adapt(timezone.now()),
                message.attempts + 1,
                message.pk,
                MessageStatus.SENDING.value,
                adapt(message.claimed_at),
            ],
        )
        updated = cursor.rowcount
    if not updated:
        logger.warning("Outbox message %s was sent but its claim had been taken over", message.pk)
    return bool(updated)


def _mark_failure(
    message: OutboundMessage, *, error: BaseException, kind: FailureKind, now: datetime
) -> MessageStatus:
    attempts = message.attempts + 1
    max_attempts = settings.OUTBOX_MAX_ATTEMPTS
    if kind is FailureKind.PERMANENT or (
        kind is FailureKind.TEMPORARY and attempts >= max_attempts
    ):
        status = MessageStatus.FAILED
        next_attempt_at = message.next_attempt_at
    else:
        status = MessageStatus.DEFERRED
        next_attempt_at = now + retry_delay(attempts)
    description = f"{kind.value}: {type(error).__name__}: {error}"[:2000]
    OutboundMessage.objects.filter(
        pk=message.pk, status=MessageStatus.SENDING, claimed_at=message.claimed_at
    ).update(
        status=status,
        attempts=attempts,
        next_attempt_at=next_attempt_at,
        last_error=description,
    )
    log = logger.warning if status == MessageStatus.FAILED else logger.info
    log("Outbox message %s %s: %s", message.pk, status, description)
    return status


def _close_quietly(backend: BaseEmailBackend) -> None:
    try:
        backend.close()
    except Exception:  # a dead connection may fail to say goodbye
        logger.debug("Closing the delivery connection failed", exc_info=True)


def send_claimed_messages(
    messages: Sequence[OutboundMessage], *, now: datetime | None = None
) -> DeliveryReport:
    """Send messages this worker has claimed, over one connection; record each outcome.

    Call outside any transaction (SMTP must never hold database locks). Each outcome is one
    UPDATE guarded by the claim. A message-level refusal moves on to the next message; after
    `TRANSPORT_FAILURES_BEFORE_GIVING_UP` connection failures in a row the remaining messages
    are deferred without being tried, so an outage costs one timeout, not one per message.
    """
    now = now or timezone.now()
    report = DeliveryReport()
    if not messages:
        return report
    backend = get_connection(settings.DELIVERY_EMAIL_BACKEND, fail_silently=False)
    transport_failures = 0
    last_transport_error: BaseException | None = None
    try:
        for message in messages:
            if last_transport_error and transport_failures >= TRANSPORT_FAILURES_BEFORE_GIVING_UP:
                _mark_failure(
                    message, error=last_transport_error, kind=FailureKind.TRANSPORT, now=now
                )
                report.deferred += 1
                continue
            try:
                email = build_email_message(message, connection=backend)
                backend.open()
                sent = backend.send_messages([email])
            except Exception as error:
                kind = classify_delivery_error(error)
                if kind is FailureKind.TRANSPORT:
                    transport_failures += 1
                    last_transport_error = error
                    _close_quietly(backend)
                status = _mark_failure(message, error=error, kind=kind, now=now)
                if status == MessageStatus.FAILED:
                    report.failed += 1
                else:
                    report.deferred += 1
                continue
            transport_failures = 0
            if sent:
                _mark_sent(message)
                report.sent += 1
            else:  # the backend declined without an error: no usable recipient
                _mark_failure(
                    message,
                    error=ValueError("the delivery backend sent nothing"),
                    kind=FailureKind.PERMANENT,
                    now=now,
                )
                report.failed += 1
    finally:
        _close_quietly(backend)
    return report


def deliver_batch(*, message_ids: Sequence[int], now: datetime | None = None) -> DeliveryReport:
    """Claim those of `message_ids` that are due, send them over one connection, record outcomes.

    Ids that are not due (already sent, deferred to later, claimed by another worker) are
    skipped, so scheduling the same ids twice is harmless. See `claim_messages` for the locks.
    """
    report = DeliveryReport()
    ids = list(message_ids)
    for chunk in _chunked(ids, _IN_CHUNK):
        claimed = claim_messages(scope=Q(pk__in=chunk), limit=len(chunk), now=now)
        report += send_claimed_messages(claimed, now=now)
    return report


def deliver_message(*, message_id: int, now: datetime | None = None) -> DeliveryReport:
    """Deliver one message if it is due (see `deliver_batch`)."""
    return deliver_batch(message_ids=[message_id], now=now)


def deliver_due_messages(
    *,
    now: datetime | None = None,
    batch_size: int = DELIVERY_BATCH_SIZE,
    max_batches: int | None = None,
) -> DeliveryReport:
    """Deliver every message due at `now` (default: the present), `batch_size` per claim.

    Safe to run in many workers at once: each batch is claimed (see `claim_messages`). A run
    ends when nothing due is left; messages it defers are due only after `now`, so it never
    loops on them. `now` lets tests and operators act as if retry times had passed.
    """
    now = now or timezone.now()
    report = DeliveryReport()
    batches = 0
    while max_batches is None or batches < max_batches:
        claimed = claim_messages(limit=batch_size, now=now)
        if not claimed:
            break
        report += send_claimed_messages(claimed, now=now)
        batches += 1
    return report
