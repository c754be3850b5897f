"""Single sign-on with the company's OpenID Connect provider (Entra ID, Okta, Keycloak, …).

mozilla-django-oidc does the protocol: the authorization code flow with PKCE, state and nonce,
the token exchange, the ID token's signature against the provider's JWKS. This backend adds
what the library leaves open — the ID token must come from the configured issuer for this
client, userinfo must be about the ID token's subject — and hands the account question to
`people.identities.sign_in_with_identity`. It is enabled only when OIDC_RP_CLIENT_ID is set
(the settings then add it to AUTHENTICATION_BACKENDS, after the password backend, which stays
for the embedded default and for break-glass administrators).
"""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from practica.people.identities import sign_in_with_identity
from practica.people.models import User


def _audiences(payload: Mapping[str, Any]) -> list[str]:
    audience = payload.get("aud")
    if isinstance(audience, str):
        return [audience]
    if isinstance(audience, list):
        return [item for item in audience if isinstance(item, str)]
    return []


class CompanyAccountBackend(OIDCAuthenticationBackend):
    """Signs a person in from the provider's ID token and userinfo (see the module docstring).

    Refusals about the person (deactivated, unverified email, …) raise
    `identities.SignInRefusedError`, which the callback view shows; a protocol problem raises
    SuspiciousOperation, which the library turns into a failed sign-in.
    """

    def verify_claims(self, claims: Mapping[str, Any]) -> bool:
        # The subject is what identifies the person; the email is checked by the service.
        subject = claims.get("sub")
        return isinstance(subject, str) and bool(subject.strip())

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload = super().verify_token(token, **kwargs)
        if "nonce" in kwargs:  # the ID token (a signed userinfo answer comes without a nonce)
            self._check_issuer_and_audience(payload)
        return payload

    def _check_issuer_and_audience(self, payload: Mapping[str, Any]) -> None:
        issuer = getattr(settings, "OIDC_OP_ISSUER", "")
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("The ID token comes from another issuer.")
        if self.OIDC_RP_CLIENT_ID not in _audiences(payload):
            raise SuspiciousOperation("The ID token was issued to another client.")

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: Mapping[str, Any]
    ) -> User:
        user_info = self.get_userinfo(access_token, id_token, payload)
        if not isinstance(user_info, Mapping) or not self.verify_claims(user_info):
            raise SuspiciousOperation("The provider's userinfo has no subject.")
        if user_info["sub"] != payload.get("sub"):
            # OpenID Connect Core 5.3.2: userinfo about anyone else must not be used.
            raise SuspiciousOperation("The userinfo subject differs from the ID token's.")
        issuer = getattr(settings, "OIDC_OP_ISSUER", "") or str(payload.get("iss") or "")
        return sign_in_with_identity(
            issuer=issuer,
            subject=str(payload["sub"]),
            claims={**payload, **user_info},
        )

    def get_user(self, user_id: int) -> User | None:
        # Django's check, which the library drops: a deactivated person's session ends.
        return ModelBackend.get_user(self, user_id)
