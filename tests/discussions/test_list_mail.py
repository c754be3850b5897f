"""List mail out: every post to members in mailing-list mode, threaded, with list headers."""

from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from django.core.mail import EmailMultiAlternatives

from practica.discussions.models import (
    DiscussionPreferences,
    EmailMode,
    Notification,
    PostOrigin,
    Subscription,
    SubscriptionLevel,
)
from practica.discussions.services import list_mail as services
from practica.discussions.services.threads import create_thread, post_reply
from practica.mail.addresses import read_recipient
from practica.mail.models import (
    DeliveryMode,
    ListSettings,
    ListSubscription,
    MailboxHealth,
    OutboundMessage,
)
from practica.mail.queries import list_recipients
from practica.mail.services import build_email_message
from tests.concurrency import postgres_only, run_concurrently
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.discussions import PostFactory, QuestionFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.unit


@pytest.fixture
def community(db):
    return CommunityFactory(name="Machine Learning", slug="machine-learning")


def member(community, mode=None, **user_fields):
    person = UserFactory(**user_fields)
    MembershipFactory(community=community, person=person)
    if mode:
        ListSubscription.objects.create(person=person, community=community, mode=mode)
    return person


def list_mail_to(person):
    return OutboundMessage.objects.filter(
        to_email=person.email, idempotency_key__startswith="list."
    )


def parsed(row: OutboundMessage):
    message: EmailMultiAlternatives = build_email_message(row)
    return message_from_bytes(message.message().as_bytes(), policy=default_policy), message


# --- Who gets the list copy ------------------------------------------------------------------


def test_only_members_in_every_message_mode_get_a_post(community):
    every, daily, default = (
        member(community, DeliveryMode.EVERY),
        member(community, DeliveryMode.DAILY),
        member(community),
    )
    outsider = UserFactory()
    ListSubscription.objects.create(person=outsider, community=community, mode=DeliveryMode.EVERY)
    question = QuestionFactory(community=community)

    post = PostFactory(thread=question, author=member(community))
    sent = services.send_post_to_list(post_id=post.pk)

    assert sent == 1
    assert list_mail_to(every).count() == 1
    assert not list_mail_to(daily).exists()
    assert not list_mail_to(default).exists()  # the default is a daily digest
    assert not list_mail_to(outsider).exists()  # not a member (any more)


def test_the_list_default_applies_to_members_who_never_chose(community):
    ListSettings.objects.create(community=community, default_mode=DeliveryMode.EVERY)
    chose_none = member(community, DeliveryMode.NONE)
    never_chose = member(community)

    assert set(list_recipients(community_id=community.pk, mode=DeliveryMode.EVERY)) == {never_chose}
    assert set(list_recipients(community_id=community.pk, mode=DeliveryMode.NONE)) == {chose_none}


def test_the_author_muters_suspended_and_inactive_members_get_no_copy(community):
    author = member(community, DeliveryMode.EVERY)
    muter = member(community, DeliveryMode.EVERY)
    suspended = member(community, DeliveryMode.EVERY)
    inactive = member(community, DeliveryMode.EVERY, is_active=False)
    reader = member(community, DeliveryMode.EVERY)
    question = QuestionFactory(community=community)
    Subscription.objects.create(person=muter, thread=question, level=SubscriptionLevel.MUTED)
    MailboxHealth.objects.create(person=suspended, hard_bounces=3, suspended_at=question.created_at)

    post = PostFactory(thread=question, author=author)
    services.send_post_to_list(post_id=post.pk)

    recipients = set(
        OutboundMessage.objects.filter(idempotency_key__startswith="list.").values_list(
            "to_email", flat=True
        )
    )
    assert recipients == {reader.email}
    assert {muter.email, suspended.email, inactive.email, author.email}.isdisjoint(recipients)


def test_hidden_and_archived_posts_are_never_mailed_but_are_marked_done(community):
    member(community, DeliveryMode.EVERY)
    question = QuestionFactory(community=community)
    hidden = PostFactory(thread=question, is_hidden=True)
    archived = PostFactory(thread=question, origin=PostOrigin.ARCHIVE)

    assert services.send_post_to_list(post_id=hidden.pk) == 0
    assert services.send_post_to_list(post_id=archived.pk) == 0
    hidden.refresh_from_db()
    assert hidden.list_mail_sent_at is not None
    assert not OutboundMessage.objects.exists()


def test_sending_twice_sends_once(community):
    reader = member(community, DeliveryMode.EVERY)
    post = PostFactory(thread=QuestionFactory(community=community))

    assert services.send_post_to_list(post_id=post.pk) == 1
    assert services.send_post_to_list(post_id=post.pk) == 0
    assert services.send_post_to_list(post_id=999_999) == 0  # a post deleted since: nothing
    assert list_mail_to(reader).count() == 1


def test_posting_schedules_the_list_mail_on_commit(community, django_capture_on_commit_callbacks):
    reader = member(community, DeliveryMode.EVERY)
    author = member(community, DeliveryMode.EVERY)

    with django_capture_on_commit_callbacks(execute=True):
        thread = create_thread(
            community=community,
            author=author,
            kind="question",
            title="Which optimiser for sparse features?",
            body="Adam or Adagrad?",
        )
    with django_capture_on_commit_callbacks(execute=True):
        post_reply(thread=thread, author=reader, body="Adagrad, usually.")

    assert [row.subject for row in list_mail_to(reader)] == [
        "[machine-learning] Which optimiser for sparse features?"
    ]
    assert list_mail_to(author).get().subject == (
        "Re: [machine-learning] Which optimiser for sparse features?"
    )


def test_the_sweeper_mails_recent_posts_whose_task_was_lost(community):
    reader = member(community, DeliveryMode.EVERY)
    post = PostFactory(thread=QuestionFactory(community=community))

    assert services.send_pending_list_mail(now=post.created_at) == 0  # too fresh: task en route
    # The thread's opening post and the answer, one mail each.
    assert services.send_pending_list_mail(now=post.created_at + timedelta(minutes=5)) == 2
    assert services.send_pending_list_mail(now=post.created_at + timedelta(minutes=6)) == 0
    old = PostFactory(thread=post.thread)
    assert services.send_pending_list_mail(now=old.created_at + timedelta(days=3)) == 0
    assert list_mail_to(reader).count() == 2


# --- What the mail says ----------------------------------------------------------------------


def test_list_mail_carries_list_headers_threading_and_a_personal_reply_address(community):
    reader = member(community, DeliveryMode.EVERY)
    asker = member(community, display_name="Ada Asker")
    question = QuestionFactory(community=community, author=asker, title="Calibrating a model?")
    opening = question.posts.get(is_opening=True)
    answer = PostFactory(
        thread=question,
        body="Use **isotonic** regression.",
        body_html="<p>Use <strong>isotonic</strong> regression.</p>",
    )
    follow_up = PostFactory(thread=question, reply_to=answer, body="Thanks!")
    for post in (opening, answer, follow_up):
        services.send_post_to_list(post_id=post.pk)

    rows = list(list_mail_to(reader).order_by("pk"))
    first, second, third = (parsed(row)[0] for row in rows)
    root = first["Message-ID"]
    assert root == f"<thread-{question.pk}@127.0.0.1>"
    assert second["In-Reply-To"] == root
    assert second["References"] == root
    assert third["In-Reply-To"] == second["Message-ID"]
    assert third["References"] == f"{root} {second['Message-ID']}"

    message, django_message = parsed(rows[1])
    assert message["List-Id"] == "Machine Learning <machine-learning.lists.example.com>"
    assert message["List-Post"] == "<mailto:machine-learning@lists.example.com>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].strip().startswith("<http://127.0.0.1:8000/lists/")
    assert message["Precedence"] == "list"
    assert message["X-Loop"] == "practica@lists.example.com"
    assert "Auto-Submitted" not in message  # a person wrote it; the list only expands it
    assert "via Machine Learning" in message["From"]
    assert "machine-learning@lists.example.com" in message["From"]
    reply_to = read_recipient(message["Reply-To"].addresses[0].addr_spec)
    assert (reply_to.person_id, reply_to.thread_id) == (reader.pk, question.pk)
    bounce = read_recipient(django_message.from_email)
    assert bounce.person_id == reader.pk  # VERP: the envelope sender names the recipient
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Use **isotonic** regression." in text
    assert "<strong>isotonic</strong>" in html
    assert "Reply to this mail to post in the thread" in text


def test_mail_that_came_by_email_keeps_its_message_id(community):
    reader = member(community, DeliveryMode.EVERY)
    question = QuestionFactory(community=community)
    opening = question.posts.get(is_opening=True)
    opening.email_message_id = "<root@mail.example.com>"
    opening.save()
    reply = PostFactory(
        thread=question,
        reply_to=opening,
        origin=PostOrigin.EMAIL,
        email_message_id="<abc@mail.example.com>",
    )

    services.send_post_to_list(post_id=reply.pk)

    message, _ = parsed(list_mail_to(reader).get())
    assert message["Message-ID"] == "<abc@mail.example.com>"
    assert message["In-Reply-To"] == "<root@mail.example.com>"


def test_the_footer_is_in_the_readers_language(community):
    chinese = member(community, DeliveryMode.EVERY, preferred_language="zh-hans")
    post = PostFactory(thread=QuestionFactory(community=community))

    services.send_post_to_list(post_id=post.pk)

    text = list_mail_to(chinese).get().body_text
    assert "Reply to this mail" not in text
    assert "退订此邮件列表" in text


# --- Not twice: list copy and notification mail ----------------------------------------------


def test_members_in_list_mode_get_no_notification_mail_for_the_same_post(community):
    from practica.discussions.services.notifications import notify_new_post

    asker = member(community, DeliveryMode.EVERY)
    DiscussionPreferences.objects.create(person=asker, email_mode=EmailMode.IMMEDIATELY)
    other_asker = member(community)
    question = QuestionFactory(community=community, author=asker)
    other_question = QuestionFactory(community=community, author=other_asker)

    notify_new_post(PostFactory(thread=question))
    notify_new_post(PostFactory(thread=other_question))

    assert Notification.objects.filter(recipient=asker).count() == 1  # still in the app
    assert not OutboundMessage.objects.filter(
        to_email=asker.email, idempotency_key__startswith="discussions."
    ).exists()
    assert OutboundMessage.objects.filter(
        to_email=other_asker.email, idempotency_key__startswith="discussions."
    ).exists()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_of_one_post_enqueue_each_mail_once(community):
    readers = [member(community, DeliveryMode.EVERY) for _ in range(20)]
    post = PostFactory(thread=QuestionFactory(community=community))

    errors = run_concurrently([lambda: services.send_post_to_list(post_id=post.pk)] * 8)

    assert errors == []
    assert OutboundMessage.objects.filter(idempotency_key__startswith="list.").count() == len(
        readers
    )
