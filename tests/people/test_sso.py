"""Single sign-on against a real OpenID Connect provider (django-oauth-toolkit, started on
loopback by the `oidc_provider` fixture): the authorization code flow with PKCE end to end.
Practica is driven by Django's test client, the provider by `requests`, as a browser would."""
# ruff: noqa: F811 — the provider fixtures are imported, then named as test parameters

import base64
import hashlib
import re
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
import requests
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from practica.core.models import AuditLogEntry
from practica.people.identities import IDENTITY_LINKED
from practica.people.models import ExternalIdentity, User
from tests.factories.people import DEFAULT_PASSWORD, UserFactory
from tests.oidc_provider.fixtures import (  # noqa: F401 — fixtures used by name
    SSO_BACKEND,
    oidc_provider,
    sso_settings,
)
from tests.oidc_provider.users import ADA, GRACE, KATHERINE, LIN, MALLORY, PUBLIC_CLIENT_ID

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SIGN_IN_PAGE = "/people/sign-in/"


# --- Driving the flow --------------------------------------------------------------------------


def start_sign_in(client: Client, next_url: str = "") -> str:
    """Click "Sign in with …": Practica's redirect to the provider's authorization endpoint."""
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    response = client.get(f"/oidc/authenticate/{query}")
    assert response.status_code == 302
    return response["Location"]


def sign_in_at_provider(authorize_url: str, user) -> str:
    """Log in at the provider as `user`; the URL it then sends the browser back to."""
    browser = requests.Session()
    page = browser.get(authorize_url, timeout=10)  # the provider redirects to its login page
    assert page.status_code == 200, page.text
    assert "Test IdP" in page.text
    response = browser.post(
        page.url,
        data={
            "csrfmiddlewaretoken": CSRF_FIELD.search(page.text).group(1),
            "username": user.username,
            "password": user.password,
            "next": parse_qs(urlsplit(page.url).query)["next"][0],
        },
        allow_redirects=False,
        timeout=10,
    )
    for _hop in range(5):  # the provider's own redirects, up to the one that leaves it
        assert response.status_code == 302, response.text
        location = urljoin(response.url, response.headers["Location"])
        if location.startswith("http://testserver/"):
            return location
        response = browser.get(location, allow_redirects=False, timeout=10)
    raise AssertionError("The provider never sent the browser back to Practica.")


def arrive_at_callback(client: Client, callback_url: str):
    parts = urlsplit(callback_url)
    return client.get(f"{parts.path}?{parts.query}")


def sign_in(client: Client, user, next_url: str = ""):
    """The whole round trip; Practica's answer to the provider's redirect back."""
    callback = sign_in_at_provider(start_sign_in(client, next_url), user)
    return arrive_at_callback(client, callback)


def signed_in_id(client: Client) -> int | None:
    value = client.session.get(SESSION_KEY)
    return int(value) if value is not None else None


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def refused(response) -> str:
    """The response sends the person back to the sign-in page; the message it shows."""
    assert response.status_code == 302
    assert response["Location"] == SIGN_IN_PAGE
    shown = messages_of(response)
    assert len(shown) == 1
    return shown[0]


# --- Not configured: nothing changes ----------------------------------------------------------


def test_without_configuration_nothing_is_offered_and_nothing_is_fetched(client, monkeypatch):
    def no_http(*args, **kwargs):
        raise AssertionError("No request may leave Practica when SSO is not configured.")

    monkeypatch.setattr(requests.Session, "request", no_http)
    person = UserFactory()
    assert not settings.OIDC_RP_CLIENT_ID
    assert SSO_BACKEND not in settings.AUTHENTICATION_BACKENDS

    page = client.get(SIGN_IN_PAGE)

    html = page.content.decode()
    assert page.status_code == 200
    assert "Sign in with" not in html
    assert "/oidc/authenticate/" not in html
    assert 'name="password"' in html
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=abc&state=def").status_code == 404
    response = client.post(SIGN_IN_PAGE, {"username": person.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert signed_in_id(client) == person.pk


# --- The sign-in page --------------------------------------------------------------------------


def test_the_sign_in_page_offers_the_provider_above_the_password_form(client, sso_settings):
    html = client.get(f"{SIGN_IN_PAGE}?next=/people/").content.decode()

    button = html.index("Sign in with Test IdP")
    assert button < html.index('name="password"')
    assert 'href="/oidc/authenticate/?next=%2Fpeople%2F"' in html


def test_without_a_provider_name_the_button_says_company_account(client, sso_settings):
    settings.OIDC_PROVIDER_NAME = ""

    html = client.get(SIGN_IN_PAGE).content.decode()

    assert "Sign in with your company account" in html


def test_password_sign_in_still_works_and_asks_the_provider_nothing(
    client, sso_settings, monkeypatch
):
    def no_http(*args, **kwargs):
        raise AssertionError("A password sign-in must not call the provider.")

    monkeypatch.setattr(requests.Session, "request", no_http)
    admin = UserFactory(is_staff=True)

    response = client.post(SIGN_IN_PAGE, {"username": admin.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 302
    assert signed_in_id(client) == admin.pk


# --- The authorization request -----------------------------------------------------------------


def test_the_authorization_request_carries_pkce_state_and_nonce(client, sso_settings):
    location = start_sign_in(client)

    assert location.startswith(f"{sso_settings.authorization_endpoint}?")
    params = {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}
    assert params["response_type"] == "code"
    assert params["client_id"] == "practica"
    assert params["redirect_uri"] == "http://testserver/oidc/callback/"
    assert {"openid", "email", "profile"} <= set(params["scope"].split())
    assert params["code_challenge_method"] == "S256"
    stored = client.session["oidc_states"][params["state"]]
    verifier = stored["code_verifier"]
    assert 43 <= len(verifier) <= 128
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    assert params["code_challenge"] == challenge.rstrip(b"=").decode()
    assert params["nonce"] == stored["nonce"]


# --- Signing in --------------------------------------------------------------------------------


def test_a_first_sign_in_creates_the_account_and_links_the_identity(client, sso_settings):
    response = sign_in(client, ADA)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    person = User.objects.get(email="ada.lovelace@example.com")
    assert signed_in_id(client) == person.pk
    assert person.display_name == "Ada Lovelace"
    assert person.is_active
    assert not person.is_placeholder
    assert not person.has_usable_password()
    identity = ExternalIdentity.objects.get(person=person)
    assert identity.issuer == sso_settings.issuer
    assert identity.subject == ADA.subject
    assert identity.last_login_at is not None
    assert client.get(reverse("home")).context["user"] == person


def test_an_existing_account_is_found_by_email_in_any_case(client, sso_settings, settings):
    # The provider gives Grace as "Grace.Hopper@Example.COM", without email_verified, and the
    # operator trusts the company tenant's addresses.
    settings.OIDC_TRUST_EMAIL_WITHOUT_VERIFIED_CLAIM = True
    person = UserFactory(email="grace.hopper@example.com", display_name="Rear Admiral Hopper")

    sign_in(client, GRACE)

    assert signed_in_id(client) == person.pk
    assert User.objects.filter(email__iexact=GRACE.email).count() == 1
    person.refresh_from_db()
    assert person.display_name == "Rear Admiral Hopper"
    assert person.has_usable_password()  # the local password stays for break-glass use
    assert ExternalIdentity.objects.get(person=person).subject == GRACE.subject
    assert AuditLogEntry.objects.filter(action=IDENTITY_LINKED, target_id=person.pk).exists()


def test_the_subject_keeps_finding_the_account_when_the_email_changes(sso_settings):
    sign_in(Client(), KATHERINE)
    person = User.objects.get(email=KATHERINE.email)
    sso_settings.set_email(KATHERINE.username, "katherine.johnson@example.com")
    try:
        again = Client()
        sign_in(again, KATHERINE)
    finally:
        sso_settings.set_email(KATHERINE.username, KATHERINE.email)

    assert signed_in_id(again) == person.pk
    assert ExternalIdentity.objects.filter(subject=KATHERINE.subject).count() == 1
    assert User.objects.count() == 1
    person.refresh_from_db()
    assert person.email == "katherine.johnson@example.com"


def test_sign_in_goes_on_to_the_page_asked_for_and_only_to_this_site(sso_settings):
    assert sign_in(Client(), ADA, next_url="/people/")["Location"] == "/people/"
    assert sign_in(Client(), ADA, next_url="https://evil.example.com/")["Location"] == "/"


def test_a_placeholder_with_the_email_becomes_the_persons_account(client, sso_settings):
    placeholder = UserFactory(email=LIN.email, display_name="lin.wei", is_placeholder=True)

    sign_in(client, LIN)

    assert signed_in_id(client) == placeholder.pk
    placeholder.refresh_from_db()
    assert not placeholder.is_placeholder
    assert placeholder.display_name == "Lin Wei"


def test_a_public_client_signs_in_with_pkce_and_no_secret(client, sso_settings):
    settings.OIDC_RP_CLIENT_ID = PUBLIC_CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = ""

    response = sign_in(client, ADA)

    assert response["Location"] == reverse("home")
    assert signed_in_id(client) == User.objects.get(email=ADA.email).pk


# --- Refusals: a message on the sign-in page, never an error page -----------------------------


def test_a_deactivated_account_is_refused(client, sso_settings):
    UserFactory(email=ADA.email, is_active=False)

    message = refused(sign_in(client, ADA))

    assert "deactivated" in message
    assert signed_in_id(client) is None
    assert not ExternalIdentity.objects.exists()
    page = client.get(SIGN_IN_PAGE)
    assert "deactivated" in page.content.decode()


def test_a_leaver_is_signed_out_and_cannot_sign_in_again(client, sso_settings):
    sign_in(client, ADA)
    person = User.objects.get(email=ADA.email)
    person.is_active = False  # as SCIM or the HR feed deprovisions a leaver
    person.save(update_fields=["is_active"])

    assert client.get(reverse("people:tokens")).status_code == 302  # the session no longer counts
    message = refused(sign_in(Client(), ADA))

    assert "deactivated" in message


def test_an_email_the_provider_has_not_verified_is_not_linked(client, sso_settings):
    person = UserFactory(email=MALLORY.email)

    message = refused(sign_in(client, MALLORY))

    assert "not verified" in message
    assert signed_in_id(client) is None
    assert not person.external_identities.exists()


def test_an_account_linked_to_another_subject_is_not_taken(client, sso_settings):
    person = UserFactory(email=ADA.email)
    ExternalIdentity.objects.create(person=person, issuer=sso_settings.issuer, subject="a-leaver")

    message = refused(sign_in(client, ADA))

    assert "another identity" in message
    assert signed_in_id(client) is None


def test_a_tampered_state_is_refused(client, sso_settings):
    callback = sign_in_at_provider(start_sign_in(client), ADA)
    state = parse_qs(urlsplit(callback).query)["state"][0]

    message = refused(arrive_at_callback(client, callback.replace(state, f"forged{state}")))

    assert "did not work" in message
    assert signed_in_id(client) is None
    assert not User.objects.exists()


def test_a_callback_in_another_browser_or_replayed_is_refused(client, sso_settings):
    callback = sign_in_at_provider(start_sign_in(client), ADA)

    refused(arrive_at_callback(Client(), callback))  # no state in that session
    assert arrive_at_callback(client, callback)["Location"] == reverse("home")
    replay = Client()
    refused(arrive_at_callback(replay, callback))
    assert signed_in_id(replay) is None


def test_the_provider_checks_the_pkce_verifier(client, sso_settings):
    location = start_sign_in(client)
    state = parse_qs(urlsplit(location).query)["state"][0]
    session = client.session
    session["oidc_states"][state]["code_verifier"] = "x" * 64  # not the challenge's verifier
    session.save()

    message = refused(arrive_at_callback(client, sign_in_at_provider(location, ADA)))

    assert "did not work" in message
    assert not User.objects.exists()


def test_a_wrong_client_secret_is_refused_by_the_provider(client, sso_settings):
    settings.OIDC_RP_CLIENT_SECRET = "not-the-secret"

    refused(sign_in(client, ADA))

    assert signed_in_id(client) is None


def test_an_id_token_from_another_issuer_is_refused(client, sso_settings):
    settings.OIDC_OP_ISSUER = "https://login.example.com/another-tenant/v2.0"

    refused(sign_in(client, ADA))

    assert not User.objects.exists()


def test_a_provider_that_does_not_answer_is_a_message(client, sso_settings):
    callback = sign_in_at_provider(start_sign_in(client), ADA)
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token/"  # discard port: nobody there

    message = refused(arrive_at_callback(client, callback))

    assert "Start again" in message


def test_a_sign_in_cancelled_at_the_provider_is_a_message(client, sso_settings):
    start_sign_in(client)

    message = refused(client.get("/oidc/callback/?error=access_denied&state=whatever"))

    assert "cancelled" in message
