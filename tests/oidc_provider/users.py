"""The test provider's people and clients: plain constants shared by the provider process and
the tests (no Django import, so the tests can read them without loading the provider)."""

import uuid
from dataclasses import dataclass

ISSUER_NAMESPACE = uuid.UUID("6f1f3c2a-4d1e-4b8a-9a51-0c7f1e2d3b4a")

CONFIDENTIAL_CLIENT_ID = "practica"
CONFIDENTIAL_CLIENT_SECRET = "practica-test-client-secret"
PUBLIC_CLIENT_ID = "practica-public"
# Practica's callback as the Django test client (testserver) and the live server (localhost,
# any port: the provider treats localhost like a loopback address, RFC 8252 §7.3) reach it.
REDIRECT_URIS = (
    "http://testserver/oidc/callback/",
    "http://localhost/oidc/callback/",
    "http://127.0.0.1/oidc/callback/",
)


@dataclass(frozen=True)
class IdpUser:
    username: str
    password: str
    email: str
    given_name: str
    family_name: str
    # None: the provider sends no email_verified claim (Entra ID does not).
    email_verified: bool | None = True

    @property
    def subject(self) -> str:
        return subject_for(self.username)


def subject_for(username: str) -> str:
    """The stable, opaque subject the provider gives a user: it never changes with the email."""
    return str(uuid.uuid5(ISSUER_NAMESPACE, username))


ADA = IdpUser("ada", "ada-at-the-idp-1815", "ada.lovelace@example.com", "Ada", "Lovelace")
GRACE = IdpUser(
    "grace",
    "grace-at-the-idp-1906",
    "Grace.Hopper@Example.COM",
    "Grace",
    "Hopper",
    email_verified=None,
)
KATHERINE = IdpUser(
    "katherine", "katherine-at-the-idp-1918", "katherine.g@example.com", "Katherine", "Johnson"
)
MALLORY = IdpUser(
    "mallory",
    "mallory-at-the-idp-0000",
    "mallory@example.com",
    "Mallory",
    "Unverified",
    email_verified=False,
)
LIN = IdpUser("lin", "lin-at-the-idp-2024", "lin.wei@example.com", "Lin", "Wei")
USERS = {user.username: user for user in (ADA, GRACE, KATHERINE, MALLORY, LIN)}
