"""A member creates their calendar feed addresses, a calendar client reads one, and renewing
turns the old address off."""

import pytest

from practica.events.models import CalendarToken
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.events import EventFactory, RegistrationFactory
from tests.factories.people import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_create_subscribe_and_renew_feed_addresses(page):
    member = UserFactory(email="ada@example.com")
    community = CommunityFactory(name="Machine Learning", slug="ml")
    MembershipFactory(community=community, person=member)
    event = EventFactory(community=community, title="Scaling laws")
    RegistrationFactory(event=event, person=member)

    sign_in(page, member.email, DEFAULT_PASSWORD)
    page.goto("/events/calendar/")
    page.get_by_role("button", name="Create my feed addresses").click()
    page.get_by_text("Your calendar feed addresses are ready").wait_for()
    assert_accessible(page, "the calendar feeds page")

    mine = page.locator("code", has_text="/mine.ics").inner_text()
    assert page.locator("code", has_text="/community/ml.ics").count() == 1
    feed = page.request.get(mine)
    assert feed.status == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    assert "SUMMARY:Scaling laws" in feed.text()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Renew the addresses").click()
    page.get_by_text("the old ones no longer work").wait_for()
    assert page.request.get(mine).status == 404
    renewed = page.locator("code", has_text="/mine.ics").inner_text()
    assert renewed != mine
    assert page.request.get(renewed).status == 200
    assert CalendarToken.objects.filter(person=member, revoked_at__isnull=True).count() == 1
