"""The budget API's shapes (`api_budgets` and `api_grants` hold the endpoints).

Amounts are decimal numbers (or strings) with at most two places, checked by the services:
negative, zero where it makes no sense, and above 10,000,000 are refused with a 422 naming the
field. Money goes out as strings with two places, in the budget's or grant's `currency`.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from practica.api.fields import Id, Slug, text
from practica.budget.models import BudgetCategory, ExpenseStatus, GrantStatus
from practica.budget.services.budgets import MAX_NOTE
from practica.budget.services.checks import MAX_OVERRIDE_REASON
from practica.budget.services.expenses import MAX_DESCRIPTION, MAX_VOID_REASON
from practica.budget.services.grants import MAX_OUTCOME, MAX_PURPOSE, MAX_REASON, MAX_TITLE
from practica.communities.api import CommunityRef
from practica.people.api import PersonRef

Currency = text(3)
OVERRIDE = Field(
    "",
    description="Why going over the plan is right; needed only when the amount takes the "
    "category past its planned amount (else a 422 on this field says by how much).",
)


# --- Budgets -------------------------------------------------------------------------------


class BudgetCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    fiscal_year: int = Field(description="e.g. 2025; one budget per community and year.")
    currency: Currency = Field(description="ISO 4217, e.g. USD.")  # type: ignore[valid-type]
    starts_on: date | None = Field(None, description="Defaults to the fiscal year's first day.")
    ends_on: date | None = Field(None, description="Defaults to the fiscal year's last day.")
    lines: dict[BudgetCategory, Decimal | None] = Field(
        default_factory=dict, description="The planned amount per category (0 allowed)."
    )
    note: text(MAX_NOTE) = ""  # type: ignore[valid-type]


class BudgetUpdateIn(Schema):
    """Only what is sent changes: a category's planned amount (null removes its line)."""

    model_config = ConfigDict(extra="forbid")

    lines: dict[BudgetCategory, Decimal | None] | None = None
    note: text(MAX_NOTE) | None = None  # type: ignore[valid-type]


class CategoryStandingOut(Schema):
    """A category: `remaining` = planned − spent − committed (negative when overspent)."""

    category: BudgetCategory
    label: str
    has_line: bool
    planned: Decimal
    spent: Decimal
    committed: Decimal
    remaining: Decimal
    over_by: Decimal


class OtherCurrencyOut(Schema):
    """Event cost lines in another currency than the budget's, never added to it."""

    currency: str
    total: Decimal
    lines: int


class BudgetOut(Schema):
    """A budget with where it stands: totals and one entry per category with a line or with
    money against it."""

    id: int
    community: CommunityRef
    fiscal_year: int
    starts_on: date
    ends_on: date
    currency: str
    note: str
    created_at: datetime
    planned: Decimal
    spent: Decimal
    committed: Decimal
    remaining: Decimal
    categories: list[CategoryStandingOut]
    other_currencies: list[OtherCurrencyOut]


# --- Expenses ------------------------------------------------------------------------------


class ExpenseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    category: BudgetCategory
    description: text(MAX_DESCRIPTION, min_length=1)  # type: ignore[valid-type]
    amount: Decimal
    incurred_on: date = Field(description="Inside the budget's period.")
    status: ExpenseStatus = ExpenseStatus.SPENT
    event_id: Id | None = Field(None, description="An event the community hosts or co-hosts.")
    override_reason: text(MAX_OVERRIDE_REASON) = OVERRIDE  # type: ignore[valid-type]


class ExpenseVoidIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: text(MAX_VOID_REASON, min_length=1)  # type: ignore[valid-type]


class ExpenseOut(Schema):
    id: int
    budget_id: int
    category: BudgetCategory
    description: str
    amount: Decimal
    status: ExpenseStatus
    incurred_on: date
    event_id: int | None
    override_reason: str
    recorded_at: datetime
    voided_at: datetime | None
    void_reason: str


class LedgerRowOut(Schema):
    """One line of a budget's ledger. `kind`: expense or event_cost; `status`: spent,
    committed or voided; `counted` is false for voided expenses and for event costs in
    another currency. `id` is the expense's or the event cost line's."""

    kind: Literal["expense", "event_cost"]
    id: int
    category: BudgetCategory
    description: str
    amount: Decimal
    currency: str
    status: str
    day: date
    counted: bool
    event_id: int | None
    event_title: str
    override_reason: str
    void_reason: str


# --- Grants --------------------------------------------------------------------------------


class GroupRef(Schema):
    id: int
    slug: str
    name: str


class GrantApplyIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: text(MAX_TITLE, min_length=1)  # type: ignore[valid-type]
    purpose: text(MAX_PURPOSE, min_length=1)  # type: ignore[valid-type]
    amount: Decimal
    currency: Currency = Field(description="ISO 4217; the budget's, if one holds the date.")  # type: ignore[valid-type]
    activity_on: date = Field(description="Today or later, at most two years ahead.")
    group: Slug | None = Field(None, description="The slug of one of the community's groups.")


class GrantDecisionIn(Schema):
    """`approve` with no `amount` (or the amount requested) approves in full, with less
    approves part (a `reason` is then needed); `decline` needs a `reason`."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "decline"]
    amount: Decimal | None = None
    reason: text(MAX_REASON) = ""  # type: ignore[valid-type]
    override_reason: text(MAX_OVERRIDE_REASON) = OVERRIDE  # type: ignore[valid-type]


class GrantReportIn(Schema):
    model_config = ConfigDict(extra="forbid")

    outcome: text(MAX_OUTCOME, min_length=1)  # type: ignore[valid-type]
    amount_spent: Decimal = Field(
        description="0 or more; above the approved amount needs a reason."
    )
    override_reason: text(MAX_OVERRIDE_REASON) = Field(  # type: ignore[valid-type]
        "", description="Why more than the approved amount was spent."
    )


class GrantOut(Schema):
    """A grant. `status`: submitted, approved, partly_approved, declined, withdrawn or
    reported; `budget_id` is set once approved."""

    id: int
    community: CommunityRef
    applicant: PersonRef
    group: GroupRef | None
    title: str
    purpose: str
    amount_requested: Decimal
    currency: str
    activity_on: date
    status: GrantStatus
    amount_approved: Decimal | None
    budget_id: int | None
    decided_by: PersonRef | None
    decided_at: datetime | None
    decision_reason: str
    override_reason: str
    outcome: str
    amount_spent: Decimal | None
    reported_at: datetime | None
    created_at: datetime
