"""Charts drawn on the server as inline SVG: no script, no CDN, no external fonts.

`render_chart(chart, chart_id=…)` draws any `Chart` of a panel: lines, bars, stacked bars and
histograms over the buckets, the cohort heat map and the org-to-org network. Each chart is an
image to assistive technology (`role="img"`), named by its `<title>` and described by a
`<desc>` holding the text alternative (the chart's description and a plain-language summary of
the data, see `text.py`); the page repeats every number in a table beneath it. A chart with
nothing to draw shows "No data for this period" instead of an empty frame.

Output is deterministic for the same chart (coordinates rounded, ties broken by name), so it
can be cached and compared in tests.
"""

import itertools
from typing import cast

from django.utils.safestring import SafeString

from practica.metrics.charts.axes import GRANULARITIES, infer_granularity
from practica.metrics.charts.bars import render_bars
from practica.metrics.charts.heatmap import heatmap_has_data, read_cohorts, render_heatmap
from practica.metrics.charts.lines import render_line, shared_starts
from practica.metrics.charts.network import read_graph, render_network
from practica.metrics.charts.style import empty_message, svg_document
from practica.metrics.charts.text import full_description, no_data_sentence
from practica.metrics.queries.buckets import Granularity, calendar_start
from practica.metrics.queries.types import Chart

__all__ = ["bucket_granularity", "chart_has_data", "render_chart"]

EMPTY_WIDTH = 720
EMPTY_HEIGHT = 160


def chart_has_data(chart: Chart) -> bool:
    """Whether the chart has anything to draw."""
    if chart.kind == "heatmap":
        cohorts = read_cohorts(chart)
        return cohorts is not None and heatmap_has_data(cohorts)
    if chart.kind == "network":
        return read_graph(chart) is not None
    return any(series.has_data for series in chart.series)


def render_empty(chart: Chart, *, chart_id: str) -> SafeString:
    return svg_document(
        chart,
        chart_id=chart_id,
        width=EMPTY_WIDTH,
        height=EMPTY_HEIGHT,
        description=full_description(chart, no_data_sentence()),
        body=empty_message(width=EMPTY_WIDTH, height=EMPTY_HEIGHT),
    )


def bucket_granularity(chart: Chart, granularity: str | None) -> str:
    """The size of the chart's buckets: `granularity` unless the points contradict it, then
    what their spacing says. A page passes its filters' granularity to every chart, but some
    panels count by calendar month whatever it is (participation): on a "day" or "week" page
    their monthly points must not be read out as days ("12 on 1 November") or weeks, nor on
    a "quarter" or "year" page as quarters or years. Contradicting: a point after the first
    that does not start a bucket of that size, two points in one bucket, or, for days and
    weeks, points on the first of months at least 28 days apart."""
    starts = sorted(set(shared_starts(chart.series)))
    inferred = infer_granularity(starts)
    if granularity is None or granularity not in GRANULARITIES:
        return inferred
    size = cast(Granularity, granularity)
    later = starts[1:]
    buckets = [calendar_start(start, size) for start in starts]
    misaligned = any(calendar_start(start, size) != start for start in later)
    shared = len(set(buckets)) < len(buckets)
    monthly = (
        size in ("day", "week")
        and bool(later)
        and all(start.day == 1 for start in later)
        and min((b - a).days for a, b in itertools.pairwise(starts)) >= 28
    )
    return inferred if misaligned or shared or monthly else granularity


def render_chart(chart: Chart, *, chart_id: str, granularity: str | None = None) -> SafeString:
    """The chart as an inline `<svg>` element with id `chart_id` (its title and description
    get ids `<chart_id>-title` and `<chart_id>-desc`).

    `granularity` ("day" … "year") names the buckets' size for the axis labels and the text;
    when not given, or finer than the points' spacing, it is inferred from the distance
    between the points' start days (`bucket_granularity`)."""
    if chart.kind == "heatmap":
        cohorts = read_cohorts(chart)
        if cohorts is None or not heatmap_has_data(cohorts):
            return render_empty(chart, chart_id=chart_id)
        return render_heatmap(chart, cohorts, chart_id=chart_id)
    if chart.kind == "network":
        graph = read_graph(chart)
        if graph is None:
            return render_empty(chart, chart_id=chart_id)
        return render_network(chart, graph, chart_id=chart_id)
    if not chart_has_data(chart):
        return render_empty(chart, chart_id=chart_id)
    buckets = bucket_granularity(chart, granularity)
    if chart.kind == "line":
        return render_line(chart, chart_id=chart_id, granularity=buckets)
    return render_bars(chart, chart_id=chart_id, granularity=buckets)
