"""Reads of a member's notifications, subscriptions and notification preferences.

A notification about a thread the member can no longer see (a closed community they left, a
hidden thread) is not shown and not counted, and never mailed.
"""

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from practica.communities.models import Access, Membership
from practica.discussions.models import (
    DiscussionPreferences,
    Notification,
    Subscription,
)
from practica.discussions.queries import ReusedStatement

RECENT_LIMIT = 20


def visible_notification_condition() -> Q:
    """Notifications whose thread their recipient may see now (set-based, one subquery)."""
    member_now = Membership.objects.current().filter(
        community_id=OuterRef("thread__community_id"), person_id=OuterRef("recipient_id")
    )
    return Q(thread__is_hidden=False) & (
        ~Q(thread__community__access=Access.CLOSED)
        | Q(recipient__is_staff=True)
        | Q(Exists(member_now))
    )


def notifications_for(person: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The member's notifications, newest first, with thread, community, actor and post loaded.

    A QuerySet: views paginate it (`includes/pagination.html`), the API slices it.
    """
    notifications = (
        Notification.objects.filter(recipient_id=person.pk)
        .filter(visible_notification_condition())
        .select_related("thread", "thread__community", "actor", "post")
        .order_by("-created_at", "-pk")
    )
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications


def recent_notifications(person: Any, *, limit: int = RECENT_LIMIT) -> list[Notification]:
    """The latest few, e.g. for a menu under the bell."""
    return list(notifications_for(person)[:limit])


def _unread(recipient_id: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_id=recipient_id, read_at__isnull=True).filter(
        visible_notification_condition()
    )


def unread_count_subquery(recipient_id: Any) -> Subquery:
    """The unread count as a subquery, for a page whose own statement can carry it."""
    return Subquery(
        _unread(recipient_id)
        .values("recipient_id")
        .annotate(count=Count("pk"))
        .order_by()
        .values("count")[:1]
    )


# Every page's header shows the count: its SQL (joins, a subquery) is built once.
_UNREAD_COUNT = ReusedStatement(
    Notification,
    lambda recipient: (
        _unread(recipient)
        .values("recipient_id")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("count")
    ),
    1,
)


def unread_count(person: Any) -> int:
    """How many unread notifications the member has (one indexed COUNT)."""
    if not getattr(person, "is_authenticated", False):
        return 0
    found = _UNREAD_COUNT.rows(person.pk)
    return found[0][0] if found else 0


def preferences_for(person: Any) -> DiscussionPreferences:
    """The member's preferences; the defaults (unsaved) if they never changed them."""
    preferences = DiscussionPreferences.objects.filter(person_id=person.pk).first()
    return preferences or DiscussionPreferences(person_id=person.pk)


def subscription_level(
    person: Any, *, thread: Any = None, topic: Any = None, community: Any = None
) -> str | None:
    """ "watching", "muted", or None when the member has no subscription to that target."""
    if not getattr(person, "is_authenticated", False):
        return None
    target = {"thread": thread, "topic": topic, "community": community}
    chosen = {name: value for name, value in target.items() if value is not None}
    if len(chosen) != 1:
        raise ValueError("Give exactly one of thread, topic, community.")
    return (
        Subscription.objects.filter(person_id=person.pk, **chosen)
        .values_list("level", flat=True)
        .first()
    )


def subscriptions_of(person: Any) -> QuerySet[Subscription]:
    """Everything the member watches or mutes, with its target loaded."""
    return (
        Subscription.objects.filter(person_id=person.pk)
        .select_related("thread", "thread__community", "topic", "community")
        .order_by("-created_at", "-pk")
    )
