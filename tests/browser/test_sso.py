"""Single sign-on in a real Chromium: Practica's sign-in page → the test OpenID Connect provider
(django-oauth-toolkit on loopback) → back to Practica, signed in; and a refusal shown on the
sign-in page. Both pages pass an axe scan."""
# ruff: noqa: F811 — the provider fixtures are imported, then named as test parameters

import re

import pytest
from playwright.sync_api import expect

from practica.people.models import ExternalIdentity, User
from tests.browser.conftest import assert_accessible
from tests.factories.people import UserFactory
from tests.oidc_provider.fixtures import oidc_provider, sso_settings  # noqa: F401
from tests.oidc_provider.users import ADA, GRACE

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in_at_the_provider(page, user) -> None:
    expect(page.get_by_role("heading", name="Test IdP")).to_be_visible()
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Continue").click()


def test_a_member_signs_in_with_the_company_provider(page, live_server, sso_settings):
    page.goto("/people/sign-in/")
    assert_accessible(page, "the sign-in page with single sign-on")
    expect(page.get_by_label("Email address")).to_be_visible()  # the password form stays

    page.get_by_role("link", name="Sign in with Test IdP").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(sso_settings.base_url)}/accounts/login/"))
    sign_in_at_the_provider(page, ADA)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome back, Ada")
    person = User.objects.get(email=ADA.email)
    assert person.display_name == "Ada Lovelace"
    assert ExternalIdentity.objects.get(person=person).subject == ADA.subject


def test_a_deactivated_member_is_told_on_the_sign_in_page(
    page, live_server, sso_settings, settings
):
    # Grace's provider sends no email_verified; the operator trusts its addresses.
    settings.OIDC_TRUST_EMAIL_WITHOUT_VERIFIED_CLAIM = True
    UserFactory(email=GRACE.email.lower(), is_active=False)
    page.goto("/people/sign-in/")

    page.get_by_role("link", name="Sign in with Test IdP").click()
    sign_in_at_the_provider(page, GRACE)

    expect(page).to_have_url(f"{live_server.url}/people/sign-in/")
    expect(page.get_by_role("alert")).to_contain_text("deactivated")
    expect(page.get_by_role("link", name="Sign in with Test IdP")).to_be_visible()
    assert_accessible(page, "the sign-in page after a refused sign-in")
