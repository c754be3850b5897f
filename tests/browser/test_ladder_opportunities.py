"""In a real Chromium: the manager puts the default ladder in place and opens a call, a rising
member volunteers, the manager accepts them and asks another member to contribute; the
member sees their place on the ladder — each page passing an axe scan."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from practica.communities.models import (
    ContributionAsk,
    LadderStep,
    MembershipRole,
    Volunteer,
    VolunteerStatus,
)
from practica.core.models import ActivityKind
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.ladder import LedgerRowFactory
from tests.factories.people import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Set PRACTICA_SCREENSHOTS to a folder to keep a picture of each page.
SHOTS = os.environ.get("PRACTICA_SCREENSHOTS")


def _look(page, name):
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def ml(transactional_db, settings):
    settings.EMAIL_BACKEND = "practica.mail.backends.OutboxEmailBackend"
    community = CommunityFactory(name="Machine Learning", slug="machine-learning")
    manager = UserFactory(email="mia@example.com", display_name="Mia Manager")
    MembershipFactory(community=community, person=manager, role=MembershipRole.MANAGER)
    alice = UserFactory(email="alice@example.com", display_name="Alice Answerer")
    MembershipFactory(community=community, person=alice)
    bob = UserFactory(email="bob@example.com", display_name="Bob Builder")
    MembershipFactory(community=community, person=bob)
    for _ in range(7):
        LedgerRowFactory(kind=ActivityKind.ANSWERED, person=bob, community=community)
    LedgerRowFactory(kind=ActivityKind.PRESENTED, person=alice, community=community)
    return community, manager, alice, bob


def test_the_ladder_and_the_board_from_both_sides(page, ml):
    _community, manager, alice, bob = ml
    sign_in(page, manager.email, DEFAULT_PASSWORD)

    page.goto("/communities/machine-learning/ladder/")
    expect(page.get_by_role("heading", name="No ladder yet")).to_be_visible()
    page.get_by_role("button", name="Use the default ladder").click()
    expect(page.get_by_role("heading", name="Organizer")).to_be_visible()
    assert_accessible(page, "the ladder")
    _look(page, "ladder")

    page.get_by_role("link", name="Edit rungs").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the ladder")
    assert_accessible(page, "the rung editor")
    _look(page, "rungs")

    page.goto("/communities/machine-learning/opportunities/")
    expect(page.get_by_role("heading", name="No open calls right now")).to_be_visible()
    page.get_by_role("link", name="Open a call").first.click()
    page.get_by_label("Kind of call").select_option("reviewers")
    page.get_by_label("Title").fill("Reviewers for the spring conference")
    page.get_by_label("People wanted").fill("2")
    assert_accessible(page, "the call form")
    page.get_by_role("button", name="Put it on the board").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reviewers for the spring conference")

    page.goto("/communities/machine-learning/ladder/suggestions/")
    expect(page.get_by_role("link", name="Bob Builder", exact=True)).to_be_visible()
    expect(page.get_by_text("answered 7 questions in the last 90 days")).to_be_visible()
    assert_accessible(page, "the suggestions")
    _look(page, "suggestions")
    page.get_by_role("link", name="Ask Bob Builder").click()
    page.get_by_label("For an open call").select_option(label="Reviewers for the spring conference")
    page.get_by_label("Your note").fill("Your answers on transformers are great.")
    assert_accessible(page, "the ask form")
    page.get_by_role("button", name="Send the ask").click()
    expect(page.get_by_text("Bob Builder was asked")).to_be_visible()
    assert ContributionAsk.objects.filter(person=bob).exists()

    # Alice volunteers.
    page.context.clear_cookies()
    sign_in(page, alice.email, DEFAULT_PASSWORD)
    page.goto("/communities/machine-learning/opportunities/")
    page.get_by_role("link", name="Reviewers for the spring conference").click()
    page.get_by_label("A word to the organizers").fill("I reviewed for NeurIPS.")
    page.get_by_role("button", name="Volunteer").click()
    expect(page.get_by_text("You volunteered")).to_be_visible()
    assert_accessible(page, "a call, as a volunteer")
    _look(page, "call-member")

    # The manager accepts her.
    page.context.clear_cookies()
    sign_in(page, manager.email, DEFAULT_PASSWORD)
    page.goto("/communities/machine-learning/opportunities/")
    assert_accessible(page, "the board")
    _look(page, "board")
    page.get_by_role("link", name="Reviewers for the spring conference").click()
    expect(page.get_by_role("cell", name="I reviewed for NeurIPS.")).to_be_visible()
    assert_accessible(page, "a call, as its organizer")
    _look(page, "call-manager")
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Alice Answerer is accepted")).to_be_visible()
    assert Volunteer.objects.get(person=alice).status == VolunteerStatus.ACCEPTED

    # The manager places Alice by hand; she sees it on her own page.
    page.goto(f"/communities/machine-learning/ladder/people/{alice.pk}/")
    page.get_by_role("combobox", name="Rung").select_option(label="Reviewer")
    page.get_by_label("Why").fill("Reviews for the spring conference")
    page.get_by_role("button", name="Set the rung").click()
    expect(page.get_by_text("is now on “Reviewer”")).to_be_visible()
    assert LadderStep.objects.filter(person=alice).count() == 1

    page.context.clear_cookies()
    sign_in(page, alice.email, DEFAULT_PASSWORD)
    page.goto("/communities/machine-learning/ladder/")
    expect(page.get_by_text("You are here")).to_be_visible()
    page.get_by_role("link", name="Your history and contributions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your place on the ladder")
    expect(page.get_by_text("Reviews for the spring conference")).to_be_visible()
    assert_accessible(page, "a member's own history")
    _look(page, "person")
