"""Recording expenses: dates inside the budget's period, events of the community, the
overspending rule (a refusal that says by how much, unless a reason is given, which is kept
and audited), marking paid and voiding with a reason."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from practica.budget.models import Expense, ExpenseStatus
from practica.budget.queries.standing import budget_standing
from practica.budget.services.checks import is_overspend_refusal
from practica.budget.services.expenses import mark_expense_spent, record_expense, void_expense
from practica.core.models import AuditLogEntry
from tests.factories.budget import ExpenseFactory
from tests.factories.communities import CommunityFactory
from tests.factories.events import EventFactory

pytestmark = pytest.mark.django_db


def record(budget, actor, **changes):
    values = {
        "category": "venue",
        "description": "Room for the meetup",
        "amount": "400",
        "incurred_on": timezone.localdate(),
        **changes,
    }
    return record_expense(budget=budget, actor=actor, **values)


def test_the_manager_records_an_expense(budget, manager):
    event = EventFactory(community=budget.community)
    expense = record(budget, manager, event=event, status=ExpenseStatus.COMMITTED)
    assert expense.amount == Decimal("400.00")
    assert (expense.event, expense.recorded_by, expense.override_reason) == (event, manager, "")
    venue = budget_standing(budget).category("venue")
    assert (venue.spent, venue.committed, venue.remaining) == (
        Decimal("0.00"),
        Decimal("400.00"),
        Decimal("600.00"),
    )
    assert AuditLogEntry.objects.get(action="budget.expense_recorded").data["amount"] == "400.00"


def test_an_event_the_community_co_hosts_counts_too(budget, manager):
    event = EventFactory(community=CommunityFactory())
    event.co_hosts.add(budget.community)
    assert record(budget, manager, event=event).event == event


def test_an_event_of_another_community_is_refused(budget, manager):
    with pytest.raises(ValidationError) as refused:
        record(budget, manager, event=EventFactory())
    assert "hosts or co-hosts" in refused.value.message_dict["event"][0]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"amount": "-10"}, "amount", "cannot be negative"),
        ({"amount": "0"}, "amount", "more than zero"),
        ({"amount": "10000001"}, "amount", "above the limit"),
        ({"amount": "12.345"}, "amount", "two decimals"),
        ({"category": "travel"}, "category", "Choose a budget category"),
        ({"status": "paid"}, "status", "spent or committed"),
        ({"description": "   "}, "description", "what the money is for"),
        ({"description": "x" * 201}, "description", "at most 200"),
        ({"incurred_on": "2030-01-01"}, "incurred_on", "YYYY-MM-DD"),
    ],
)
def test_bad_input_is_refused(budget, manager, changes, field, message):
    with pytest.raises(ValidationError) as refused:
        record(budget, manager, **changes)
    assert message in refused.value.message_dict[field][0]
    assert not Expense.objects.exists()


def test_the_date_must_be_in_the_budget_period(budget, manager):
    with pytest.raises(ValidationError) as refused:
        record(budget, manager, incurred_on=budget.ends_on + timedelta(days=1))
    assert "budget's period" in refused.value.message_dict["incurred_on"][0]
    assert record(budget, manager, incurred_on=budget.ends_on)


@pytest.mark.parametrize("role", ["leader", "sponsor", "member", "outsider"])
def test_only_the_manager_records_expenses(budget, role, request):
    with pytest.raises(PermissionDenied):
        record(budget, request.getfixturevalue(role))
    assert not Expense.objects.exists()


def test_overspending_says_by_how_much_and_changes_nothing(budget, manager):
    record(budget, manager, amount="900")
    with pytest.raises(ValidationError) as refused:
        record(budget, manager, amount="250.50")
    message = refused.value.message_dict["override_reason"][0]
    assert "Venue 150.50 USD over its planned 1,000.00 USD" in message
    assert "100.00 USD was left" in message
    assert is_overspend_refusal(refused.value)
    assert Expense.objects.count() == 1


def test_a_category_without_a_line_has_nothing_planned(budget, manager):
    with pytest.raises(ValidationError) as refused:
        record(budget, manager, category="swag", amount="10")
    assert (
        "Swag and prizes 10.00 USD over its planned 0.00 USD"
        in refused.value.message_dict["override_reason"][0]
    )


def test_overspending_with_a_reason_is_recorded_and_audited(budget, manager):
    record(budget, manager, amount="900")
    expense = record(budget, manager, amount="250.50", override_reason="The sponsor agreed")
    assert expense.override_reason == "The sponsor agreed"
    override = AuditLogEntry.objects.get(action="budget.overspend_overridden")
    assert override.data["over_by"] == "150.50"
    assert override.data["reason"] == "The sponsor agreed"
    assert budget_standing(budget).category("venue").over_by == Decimal("150.50")


def test_a_reason_given_without_need_is_not_kept(budget, manager):
    expense = record(budget, manager, amount="10", override_reason="Just in case")
    assert expense.override_reason == ""
    assert not AuditLogEntry.objects.filter(action="budget.overspend_overridden").exists()


def test_event_costs_and_grants_count_against_the_plan(budget, manager):
    from tests.factories.budget import EventCostFactory, GrantFactory

    event = EventFactory(community=budget.community)
    EventCostFactory(event=event, category="venue", amount="700", incurred_on=timezone.localdate())
    with pytest.raises(ValidationError):
        record(budget, manager, amount="301")
    GrantFactory(
        community=budget.community,
        budget=budget,
        status="approved",
        amount_requested="990",
        amount_approved="990",
    )
    with pytest.raises(ValidationError):
        record(budget, manager, category="grants", amount="11")
    assert record(budget, manager, category="grants", amount="10")


def test_a_committed_expense_is_marked_paid(budget, manager):
    expense = record(budget, manager, status=ExpenseStatus.COMMITTED)
    mark_expense_spent(expense=expense, actor=manager)
    expense.refresh_from_db()
    assert expense.status == ExpenseStatus.SPENT
    with pytest.raises(ValidationError, match="already marked as spent"):
        mark_expense_spent(expense=expense, actor=manager)


def test_voiding_needs_a_reason_and_stops_counting(budget, manager, leader):
    expense = record(budget, manager, amount="600")
    with pytest.raises(ValidationError) as refused:
        void_expense(expense=expense, actor=manager, reason="  ")
    assert "why the expense is voided" in refused.value.message_dict["reason"][0]
    with pytest.raises(PermissionDenied):
        void_expense(expense=expense, actor=leader, reason="Mine")
    void_expense(expense=expense, actor=manager, reason="Entered twice")
    expense.refresh_from_db()
    assert (expense.voided_by, expense.void_reason) == (manager, "Entered twice")
    assert budget_standing(budget).category("venue").used == Decimal("0.00")
    assert AuditLogEntry.objects.get(action="budget.expense_voided").data["reason"] == (
        "Entered twice"
    )
    with pytest.raises(ValidationError, match="already voided"):
        void_expense(expense=expense, actor=manager, reason="Again")
    with pytest.raises(ValidationError, match="voided"):
        mark_expense_spent(expense=expense, actor=manager)


def test_an_expense_factory_row_counts_like_a_recorded_one(budget):
    ExpenseFactory(budget=budget, category="food", amount=Decimal("20.00"))
    assert budget_standing(budget).category("food").spent == Decimal("20.00")
