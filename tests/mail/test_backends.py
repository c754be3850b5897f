"""Django mail → outbox rows, in the caller's transaction (no delivery in these tests)."""

import pytest
from django.core.mail import BadHeaderError, EmailMessage, EmailMultiAlternatives, send_mail
from django.db import transaction

from practica.core.outgoing_mail import IDEMPOTENCY_HEADER
from practica.mail.models import MessageStatus, OutboundMessage
from practica.mail.services import build_email_message, enqueue_message, normalize_idempotency_key

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def _send_then_fail() -> None:
    with transaction.atomic():
        send_mail("Lost", "text", None, ["ada@example.com"])
        raise RuntimeError("the action failed")


def test_send_mail_writes_one_queued_row_with_a_message_id():
    sent = send_mail("Welcome", "Hello there", None, ["ada@example.com"])

    assert sent == 1
    row = OutboundMessage.objects.get()
    assert row.status == MessageStatus.QUEUED
    assert row.to_email == "ada@example.com"
    assert row.subject == "Welcome"
    assert row.body_text == "Hello there"
    assert row.from_email == "Practica <practica@example.com>"
    assert row.idempotency_key.startswith("uuid:")
    assert row.message_id.startswith("<")
    assert row.message_id.endswith("@127.0.0.1>")


def test_idempotency_header_is_the_key_and_is_not_stored():
    EmailMultiAlternatives(
        "Hi", "text", to=["ada@example.com"], headers={IDEMPOTENCY_HEADER: "welcome-42"}
    ).send()

    row = OutboundMessage.objects.get()
    assert row.idempotency_key == "welcome-42"
    assert all(name.lower() != IDEMPOTENCY_HEADER.lower() for name in row.headers)


def test_same_key_twice_makes_one_row():
    for _ in range(2):
        message = EmailMessage("Hi", "text", to=["ada@example.com"])
        message.extra_headers[IDEMPOTENCY_HEADER] = "join-approved-7"
        assert message.send() == 1

    assert OutboundMessage.objects.filter(idempotency_key="join-approved-7").count() == 1


def test_rows_roll_back_with_their_cause():
    with pytest.raises(RuntimeError):
        _send_then_fail()

    assert not OutboundMessage.objects.exists()


def test_html_alternative_and_extra_headers_are_kept():
    message = EmailMultiAlternatives(
        "Digest",
        "plain text",
        to=["ada@example.com"],
        reply_to=["organizers@example.com"],
        headers={"List-Id": "<ml.lists.example.com>", IDEMPOTENCY_HEADER: "digest-1"},
    )
    message.attach_alternative("<p>rich text</p>", "text/html")
    message.send()

    row = OutboundMessage.objects.get()
    assert row.body_text == "plain text"
    assert row.body_html == "<p>rich text</p>"
    assert row.headers["List-Id"] == "<ml.lists.example.com>"
    assert row.headers["Reply-To"] == "organizers@example.com"


def test_html_only_message_gets_a_text_body():
    message = EmailMessage("Hi", "<p>Hello <b>you</b></p>", to=["ada@example.com"])
    message.content_subtype = "html"
    message.send()

    row = OutboundMessage.objects.get()
    assert row.body_html == "<p>Hello <b>you</b></p>"
    assert row.body_text == "Hello you"


def test_every_recipient_gets_a_row_sharing_one_message_id_and_bcc_stays_hidden():
    message = EmailMessage(
        "Meeting",
        "text",
        to=["ada@example.com", "Grace <grace@example.com>"],
        cc=["linus@example.com"],
        bcc=["secret@example.com", "ADA@example.com"],
        headers={IDEMPOTENCY_HEADER: "meeting-3"},
    )
    assert message.send() == 1

    rows = {row.to_email: row for row in OutboundMessage.objects.all()}
    assert set(rows) == {
        "ada@example.com",
        "Grace <grace@example.com>",
        "linus@example.com",
        "secret@example.com",
    }
    assert {row.idempotency_key for row in rows.values()} == {
        "meeting-3:ada@example.com",
        "meeting-3:grace@example.com",
        "meeting-3:linus@example.com",
        "meeting-3:secret@example.com",
    }
    assert len({row.message_id for row in rows.values()}) == 1
    for row in rows.values():
        assert row.headers["To"] == "ada@example.com, Grace <grace@example.com>"
        assert row.headers["Cc"] == "linus@example.com"
        assert "secret" not in str(row.headers)


def test_a_callers_message_id_is_kept():
    EmailMessage(
        "Post", "text", to=["ada@example.com"], headers={"Message-ID": "<post-9@lists.example.com>"}
    ).send()

    assert OutboundMessage.objects.get().message_id == "<post-9@lists.example.com>"


def test_header_injection_is_refused_and_writes_nothing():
    with pytest.raises(BadHeaderError):
        EmailMessage("Hi\nBcc: victim@example.com", "text", to=["ada@example.com"]).send()

    assert not OutboundMessage.objects.exists()


def test_text_attachments_are_carried_to_the_sent_mail():
    message = EmailMessage("Hi", "text", to=["ada@example.com"])
    message.attach("invite.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    message.send()

    row = OutboundMessage.objects.get()
    assert row.attachments == [
        {
            "filename": "invite.ics",
            "content": "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
            "mimetype": "text/calendar",
        }
    ]
    sent = build_email_message(row).message()
    parts = [part for part in sent.walk() if part.get_filename() == "invite.ics"]
    assert parts
    assert parts[0].get_content_type() == "text/calendar"
    assert "BEGIN:VCALENDAR" in parts[0].get_payload(decode=True).decode()


def test_binary_attachments_are_refused():
    message = EmailMessage("Hi", "text", to=["ada@example.com"])
    message.attach("photo.png", b"\x89PNG", "image/png")

    with pytest.raises(ValueError, match="attachments"):
        message.send()
    assert not OutboundMessage.objects.exists()


def test_fail_silently_swallows_a_refusal():
    message = EmailMessage("Hi", "text", to=["not-an-address"])

    assert message.send(fail_silently=True) == 0
    assert not OutboundMessage.objects.exists()


def test_enqueue_message_returns_the_existing_row_for_a_known_key():
    first = enqueue_message(
        to="ada@example.com", subject="One", body_text="1", idempotency_key="k-1"
    )
    again = enqueue_message(
        to="ada@example.com", subject="Changed", body_text="2", idempotency_key="k-1"
    )

    assert again.pk == first.pk
    assert again.subject == "One"
    assert OutboundMessage.objects.count() == 1


def test_overlong_keys_are_hashed_consistently():
    key = "x" * 500
    row = enqueue_message(to="ada@example.com", subject="S", body_text="b", idempotency_key=key)

    assert row.idempotency_key == normalize_idempotency_key(key)
    assert len(row.idempotency_key) <= 200
    enqueue_message(to="ada@example.com", subject="S", body_text="b", idempotency_key=key)
    assert OutboundMessage.objects.count() == 1
