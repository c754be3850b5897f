"""Moderation: flags, hiding posts, locking, moving and merging threads.

Moderators are a community's organizers, leaders and managers, and platform staff
(`discussions.permissions.can_moderate`). Every moderator action writes an audit row.
Locks follow the order of the threads services: thread rows first (Thread select_for_update;
two threads in primary-key order), then post and flag rows (select_for_update); every path
takes the thread row first, so the order among the rows under it never deadlocks.

Hiding a post settles every open flag on it, whichever screen it was hidden from, and tells
its author (as does showing it again), unless they moderated their own post.
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.communities.models import Community
from practica.core.models import AuditLogEntry
from practica.core.services import record_audit
from practica.discussions.models import Flag, FlagReason, Post, Thread, ThreadKind, ThreadState
from practica.discussions.permissions import can_flag, can_moderate
from practica.discussions.services.posting_rules import lock_thread_row, settled_state
from practica.people.models import User

MAX_FLAG_NOTE = 1000
FLAG_RESOLUTIONS = ("dismissed", "hidden")


def _routing():  # type: ignore[no-untyped-def]
    from practica.discussions.services import routing

    return routing


def _search():  # type: ignore[no-untyped-def]
    from practica.discussions import search

    return search


def _notifications():  # type: ignore[no-untyped-def]
    from practica.discussions.services import notifications

    return notifications


def _require_moderator(actor: User, community: Community) -> None:
    if not can_moderate(actor, community):
        raise PermissionDenied(_("Only the community's moderators can do this."))


def _audit(actor: User, action: str, subject: Any, community_id: int, **data: Any) -> AuditLogEntry:
    return record_audit(
        actor_id=actor.pk, action=action, target=subject, community_id=community_id, data=data
    )


# --- flags ---------------------------------------------------------------------------------


def flag_post(*, post: Post, actor: User, reason: str, note: str = "") -> Flag:
    """A member flags a post for the moderators; one flag per member per post (the unique
    constraint one_flag_per_member settles races). No lock."""
    if post.author_id == actor.pk:
        raise ValidationError({"reason": _("You cannot flag your own post.")})
    if not can_flag(actor, post):
        raise PermissionDenied(_("You cannot see this post."))
    if reason not in FlagReason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    note = (note or "").strip()
    if len(note) > MAX_FLAG_NOTE:
        raise ValidationError(
            {"note": _("A note can be at most %(max)d characters.") % {"max": MAX_FLAG_NOTE}}
        )
    if Flag.objects.filter(post=post, flagged_by=actor).exists():
        raise ValidationError({"reason": _("You have already flagged this post.")})
    try:
        with transaction.atomic():
            return Flag.objects.create(post=post, flagged_by=actor, reason=reason, note=note)
    except IntegrityError:
        raise ValidationError({"reason": _("You have already flagged this post.")}) from None


def _settle_open_flags(
    *, post: Post, actor: User, resolution: str, flag_ids: Iterable[int] | None = None
) -> list[Flag]:
    """Resolve the post's open flags (only those in `flag_ids`, if given) and return them.
    Call inside a transaction holding the thread row; locks the flag rows."""
    open_flags = Flag.objects.select_for_update().filter(post=post, resolved_at__isnull=True)
    if flag_ids is not None:
        open_flags = open_flags.filter(pk__in=list(flag_ids))
    settled = list(open_flags.order_by("pk"))
    if settled:
        Flag.objects.filter(pk__in=[flag.pk for flag in settled]).update(
            resolved_at=timezone.now(), resolved_by=actor, resolution=resolution
        )
    return settled


def resolve_flag(*, flag: Flag, actor: User, resolution: str) -> Flag:
    """A moderator settles a flag: "dismissed", or "hidden" (hides the post, which settles
    every open flag on it). Locks the flag's thread row, then the flag row."""
    if resolution not in FLAG_RESOLUTIONS:
        raise ValidationError({"resolution": _("Choose to dismiss the flag or hide the post.")})
    post = flag.post
    _require_moderator(actor, post.thread.community)
    with transaction.atomic():
        lock_thread_row(post.thread)
        flag = Flag.objects.select_for_update().get(pk=flag.pk)
        if flag.resolved_at is not None:
            raise ValidationError({"resolution": _("This flag has already been resolved.")})
        if resolution == "hidden":
            hide_post(post=post, actor=actor)
        else:
            _settle_open_flags(post=post, actor=actor, resolution=resolution, flag_ids=[flag.pk])
        _audit(actor, "flag.resolved", flag, post.thread.community_id, resolution=resolution)
        flag.refresh_from_db()
    return flag


def dismiss_flags(*, post: Post, actor: User, flag_ids: Iterable[int] | None = None) -> int:
    """A moderator dismisses the open flags on a post (those in `flag_ids`, or all of them):
    the post stays as it is. Returns how many were dismissed; none left open (another
    moderator was quicker) is a ValidationError. Locks the thread row, then the flag rows."""
    _require_moderator(actor, post.thread.community)
    with transaction.atomic():
        thread = lock_thread_row(post.thread)
        settled = _settle_open_flags(
            post=post, actor=actor, resolution="dismissed", flag_ids=flag_ids
        )
        if not settled:
            raise ValidationError({"resolution": _("These flags have already been resolved.")})
        for flag in settled:
            _audit(actor, "flag.resolved", flag, thread.community_id, resolution="dismissed")
    return len(settled)


# --- hiding posts --------------------------------------------------------------------------


def hide_post(*, post: Post, actor: User, reason: str = "") -> Post:
    """Hide a post from readers (its author and moderators still see it) and from search.
    Hiding the opening post hides the whole thread; a hidden answer stops counting and stops
    being the accepted one. Settles the post's open flags as "hidden" (even if it was hidden
    already) and tells the author, with `reason` and the reasons it was flagged for. Locks the
    thread row, then the post row, then its flag rows."""
    _require_moderator(actor, post.thread.community)
    with transaction.atomic():
        thread = lock_thread_row(post.thread)
        post = Post.objects.select_for_update().get(pk=post.pk)
        flags = _settle_open_flags(post=post, actor=actor, resolution="hidden")
        if post.is_hidden:
            return post
        post.is_hidden = True
        post.save(update_fields=["is_hidden"])
        if post.is_opening:
            Thread.objects.filter(pk=thread.pk).update(is_hidden=True)
        else:
            Thread.objects.filter(pk=thread.pk).update(answer_count=F("answer_count") - 1)
            if thread.accepted_answer_id == post.pk:
                thread.accepted_answer = None
                thread.accepted_at = None
                thread.accepted_answer_seconds = None
                thread.state = (
                    settled_state(thread) if thread.state == ThreadState.ACCEPTED else thread.state
                )
                thread.save(
                    update_fields=[
                        "accepted_answer",
                        "accepted_at",
                        "accepted_answer_seconds",
                        "state",
                    ]
                )
        flag_reasons = sorted({flag.reason for flag in flags})
        audited = {"flag_reasons": flag_reasons} if flag_reasons else {}
        entry = _audit(
            actor, "post.hidden", post, thread.community_id, reason=reason[:500], **audited
        )
        post.thread = thread
        _notifications().notify_moderated(
            post=post,
            actor=actor,
            action="hidden",
            reason=reason[:500],
            flag_reasons=flag_reasons,
            occurrence=f"audit-{entry.pk}",
        )
        _search().unindex_post(post)
        thread.refresh_from_db()
        # The thread's answered/accepted tags may have changed with the hidden answer.
        _search().index_thread(thread)
        if post.is_opening:
            _routing().close_routing(thread)  # a hidden question waits on nobody
    return post


def unhide_post(*, post: Post, actor: User, reason: str = "") -> Post:
    """Show a hidden post again (and its thread, for an opening post) and tell its author.
    Locks the thread row, then the post row."""
    _require_moderator(actor, post.thread.community)
    with transaction.atomic():
        thread = lock_thread_row(post.thread)
        post = Post.objects.select_for_update().get(pk=post.pk)
        if not post.is_hidden:
            return post
        post.is_hidden = False
        post.save(update_fields=["is_hidden"])
        if post.is_opening:
            Thread.objects.filter(pk=thread.pk).update(is_hidden=False)
        else:
            Thread.objects.filter(pk=thread.pk).update(answer_count=F("answer_count") + 1)
        entry = _audit(actor, "post.unhidden", post, thread.community_id, reason=reason[:500])
        post.thread = thread
        _notifications().notify_moderated(
            post=post,
            actor=actor,
            action="unhidden",
            reason=reason[:500],
            occurrence=f"audit-{entry.pk}",
        )
        _search().index_post(post)
        if post.is_opening:
            thread.refresh_from_db()
            _search().index_thread(thread)
    return post


# --- locking, moving, merging --------------------------------------------------------------


def _set_locked(*, thread: Thread, actor: User, locked: bool) -> Thread:
    _require_moderator(actor, thread.community)
    with transaction.atomic():
        thread = lock_thread_row(thread)
        if thread.is_locked == locked:
            return thread
        thread.is_locked = locked
        thread.save(update_fields=["is_locked"])
        _audit(actor, "thread.locked" if locked else "thread.unlocked", thread, thread.community_id)
    return thread


def lock_thread(*, thread: Thread, actor: User) -> Thread:
    """Lock a thread: only moderators may post or edit in it. Locks the thread row."""
    return _set_locked(thread=thread, actor=actor, locked=True)


def unlock_thread(*, thread: Thread, actor: User) -> Thread:
    """Unlock a thread. Locks the thread row."""
    return _set_locked(thread=thread, actor=actor, locked=False)


def move_thread(*, thread: Thread, to_community: Community, actor: User) -> Thread:
    """Move a thread to another community; the actor moderates both. Locks the thread row."""
    _require_moderator(actor, thread.community)
    if to_community.pk == thread.community_id:
        raise ValidationError({"to_community": _("The thread is already in that community.")})
    if not can_moderate(actor, to_community):
        raise PermissionDenied(_("You can only move threads into communities you moderate."))
    with transaction.atomic():
        thread = lock_thread_row(thread)
        from_id = thread.community_id
        thread.community = to_community
        thread.save(update_fields=["community"])
        _audit(actor, "thread.moved", thread, to_community.pk, from_community=from_id)
        _reindex(thread)
    return thread


def merge_threads(*, source: Thread, target: Thread, actor: User) -> Thread:
    """Move every post of `source` (keeping its time) into `target`, then close `source` with
    `merged_into`. The source's opening post becomes an ordinary post of the target. The
    target's answer count and last activity are recomputed; its first response is filled in
    if it had none. Locks both thread rows in primary-key order."""
    if source.pk == target.pk:
        raise ValidationError({"target": _("A thread cannot be merged into itself.")})
    _require_moderator(actor, source.community)
    _require_moderator(actor, target.community)
    with transaction.atomic():
        locked = {
            row.pk: row
            for row in Thread.objects.select_for_update()
            .select_related("community")
            .filter(pk__in=[source.pk, target.pk])
            .order_by("pk")
        }
        source, target = locked[source.pk], locked[target.pk]
        if source.merged_into_id is not None or target.merged_into_id is not None:
            raise ValidationError({"target": _("A merged thread cannot be merged again.")})
        moved = list(Post.objects.filter(thread=source).values_list("pk", flat=True))
        Post.objects.filter(pk__in=moved).update(thread=target, is_opening=False)
        target.topics.add(*source.topics.all())
        _recount(target)
        source.merged_into = target
        source.state = ThreadState.CLOSED
        source.answer_count = 0
        source.accepted_answer = None
        source.save(update_fields=["merged_into", "state", "answer_count", "accepted_answer"])
        _audit(
            actor,
            "thread.merged",
            source,
            target.community_id,
            target=target.pk,
            posts=len(moved),
        )
        _search().index_thread(source)
        _routing().close_routing(source)
        _reindex(target)
    return target


def _recount(thread: Thread) -> None:
    """Recompute the counters and first response of a thread from its posts."""
    visible = Post.objects.filter(thread=thread, is_hidden=False)
    thread.answer_count = visible.filter(is_opening=False).count()
    latest = visible.order_by("-created_at").values_list("created_at", flat=True).first()
    thread.last_activity_at = max(thread.last_activity_at, latest or thread.last_activity_at)
    fields = ["answer_count", "last_activity_at"]
    if thread.first_response_at is None:
        first = (
            Post.objects.filter(thread=thread, is_opening=False)
            .exclude(author_id=thread.author_id)
            .aggregate(first=Min("created_at"))["first"]
        )
        if first is not None:
            first = max(first, thread.created_at)
            thread.first_response_at = first
            thread.first_response_seconds = int((first - thread.created_at).total_seconds())
            fields += ["first_response_at", "first_response_seconds"]
            if thread.kind == ThreadKind.QUESTION and thread.state == ThreadState.OPEN:
                thread.state = ThreadState.ANSWERED
                fields.append("state")
    thread.save(update_fields=fields)


def _reindex(thread: Thread) -> None:
    """Refresh the search documents of all the thread's posts (B's index_thread does that)."""
    _search().index_thread(thread)
