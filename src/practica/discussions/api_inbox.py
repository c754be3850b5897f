"""The caller's side of discussions over HTTP: what they watch or mute, their notifications
(with the unread count) and their notification and routing preferences.

Part of the discussions router (`discussions.api` includes it); writes go through
`discussions.services.notifications`.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router

from practica.api.errors import error_responses
from practica.api.fields import Id, Slug
from practica.communities.models import Community
from practica.core.models import Topic
from practica.discussions import inbox
from practica.discussions import permissions as can
from practica.discussions.models import DiscussionPreferences, Subscription, Thread
from practica.discussions.schemas import (
    MarkReadIn,
    NotificationFilters,
    NotificationPageOut,
    PreferencesIn,
    PreferencesOut,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionStateOut,
    UnreadCountOut,
)
from practica.discussions.services import notifications

router = Router(tags=["subscriptions"])

ERRORS = error_responses(401, 403, 404, 422)


# --- Subscriptions -------------------------------------------------------------------------


def _subscription(person: Any, **target: Any) -> Subscription:
    return inbox.subscriptions_of(person).get(**target)


@router.get("/me/subscriptions", response={200: list[SubscriptionOut], **error_responses(401)})
def list_my_subscriptions(request: HttpRequest) -> list[Subscription]:
    """The threads, topics and communities the caller watches or has muted, newest first.
    Threads the caller can no longer see are left out."""
    rows = inbox.subscriptions_of(request.auth)
    return [
        row for row in rows if row.thread is None or can.can_view_thread(request.auth, row.thread)
    ]


def _visible_thread(request: HttpRequest, thread_id: int) -> Thread:
    """A thread the caller may see; any other is not found (as in `discussions.api`)."""
    thread = get_object_or_404(Thread.objects.select_related("community"), pk=thread_id)
    if not can.can_view_thread(request.auth, thread):
        raise Http404
    return thread


def _readable_community(request: HttpRequest, slug: str) -> Community:
    community = get_object_or_404(Community, slug=slug)
    if not can.can_read_community_threads(request.auth, community):
        raise PermissionDenied(
            _("Only members of %(name)s see its threads.") % {"name": community.name}
        )
    return community


@router.put("/threads/{thread_id}/subscription", response={200: SubscriptionOut, **ERRORS})
def watch_thread(request: HttpRequest, thread_id: Id, payload: SubscriptionIn) -> Subscription:
    """Watch a thread (notified of every post) or mute it (never notified about it)."""
    thread = _visible_thread(request, thread_id)
    notifications.subscribe(person=request.auth, thread=thread, level=payload.level)
    return _subscription(request.auth, thread=thread)


@router.delete("/threads/{thread_id}/subscription", response={200: SubscriptionStateOut, **ERRORS})
def unwatch_thread(request: HttpRequest, thread_id: Id) -> dict[str, Any]:
    """Stop watching (or muting) a thread. Not subscribed: nothing changes."""
    thread = _visible_thread(request, thread_id)
    notifications.unsubscribe(person=request.auth, thread=thread)
    return {"level": None}


@router.put("/topics/{slug}/subscription", response={200: SubscriptionOut, **ERRORS})
def watch_topic(request: HttpRequest, slug: Slug, payload: SubscriptionIn) -> Subscription:
    """Watch new threads on a topic (and its sub-topics), or mute it."""
    topic = get_object_or_404(Topic, slug=slug)
    notifications.subscribe(person=request.auth, topic=topic, level=payload.level)
    return _subscription(request.auth, topic=topic)


@router.delete("/topics/{slug}/subscription", response={200: SubscriptionStateOut, **ERRORS})
def unwatch_topic(request: HttpRequest, slug: Slug) -> dict[str, Any]:
    """Stop watching (or muting) a topic."""
    topic = get_object_or_404(Topic, slug=slug)
    notifications.unsubscribe(person=request.auth, topic=topic)
    return {"level": None}


@router.put("/communities/{slug}/subscription", response={200: SubscriptionOut, **ERRORS})
def watch_community(request: HttpRequest, slug: Slug, payload: SubscriptionIn) -> Subscription:
    """Watch new threads in a community, or mute it. Closed communities: members only."""
    community = _readable_community(request, slug)
    notifications.subscribe(person=request.auth, community=community, level=payload.level)
    return _subscription(request.auth, community=community)


@router.delete("/communities/{slug}/subscription", response={200: SubscriptionStateOut, **ERRORS})
def unwatch_community(request: HttpRequest, slug: Slug) -> dict[str, Any]:
    """Stop watching (or muting) a community."""
    community = get_object_or_404(Community, slug=slug)
    notifications.unsubscribe(person=request.auth, community=community)
    return {"level": None}


# --- Notifications -------------------------------------------------------------------------


@router.get(
    "/me/notifications",
    response={200: NotificationPageOut, **error_responses(401, 422)},
    tags=["notifications"],
)
def list_my_notifications(request: HttpRequest, filters: Query[NotificationFilters]) -> dict:
    """The caller's notifications, newest first, with how many are unread; `unread=true`
    lists only those. Paginated with `limit` and `offset`."""
    rows = inbox.notifications_for(request.auth, unread_only=filters.unread)
    page = list(rows[filters.offset : filters.offset + filters.limit])
    return {"items": page, "count": rows.count(), "unread_count": inbox.unread_count(request.auth)}


@router.post(
    "/me/notifications/read",
    response={200: UnreadCountOut, **error_responses(401, 422)},
    tags=["notifications"],
)
def mark_notifications_read(request: HttpRequest, payload: MarkReadIn | None = None) -> dict:
    """Mark notifications read: those in `ids` (other people's are ignored), or all of them.
    Answers the unread count left."""
    ids = payload.ids if payload is not None else None
    notifications.mark_notifications_read(person=request.auth, ids=ids)
    return {"unread_count": inbox.unread_count(request.auth)}


# --- Preferences ---------------------------------------------------------------------------


@router.get(
    "/me/discussion-preferences",
    response={200: PreferencesOut, **error_responses(401)},
    tags=["notifications"],
)
def get_my_discussion_preferences(request: HttpRequest) -> DiscussionPreferences:
    """How the caller is told about new posts (mail immediately, daily, or off) and whether
    and when questions may be routed to them."""
    return inbox.preferences_for(request.auth)


@router.patch(
    "/me/discussion-preferences",
    response={200: PreferencesOut, **error_responses(401, 422)},
    tags=["notifications"],
)
def update_my_discussion_preferences(
    request: HttpRequest, payload: PreferencesIn
) -> DiscussionPreferences:
    """Change the caller's preferences: only the fields sent change."""
    changes = payload.dict(exclude_unset=True)
    if changes:
        notifications.set_discussion_preferences(person=request.auth, **changes)
    return inbox.preferences_for(request.auth)
