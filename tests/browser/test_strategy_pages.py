"""The strategy pages in Chromium: they render, read well to assistive technology (axe finds
no serious or critical violation), and the editor's "add a row" works from the keyboard."""

import datetime
from decimal import Decimal

import pytest

from practica.communities.strategy.sections import AudienceRow, LeaderRow, TargetRow
from practica.communities.strategy.services import (
    approve_strategy_draft,
    edit_strategy_draft,
    start_strategy_draft,
)
from tests.browser.conftest import assert_accessible, sign_in
from tests.communities.strategy.conftest import (  # the strategy tests' own fixtures
    _fresh_trend_cache,
    community,
    leader,
    manager,
    metrics,
)
from tests.factories.people import DEFAULT_PASSWORD, OrgUnitFactory
from tests.factories.strategy import MaturityAssessmentFactory

# Fixtures shared with the suite they come from, used here by name.
__all__ = ["_fresh_trend_cache", "community", "leader", "manager", "metrics"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def strategy(community, manager, leader, metrics):
    unit = OrgUnitFactory(name="Data Science")
    draft = start_strategy_draft(community=community, actor=manager)
    edit_strategy_draft(
        draft=draft,
        actor=manager,
        summary="Help every practitioner at the company learn from the others.",
        goals=["Faster answers for field engineers", "Grow the practice"],
        scenarios=["I can easily find and connect with other practitioners at the company"],
        principles=[
            "We create opportunities for people to contribute",
            "We don't try to control the conversation",
        ],
        audience=[
            AudienceRow(label="Data science", org_unit=unit),
            AudienceRow(label="Scientists", role="data_scientist"),
        ],
        targets=[
            TargetRow("members", "at_least", Decimal(3)),
            TargetRow("response_hours", "at_most", Decimal(2)),
            TargetRow("answered_share", "at_least", Decimal("0.6")),
            TargetRow("nothing", "at_least", Decimal(4)),
        ],
        leaders=[LeaderRow(person=leader, remit="Questions and answers")],
    )
    approve_strategy_draft(draft=draft, actor=manager, approval_note="By the sponsor's team")
    for year, stage in [(2016, 1), (2019, 2), (2023, 3)]:
        MaturityAssessmentFactory(
            community=community,
            assessed_on=datetime.date(year, 6, 1),
            stages={"strategy": stage, "tools": stage + 1},
        )
    return draft


def test_the_strategy_pages_are_accessible(page, community, manager, strategy):
    sign_in(page, manager.email, DEFAULT_PASSWORD)
    slug = community.slug
    for name, path in [
        ("strategy", f"/communities/{slug}/strategy/"),
        ("versions", f"/communities/{slug}/strategy/versions/"),
        ("version", f"/communities/{slug}/strategy/versions/1/"),
        ("maturity", f"/communities/{slug}/strategy/maturity/"),
        ("maturity_form", f"/communities/{slug}/strategy/maturity/new/"),
    ]:
        page.goto(path)
        assert_accessible(page, name)

    page.goto(f"/communities/{slug}/strategy/")
    page.get_by_role("button", name="Start a new version").click()
    page.wait_for_url(f"**/communities/{slug}/strategy/draft/")
    page.get_by_role("textbox", name="Principles").fill("Recruit for enthusiasm")
    page.get_by_role("button", name="Add a target").click()
    page.get_by_label("Target 5: metric").select_option("members")
    page.get_by_label("Target 5: value").fill("1")
    page.get_by_label("Remove target 1").check()
    page.get_by_label("Target 5: value").press("Enter")  # Enter saves, it adds no row
    page.get_by_text("The draft is saved.").wait_for()
    assert_accessible(page, "the draft editor")

    page.goto(f"/communities/{slug}/strategy/draft/approve/")
    assert_accessible(page, "the approval page")
    page.get_by_role("button", name="Approve version 2").click()
    page.get_by_text("Version 2 is approved").wait_for()
    page.goto(f"/communities/{slug}/strategy/compare/?older=1&newer=2")
    assert_accessible(page, "the comparison")
