"""The community dashboard in a real browser (Playwright, Debian's Chromium): the manager opens
it, changes the period, the panels are redrawn in place by htmx (the charts' text
alternatives now describe the new period), and axe finds no serious accessibility problem."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from practica.communities.models import MembershipRole, MembershipSource
from practica.core.models import ActivityKind
from practica.metrics.rollups.build import rebuild_rollups
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.metrics import ActivityFactory
from tests.factories.people import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("PRACTICA_SCREENSHOTS", "")


def shot(tab, name: str) -> None:
    if SCREENSHOTS:
        tab.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


@pytest.fixture
def measured_community(db):
    """A community whose members joined over the last 300 days, some active, its rollups
    built from that raw data."""
    community = CommunityFactory(name="Machine Learning", slug="ml")
    now = timezone.now()
    for index in range(30):
        joined_at = now - timedelta(days=300 - index * 10)
        member = MembershipFactory(
            community=community,
            joined_at=joined_at,
            source=MembershipSource.ORGANIC if index % 2 else MembershipSource.WELCOME_MAIL,
        ).person
        ActivityFactory(
            community=community,
            person=member,
            kind=ActivityKind.ANSWERED,
            occurred_at=joined_at + timedelta(days=3),
        )
    rebuild_rollups(community_ids=[community.pk])
    return community


def chart_texts(page) -> list[str]:
    return page.locator("#panel-growth svg[role=img] desc").all_text_contents()


def test_the_manager_changes_the_period_and_the_charts_redraw(page, measured_community):
    manager = UserFactory(email="mia@example.com", display_name="Mia Manager")
    MembershipFactory(community=measured_community, person=manager, role=MembershipRole.MANAGER)

    sign_in(page, manager.email, DEFAULT_PASSWORD)
    page.goto("/metrics/communities/ml/")
    page.get_by_role("heading", name="Dashboard", level=1).wait_for()
    expect(page.locator("#panel-growth svg[role=img]").first).to_be_visible()
    before = chart_texts(page)
    assert before
    status_before = page.locator("#dashboard-status").inner_text()
    shot(page, "metrics-dashboard")
    assert_accessible(page, "the community dashboard")

    with page.expect_response(lambda response: "period=30d" in response.url):
        page.locator("#id_period").select_option("30d")
    # htmx swaps the panels in and pushes the filters to the address bar.
    page.wait_for_url("**/metrics/communities/ml/?period=30d")
    expect(page.locator("#dashboard-status")).not_to_have_text(status_before)
    expect(page.locator("#dashboard-status")).to_contain_text("a point per day")
    after = chart_texts(page)
    assert after
    assert after != before
    # The form stayed in place (not reloaded): the choice is still selected.
    expect(page.locator("#id_period")).to_have_value("30d")
    shot(page, "metrics-dashboard-30d")
    assert_accessible(page, "the community dashboard after a change of period")

    # A bad custom period is refused with a message, not an error page.
    page.goto("/metrics/communities/ml/?period=custom&start=2026-05-01&end=2026-01-01")
    expect(page.get_by_role("alert")).to_contain_text("before it starts")
    assert_accessible(page, "the community dashboard with bad filters")

    # The month so far, and the printable report of last month.
    page.get_by_role("link", name="This month").click()
    page.get_by_role("heading", name="In a few words").wait_for()
    assert_accessible(page, "this month")
    page.goto("/metrics/communities/ml/report/")
    expect(page.get_by_role("button", name="Print or save as PDF")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    # On paper no table is cut off at the screen's scrolling height: every row prints.
    wraps = page.locator(".metrics-table .table-wrap")
    assert wraps.count() > 0
    assert wraps.first.evaluate("e => getComputedStyle(e).maxHeight") == "none"
    assert wraps.first.evaluate("e => getComputedStyle(e).overflowY") == "visible"
    page.emulate_media(media="screen")
    shot(page, "metrics-report")
    assert_accessible(page, "the monthly report")
