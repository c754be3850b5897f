"""Small charts drawn on the server as SVG: a target's six-month sparkline and the maturity
assessments over time. No script and no CDN.

Each chart is an image to assistive technology (`role="img"`), named by its `<title>` and
described by a `<desc>` that reads out every value, so nothing is only in the drawing; the
pages show the same figures as text beside them.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from practica.communities.models import MaturityStage
from practica.communities.strategy.maturity_queries import MaturityPoint
from practica.communities.strategy.targets import TargetEvaluation, format_metric_value

SPARK_WIDTH = 132
SPARK_HEIGHT = 36
SPARK_PAD = 5


@dataclass(frozen=True)
class _Scale:
    low: float
    high: float
    top: float
    bottom: float

    def y(self, value: float) -> float:
        if self.high == self.low:
            return round((self.top + self.bottom) / 2, 1)
        share = (value - self.low) / (self.high - self.low)
        return round(self.bottom - share * (self.bottom - self.top), 1)


def _scale(values: Sequence[float], *, top: float, bottom: float) -> _Scale:
    low, high = min(values), max(values)
    margin = (high - low) * 0.1
    return _Scale(low=low - margin, high=high + margin, top=top, bottom=bottom)


def _month(moment: datetime) -> str:
    # The value at a month boundary belongs to the month that just ended.
    return formats.date_format(date.fromordinal(moment.date().toordinal() - 1), "M Y")


def _segments(points: Sequence[tuple[float, float | None]], scale: _Scale) -> list[str]:
    """Polyline point lists, broken where a value is missing."""
    segments: list[list[str]] = [[]]
    for x, value in points:
        if value is None:
            segments.append([])
        else:
            segments[-1].append(f"{x},{scale.y(value)}")
    return [" ".join(segment) for segment in segments if segment]


def sparkline_description(evaluation: TargetEvaluation) -> str:
    """Every trend value and the live one, as a sentence (the sparkline's `<desc>`)."""
    unit = evaluation.unit
    parts = [
        _("%(month)s: %(value)s")
        % {"month": _month(point.at), "value": format_metric_value(point.value, unit)}
        for point in evaluation.trend
    ]
    parts.append(_("now: %(value)s") % {"value": evaluation.shown_value})
    return _("%(values)s; target %(target)s.") % {
        "values": "; ".join(parts),
        "target": evaluation.shown_target,
    }


def sparkline_svg(evaluation: TargetEvaluation, *, chart_id: str) -> SafeString:
    """The target's last six month-end values and its live value as a small line, with the
    target as a dashed line and the live value as a dot coloured by status."""
    values: list[Decimal | None] = [point.value for point in evaluation.trend]
    values.append(evaluation.value)
    known = [float(value) for value in values if value is not None]
    goal = float(evaluation.target.target_value)
    scale = _scale([*known, goal], top=SPARK_PAD, bottom=SPARK_HEIGHT - SPARK_PAD)
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / max(len(values) - 1, 1)
    points = [
        (round(SPARK_PAD + index * step, 1), None if value is None else float(value))
        for index, value in enumerate(values)
    ]
    lines = format_html_join(
        "",
        '<polyline class="spark-line" points="{}"></polyline>',
        ((s,) for s in _segments(points, scale)),
    )
    last_x, last_value = points[-1]
    dot = (
        format_html(
            '<circle class="spark-dot spark-{}" cx="{}" cy="{}" r="3.5"></circle>',
            evaluation.status.value,
            last_x,
            scale.y(last_value),
        )
        if last_value is not None
        else ""
    )
    target_y = scale.y(goal)
    return format_html(
        '<svg class="sparkline" id="{id}" xmlns="http://www.w3.org/2000/svg" '
        'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        'aria-labelledby="{id}-title {id}-desc">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        '<line class="spark-target" x1="{pad}" x2="{end}" y1="{ty}" y2="{ty}"></line>'
        "{lines}{dot}</svg>",
        id=chart_id,
        width=SPARK_WIDTH,
        height=SPARK_HEIGHT,
        title=_("%(label)s over the last six months") % {"label": evaluation.label},
        desc=sparkline_description(evaluation),
        pad=SPARK_PAD,
        end=SPARK_WIDTH - SPARK_PAD,
        ty=target_y,
        lines=lines,
        dot=dot,
    )


MATURITY_WIDTH = 640
MATURITY_HEIGHT = 220
MATURITY_LEFT = 190
MATURITY_RIGHT = 40
MATURITY_TOP = 16
MATURITY_BOTTOM = 36
# More day labels than this along the axis would overlap: label every n-th point instead.
MATURITY_DAY_LABELS = 8


def maturity_description(history: Sequence[MaturityPoint]) -> str:
    return "; ".join(
        _("%(day)s: mean stage %(average)s")
        % {
            "day": formats.date_format(point.assessed_on, "DATE_FORMAT"),
            "average": "—" if point.average is None else formats.number_format(point.average, 1),
        }
        for point in history
    )


def maturity_chart_svg(history: Sequence[MaturityPoint], *, chart_id: str) -> SafeString:
    """The mean stage of each assessment over time (oldest left), on a grid of the four
    stages."""
    inner_width = MATURITY_WIDTH - MATURITY_LEFT - MATURITY_RIGHT
    scale = _Scale(low=1, high=4, top=MATURITY_TOP, bottom=MATURITY_HEIGHT - MATURITY_BOTTOM)
    grid = format_html_join(
        "",
        '<line class="maturity-grid" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
        '<text class="maturity-stage" x="{}" y="{}">{} · {}</text>',
        (
            (
                MATURITY_LEFT,
                MATURITY_WIDTH - MATURITY_RIGHT,
                scale.y(stage.value),
                scale.y(stage.value),
                MATURITY_LEFT - 8,
                scale.y(stage.value) + 4,
                stage.value,
                stage.label,
            )
            for stage in MaturityStage
        ),
    )
    step = inner_width / max(len(history) - 1, 1)
    placed = [
        (
            round(MATURITY_LEFT + (index * step if len(history) > 1 else inner_width / 2), 1),
            point,
        )
        for index, point in enumerate(history)
    ]
    values = [(x, None if p.average is None else float(p.average)) for x, p in placed]
    lines = format_html_join(
        "",
        '<polyline class="maturity-line" points="{}"></polyline>',
        ((s,) for s in _segments(values, scale)),
    )
    dots = format_html_join(
        "",
        '<circle class="maturity-dot" cx="{}" cy="{}" r="4"></circle>',
        ((x, scale.y(float(point.average))) for x, point in placed if point.average is not None),
    )
    every = max(1, -(-len(placed) // MATURITY_DAY_LABELS))
    days = format_html_join(
        "",
        '<text class="maturity-day" x="{}" y="{}">{}</text>',
        (
            (x, MATURITY_HEIGHT - 12, formats.date_format(point.assessed_on, "M Y"))
            for index, (x, point) in enumerate(placed)
            if index % every == 0 or index == len(placed) - 1
        ),
    )
    return format_html(
        '<svg class="maturity-chart" id="{id}" xmlns="http://www.w3.org/2000/svg" '
        'viewBox="0 0 {width} {height}" width="100%" role="img" '
        'aria-labelledby="{id}-title {id}-desc">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        "{grid}{lines}{dots}{days}</svg>",
        id=chart_id,
        width=MATURITY_WIDTH,
        height=MATURITY_HEIGHT,
        title=_("Mean maturity stage over time"),
        desc=maturity_description(history),
        grid=grid,
        lines=lines,
        dots=dots,
        days=days,
    )
