"""List mail in: a member's mail to the list starts a thread; a reply by mail posts in it.

Registered with `practica.mail.hooks` by `DiscussionsConfig.ready()`; the inbound service in
`mail` decides who sent what to which address (member, reply key, moderation, a group's list)
and calls these inside its transaction. Posts go through the same services as the web
(`create_thread`, `post_reply`), so the same rules hold: membership, locked threads, rate
limits, sizes. A refusal becomes `MailRefused` with the sentence the sender is mailed back.

Mail is plain text, so the body is kept as the sender wrote it (quotes and signature
stripped; `plain_text_as_markdown` keeps its line breaks), with the Message-ID it arrived
with, so replies to it from any mail client find the thread.
"""

import re
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils.text import Truncator, get_valid_filename
from django.utils.translation import gettext as _

from practica.communities.models import Community, Group
from practica.core.markdown import plain_text_as_markdown
from practica.discussions import email as discussion_mail
from practica.discussions.models import (
    MAX_POST_LENGTH,
    MAX_TITLE_LENGTH,
    Post,
    PostAttachment,
    PostOrigin,
    Thread,
    ThreadKind,
)
from practica.discussions.services.posting_rules import MIN_QUESTION_TITLE
from practica.discussions.services.threads import create_thread, post_reply
from practica.mail.hooks import HandledMail, MailRefused
from practica.mail.services import site_mail_domain
from practica.people.models import User

if TYPE_CHECKING:
    from practica.mail.models import InboundMessage
    from practica.mail.parsing import ParsedMessage

_OUR_ID = re.compile(r"^<(thread|post)-(\d+)@(.+)>$")


def _refusal(error: Exception) -> MailRefused:
    if isinstance(error, ValidationError):
        messages = [str(message) for message in error.messages]
        return MailRefused(" ".join(messages))
    return MailRefused(str(error) or _("You can't post there."))


def _body(message: "ParsedMessage") -> str:
    text = (message.reply_text or message.text or "").strip()
    if not text:
        raise MailRefused(_("Your mail had no text to post."))
    body = plain_text_as_markdown(text)
    if len(body) > MAX_POST_LENGTH:
        raise MailRefused(
            _("A post can be at most %(max)d characters; your mail has %(n)d.")
            % {"max": MAX_POST_LENGTH, "n": len(body)}
        )
    return body


def _title_and_kind(message: "ParsedMessage", body: str) -> tuple[str, str]:
    title = " ".join((message.subject_normalized or "").split())
    if not title:
        first_line = next((line for line in body.splitlines() if line.strip()), "")
        title = Truncator(first_line.rstrip("\\")).chars(80)
    title = Truncator(title).chars(MAX_TITLE_LENGTH)
    first_paragraph = body.split("\n\n", 1)[0]
    looks_like_question = "?" in title or "?" in first_paragraph or "？" in title
    if looks_like_question and len(title) >= MIN_QUESTION_TITLE:
        return title, ThreadKind.QUESTION
    return title, ThreadKind.DISCUSSION


def _save_attachments(post: Post, message: "ParsedMessage") -> None:
    """Keep the files the parser kept (it already dropped those over the list's limit)."""
    for index, attachment in enumerate(message.attachments):
        name = get_valid_filename(attachment.filename or f"attachment-{index + 1}") or "file"
        row = PostAttachment(
            post=post,
            filename=name[:255],
            content_type=(attachment.content_type or "application/octet-stream")[:127],
            size=attachment.size,
        )
        row.file.save(name, ContentFile(attachment.content), save=False)
        row.save()


def _handled(post: Post) -> HandledMail:
    thread = post.thread
    anchor = None if post.is_opening else post.pk
    return HandledMail(
        ref=f"post:{post.pk}",
        url=discussion_mail.absolute_url(discussion_mail.thread_path(thread, anchor)),
    )


def _referenced_ids(message: "ParsedMessage") -> list[str]:
    """The Message-IDs this mail answers, nearest first (In-Reply-To, then References)."""
    ids = [*message.in_reply_to, *reversed(message.references)]
    return list(dict.fromkeys(value for value in ids if value))


def _ids_of(post: Post) -> set[str]:
    """Every Message-ID mail about `post` may have carried."""
    domain = site_mail_domain()
    ids = {f"<post-{post.pk}@{domain}>"}
    if post.email_message_id:
        ids.add(post.email_message_id)
    if post.is_opening:
        ids.add(f"<thread-{post.thread_id}@{domain}>")
    return ids


def _posts_answered(message: "ParsedMessage") -> list[Post]:
    """Posts named by the mail's references (ours by their generated ids, others by the
    Message-ID they arrived with), the nearest reference first."""
    referenced = _referenced_ids(message)
    if not referenced:
        return []
    query = Q(email_message_id__in=referenced)
    for value in referenced:
        match = _OUR_ID.match(value)
        if match and match[3] == site_mail_domain():
            pk = int(match[2])
            query |= Q(thread_id=pk, is_opening=True) if match[1] == "thread" else Q(pk=pk)
    position = {value: index for index, value in enumerate(referenced)}
    found = Post.objects.filter(query).select_related("thread")
    return sorted(
        found, key=lambda post: min(position.get(value, len(position)) for value in _ids_of(post))
    )


class DiscussionListHandler:
    """The discussions side of `practica.mail.hooks.ListMailHandler`."""

    def start_thread(
        self,
        *,
        community: Community,
        author: User,
        message: "ParsedMessage",
        inbound: "InboundMessage",
        group: Group | None = None,
    ) -> HandledMail:
        body = _body(message)
        title, kind = _title_and_kind(message, body)
        try:
            thread = create_thread(
                community=community,
                author=author,
                kind=kind,
                title=title,
                body=body,
                origin=PostOrigin.EMAIL,
                email_message_id=message.message_id,
                group=group,
            )
        except (ValidationError, PermissionDenied) as error:
            raise _refusal(error) from error
        opening = Post.objects.select_related("thread").get(thread=thread, is_opening=True)
        _save_attachments(opening, message)
        return _handled(opening)

    def reply(
        self,
        *,
        thread_id: int,
        author: User,
        message: "ParsedMessage",
        inbound: "InboundMessage",
    ) -> HandledMail:
        thread = Thread.objects.select_related("community").filter(pk=thread_id).first()
        if thread is None:
            raise MailRefused(_("The thread you replied to no longer exists."))
        if thread.merged_into_id is not None:  # merged: the conversation goes on in the target
            thread = Thread.objects.select_related("community").get(pk=thread.merged_into_id)
        body = _body(message)
        reply_to = next(
            (post for post in _posts_answered(message) if post.thread_id == thread.pk), None
        )
        try:
            post = post_reply(
                thread=thread,
                author=author,
                body=body,
                reply_to=None if reply_to is None or reply_to.is_opening else reply_to,
                origin=PostOrigin.EMAIL,
                email_message_id=message.message_id,
            )
        except (ValidationError, PermissionDenied) as error:
            raise _refusal(error) from error
        _save_attachments(post, message)
        return _handled(post)

    def thread_replied_to(self, *, community: Any, message: "ParsedMessage") -> int | None:
        for post in _posts_answered(message):
            if post.thread.community_id == community.pk:
                return post.thread_id
        return None

    def is_duplicate(self, *, community: Any, message: "ParsedMessage") -> bool:
        if not message.message_id:
            return False
        return Post.objects.filter(
            email_message_id=message.message_id, thread__community_id=community.pk
        ).exists()
