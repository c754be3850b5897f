"""Events in a real Chromium: a member registers and sees the seat count drop, cancels, and the
first member on the waiting list is offered the seat and confirms it. An organizer schedules an
event, is warned of a clash, and reads the content calendar. The pages pass an axe scan."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from practica.communities.models import MembershipRole
from practica.events.models import Event, Registration, RegistrationStatus
from practica.events.services.registration import register_for_event
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.events import EventFactory
from tests.factories.people import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scene(transactional_db):
    community = CommunityFactory(name="Machine Learning", slug="machine-learning")
    starts = (timezone.now() + timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    event = EventFactory(
        title="Diffusion models, explained",
        community=community,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        time_zone="America/New_York",
        seats=2,
    )
    register_for_event(event=event, person=UserFactory(display_name="Early Bird"))
    ada = UserFactory(email="ada@example.com", display_name="Ada", time_zone="Europe/Berlin")
    walt = UserFactory(email="walt@example.com", display_name="Walt Waiting")
    return {"community": community, "event": event, "ada": ada, "walt": walt}


def test_register_cancel_and_the_first_waiting_is_offered_the_seat(
    browser, live_server, page, scene
):
    event, ada, walt = scene["event"], scene["ada"], scene["walt"]
    sign_in(page, "ada@example.com", DEFAULT_PASSWORD)
    page.get_by_role("link", name="Events", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Events")
    page.get_by_role("link", name=event.title).click()

    card = page.locator("#registration")
    expect(card.locator(".seat-numbers")).to_have_text("1 of 2 seats left")
    expect(page.locator(".event-header")).to_contain_text("Planned in America/New York")
    assert_accessible(page, "an event's page")

    card.get_by_role("button", name="Register").click()
    expect(card.get_by_role("status")).to_contain_text("You are registered")
    expect(card.locator(".seat-numbers")).to_have_text("0 of 2 seats left")
    expect(page.get_by_role("link", name=re.compile("meet.example.com"))).to_have_count(0)
    page.reload()  # the online link is on the page now that Ada has a seat
    expect(page.get_by_role("link", name=re.compile("meet.example.com"))).to_be_visible()

    waiting = register_for_event(event=event, person=walt)
    assert waiting.status == RegistrationStatus.WAITLISTED
    page.reload()
    expect(card.locator(".seat-waiting")).to_have_text("1 on the waiting list")

    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="Cancel my registration").click()
    expect(card.get_by_role("status")).to_contain_text("Your registration is cancelled")
    expect(card.get_by_role("button", name="Join the waiting list")).to_be_visible()
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.OFFERED
    assert Registration.objects.get(event=event, person=ada).status == RegistrationStatus.CANCELLED

    # Walt, first in line, sees the offer and takes the seat.
    walt_context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    walt_context.set_default_timeout(15_000)
    walt_page = walt_context.new_page()
    try:
        sign_in(walt_page, "walt@example.com", DEFAULT_PASSWORD)
        walt_page.goto(f"/events/{event.pk}/")
        walt_card = walt_page.locator("#registration")
        expect(walt_card).to_contain_text("A seat is free for you!")
        assert_accessible(walt_page, "an event's page with an offered seat")
        walt_card.get_by_role("button", name="Confirm my seat").click()
        expect(walt_card.get_by_role("status")).to_contain_text("The seat is yours")
        expect(walt_card).to_contain_text("You are registered")
        expect(walt_card.locator(".seat-numbers")).to_have_text("0 of 2 seats left")
    finally:
        walt_context.close()
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.REGISTERED


def test_an_organizer_schedules_with_a_clash_warning_and_plans_the_year(
    browser, live_server, page, scene
):
    community, event = scene["community"], scene["event"]
    MembershipFactory(
        community=community,
        person=UserFactory(email="olga@example.com", display_name="Olga Organizer"),
        role=MembershipRole.MANAGER,
    )
    local_start = event.starts_at.astimezone(timezone.get_fixed_timezone(0))
    sign_in(page, "olga@example.com", DEFAULT_PASSWORD)
    page.goto(f"/events/communities/{community.slug}/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Schedule an event")
    assert_accessible(page, "the scheduling form")

    page.get_by_label("Title").fill("Evaluating LLMs")
    page.get_by_label("Time zone").select_option("UTC")
    page.get_by_label("Starts").fill(local_start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ends").fill((local_start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ends").dispatch_event("change")
    live = page.locator("#clash-live")
    expect(live).to_contain_text(event.title)
    page.get_by_label("Online seats").fill("50")
    page.get_by_role("button", name="Publish").click()

    expect(
        page.get_by_role("heading", name=re.compile("This time clashes with 1 event"))
    ).to_be_visible()
    assert Event.objects.count() == 1
    page.get_by_label("Schedule it anyway: I have checked the clashes").check()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Evaluating LLMs")
    expect(page.locator("#registration .seat-numbers")).to_have_text("50 of 50 seats left")

    page.goto(f"/events/communities/{community.slug}/calendar/?year={local_start.year}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Content calendar {local_start.year}"
    )
    expect(page.locator(".planning-count .stat-value")).to_have_text("2")
    assert_accessible(page, "the content calendar")
