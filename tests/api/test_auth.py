"""Who may call the API: personal access tokens, the web session (with CSRF), nobody else."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string

from practica.people.models import PersonalAccessToken
from practica.people.services import create_access_token, revoke_access_token
from tests.api.clients import API, session_client, token_client
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def test_a_token_authenticates_its_owner(member):
    response = token_client(member).get(f"{API}/me")

    assert response.status_code == 200
    assert response.json()["email"] == member.email


def test_a_token_notes_when_it_was_last_used(member):
    token, secret = create_access_token(user=member, name="script")

    Client().get(f"{API}/me", headers=bearer(secret))

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_token_is_refused(member):
    token, secret = create_access_token(user=member, name="script")
    revoke_access_token(token=token, actor=member)

    response = Client().get(f"{API}/me", headers=bearer(secret))

    assert response.status_code == 401
    assert response.json()["detail"]


def test_an_expired_token_is_refused(member):
    token, secret = create_access_token(
        user=member, name="script", expires_at=timezone.now() + timedelta(days=1)
    )
    PersonalAccessToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    assert Client().get(f"{API}/me", headers=bearer(secret)).status_code == 401


def test_a_deactivated_members_token_is_refused():
    person = UserFactory()
    _token, secret = create_access_token(user=person, name="script")
    person.is_active = False
    person.save(update_fields=["is_active"])

    assert Client().get(f"{API}/me", headers=bearer(secret)).status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "Bearer garbage",
        "Bearer pat_",
        "Bearer pat_000000000000_forged",
        "Bearer " + "pat_" + "x" * 500,
        "Token pat_abc",
        "Basic dXNlcjpwYXNz",
        "Bearer",
    ],
)
def test_garbage_credentials_are_refused_with_json(member, header):
    response = Client().get(f"{API}/me", headers={"Authorization": header})

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_a_tampered_secret_with_a_real_prefix_is_refused(member):
    _token, secret = create_access_token(user=member, name="script")

    response = Client().get(f"{API}/me", headers=bearer(secret[:-2] + "xx"))

    assert response.status_code == 401


def test_anonymous_callers_get_401_on_reads_and_writes(db):
    client = Client(enforce_csrf_checks=True)

    assert client.get(f"{API}/people").status_code == 401
    response = client.patch(f"{API}/me", {"bio": "x"}, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_web_session_authenticates(member):
    response = session_client(member).get(f"{API}/me")

    assert response.status_code == 200
    assert response.json()["id"] == member.pk


def test_a_session_write_without_csrf_token_is_refused(member):
    client = session_client(member, enforce_csrf_checks=True)

    response = client.patch(f"{API}/me", {"bio": "Hello"}, content_type="application/json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    member.refresh_from_db()
    assert member.bio == ""


def test_a_session_write_with_csrf_token_succeeds(member):
    client = session_client(member, enforce_csrf_checks=True)
    csrf = get_random_string(32)
    client.cookies[settings.CSRF_COOKIE_NAME] = csrf

    response = client.patch(
        f"{API}/me",
        {"bio": "Hello"},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )

    assert response.status_code == 200
    assert response.json()["bio"] == "Hello"


def test_a_token_write_needs_no_csrf_token(member):
    client = token_client(member, enforce_csrf_checks=True)

    response = client.patch(f"{API}/me", {"bio": "Hi"}, content_type="application/json")

    assert response.status_code == 200
