"""A thread page's posts, each rendered once and kept in the cache as a fragment.

Rendering 30 answers through the template engine costs far more than the page's queries, yet a
post's card changes only when the post does (its text, score, hiding), when its relative time
reads differently, or for a viewer with other rights. So each card is cached under a key made
of everything the `thread.html#post` partial reads: the post's own fields, its author's name,
the viewer's vote and rights, the language and time zone. A fragment is a pure function of its
key, so nothing has to be invalidated: a change makes a new key, and old keys expire.

The CSRF token differs per browser, so a card is kept as the pieces around its token's places
and each viewer gets them joined with their own (`practica.core.fragments`).
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

from practica.core.fragments import Pieces, render_around_token, with_token
from practica.discussions.models import FlagReason, Thread
from practica.discussions.queries import PostRow

POST_PARTIAL = "discussions/thread.html#post"
# Bump when the partial changes, so a shared cache never serves an older card layout.
CARD_VERSION = "4"
CARD_SECONDS = 60 * 60
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


def _card_key(common: bytes, post: PostRow, now: datetime) -> str:
    """The card's key: `common` (what is the same for every card of the page: see
    `attach_post_cards`), and everything of the post that the `thread.html#post` partial reads."""
    author = post.author
    parts = (
        post.pk,
        post.body_html,
        post.created_at.timestamp(),
        _age_bucket(post.created_at, now),
        post.edited_at.timestamp() if post.edited_at is not None else None,
        post.score,
        post.is_hidden,
        post.is_opening,
        post.is_cross_org,
        post.origin,
        post.attachments,
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
    digest = hashlib.blake2b(common + repr(parts).encode(), digest_size=16).hexdigest()
    return f"post-card:{digest}"


def attach_post_cards(
    request: HttpRequest,
    thread: Thread,
    posts: Iterable[PostRow],
    *,
    can_accept: bool,
    can_moderate: bool,
) -> None:
    """Set `post.card` (safe HTML) on each post (`queries.PostRow`, carrying `can_vote`,
    `can_edit`, `can_flag` and `is_routed` already). Renders only the cards the cache does
    not have, from the rows alone, and stores them."""
    posts = list(posts)
    now = timezone.now()
    common = repr(
        (
            CARD_VERSION,
            translation.get_language(),
            timezone.get_current_timezone_name(),
            thread.pk,
            thread.is_question,
            thread.author_id,
            can_accept,
            can_moderate,
        )
    ).encode()
    keys = [_card_key(common, post, now) for post in posts]
    found = cache.get_many(keys)
    rendered: dict[str, Pieces] = {}
    token = get_token(request)
    for post, key in zip(posts, keys, strict=True):
        pieces = found.get(key) or rendered.get(key)
        if pieces is None:
            pieces = rendered[key] = _render_card(
                {
                    "post": post,
                    "natural_time": naturaltime(post.created_at),
                    "thread": thread,
                    "my_vote": post.my_vote,
                    "can_accept": can_accept,
                    "can_moderate": can_moderate,
                    "flag_reasons": FlagReason.choices,
                }
            )
        post.card = with_token(pieces, token)
    if rendered:
        cache.set_many(rendered, CARD_SECONDS)


def _render_card(context: dict[str, Any]) -> Pieces:
    template = get_template(POST_PARTIAL)
    return render_around_token(
        lambda placeholder: template.render({**context, "csrf_token": placeholder})
    )


def thread_head_key(thread: Thread, topics: list[Any], target_minutes: int) -> str | None:
    """The cache key of the page's viewer-independent parts around the posts (the header with
    breadcrumbs and banners, the response-time card: `thread.html#head` and `#facts`), made of
    everything they read; None for an urgent question, whose time left is counted live.

    Only the view count is in it roughly (its power of two): it grows with every counted
    view, so taken exactly it would throw the fragment away on each. The count shown is at
    most as old as the fragment, which lives an hour at most (`{% cache 3600 %}`)."""
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
        thread.view_count.bit_length(),
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
