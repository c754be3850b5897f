"""Budgets and expenses over HTTP: a community's budgets with where each stands, creating one
and changing its plan, a budget's ledger (expenses and event cost lines), recording,
paying and voiding expenses.

The leadership (`can_see_budgets`) reads; the community manager (`can_edit_budgets`) writes,
through `budget.services`, as on the pages. Others get a 403; bad input a 422 naming the field
(overspending without `override_reason` is a 422 on that field saying by how much).
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from practica.api.errors import error_responses
from practica.api.fields import Id, Slug
from practica.api.pagination import Page
from practica.budget.models import Budget, BudgetCategory, Expense
from practica.budget.permissions import can_edit_budgets, can_see_budgets
from practica.budget.queries.budgets import budgets_with_standing
from practica.budget.queries.rows import BudgetRow, budget_rows
from practica.budget.queries.standing import BudgetStanding, budget_standing
from practica.budget.schemas import (
    BudgetCreateIn,
    BudgetOut,
    BudgetUpdateIn,
    CategoryStandingOut,
    ExpenseIn,
    ExpenseOut,
    ExpenseVoidIn,
    LedgerRowOut,
    OtherCurrencyOut,
)
from practica.budget.services import budgets as budget_services
from practica.budget.services import expenses as expense_services
from practica.communities.models import Community
from practica.events.models import Event

router = Router(tags=["budget"])

ERRORS = error_responses(401, 403, 404, 422)


def budget_out(standing: BudgetStanding) -> BudgetOut:
    budget = standing.budget
    return BudgetOut(
        id=budget.pk,
        community={
            "id": budget.community.pk,
            "slug": budget.community.slug,
            "name": budget.community.name,
        },
        fiscal_year=budget.fiscal_year,
        starts_on=budget.starts_on,
        ends_on=budget.ends_on,
        currency=budget.currency,
        note=budget.note,
        created_at=budget.created_at,
        planned=standing.planned,
        spent=standing.spent,
        committed=standing.committed,
        remaining=standing.remaining,
        categories=[
            CategoryStandingOut(
                category=row.category,
                label=row.label,
                has_line=row.has_line,
                planned=row.planned,
                spent=row.spent,
                committed=row.committed,
                remaining=row.remaining,
                over_by=row.over_by,
            )
            for row in standing.categories
        ],
        other_currencies=[
            OtherCurrencyOut(currency=other.currency, total=other.total, lines=other.lines)
            for other in standing.other_currencies
        ],
    )


def renamed_fields(error: ValidationError, names: dict[str, str]) -> ValidationError:
    """The service's refusal with its fields named as the API's input names them."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {names.get(field, field): errors for field, errors in error.error_dict.items()}
    )


def _community(slug: str) -> Community:
    return get_object_or_404(Community, slug=slug)


def _require_viewer(request: HttpRequest, community: Community) -> None:
    if not can_see_budgets(request.auth, community):
        raise PermissionDenied(
            _("Only the leadership of %(name)s sees its budgets.") % {"name": community.name}
        )


def _require_editor(request: HttpRequest, community: Community) -> None:
    if not can_edit_budgets(request.auth, community):
        raise PermissionDenied(
            _("Only the community manager of %(name)s keeps its budgets.")
            % {"name": community.name}
        )


def _budget(request: HttpRequest, budget_id: int) -> Budget:
    budget = get_object_or_404(Budget.objects.select_related("community"), pk=budget_id)
    _require_viewer(request, budget.community)
    return budget


def _expense(request: HttpRequest, expense_id: int) -> Expense:
    expense = get_object_or_404(Expense.objects.select_related("budget__community"), pk=expense_id)
    _require_editor(request, expense.budget.community)
    return expense


@router.get("/budget/communities/{slug}/budgets", response={200: list[BudgetOut], **ERRORS})
@paginate(Page)
def list_community_budgets(request: HttpRequest, slug: Slug) -> list[BudgetOut]:
    """The community's budgets, the latest fiscal year first, each with its totals and
    categories. The leadership only."""
    community = _community(slug)
    _require_viewer(request, community)
    return [budget_out(standing) for standing in budgets_with_standing(community)]


@router.post("/budget/communities/{slug}/budgets", response={201: BudgetOut, **ERRORS})
def create_community_budget(request: HttpRequest, slug: Slug, payload: BudgetCreateIn) -> Any:
    """Create the budget of a fiscal year (its period defaults to the fiscal year's; it may not
    overlap another budget of the community). The community manager only."""
    community = _community(slug)
    _require_editor(request, community)
    budget = budget_services.create_budget(
        community=community,
        actor=request.auth,
        fiscal_year=payload.fiscal_year,
        currency=payload.currency,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        lines=dict(payload.lines),
        note=payload.note,
    )
    return Status(201, budget_out(budget_standing(budget)))


@router.get("/budget/budgets/{budget_id}", response={200: BudgetOut, **ERRORS})
def get_budget(request: HttpRequest, budget_id: Id) -> BudgetOut:
    """A budget with planned, spent, committed and remaining, in total and per category."""
    return budget_out(budget_standing(_budget(request, budget_id)))


@router.patch("/budget/budgets/{budget_id}", response={200: BudgetOut, **ERRORS})
def update_budget_plan(request: HttpRequest, budget_id: Id, payload: BudgetUpdateIn) -> BudgetOut:
    """Change planned amounts (only the categories sent; null removes a line) and the note.
    The community manager only."""
    budget = _budget(request, budget_id)
    _require_editor(request, budget.community)
    budget_services.update_budget(
        budget=budget,
        actor=request.auth,
        lines=dict(payload.lines) if payload.lines is not None else None,
        note=payload.note,
    )
    return budget_out(budget_standing(budget))


class LedgerFilters(Schema):
    category: BudgetCategory | None = None
    include_voided: bool = True


def _row(row: BudgetRow) -> LedgerRowOut:
    return LedgerRowOut(
        kind=row.kind,
        id=row.id,
        category=row.category,
        description=row.description,
        amount=row.amount,
        currency=row.currency,
        status=row.status,
        day=row.day,
        counted=row.counted,
        event_id=row.event_id,
        event_title=row.event_title,
        override_reason=row.override_reason,
        void_reason=row.void_reason,
    )


@router.get("/budget/budgets/{budget_id}/expenses", response={200: list[LedgerRowOut], **ERRORS})
@paginate(Page)
def list_budget_expenses(
    request: HttpRequest, budget_id: Id, filters: Query[LedgerFilters]
) -> list[LedgerRowOut]:
    """The budget's ledger, newest first: its expenses (voided ones too, unless
    `include_voided=false`) and the cost lines of the community's events in its period."""
    budget = _budget(request, budget_id)
    rows = budget_rows(
        budget, category=filters.category or "", include_voided=filters.include_voided
    )
    return [_row(row) for row in rows]


@router.post("/budget/budgets/{budget_id}/expenses", response={201: ExpenseOut, **ERRORS})
def record_budget_expense(request: HttpRequest, budget_id: Id, payload: ExpenseIn) -> Any:
    """Record an expense (spent, or committed: ordered, not paid yet). Past the category's
    planned amount it needs `override_reason`. The community manager only."""
    budget = _budget(request, budget_id)
    _require_editor(request, budget.community)
    event = None
    if payload.event_id is not None:
        event = Event.objects.filter(pk=payload.event_id).first()
        if event is None:
            raise ValidationError({"event_id": _("There is no such event.")})
    try:
        expense = expense_services.record_expense(
            budget=budget,
            actor=request.auth,
            category=payload.category,
            description=payload.description,
            amount=payload.amount,
            incurred_on=payload.incurred_on,
            status=payload.status,
            event=event,
            override_reason=payload.override_reason,
        )
    except ValidationError as error:
        raise renamed_fields(error, {"event": "event_id"}) from None
    return Status(201, expense)


@router.post("/budget/expenses/{expense_id}/paid", response={200: ExpenseOut, **ERRORS})
def mark_budget_expense_paid(request: HttpRequest, expense_id: Id) -> Expense:
    """A committed expense was paid: it counts as spent from now on."""
    return expense_services.mark_expense_spent(
        expense=_expense(request, expense_id), actor=request.auth
    )


@router.post("/budget/expenses/{expense_id}/void", response={200: ExpenseOut, **ERRORS})
def void_budget_expense(request: HttpRequest, expense_id: Id, payload: ExpenseVoidIn) -> Expense:
    """Void an expense entered by mistake, with the reason; it no longer counts."""
    return expense_services.void_expense(
        expense=_expense(request, expense_id), actor=request.auth, reason=payload.reason
    )
