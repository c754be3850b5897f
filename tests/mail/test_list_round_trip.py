"""The list from end to end over real SMTP: a post goes out through the outbox to an SMTP
server (aiosmtpd), mail clients would thread what arrives, and a member's reply — sent with
smtplib to `practica mailserver`'s LMTP listener at the Reply-To address — lands in the thread."""

import smtplib
from email.message import EmailMessage

import pytest

from practica.discussions.models import Post, PostOrigin
from practica.discussions.services.list_mail import send_post_to_list
from practica.discussions.services.threads import create_thread, post_reply
from practica.mail.mailserver import MailServer
from practica.mail.models import DeliveryMode, ListSubscription
from practica.mail.services import deliver_due_messages
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.people import UserFactory
from tests.mail.conftest import free_port

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def community(transactional_db):
    return CommunityFactory(name="Machine Learning", slug="machine-learning")


def member(community, email, name, mode=DeliveryMode.EVERY):
    person = UserFactory(email=email, display_name=name)
    MembershipFactory(community=community, person=person)
    ListSubscription.objects.create(person=person, community=community, mode=mode)
    return person


def test_posts_arrive_threaded_and_a_reply_by_mail_lands_in_the_thread(community, smtp_server):
    asker = member(community, "ada@example.com", "Ada Asker")
    reader = member(community, "bo@example.com", "Bo Reader")
    thread = create_thread(
        community=community,
        author=asker,
        kind="question",
        title="Which tokenizer for code search?",
        body="BPE or unigram?",
    )
    opening = Post.objects.get(thread=thread, is_opening=True)
    answer = post_reply(thread=thread, author=reader, body="Unigram, with byte fallback.")
    send_post_to_list(post_id=opening.pk)
    send_post_to_list(post_id=answer.pk)

    deliver_due_messages()

    list_mail = [m for m in smtp_server.received if m.message["List-Post"]]  # not notifications
    to_reader = [m.message for m in list_mail if "bo@example.com" in m.rcpt_tos]
    to_asker = [m.message for m in list_mail if "ada@example.com" in m.rcpt_tos]
    assert [m["Subject"] for m in to_reader] == [
        "[machine-learning] Which tokenizer for code search?"
    ]
    [answer_mail] = to_asker  # nobody gets their own post
    assert answer_mail["In-Reply-To"] == to_reader[0]["Message-ID"]
    assert answer_mail["References"] == to_reader[0]["Message-ID"]
    assert answer_mail["List-Id"] == "Machine Learning <machine-learning.lists.example.com>"
    assert answer_mail.get_body(("plain",)).get_content().startswith("Unigram, with byte fallback.")

    # Ada replies from her mail client: to the Reply-To, quoting the answer below her text.
    reply = EmailMessage()
    reply["From"] = "Ada Asker <ada@example.com>"
    reply["To"] = str(answer_mail["Reply-To"])
    reply["Subject"] = f"Re: {answer_mail['Subject']}"
    reply["Message-ID"] = "<ada-reply-1@example.com>"
    reply["In-Reply-To"] = answer_mail["Message-ID"]
    reply["References"] = f"{answer_mail['References']} {answer_mail['Message-ID']}"
    reply.set_content(
        "Thanks, unigram it is.\n\nOn Mon, Bo Reader wrote:\n> Unigram, with byte fallback.\n"
    )
    server = MailServer(port=free_port(), lmtp=True)
    server.start()
    try:
        with smtplib.LMTP("127.0.0.1", server.port) as client:
            refused = client.send_message(
                reply,
                from_addr="ada@example.com",
                to_addrs=[answer_mail["Reply-To"].addresses[0].addr_spec],
            )
    finally:
        server.stop()

    assert refused == {}
    posted = Post.objects.get(email_message_id="<ada-reply-1@example.com>")
    assert posted.thread_id == thread.pk
    assert posted.author == asker
    assert posted.origin == PostOrigin.EMAIL
    assert posted.reply_to == answer
    assert posted.body == "Thanks, unigram it is."
