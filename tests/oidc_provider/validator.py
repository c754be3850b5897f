"""The provider's claims: an opaque stable subject, email (with email_verified as each test user
says), and the person's names — what Entra ID, Okta or Keycloak release for openid email profile."""

from oauth2_provider.oauth2_validators import OAuth2Validator

from tests.oidc_provider.users import USERS, subject_for


class TestProviderValidator(OAuth2Validator):
    def get_claim_dict(self, request):
        claims = super().get_claim_dict(request)
        claims["sub"] = subject_for(request.user.username)
        return claims

    def get_additional_claims(self, request):
        user = request.user
        claims = {
            "email": user.email,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "name": f"{user.first_name} {user.last_name}".strip(),
            "preferred_username": user.username,
        }
        known = USERS.get(user.username)
        verified = known.email_verified if known else True
        if verified is not None:
            claims["email_verified"] = verified
        return claims
