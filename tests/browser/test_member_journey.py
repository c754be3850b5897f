"""A demo member signs in, finds an expert by topic, opens the profile and joins a community,
in a real Chromium; every page on the way passes an axe scan (no serious or critical issue)."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from practica.communities.models import Community, Membership
from practica.core.models import Activity, ActivityKind, Topic
from practica.demo.logins import DEMO_PASSWORD
from practica.people.models import User
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

MEMBER_EMAIL = "member@practica.example"


@pytest.fixture
def demo_community(transactional_db):
    call_command("demo", "--members", "150", "--seed", "7", "--today", "2026-11-01", verbosity=0)
    return Community.objects.get(slug="responsible-ai")


def test_member_finds_an_expert_and_joins_a_community(page, demo_community):
    member = User.objects.get(email=MEMBER_EMAIL)
    translation = Topic.objects.get(name="Machine translation")
    assert not Membership.objects.current().filter(community=demo_community, person=member).exists()

    sign_in(page, MEMBER_EMAIL.upper(), DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome back")
    assert_accessible(page, "home")

    page.get_by_role("navigation", name="Primary").get_by_role("link", name="Directory").click()
    page.get_by_role("search").get_by_label("Expertise").select_option(translation.slug)
    expect(page).to_have_url(re.compile(rf"topic={translation.slug}"))
    results = page.locator("#directory-results .person-name")
    expect(results.first).to_be_visible()
    assert_accessible(page, "directory filtered by topic")

    expert_name = results.first.inner_text()
    results.first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(expert_name)
    expect(page.get_by_role("link", name="Machine translation").first).to_be_visible()
    assert_accessible(page, "an expert's profile")

    page.goto(f"/communities/{demo_community.slug}/")
    assert_accessible(page, "a community page")
    page.get_by_role("button", name="Join community").first.click()
    expect(page.get_by_role("status").first).to_contain_text("Welcome to")
    expect(page.get_by_role("link", name=re.compile("Leave community"))).to_be_visible()

    assert Membership.objects.current().filter(community=demo_community, person=member).exists()
    assert Activity.objects.filter(
        kind=ActivityKind.JOINED, person=member, community=demo_community
    ).exists()
    assert_accessible(page, "a community page after joining")


def test_a_wrong_password_keeps_the_member_out(page, demo_community):
    page.goto("/people/sign-in/")
    page.get_by_label("Email").fill(MEMBER_EMAIL)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert").first).to_be_visible()
    expect(page).to_have_url(re.compile("/people/sign-in/"))
    assert_accessible(page, "sign-in with an error")
