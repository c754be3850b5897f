"""Reply by email in a real Chromium: a member reads a question, another answers from their mail
client (SMTP to `practica mailserver`, at the Reply-To address of the list mail they got), and
the answer appears on the question page, marked as written by email."""

import smtplib
from email.message import EmailMessage

import pytest
from playwright.sync_api import expect

from practica.discussions.models import ThreadKind
from practica.discussions.services import threads as services
from practica.mail.addresses import reply_address
from practica.mail.mailserver import MailServer
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.people import DEFAULT_PASSWORD, UserFactory
from tests.mail.conftest import free_port

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "How do we shard a 70B model across two nodes?"


def test_a_reply_by_email_appears_on_the_question_page(page, transactional_db):
    community = CommunityFactory(name="Machine Learning", slug="machine-learning")
    asker = MembershipFactory(
        community=community,
        person=UserFactory(email="ada@example.com", display_name="Ada Asker"),
    ).person
    answerer = MembershipFactory(
        community=community,
        person=UserFactory(email="raj@example.com", display_name="Raj Responder"),
    ).person
    thread = services.create_thread(
        community=community,
        author=asker,
        kind=ThreadKind.QUESTION,
        title=TITLE,
        body="Tensor parallel inside a node, pipeline across?",
    )

    mail = EmailMessage()
    mail["From"] = "Raj Responder <raj@example.com>"
    mail["To"] = reply_address(person_id=answerer.pk, thread_id=thread.pk)
    mail["Subject"] = f"Re: [machine-learning] {TITLE}"
    mail["Message-ID"] = "<raj-1@example.com>"
    mail["In-Reply-To"] = f"<thread-{thread.pk}@127.0.0.1>"
    mail.set_content(
        "Yes: tensor parallel within the node, pipeline parallel across nodes.\n"
        "-- \nRaj\nSent from my phone\n"
    )
    server = MailServer(port=free_port())
    server.start()
    try:
        with smtplib.SMTP("127.0.0.1", server.port) as client:
            client.send_message(mail, from_addr="raj@example.com", to_addrs=[mail["To"]])
    finally:
        server.stop()

    sign_in(page, "ada@example.com", DEFAULT_PASSWORD)
    page.goto(f"/questions/{thread.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    answer = page.locator("article", has_text="tensor parallel within the node")
    expect(answer).to_be_visible()
    expect(answer).to_contain_text("Raj Responder")
    expect(answer).to_contain_text("by email")
    expect(answer).not_to_contain_text("Sent from my phone")  # the signature stays in the mail
    assert_accessible(page, "a question with an answer by email")
