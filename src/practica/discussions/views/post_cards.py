"""A thread page's posts, each rendered once and kept in the cache as a fragment.

Rendering 30 answers through the template engine costs far more than the page's queries, yet a
post's card changes only when the post does (its text, score, hiding), when its relative time
reads differently, or for a viewer with other rights. So each card is cached under a key made
of everything the `thread.html#post` partial reads: the post's own fields, its author's name,
the viewer's vote and rights, the language and time zone. A fragment is a pure function of its
key, so nothing has to be invalidated: a change makes a new key, and old keys expire.

The CSRF token differs per browser, so fragments hold a placeholder that is replaced with the
viewer's token on the way out.
"""

import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from practica.discussions.models import FlagReason, Post, Thread

POST_PARTIAL = "discussions/thread.html#post"
# Bump when the partial changes, so a shared cache never serves an older card layout.
CARD_VERSION = "1"
CARD_SECONDS = 60 * 60
CSRF_PLACEHOLDER = "csrf-token-of-the-viewer"
MINUTE, HOUR, DAY = 60, 60 * 60, 24 * 60 * 60
WEEK = 7 * DAY


def _age_bucket(created_at: datetime, now: datetime) -> tuple[int, int]:
    """A post's age, rounded to the smallest unit its `naturaltime` text shows ("5 minutes ago",
    "3 hours ago", "1 day, 23 hours ago", "2 weeks, 1 day ago"): the text is the same throughout
    a bucket, so it need not be computed (a costly call) for a card the cache already has."""
    age = int((now - created_at).total_seconds())
    if age < MINUTE:
        unit = 1
    elif age < HOUR:
        unit = MINUTE
    elif age < WEEK:
        unit = HOUR
    else:
        unit = DAY
    return unit, age // unit


def _card_key(
    post: Any, thread: Thread, now: datetime, *, can_accept: bool, can_moderate: bool
) -> str:
    author = post.author
    parts = (
        CARD_VERSION,
        translation.get_language(),
        timezone.get_current_timezone_name(),
        thread.pk,
        thread.is_question,
        thread.author_id,
        can_accept,
        can_moderate,
        post.pk,
        post.body_html,
        post.created_at,
        _age_bucket(post.created_at, now),
        post.edited_at,
        post.score,
        post.is_hidden,
        post.is_opening,
        post.is_cross_org,
        post.author_id,
        author.display_name,
        author.email if not author.display_name else "",
        post.my_vote,
        post.is_accepted,
        post.can_vote,
        post.can_edit,
        post.can_flag,
        post.is_routed,
    )
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f"post-card:{digest}"


def attach_post_cards(
    request: HttpRequest,
    thread: Thread,
    posts: Iterable[Post],
    *,
    can_accept: bool,
    can_moderate: bool,
) -> None:
    """Set `post.card` (safe HTML) on each post; the posts carry `my_vote`, `is_accepted`,
    `can_vote`, `can_edit`, `can_flag` and `is_routed` already. Renders only the cards the
    cache does not have, and stores them."""
    posts = list(posts)
    now = timezone.now()
    keys = {
        post.pk: _card_key(post, thread, now, can_accept=can_accept, can_moderate=can_moderate)
        for post in posts
    }
    found = cache.get_many(list(keys.values()))
    rendered: dict[str, str] = {}
    template = None
    for post in posts:
        key = keys[post.pk]
        html = found.get(key) or rendered.get(key)
        if html is None:
            template = template or get_template(POST_PARTIAL)
            post.natural_time = naturaltime(post.created_at)  # type: ignore[attr-defined]
            html = template.render(
                {
                    "post": post,
                    "thread": thread,
                    "my_vote": post.my_vote,  # type: ignore[attr-defined]
                    "can_accept": can_accept,
                    "can_moderate": can_moderate,
                    "flag_reasons": FlagReason.choices,
                    "csrf_token": CSRF_PLACEHOLDER,
                }
            )
            rendered[key] = html
        post.card = html  # type: ignore[attr-defined]
    if rendered:
        cache.set_many(rendered, CARD_SECONDS)
    token = get_token(request)
    for post in posts:
        post.card = mark_safe(post.card.replace(CSRF_PLACEHOLDER, token))  # type: ignore[attr-defined]  # noqa: S308 — rendered by our own autoescaping template


def thread_head_key(thread: Thread, topics: list[Any], target_minutes: int) -> str | None:
    """The cache key of the page's viewer-independent parts around the posts (the header with
    breadcrumbs and banners, the response-time card: `thread.html#head` and `#facts`), made of
    everything they read; None for an urgent question, whose time left is counted live."""
    if thread.is_urgent:
        return None
    duplicate_of = thread.duplicate_of if thread.duplicate_of_id else None
    community = thread.community
    parts = (
        CARD_VERSION,
        translation.get_language(),
        timezone.get_current_timezone_name(),
        thread.pk,
        thread.kind,
        thread.state,
        thread.title,
        thread.is_locked,
        thread.is_hidden,
        thread.created_at,
        _age_bucket(thread.created_at, timezone.now()),
        thread.view_count,
        thread.merged_into_id,
        thread.duplicate_of_id,
        duplicate_of.title if duplicate_of is not None else "",
        thread.first_response_seconds,
        thread.accepted_answer_seconds,
        [(topic.slug, topic.name) for topic in topics],
        community.slug,
        community.name,
        target_minutes,
    )
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f"thread-head:{digest}"
