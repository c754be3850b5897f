"""List digests: members who chose a daily or weekly digest of a community get one mail per
period with its new threads and its unanswered questions, at about 08:00 in their own zone
(weekly ones on Monday).

Beat runs `send_list_digests` every 15 minutes. A member is due from 08:00 to 11:59 local time
(if the beat was down at eight, the digest still goes out that morning) and gets at most one
digest per community and period: the outbox key names community, member and local period, and
members whose key exists are skipped before anything is rendered. An empty digest is not sent.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from practica.communities.models import Community
from practica.discussions import digest_mail
from practica.discussions import email as discussion_mail
from practica.discussions.models import Thread, ThreadKind, ThreadState
from practica.mail.models import DeliveryMode, OutboundMessage
from practica.mail.queries import list_recipients
from practica.mail.services import enqueue_messages
from practica.mail.services.subscriptions import list_delivery_url

DIGEST_HOUR = 8
DIGEST_WINDOW_HOURS = 4
WEEKLY_DIGEST_WEEKDAY = 0  # Monday
MAX_NEW_THREADS = 40
MAX_UNANSWERED = 10
_PERIOD = {DeliveryMode.DAILY: timedelta(days=1), DeliveryMode.WEEKLY: timedelta(days=7)}


def _period(mode: str, local_day: date) -> str:
    if mode == DeliveryMode.WEEKLY:
        year, week, _weekday = local_day.isocalendar()
        return f"{year}-W{week:02d}"
    return local_day.isoformat()


def _due_period(mode: str, time_zone: str, now: datetime) -> str | None:
    """The member's local period if their digest hour has come (and not long passed)."""
    local = now.astimezone(discussion_mail.mail_zone(time_zone))
    if not DIGEST_HOUR <= local.hour < DIGEST_HOUR + DIGEST_WINDOW_HOURS:
        return None
    if mode == DeliveryMode.WEEKLY and local.weekday() != WEEKLY_DIGEST_WEEKDAY:
        return None
    return _period(mode, local.date())


def digest_content(*, community: Community, mode: str, now: datetime) -> digest_mail.DigestContent:
    """The community's threads started in the period before `now`, and its oldest (urgent
    first) unanswered questions; hidden and merged threads are left out."""
    since = now - _PERIOD[DeliveryMode(mode)]
    visible = Thread.objects.filter(
        community=community, is_hidden=False, merged_into__isnull=True
    ).select_related("author", "community")
    new_threads = list(
        visible.filter(created_at__gte=since, created_at__lt=now).order_by("created_at", "pk")[
            :MAX_NEW_THREADS
        ]
    )
    unanswered = visible.filter(
        Q(kind=ThreadKind.QUESTION, state=ThreadState.OPEN, created_at__lt=now)
    ).order_by("-is_urgent", "created_at", "pk")
    return digest_mail.DigestContent(
        community=community,
        mode=mode,
        since=since,
        new_threads=new_threads,
        unanswered=list(unanswered[:MAX_UNANSWERED]),
        unanswered_total=unanswered.count(),
    )


def send_community_digests(*, community: Community, mode: str, now: datetime) -> int:
    """Enqueue `mode` digests of one community for the members due now; returns how many."""
    people = list_recipients(community_id=community.pk, mode=mode).exclude(email="")
    due: list[digest_mail.DigestRecipient] = []
    for pk, email, language, zone in people.values_list(
        "pk", "email", "preferred_language", "time_zone"
    ).iterator(chunk_size=2000):
        period = _due_period(mode, zone, now)
        if period is not None:
            key = digest_mail.digest_key(
                mode=mode, community_id=community.pk, person_id=pk, period=period
            )
            due.append(digest_mail.DigestRecipient(pk, email, language, zone, key))
    if not due:
        return 0
    sent_keys: set[str] = set()
    for start in range(0, len(due), 500):
        sent_keys.update(
            OutboundMessage.objects.filter(
                idempotency_key__in=[r.idempotency_key for r in due[start : start + 500]]
            ).values_list("idempotency_key", flat=True)
        )
    due = [recipient for recipient in due if recipient.idempotency_key not in sent_keys]
    if not due:
        return 0
    content = digest_content(community=community, mode=mode, now=now)
    if content.is_empty:
        return 0
    delivery_url = list_delivery_url(community_slug=community.slug)
    enqueue_messages(
        mails=digest_mail.digest_mails(content=content, recipients=due, delivery_url=delivery_url)
    )
    return len(due)


def send_list_digests(*, now: datetime | None = None) -> dict[str, int]:
    """Beat: daily and weekly digests of every community, for members due now."""
    now = now or timezone.now()
    sent: dict[str, int] = defaultdict(int)
    for community in Community.objects.order_by("pk"):
        for mode in (DeliveryMode.DAILY, DeliveryMode.WEEKLY):
            sent[str(mode)] += send_community_digests(community=community, mode=mode, now=now)
    return dict(sent)
