"""A budget's ledger: its expenses and its community's events' cost lines in one list."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from practica.budget.models import Budget, BudgetCategory, Expense
from practica.budget.queries.standing import event_costs_in_period

EXPENSE = "expense"
EVENT_COST = "event_cost"
VOIDED = "voided"


@dataclass(frozen=True)
class BudgetRow:
    """One line of the ledger. `kind` is `expense` or `event_cost`; `status` is spent,
    committed or voided (event cost lines are spent); `counted` is False for a voided
    expense and for an event cost in another currency than the budget's."""

    kind: str
    id: int
    category: str
    description: str
    amount: Decimal
    currency: str
    status: str
    day: date
    counted: bool
    event_id: int | None
    event_title: str
    recorded_by: Any
    recorded_at: datetime
    override_reason: str = ""
    void_reason: str = ""
    expense: Expense | None = None

    @property
    def category_label(self) -> str:
        return str(BudgetCategory(self.category).label)

    @property
    def is_expense(self) -> bool:
        return self.kind == EXPENSE

    @property
    def is_voided(self) -> bool:
        return self.status == VOIDED


def _expense_row(expense: Expense, currency: str) -> BudgetRow:
    voided = expense.voided_at is not None
    return BudgetRow(
        kind=EXPENSE,
        id=expense.pk,
        category=expense.category,
        description=expense.description,
        amount=expense.amount,
        currency=currency,
        status=VOIDED if voided else expense.status,
        day=expense.incurred_on,
        counted=not voided,
        event_id=expense.event_id,
        event_title=expense.event.title if expense.event is not None else "",
        recorded_by=expense.recorded_by,
        recorded_at=expense.recorded_at,
        override_reason=expense.override_reason,
        void_reason=expense.void_reason,
        expense=expense,
    )


def budget_rows(
    budget: Budget, *, category: str = "", include_voided: bool = True
) -> list[BudgetRow]:
    """Expenses and event cost lines of the budget's period, newest first, optionally of one
    category. A budget holds a year of a community's spending, some hundreds of lines: the
    list is built whole and paginated by the caller."""
    expenses = Expense.objects.filter(budget=budget).select_related("event", "recorded_by")
    if category:
        expenses = expenses.filter(category=category)
    if not include_voided:
        expenses = expenses.filter(voided_at__isnull=True)
    rows = [_expense_row(expense, budget.currency) for expense in expenses]
    for line in event_costs_in_period(budget):
        if category and line.category != category:
            continue
        cost = line.cost
        rows.append(
            BudgetRow(
                kind=EVENT_COST,
                id=cost.pk,
                category=line.category,
                description=cost.description or cost.get_category_display(),
                amount=cost.amount,
                currency=cost.currency,
                status="spent",
                day=line.day,
                counted=cost.currency == budget.currency,
                event_id=cost.event_id,
                event_title=cost.event.title,
                recorded_by=cost.recorded_by,
                recorded_at=cost.recorded_at,
            )
        )
    rows.sort(key=lambda row: (row.day, row.recorded_at, row.id), reverse=True)
    return rows
