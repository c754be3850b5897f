"""Prepare the test provider's database: migrate, then add the test users and Practica's two
clients (confidential with a secret, public without; both must use PKCE, the provider requires
it). Run as `python -m tests.oidc_provider.seed` with the provider's settings."""

import os

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.oidc_provider.settings")
    django.setup()

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from oauth2_provider.models import Application

    from tests.oidc_provider import users

    call_command("migrate", verbosity=0, interactive=False)
    user_model = get_user_model()
    for person in users.USERS.values():
        user_model.objects.create_user(
            username=person.username,
            password=person.password,
            email=person.email,
            first_name=person.given_name,
            last_name=person.family_name,
        )
    common = {
        "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
        "redirect_uris": " ".join(users.REDIRECT_URIS),
        "algorithm": Application.RS256_ALGORITHM,
        "skip_authorization": True,
    }
    Application.objects.create(
        name="Practica",
        client_id=users.CONFIDENTIAL_CLIENT_ID,
        client_secret=users.CONFIDENTIAL_CLIENT_SECRET,
        client_type=Application.CLIENT_CONFIDENTIAL,
        **common,
    )
    Application.objects.create(
        name="Practica (public client)",
        client_id=users.PUBLIC_CLIENT_ID,
        client_secret="",
        client_type=Application.CLIENT_PUBLIC,
        **common,
    )


if __name__ == "__main__":
    main()
