"""The rules every post obeys, shared by threads and moderation: limits, validation of titles,
bodies and topics, the posting rate limit, Markdown with @mentions, the thread row lock, and
the state a question settles in."""

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.communities.models import Community
from practica.core.markdown import extract_mentions, render_markdown
from practica.core.models import Topic
from practica.discussions.models import (
    MAX_POST_LENGTH,
    MAX_TITLE_LENGTH,
    Mention,
    Post,
    QASettings,
    Thread,
    ThreadKind,
    ThreadState,
)
from practica.discussions.permissions import can_moderate
from practica.people.models import User

MIN_QUESTION_TITLE = 10
MAX_TOPICS = 5


def qa_settings_for(community_id: int, *, create_missing: bool = False) -> QASettings:
    """The community's Q&A settings, the one place that reads them for services.

    A community without a settings row gets the defaults: unsaved, so reads (routing, a beat
    task over many communities) never write; or saved first with `create_missing`, which
    posting uses so a community in use has a row its managers can change. No lock: the
    one-to-one constraint settles two first writers.
    """
    found = QASettings.objects.filter(community_id=community_id).first()
    if found is not None:
        return found
    if not create_missing:
        return QASettings(community_id=community_id)
    try:
        with transaction.atomic():
            return QASettings.objects.create(community_id=community_id)
    except IntegrityError:
        # Another writer created them at the same moment.
        return QASettings.objects.get(community_id=community_id)


def members_by_handle(handles: Iterable[str]) -> dict[str, User]:
    """Active members whose email local part is one of the handles (case-insensitive);
    placeholders of the list archive are nobody to notify."""
    handles = [handle.lower() for handle in handles if handle]
    if not handles:
        return {}
    query = Q()
    for handle in handles:
        query |= Q(email__istartswith=f"{handle}@")
    found: dict[str, User] = {}
    for person in User.objects.filter(query, is_active=True, is_placeholder=False).order_by("pk"):
        found.setdefault(person.email.split("@", 1)[0].lower(), person)
    return found


def render_post_body(body: str) -> tuple[str, list[User]]:
    """The post's HTML, with @mentions of members linked to their profiles, and those members."""
    people = members_by_handle(extract_mentions(body))
    urls = {
        handle: reverse("people:profile", args=[person.pk]) for handle, person in people.items()
    }
    return render_markdown(body, mentions=urls), list(people.values())


def clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something before posting.")})
    if len(body) > MAX_POST_LENGTH:
        raise ValidationError(
            {
                "body": _("A post can be at most %(max)d characters; this one has %(n)d.")
                % {"max": MAX_POST_LENGTH, "n": len(body)}
            }
        )
    return body


def clean_title(title: str, kind: str) -> str:
    title = " ".join((title or "").split())
    minimum = MIN_QUESTION_TITLE if kind == ThreadKind.QUESTION else 1
    if len(title) < minimum:
        raise ValidationError(
            {"title": _("A question's title needs at least %(min)d characters.") % {"min": minimum}}
            if kind == ThreadKind.QUESTION
            else {"title": _("A discussion needs a title.")}
        )
    if len(title) > MAX_TITLE_LENGTH:
        raise ValidationError(
            {"title": _("A title can be at most %(max)d characters.") % {"max": MAX_TITLE_LENGTH}}
        )
    return title


def clean_topics(topics: Iterable[Any]) -> list[Topic]:
    """Topics given as Topic rows or ids; every one must exist."""
    ids = []
    for topic in topics or ():
        pk = topic.pk if isinstance(topic, Topic) else topic
        try:
            ids.append(int(pk))
        except (TypeError, ValueError):
            raise ValidationError({"topics": _("Unknown topic.")}) from None
    ids = list(dict.fromkeys(ids))
    if len(ids) > MAX_TOPICS:
        raise ValidationError({"topics": _("Choose at most %(max)d topics.") % {"max": MAX_TOPICS}})
    found = list(Topic.objects.filter(pk__in=ids))
    if len(found) != len(ids):
        raise ValidationError({"topics": _("Unknown topic.")})
    return found


def check_rate_limit(*, author: User, community: Community) -> None:
    """At most QASettings.posts_per_hour posts per member per hour in a community
    (moderators are exempt)."""
    if can_moderate(author, community):
        return
    limit = qa_settings_for(community.pk, create_missing=True).posts_per_hour
    since = timezone.now() - timedelta(hours=1)
    recent = Post.objects.filter(
        author=author, thread__community=community, created_at__gte=since
    ).count()
    if recent >= limit:
        raise ValidationError(
            {
                "body": _(
                    "You have posted %(n)d times in the last hour in this community, its limit. "
                    "Please wait a little before posting again."
                )
                % {"n": recent}
            }
        )


def lock_thread_row(thread: Thread) -> Thread:
    """The thread, re-read under a row lock (Thread select_for_update)."""
    return Thread.objects.select_for_update().select_related("community").get(pk=thread.pk)


def add_mentions(post: Post, people: Iterable[User]) -> list[Mention]:
    """Mention rows for members named in the post (not its author), once per post."""
    existing = set(post.mentions.values_list("person_id", flat=True))
    new = [
        Mention(post=post, person=person)
        for person in people
        if person.pk != post.author_id and person.pk not in existing
    ]
    return Mention.objects.bulk_create(new)


def settled_state(thread: Thread) -> str:
    """The state a thread returns to when nothing closes it."""
    if thread.accepted_answer_id:
        return ThreadState.ACCEPTED
    if thread.kind == ThreadKind.QUESTION and thread.first_response_at is not None:
        return ThreadState.ANSWERED
    return ThreadState.OPEN
