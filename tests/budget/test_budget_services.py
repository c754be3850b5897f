"""Creating budgets and planning their lines: only the community manager, one budget per year,
periods that never overlap, clear refusals that change nothing, and an audit trail."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from practica.budget.models import Budget, BudgetLine
from practica.budget.services.budgets import create_budget, update_budget
from practica.core.models import AuditLogEntry

pytestmark = pytest.mark.django_db


def lines_of(budget):
    return dict(BudgetLine.objects.filter(budget=budget).values_list("category", "planned"))


def test_the_manager_creates_a_budget_for_the_fiscal_year(community, manager, settings):
    settings.FISCAL_YEAR_START_MONTH = 1
    budget = create_budget(
        community=community,
        actor=manager,
        fiscal_year=2031,
        currency="eur",
        lines={"venue": "1500", "food": Decimal("300.5"), "grants": "0", "swag": None},
        note="  Agreed with the sponsor. ",
    )
    assert (budget.starts_on, budget.ends_on) == (date(2031, 1, 1), date(2031, 12, 31))
    assert budget.currency == "EUR"
    assert budget.note == "Agreed with the sponsor."
    assert budget.created_by == manager
    assert lines_of(budget) == {
        "venue": Decimal("1500.00"),
        "food": Decimal("300.50"),
        "grants": Decimal("0.00"),
    }
    entry = AuditLogEntry.objects.get(action="budget.created")
    assert entry.actor == manager
    assert entry.data["lines"]["venue"] == "1500.00"


def test_the_period_follows_the_fiscal_year_setting(community, manager, settings):
    settings.FISCAL_YEAR_START_MONTH = 4
    budget = create_budget(community=community, actor=manager, fiscal_year=2031, currency="USD")
    assert (budget.starts_on, budget.ends_on) == (date(2030, 4, 1), date(2031, 3, 31))


def test_staff_may_create_a_budget(community, staff):
    assert create_budget(community=community, actor=staff, fiscal_year=2031, currency="USD")


@pytest.mark.parametrize("role", ["leader", "sponsor", "member", "outsider"])
def test_only_the_manager_creates_budgets(community, role, request):
    actor = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        create_budget(community=community, actor=actor, fiscal_year=2031, currency="USD")
    assert not Budget.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"fiscal_year": 1999}, "fiscal_year", "between 2000 and 2100"),
        ({"fiscal_year": "2031"}, "fiscal_year", "as a number"),
        ({"currency": "dollars"}, "currency", "three-letter code"),
        ({"lines": {"venue": "-1"}}, "lines.venue", "cannot be negative"),
        ({"lines": {"venue": "20000000"}}, "lines.venue", "above the limit"),
        ({"lines": {"travel": "10"}}, "lines", "Unknown budget categories: travel"),
        (
            {"starts_on": date(2031, 5, 1), "ends_on": date(2031, 5, 1)},
            "ends_on",
            "end after it starts",
        ),
        (
            {"starts_on": date(2031, 1, 1), "ends_on": date(2034, 1, 1)},
            "ends_on",
            "two at most",
        ),
        ({"note": "x" * 2001}, "note", "at most 2000"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_created(community, manager, changes, field, message):
    values = {"fiscal_year": 2031, "currency": "USD", **changes}
    with pytest.raises(ValidationError) as refused:
        create_budget(community=community, actor=manager, **values)
    assert message in " ".join(refused.value.message_dict[field])
    assert not Budget.objects.exists()
    assert not AuditLogEntry.objects.exists()


def test_one_budget_per_year_and_no_overlapping_periods(community, manager):
    create_budget(community=community, actor=manager, fiscal_year=2031, currency="USD")
    with pytest.raises(ValidationError) as same_year:
        create_budget(community=community, actor=manager, fiscal_year=2031, currency="USD")
    assert (
        "already has a budget for fiscal year 2031"
        in same_year.value.message_dict["fiscal_year"][0]
    )
    with pytest.raises(ValidationError) as overlap:
        create_budget(
            community=community,
            actor=manager,
            fiscal_year=2032,
            currency="USD",
            starts_on=date(2031, 12, 1),
            ends_on=date(2032, 11, 30),
        )
    assert "overlaps the FY2031 budget" in overlap.value.message_dict["starts_on"][0]
    assert Budget.objects.count() == 1


def test_another_community_may_budget_the_same_year(community, manager, staff):
    from tests.factories.communities import CommunityFactory

    create_budget(community=community, actor=manager, fiscal_year=2031, currency="USD")
    assert create_budget(
        community=CommunityFactory(), actor=staff, fiscal_year=2031, currency="USD"
    )


def test_the_manager_changes_and_removes_lines(budget, manager):
    update_budget(
        budget=budget, actor=manager, lines={"venue": "1200", "food": None, "swag": "50"}, note="v2"
    )
    assert lines_of(budget) == {
        "venue": Decimal("1200.00"),
        "grants": Decimal("1000.00"),
        "swag": Decimal("50.00"),
    }
    budget.refresh_from_db()
    assert budget.note == "v2"
    entry = AuditLogEntry.objects.get(action="budget.lines_changed")
    assert entry.data["before"]["food"] == "500.00"
    assert "food" not in entry.data["after"]


def test_an_unchanged_plan_is_not_audited(budget, manager):
    update_budget(budget=budget, actor=manager, lines={"venue": "1000"})
    assert not AuditLogEntry.objects.filter(action="budget.lines_changed").exists()


def test_a_leader_cannot_change_the_plan(budget, leader):
    with pytest.raises(PermissionDenied):
        update_budget(budget=budget, actor=leader, lines={"venue": "1"})
    assert lines_of(budget)["venue"] == Decimal("1000.00")


def test_a_bad_line_changes_no_line(budget, manager):
    with pytest.raises(ValidationError) as refused:
        update_budget(budget=budget, actor=manager, lines={"venue": "5", "food": "-3"})
    assert "cannot be negative" in refused.value.message_dict["lines.food"][0]
    assert lines_of(budget)["venue"] == Decimal("1000.00")
