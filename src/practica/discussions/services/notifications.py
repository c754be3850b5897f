"""Subscriptions, in-app notifications and their mail (immediately, as a daily summary, or none).

Who is told what (`notify_*` are called by the thread and routing services, inside their
transactions):

- a new post: mentioned members get MENTION (once, even if they also watch; a mute does not
  stop it); the asker gets ANSWER for an answer to their question; other watchers of the thread
  get REPLY; a member who muted the thread gets neither ANSWER nor REPLY;
- a new thread: watchers of its community, of any of its topics or of a topic above them get
  NEW_THREAD; members mentioned in the opening post get MENTION instead;
- an accepted answer: its author gets ACCEPTED; a routed question: the expert gets ROUTED;
- a post hidden or shown again by a moderator: its author gets MODERATION, with the reason.

Nobody is told about their own action, and nobody who cannot see the thread now (deactivated,
not a member of its closed community, a hidden thread) — except an author about the moderation
of their own post, which they are told even when it hid their whole thread. The poster starts
watching the thread (the asker when asking, an answerer when answering) unless they muted it.

Fan-out is set-based: one query picks the recipients with their mail preference, one bulk
insert writes the notifications, `enqueue_messages` writes the mail; no query per recipient.
No lock is taken: the unique constraints on Notification (one per recipient, post and kind;
one NEW_THREAD/ROUTED per recipient and thread) make a repeated or concurrent call add
nothing, and the outbox's idempotency keys do the same for mail.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, time
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.communities.models import Community, Membership
from practica.core.models import Topic
from practica.discussions import email as discussion_mail
from practica.discussions.models import (
    DiscussionPreferences,
    EmailMode,
    Mention,
    Notification,
    NotificationKind,
    Post,
    RoutedExpert,
    Subscription,
    SubscriptionLevel,
    Thread,
)
from practica.discussions.permissions import can_read_community_threads, can_view_thread
from practica.discussions.services.daily_summary import send_daily_summaries
from practica.mail.models import DeliveryMode
from practica.mail.queries import list_recipients
from practica.mail.services import enqueue_messages
from practica.people.models import User

__all__ = [
    "mark_notifications_read",
    "mark_thread_notifications_read",
    "notify_accepted",
    "notify_mentions",
    "notify_moderated",
    "notify_new_post",
    "notify_new_thread",
    "notify_routed",
    "send_daily_summaries",  # lives in `daily_summary`; the beat task imports it from here
    "set_discussion_preferences",
    "subscribe",
    "unsubscribe",
]

DEFAULT_EMAIL_MODE = DiscussionPreferences._meta.get_field("email_mode").default
MAX_OPEN_ROUTED = 20
_CHUNK = 500


# --- Recipients ------------------------------------------------------------------------------


def _people_who_can_see(thread: Thread) -> QuerySet[User]:
    """Active members who may see `thread` now, as one filter (no per-person check)."""
    if thread.is_hidden:
        return User.objects.none()
    people = User.objects.filter(is_active=True)
    if thread.community.is_closed:
        member_now = Membership.objects.current().filter(
            community_id=thread.community_id, person_id=OuterRef("pk")
        )
        people = people.filter(Q(is_staff=True) | Q(Exists(member_now)))
    return people


def _with_mail_mode(people: QuerySet[User]) -> QuerySet[User]:
    mode = DiscussionPreferences.objects.filter(person_id=OuterRef("pk")).values("email_mode")
    return people.annotate(mail_mode=Coalesce(Subquery(mode[:1]), Value(DEFAULT_EMAIL_MODE))).only(
        "pk", "email", "display_name", "preferred_language", "time_zone", "is_staff"
    )


def _watch(*, person_id: int, thread: Thread) -> None:
    """Start watching `thread`; an existing subscription (a mute, say) is left alone."""
    Subscription.objects.bulk_create(
        [Subscription(person_id=person_id, thread=thread, level=SubscriptionLevel.WATCHING)],
        ignore_conflicts=True,
    )


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _notify(
    *,
    thread: Thread,
    post: Post | None,
    actor: User | None,
    kinds: Mapping[int, str],
    people: Mapping[int, Any],
    data: dict[str, Any] | None = None,
    occurrence: str = "",
) -> int:
    """Write the notifications `kinds` (recipient id → kind) and mail those who want it now.

    Notifications that already exist (a repeated call) are neither written nor mailed again,
    unless `occurrence` names this one event of a kind that may happen again on the same post
    (MODERATION: hidden, shown, hidden again); its mail key then carries the occurrence.
    Returns how many notifications this call added.
    """
    if not kinds:
        return 0
    now = timezone.now()
    existing: set[tuple[int, str]] = set()
    if not occurrence:
        existing = set(
            Notification.objects.filter(
                thread=thread, post=post, kind__in=set(kinds.values())
            ).values_list("recipient_id", "kind")
        )
    new = {pk: kind for pk, kind in kinds.items() if (pk, kind) not in existing}
    if not new:
        return 0
    # Mail is enqueued in this transaction, so a notification is marked mailed as it is written.
    mailed = {
        pk for pk in new if people[pk].mail_mode == EmailMode.IMMEDIATELY and people[pk].email
    } - _getting_the_list_copy(thread, {pk for pk in new if new[pk] in _COVERED_BY_LIST_MAIL})
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                kind=kind,
                thread=thread,
                post=post,
                actor=actor,
                data=data or {},
                created_at=now,
                emailed_at=now if pk in mailed else None,
            )
            for pk, kind in new.items()
        ],
        ignore_conflicts=True,
        batch_size=_CHUNK,
    )
    recipients = [
        discussion_mail.MailRecipient(
            email=people[pk].email,
            kind=kind,
            idempotency_key=_mail_key(
                kind=kind, recipient_id=pk, thread=thread, post=post, occurrence=occurrence
            ),
            language=people[pk].preferred_language,
            time_zone=people[pk].time_zone,
        )
        for pk, kind in new.items()
        if pk in mailed
    ]
    if recipients:
        enqueue_messages(
            mails=discussion_mail.notification_mails(
                recipients=recipients,
                thread=thread,
                post=post,
                actor_name=str(actor) if actor else "",
                data=data,
            )
        )
    return len(new)


def _mail_key(
    *, kind: str, recipient_id: int, thread: Thread, post: Post | None, occurrence: str
) -> str:
    key = discussion_mail.notification_mail_key(
        kind=kind, recipient_id=recipient_id, thread_id=thread.pk, post_id=post.pk if post else None
    )
    return f"{key}.{occurrence}" if occurrence else key


# Members in mailing-list mode get every post from the list: a second mail about the same post
# would be noise. Mentions, acceptances, routings and moderation are still mailed.
_COVERED_BY_LIST_MAIL = {
    NotificationKind.NEW_THREAD,
    NotificationKind.REPLY,
    NotificationKind.ANSWER,
}


def _getting_the_list_copy(thread: Thread, person_ids: set[int]) -> set[int]:
    if not person_ids:
        return set()
    return set(
        list_recipients(community_id=thread.community_id, mode=DeliveryMode.EVERY)
        .filter(pk__in=person_ids)
        .values_list("pk", flat=True)
    )


def _ancestor_paths(paths: Iterable[str]) -> set[str]:
    """ "/a/b/" → {"/a/", "/a/b/"}: a topic and every topic above it."""
    found = set()
    for path in paths:
        parts = [part for part in path.split("/") if part]
        for depth in range(1, len(parts) + 1):
            found.add("/" + "/".join(parts[:depth]) + "/")
    return found


# --- Notifying -------------------------------------------------------------------------------


def notify_new_thread(thread: Thread) -> int:
    """NEW_THREAD to watchers of the community and of the thread's topics (and topics above);
    MENTION to members mentioned in the opening post. The asker starts watching the thread.

    Call after the opening post, its mentions and the thread's topics are saved. Returns how
    many notifications were added. No lock (see the module docstring).
    """
    with transaction.atomic():
        _watch(person_id=thread.author_id, thread=thread)
        opening = Post.objects.filter(thread=thread, is_opening=True).first()
        if opening is not None and opening.is_hidden:
            return 0
        targets = Q(community_id=thread.community_id)
        paths = _ancestor_paths(thread.topics.values_list("path", flat=True))
        if paths:
            targets |= Q(topic__in=Topic.objects.filter(path__in=paths))
        watchers = Subscription.objects.filter(targets, level=SubscriptionLevel.WATCHING)
        wanted = Q(pk__in=watchers.values("person_id"))
        mentions = Mention.objects.filter(post=opening) if opening else Mention.objects.none()
        if opening is not None:
            wanted |= Q(pk__in=mentions.values("person_id"))
        candidates = (
            _with_mail_mode(_people_who_can_see(thread))
            .filter(wanted)
            .exclude(pk=thread.author_id)
            .annotate(is_mentioned=Exists(mentions.filter(person_id=OuterRef("pk"))))
        )
        people = {person.pk: person for person in candidates}
        kinds = {
            pk: NotificationKind.MENTION if person.is_mentioned else NotificationKind.NEW_THREAD
            for pk, person in people.items()
        }
        return _notify(thread=thread, post=opening, actor=thread.author, kinds=kinds, people=people)


def notify_new_post(post: Post) -> int:
    """MENTION / ANSWER / REPLY for a new post (see the module docstring); the author starts
    watching the thread. Only mentions are notified for an opening post (new-thread notices
    come from `notify_new_thread`) and for an edited post (`edited_at` set: calling this after
    an edit that added mentions tells only the newly mentioned). Idempotent. No lock.
    """
    return _notify_post(post, mentions_only=post.is_opening or post.edited_at is not None)


def _notify_post(post: Post, *, mentions_only: bool) -> int:
    thread = post.thread
    with transaction.atomic():
        _watch(person_id=post.author_id, thread=thread)
        if post.is_hidden:
            return 0
        mentions = Mention.objects.filter(post=post)
        wanted = Q(pk__in=mentions.values("person_id"))
        asker_id = None
        if not mentions_only:
            watchers = Subscription.objects.filter(thread=thread, level=SubscriptionLevel.WATCHING)
            wanted |= Q(pk__in=watchers.values("person_id"))
            if thread.is_question and post.reply_to_id is None:
                asker_id = thread.author_id
                wanted |= Q(pk=asker_id)
        level = Subscription.objects.filter(thread=thread, person_id=OuterRef("pk")).values("level")
        candidates = (
            _with_mail_mode(_people_who_can_see(thread))
            .filter(wanted)
            .exclude(pk=post.author_id)
            .annotate(
                is_mentioned=Exists(mentions.filter(person_id=OuterRef("pk"))),
                thread_level=Subquery(level[:1]),
            )
        )
        people: dict[int, Any] = {}
        kinds: dict[int, str] = {}
        for person in candidates:
            if person.is_mentioned:
                kind = NotificationKind.MENTION
            elif mentions_only or person.thread_level == SubscriptionLevel.MUTED:
                continue
            elif person.pk == asker_id:
                kind = NotificationKind.ANSWER
            else:
                kind = NotificationKind.REPLY
            people[person.pk] = person
            kinds[person.pk] = kind
        return _notify(thread=thread, post=post, actor=post.author, kinds=kinds, people=people)


def notify_mentions(post: Post) -> int:
    """MENTION to the members mentioned in `post` not yet told (e.g. after an edit)."""
    return _notify_post(post, mentions_only=True)


def notify_accepted(thread: Thread, actor: User) -> int:
    """ACCEPTED to the author of the thread's accepted answer, unless they accepted it."""
    answer = thread.accepted_answer
    if answer is None or answer.author_id == actor.pk:
        return 0
    with transaction.atomic():
        people = {
            person.pk: person
            for person in _with_mail_mode(_people_who_can_see(thread)).filter(pk=answer.author_id)
        }
        kinds = dict.fromkeys(people, NotificationKind.ACCEPTED)
        return _notify(thread=thread, post=answer, actor=actor, kinds=kinds, people=people)


def notify_routed(routed_expert: RoutedExpert, *, asked: int | None = None) -> int:
    """ROUTED to an expert picked for a question, with how many were asked in the same round
    (`data["asked"]`; counted from the round unless given). Call after the whole round is
    saved. The asker is the actor."""
    thread = routed_expert.thread
    with transaction.atomic():
        if asked is None:
            asked = RoutedExpert.objects.filter(round_id=routed_expert.round_id).count()
        people = {
            person.pk: person
            for person in _with_mail_mode(_people_who_can_see(thread))
            .filter(pk=routed_expert.person_id)
            .exclude(pk=thread.author_id)
        }
        kinds = dict.fromkeys(people, NotificationKind.ROUTED)
        data = {"asked": asked, "round_id": routed_expert.round_id, "rank": routed_expert.rank}
        return _notify(
            thread=thread, post=None, actor=thread.author, kinds=kinds, people=people, data=data
        )


def notify_moderated(
    *,
    post: Post,
    actor: User,
    action: str,
    occurrence: str,
    reason: str = "",
    flag_reasons: Sequence[str] = (),
) -> int:
    """MODERATION to the author of `post` (its `thread` loaded with the community) when a
    moderator hid it (`action` "hidden") or showed it again ("unhidden"), with the moderator's
    `reason` and the reasons it was flagged for, kept in `data` to be worded in the author's
    language. Not when the author is the moderator, nor to a deactivated author. `occurrence`
    names this moderation (the caller's audit row), so each one is told once."""
    if post.author_id == actor.pk:
        return 0
    with transaction.atomic():
        # Not `_people_who_can_see`: hiding their question hides the thread from its author
        # too, and that is exactly what they should be told.
        authors = _with_mail_mode(User.objects.filter(pk=post.author_id, is_active=True))
        people = {person.pk: person for person in authors}
        kinds = dict.fromkeys(people, NotificationKind.MODERATION)
        data = {"action": action, "reason": reason, "flag_reasons": list(flag_reasons)}
        return _notify(
            thread=post.thread,
            post=post,
            actor=actor,
            kinds=kinds,
            people=people,
            data=data,
            occurrence=occurrence,
        )


# --- Subscriptions ---------------------------------------------------------------------------


def _one_target(thread: Any, topic: Any, community: Any) -> dict[str, Any]:
    chosen = {
        name: value
        for name, value in (("thread", thread), ("topic", topic), ("community", community))
        if value is not None
    }
    if len(chosen) != 1:
        raise ValidationError(
            {"target": _("Choose exactly one thing to watch: a thread, a topic or a community.")}
        )
    return chosen


def subscribe(
    *,
    person: User,
    thread: Thread | None = None,
    topic: Topic | None = None,
    community: Community | None = None,
    level: str = SubscriptionLevel.WATCHING,
) -> Subscription:
    """Watch (or mute) one thread, topic or community; changing the level of an existing
    subscription updates it. Locks the existing subscription row (`update_or_create`)."""
    target = _one_target(thread, topic, community)
    if level not in SubscriptionLevel.values:
        raise ValidationError({"level": _("Choose watching or muted.")})
    if not person.is_active:
        raise PermissionDenied(_("Deactivated accounts cannot watch anything."))
    if thread is not None and not can_view_thread(person, thread):
        raise PermissionDenied(_("You cannot see this thread."))
    if community is not None and not can_read_community_threads(person, community):
        raise PermissionDenied(_("Only members can watch a closed community."))
    with transaction.atomic():
        subscription, _created = Subscription.objects.update_or_create(
            person=person, **target, defaults={"level": level}
        )
    return subscription


def unsubscribe(
    *,
    person: User,
    thread: Thread | None = None,
    topic: Topic | None = None,
    community: Community | None = None,
) -> bool:
    """Stop watching (or muting) one target; True if there was a subscription to remove."""
    target = _one_target(thread, topic, community)
    with transaction.atomic():
        deleted, _detail = Subscription.objects.filter(person=person, **target).delete()
    return deleted > 0


# --- Reading and preferences -----------------------------------------------------------------


def mark_notifications_read(*, person: User, ids: Iterable[Any] | None = None) -> int:
    """Mark the member's unread notifications read (all, or those in `ids`); returns how many.
    Ids of other members' notifications are ignored. One UPDATE per 500 ids, no lock."""
    now = timezone.now()
    unread = Notification.objects.filter(recipient=person, read_at__isnull=True)
    if ids is None:
        with transaction.atomic():
            return unread.update(read_at=now)
    try:
        wanted = sorted({int(pk) for pk in ids})
    except (TypeError, ValueError):
        raise ValidationError({"ids": _("Notification ids must be whole numbers.")}) from None
    changed = 0
    with transaction.atomic():
        for chunk in _chunks(wanted):
            changed += unread.filter(pk__in=chunk).update(read_at=now)
    return changed


def mark_thread_notifications_read(*, person: User, thread: Thread) -> int:
    """Mark read what the member was told about `thread` (call when they open it)."""
    with transaction.atomic():
        return Notification.objects.filter(
            recipient=person, thread=thread, read_at__isnull=True
        ).update(read_at=timezone.now())


PREFERENCE_FIELDS = (
    "email_mode",
    "routing_opt_out",
    "quiet_hours_start",
    "quiet_hours_end",
    "max_open_routed",
)


def _parse_time(value: Any) -> time | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        return time.fromisoformat(value.strip())
    raise ValueError(value)


def set_discussion_preferences(*, person: User, **changes: Any) -> DiscussionPreferences:
    """Change the member's notification mail mode and routing preferences.

    `email_mode`: immediately, daily or off; quiet hours: both or neither, not equal;
    `max_open_routed`: 0–20. Any bad value changes nothing. Locks the member's preferences row.
    """
    unknown = sorted(set(changes) - set(PREFERENCE_FIELDS))
    if unknown:
        raise ValidationError({name: _("There is no such preference.") for name in unknown})
    errors: dict[str, str] = {}
    with transaction.atomic():
        preferences, _created = DiscussionPreferences.objects.select_for_update().get_or_create(
            person=person
        )
        if "email_mode" in changes:
            if changes["email_mode"] not in EmailMode.values:
                errors["email_mode"] = _("Choose immediately, daily summary or off.")
            else:
                preferences.email_mode = changes["email_mode"]
        if "routing_opt_out" in changes:
            if not isinstance(changes["routing_opt_out"], bool):
                errors["routing_opt_out"] = _("Choose yes or no.")
            else:
                preferences.routing_opt_out = changes["routing_opt_out"]
        for name in ("quiet_hours_start", "quiet_hours_end"):
            if name in changes:
                try:
                    setattr(preferences, name, _parse_time(changes[name]))
                except ValueError:
                    errors[name] = _("Enter a time such as 22:00.")
        if "max_open_routed" in changes:
            value = changes["max_open_routed"]
            try:
                number = int(value)
                if isinstance(value, bool) or str(number) != str(value).strip():
                    raise ValueError(value)
            except (TypeError, ValueError):
                errors["max_open_routed"] = _("Enter a whole number from 0 to 20.")
            else:
                if not 0 <= number <= MAX_OPEN_ROUTED:
                    errors["max_open_routed"] = _("Enter a whole number from 0 to 20.")
                else:
                    preferences.max_open_routed = number
        start, end = preferences.quiet_hours_start, preferences.quiet_hours_end
        if not errors and (start is None) != (end is None):
            errors["quiet_hours_end" if end is None else "quiet_hours_start"] = _(
                "Give both the start and the end of your quiet hours, or neither."
            )
        elif not errors and start is not None and start == end:
            errors["quiet_hours_end"] = _("Quiet hours must end at another time than they start.")
        if errors:
            transaction.set_rollback(True)
            raise ValidationError(errors)
        preferences.save()
    return preferences
