"""The program dashboard: the communities side by side on every registered metric, a chart per
metric with the table beneath, and the table as CSV. For the program office, staff, and the
leadership of the program's communities (`can_view_program_dashboard`)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from practica.communities.program.charts import metric_chart_svg
from practica.communities.program.dashboard import (
    dashboard_table,
    format_metric_value,
    program_dashboard,
)
from practica.communities.program.permissions import can_view_program_dashboard
from practica.communities.program.views import forbidden, program_context, program_or_404
from practica.core.csv_download import csv_download

DASHBOARD_REFUSAL = gettext_lazy(
    "The program dashboard is for the program office and the leadership of its communities."
)


@login_required
@require_GET
def program_dashboard_page(request: HttpRequest, slug: str) -> HttpResponse:
    program = program_or_404(slug)
    if not can_view_program_dashboard(request.user, program):
        return forbidden(request, program, str(DASHBOARD_REFUSAL))
    dashboard = program_dashboard(program, as_of=timezone.now())
    metrics = [
        {
            "row": row,
            "chart": metric_chart_svg(row, chart_id=f"metric-{index}"),
            "cells": [
                {
                    "value": value,
                    "text": _("unavailable")
                    if value.failed
                    else format_metric_value(value.value, row.metric.unit),
                }
                for value in row.values
            ],
        }
        for index, row in enumerate(dashboard.rows, start=1)
    ]
    context = {
        **program_context(request, program, "dashboard"),
        "dashboard": dashboard,
        "metrics": metrics,
    }
    return render(request, "communities/program/dashboard.html", context)


@login_required
@require_GET
def program_dashboard_csv(request: HttpRequest, slug: str) -> HttpResponse:
    program = program_or_404(slug)
    if not can_view_program_dashboard(request.user, program):
        return HttpResponse(
            str(DASHBOARD_REFUSAL), status=403, content_type="text/plain; charset=utf-8"
        )
    header, rows = dashboard_table(program_dashboard(program, as_of=timezone.now()))
    return csv_download(filename=f"{program.slug}-dashboard.csv", header=header, rows=rows)
