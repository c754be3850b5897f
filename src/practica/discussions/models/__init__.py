"""Discussions and Q&A: threads, posts, votes, subscriptions, notifications, routing, flags."""

from practica.discussions.models.moderation import Flag, FlagReason
from practica.discussions.models.notifications import (
    DiscussionPreferences,
    EmailMode,
    Notification,
    NotificationKind,
    Subscription,
    SubscriptionLevel,
)
from practica.discussions.models.routing import RoutedExpert, RoutingReason, RoutingRound
from practica.discussions.models.threads import (
    MAX_POST_LENGTH,
    MAX_TITLE_LENGTH,
    Mention,
    Post,
    PostAttachment,
    PostOrigin,
    PostRevision,
    QASettings,
    Thread,
    ThreadKind,
    ThreadLink,
    ThreadState,
    Vote,
)

__all__ = [
    "MAX_POST_LENGTH",
    "MAX_TITLE_LENGTH",
    "DiscussionPreferences",
    "EmailMode",
    "Flag",
    "FlagReason",
    "Mention",
    "Notification",
    "NotificationKind",
    "Post",
    "PostAttachment",
    "PostOrigin",
    "PostRevision",
    "QASettings",
    "RoutedExpert",
    "RoutingReason",
    "RoutingRound",
    "Subscription",
    "SubscriptionLevel",
    "Thread",
    "ThreadKind",
    "ThreadLink",
    "ThreadState",
    "Vote",
]
