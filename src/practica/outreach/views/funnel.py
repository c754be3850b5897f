"""Outreach screens: a community's welcome funnel — the totals as a chart with its figures in
a table beneath, a table per campaign month, filters by campaign and months, and the table
as CSV. For the community's managers only (`can_manage_outreach`).

The figures come from `outreach.queries.funnel` (defined there and in docs/metrics.md); bad
filters are shown on the form with a 400, never a 500.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from practica.communities.models import Community
from practica.core.csv_download import csv_download
from practica.outreach.forms.funnel import FunnelFilterForm
from practica.outreach.funnel_chart import funnel_svg
from practica.outreach.managed import FUNNEL_REFUSAL, managed_community
from practica.outreach.queries.funnel import (
    STEPS,
    campaign_funnel,
    funnel_header,
    funnel_rows,
    sum_funnel,
)


def _chart_title(community: Community, campaign: Any, totals: Any) -> str:
    subject = (
        campaign.name if campaign else _("All campaigns of %(name)s") % {"name": community.name}
    )
    if totals.period_from == totals.period_to:
        period = totals.period_from.strftime("%Y-%m")
    else:
        period = f"{totals.period_from:%Y-%m} – {totals.period_to:%Y-%m}"
    return _("Welcome funnel: %(subject)s, %(period)s") % {"subject": subject, "period": period}


@login_required
@require_GET
def funnel_page(request: HttpRequest, slug: str) -> HttpResponse:
    community = managed_community(request.user, slug, refusal=FUNNEL_REFUSAL)
    form = FunnelFilterForm(request.GET, community=community)
    context: dict[str, Any] = {
        "community": community,
        "form": form,
        "steps": STEPS,
        "months": [],
        "totals": None,
        "chart": "",
    }
    if not form.is_valid():
        return render(request, "outreach/funnel/funnel.html", context, status=400)
    filters = form.filters()
    try:
        months = campaign_funnel(community=community, **filters)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
        return render(request, "outreach/funnel/funnel.html", context, status=400)
    if months:
        totals = sum_funnel(months)
        context.update(
            months=months,
            totals=totals,
            chart=funnel_svg(totals, title=_chart_title(community, filters["campaign"], totals)),
        )
    context["csv_query"] = request.GET.urlencode()
    return render(request, "outreach/funnel/funnel.html", context)


def _bad_filters(messages: list[str]) -> HttpResponse:
    return HttpResponse(
        " ".join(messages) or _("Check the filters."),
        status=400,
        content_type="text/plain; charset=utf-8",
    )


@login_required
@require_GET
def funnel_csv(request: HttpRequest, slug: str) -> HttpResponse:
    community = managed_community(request.user, slug, refusal=FUNNEL_REFUSAL)
    form = FunnelFilterForm(request.GET, community=community)
    if not form.is_valid():
        return _bad_filters([str(error) for errors in form.errors.values() for error in errors])
    try:
        months = campaign_funnel(community=community, **form.filters())
    except ValidationError as error:
        return _bad_filters(error.messages)
    return csv_download(
        filename=f"funnel-{community.slug}.csv", header=funnel_header(), rows=funnel_rows(months)
    )


routes: list[URLPattern] = [
    path("communities/<slug:slug>/funnel/", funnel_page, name="funnel"),
    path("communities/<slug:slug>/funnel.csv", funnel_csv, name="funnel_csv"),
]
