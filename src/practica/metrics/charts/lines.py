"""Line charts: one or more series over the same buckets, broken where a bucket has no data.

Each series has its own colour, dash pattern and marker shape (markers only up to
MARKER_LIMIT buckets, where they still read as points; a lone value between gaps always gets
one, or it would not show at all), and a legend names them when there are several.
"""

import html
from collections.abc import Sequence
from datetime import date

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from practica.metrics.charts.axes import bucket_name, coordinate, format_value
from practica.metrics.charts.grid import build_frame
from practica.metrics.charts.style import colour, dash, line_swatch, marker, svg_document
from practica.metrics.charts.text import full_description, time_series_summary
from practica.metrics.queries.types import Chart, Series

MARKER_LIMIT = 60


def shared_starts(series: Sequence[Series]) -> list[date]:
    """Every bucket any series has a point for, in order."""
    return sorted({point.start for s in series for point in s.points})


def _runs(series: Series, index_of: dict[date, int]) -> list[list[tuple[int, float]]]:
    """The series' values as runs of consecutive buckets, broken at missing values."""
    values: dict[int, float] = {
        index_of[p.start]: float(p.value) for p in series.points if p.value is not None
    }
    runs: list[list[tuple[int, float]]] = []
    previous = None
    for index in sorted(values):
        if previous is None or index != previous + 1:
            runs.append([])
        runs[-1].append((index, values[index]))
        previous = index
    return runs


def render_line(chart: Chart, *, chart_id: str, granularity: str) -> SafeString:
    starts = shared_starts(chart.series)
    index_of = {start: index for index, start in enumerate(starts)}
    values = [float(p.value) for s in chart.series for p in s.points if p.value is not None]
    several = len(chart.series) > 1
    frame = build_frame(
        values=values,
        unit=chart.unit,
        count=len(starts),
        legend_items=[(s.label, line_swatch(i)) for i, s in enumerate(chart.series)]
        if several
        else (),
        starts=starts,
        granularity=granularity,
    )
    with_markers = len(starts) <= MARKER_LIMIT
    names: dict[date, str] = {}
    groups = []
    for number, series in enumerate(chart.series):
        runs = _runs(series, index_of)
        values_at = {index_of[p.start]: p.value for p in series.points}
        stroke = colour(number)
        lines = format_html_join(
            "",
            '<polyline points="{}" fill="none" stroke="{}" stroke-width="2.25" '
            'stroke-linejoin="round" stroke-linecap="round"{}></polyline>',
            (
                (
                    " ".join(
                        f"{coordinate(frame.x(i))},{coordinate(frame.y.at(v))}" for i, v in run
                    ),
                    stroke,
                    format_html(' stroke-dasharray="{}"', dash(number)) if dash(number) else "",
                )
                for run in runs
                if len(run) > 1
            ),
        )
        marked = [(i, v) for run in runs for i, v in run if with_markers or len(run) == 1]
        for i, _value in marked:
            if starts[i] not in names:
                names[starts[i]] = bucket_name(starts[i], granularity)
        # f-strings, not format_html_join: a page has hundreds of points; the title is escaped.
        label = html.escape(str(series.label))
        markers = mark_safe(  # noqa: S308
            "".join(
                f"<g><title>{html.escape(names[starts[i]])}, {label}: "
                f"{html.escape(format_value(values_at[i], chart.unit))}</title>"
                f"{marker(number, frame.x(i), frame.y.at(v), stroke)}</g>"
                for i, v in marked
            )
        )
        groups.append(
            format_html(
                '<g class="metrics-chart-series" data-series="{}">{}{}</g>',
                series.key,
                lines,
                markers,
            )
        )
    body = format_html(
        "{}{}", frame.markup, format_html_join("", "{}", ((group,) for group in groups))
    )
    return svg_document(
        chart,
        chart_id=chart_id,
        width=720,
        height=frame.height,
        description=full_description(chart, time_series_summary(chart, granularity)),
        body=body,
    )
