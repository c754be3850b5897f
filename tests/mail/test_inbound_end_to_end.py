"""End to end with discussions' real list handler: mail in becomes threads and posts."""

import pytest

from practica.communities.models import MembershipRole
from practica.discussions.models import Post, PostOrigin, Thread
from practica.discussions.services.inbound import DiscussionListHandler
from practica.mail.addresses import reply_address
from practica.mail.hooks import list_handler
from practica.mail.models import InboundMessage, InboundStatus, InboundVia, OutboundMessage
from practica.mail.services.inbound import approve_held_message, receive_message
from tests.concurrency import postgres_only, run_concurrently
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.mail.inbound_doubles import list_to, make_message, registered_handler

pytestmark = pytest.mark.django_db


@pytest.fixture
def community(db):
    return CommunityFactory(slug="ml", name="Machine Learning")


@pytest.fixture
def ada(community):
    return MembershipFactory(community=community, person__email="ada@example.org").person


def receive(raw: bytes, to: str | None = None, *, sender: str = "ada@example.org"):
    return receive_message(
        raw=raw, envelope_from=sender, recipient=to or list_to("ml"), via=InboundVia.SMTP
    )


def test_discussions_registers_its_list_handler():
    assert isinstance(list_handler(), DiscussionListHandler)


@pytest.fixture
def real_handler():
    with registered_handler(DiscussionListHandler()) as handler:
        yield handler


def test_member_mail_starts_a_thread_and_reply_key_mail_posts_in_it(real_handler, community, ada):
    opening_raw = make_message(
        sender="Ada <ada@example.org>",
        subject="How do you version datasets?",
        body="We use DVC for our training data. What do you use?\n",
    )

    started = receive(opening_raw)

    assert started.status == InboundStatus.POSTED, started
    thread = Thread.objects.get(community=community)
    assert thread.title == "How do you version datasets?"
    opening = Post.objects.get(thread=thread, is_opening=True)
    assert (opening.author, opening.origin) == (ada, PostOrigin.EMAIL)
    assert opening.email_message_id == InboundMessage.objects.get(pk=started.inbound_id).message_id
    assert started.result_url.endswith(f"/{thread.pk}/") or str(thread.pk) in started.result_url

    grace = MembershipFactory(community=community, person__email="grace@example.org").person
    key = reply_address(person_id=grace.pk, thread_id=thread.pk)
    reply_raw = make_message(
        sender="Grace <grace@example.org>",
        to=key,
        subject="Re: [ml] How do you version datasets?",
        body=(
            "We moved to lakeFS last year.\n\n"
            "On Mon, 1 Jan 2024, Ada wrote:\n> We use DVC for our training data.\n"
        ),
        headers={"In-Reply-To": opening.email_message_id},
    )

    replied = receive(reply_raw, to=key, sender="grace@example.org")

    assert replied.status == InboundStatus.POSTED, replied
    reply = Post.objects.get(thread=thread, is_opening=False)
    assert (reply.author, reply.origin) == (grace, PostOrigin.EMAIL)
    assert "lakeFS" in reply.body
    assert "We use DVC" not in reply.body  # the quoted history is stripped

    again = receive(reply_raw, to=key, sender="grace@example.org")
    assert again.status == InboundStatus.DUPLICATE
    assert Post.objects.filter(thread=thread).count() == 2


def test_list_mail_answering_a_thread_is_a_reply_in_it(real_handler, community, ada):
    first = make_message(sender="ada@example.org", subject="Feature stores", body="Anyone?\n")
    receive(first)
    thread = Thread.objects.get()
    opening = Post.objects.get(thread=thread)
    grace = MembershipFactory(community=community, person__email="grace@example.org").person

    outcome = receive(
        make_message(
            sender="grace@example.org",
            subject="Re: Feature stores",
            body="Feast works for us.\n",
            headers={"References": opening.email_message_id},
        ),
        sender="grace@example.org",
    )

    assert outcome.status == InboundStatus.POSTED
    assert Thread.objects.count() == 1
    assert Post.objects.get(thread=thread, is_opening=False).author == grace


def test_a_real_refusal_is_mailed_back(real_handler, community, ada):
    outcome = receive(make_message(sender="ada@example.org", subject="Empty", body="\n"))

    assert outcome.status == InboundStatus.REJECTED
    assert OutboundMessage.objects.filter(
        idempotency_key=f"inbound-refused:{outcome.inbound_id}", to_email=ada.email
    ).exists()


def test_an_approved_message_from_an_outsider_becomes_a_thread(real_handler, community):
    organizer = MembershipFactory(community=community, role=MembershipRole.ORGANIZER).person
    raw = make_message(sender="Lin Wei <lin@example.net>", subject="Hello from outside")
    outcome = receive(raw)
    held_row = InboundMessage.objects.get(pk=outcome.inbound_id)

    approved = approve_held_message(inbound=held_row, actor=organizer)

    post = Post.objects.get(pk=int(approved.result_ref.removeprefix("post:")))
    assert post.author.email == "lin@example.net"
    assert post.author.is_placeholder
    assert post.thread.community == community


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_one_message_delivered_by_eight_connections_makes_one_thread():
    community = CommunityFactory(slug="ml")
    MembershipFactory(community=community, person__email="ada@example.org")
    raw = make_message(sender="ada@example.org", subject="Concurrent", body="Only once.\n")

    with registered_handler(DiscussionListHandler()):
        errors = run_concurrently([lambda: receive(raw) for _ in range(8)])

    assert errors == []
    assert Thread.objects.filter(community=community).count() == 1
    assert Post.objects.count() == 1
    statuses = sorted(InboundMessage.objects.values_list("status", flat=True))
    assert statuses == [InboundStatus.DUPLICATE] * 7 + [InboundStatus.POSTED]
