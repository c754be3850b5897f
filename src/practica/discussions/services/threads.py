"""Asking, answering, editing, voting, accepting, closing, duplicates and links.

Each function is one transaction. Locks, always in this order so writers never deadlock:
the thread row first (`Thread select_for_update`), then a post row (`Post select_for_update`).
On SQLite `select_for_update` is a no-op, but IMMEDIATE transactions serialise writers anyway.
Counters (`answer_count`, `score`) are changed with F() expressions under those locks.

Response-time facts are stored on the thread when they happen: `first_response_at` is the
first post by anyone other than the asker, `accepted_at` the first acceptance (cleared when the
answer is un-accepted). Each answer keeps the author's org unit and career level as they were,
and whether it crossed the org tree (at `QASettings.cross_org_depth`) or went up the ladder.
"""

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.communities.models import Community, Group
from practica.core.models import ActivityKind
from practica.core.services import record_activity, record_audit
from practica.discussions.models import (
    Post,
    PostOrigin,
    PostRevision,
    Thread,
    ThreadKind,
    ThreadLink,
    ThreadState,
    Vote,
)
from practica.discussions.permissions import (
    can_accept,
    can_close,
    can_edit_post,
    can_link,
    can_moderate,
    can_post_in,
    can_view_post,
    can_view_thread,
)
from practica.discussions.services.group_threads import check_group_thread, group_activity_data
from practica.discussions.services.posting_rules import (
    add_mentions,
    check_rate_limit,
    clean_body,
    clean_title,
    clean_topics,
    lock_thread_row,
    qa_settings_for,
    render_post_body,
    settled_state,
)
from practica.people.models import User
from practica.people.queries import org_unit_at_depth


def _search():  # type: ignore[no-untyped-def]
    from practica.discussions import search

    return search


def _notifications():  # type: ignore[no-untyped-def]
    from practica.discussions.services import notifications

    return notifications


def _list_mail():  # type: ignore[no-untyped-def]
    from practica.discussions.services import list_mail

    return list_mail


def _routing():  # type: ignore[no-untyped-def]
    from practica.discussions.services import routing

    return routing


# --- asking and answering -----------------------------------------------------------------


def create_thread(
    *,
    community: Community,
    author: User,
    kind: str,
    title: str,
    body: str,
    topics: Iterable[Any] = (),
    is_urgent: bool = False,
    origin: str = PostOrigin.WEB,
    email_message_id: str = "",
    group: Group | None = None,
) -> Thread:
    """Start a question or a discussion with its opening post (in `group`, a grassroots group
    of the community, if given: see `group_threads.check_group_thread`).

    An urgent question ("a customer is waiting") must be answered by `respond_by`, the
    community's response target from now. Records ASKED/DISCUSSED, indexes the thread for
    search, notifies watchers and (for questions) schedules routing to experts.
    No lock: a new row; the rate limit is counted inside the transaction.
    """
    if not can_post_in(author, community):
        raise PermissionDenied(_("Only members of %(name)s can post there.") % {"name": community})
    if group is not None:
        check_group_thread(author=author, community=community, group=group)
    if kind not in ThreadKind.values:
        raise ValidationError({"kind": _("Choose a question or a discussion.")})
    if is_urgent and kind != ThreadKind.QUESTION:
        raise ValidationError({"is_urgent": _("Only questions can be marked urgent.")})
    title = clean_title(title, kind)
    body = clean_body(body)
    topic_rows = clean_topics(topics)
    body_html, mentioned = render_post_body(body)
    with transaction.atomic():
        check_rate_limit(author=author, community=community)
        settings = qa_settings_for(community.pk, create_missing=True)
        now = timezone.now()
        thread = Thread.objects.create(
            community=community,
            group=group,
            kind=kind,
            title=title,
            author=author,
            is_urgent=bool(is_urgent),
            respond_by=now + timedelta(minutes=settings.response_target_minutes)
            if is_urgent
            else None,
            created_at=now,
            last_activity_at=now,
        )
        if topic_rows:
            thread.topics.set(topic_rows)
        post = Post.objects.create(
            thread=thread,
            author=author,
            is_opening=True,
            body=body,
            body_html=body_html,
            created_at=now,
            author_org_unit_id=author.org_unit_id,
            author_career_level=author.career_level,
            origin=origin,
            email_message_id=email_message_id,
        )
        add_mentions(post, mentioned)
        record_activity(
            kind=ActivityKind.ASKED if kind == ThreadKind.QUESTION else ActivityKind.DISCUSSED,
            person_id=author.pk,
            community_id=community.pk,
            subject=thread,
            occurred_at=now,
            data={
                "urgent": bool(is_urgent),
                "topics": [topic.pk for topic in topic_rows],
                **group_activity_data(thread),
            },
        )
        _search().index_thread(thread)  # indexes the opening post too
        _notifications().notify_new_thread(thread)
        _list_mail().schedule_list_mail(post)
        if kind == ThreadKind.QUESTION:
            _routing().schedule_routing(thread)
    return thread


def _cross_facts(*, thread: Thread, opening: Post, author: User) -> tuple[bool | None, bool | None]:
    """Whether an answer crosses the org tree and goes up the career ladder, as of the question
    (the opening post's snapshot); None when either side is unknown."""
    if author.pk == thread.author_id:
        return None, None
    cross_org = None
    if author.org_unit_id is not None and opening.author_org_unit_id is not None:
        depth = qa_settings_for(thread.community_id).cross_org_depth
        mine = org_unit_at_depth(author.org_unit, depth)
        theirs = org_unit_at_depth(opening.author_org_unit, depth)
        if mine is not None and theirs is not None:
            cross_org = mine.pk != theirs.pk
    cross_level = None
    if author.career_level is not None and opening.author_career_level is not None:
        cross_level = author.career_level < opening.author_career_level
    return cross_org, cross_level


def post_reply(
    *,
    thread: Thread,
    author: User,
    body: str,
    reply_to: Post | None = None,
    origin: str = PostOrigin.WEB,
    email_message_id: str = "",
) -> Post:
    """Answer a question, or reply in a discussion.

    Locks the thread row (Thread select_for_update) so the counters, the first-response time
    and the state move exactly once per post even when many people answer at once. The first
    post by someone other than the asker sets `first_response_at` and moves an open question
    to answered. Records ANSWERED (counterpart: the asker; cross-org, cross-level and seconds
    since the question) or REPLIED.
    """
    body = clean_body(body)
    body_html, mentioned = render_post_body(body)
    with transaction.atomic():
        thread = lock_thread_row(thread)
        _check_can_reply(author, thread)
        if reply_to is not None and reply_to.thread_id != thread.pk:
            raise ValidationError({"reply_to": _("You can only reply to a post in this thread.")})
        check_rate_limit(author=author, community=thread.community)
        opening = Post.objects.select_related("author_org_unit").get(thread=thread, is_opening=True)
        cross_org, cross_level = _cross_facts(thread=thread, opening=opening, author=author)
        now = timezone.now()
        post = Post.objects.create(
            thread=thread,
            author=author,
            reply_to=reply_to,
            body=body,
            body_html=body_html,
            created_at=now,
            author_org_unit_id=author.org_unit_id,
            author_career_level=author.career_level,
            is_cross_org=cross_org,
            is_cross_level=cross_level,
            origin=origin,
            email_message_id=email_message_id,
        )
        add_mentions(post, mentioned)
        changes: dict[str, Any] = {"answer_count": F("answer_count") + 1, "last_activity_at": now}
        is_response = author.pk != thread.author_id
        seconds = max(0, int((now - thread.created_at).total_seconds()))
        if is_response and thread.first_response_at is None:
            changes |= {"first_response_at": now, "first_response_seconds": seconds}
        if is_response and thread.is_question and thread.state == ThreadState.OPEN:
            changes["state"] = ThreadState.ANSWERED
        Thread.objects.filter(pk=thread.pk).update(**changes)
        if thread.is_question and is_response:
            record_activity(
                kind=ActivityKind.ANSWERED,
                person_id=author.pk,
                community_id=thread.community_id,
                subject=post,
                counterpart_id=thread.author_id,
                occurred_at=now,
                data={
                    "thread": thread.pk,
                    "cross_org": cross_org,
                    "cross_level": cross_level,
                    "seconds_since_question": seconds,
                    **group_activity_data(thread),
                },
            )
        else:
            record_activity(
                kind=ActivityKind.REPLIED,
                person_id=author.pk,
                community_id=thread.community_id,
                subject=post,
                counterpart_id=thread.author_id if is_response else None,
                occurred_at=now,
                data={"thread": thread.pk, **group_activity_data(thread)},
            )
        thread.refresh_from_db()
        post.thread = thread
        _search().index_post(post)
        _notifications().notify_new_post(post)
        _list_mail().schedule_list_mail(post)
        if thread.is_question and is_response:
            _routing().record_answer(post)
    return post


def _check_can_reply(author: User, thread: Thread) -> None:
    if not can_view_thread(author, thread) or not can_post_in(author, thread.community):
        raise PermissionDenied(
            _("Only members of %(name)s can post there.") % {"name": thread.community}
        )
    if thread.state == ThreadState.CLOSED or thread.merged_into_id is not None:
        raise ValidationError({"body": _("This thread is closed: it takes no new posts.")})
    if thread.is_locked and not can_moderate(author, thread.community):
        raise PermissionDenied(_("This thread is locked: only moderators can post in it."))


def edit_post(*, post: Post, editor: User, body: str, title: str | None = None) -> Post:
    """Change a post's text (and, on the opening post, the thread's title), keeping the previous
    version as a PostRevision. The author or a moderator; in a locked thread only a moderator.

    Locks the thread row, then the post row (Thread, Post select_for_update). Newly @mentioned
    members get Mention rows and a notification; nobody else is notified of an edit.
    """
    body = clean_body(body)
    body_html, mentioned = render_post_body(body)
    with transaction.atomic():
        thread = lock_thread_row(post.thread)
        post = Post.objects.select_for_update().get(pk=post.pk)
        post.thread = thread
        if not can_edit_post(editor, post):
            raise PermissionDenied(
                _("This thread is locked: only moderators can edit its posts.")
                if thread.is_locked and post.author_id == editor.pk
                else _("You can only edit your own posts.")
            )
        if title is not None and not post.is_opening:
            raise ValidationError({"title": _("Only the opening post carries the title.")})
        new_title = clean_title(title, thread.kind) if title is not None else thread.title
        if body == post.body and new_title == thread.title:
            return post
        now = timezone.now()
        PostRevision.objects.create(
            post=post,
            body=post.body,
            title=thread.title if post.is_opening else "",
            edited_by=editor,
            edited_at=now,
        )
        post.body, post.body_html, post.edited_at = body, body_html, now
        post.save(update_fields=["body", "body_html", "edited_at"])
        if add_mentions(post, mentioned):
            _notifications().notify_new_post(post)  # notifies only the newly mentioned
        if new_title != thread.title:
            thread.title = new_title
            thread.save(update_fields=["title"])
            _search().index_thread(thread)
        if editor.pk != post.author_id:
            record_audit(
                actor_id=editor.pk,
                action="post.edited",
                target=post,
                community_id=thread.community_id,
                data={"author": post.author_id},
            )
        _search().index_post(post)
    return post


# --- votes and accepted answers -------------------------------------------------------------


def vote(*, post: Post, voter: User, value: int) -> Post:
    """Vote +1 or -1 on a post, or 0 to withdraw one's vote; one vote per member per post.

    Changing a vote moves the score by the difference. A vote on the opening post is the
    question's score and moves Thread.score too. Locks the thread row, then the post row
    (Thread, Post select_for_update), so concurrent votes add up exactly.
    """
    if value not in (1, -1, 0):
        raise ValidationError({"value": _("A vote is +1, -1, or 0 to withdraw it.")})
    if post.author_id == voter.pk:
        raise ValidationError({"value": _("You cannot vote on your own post.")})
    with transaction.atomic():
        thread = lock_thread_row(post.thread)
        post = Post.objects.select_for_update().get(pk=post.pk)
        post.thread = thread
        if not can_view_post(voter, post):
            raise PermissionDenied(_("You cannot see this post."))
        existing = Vote.objects.filter(post=post, voter=voter).first()
        previous = existing.value if existing else 0
        delta = value - previous
        if delta == 0:
            return post
        if value == 0 and existing is not None:
            existing.delete()
        elif existing is not None:
            existing.value = value
            existing.save(update_fields=["value"])
        else:
            Vote.objects.create(post=post, voter=voter, value=value)
        Post.objects.filter(pk=post.pk).update(score=F("score") + delta)
        if post.is_opening:
            Thread.objects.filter(pk=thread.pk).update(score=F("score") + delta)
        record_activity(
            kind=ActivityKind.VOTED,
            person_id=voter.pk,
            community_id=thread.community_id,
            subject=post,
            counterpart_id=post.author_id,
            data={
                "thread": thread.pk,
                "value": value,
                "previous": previous,
                **group_activity_data(thread),
            },
        )
        post.refresh_from_db(fields=["score"])
    return post


def accept_answer(*, answer: Post, actor: User, thread: Thread | None = None) -> Thread:
    """Mark an answer as the accepted one (the asker or a moderator; may replace another).

    Pass `thread` when the answer was chosen from a thread's page: an answer of another
    thread is refused. Sets `accepted_at`/`accepted_answer_seconds` the first time. Records
    ACCEPTED (counterpart: the answerer). Locks the thread row (Thread select_for_update).
    """
    if thread is not None and answer.thread_id != thread.pk:
        raise ValidationError({"answer": _("That answer belongs to another question.")})
    with transaction.atomic():
        thread = lock_thread_row(answer.thread)
        answer = Post.objects.get(pk=answer.pk)
        if not thread.is_question:
            raise ValidationError({"answer": _("Only questions have accepted answers.")})
        if not can_accept(actor, thread):
            raise PermissionDenied(_("Only the asker or a moderator can accept an answer."))
        if answer.is_opening:
            raise ValidationError({"answer": _("The question itself cannot be its answer.")})
        if answer.is_hidden:
            raise ValidationError({"answer": _("A hidden post cannot be accepted.")})
        if thread.state == ThreadState.CLOSED:
            raise ValidationError({"answer": _("This question is closed.")})
        if thread.accepted_answer_id == answer.pk:
            return thread
        previous = thread.accepted_answer_id
        now = timezone.now()
        thread.accepted_answer = answer
        thread.state = ThreadState.ACCEPTED
        thread.last_activity_at = now
        if thread.accepted_at is None:
            thread.accepted_at = now
            thread.accepted_answer_seconds = max(0, int((now - thread.created_at).total_seconds()))
        thread.save(
            update_fields=[
                "accepted_answer",
                "state",
                "last_activity_at",
                "accepted_at",
                "accepted_answer_seconds",
            ]
        )
        record_activity(
            kind=ActivityKind.ACCEPTED,
            person_id=actor.pk,
            community_id=thread.community_id,
            subject=answer,
            counterpart_id=answer.author_id,
            occurred_at=now,
            data={
                "thread": thread.pk,
                "previous": previous,
                "seconds_since_question": thread.accepted_answer_seconds,
                "by_moderator": actor.pk != thread.author_id,
                **group_activity_data(thread),
            },
        )
        if actor.pk != thread.author_id:
            record_audit(
                actor_id=actor.pk,
                action="answer.accepted",
                target=answer,
                community_id=thread.community_id,
                data={"thread": thread.pk, "previous": previous},
            )
        _search().index_thread(thread)
        _routing().close_routing(thread)  # its experts are no longer waited on
        _notifications().notify_accepted(thread, actor)
    return thread


def unaccept_answer(*, thread: Thread, actor: User) -> Thread:
    """Withdraw the accepted answer; the question goes back to answered (or open).
    Locks the thread row (Thread select_for_update)."""
    with transaction.atomic():
        thread = lock_thread_row(thread)
        if not can_accept(actor, thread):
            raise PermissionDenied(
                _("Only the asker or a moderator can change the accepted answer.")
            )
        if thread.accepted_answer_id is None:
            return thread
        previous = thread.accepted_answer_id
        thread.accepted_answer = None
        thread.accepted_at = None
        thread.accepted_answer_seconds = None
        if thread.state == ThreadState.ACCEPTED:
            thread.state = settled_state(thread)
        thread.save(
            update_fields=["accepted_answer", "accepted_at", "accepted_answer_seconds", "state"]
        )
        record_audit(
            actor_id=actor.pk,
            action="answer.unaccepted",
            target=thread,
            community_id=thread.community_id,
            data={"previous": previous},
        )
        _search().index_thread(thread)
    return thread


# --- closing, duplicates, links -----------------------------------------------------------


def close_thread(*, thread: Thread, actor: User, reason: str = "") -> Thread:
    """Close a thread (its author or a moderator): no new posts. Locks the thread row."""
    with transaction.atomic():
        thread = lock_thread_row(thread)
        if not can_close(actor, thread):
            raise PermissionDenied(_("Only the author or a moderator can close this thread."))
        if thread.state == ThreadState.CLOSED:
            return thread
        thread.state = ThreadState.CLOSED
        thread.save(update_fields=["state"])
        record_audit(
            actor_id=actor.pk,
            action="thread.closed",
            target=thread,
            community_id=thread.community_id,
            data={"reason": reason[:500]},
        )
        _search().index_thread(thread)
        _routing().close_routing(thread)  # its experts are no longer waited on
    return thread


def reopen_thread(*, thread: Thread, actor: User, reason: str = "") -> Thread:
    """Reopen a closed thread into the state its answers give it. A merged thread stays closed.
    Locks the thread row."""
    with transaction.atomic():
        thread = lock_thread_row(thread)
        if not can_close(actor, thread):
            raise PermissionDenied(_("Only the author or a moderator can reopen this thread."))
        if thread.merged_into_id is not None:
            raise ValidationError({"thread": _("A merged thread cannot be reopened.")})
        if thread.state != ThreadState.CLOSED:
            return thread
        thread.duplicate_of = None
        thread.state = settled_state(thread)
        thread.save(update_fields=["state", "duplicate_of"])
        record_audit(
            actor_id=actor.pk,
            action="thread.reopened",
            target=thread,
            community_id=thread.community_id,
            data={"reason": reason[:500]},
        )
        _search().index_thread(thread)
    return thread


def mark_duplicate(*, thread: Thread, original: Thread, actor: User) -> Thread:
    """Close a thread as a duplicate of `original` (its author or a moderator), linking the two.
    Locks the thread row."""
    if original.pk == thread.pk:
        raise ValidationError({"original": _("A thread cannot duplicate itself.")})
    if not can_view_thread(actor, original):
        raise ValidationError({"original": _("Unknown thread.")})
    if original.duplicate_of_id == thread.pk:
        raise ValidationError({"original": _("That thread is marked as a duplicate of this one.")})
    with transaction.atomic():
        thread = lock_thread_row(thread)
        if not can_close(actor, thread):
            raise PermissionDenied(_("Only the author or a moderator can mark a duplicate."))
        thread.duplicate_of = original
        thread.state = ThreadState.CLOSED
        thread.save(update_fields=["duplicate_of", "state"])
        ThreadLink.objects.get_or_create(
            from_thread=thread, to_thread=original, defaults={"created_by": actor}
        )
        record_audit(
            actor_id=actor.pk,
            action="thread.marked_duplicate",
            target=thread,
            community_id=thread.community_id,
            data={"original": original.pk},
        )
        _search().index_thread(thread)
        _routing().close_routing(thread)  # its experts are no longer waited on
    return thread


def link_threads(*, from_thread: Thread, to_thread: Thread, actor: User) -> ThreadLink:
    """Link a thread to a related one; linking twice returns the existing link. No lock: the
    unique constraint one_link_per_pair settles races."""
    if from_thread.pk == to_thread.pk:
        raise ValidationError({"to_thread": _("A thread cannot link to itself.")})
    if not can_view_thread(actor, to_thread):
        raise ValidationError({"to_thread": _("Unknown thread.")})
    if not can_link(actor, from_thread):
        raise PermissionDenied(_("You cannot add links to this thread."))
    existing = ThreadLink.objects.filter(from_thread=from_thread, to_thread=to_thread).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return ThreadLink.objects.create(
                from_thread=from_thread, to_thread=to_thread, created_by=actor
            )
    except IntegrityError:
        return ThreadLink.objects.get(from_thread=from_thread, to_thread=to_thread)
