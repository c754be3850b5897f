"""The program's comparison of its communities on the key figures, with the same filters for
each (period, division, role, topic), the pooled program total, a bar chart per figure and the
table as CSV. For whoever `can_view_program_dashboard`."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from practica.communities.program.permissions import can_view_program_dashboard
from practica.communities.program.queries import program_communities
from practica.communities.program.views import forbidden, program_context, program_or_404
from practica.metrics.charts import render_chart
from practica.metrics.dashboards.exports import rows_csv
from practica.metrics.dashboards.filtering import program_page_filters
from practica.metrics.dashboards.forms import ProgramFilterForm, filter_form
from practica.metrics.dashboards.program_comparison import (
    comparison_table,
    displayed_comparison,
    program_comparison,
)

COMPARISON_REFUSAL = gettext_lazy(
    "The program’s comparison is for the program office and the leadership of its communities."
)


@login_required
@require_GET
def program_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    program = program_or_404(slug)
    if not can_view_program_dashboard(request.user, program):
        return forbidden(request, program, str(COMPARISON_REFUSAL))
    communities = list(program_communities(program))
    outcome = program_page_filters(request.GET, communities=communities, today=timezone.localdate())
    comparison = None
    charts = []
    if outcome.filters is not None and outcome.communities:
        comparison = program_comparison(communities=outcome.communities, filters=outcome.filters)
        charts = [
            render_chart(chart, chart_id=f"comparison-chart-{index}")
            for index, chart in enumerate(comparison.charts, start=1)
        ]
    form = filter_form(ProgramFilterForm, request.GET)
    form.set_communities(communities, chosen=request.GET.getlist("community"))
    context = {
        **program_context(request, program, "key_figures"),
        "form": form,
        "errors": outcome.errors,
        "filters": outcome.filters,
        "communities": communities,
        "comparison": None if comparison is None else displayed_comparison(comparison, charts),
        "csv_url": reverse("metrics:program_comparison_csv", args=[program.slug])
        + outcome.query_string,
    }
    return render(request, "metrics/dashboards/program.html", context)


@login_required
@require_GET
def program_comparison_csv(request: HttpRequest, slug: str) -> HttpResponse:
    program = program_or_404(slug)
    if not can_view_program_dashboard(request.user, program):
        return HttpResponse(
            str(COMPARISON_REFUSAL), status=403, content_type="text/plain; charset=utf-8"
        )
    communities = list(program_communities(program))
    outcome = program_page_filters(request.GET, communities=communities, today=timezone.localdate())
    if outcome.filters is None or not outcome.communities:
        return HttpResponse(
            "\n".join(outcome.errors) or str(gettext_lazy("The program has no communities.")),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    comparison = program_comparison(communities=outcome.communities, filters=outcome.filters)
    header, rows = comparison_table(comparison)
    start, end = outcome.filters.start.isoformat(), outcome.filters.end.isoformat()
    filename = f"{program.slug}-comparison-{start}-{end}.csv"
    return rows_csv(filename=filename, header=header, rows=rows)
