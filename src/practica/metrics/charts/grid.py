"""The frame line and bar charts draw in: a legend on top, a y axis with round ticks and grid
lines (the zero line stronger, for net figures that go negative), and bucket labels along the
bottom, thinned out so they never overlap however many buckets there are."""

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from practica.metrics.charts.axes import (
    LinearScale,
    bucket_label,
    coordinate,
    format_tick,
    labelled_by_month,
    labelled_indices,
    nice_ticks,
    value_range,
)
from practica.metrics.charts.style import MUTED_OPACITY, labelled_text, legend, wrapped_text
from practica.metrics.queries.types import Unit

WIDTH = 720
PLOT_HEIGHT = 220
LEFT = 76
RIGHT = 16
TOP = 14
BOTTOM = 40
# Room one bucket label needs along the x axis, by granularity.
LABEL_ROOM = {"day": 48, "week": 48, "month": 64, "quarter": 60, "year": 44}
# Bucket labels along the x axis of a categorical chart are cut to fit their band.
CATEGORY_CHAR_WIDTH = 7.2


@dataclass(frozen=True)
class Frame:
    """Where the plot is, how values map to heights, and the markup around it."""

    height: float
    left: float
    right: float
    top: float
    bottom: float
    y: LinearScale
    count: int
    markup: SafeString

    @property
    def band(self) -> float:
        return (self.right - self.left) / max(self.count, 1)

    def x(self, index: int) -> float:
        """The centre of bucket `index`'s band."""
        return self.left + (index + 0.5) * self.band

    @property
    def zero(self) -> float:
        """Where value 0 is drawn (clamped to the plot when 0 is outside the range)."""
        low, high = sorted((self.y.low, self.y.high))
        return self.y.at(min(max(0.0, low), high))


def _y_axis_lines(
    ticks: Sequence[float], scale: LinearScale, unit: Unit, *, left: float, right: float
) -> SafeString:
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    return format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="currentColor" stroke-opacity="{}" '
        'stroke-width="1"></line>'
        '<text x="{}" y="{}" text-anchor="end" fill="currentColor">{}</text>',
        (
            (
                coordinate(left),
                coordinate(scale.at(tick)),
                coordinate(right),
                coordinate(scale.at(tick)),
                "0.6" if tick == 0 else MUTED_OPACITY,
                coordinate(left - 8),
                coordinate(scale.at(tick) + 4),
                format_tick(tick, unit, step),
            )
            for tick in ticks
        ),
    )


def _x_labels(
    labels: Sequence[str],
    indices: Sequence[int],
    frame_x,
    baseline: float,
    limit: int,
    *,
    wrap: bool = False,
) -> SafeString:
    return format_html_join(
        "",
        "{}{}",
        (
            (
                format_html(
                    '<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="currentColor" '
                    'stroke-opacity="0.5"></line>',
                    coordinate(baseline),
                    coordinate(baseline + 4),
                    x=coordinate(frame_x(index)),
                ),
                wrapped_text(labels[index], x=frame_x(index), y=baseline + 18, limit=limit)
                if wrap
                else labelled_text(
                    labels[index], x=frame_x(index), y=baseline + 18, limit=limit, anchor="middle"
                ),
            )
            for index in indices
        ),
    )


def build_frame(
    *,
    values: Sequence[float],
    unit: Unit,
    count: int,
    legend_items: Sequence[tuple[str, SafeString]] = (),
    starts: Sequence[date] | None = None,
    granularity: str = "month",
    categories: Sequence[str] | None = None,
    include_zero: bool = True,
) -> Frame:
    """The frame for `count` buckets (dates in `starts`, or named `categories`) holding
    `values`."""
    left, right = LEFT, WIDTH - RIGHT
    legend_markup, legend_height = (
        legend(legend_items, x=left, y=TOP, width=right - left) if legend_items else ("", 0)
    )
    top = TOP + legend_height + (8 if legend_height else 0)
    bottom = top + PLOT_HEIGHT
    low, high = value_range(values, include_zero=include_zero)
    ticks = nice_ticks(low, high, unit=unit)
    scale = LinearScale(low=ticks[0], high=ticks[-1], start=bottom, end=top)
    frame = Frame(
        # Category labels may take two lines.
        height=bottom + BOTTOM + (14 if categories is not None else 0),
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        y=scale,
        count=count,
        markup=SafeString(""),
    )
    if categories is not None:
        labels = list(categories)
        limit = max(3, int((frame.band - 10) // CATEGORY_CHAR_WIDTH))
        every = 1 if frame.band >= 24 else math.ceil(count / max(1, (right - left) // 48))
        indices = list(range(0, count, every))
    else:
        dates = list(starts or ())
        room = max(1, int((right - left) // LABEL_ROOM.get(granularity, 60)))
        by_month = labelled_by_month(len(dates), granularity, room=room)
        indices = labelled_indices(dates, granularity, room=room)
        # Only the labelled buckets are named: formatting dates is not free.
        labels = [""] * len(dates)
        for index in indices:
            labels[index] = bucket_label(dates[index], "month" if by_month else granularity)
        limit = 12
    axis = format_html(
        '<g class="metrics-chart-legend">{}</g><g class="metrics-chart-y-axis">{}</g>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="currentColor" stroke-opacity="0.5">'
        '</line><g class="metrics-chart-x-axis">{}</g>',
        legend_markup,
        _y_axis_lines(ticks, scale, unit, left=left, right=right),
        coordinate(left),
        coordinate(bottom),
        coordinate(right),
        coordinate(bottom),
        _x_labels(labels, indices, frame.x, bottom, limit, wrap=categories is not None),
    )
    return replace(frame, markup=axis)
