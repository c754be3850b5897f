"""Sending posts to the list: every member in mailing-list mode gets each post by mail.

A post's list mail is enqueued after the post commits (`schedule_list_mail`, on commit), by a
task, because a list of thousands means thousands of outbox rows that the poster should not
wait for. Nothing is lost if the worker or broker is down: `send_pending_list_mail` (beat,
every minute) mails recent posts whose list mail was never enqueued. Nothing is sent twice:
the post row is locked while its mail is enqueued and marked (`list_mail_sent_at`), and every
mail's idempotency key names the post and the recipient.
"""

from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from practica.discussions import list_mail
from practica.discussions.email import post_message_id, thread_message_id
from practica.discussions.models import Post, PostOrigin, Subscription, SubscriptionLevel
from practica.mail.models import DeliveryMode
from practica.mail.queries import list_recipients
from practica.mail.services import enqueue_messages
from practica.mail.services.subscriptions import list_delivery_url

# Older posts are history (imports, a long outage): mailing them now would surprise everyone.
PENDING_WINDOW = timedelta(days=2)


def schedule_list_mail(post: Post) -> None:
    """After the current transaction commits, have a worker send `post` to the list."""
    from practica.discussions.tasks import send_post_to_list_task

    transaction.on_commit(partial(send_post_to_list_task.delay, post.pk))


def _message_ids(post: Post) -> tuple[str, str]:
    """The Message-IDs of the thread's root and of the post's parent (the root for an answer
    to the opening post), as their mail carried them."""
    related = Post.objects.filter(thread_id=post.thread_id).filter(
        Q(is_opening=True) | Q(pk=post.reply_to_id or 0)
    )
    by_pk = {
        row.pk: row for row in related.only("pk", "thread_id", "is_opening", "email_message_id")
    }
    opening = next((row for row in by_pk.values() if row.is_opening), None)
    root = post_message_id(opening) if opening else thread_message_id(post.thread)
    parent = by_pk.get(post.reply_to_id or 0)
    return root, post_message_id(parent) if parent and not parent.is_opening else root


def send_post_to_list(*, post_id: int) -> int:
    """Enqueue `post`'s list mail to every member whose delivery is every message.

    Not sent to its author, to members who muted the thread, for hidden posts or threads, or
    for posts from the archive. A grassroots group's thread goes to the group's current
    members only (by their delivery choice for the community's list), from the group's list.
    Locks the post row (select_for_update) so concurrent calls mail once; returns how many
    mails this call enqueued (0 when already sent).
    """
    with transaction.atomic():
        post = (
            Post.objects.select_for_update()
            .select_related("thread", "thread__community", "author")
            .filter(pk=post_id)
            .first()
        )
        if post is None or post.list_mail_sent_at is not None:
            return 0
        thread = post.thread
        now = timezone.now()
        count = 0
        if not (post.is_hidden or thread.is_hidden or post.origin == PostOrigin.ARCHIVE):
            muted = Subscription.objects.filter(
                thread_id=thread.pk, person_id=OuterRef("pk"), level=SubscriptionLevel.MUTED
            )
            people = (
                list_recipients(
                    community_id=thread.community_id,
                    mode=DeliveryMode.EVERY,
                    group_id=thread.group_id,
                )
                .exclude(pk=post.author_id)
                .exclude(Exists(muted))
                .values_list("pk", "email", "preferred_language")
            )
            recipients = [
                list_mail.ListMailRecipient(person_id=pk, email=email, language=language)
                for pk, email, language in people.iterator(chunk_size=2000)
                if email
            ]
            if recipients:
                root, parent = _message_ids(post)
                enqueue_messages(
                    mails=list_mail.list_post_mails(
                        post=post,
                        thread=thread,
                        recipients=recipients,
                        root=root,
                        parent=parent,
                        delivery_url=list_delivery_url(community_slug=thread.community.slug),
                    )
                )
                count = len(recipients)
        Post.objects.filter(pk=post.pk).update(list_mail_sent_at=now)
    return count


def send_pending_list_mail(*, now: datetime | None = None) -> int:
    """Beat: send the list mail of recent posts that never had it enqueued (a lost task)."""
    now = now or timezone.now()
    pending = Post.objects.filter(
        list_mail_sent_at__isnull=True,
        created_at__gte=now - PENDING_WINDOW,
        created_at__lte=now - timedelta(minutes=1),  # the on-commit task is still on its way
    ).values_list("pk", flat=True)
    return sum(send_post_to_list(post_id=pk) for pk in list(pending[:500]))
