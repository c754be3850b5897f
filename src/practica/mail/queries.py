"""Reads about the outbox, for the admin, a manager's outbox screen and health checks."""

from datetime import datetime

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from practica.mail.models import MessageStatus, OutboundMessage

_UNSENT = (MessageStatus.QUEUED, MessageStatus.DEFERRED, MessageStatus.SENDING)


def outbox_status_counts() -> dict[str, int]:
    """Number of messages per status; every status is present, zero when empty."""
    counts = dict.fromkeys(MessageStatus.values, 0)
    rows = OutboundMessage.objects.order_by().values("status").annotate(n=Count("pk"))
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


def recent_messages(
    *, limit: int = 50, status: str | None = None, to_email: str | None = None
) -> QuerySet[OutboundMessage]:
    """The newest messages first, without their bodies (list screens never show them)."""
    messages = OutboundMessage.objects.defer("body_text", "body_html").order_by(
        "-created_at", "-pk"
    )
    if status:
        messages = messages.filter(status=status)
    if to_email:
        messages = messages.filter(to_email__iexact=to_email.strip())
    return messages[:limit]


def due_message_count(*, now: datetime | None = None) -> int:
    """Messages waiting to be sent whose time has come: the delivery backlog."""
    now = now or timezone.now()
    return OutboundMessage.objects.filter(
        status__in=[MessageStatus.QUEUED, MessageStatus.DEFERRED], next_attempt_at__lte=now
    ).count()


def oldest_unsent_queued_at() -> datetime | None:
    """When the oldest message still waiting (queued, deferred, sending) was queued."""
    return OutboundMessage.objects.filter(status__in=_UNSENT).aggregate(oldest=Min("created_at"))[
        "oldest"
    ]


def outbox_summary(*, now: datetime | None = None) -> dict[str, object]:
    """Counts by status, the due backlog and the oldest waiting message, in one place."""
    now = now or timezone.now()
    aggregates = OutboundMessage.objects.aggregate(
        due=Count(
            "pk",
            filter=Q(
                status__in=[MessageStatus.QUEUED, MessageStatus.DEFERRED],
                next_attempt_at__lte=now,
            ),
        ),
        oldest_unsent=Min("created_at", filter=Q(status__in=_UNSENT)),
    )
    return {"by_status": outbox_status_counts(), **aggregates}
