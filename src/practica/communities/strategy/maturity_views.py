"""Maturity screens: the latest assessment beside the previous one with a chart over time and the
history (the leadership team), one assessment, and the form to record one (the manager)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from practica.communities.models import MaturityCompetency
from practica.communities.strategy.charts import maturity_chart_svg
from practica.communities.strategy.forms import MaturityForm
from practica.communities.strategy.maturity_queries import (
    compare_assessments,
    maturity_assessments,
    maturity_comparison,
    maturity_history,
    stages_of,
)
from practica.communities.strategy.maturity_services import record_maturity_assessment
from practica.communities.strategy.permissions import can_edit_strategy, can_view_full_strategy
from practica.communities.strategy.views import (
    TEMPLATES,
    leadership_only,
    manager_only,
)
from practica.communities.view_guards import community_or_404, refusal_text


@login_required
@require_GET
def strategy_maturity(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_or_404(slug)
    if not can_view_full_strategy(request.user, community):
        return leadership_only(request, community)
    history = maturity_history(community)
    page_obj = Paginator(maturity_assessments(community), settings.PRACTICA_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [(assessment, stages_of(assessment)) for assessment in page_obj.object_list]
    context = {
        "community": community,
        "comparison": maturity_comparison(community),
        "chart": maturity_chart_svg(history, chart_id="maturity-chart") if history else None,
        "page_obj": page_obj,
        "rows": [
            (assessment, [stages.get(competency.value) for competency in MaturityCompetency])
            for assessment, stages in rows
        ],
        "competencies": list(MaturityCompetency),
        "can_edit": can_edit_strategy(request.user, community),
    }
    return render(request, TEMPLATES + "maturity.html", context)


@login_required
@require_GET
def strategy_maturity_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One assessment with its notes, beside the assessment before it."""
    community = community_or_404(slug)
    if not can_view_full_strategy(request.user, community):
        return leadership_only(request, community)
    assessments = maturity_assessments(community)
    assessment = get_object_or_404(assessments, pk=pk)
    previous = (
        assessments.filter(assessed_on__lte=assessment.assessed_on)
        .exclude(pk=assessment.pk)
        .exclude(assessed_on=assessment.assessed_on, pk__gt=assessment.pk)
        .first()
    )
    context = {
        "community": community,
        "assessment": assessment,
        "comparison": compare_assessments(assessment, previous),
    }
    return render(request, TEMPLATES + "maturity_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def strategy_maturity_new(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_or_404(slug)
    if not can_edit_strategy(request.user, community):
        return manager_only(request, community)
    form = MaturityForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                assessment = record_maturity_assessment(
                    community=community,
                    actor=request.user,
                    assessed_on=form.cleaned_data["assessed_on"],
                    stages=form.stages(),
                    score_notes=form.score_notes(),
                    note=form.cleaned_data["note"],
                )
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, refusal_text(error))
            else:
                messages.success(request, _("The assessment is recorded."))
                return redirect(
                    reverse("communities:strategy_maturity_detail", args=[slug, assessment.pk])
                )
        status = 422
    latest = maturity_assessments(community).first()
    context = {"community": community, "form": form, "latest": latest}
    return render(request, TEMPLATES + "maturity_form.html", context, status=status)
