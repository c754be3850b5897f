"""Where a budget stands, per category, from its lines, its expenses, the community's events'
cost lines (dated, mapped, one currency) and its grants; and the ledger listing them."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from practica.budget.models import BudgetCategory, ExpenseStatus, GrantStatus
from practica.budget.queries.budgets import budget_holding, budgets_with_standing
from practica.budget.queries.rows import EVENT_COST, EXPENSE, budget_rows
from practica.budget.queries.standing import budget_standing, event_costs_in_period
from tests.factories.budget import (
    BudgetFactory,
    BudgetLineFactory,
    EventCostFactory,
    ExpenseFactory,
    GrantFactory,
)
from tests.factories.events import EventFactory

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def year_budget(community):
    """The 2030 calendar year, planned: venue 1000, food 500, grants 1000."""
    budget = BudgetFactory(
        community=community,
        fiscal_year=2030,
        starts_on=date(2030, 1, 1),
        ends_on=date(2030, 12, 31),
    )
    for category, planned in (("venue", "1000"), ("food", "500"), ("grants", "1000")):
        BudgetLineFactory(budget=budget, category=category, planned=D(planned))
    return budget


def event_at(community, moment, zone="UTC"):
    return EventFactory(
        community=community, starts_at=moment, ends_at=moment + timedelta(hours=2), time_zone=zone
    )


def test_everything_adds_up_per_category(year_budget, community):
    ExpenseFactory(
        budget=year_budget, category="venue", amount=D("100"), incurred_on=date(2030, 3, 1)
    )
    ExpenseFactory(
        budget=year_budget,
        category="venue",
        amount=D("50"),
        status=ExpenseStatus.COMMITTED,
        incurred_on=date(2030, 3, 2),
    )
    ExpenseFactory(
        budget=year_budget,
        category="venue",
        amount=D("999"),
        incurred_on=date(2030, 3, 3),
        voided_at=timezone.now(),
    )
    event = event_at(community, datetime(2030, 5, 1, 12, tzinfo=UTC))
    EventCostFactory(event=event, category="food", amount=D("80.25"))
    EventCostFactory(event=event, category="speaker", amount=D("300"))
    GrantFactory(
        community=community,
        budget=year_budget,
        status=GrantStatus.APPROVED,
        amount_approved=D("200"),
    )
    GrantFactory(
        community=community,
        budget=year_budget,
        status=GrantStatus.REPORTED,
        amount_approved=D("300"),
        amount_spent=D("120"),
    )
    GrantFactory(
        community=community,
        budget=year_budget,
        status=GrantStatus.WITHDRAWN,
        amount_approved=D("400"),
    )
    GrantFactory(community=community, status=GrantStatus.SUBMITTED)

    standing = budget_standing(year_budget)

    rows = {
        row.category: (row.planned, row.spent, row.committed, row.remaining)
        for row in standing.categories
    }
    assert rows == {
        "venue": (D("1000"), D("100"), D("50"), D("850")),
        "food": (D("500"), D("80.25"), D("0"), D("419.75")),
        "grants": (D("1000"), D("120"), D("200"), D("680")),
        "other": (D("0"), D("300"), D("0"), D("-300")),
    }
    assert [row.category for row in standing.categories] == ["venue", "food", "grants", "other"]
    assert standing.category("other").over_by == D("300")
    assert not standing.category("other").has_line
    assert [row.category for row in standing.overspent] == ["other"]
    assert (standing.planned, standing.spent, standing.committed) == (
        D("2500"),
        D("600.25"),
        D("250"),
    )
    assert standing.remaining == D("1649.75")
    assert standing.category("swag").planned == D("0")


def test_event_costs_are_dated_by_their_date_or_the_event_s_local_start(year_budget, community):
    # 2029-12-31 20:00 in New York is 2030-01-01 01:00 UTC: a 2029 event.
    new_year_eve = event_at(community, datetime(2030, 1, 1, 1, tzinfo=UTC), "America/New_York")
    EventCostFactory(event=new_year_eve, amount=D("10"))
    # 2031-01-01 07:00 in Shanghai is 2030-12-31 23:00 UTC: a 2031 event.
    new_year = event_at(community, datetime(2030, 12, 31, 23, tzinfo=UTC), "Asia/Shanghai")
    EventCostFactory(event=new_year, amount=D("20"))
    # Its own date wins over the event's.
    EventCostFactory(event=new_year, amount=D("40"), incurred_on=date(2030, 12, 30))
    inside = event_at(community, datetime(2030, 6, 1, 9, tzinfo=UTC))
    EventCostFactory(event=inside, amount=D("5"), incurred_on=date(2031, 2, 1))
    EventCostFactory(event=inside, amount=D("1"))

    dated = event_costs_in_period(year_budget)

    assert [(line.cost.amount, line.day) for line in dated] == [
        (D("1.00"), date(2030, 6, 1)),
        (D("40.00"), date(2030, 12, 30)),
    ]
    assert budget_standing(year_budget).category("venue").spent == D("41.00")


def test_other_communities_events_do_not_count(year_budget):
    other = EventFactory(starts_at=datetime(2030, 6, 1, tzinfo=UTC))
    EventCostFactory(event=other, amount=D("10"))
    assert event_costs_in_period(year_budget) == []
    assert budget_standing(year_budget).spent == D("0")


def test_event_costs_in_another_currency_are_listed_apart(year_budget, community):
    event = event_at(community, datetime(2030, 6, 1, tzinfo=UTC))
    EventCostFactory(event=event, amount=D("10"), currency="EUR")
    EventCostFactory(event=event, amount=D("5.50"), currency="EUR")
    EventCostFactory(event=event, amount=D("7"), currency="CNY")
    standing = budget_standing(year_budget)
    assert standing.spent == D("0")
    assert [(other.currency, other.total, other.lines) for other in standing.other_currencies] == [
        ("CNY", D("7"), 1),
        ("EUR", D("15.50"), 2),
    ]


def test_event_cost_categories_map_onto_budget_categories(year_budget, community):
    event = event_at(community, datetime(2030, 6, 1, tzinfo=UTC))
    for category in ("venue", "food", "recording", "speaker", "swag", "other"):
        EventCostFactory(event=event, category=category, amount=D("1"))
    spent = {row.category: row.spent for row in budget_standing(year_budget).categories}
    assert spent == {
        "venue": D("1"),
        "food": D("1"),
        "recording": D("1"),
        "swag": D("1"),
        "grants": D("0"),
        "other": D("2"),
    }


def test_the_ledger_lists_expenses_and_event_costs_newest_first(year_budget, community):
    early = ExpenseFactory(budget=year_budget, category="venue", incurred_on=date(2030, 2, 1))
    voided = ExpenseFactory(
        budget=year_budget,
        category="food",
        incurred_on=date(2030, 4, 1),
        voided_at=timezone.now(),
        void_reason="Twice",
    )
    event = event_at(community, datetime(2030, 3, 1, tzinfo=UTC))
    cost = EventCostFactory(event=event, category="speaker", amount=D("9"), currency="EUR")

    rows = budget_rows(year_budget)

    assert [(row.kind, row.id) for row in rows] == [
        (EXPENSE, voided.pk),
        (EVENT_COST, cost.pk),
        (EXPENSE, early.pk),
    ]
    assert rows[0].is_voided
    assert not rows[0].counted
    assert rows[1].category == "other"
    assert not rows[1].counted
    assert rows[1].event_title == event.title
    assert rows[2].counted
    assert [row.id for row in budget_rows(year_budget, category="venue")] == [early.pk]
    assert [row.id for row in budget_rows(year_budget, include_voided=False)] == [cost.pk, early.pk]


def test_which_budget_holds_a_date(year_budget, community):
    assert budget_holding(community.pk, date(2030, 7, 1)) == year_budget
    assert budget_holding(community.pk, date(2031, 1, 1)) is None


def test_every_budget_of_a_community_with_its_standing(community, year_budget):
    later = BudgetFactory(
        community=community,
        fiscal_year=2031,
        starts_on=date(2031, 1, 1),
        ends_on=date(2031, 12, 31),
    )
    assert [standing.budget for standing in budgets_with_standing(community)] == [
        later,
        year_budget,
    ]


def test_a_new_budget_has_no_categories(community):
    standing = budget_standing(BudgetFactory(community=community))
    assert standing.categories == []
    assert standing.remaining == D("0")
    assert BudgetCategory.GRANTS not in [row.category for row in standing.categories]
