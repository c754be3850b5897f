"""Bar charts: grouped bars ("bar"), stacked bars ("stacked_bar") and touching bars
("histogram") over the buckets, growing up from zero or down below it (net growth can be
negative).

A bar or histogram chart whose series each hold at most one point is drawn by category
instead: one bar per series, labelled by the series' label along the axis (a distribution of
scores, a split by event format). Series after the first get a texture over their colour, so
stacked and grouped bars are told apart without colour.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from practica.metrics.charts.axes import bucket_name, coordinate, format_value
from practica.metrics.charts.grid import WIDTH, build_frame
from practica.metrics.charts.lines import shared_starts
from practica.metrics.charts.style import (
    bar_swatch,
    colour,
    svg_document,
    texture_defs,
    texture_fill,
)
from practica.metrics.charts.text import categories_summary, full_description, time_series_summary
from practica.metrics.queries.types import Chart

# A bar for any value other than zero is at least this tall, so it shows.
MIN_BAR = 1.0
# Past this many buckets the bars get no tooltips: the page would grow by a tooltip per bar
# that nobody can point at anyway; the table beneath has every value.
TOOLTIP_LIMIT = 120


def is_categorical(chart: Chart) -> bool:
    """Bars by category: several series of at most one point each (not for stacked bars,
    where one bucket is one stacked column)."""
    return (
        chart.kind in ("bar", "histogram")
        and len(chart.series) > 1
        and all(len(s.points) <= 1 for s in chart.series)
    )


def _rect(
    *, x: float, width: float, y_from: float, y_to: float, fill: str, texture: str, tooltip: str
) -> str:
    """One bar as markup text (many are drawn, so it is built as text): `tooltip` is escaped
    here, the rest are numbers and colours made by this module."""
    top, bottom = sorted((y_from, y_to))
    if 0 < bottom - top < MIN_BAR:
        # Grow away from the baseline (y_from), whichever side the value is on.
        if y_to <= y_from:
            top = y_from - MIN_BAR
        bottom = top + MIN_BAR
    geometry = (
        f'x="{coordinate(x)}" y="{coordinate(top)}" width="{coordinate(width)}" '
        f'height="{coordinate(bottom - top)}"'
    )
    title = f"<title>{escape(tooltip)}</title>" if tooltip else ""
    overlay = f'<rect {geometry} fill="{escape(texture)}"></rect>' if texture else ""
    return f'<g>{title}<rect {geometry} fill="{fill}"></rect>{overlay}</g>'


def _joined(bars: list[str]) -> SafeString:
    return mark_safe("".join(bars))  # noqa: S308 — _rect escapes every piece of text


def _categorical(chart: Chart, *, chart_id: str) -> SafeString:
    pairs: list[tuple[str, Decimal | None]] = [
        (s.label, s.points[0].value if s.points else None) for s in chart.series
    ]
    values = [float(v) for _, v in pairs if v is not None]
    frame = build_frame(
        values=values,
        unit=chart.unit,
        count=len(pairs),
        categories=[label for label, _ in pairs],
    )
    touching = chart.kind == "histogram"
    width = frame.band * (0.96 if touching else 0.7)
    bars = _joined(
        [
            _rect(
                x=frame.x(index) - width / 2,
                width=width,
                y_from=frame.zero,
                y_to=frame.y.at(float(value)),
                fill=colour(0),
                texture="",
                tooltip=f"{label}: {format_value(value, chart.unit)}",
            )
            for index, (label, value) in enumerate(pairs)
            if value is not None
        ]
    )
    return svg_document(
        chart,
        chart_id=chart_id,
        width=WIDTH,
        height=frame.height,
        description=full_description(chart, categories_summary(pairs, chart.unit)),
        body=format_html("{}{}", frame.markup, bars),
    )


def _stack_extents(chart: Chart) -> list[float]:
    """The top of the positive stack and the bottom of the negative stack in each bucket."""
    tops: dict[date, float] = defaultdict(float)
    bottoms: dict[date, float] = defaultdict(float)
    for s in chart.series:
        for p in s.points:
            if p.value is not None:
                if p.value > 0:
                    tops[p.start] += float(p.value)
                else:
                    bottoms[p.start] += float(p.value)
    return [*tops.values(), *bottoms.values()]


def render_bars(chart: Chart, *, chart_id: str, granularity: str) -> SafeString:
    if is_categorical(chart):
        return _categorical(chart, chart_id=chart_id)
    starts = shared_starts(chart.series)
    index_of = {start: index for index, start in enumerate(starts)}
    stacked = chart.kind == "stacked_bar"
    several = len(chart.series) > 1
    values = (
        _stack_extents(chart)
        if stacked
        else [float(p.value) for s in chart.series for p in s.points if p.value is not None]
    )
    frame = build_frame(
        values=values,
        unit=chart.unit,
        count=len(starts),
        legend_items=[(s.label, bar_swatch(i, chart_id)) for i, s in enumerate(chart.series)]
        if several
        else (),
        starts=starts,
        granularity=granularity,
    )
    if chart.kind == "histogram":
        group = frame.band - min(1.0, frame.band * 0.1)
    else:
        group = frame.band * (0.8 if frame.band > 4 else 1.0)
    bar_width = group if stacked else group / max(len(chart.series), 1)
    zero = frame.zero
    positive = [zero] * len(starts)
    negative = [zero] * len(starts)
    with_tooltips = len(starts) <= TOOLTIP_LIMIT
    # Textures do not show on bars this thin; leave them out.
    textured = bar_width >= 3
    names: dict[date, str] = {}
    shown: dict[Decimal, str] = {}
    bars = []
    for number, series in enumerate(chart.series):
        texture = texture_fill(chart_id, number) if textured else ""
        for point in series.points:
            if point.value is None:
                continue
            index = index_of[point.start]
            left = frame.x(index) - group / 2 + (0 if stacked else number * bar_width)
            height = frame.y.at(float(point.value)) - zero
            if stacked:
                stack = positive if point.value >= 0 else negative
                y_from = stack[index]
                stack[index] = y_to = y_from + height
            else:
                y_from, y_to = zero, zero + height
            tooltip = ""
            if with_tooltips:
                if point.start not in names:
                    names[point.start] = bucket_name(point.start, granularity)
                if point.value not in shown:
                    shown[point.value] = format_value(point.value, chart.unit)
                tooltip = f"{names[point.start]}, {series.label}: {shown[point.value]}"
            bars.append(
                _rect(
                    x=left,
                    width=bar_width,
                    y_from=y_from,
                    y_to=y_to,
                    fill=colour(number),
                    texture=texture,
                    tooltip=tooltip,
                )
            )
    return svg_document(
        chart,
        chart_id=chart_id,
        width=WIDTH,
        height=frame.height,
        description=full_description(chart, time_series_summary(chart, granularity)),
        body=format_html("{}{}", frame.markup, _joined(bars)),
        defs=texture_defs(chart_id, len(chart.series)) if several else "",
    )
