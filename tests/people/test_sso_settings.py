"""The single sign-on block of the settings: off unless OIDC_RP_CLIENT_ID is set, complete or
refused at start-up, and the password backend always kept; and the ID token checks the backend
adds to the library's (issuer, audience), on tokens signed for real."""

import runpy
import time

import jwt
import pytest
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation

import practica.settings
from practica.people.sso import CompanyAccountBackend

pytestmark = pytest.mark.unit

SSO_BACKEND = "practica.people.sso.CompanyAccountBackend"
PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"
PROVIDER = {
    "OIDC_RP_CLIENT_ID": "practica",
    "OIDC_RP_CLIENT_SECRET": "s3cret",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://idp.example.com/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://idp.example.com/token",
    "OIDC_OP_USER_ENDPOINT": "https://idp.example.com/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "https://idp.example.com/jwks",
    "OIDC_OP_ISSUER": "https://idp.example.com",
}


def load_settings(monkeypatch, environment: dict[str, str]) -> dict:
    for name in [*PROVIDER, "OIDC_RP_SIGN_ALGO", "OIDC_PROVIDER_NAME"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(practica.settings.__file__)


def test_without_a_client_id_sso_is_off(monkeypatch):
    loaded = load_settings(monkeypatch, {})

    assert loaded["AUTHENTICATION_BACKENDS"] == [PASSWORD_BACKEND]
    assert loaded["OIDC_RP_CLIENT_ID"] == ""


def test_a_configured_provider_adds_the_backend_after_the_password_one(monkeypatch):
    loaded = load_settings(monkeypatch, {**PROVIDER, "OIDC_PROVIDER_NAME": "Contoso"})

    assert loaded["AUTHENTICATION_BACKENDS"] == [PASSWORD_BACKEND, SSO_BACKEND]
    assert loaded["OIDC_USE_PKCE"] is True
    assert loaded["OIDC_PKCE_CODE_CHALLENGE_METHOD"] == "S256"
    assert loaded["OIDC_RP_SIGN_ALGO"] == "RS256"
    assert loaded["OIDC_PROVIDER_NAME"] == "Contoso"
    assert set(loaded["OIDC_RP_SCOPES"].split()) == {"openid", "email", "profile"}


@pytest.mark.parametrize(
    "missing", ["OIDC_OP_TOKEN_ENDPOINT", "OIDC_OP_ISSUER", "OIDC_OP_JWKS_ENDPOINT"]
)
def test_a_half_configured_provider_stops_start_up_naming_what_is_missing(monkeypatch, missing):
    environment = {name: value for name, value in PROVIDER.items() if name != missing}

    with pytest.raises(ImproperlyConfigured, match=missing):
        load_settings(monkeypatch, environment)


def test_a_public_client_needs_no_secret(monkeypatch):
    environment = {
        name: value for name, value in PROVIDER.items() if name != "OIDC_RP_CLIENT_SECRET"
    }

    assert SSO_BACKEND in load_settings(monkeypatch, environment)["AUTHENTICATION_BACKENDS"]


# --- The backend's ID token checks -------------------------------------------------------------

SHARED_KEY = "a-shared-hmac-key-for-hs256-tokens-of-32-bytes-or-more"


@pytest.fixture
def backend(settings) -> CompanyAccountBackend:
    for name, value in PROVIDER.items():
        setattr(settings, name, value)
    settings.OIDC_RP_SIGN_ALGO = "HS256"
    settings.OIDC_RP_CLIENT_SECRET = SHARED_KEY
    return CompanyAccountBackend()


def id_token(**claims) -> str:
    now = int(time.time())
    payload = {
        "iss": PROVIDER["OIDC_OP_ISSUER"],
        "aud": "practica",
        "sub": "sub-1",
        "nonce": "n-1",
        "iat": now,
        "exp": now + 300,
        **claims,
    }
    return jwt.encode(payload, SHARED_KEY, algorithm="HS256")


def test_an_id_token_for_this_client_from_the_issuer_passes(backend):
    assert backend.verify_token(id_token(), nonce="n-1")["sub"] == "sub-1"
    assert backend.verify_token(id_token(aud=["other", "practica"]), nonce="n-1")


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": "another-application"},
        {"aud": ["another-application"]},
        {"iss": "https://idp.example.com/another-tenant"},
        {"nonce": "someone-elses-nonce"},
    ],
)
def test_an_id_token_for_another_client_issuer_or_request_is_refused(backend, claims):
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(id_token(**claims), nonce="n-1")


def test_an_expired_id_token_is_refused(backend):
    with pytest.raises(jwt.ExpiredSignatureError):
        backend.verify_token(id_token(exp=int(time.time()) - 60), nonce="n-1")
