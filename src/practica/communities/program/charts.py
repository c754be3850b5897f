"""The program dashboard's charts, drawn on the server as SVG: one small chart per metric with
a horizontal bar per community. No script and no CDN; the page repeats the figures in a table.

Each chart is an image to assistive technology (`role="img"`), named by its `<title>` and
described by a `<desc>` reading out every community's value, so nothing is only in the drawing.
"""

from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from practica.communities.program.dashboard import MetricRow, format_metric_value

WIDTH = 560
LABEL_WIDTH = 170
BAR_WIDTH = 280
ROW_HEIGHT = 30
BAR_HEIGHT = 18
PADDING = 6
# A value above zero always shows as a visible sliver.
MIN_BAR = 2


def _scale(row: MetricRow) -> Decimal:
    """The value a full bar stands for: 100 % for shares, else the largest value."""
    largest = max(
        (value.value for value in row.values if value.value is not None), default=Decimal(0)
    )
    if row.metric.unit == "share":
        return max(Decimal(1), largest)
    return largest


def bar_width(value: Decimal | None, scale: Decimal) -> float:
    """The bar's width for `value` on a chart whose full bar stands for `scale`."""
    if value is None or value <= 0 or scale <= 0:
        return 0.0
    return round(max(MIN_BAR, float(BAR_WIDTH * value / scale)), 1)


def _label(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def chart_description(row: MetricRow) -> str:
    """Every community's value as one sentence (the chart's `<desc>`)."""
    parts = []
    for value in row.values:
        shown = (
            _("unavailable") if value.failed else format_metric_value(value.value, row.metric.unit)
        )
        parts.append(
            _("%(community)s: %(value)s") % {"community": value.community.name, "value": shown}
        )
    better = _("higher is better") if row.metric.better == "higher" else _("lower is better")
    return f"{'; '.join(parts)} ({better})"


def metric_chart_svg(row: MetricRow, *, chart_id: str) -> SafeString:
    """The metric's values as an inline `<svg>`: one bar per community, the best highlighted."""
    scale = _scale(row)
    height = PADDING * 2 + ROW_HEIGHT * len(row.values)
    bars = format_html_join(
        "\n",
        '<g class="pc-bar-row pc-colour-{}{}">'
        '<text class="pc-bar-label" x="0" y="{}">{}</text>'
        '<rect class="pc-bar-track" x="{}" y="{}" width="{}" height="{}" rx="3"></rect>'
        '<rect class="pc-bar" x="{}" y="{}" width="{}" height="{}" rx="3"></rect>'
        '<text class="pc-bar-value" x="{}" y="{}">{}</text>'
        "</g>",
        (
            (
                value.community.colour,
                " is-best" if value.is_best else "",
                PADDING + index * ROW_HEIGHT + BAR_HEIGHT // 2 + 5,
                _label(value.community.name),
                LABEL_WIDTH,
                PADDING + index * ROW_HEIGHT,
                BAR_WIDTH,
                BAR_HEIGHT,
                LABEL_WIDTH,
                PADDING + index * ROW_HEIGHT,
                bar_width(value.value, scale),
                BAR_HEIGHT,
                LABEL_WIDTH + bar_width(value.value, scale) + 8,
                PADDING + index * ROW_HEIGHT + BAR_HEIGHT // 2 + 5,
                _("unavailable")
                if value.failed
                else format_metric_value(value.value, row.metric.unit),
            )
            for index, value in enumerate(row.values)
        ),
    )
    return format_html(
        '<svg class="pc-chart" id="{id}" xmlns="http://www.w3.org/2000/svg" '
        'viewBox="0 0 {width} {height}" width="100%" role="img" '
        'aria-labelledby="{id}-title {id}-desc">'
        '<title id="{id}-title">{title}</title>'
        '<desc id="{id}-desc">{desc}</desc>'
        "{bars}</svg>",
        id=chart_id,
        width=WIDTH,
        height=height,
        title=str(row.metric.label),
        desc=chart_description(row),
        bars=bars,
    )
