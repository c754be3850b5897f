"""The program in a real Chromium: the chair places a proposal into the grid (an htmx swap),
moves it, publishes the program; a member puts the session on their agenda and reads the
agenda. The pages pass an axe scan. Skipped without Chromium (see tests/browser/conftest.py).
"""

import os

import pytest
from playwright.sync_api import expect

from practica.communities.models import MembershipRole
from practica.conference.models import ProgramSlot
from practica.conference.services.program import add_slot
from tests.browser.conftest import assert_accessible, sign_in
from tests.conference.program_helpers import accepted, at
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.conference import edition_with_parts
from tests.factories.people import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = os.environ.get("PRACTICA_SCREENSHOTS", "")


def shot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


@pytest.fixture
def scene(db):
    edition = edition_with_parts(CommunityFactory())
    chair = UserFactory(email="chair@example.com", display_name="Carla Chair")
    MembershipFactory(community=edition.community, person=chair, role=MembershipRole.MANAGER)
    speaker = UserFactory(display_name="Ada Lovelace")
    accepted(edition, title="Graphs at scale", created_by=speaker, track_name="Research",
             expected_audience=120)  # fmt: skip
    accepted(edition, title="Feature stores", track_name="Engineering")
    add_slot(edition=edition, kind="keynote", title="The next decade",
             speaker=UserFactory(display_name="Sam Sponsor"),
             starts_at=at(edition, "09:00"), actor=chair)  # fmt: skip
    add_slot(edition=edition, kind="break", title="Coffee", starts_at=at(edition, "09:45"),
             minutes=15, actor=chair)  # fmt: skip
    UserFactory(email="member@example.com", display_name="Mia Member")
    return edition


def test_build_publish_and_keep_an_agenda(browser, live_server, page, scene):
    edition = scene
    sign_in(page, "chair@example.com", DEFAULT_PASSWORD)
    page.goto(f"/conference/editions/{edition.pk}/program/builder/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Program builder")

    place = page.locator("#place")
    place.get_by_label("Proposal").select_option(label="Graphs at scale · Talk · Research")
    place.get_by_label("Room").select_option(label="Room B · Building 1")
    place.get_by_label("Starts at").fill("10:00")
    place.get_by_role("button", name="Place").click()
    expect(page.get_by_role("status").first).to_contain_text("“Graphs at scale” is placed.")
    grid = page.locator("table.program-grid").first
    expect(grid).to_contain_text("Graphs at scale")
    # Room B seats 60; the proposal expects 120.
    expect(page.locator(".program-warnings")).to_contain_text("expects 120 people")
    shot(page, "builder")
    assert_accessible(page, "the program builder")

    # Move it to the main hall through the slot editor.
    grid.get_by_role("link", name="Graphs at scale").click()
    editor = page.locator("#slot-editor")
    editor.get_by_label("Room").select_option(label="Main hall · Building 1")
    editor.get_by_role("button", name="Move").click()
    expect(page.get_by_role("status").first).to_contain_text("is moved")
    expect(page.locator("#program-workspace")).not_to_contain_text("expects 120 people")
    slot = ProgramSlot.objects.get(proposal__title="Graphs at scale")
    assert (slot.room.name, slot.sequence) == ("Main hall", 1)

    page.get_by_role("button", name="Publish the program").click()
    expect(page.locator(".messages")).to_contain_text("The program is published")

    page.context.clear_cookies()
    sign_in(page, "member@example.com", DEFAULT_PASSWORD)
    page.goto(f"/conference/editions/{edition.pk}/program/")
    entry = page.locator(f"#slot-{slot.pk}")
    expect(entry).to_contain_text("Ada Lovelace")
    entry.get_by_role("button", name="Add to my agenda").click()
    expect(entry.get_by_role("button", name="On my agenda")).to_be_visible()
    shot(page, "program")
    assert_accessible(page, "the published program")
    page.get_by_role("link", name="My agenda").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My agenda")
    expect(page.locator(f"#slot-{slot.pk}")).to_contain_text("Graphs at scale")
    shot(page, "agenda")
    assert_accessible(page, "my agenda")
