"""Mail about discussions: notification mail and the daily summary, built for the outbox.

Nothing here writes: services build `OutgoingMail`s with these functions and hand them to
`practica.mail.services.enqueue_messages` inside their own transaction.

Threading headers, so mail clients group all mail about a thread (and so list mail can reuse
them later): a thread's root Message-ID is `<thread-{pk}@{domain}>`; a post's is
`<post-{pk}@{domain}>`, except an opening post, which *is* the root. A notification mail has
its own Message-ID (one per notification and recipient, derived from its idempotency key, so a
retried enqueue keeps it) and points at the thread's root with In-Reply-To and References.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from practica.discussions.models import Notification, NotificationKind, Post, Thread
from practica.mail.services import OutgoingMail, site_mail_domain

EXCERPT_CHARS = 600
SUMMARY_MAX_ITEMS = 50
TEMPLATE_DIR = "discussions/mail"
_LANGUAGES = {code for code, _name in settings.LANGUAGES}


# --- Threading headers -----------------------------------------------------------------------


def thread_message_id(thread: Thread) -> str:
    """The root Message-ID of a thread (its opening post's mail, when list mail sends it)."""
    return f"<thread-{thread.pk}@{site_mail_domain()}>"


def post_message_id(post: Post) -> str:
    """A post's stable Message-ID: the one it arrived with by mail, else ours (an opening
    post's is its thread's root)."""
    if post.email_message_id:
        return post.email_message_id
    if post.is_opening:
        return f"<thread-{post.thread_id}@{site_mail_domain()}>"
    return f"<post-{post.pk}@{site_mail_domain()}>"


def notification_message_id(idempotency_key: str) -> str:
    token = "".join(ch if ch.isalnum() or ch in ".-" else "." for ch in idempotency_key)
    return f"<{token}@{site_mail_domain()}>"


# --- Links -----------------------------------------------------------------------------------


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _reverse_first(candidates: Iterable[tuple[str, dict[str, Any]]], fallback: str) -> str:
    for name, kwargs in candidates:
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return fallback


def thread_path(thread: Thread, post_id: int | None = None) -> str:
    """The thread page (anchored at a post). Reversed lazily: the web layer may come later."""
    path = _reverse_first(
        [
            ("discussions:thread", {"pk": thread.pk}),
            ("discussions:thread", {"slug": thread.community.slug, "pk": thread.pk}),
        ],
        fallback=f"/discussions/{thread.pk}/",
    )
    return f"{path}#post-{post_id}" if post_id else path


def preferences_path() -> str:
    """The member's notification settings; the home page until that page exists."""
    return _reverse_first([("discussions:preferences", {})], fallback="/")


def notifications_path() -> str:
    return _reverse_first([("discussions:notifications", {})], fallback="/")


# --- Words -----------------------------------------------------------------------------------


def notification_sentence(
    *, kind: str, actor_name: str, thread: Thread, data: dict[str, Any] | None = None
) -> str:
    """What happened, in the active language: used by mail, and by in-app lists if they like."""
    names = {"actor": actor_name or _("Someone"), "community": thread.community.name}
    if kind == NotificationKind.MENTION:
        return _("%(actor)s mentioned you.") % names
    if kind == NotificationKind.ANSWER:
        return _("%(actor)s answered your question.") % names
    if kind == NotificationKind.REPLY:
        return _("%(actor)s posted in a thread you watch.") % names
    if kind == NotificationKind.NEW_THREAD:
        if thread.is_question:
            return _("%(actor)s asked a new question in %(community)s.") % names
        return _("%(actor)s started a new discussion in %(community)s.") % names
    if kind == NotificationKind.ACCEPTED:
        return _("%(actor)s accepted your answer.") % names
    if kind == NotificationKind.ROUTED:
        asked = int((data or {}).get("asked") or 1)
        return ngettext(
            "%(actor)s asked a question you may be able to answer. You are the one person asked.",
            "%(actor)s asked a question you may be able to answer. "
            "You are one of %(count)d people asked.",
            asked,
        ) % {**names, "count": asked}
    if kind == NotificationKind.MODERATION:
        from practica.discussions.models.moderation import moderation_reason_text

        data = data or {}
        reason = moderation_reason_text(
            reason=data.get("reason", ""), flag_reasons=data.get("flag_reasons", [])
        )
        if data.get("action") == "unhidden":
            return _("%(actor)s made your post in %(community)s visible again.") % names
        if data.get("action") == "hidden" and reason:
            return _("%(actor)s hid your post in %(community)s. Reason: %(reason)s") % {
                **names,
                "reason": reason,
            }
        if data.get("action") == "hidden":
            return _("%(actor)s hid your post in %(community)s.") % names
    return _("%(actor)s moderated your post.") % names


def notification_subject(*, kind: str, thread: Thread) -> str:
    """`[Community] Title`; `[Community] Re: Title` for mail about a post in the thread."""
    title = " ".join(thread.title.split())
    if kind in (NotificationKind.NEW_THREAD, NotificationKind.ROUTED):
        return f"[{thread.community.name}] {title}"
    return f"[{thread.community.name}] Re: {title}"


def _reason(kind: str) -> str:
    if kind == NotificationKind.REPLY:
        return _("You receive this mail because you watch this thread.")
    if kind == NotificationKind.NEW_THREAD:
        return _("You receive this mail because you watch this community or one of its topics.")
    if kind == NotificationKind.ROUTED:
        return _("You receive this mail because your expertise matches this question.")
    if kind == NotificationKind.ANSWER:
        return _("You receive this mail because you asked this question.")
    if kind == NotificationKind.ACCEPTED:
        return _("You receive this mail because you answered this question.")
    if kind == NotificationKind.MENTION:
        return _("You receive this mail because you were mentioned.")
    if kind == NotificationKind.MODERATION:
        return _("You receive this mail because a moderator acted on your post.")
    return _("You receive this mail because it concerns you directly.")


# --- Building mail ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MailRecipient:
    """Who gets a notification mail, in which language and time zone, under which key."""

    email: str
    kind: str
    idempotency_key: str
    language: str = ""
    time_zone: str = "UTC"


def notification_mail_key(
    *, kind: str, recipient_id: int, thread_id: int, post_id: int | None
) -> str:
    """The outbox key of a notification's mail: one per notification, as the constraints say."""
    target = f"post-{post_id}" if post_id else f"thread-{thread_id}"
    return f"discussions.notification.{kind}.{target}.to-{recipient_id}"


def daily_summary_key(*, recipient_id: int, local_date: date) -> str:
    return f"discussions.daily-summary.{recipient_id}.{local_date.isoformat()}"


def mail_language(language: str) -> str:
    code = (language or "").lower()
    return code if code in _LANGUAGES else settings.LANGUAGE_CODE


def mail_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _base_headers(thread: Thread | None) -> dict[str, str]:
    headers = {
        "List-Unsubscribe": f"<{absolute_url(preferences_path())}>",
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
    }
    if thread is not None:
        root = thread_message_id(thread)
        headers |= {"In-Reply-To": root, "References": root}
    return headers


def _excerpt(post: Post | None) -> tuple[str, str]:
    if post is None:
        return "", ""
    text = Truncator(post.body).chars(EXCERPT_CHARS)
    html = Truncator(post.body_html).chars(EXCERPT_CHARS, html=True) if post.body_html else ""
    return text, html


def notification_mails(
    *,
    recipients: Sequence[MailRecipient],
    thread: Thread,
    post: Post | None,
    actor_name: str,
    data: dict[str, Any] | None = None,
) -> list[OutgoingMail]:
    """One mail per recipient about one event (a post, a new thread, an acceptance, a routing).

    Rendering is shared by recipients with the same kind, language and time zone (nothing in
    the body is personal), so a fan-out to thousands renders a handful of times.
    """
    excerpt_text, excerpt_html = _excerpt(post)
    link = absolute_url(thread_path(thread, post.pk if post and not post.is_opening else None))
    preferences = absolute_url(preferences_path())
    base_headers = _base_headers(thread)
    rendered: dict[tuple[str, str, str], tuple[str, str, str]] = {}
    mails = []
    for recipient in recipients:
        language = mail_language(recipient.language)
        cache_key = (recipient.kind, language, recipient.time_zone)
        if cache_key not in rendered:
            with translation.override(language), timezone.override(mail_zone(recipient.time_zone)):
                context = {
                    "kind": recipient.kind,
                    "sentence": notification_sentence(
                        kind=recipient.kind, actor_name=actor_name, thread=thread, data=data
                    ),
                    "thread": thread,
                    "community_name": thread.community.name,
                    "excerpt_text": excerpt_text,
                    "excerpt_html": excerpt_html,
                    "thread_url": link,
                    "preferences_url": preferences,
                    "reason": _reason(recipient.kind),
                    "respond_by": thread.respond_by if thread.is_urgent else None,
                }
                rendered[cache_key] = (
                    notification_subject(kind=recipient.kind, thread=thread),
                    render_to_string(f"{TEMPLATE_DIR}/notification.txt", context),
                    render_to_string(f"{TEMPLATE_DIR}/notification.html", context),
                )
        subject, text, html = rendered[cache_key]
        mails.append(
            OutgoingMail(
                to=recipient.email,
                subject=subject,
                body_text=text,
                body_html=html,
                idempotency_key=recipient.idempotency_key,
                headers={
                    "Message-ID": notification_message_id(recipient.idempotency_key),
                    **base_headers,
                },
            )
        )
    return mails


@dataclass(frozen=True)
class SummaryItem:
    sentence: str
    title: str
    community_name: str
    url: str
    created_at: Any


def daily_summary_mail(
    *,
    recipient: MailRecipient,
    notifications: Sequence[Notification],
    local_date: date,
) -> OutgoingMail:
    """The day's summary of `notifications` (threads, communities and actors selected)."""
    language = mail_language(recipient.language)
    with translation.override(language), timezone.override(mail_zone(recipient.time_zone)):
        items = [
            SummaryItem(
                sentence=notification_sentence(
                    kind=n.kind,
                    actor_name=str(n.actor) if n.actor else "",
                    thread=n.thread,
                    data=n.data,
                ),
                title=n.thread.title,
                community_name=n.thread.community.name,
                url=absolute_url(thread_path(n.thread, n.post_id)),
                created_at=n.created_at,
            )
            for n in notifications[:SUMMARY_MAX_ITEMS]
        ]
        count = len(notifications)
        context = {
            "items": items,
            "count": count,
            "more": max(0, count - SUMMARY_MAX_ITEMS),
            "local_date": local_date,
            "notifications_url": absolute_url(notifications_path()),
            "preferences_url": absolute_url(preferences_path()),
        }
        subject = ngettext(
            "Your daily summary: %(count)d notification",
            "Your daily summary: %(count)d notifications",
            count,
        ) % {"count": count}
        text = render_to_string(f"{TEMPLATE_DIR}/daily_summary.txt", context)
        html = render_to_string(f"{TEMPLATE_DIR}/daily_summary.html", context)
    return OutgoingMail(
        to=recipient.email,
        subject=subject,
        body_text=text,
        body_html=html,
        idempotency_key=recipient.idempotency_key,
        headers={
            "Message-ID": notification_message_id(recipient.idempotency_key),
            **_base_headers(None),
        },
    )
