"""A community's budgets (one a year, bars per category), creating one, a budget's page with
its ledger of expenses and event costs, and editing its plan."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from practica.budget.charts import budget_svg
from practica.budget.fiscal_years import fiscal_year_of
from practica.budget.forms import LINE_PREFIX, BudgetCreateForm, BudgetEditForm
from practica.budget.models import BudgetCategory
from practica.budget.permissions import can_decide_grants, can_edit_budgets
from practica.budget.queries.budgets import budgets_with_standing, community_budgets
from practica.budget.queries.grants import grant_queue
from practica.budget.queries.rows import budget_rows
from practica.budget.queries.standing import budget_standing
from practica.budget.services import budgets as services
from practica.budget.views.common import (
    add_refusal,
    community_named,
    require_budget_editor,
    require_budget_viewer,
    viewable_budget,
)

# Service errors on `lines.venue` belong to the form's `line_venue`.
LINE_FIELDS = {
    f"lines.{category}": f"{LINE_PREFIX}{category}" for category in BudgetCategory.values
}


@login_required
@require_GET
def budget_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_named(slug)
    require_budget_viewer(request, community)
    years = [
        {
            "standing": standing,
            "chart": budget_svg(
                standing,
                title=_("FY%(year)s by category") % {"year": standing.budget.fiscal_year},
                chart_id=f"budget-chart-{standing.budget.pk}",
            ),
        }
        for standing in budgets_with_standing(community)
    ]
    context = {
        "community": community,
        "years": years,
        "can_edit": can_edit_budgets(request.user, community),
        "waiting_grants": grant_queue(community).count(),
        "can_decide": can_decide_grants(request.user, community),
    }
    return render(request, "budget/budget_list.html", context)


def _suggested_year(community_budgets_years: list[int]) -> int:
    current = fiscal_year_of(timezone.localdate())
    year = current
    while year in community_budgets_years:
        year += 1
    return year


@login_required
@require_http_methods(["GET", "POST"])
def budget_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_named(slug)
    require_budget_editor(request, community)
    existing = list(community_budgets(community))
    status = 200
    if request.method == "POST":
        form = BudgetCreateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                budget = services.create_budget(
                    community=community,
                    actor=request.user,
                    fiscal_year=data["fiscal_year"],
                    currency=data["currency"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    lines=form.lines(),
                    note=data["note"],
                )
            except (ValidationError, PermissionDenied) as error:
                add_refusal(form, error, LINE_FIELDS)
            else:
                messages.success(
                    request,
                    _("The FY%(year)s budget is created.") % {"year": budget.fiscal_year},
                )
                return redirect(reverse("budget:budget_detail", args=[budget.pk]))
        status = 422
    else:
        form = BudgetCreateForm(
            initial={
                "fiscal_year": _suggested_year([budget.fiscal_year for budget in existing]),
                "currency": existing[0].currency if existing else "USD",
            }
        )
    context = {"community": community, "form": form}
    return render(request, "budget/budget_form.html", context, status=status)


@login_required
@require_GET
def budget_detail(request: HttpRequest, pk: int) -> HttpResponse:
    budget = viewable_budget(request, pk)
    community = budget.community
    category = request.GET.get("category", "")
    if category not in BudgetCategory.values:
        category = ""
    standing = budget_standing(budget)
    page = Paginator(budget_rows(budget, category=category), settings.PRACTICA_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "community": community,
        "budget": budget,
        "standing": standing,
        "chart": budget_svg(
            standing,
            title=_("FY%(year)s by category") % {"year": budget.fiscal_year},
            chart_id="budget-chart",
        ),
        "page_obj": page,
        "category": category,
        "categories": BudgetCategory.choices,
        "can_edit": can_edit_budgets(request.user, community),
    }
    return render(request, "budget/budget_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def budget_edit(request: HttpRequest, pk: int) -> HttpResponse:
    budget = viewable_budget(request, pk)
    require_budget_editor(request, budget.community)
    status = 200
    if request.method == "POST":
        form = BudgetEditForm(request.POST, budget=budget)
        if form.is_valid():
            try:
                services.update_budget(
                    budget=budget,
                    actor=request.user,
                    lines=form.lines(),
                    note=form.cleaned_data["note"],
                )
            except (ValidationError, PermissionDenied) as error:
                add_refusal(form, error, LINE_FIELDS)
            else:
                messages.success(request, _("The plan is saved."))
                return redirect(reverse("budget:budget_detail", args=[budget.pk]))
        status = 422
    else:
        form = BudgetEditForm(budget=budget)
    context = {
        "community": budget.community,
        "budget": budget,
        "form": form,
        "standing": budget_standing(budget),
    }
    return render(request, "budget/budget_form.html", context, status=status)


routes: list[URLPattern] = [
    path("communities/<slug:slug>/", budget_list, name="budgets"),
    path("communities/<slug:slug>/new/", budget_create, name="budget_create"),
    path("<int:pk>/", budget_detail, name="budget_detail"),
    path("<int:pk>/plan/", budget_edit, name="budget_edit"),
]
