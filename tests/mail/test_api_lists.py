"""The mailing-list API: the caller's delivery, and the managers' subscribers, moderation
queue, bounces, sent mail and settings."""

import pytest

from practica.mail.models import (
    Bounce,
    BounceKind,
    DeliveryMode,
    InboundStatus,
    ListSettings,
    ListSubscription,
    MailboxHealth,
    MessageStatus,
)
from tests.api.clients import API, session_client, token_client
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.people import UserFactory
from tests.mail.test_list_views import held_message, list_mail

pytestmark = [pytest.mark.unit, pytest.mark.django_db]

LISTS = f"{API}/mail/lists"


@pytest.fixture
def community():
    return CommunityFactory(name="Machine Learning", slug="machine-learning")


@pytest.fixture
def boss(community):
    return MembershipFactory(community=community, role="manager").person


@pytest.fixture
def subscriber(community, member):
    MembershipFactory(community=community, person=member)
    return member


# --- The caller's delivery -------------------------------------------------------------------


def test_my_delivery_defaults_to_the_list_default(community, subscriber):
    body = token_client(subscriber).get(f"{LISTS}/machine-learning/delivery").json()

    assert body == {
        "community": {"id": community.pk, "slug": "machine-learning", "name": "Machine Learning"},
        "list_address": "machine-learning@lists.example.com",
        "is_member": True,
        "mode": "daily",
        "chosen_mode": None,
        "default_mode": "daily",
        "mailbox_suspended": False,
    }


def test_i_choose_my_delivery(community, subscriber):
    client = token_client(subscriber)

    response = client.put(
        f"{LISTS}/machine-learning/delivery", {"mode": "every"}, content_type="application/json"
    )

    assert response.status_code == 200
    assert response.json()["mode"] == "every"
    assert response.json()["chosen_mode"] == "every"
    assert ListSubscription.objects.get(person=subscriber).mode == DeliveryMode.EVERY


def test_a_non_member_gets_none_and_may_only_choose_none(community, member):
    client = token_client(member)

    assert client.get(f"{LISTS}/machine-learning/delivery").json()["mode"] == "none"
    refused = client.put(
        f"{LISTS}/machine-learning/delivery", {"mode": "daily"}, content_type="application/json"
    )
    assert refused.status_code == 422
    assert "not a member" in refused.json()["errors"]["mode"][0]
    allowed = client.put(
        f"{LISTS}/machine-learning/delivery", {"mode": "none"}, content_type="application/json"
    )
    assert allowed.status_code == 200
    assert allowed.json()["is_member"] is False


@pytest.mark.parametrize(
    "payload", [{"mode": "hourly"}, {}, {"mode": "every", "extra": 1}, {"mode": None}]
)
def test_bad_delivery_input_is_a_422(community, subscriber, payload):
    response = token_client(subscriber).put(
        f"{LISTS}/machine-learning/delivery", payload, content_type="application/json"
    )

    assert response.status_code == 422
    assert "errors" in response.json()
    assert not ListSubscription.objects.exists()


def test_an_unknown_list_is_a_404(member):
    assert token_client(member).get(f"{LISTS}/nope/delivery").status_code == 404


def test_the_session_needs_the_csrf_header(community, subscriber):
    client = session_client(subscriber, enforce_csrf_checks=True)

    response = client.put(
        f"{LISTS}/machine-learning/delivery", {"mode": "none"}, content_type="application/json"
    )

    assert response.status_code in {401, 403}
    assert not ListSubscription.objects.exists()


def test_anonymous_callers_are_401(community):
    from django.test import Client

    assert Client().get(f"{LISTS}/deliveries").status_code == 401


def test_all_my_deliveries(community, subscriber):
    other = CommunityFactory(name="Data Engineering", slug="data-engineering")
    MembershipFactory(community=other, person=subscriber)
    ListSettings.objects.create(community=other, default_mode="weekly")
    ListSubscription.objects.create(person=subscriber, community=community, mode="none")
    MailboxHealth.objects.create(person=subscriber, suspended_at="2026-01-01T00:00:00Z")

    body = token_client(subscriber).get(f"{LISTS}/deliveries").json()

    assert [(row["community"]["slug"], row["mode"], row["chosen_mode"]) for row in body] == [
        ("data-engineering", "weekly", None),
        ("machine-learning", "none", "none"),
    ]
    assert all(row["mailbox_suspended"] for row in body)


# --- Managing ------------------------------------------------------------------------------


def test_subscribers_paginated_and_filtered(community, boss, subscriber):
    ListSubscription.objects.create(person=subscriber, community=community, mode="every")
    MembershipFactory.create_batch(3, community=community)
    client = token_client(boss)

    everyone = client.get(f"{LISTS}/machine-learning/subscribers", {"limit": 2}).json()
    assert everyone["count"] == 5
    assert len(everyone["items"]) == 2

    every = client.get(f"{LISTS}/machine-learning/subscribers", {"mode": "every"}).json()
    assert every["count"] == 1
    assert every["items"][0] == {
        "person": {
            "id": subscriber.pk,
            "display_name": subscriber.display_name,
            "email": subscriber.email,
        },
        "mode": "every",
        "chosen_mode": "every",
        "hard_bounces": 0,
        "suspended_at": None,
    }
    by_email = client.get(f"{LISTS}/machine-learning/subscribers", {"q": subscriber.email}).json()
    assert [item["person"]["id"] for item in by_email["items"]] == [subscriber.pk]
    assert (
        client.get(f"{LISTS}/machine-learning/subscribers", {"mode": "hourly"}).status_code == 422
    )


def test_a_manager_sets_a_subscribers_delivery(community, boss, subscriber):
    response = token_client(boss).put(
        f"{LISTS}/machine-learning/subscribers/{subscriber.pk}/delivery",
        {"mode": "none"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["mode"] == "none"
    outsider = UserFactory()
    missing = token_client(boss).put(
        f"{LISTS}/machine-learning/subscribers/{outsider.pk}/delivery",
        {"mode": "none"},
        content_type="application/json",
    )
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "subscribers"),
        ("get", "bounces"),
        ("get", "outbox"),
        ("get", "settings"),
        ("patch", "settings"),
        ("get", "held"),
    ],
)
def test_members_are_403(community, subscriber, method, path):
    client = token_client(subscriber)

    response = getattr(client, method)(
        f"{LISTS}/machine-learning/{path}",
        {} if method == "get" else "{}",
        **({} if method == "get" else {"content_type": "application/json"}),
    )

    assert response.status_code == 403
    assert "detail" in response.json()


def test_organizers_see_the_queue_but_not_the_subscribers(community):
    organizer = MembershipFactory(community=community, role="organizer").person
    client = token_client(organizer)

    assert client.get(f"{LISTS}/machine-learning/held").status_code == 200
    assert client.get(f"{LISTS}/machine-learning/subscribers").status_code == 403


def test_the_held_queue_with_text(community, boss):
    message = held_message(community, body="Is there a reading group?\n")
    held_message(community, subject="Done", status=InboundStatus.DISCARDED)

    body = token_client(boss).get(f"{LISTS}/machine-learning/held").json()

    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == message.pk
    assert item["status"] == "held"
    assert item["from_name"] == "Olga Outside"
    assert item["text"].strip() == "Is there a reading group?"
    assert item["unreadable"] is False


def test_discarding_held_mail(community, boss):
    message = held_message(community)
    client = token_client(boss)
    url = f"{LISTS}/machine-learning/held/{message.pk}/discard"

    response = client.post(url, {"reason": "Spam"}, content_type="application/json")

    assert response.status_code == 200
    assert response.json()["status"] == "discarded"
    assert client.post(url, content_type="application/json").status_code == 422  # not held
    too_long = client.post(
        f"{LISTS}/machine-learning/held/{held_message(community, subject='x').pk}/discard",
        {"reason": "x" * 501},
        content_type="application/json",
    )
    assert too_long.status_code == 422


def test_held_mail_of_another_list_is_404(community, boss):
    elsewhere = held_message(CommunityFactory(slug="elsewhere"))

    response = token_client(boss).post(
        f"{LISTS}/machine-learning/held/{elsewhere.pk}/discard", content_type="application/json"
    )

    assert response.status_code == 404


def test_members_may_not_approve(community, subscriber):
    message = held_message(community)

    response = token_client(subscriber).post(f"{LISTS}/machine-learning/held/{message.pk}/approve")

    assert response.status_code == 403
    message.refresh_from_db()
    assert message.status == InboundStatus.HELD


def test_bounces(community, boss, subscriber):
    inbound = held_message(community, status=InboundStatus.BOUNCE)
    Bounce.objects.create(
        person=subscriber, address=subscriber.email, kind=BounceKind.HARD, inbound=inbound
    )

    body = token_client(boss).get(f"{LISTS}/machine-learning/bounces").json()

    assert body["count"] == 1
    assert body["items"][0]["kind"] == "hard"
    assert body["items"][0]["person"]["id"] == subscriber.pk


def test_the_lists_outbox(community, boss):
    list_mail(community, to="a@example.com", status=MessageStatus.FAILED)

    body = token_client(boss).get(f"{LISTS}/machine-learning/outbox").json()

    assert body["counts"]["failed"] == 1
    assert [row["to_email"] for row in body["recent"]] == ["a@example.com"]


def test_settings_read_and_patch(community, boss):
    client = token_client(boss)

    assert client.get(f"{LISTS}/machine-learning/settings").json()["default_mode"] == "daily"
    response = client.patch(
        f"{LISTS}/machine-learning/settings",
        {"default_mode": "weekly", "max_attachment_bytes": 1000},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["default_mode"] == "weekly"
    assert response.json()["accepts_mail"] is True
    assert response.json()["max_attachment_bytes"] == 1000


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"default_mode": "hourly"}, "default_mode"),
        ({"max_attachment_bytes": -5}, "max_attachment_bytes"),
        ({"max_attachment_bytes": 10**12}, "max_attachment_bytes"),
        ({"accepts_mail": None}, "accepts_mail"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_settings_are_a_422(community, boss, payload, field):
    response = token_client(boss).patch(
        f"{LISTS}/machine-learning/settings", payload, content_type="application/json"
    )

    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not ListSettings.objects.exists()


def test_the_endpoints_are_in_the_openapi_schema(member):
    schema = token_client(member).get(f"{API}/openapi.json").json()

    for path in (
        "/api/v1/mail/lists/deliveries",
        "/api/v1/mail/lists/{slug}/delivery",
        "/api/v1/mail/lists/{slug}/subscribers",
        "/api/v1/mail/lists/{slug}/held",
        "/api/v1/mail/lists/{slug}/held/{message_id}/approve",
        "/api/v1/mail/lists/{slug}/held/{message_id}/discard",
        "/api/v1/mail/lists/{slug}/bounces",
        "/api/v1/mail/lists/{slug}/settings",
    ):
        assert path in schema["paths"]


def test_approving_held_mail(community, boss):
    message = held_message(community, subject="Reading group?", body="Is there one?\n")

    response = token_client(boss).post(
        f"{LISTS}/machine-learning/held/{message.pk}/approve", content_type="application/json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert response.json()["result_url"]
