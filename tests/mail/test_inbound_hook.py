"""The signed HTTP hook `POST /api/v1/mail/inbound` for relay services."""

import time
from urllib.parse import parse_qs, urlencode

import pytest
from django.test import Client

from practica.mail.addresses import reply_address
from practica.mail.api_inbound import inbound_signature
from practica.mail.models import InboundMessage, InboundStatus, InboundVia
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.people import UserFactory
from tests.mail.inbound_doubles import (
    RecordingListHandler,
    list_to,
    make_message,
    registered_handler,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/mail/inbound"
SECRET = "relay-shared-secret"


@pytest.fixture(autouse=True)
def secret(settings):
    settings.MAIL_INBOUND_SECRET = SECRET


@pytest.fixture
def handler():
    with registered_handler(RecordingListHandler()) as recording:
        yield recording


@pytest.fixture
def ada(db):
    community = CommunityFactory(slug="ml")
    return MembershipFactory(community=community, person__email="ada@example.org").person


def signed_headers(
    body: bytes,
    *,
    recipients: str | None = None,
    sender: str = "",
    timestamp: int | None = None,
    secret: str = SECRET,
) -> dict:
    """What a relay sends: the timestamp, and the signature of envelope and body."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = inbound_signature(
        secret=secret,
        timestamp=stamp,
        body=body,
        recipients=[part.strip() for part in (recipients or "").split(",") if part.strip()],
        sender=sender,
    )
    return {"X-Practica-Timestamp": stamp, "X-Practica-Signature": signature}


def post(client, body: bytes, *, recipients: str | None = None, headers=None, **extra):
    headers = headers or {}
    # The hook reads recipients from the query string first, then the header: sign in that order.
    in_query = parse_qs(extra.get("QUERY_STRING", "")).get("recipient", [])
    signed_recipients = ",".join([*in_query, recipients or ""])
    all_headers = {
        **signed_headers(
            body, recipients=signed_recipients, sender=headers.get("X-Practica-Sender", "")
        ),
        **headers,
    }
    if recipients is not None:
        all_headers["X-Practica-Recipient"] = recipients
    return client.post(
        URL, data=body, content_type=extra.pop("content_type", "message/rfc822"),
        headers=all_headers, **extra,
    )  # fmt: skip


def test_a_signed_message_is_received_like_mail(client, handler, ada):
    raw = make_message(sender="ada@example.org")

    response = post(
        client, raw, recipients=list_to("ml"), headers={"X-Practica-Sender": "ada@example.org"}
    )

    assert response.status_code == 200, response.content
    [result] = response.json()["results"]
    row = InboundMessage.objects.get()
    assert result == {
        "recipient": list_to("ml"),
        "status": InboundStatus.POSTED,
        "smtp_code": 250,
        "smtp_text": "2.0.0 Posted",
        "inbound_id": row.pk,
        "result_url": "http://testserver/posts/1",
    }
    assert (row.via, bytes(row.raw), row.envelope_from) == (InboundVia.HTTP, raw, "ada@example.org")


def test_several_recipients_by_header_and_query_each_get_an_outcome(client, handler, ada):
    raw = make_message(sender="ada@example.org")
    key = reply_address(person_id=ada.pk, thread_id=4)
    domain = list_to("ml").split("@")[1]

    response = post(
        client.__class__(enforce_csrf_checks=True),  # no CSRF token needed: the signature is proof
        raw,
        recipients=f"{list_to('ml')}, nosuch@{domain}",
        QUERY_STRING=urlencode({"recipient": key}),
    )

    assert response.status_code == 200, response.content
    results = {item["recipient"]: item for item in response.json()["results"]}
    assert list(results) == [key, list_to("ml"), f"nosuch@{domain}"]
    assert results[key]["status"] == InboundStatus.POSTED
    assert results[list_to("ml")]["status"] == InboundStatus.DUPLICATE
    assert (results[f"nosuch@{domain}"]["smtp_code"], results[f"nosuch@{domain}"]["status"]) == (
        550,
        InboundStatus.REJECTED,
    )


def test_a_temporary_failure_asks_the_relay_to_retry(client, handler, ada):
    handler.fail_with = RuntimeError("down")

    response = post(client, make_message(sender="ada@example.org"), recipients=list_to("ml"))

    assert response.status_code == 503
    [result] = response.json()["results"]
    assert (result["status"], result["smtp_code"]) == (InboundStatus.FAILED, 451)


def test_the_hook_is_off_without_a_secret(client, handler, ada, settings):
    settings.MAIL_INBOUND_SECRET = ""

    response = post(client, make_message(), recipients=list_to("ml"))

    assert response.status_code == 503
    assert "MAIL_INBOUND_SECRET" in response.json()["detail"]
    assert not InboundMessage.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Practica-Signature": ""},
        {"X-Practica-Timestamp": ""},
        {"X-Practica-Signature": "sha256=" + "0" * 64},
        {"X-Practica-Timestamp": "yesterday"},
    ],
)
def test_a_missing_or_wrong_signature_is_401(client, handler, ada, headers):
    response = post(client, make_message(), recipients=list_to("ml"), headers=headers)

    assert response.status_code == 401
    assert response.json()["detail"]
    assert not InboundMessage.objects.exists()


def test_a_signature_with_another_secret_or_body_is_401(client, handler, ada):
    raw = make_message()

    to = list_to("ml")
    wrong_secret = post(
        client, raw, recipients=to, headers=signed_headers(raw, recipients=to, secret="x")
    )
    other_body = post(
        client, raw + b"tampered", recipients=to, headers=signed_headers(raw, recipients=to)
    )
    # A captured request replayed to another list: the envelope is signed too.
    other_list = post(
        client, raw, recipients=list_to("other"), headers=signed_headers(raw, recipients=to)
    )

    assert wrong_secret.status_code == other_body.status_code == other_list.status_code == 401


@pytest.mark.parametrize("age", [330, -330])
def test_an_old_or_future_timestamp_is_401(client, handler, ada, age):
    raw = make_message()
    stamp = int(time.time()) - age

    to = list_to("ml")
    response = post(
        client, raw, recipients=to, headers=signed_headers(raw, recipients=to, timestamp=stamp)
    )

    assert response.status_code == 401
    assert "too old" in response.json()["detail"]


def test_a_message_over_the_limit_is_413_before_it_is_read(client, handler, ada, settings):
    settings.MAIL_MAX_MESSAGE_BYTES = 1_000

    response = post(client, make_message(body="x" * 2_000), recipients=list_to("ml"))

    assert response.status_code == 413
    assert not InboundMessage.objects.exists()


def test_bodies_past_djangos_upload_limit_are_read(client, handler, ada, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    raw = make_message(sender="ada@example.org", body="y" * 5_000)

    response = post(client, raw, recipients=list_to("ml"))

    assert response.status_code == 200
    assert bytes(InboundMessage.objects.get().raw) == raw


def test_no_recipient_is_400_and_wrong_content_type_415(client, handler, ada):
    raw = make_message()

    assert post(client, raw).status_code == 400
    assert (
        post(client, raw, recipients=list_to("ml"), content_type="application/json").status_code
        == 415
    )
    assert not InboundMessage.objects.exists()


def test_the_hook_is_in_the_openapi_schema_with_its_headers_and_no_auth(client):
    schema = client.get("/api/v1/openapi.json").json()

    operation = schema["paths"][URL]["post"]
    headers = {item["name"] for item in operation["parameters"] if item["in"] == "header"}
    assert {
        "X-Practica-Recipient",
        "X-Practica-Sender",
        "X-Practica-Timestamp",
        "X-Practica-Signature",
    } <= headers
    assert set(operation["requestBody"]["content"]) == {
        "message/rfc822",
        "application/octet-stream",
    }
    assert not operation.get("security")
    assert {"200", "401", "413", "503"} <= set(operation["responses"])


def test_only_post_is_allowed(client):
    response = client.get(URL)

    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")


def test_anonymous_client_without_session_is_fine(handler, ada):
    raw = make_message(sender="ada@example.org")

    response = post(Client(), raw, recipients=list_to("ml"))

    assert response.status_code == 200


# --- Replay (staff) ----------------------------------------------------------------------------


def failed_message(raw: bytes) -> InboundMessage:
    return InboundMessage.objects.create(
        raw=raw,
        size=len(raw),
        via=InboundVia.HTTP,
        recipients=[list_to("ml")],
        status=InboundStatus.FAILED,
        reason="RuntimeError: the database went away",
    )


def test_staff_replay_a_failed_message_through_the_api(client, handler, ada):
    message = failed_message(make_message(sender="ada@example.org"))
    staff = UserFactory(is_staff=True)
    client.force_login(staff)

    response = client.post(f"/api/v1/mail/inbound/{message.pk}/replay")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == InboundStatus.POSTED
    message.refresh_from_db()
    assert message.status == InboundStatus.POSTED
    # Only what failed is replayed.
    assert client.post(f"/api/v1/mail/inbound/{message.pk}/replay").status_code == 422
    assert client.post("/api/v1/mail/inbound/999999/replay").status_code == 404


def test_members_may_not_replay_mail(client, handler, ada):
    message = failed_message(make_message(sender="ada@example.org"))
    client.force_login(ada)

    assert client.post(f"/api/v1/mail/inbound/{message.pk}/replay").status_code == 403
    message.refresh_from_db()
    assert message.status == InboundStatus.FAILED
