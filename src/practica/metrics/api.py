"""The community's numbers over HTTP, added to /api/v1/ by practica.api.api: every panel of the
community dashboard (headlines, series, tables, and what each chart draws), one panel, one
series or one table of it, the community's key figures, and the program's comparison of its
communities.

The figures are the dashboard's own: the endpoints call `metrics.queries.panels` with the
filters parsed by `metrics.queries.filters`, so the same query string gives the same numbers
as the page (period, start, end, granularity, org_unit, role, topic). Any other query parameter,
an inverted or too long period, an unknown org unit, role or topic: 422 with the page's
messages. A community's numbers are for whoever sees its dashboard (`can_view_dashboard`:
manager, leadership team, executive sponsor, staff; 403 otherwise); the comparison for whoever
sees the program dashboard (`can_view_program_dashboard`).
"""

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from practica.api.errors import NON_FIELD, error_responses
from practica.api.fields import Slug
from practica.communities.models import Community, Program
from practica.communities.program.permissions import can_view_program_dashboard
from practica.metrics.permissions import can_view_dashboard
from practica.metrics.queries.filters import (
    FILTER_PARAMS,
    DashboardFilters,
    FilterError,
    parse_filters,
)
from practica.metrics.queries.panels import PANELS, build_panel, build_panels, community_headlines
from practica.metrics.queries.types import Cell, Headline, Panel, Series, Table
from practica.metrics.schemas import (
    CommunityPanelOut,
    CommunitySeriesOut,
    CommunityTableOut,
    ComparisonOut,
    DashboardFilterParams,
    HeadlinesOut,
    PanelsOut,
)

router = Router(tags=["metrics"])

ERRORS = error_responses(401, 403, 404, 422)
# On the pages `community` picks the communities to pool; here the path names them.
PATH_PARAMS = frozenset({"community"})


# --- Access and filters --------------------------------------------------------------------


def _community(request: HttpRequest, slug: str) -> Community:
    community = get_object_or_404(Community, slug=slug)
    if not can_view_dashboard(request.auth, community):
        raise PermissionDenied(
            _("The community's numbers are for its manager, leadership team and executive sponsor.")
        )
    return community


def _refuse(names: AbstractSet[str]) -> None:
    if names:
        messages = [_("Unknown filter: %(name)s") % {"name": name} for name in sorted(names)]
        raise ValidationError({NON_FIELD: messages})


def _filters(request: HttpRequest, community_ids: Sequence[int]) -> DashboardFilters:
    """The request's query string parsed as the dashboard page parses it (422 on bad input)."""
    params = {name: request.GET[name] for name in request.GET}
    _refuse(PATH_PARAMS & set(params))
    try:
        return parse_filters(params, community_ids=community_ids, today=timezone.localdate())
    except FilterError as error:
        raise ValidationError({NON_FIELD: [str(message) for message in error.messages]}) from None


def _panel_key(key: str) -> str:
    if key not in PANELS:
        raise Http404
    return key


# --- Shapes --------------------------------------------------------------------------------


def _number(value: Decimal | None) -> float | None:
    """Figures are JSON numbers, as elsewhere in the API (Decimals would be strings)."""
    return None if value is None else float(value)


def _cell(cell: Cell) -> str | int | float | None:
    if isinstance(cell, Decimal):
        return float(cell)
    if cell is None or isinstance(cell, int | str):
        return cell
    # Defensive: a date or a lazy translation in a cell is written as text.
    return str(cell)


def _ref(item: Community | Program) -> dict[str, Any]:
    return {"id": item.pk, "slug": item.slug, "name": item.name}


def _filters_out(filters: DashboardFilters) -> dict[str, Any]:
    return {
        "start": filters.start,
        "end": filters.end,
        "granularity": filters.granularity,
        "org_unit": filters.org_unit_id,
        "role": filters.role,
        "topic": filters.topic_id,
        "buckets": filters.buckets(),
    }


def _headline(headline: Headline) -> dict[str, Any]:
    return {
        "key": headline.key,
        "label": str(headline.label),
        "unit": headline.unit,
        "value": _number(headline.value),
        "n": headline.n,
        "note": str(headline.note),
    }


def _series(series: Series, key: str) -> dict[str, Any]:
    return {
        "key": key,
        "label": str(series.label),
        "unit": series.unit,
        "points": [
            {"start": point.start, "value": _number(point.value), "n": point.n}
            for point in series.points
        ],
    }


def _table(table: Table) -> dict[str, Any]:
    return {
        "key": table.key,
        "title": str(table.title),
        "columns": [str(column) for column in table.columns],
        "rows": [[_cell(cell) for cell in row] for row in table.rows],
    }


def _panel_series(panel: Panel) -> tuple[dict[str, Series], list[list[str]]]:
    """Every series the panel's charts draw, once each, by key, and each chart's keys.

    Charts may share a series (the same key and figures); a key never names two different
    series of one panel (`test_series_and_table_keys_are_unique_within_each_panel` holds every
    panel to it), so a key in a URL is never ambiguous."""
    unique: dict[str, Series] = {}
    chart_keys: list[list[str]] = []
    for chart in panel.charts:
        for series in chart.series:
            unique.setdefault(series.key, series)
        chart_keys.append([series.key for series in chart.series])
    return unique, chart_keys


def _panel_tables(panel: Panel) -> list[Table]:
    """The panel's tables, and any table a chart draws that the panel does not list."""
    seen = {table.key: table for table in panel.tables}
    for chart in panel.charts:
        if chart.table is not None:
            seen.setdefault(chart.table.key, chart.table)
    return list(seen.values())


def _panel(panel: Panel) -> dict[str, Any]:
    series, chart_keys = _panel_series(panel)
    return {
        "key": panel.key,
        "title": str(panel.title),
        "description": str(panel.description),
        "headlines": [_headline(headline) for headline in panel.headlines],
        "charts": [
            {
                "kind": chart.kind,
                "title": str(chart.title),
                "description": str(chart.description),
                "unit": chart.unit,
                "series": keys,
                "table": None if chart.table is None else chart.table.key,
            }
            for chart, keys in zip(panel.charts, chart_keys, strict=True)
        ],
        "series": [_series(item, key) for key, item in series.items()],
        "tables": [_table(table) for table in _panel_tables(panel)],
        "notes": [str(note) for note in panel.notes],
        "is_empty": panel.is_empty,
    }


# --- A community's dashboard ---------------------------------------------------------------


@router.get("/metrics/communities/{slug}/panels", response={200: PanelsOut, **ERRORS})
def list_metric_panels(
    request: HttpRequest, slug: Slug, filters: Query[DashboardFilterParams]
) -> dict[str, Any]:
    """Every panel of the community dashboard (growth, activity, participation, retention,
    response times, collaboration, events, satisfaction, NPS, outreach, conference) for the
    filters: headline figures, the charts, every series they draw and every table."""
    community = _community(request, slug)
    parsed = _filters(request, [community.pk])
    return {
        "community": _ref(community),
        "filters": _filters_out(parsed),
        "panels": [_panel(panel) for panel in build_panels(parsed)],
    }


@router.get("/metrics/communities/{slug}/panels/{key}", response={200: CommunityPanelOut, **ERRORS})
def get_metric_panel(
    request: HttpRequest, slug: Slug, key: Slug, filters: Query[DashboardFilterParams]
) -> dict[str, Any]:
    """One panel of the community dashboard by key (e.g. `growth`, `response_times`)."""
    community = _community(request, slug)
    parsed = _filters(request, [community.pk])
    panel = build_panel(_panel_key(key), parsed)
    return {
        "community": _ref(community),
        "filters": _filters_out(parsed),
        "panel": _panel(panel),
    }


@router.get(
    "/metrics/communities/{slug}/panels/{key}/series/{series_key}",
    response={200: CommunitySeriesOut, **ERRORS},
)
def get_metric_series(
    request: HttpRequest,
    slug: Slug,
    key: Slug,
    series_key: Slug,
    filters: Query[DashboardFilterParams],
) -> dict[str, Any]:
    """One series of a panel: a value and its n for each bucket of the period."""
    community = _community(request, slug)
    parsed = _filters(request, [community.pk])
    panel = build_panel(_panel_key(key), parsed)
    series = _panel_series(panel)[0].get(series_key)
    if series is None:
        raise Http404
    return {
        "community": _ref(community),
        "filters": _filters_out(parsed),
        "panel": panel.key,
        "series": _series(series, series_key),
    }


@router.get(
    "/metrics/communities/{slug}/panels/{key}/tables/{table_key}",
    response={200: CommunityTableOut, **ERRORS},
)
def get_metric_table(
    request: HttpRequest,
    slug: Slug,
    key: Slug,
    table_key: Slug,
    filters: Query[DashboardFilterParams],
) -> dict[str, Any]:
    """One table of a panel: the numbers a chart draws, with their n (the page's CSV export
    holds the same rows)."""
    community = _community(request, slug)
    parsed = _filters(request, [community.pk])
    panel = build_panel(_panel_key(key), parsed)
    table = next((item for item in _panel_tables(panel) if item.key == table_key), None)
    if table is None:
        raise Http404
    return {
        "community": _ref(community),
        "filters": _filters_out(parsed),
        "panel": panel.key,
        "table": _table(table),
    }


@router.get("/metrics/communities/{slug}/headlines", response={200: HeadlinesOut, **ERRORS})
def get_metric_headlines(
    request: HttpRequest, slug: Slug, filters: Query[DashboardFilterParams]
) -> dict[str, Any]:
    """The community's key figures for the period: members, joined, active and engaged
    members, median first response, share answered within 24 hours, unanswered questions,
    cross-org answer share, events held, attendance rate, CSAT and NPS."""
    community = _community(request, slug)
    parsed = _filters(request, [community.pk])
    return {
        "community": _ref(community),
        "filters": _filters_out(parsed),
        "headlines": [_headline(headline) for headline in community_headlines(parsed)],
    }


# --- A program's communities compared ------------------------------------------------------


@router.get("/metrics/programs/{slug}/comparison", response={200: ComparisonOut, **ERRORS})
def get_program_comparison(
    request: HttpRequest, slug: Slug, filters: Query[DashboardFilterParams]
) -> dict[str, Any]:
    """The key figures of each community of the program, by name, for the same filters, and
    of all of them together (counts summed, shares and medians from the pooled data). For the
    program office, staff and the leadership of the program's communities."""
    program = get_object_or_404(Program, slug=slug)
    if not can_view_program_dashboard(request.auth, program):
        raise PermissionDenied(
            _(
                "The program dashboard is for the program office and the leadership of its "
                "communities."
            )
        )
    communities = list(Community.objects.filter(program=program).order_by("name", "pk"))
    if not communities:
        # Nothing to measure; the query string is still checked for unknown names.
        _refuse((set(request.GET) - set(FILTER_PARAMS)) | (PATH_PARAMS & set(request.GET)))
        return {"program": _ref(program), "filters": None, "communities": [], "total": []}
    parsed = _filters(request, [community.pk for community in communities])
    compared = [
        {
            "community": _ref(community),
            "headlines": [
                _headline(headline)
                for headline in community_headlines(replace(parsed, community_ids=(community.pk,)))
            ],
        }
        for community in communities
    ]
    return {
        "program": _ref(program),
        "filters": _filters_out(parsed),
        "communities": compared,
        "total": [_headline(headline) for headline in community_headlines(parsed)],
    }
