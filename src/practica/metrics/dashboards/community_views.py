"""A community's dashboard: the filter form, every panel (headlines, charts, the tables of their
numbers) and each table as CSV. For whoever `can_view_dashboard`.

Changing a filter redraws the panels with htmx (the panels region alone, with the form's
messages and the status line swapped out of band); without JavaScript the form is a plain GET.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from practica.communities.view_guards import community_or_404, forbidden
from practica.metrics.dashboards.exports import find_table, table_csv, table_filename
from practica.metrics.dashboards.filtering import community_page_filters
from practica.metrics.dashboards.forms import (
    GRANULARITY_PHRASES,
    DashboardFilterForm,
    filter_form,
)
from practica.metrics.dashboards.panel_display import display_panels
from practica.metrics.permissions import can_view_dashboard, can_view_month_summary
from practica.metrics.queries.panels import PANEL_TITLES, PANELS, build_panel, build_panels

DASHBOARD_REFUSAL = gettext_lazy(
    "The community’s dashboard is for its manager, its leadership team and its executive sponsor."
)


@login_required
@require_GET
def community_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_or_404(slug)
    if not can_view_dashboard(request.user, community):
        return forbidden(request, community, str(DASHBOARD_REFUSAL))
    outcome = community_page_filters(request.GET, community=community, today=timezone.localdate())
    suffix = outcome.query_string
    panels = []
    if outcome.filters is not None:
        panels = display_panels(
            build_panels(outcome.filters),
            csv_url=lambda panel, table: (
                reverse("metrics:community_table_csv", args=[community.slug, panel, table]) + suffix
            ),
            granularity=outcome.filters.granularity,
        )
    context = {
        "community": community,
        "form": filter_form(DashboardFilterForm, request.GET),
        "filters": outcome.filters,
        "granularity_phrase": GRANULARITY_PHRASES.get(outcome.filters.granularity, "")
        if outcome.filters
        else "",
        "errors": outcome.errors,
        "panels": panels,
        "panel_titles": list(PANEL_TITLES.items()),
        "dashboard_url": reverse("metrics:community_dashboard", args=[community.slug]),
        "can_view_month_summary": can_view_month_summary(request.user, community),
    }
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        return render(request, "metrics/dashboards/community_swap.html", context)
    return render(request, "metrics/dashboards/community.html", context)


@login_required
@require_GET
def community_table_csv(request: HttpRequest, slug: str, panel: str, table: str) -> HttpResponse:
    """One table of one panel as CSV, with the page's filters: its columns as the header."""
    community = community_or_404(slug)
    if not can_view_dashboard(request.user, community):
        return HttpResponse(
            str(DASHBOARD_REFUSAL), status=403, content_type="text/plain; charset=utf-8"
        )
    if panel not in PANELS:
        raise Http404("No such panel.")
    outcome = community_page_filters(request.GET, community=community, today=timezone.localdate())
    if outcome.filters is None:
        return HttpResponse(
            "\n".join(outcome.errors), status=400, content_type="text/plain; charset=utf-8"
        )
    found = find_table(build_panel(panel, outcome.filters), table)
    if found is None:
        raise Http404("No such table.")
    filename = table_filename(
        slug=community.slug, panel_key=panel, table_key=table, filters=outcome.filters
    )
    return table_csv(table=found, filename=filename)
