"""List digests: members who chose a daily or weekly digest of a community get one mail per
period with its new threads and its unanswered questions, at about 08:00 in their own zone
(weekly ones on Monday).

Beat runs `send_list_digests` every 15 minutes. A member is due from 08:00 to 11:59 local time
(if the beat was down at eight, the digest still goes out that morning) and gets at most one
digest per community and period: the outbox key names community, member and local period, and
members whose key exists are skipped before anything is rendered. An empty digest is not sent.
A grassroots group's threads are in the digests of the group's current members only, so
members are served in batches by the groups they belong to (most are in none).
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from practica.communities.models import Community, GroupMembership
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


def _in_digest(community: Community, since: datetime, now: datetime) -> Q:
    """Threads a digest of the period [since, now) may show: new ones and open questions."""
    new = Q(created_at__gte=since, created_at__lt=now)
    unanswered = Q(kind=ThreadKind.QUESTION, state=ThreadState.OPEN, created_at__lt=now)
    return Q(community=community, is_hidden=False, merged_into__isnull=True) & (new | unanswered)


def digest_content(
    *,
    community: Community,
    mode: str,
    now: datetime,
    group_ids: Iterable[int] = (),
) -> digest_mail.DigestContent:
    """The community's threads started in the period before `now`, and its oldest (urgent
    first) unanswered questions; hidden and merged threads are left out, and so are the
    threads of groups other than `group_ids` (the reader's)."""
    since = now - _PERIOD[DeliveryMode(mode)]
    visible = (
        Thread.objects.filter(community=community, is_hidden=False, merged_into__isnull=True)
        .filter(Q(group__isnull=True) | Q(group_id__in=list(group_ids)))
        .select_related("author", "community")
    )
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
    delivery_url = list_delivery_url(community_slug=community.slug)
    sent = 0
    for group_ids, recipients in _by_groups(community, due, mode=mode, now=now).items():
        content = digest_content(community=community, mode=mode, now=now, group_ids=group_ids)
        if content.is_empty:
            continue
        enqueue_messages(
            mails=digest_mail.digest_mails(
                content=content, recipients=recipients, delivery_url=delivery_url
            )
        )
        sent += len(recipients)
    return sent


def _by_groups(
    community: Community, due: list[digest_mail.DigestRecipient], *, mode: str, now: datetime
) -> dict[frozenset[int], list[digest_mail.DigestRecipient]]:
    """The recipients batched by the community's groups they are in, among the groups with a
    thread the digest could show (so most members share one batch)."""
    since = now - _PERIOD[DeliveryMode(mode)]
    shown = Thread.objects.filter(_in_digest(community, since, now), group__isnull=False)
    groups: dict[int, set[int]] = defaultdict(set)
    for person_id, group_id in GroupMembership.objects.filter(
        group_id__in=shown.values("group_id"), left_at__isnull=True
    ).values_list("person_id", "group_id"):
        groups[person_id].add(group_id)
    batches: dict[frozenset[int], list[digest_mail.DigestRecipient]] = defaultdict(list)
    for recipient in due:
        batches[frozenset(groups.get(recipient.person_id, ()))].append(recipient)
    return batches


def send_list_digests(*, now: datetime | None = None) -> dict[str, int]:
    """Beat: daily and weekly digests of every community, for members due now."""
    now = now or timezone.now()
    sent: dict[str, int] = defaultdict(int)
    for community in Community.objects.order_by("pk"):
        for mode in (DeliveryMode.DAILY, DeliveryMode.WEEKLY):
            sent[str(mode)] += send_community_digests(community=community, mode=mode, now=now)
    return dict(sent)
