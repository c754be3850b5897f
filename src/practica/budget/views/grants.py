"""Grants on the web: apply, my grants, the community's grants with the manager's queue, and
a grant's page (decide, report the outcome, withdraw)."""

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
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practica.budget.fiscal_years import fiscal_year_of
from practica.budget.forms import (
    GrantApplicationForm,
    GrantDecisionForm,
    GrantFilterForm,
    GrantReportForm,
)
from practica.budget.models import BudgetCategory, Grant, GrantStatus
from practica.budget.permissions import (
    can_apply_for_grant,
    can_decide_grant,
    can_decide_grants,
    can_report_grant,
    can_see_all_grants,
    can_withdraw_grant,
)
from practica.budget.queries.budgets import budget_holding, community_budgets
from practica.budget.queries.grants import (
    GrantFilters,
    community_grants,
    grant_queue,
    grants_of_applicant,
)
from practica.budget.queries.standing import budget_standing
from practica.budget.services import grants as services
from practica.budget.services.checks import is_overspend_refusal
from practica.budget.views.common import add_refusal, community_named, refusal, viewable_grant
from practica.communities.models import Community

QUEUE_ON_PAGE = 50


def _default_currency(community: Community) -> str:
    budget = budget_holding(community.pk, timezone.localdate()) or (
        community_budgets(community).first()
    )
    return budget.currency if budget is not None else "USD"


@login_required
@require_http_methods(["GET", "POST"])
def grant_apply(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_named(slug)
    if not can_apply_for_grant(request.user, community):
        raise PermissionDenied(
            _("Only members of %(name)s can apply for its grants.") % {"name": community.name}
        )
    status = 200
    if request.method == "POST":
        form = GrantApplicationForm(request.POST, community=community)
        if form.is_valid():
            data = form.cleaned_data
            try:
                grant = services.apply_for_grant(
                    community=community,
                    applicant=request.user,
                    title=data["title"],
                    purpose=data["purpose"],
                    amount=data["amount"],
                    currency=data["currency"],
                    activity_on=data["activity_on"],
                    group=data.get("group"),
                )
            except (ValidationError, PermissionDenied) as error:
                add_refusal(form, error)
            else:
                messages.success(
                    request,
                    _("Your application is sent: the community manager decides on it."),
                )
                return redirect(reverse("budget:grant_detail", args=[grant.pk]))
        status = 422
    else:
        form = GrantApplicationForm(
            community=community, initial={"currency": _default_currency(community)}
        )
    context = {"community": community, "form": form}
    return render(request, "budget/grant_apply.html", context, status=status)


@login_required
@require_GET
def my_grants(request: HttpRequest) -> HttpResponse:
    page = Paginator(grants_of_applicant(request.user), settings.PRACTICA_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "budget/my_grants.html", {"page_obj": page})


def _filter_years(community: Community) -> list[int]:
    years = set(community_budgets(community).values_list("fiscal_year", flat=True))
    dates = Grant.objects.filter(community=community).values_list("activity_on", flat=True)
    years.update(fiscal_year_of(day) for day in dates.distinct())
    return sorted(years, reverse=True)


@login_required
@require_GET
def community_grant_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_named(slug)
    if not can_see_all_grants(request.user, community):
        raise PermissionDenied(
            _("Only the leadership of %(name)s sees all its grants; yours are under My grants.")
            % {"name": community.name}
        )
    form = GrantFilterForm(request.GET or None, community=community, years=_filter_years(community))
    filters = GrantFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = GrantFilters(
            status=data["status"], fiscal_year=data["fiscal_year"], group=data["group"]
        )
    page = Paginator(community_grants(community, filters), settings.PRACTICA_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "community": community,
        "form": form,
        "page_obj": page,
        "queue": list(grant_queue(community)[:QUEUE_ON_PAGE]),
        "can_decide": can_decide_grants(request.user, community),
        "can_apply": can_apply_for_grant(request.user, community),
        "filtered": any((filters.status, filters.fiscal_year, filters.group)),
    }
    return render(request, "budget/grant_list.html", context)


def _grant_page(
    request: HttpRequest,
    grant: Grant,
    *,
    decision_form: GrantDecisionForm | None = None,
    report_form: GrantReportForm | None = None,
    overspend: bool = False,
    status: int = 200,
) -> HttpResponse:
    can_decide = can_decide_grant(request.user, grant) and grant.status == GrantStatus.SUBMITTED
    can_report = can_report_grant(request.user, grant)
    budget = grant.budget or budget_holding(grant.community_id, grant.activity_on)
    grants_standing = (
        budget_standing(budget).category(BudgetCategory.GRANTS) if budget is not None else None
    )
    if can_decide and decision_form is None:
        decision_form = GrantDecisionForm(
            initial={"decision": services.APPROVE, "amount": grant.amount_requested}
        )
    if can_report and report_form is None:
        report_form = GrantReportForm(initial={"amount_spent": grant.amount_approved})
    context = {
        "community": grant.community,
        "grant": grant,
        "budget": budget,
        "grants_standing": grants_standing,
        "budget_currency_differs": budget is not None and budget.currency != grant.currency,
        "can_see_budget": can_see_all_grants(request.user, grant.community),
        "decision_form": decision_form if can_decide else None,
        "report_form": report_form if can_report else None,
        "can_withdraw": can_withdraw_grant(request.user, grant),
        "own_application": grant.applicant_id == request.user.pk,
        "overspend": overspend,
    }
    return render(request, "budget/grant_detail.html", context, status=status)


@login_required
@require_GET
def grant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _grant_page(request, viewable_grant(request, pk))


@login_required
@require_POST
def grant_decide(request: HttpRequest, pk: int) -> HttpResponse:
    grant = viewable_grant(request, pk)
    form = GrantDecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            decided = services.decide_grant(
                grant=grant,
                actor=request.user,
                decision=data["decision"],
                amount=data["amount"],
                reason=data["reason"],
                override_reason=data["override_reason"],
            )
        except ValidationError as error:
            add_refusal(form, error)
            return _grant_page(
                request,
                grant,
                decision_form=form,
                overspend=is_overspend_refusal(error),
                status=422,
            )
        messages.success(
            request,
            _("The grant is %(status)s; %(name)s is told by mail.")
            % {
                "status": decided.get_status_display().lower(),
                "name": decided.applicant.display_name,
            },
        )
        return redirect(reverse("budget:grant_detail", args=[grant.pk]))
    return _grant_page(request, grant, decision_form=form, status=422)


@login_required
@require_POST
def grant_report(request: HttpRequest, pk: int) -> HttpResponse:
    grant = viewable_grant(request, pk)
    form = GrantReportForm(request.POST)
    if form.is_valid():
        try:
            services.report_grant_outcome(grant=grant, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_refusal(form, error)
            return _grant_page(
                request,
                grant,
                report_form=form,
                overspend=is_overspend_refusal(error),
                status=422,
            )
        messages.success(request, _("Thank you: the outcome is reported."))
        return redirect(reverse("budget:grant_detail", args=[grant.pk]))
    return _grant_page(request, grant, report_form=form, status=422)


@login_required
@require_POST
def grant_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    grant = viewable_grant(request, pk)
    try:
        services.withdraw_grant(grant=grant, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal(error))
    else:
        messages.success(request, _("Your application is withdrawn."))
    return redirect(reverse("budget:grant_detail", args=[grant.pk]))


routes: list[URLPattern] = [
    path("communities/<slug:slug>/grants/", community_grant_list, name="grants"),
    path("communities/<slug:slug>/grants/apply/", grant_apply, name="grant_apply"),
    path("grants/mine/", my_grants, name="my_grants"),
    path("grants/<int:pk>/", grant_detail, name="grant_detail"),
    path("grants/<int:pk>/decide/", grant_decide, name="grant_decide"),
    path("grants/<int:pk>/report/", grant_report, name="grant_report"),
    path("grants/<int:pk>/withdraw/", grant_withdraw, name="grant_withdraw"),
]
