"""A community's month: "my community this month" for every member (aggregates only), and the
printable monthly report for the leadership team (`can_view_dashboard`)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from practica.communities.view_guards import community_or_404, forbidden
from practica.metrics.dashboards.community_views import DASHBOARD_REFUSAL
from practica.metrics.dashboards.month_summary import month_summary
from practica.metrics.dashboards.panel_display import display_headline, display_panels
from practica.metrics.dashboards.report import last_full_month, report_filters, report_month
from practica.metrics.permissions import can_view_dashboard, can_view_month_summary
from practica.metrics.queries.panels import build_panels, key_figures

SUMMARY_REFUSAL = gettext_lazy("The community’s month is for its members.")


@login_required
@require_GET
def month_summary_page(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_or_404(slug)
    if not can_view_month_summary(request.user, community):
        return forbidden(request, community, str(SUMMARY_REFUSAL))
    context = {
        "community": community,
        "summary": month_summary(community=community, today=timezone.localdate()),
        "can_view_dashboard": can_view_dashboard(request.user, community),
    }
    return render(request, "metrics/dashboards/month_summary.html", context)


@login_required
@require_GET
def latest_report(request: HttpRequest, slug: str) -> HttpResponse:
    """The report of the last full month."""
    month = last_full_month(timezone.localdate())
    return redirect(
        "metrics:monthly_report", slug=slug, year=f"{month.year:04d}", month=f"{month.month:02d}"
    )


@login_required
@require_GET
def monthly_report(request: HttpRequest, slug: str, year: str, month: str) -> HttpResponse:
    community = community_or_404(slug)
    if not can_view_dashboard(request.user, community):
        return forbidden(request, community, str(DASHBOARD_REFUSAL))
    today = timezone.localdate()
    shown = report_month(year=int(year), month=int(month), today=today)
    if shown is None:
        raise Http404("No report for that month.")
    filters = report_filters(community=community, month=shown)
    suffix = f"?period=custom&start={shown.start.isoformat()}&end={shown.end.isoformat()}"
    built = build_panels(filters)
    panels = display_panels(
        built,
        csv_url=lambda panel, table: (
            reverse("metrics:community_table_csv", args=[community.slug, panel, table]) + suffix
        ),
        granularity=filters.granularity,
    )
    context = {
        "community": community,
        "month": shown,
        "previous": shown.previous,
        "next": shown.next(today=today),
        "headlines": [display_headline(headline) for headline in key_figures(built)],
        "panels": panels,
        "dashboard_url": reverse("metrics:community_dashboard", args=[community.slug]) + suffix,
        "generated_at": timezone.now(),
    }
    return render(request, "metrics/dashboards/report.html", context)
