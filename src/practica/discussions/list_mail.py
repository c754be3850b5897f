"""List mail: each post, as the community's mailing list sends it to members in list mode.

Nothing here writes: `services.list_mail` picks the recipients and enqueues what this builds.

A post is one message with one Message-ID for every recipient (its own, or the one it arrived
with by email), threaded by In-Reply-To and References to its parent and its thread's root. What
differs per recipient is only the envelope and the links that identify them:

- `Reply-To: reply+<key>@…` — replying posts in the thread as that member (see `mail.addresses`);
- the envelope sender `bounce+<key>@…` (VERP) — a bounce names the member whose address failed;
- `List-Unsubscribe` with RFC 8058's one-click POST, for that member and that list.

The From header is the list's address with the author's name ("Ada via Machine Learning"), as
Mailman does under DMARC: the author's own domain would fail alignment from our servers.
A grassroots group's thread is mail of the group's own list (`<community>.<group>@`, its own
List-Id and subject tag); unsubscribing still means the community's list, whose delivery
choice the group's members' mail follows.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import formataddr

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from practica.discussions.email import (
    TEMPLATE_DIR,
    absolute_url,
    mail_language,
    post_message_id,
    thread_path,
)
from practica.discussions.models import Post, Thread
from practica.mail.addresses import (
    bounce_address,
    group_list_address,
    group_list_id,
    list_address,
    list_id,
    loop_marker,
    reply_address,
)
from practica.mail.services import OutgoingMail
from practica.mail.services.subscriptions import list_unsubscribe_url

_UNSUBSCRIBE_SLOT = "\x00unsubscribe\x00"
_DELIVERY_SLOT = "\x00delivery\x00"


@dataclass(frozen=True)
class ListMailRecipient:
    person_id: int
    email: str
    language: str = ""


def threading_headers(post: Post, *, root: str, parent: str) -> dict[str, str]:
    """Message-ID, and for a reply In-Reply-To (its parent, else the root) and References."""
    headers = {"Message-ID": post_message_id(post)}
    if post.is_opening:
        return headers
    parent = parent or root
    headers["In-Reply-To"] = parent
    headers["References"] = root if parent == root else f"{root} {parent}"
    return headers


def thread_list_address(thread: Thread) -> str:
    """The list a thread's mail belongs to: its group's, or its community's."""
    slug = thread.community.slug
    return group_list_address(slug, thread.group.slug) if thread.group else list_address(slug)


def list_subject(thread: Thread, post: Post) -> str:
    slug = thread.community.slug
    tag = f"[{slug}.{thread.group.slug}]" if thread.group else f"[{slug}]"
    return f"{tag} {thread.title}" if post.is_opening else f"Re: {tag} {thread.title}"


def list_headers(thread: Thread, *, author_name: str) -> dict[str, str]:
    """The headers every recipient of a list post shares (RFC 2369, 2919, 3834)."""
    community, group = thread.community, thread.group
    address = thread_list_address(thread)
    name = f"{community.name} · {group.name}" if group else community.name
    identifier = group_list_id(community.slug, group.slug) if group else list_id(community.slug)
    archive = absolute_url(thread_path(thread))
    return {
        "From": formataddr(
            (_("%(author)s via %(list)s") % {"author": author_name, "list": name}, address)
        ),
        "Sender": address,
        "List-Id": f"{name} <{identifier}>",
        "List-Post": f"<mailto:{address}>",
        "List-Archive": f"<{archive}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Precedence": "list",
        "X-Loop": loop_marker(),
        "X-Auto-Response-Suppress": "OOF, AutoReply",
    }


def attachment_path(attachment_id: int) -> str:
    return reverse("discussions:attachment", args=[attachment_id])


def _render(post: Post, thread: Thread, language: str) -> tuple[str, str]:
    with translation.override(language):
        context = {
            "post": post,
            "thread": thread,
            "community": thread.community,
            "author_name": str(post.author),
            "thread_url": absolute_url(thread_path(thread, None if post.is_opening else post.pk)),
            "list_address": thread_list_address(thread),
            "attachments": [
                (attachment.filename, absolute_url(attachment_path(attachment.pk)))
                for attachment in post.attachments.all()
            ],
            "unsubscribe_url": _UNSUBSCRIBE_SLOT,
            "delivery_url": _DELIVERY_SLOT,
        }
        return (
            render_to_string(f"{TEMPLATE_DIR}/list_post.txt", context),
            render_to_string(f"{TEMPLATE_DIR}/list_post.html", context),
        )


def list_mail_key(*, post_id: int, person_id: int) -> str:
    return f"list.post-{post_id}.to-{person_id}"


def list_post_mails(
    *,
    post: Post,
    thread: Thread,
    recipients: Sequence[ListMailRecipient],
    root: str,
    parent: str,
    delivery_url: str,
) -> list[OutgoingMail]:
    """One mail per recipient of `post`; rendered once per language, then personalised."""
    shared = list_headers(thread, author_name=str(post.author)) | threading_headers(
        post, root=root, parent=parent
    )
    subject = list_subject(thread, post)
    rendered: dict[str, tuple[str, str]] = {}
    mails = []
    for recipient in recipients:
        language = mail_language(recipient.language)
        if language not in rendered:
            rendered[language] = _render(post, thread, language)
        text, html = rendered[language]
        unsubscribe = list_unsubscribe_url(
            person_id=recipient.person_id, community_id=thread.community_id
        )
        mails.append(
            OutgoingMail(
                to=recipient.email,
                subject=subject,
                body_text=text.replace(_UNSUBSCRIBE_SLOT, unsubscribe).replace(
                    _DELIVERY_SLOT, delivery_url
                ),
                body_html=html.replace(_UNSUBSCRIBE_SLOT, unsubscribe).replace(
                    _DELIVERY_SLOT, delivery_url
                ),
                idempotency_key=list_mail_key(post_id=post.pk, person_id=recipient.person_id),
                from_email=bounce_address(person_id=recipient.person_id),
                headers={
                    **shared,
                    "Reply-To": reply_address(person_id=recipient.person_id, thread_id=thread.pk),
                    "List-Unsubscribe": f"<{unsubscribe}>",
                },
            )
        )
    return mails
