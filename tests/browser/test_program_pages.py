"""The program's pages in a real browser (Playwright, Debian's Chromium): a leader moves through
the program page, the calendar (month and list, a clash flagged) and the dashboard, and axe
finds no serious accessibility problem on any of them."""

import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from practica.communities.models import MembershipRole
from tests.browser.conftest import assert_accessible, sign_in
from tests.communities.program.conftest import (  # the program tests' own fixtures
    ai,
    fake_calendar,
    fake_metrics,
    ml,
    office_member,
    outsider,
    program,
)
from tests.factories.communities import MembershipFactory
from tests.factories.people import DEFAULT_PASSWORD, UserFactory
from tests.factories.program import fake_metric, make_entry

# Fixtures shared with the suite they come from, used here by name.
__all__ = ["ai", "fake_calendar", "fake_metrics", "ml", "office_member", "outsider", "program"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


SCREENSHOTS = os.environ.get("PRACTICA_SCREENSHOTS", "")


def shot(tab, name: str) -> None:
    if SCREENSHOTS:
        tab.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def test_a_leader_uses_the_program_pages(page, ml, ai, fake_calendar, fake_metrics):
    program = ml.program
    leader = UserFactory(email="lea@example.com", display_name="Lea Leader")
    MembershipFactory(community=ml, person=leader, role=MembershipRole.LEADER)
    MembershipFactory.create_batch(3, community=ai)
    today = timezone.localtime(timezone.now()).replace(hour=10, minute=0, second=0, microsecond=0)
    fake_calendar.add(
        make_entry(ml, today, title="Transformers deep dive", url="/events/1/"),
        make_entry(ai, today + timedelta(minutes=30), title="Agents AMA"),
        make_entry(ai, today + timedelta(days=1), title="Joint keynote", co_hosts=[ml]),
    )
    fake_metrics(
        fake_metric("members", {ml.pk: Decimal(7000), ai.pk: Decimal(1200)}, label="Members"),
        fake_metric(
            "median_first_response_hours",
            {ml.pk: Decimal("1.5"), ai.pk: Decimal("3.25")},
            unit="hours",
            better="lower",
            label="Median time to first response",
        ),
    )

    sign_in(page, leader.email, DEFAULT_PASSWORD)
    page.goto(f"/programs/{program.slug}/")
    page.get_by_role("heading", name="Worldwide Communities").wait_for()
    shot(page, "program")
    assert_accessible(page, "the program page")

    page.get_by_role("navigation", name="Program pages").get_by_role(
        "link", name="Calendar"
    ).click()
    page.get_by_text("Clashes this month").wait_for()
    expect(page.locator(".pc-entry.is-clash")).to_have_count(2)
    shot(page, "calendar")
    assert_accessible(page, "the program calendar")
    page.set_viewport_size({"width": 390, "height": 844})
    # The grid becomes a list of the days with something on.
    expect(page.locator(".pc-month td:not(.is-empty) .pc-day-long").first).to_be_visible()
    expect(page.locator(".pc-month td.is-empty").first).to_be_hidden()
    shot(page, "calendar-narrow")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_label("View").select_option("list")
    page.get_by_role("button", name="Show").click()
    page.get_by_text("Clashes with").first.wait_for()
    shot(page, "calendar-list")
    assert_accessible(page, "the program calendar as a list")

    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("heading", name="Median time to first response").first.wait_for()
    expect(page.locator("svg.pc-chart")).to_have_count(2)
    shot(page, "dashboard")
    assert_accessible(page, "the program dashboard")


def test_the_office_manages_the_program(page, program, office_member, outsider):
    sign_in(page, office_member.email, DEFAULT_PASSWORD)
    page.goto(f"/programs/{program.slug}/manage/")
    page.get_by_label("Community").select_option("stats")
    page.get_by_role("button", name="Take it in").click()
    page.get_by_text("Statistics is now part of Worldwide Communities.").wait_for()
    shot(page, "manage")
    assert_accessible(page, "the program's management page")
    outsider.refresh_from_db()
    assert outsider.program_id == program.pk
