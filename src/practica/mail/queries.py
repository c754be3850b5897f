"""Reads about the outbox and the lists, for fan-out, manage screens, the admin and health."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from practica.communities.models import Community, GroupMembership, Membership
from practica.mail.addresses import list_id
from practica.mail.models import (
    Bounce,
    DeliveryMode,
    InboundMessage,
    InboundStatus,
    ListSettings,
    ListSubscription,
    MailboxHealth,
    MessageStatus,
    OutboundMessage,
)
from practica.people.models import User

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


# --- List recipients (fan-out and digests) ---------------------------------------------------


# What a list without settings delivers: the settings row's own default, stated once.
LIST_DEFAULT_MODE = str(ListSettings._meta.get_field("default_mode").default)


def list_default_mode(community_id: int) -> str:
    """What a member of the community receives before choosing: the list's default."""
    default = (
        ListSettings.objects.filter(community_id=community_id)
        .values_list("default_mode", flat=True)
        .first()
    )
    return default or LIST_DEFAULT_MODE


def list_recipients(*, community_id: int, mode: str, group_id: int | None = None) -> QuerySet[User]:
    """Current, active members of the community whose effective delivery is `mode`.

    The effective mode is the member's choice, or the list's default when they made none; a
    member whose mailbox is suspended (repeated hard bounces) receives nothing. One query
    whatever the community's size: the choice that differs from the default is the rare case.
    With `group_id`, only the current members of that group of the community: a group's list
    mail follows each member's delivery choice for the community's list.
    """
    chosen = ListSubscription.objects.filter(community_id=community_id)
    people = User.objects.filter(
        Exists(
            Membership.objects.current().filter(community_id=community_id, person_id=OuterRef("pk"))
        ),
        is_active=True,
        is_placeholder=False,
        is_system=False,
    ).exclude(
        Exists(MailboxHealth.objects.filter(person_id=OuterRef("pk"), suspended_at__isnull=False))
    )
    if group_id is not None:
        people = people.filter(
            Exists(
                GroupMembership.objects.filter(
                    group_id=group_id, person_id=OuterRef("pk"), left_at__isnull=True
                )
            )
        )
    if mode == list_default_mode(community_id):
        return people.exclude(Exists(chosen.filter(person_id=OuterRef("pk")).exclude(mode=mode)))
    return people.filter(Exists(chosen.filter(person_id=OuterRef("pk"), mode=mode)))


# === List screens (list-ui): members' deliveries, subscribers, list mail, bounces, queue =====
# Reads for the member's "Email delivery" page, the list's manage pages and the mail API.


def list_settings_for(community: Community) -> ListSettings:
    """The list's settings row, or unsaved defaults when nobody has changed them yet."""
    found = ListSettings.objects.filter(community=community).first()
    return found or ListSettings(community=community)


def _effective_mode(person: str, community: str) -> Coalesce:
    """SQL for a member's effective delivery: their choice, else the list's default, else daily.

    `person` and `community` name the outer query's columns holding their ids.
    """
    chosen = ListSubscription.objects.filter(
        person_id=OuterRef(person), community_id=OuterRef(community)
    ).values("mode")[:1]
    default = ListSettings.objects.filter(community_id=OuterRef(community)).values("default_mode")[
        :1
    ]
    return Coalesce(
        Subquery(chosen),
        Subquery(default),
        Value(LIST_DEFAULT_MODE),
        output_field=CharField(),
    )


def chosen_list_delivery(*, person: User, community: Community) -> str | None:
    """The delivery the person chose for the list, or None if they never chose."""
    return (
        ListSubscription.objects.filter(person=person, community=community)
        .values_list("mode", flat=True)
        .first()
    )


def list_delivery_for(*, person: User, community: Community) -> DeliveryMode:
    """What the person receives from the list if a member: their choice, else the list's
    default, else daily. Membership is not checked here (non-members receive nothing)."""
    chosen = chosen_list_delivery(person=person, community=community)
    return DeliveryMode(chosen or list_default_mode(community.pk))


def list_deliveries_of(person: User) -> QuerySet[Membership]:
    """The person's current memberships by community name, each annotated with
    `delivery_mode` (effective), `chosen_mode` (None when they never chose) and
    `default_mode` (the list's)."""
    chosen = ListSubscription.objects.filter(
        person_id=OuterRef("person_id"), community_id=OuterRef("community_id")
    ).values("mode")[:1]
    default = ListSettings.objects.filter(community_id=OuterRef("community_id")).values(
        "default_mode"
    )[:1]
    return (
        Membership.objects.current()
        .filter(person=person)
        .select_related("community")
        .annotate(
            chosen_mode=Subquery(chosen),
            default_mode=Coalesce(
                Subquery(default), Value(LIST_DEFAULT_MODE), output_field=CharField()
            ),
            delivery_mode=_effective_mode("person_id", "community_id"),
        )
        .order_by("community__name", "community_id")
    )


def list_subscribers(
    community: Community, *, mode: str = "", text: str = ""
) -> QuerySet[Membership]:
    """The list's subscribers — the community's current members — by name, each annotated
    with `delivery_mode` (effective), `chosen_mode`, `hard_bounces` and `suspended_at` (their
    mailbox's state; None when healthy). Filter by effective `mode`; `text` matches the name
    (contains) or the email (starts with)."""
    chosen = ListSubscription.objects.filter(
        person_id=OuterRef("person_id"), community_id=OuterRef("community_id")
    ).values("mode")[:1]
    subscribers = (
        Membership.objects.current()
        .filter(community=community)
        .select_related("person")
        .annotate(
            delivery_mode=_effective_mode("person_id", "community_id"),
            chosen_mode=Subquery(chosen),
            hard_bounces=F("person__mailbox_health__hard_bounces"),
            suspended_at=F("person__mailbox_health__suspended_at"),
        )
    )
    text = text.strip()
    if text:
        subscribers = subscribers.filter(
            Q(person__display_name__icontains=text) | Q(person__email__istartswith=text)
        )
    if mode:
        subscribers = subscribers.filter(delivery_mode=mode)
    return subscribers.order_by("person__display_name", "person_id")


@dataclass(frozen=True)
class SubscriberCounts:
    """The list's current members: how many, how many per effective mode, how many suspended."""

    total: int
    by_mode: dict[str, int]
    suspended: int


def list_subscriber_counts(community: Community) -> SubscriberCounts:
    """Counts for the manage page, in three aggregate queries whatever the list's size:
    members without a choice count under the list's default."""
    members = Membership.objects.current().filter(community=community)
    total = members.count()
    by_mode = dict.fromkeys(DeliveryMode.values, 0)
    chosen = (
        ListSubscription.objects.filter(
            community=community, person_id__in=members.values("person_id")
        )
        .order_by()
        .values("mode")
        .annotate(n=Count("pk"))
    )
    for row in chosen:
        by_mode[row["mode"]] = by_mode.get(row["mode"], 0) + row["n"]
    by_mode[list_default_mode(community.pk)] += total - sum(by_mode.values())
    suspended = MailboxHealth.objects.filter(
        suspended_at__isnull=False, person_id__in=members.values("person_id")
    ).count()
    return SubscriberCounts(total=total, by_mode=by_mode, suspended=suspended)


def _list_mail(community: Community) -> QuerySet[OutboundMessage]:
    # The outbox keeps the <…> of each mail's List-Id header in an indexed column.
    return OutboundMessage.objects.filter(list_id=list_id(community.slug))


def list_outbox_status_counts(community: Community) -> dict[str, int]:
    """The list's outgoing mail per status (queued, sending, sent, deferred, failed)."""
    counts = dict.fromkeys(MessageStatus.values, 0)
    rows = _list_mail(community).order_by().values("status").annotate(n=Count("pk"))
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


def recent_list_messages(community: Community, *, limit: int = 50) -> QuerySet[OutboundMessage]:
    """The list's newest outgoing mail first, without bodies."""
    return (
        _list_mail(community).defer("body_text", "body_html").order_by("-created_at", "-pk")[:limit]
    )


def list_bounces(community: Community) -> QuerySet[Bounce]:
    """Bounces of mail to the community's current members, newest first, with the member's
    mailbox state (`hard_bounces`, `suspended_at`)."""
    members = Membership.objects.current().filter(community=community).values("person_id")
    return (
        Bounce.objects.filter(person_id__in=members)
        .select_related("person")
        .annotate(
            hard_bounces=F("person__mailbox_health__hard_bounces"),
            suspended_at=F("person__mailbox_health__suspended_at"),
        )
        .order_by("-received_at", "-pk")
    )


def held_list_messages(community: Community) -> QuerySet[InboundMessage]:
    """Mail to the list held for moderation, oldest first (the queue's order), without the
    raw message (load it for the rows shown: it can be megabytes)."""
    return (
        InboundMessage.objects.filter(community=community, status=InboundStatus.HELD)
        .defer("raw")
        .select_related("person")
        .order_by("received_at", "pk")
    )


def mailbox_health_of(person: User) -> MailboxHealth | None:
    """The person's mailbox record (bounces, suspension), or None when nothing ever bounced."""
    return MailboxHealth.objects.filter(person=person).first()
