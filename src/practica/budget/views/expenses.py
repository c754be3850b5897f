"""Recording an expense against a budget (with the overspending warning and the override
reason), marking a committed one paid, and voiding one with a reason."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from practica.budget.forms import ExpenseForm, VoidExpenseForm
from practica.budget.models import Budget
from practica.budget.queries.standing import budget_standing
from practica.budget.services import expenses as services
from practica.budget.services.checks import is_overspend_refusal
from practica.budget.views.common import (
    add_refusal,
    editable_expense,
    refusal,
    require_budget_editor,
    safe_next,
    viewable_budget,
)


def _initial_date(budget: Budget) -> date | None:
    """Today, if the budget's period holds it."""
    today = timezone.localdate()
    return today if budget.starts_on <= today <= budget.ends_on else None


@login_required
@require_http_methods(["GET", "POST"])
def expense_create(request: HttpRequest, pk: int) -> HttpResponse:
    budget = viewable_budget(request, pk)
    require_budget_editor(request, budget.community)
    status = 200
    overspend = False
    if request.method == "POST":
        form = ExpenseForm(request.POST, budget=budget)
        if form.is_valid():
            try:
                expense = services.record_expense(
                    budget=budget, actor=request.user, **form.cleaned_data
                )
            except (ValidationError, PermissionDenied) as error:
                overspend = isinstance(error, ValidationError) and is_overspend_refusal(error)
                add_refusal(form, error)
            else:
                if expense.override_reason:
                    messages.warning(
                        request,
                        _("The expense is recorded over the plan, with your reason."),
                    )
                else:
                    messages.success(request, _("The expense is recorded."))
                return redirect(reverse("budget:budget_detail", args=[budget.pk]))
        status = 422
    else:
        form = ExpenseForm(
            budget=budget,
            initial={
                "incurred_on": _initial_date(budget),
                "category": request.GET.get("category", ""),
            },
        )
    context = {
        "community": budget.community,
        "budget": budget,
        "form": form,
        "standing": budget_standing(budget),
        "overspend": overspend,
    }
    return render(request, "budget/expense_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def expense_void(request: HttpRequest, pk: int) -> HttpResponse:
    expense = editable_expense(request, pk)
    budget = expense.budget
    status = 200
    if request.method == "POST":
        form = VoidExpenseForm(request.POST)
        if form.is_valid():
            try:
                services.void_expense(
                    expense=expense, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except (ValidationError, PermissionDenied) as error:
                add_refusal(form, error)
            else:
                messages.success(request, _("The expense is voided."))
                return redirect(reverse("budget:budget_detail", args=[budget.pk]))
        status = 422
    else:
        form = VoidExpenseForm()
    context = {"community": budget.community, "budget": budget, "expense": expense, "form": form}
    return render(request, "budget/expense_void.html", context, status=status)


@login_required
@require_POST
def expense_paid(request: HttpRequest, pk: int) -> HttpResponse:
    expense = editable_expense(request, pk)
    try:
        services.mark_expense_spent(expense=expense, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal(error))
    else:
        messages.success(request, _("The expense is marked as paid."))
    return redirect(safe_next(request, reverse("budget:budget_detail", args=[expense.budget_id])))


routes: list[URLPattern] = [
    path("<int:pk>/expenses/new/", expense_create, name="expense_create"),
    path("expenses/<int:pk>/void/", expense_void, name="expense_void"),
    path("expenses/<int:pk>/paid/", expense_paid, name="expense_paid"),
]
