"""Where a budget stands, per category: planned, spent, committed and remaining.

Nothing of this is stored; it is computed from four sources each time:
- the budget's lines (planned);
- its expenses that are not voided (spent or committed, by their status);
- the cost lines of the events the community hosts (`events.EventCost`), dated by their
  `incurred_on` or else the event's start date in the event's own time zone, inside the
  budget's period; their categories are mapped onto the budget's (speakers → other). Lines in
  another currency than the budget's are listed apart and never summed;
- the grants attached to the budget: approved ones commit `amount_approved`, reported ones
  spend `amount_spent` (all in the grants category).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Q, Sum

from practica.budget.models import (
    Budget,
    BudgetCategory,
    BudgetLine,
    Expense,
    ExpenseStatus,
    Grant,
    GrantStatus,
)
from practica.core.time_zones import zone_named
from practica.events.models import CostCategory, EventCost

ZERO = Decimal("0.00")

EVENT_COST_CATEGORY: dict[str, str] = {
    CostCategory.VENUE: BudgetCategory.VENUE,
    CostCategory.FOOD: BudgetCategory.FOOD,
    CostCategory.RECORDING: BudgetCategory.RECORDING,
    CostCategory.SPEAKER: BudgetCategory.OTHER,
    CostCategory.SWAG: BudgetCategory.SWAG,
    CostCategory.OTHER: BudgetCategory.OTHER,
}
COMMITTING_GRANTS = (GrantStatus.APPROVED, GrantStatus.PARTLY_APPROVED)


@dataclass(frozen=True)
class CategoryStanding:
    """One category of a budget. `remaining` may be negative: the category is overspent."""

    category: str
    planned: Decimal
    spent: Decimal
    committed: Decimal
    has_line: bool

    @property
    def label(self) -> str:
        return str(BudgetCategory(self.category).label)

    @property
    def used(self) -> Decimal:
        return self.spent + self.committed

    @property
    def remaining(self) -> Decimal:
        return self.planned - self.used

    @property
    def over_by(self) -> Decimal:
        return max(self.used - self.planned, ZERO)


@dataclass(frozen=True)
class DatedEventCost:
    """An event's cost line with the date and budget category it counts under."""

    cost: EventCost
    day: date
    category: str


@dataclass(frozen=True)
class OtherCurrencyTotal:
    """Event cost lines in a currency other than the budget's: shown, never added up."""

    currency: str
    total: Decimal
    lines: int


@dataclass(frozen=True)
class BudgetStanding:
    budget: Budget
    categories: list[CategoryStanding]
    other_currencies: list[OtherCurrencyTotal]

    def category(self, key: str) -> CategoryStanding:
        for standing in self.categories:
            if standing.category == key:
                return standing
        return CategoryStanding(key, ZERO, ZERO, ZERO, has_line=False)

    @property
    def planned(self) -> Decimal:
        return sum((row.planned for row in self.categories), ZERO)

    @property
    def spent(self) -> Decimal:
        return sum((row.spent for row in self.categories), ZERO)

    @property
    def committed(self) -> Decimal:
        return sum((row.committed for row in self.categories), ZERO)

    @property
    def remaining(self) -> Decimal:
        return self.planned - self.spent - self.committed

    @property
    def overspent(self) -> list[CategoryStanding]:
        return [row for row in self.categories if row.over_by > 0]


def _start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def event_costs_in_period(budget: Budget) -> list[DatedEventCost]:
    """The cost lines of the events the budget's community hosts that fall in its period, in
    any currency, oldest first."""
    # Events dated by their start in their own zone may start up to a day either side in UTC.
    candidates = (
        EventCost.objects.filter(event__community_id=budget.community_id)
        .filter(
            Q(incurred_on__range=(budget.starts_on, budget.ends_on))
            | Q(
                incurred_on__isnull=True,
                event__starts_at__gte=_start_of_day(budget.starts_on - timedelta(days=1)),
                event__starts_at__lt=_start_of_day(budget.ends_on + timedelta(days=2)),
            )
        )
        .select_related("event", "recorded_by")
    )
    lines = []
    for cost in candidates:
        day = (
            cost.incurred_on
            or cost.event.starts_at.astimezone(zone_named(cost.event.time_zone)).date()
        )
        if budget.starts_on <= day <= budget.ends_on:
            lines.append(DatedEventCost(cost, day, EVENT_COST_CATEGORY[cost.category]))
    lines.sort(key=lambda line: (line.day, line.cost.pk))
    return lines


def budget_standing(budget: Budget) -> BudgetStanding:
    """Planned, spent, committed and remaining per category (those with a line or any money
    against them, in the categories' order), and event costs in other currencies apart."""
    planned = dict(BudgetLine.objects.filter(budget=budget).values_list("category", "planned"))
    spent: dict[str, Decimal] = defaultdict(lambda: ZERO)
    committed: dict[str, Decimal] = defaultdict(lambda: ZERO)
    expenses = (
        Expense.objects.filter(budget=budget, voided_at__isnull=True)
        .values("category", "status")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in expenses:
        target = spent if row["status"] == ExpenseStatus.SPENT else committed
        target[row["category"]] += row["total"]
    other: dict[str, list[Decimal]] = defaultdict(list)
    for line in event_costs_in_period(budget):
        if line.cost.currency == budget.currency:
            spent[line.category] += line.cost.amount
        else:
            other[line.cost.currency].append(line.cost.amount)
    grants = (
        Grant.objects.filter(budget=budget)
        .values("status")
        .annotate(approved=Sum("amount_approved"), spent=Sum("amount_spent"))
        .order_by()
    )
    for grant_row in grants:
        if grant_row["status"] == GrantStatus.REPORTED:
            spent[BudgetCategory.GRANTS] += grant_row["spent"] or ZERO
        elif grant_row["status"] in COMMITTING_GRANTS:
            committed[BudgetCategory.GRANTS] += grant_row["approved"] or ZERO
    categories = [
        CategoryStanding(
            category=key,
            planned=planned.get(key, ZERO),
            spent=spent[key],
            committed=committed[key],
            has_line=key in planned,
        )
        for key in BudgetCategory.values
        if key in planned or key in spent or key in committed
    ]
    other_currencies = [
        OtherCurrencyTotal(currency, sum(amounts, ZERO), len(amounts))
        for currency, amounts in sorted(other.items())
    ]
    return BudgetStanding(budget, categories, other_currencies)
