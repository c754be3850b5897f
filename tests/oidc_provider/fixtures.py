"""The `oidc_provider` fixture: the test OpenID Connect provider as a real server on loopback.

A session fixture starts `python -m django runserver 127.0.0.1:PORT --noreload` with the
provider's own settings and a throw-away SQLite database (migrated and seeded first), waits
until its discovery document answers, and stops it at the end. `sso_settings` then points
Practica at it for one test. Import both into a test module to use them.
"""

import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.oidc_provider.users import CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET

REPO_ROOT = Path(__file__).resolve().parents[2]
SSO_BACKEND = "practica.people.sso.CompanyAccountBackend"
PROVIDER_NAME = "Test IdP"
START_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class OidcProvider:
    """A running test provider: its endpoints as its discovery document names them."""

    base_url: str
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    discovery: dict
    database: Path

    def practica_settings(
        self,
        *,
        client_id: str = CONFIDENTIAL_CLIENT_ID,
        client_secret: str = CONFIDENTIAL_CLIENT_SECRET,
    ) -> dict[str, object]:
        """Practica's settings for signing in at this provider, as the environment would set
        them (see the SSO block at the end of practica/settings.py)."""
        return {
            "OIDC_RP_CLIENT_ID": client_id,
            "OIDC_RP_CLIENT_SECRET": client_secret,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": self.authorization_endpoint,
            "OIDC_OP_TOKEN_ENDPOINT": self.token_endpoint,
            "OIDC_OP_USER_ENDPOINT": self.userinfo_endpoint,
            "OIDC_OP_JWKS_ENDPOINT": self.jwks_uri,
            "OIDC_OP_ISSUER": self.issuer,
            "OIDC_RP_SIGN_ALGO": "RS256",
            "OIDC_PROVIDER_NAME": PROVIDER_NAME,
            "AUTHENTICATION_BACKENDS": [
                "django.contrib.auth.backends.ModelBackend",
                SSO_BACKEND,
            ],
        }

    def set_email(self, username: str, email: str) -> None:
        """Change a user's email at the provider (as the company's directory would)."""
        with sqlite3.connect(self.database) as connection:
            changed = connection.execute(
                "UPDATE auth_user SET email = ? WHERE username = ?", (email, username)
            ).rowcount
        assert changed == 1, f"no user {username!r} at the test provider"


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _provider_environment(database: Path) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PRACTICA_", "PYTEST_"))
        and key not in {"DATABASE_URL", "TEST_DATABASE_URL"}
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
            "OIDC_PROVIDER_DB": str(database),
            "OIDC_PROVIDER_RSA_KEY": _private_key_pem(),
            "PYTHONPATH": str(REPO_ROOT),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return environment


def _wait_for_discovery(base_url: str, server: subprocess.Popen, log: Path) -> dict:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"The test OIDC provider exited:\n{log.read_text()}")
        try:
            answer = requests.get(f"{base_url}/.well-known/openid-configuration", timeout=2)
        except requests.ConnectionError:
            time.sleep(0.2)
            continue
        if answer.status_code == 200:
            return answer.json()
        time.sleep(0.2)
    pytest.fail(f"The test OIDC provider did not answer in time:\n{log.read_text()}")
    raise AssertionError  # unreachable: pytest.fail raises


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory) -> Iterator[OidcProvider]:
    """The test provider, running for the whole session on a free loopback port."""
    folder = tmp_path_factory.mktemp("oidc-provider")
    database = folder / "provider.sqlite3"
    environment = _provider_environment(database)
    seeded = subprocess.run(
        [sys.executable, "-m", "tests.oidc_provider.seed"],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if seeded.returncode != 0:
        pytest.fail(f"Seeding the test OIDC provider failed:\n{seeded.stderr}")
    port = _free_loopback_port()
    base_url = f"http://127.0.0.1:{port}"
    log = folder / "server.log"
    with log.open("w") as log_file:
        server = subprocess.Popen(  # noqa: S603 — our own interpreter and Django
            [
                sys.executable,
                "-m",
                "django",
                "runserver",
                f"127.0.0.1:{port}",
                "--noreload",
                "--skip-checks",
            ],
            cwd=REPO_ROOT,
            env=environment,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        discovery = _wait_for_discovery(base_url, server, log)
        yield OidcProvider(
            base_url=base_url,
            issuer=discovery["issuer"],
            authorization_endpoint=discovery["authorization_endpoint"],
            token_endpoint=discovery["token_endpoint"],
            userinfo_endpoint=discovery["userinfo_endpoint"],
            jwks_uri=discovery["jwks_uri"],
            discovery=discovery,
            database=database,
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


@pytest.fixture
def sso_settings(settings, oidc_provider) -> OidcProvider:
    """Practica configured to sign in at the test provider, for this test only."""
    for name, value in oidc_provider.practica_settings().items():
        setattr(settings, name, value)
    return oidc_provider
