"""The funnel drawn on the server as SVG: one horizontal bar per step, its count and its
conversion from the step before. No script and no CDN; the page puts the same figures in a
table beneath it.

The chart is an image to assistive technology (`role="img"`), named by its `<title>` and
described by a `<desc>` that reads out every step, so nothing is only in the drawing.
"""

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from practica.outreach.queries.funnel import FunnelCounts, FunnelStep

WIDTH = 720
LABEL_WIDTH = 210
BAR_WIDTH = 330
ROW_HEIGHT = 40
BAR_HEIGHT = 24
PADDING = 8


@dataclass(frozen=True)
class FunnelBar:
    step: FunnelStep
    y: int
    width: float

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT // 2 + 5

    @property
    def value_x(self) -> float:
        return round(LABEL_WIDTH + self.width + 8, 1)


def _count(step: FunnelStep) -> str:
    return number_format(step.count, force_grouping=True)


def step_sentence(step: FunnelStep, previous: FunnelStep | None) -> str:
    """One step read out: "Mailed: 8 (80.0 % of HR joiners)"."""
    if previous is None:
        return _("%(step)s: %(count)s") % {"step": step.label, "count": _count(step)}
    if step.percent is None:
        return _("%(step)s: %(count)s (no conversion: no %(previous)s)") % {
            "step": step.label,
            "count": _count(step),
            "previous": previous.label,
        }
    return _("%(step)s: %(count)s (%(percent)s %% of %(previous)s)") % {
        "step": step.label,
        "count": _count(step),
        "percent": number_format(step.percent, 1),
        "previous": previous.label,
    }


def funnel_description(figures: FunnelCounts) -> str:
    """Every step with its count and conversion, as sentences (the chart's `<desc>`)."""
    steps = figures.steps
    return "; ".join(
        step_sentence(step, steps[index - 1] if index else None) for index, step in enumerate(steps)
    )


def funnel_bars(figures: FunnelCounts) -> list[FunnelBar]:
    """The bars' geometry: widths in proportion to the largest step (a visible sliver for
    any step above 0)."""
    steps = figures.steps
    largest = max((step.count for step in steps), default=0)
    bars = []
    for index, step in enumerate(steps):
        width = BAR_WIDTH * step.count / largest if largest else 0
        if step.count and width < 2:
            width = 2
        bars.append(FunnelBar(step=step, y=PADDING + index * ROW_HEIGHT, width=round(width, 1)))
    return bars


def _value_text(step: FunnelStep) -> str:
    if step.previous is None:
        return _count(step)
    if step.percent is None:
        return _("%(count)s · —") % {"count": _count(step)}
    return _("%(count)s · %(percent)s %%") % {
        "count": _count(step),
        "percent": number_format(step.percent, 1),
    }


def funnel_svg(figures: FunnelCounts, *, title: str, chart_id: str = "funnel-chart") -> SafeString:
    """The funnel of `figures` as an inline `<svg>` element, titled `title`."""
    bars = funnel_bars(figures)
    height = PADDING * 2 + ROW_HEIGHT * len(bars)
    rows = format_html_join(
        "\n",
        '<g class="funnel-step funnel-step-{}">'
        '<text class="funnel-label" x="0" y="{}">{}</text>'
        '<rect class="funnel-track" x="{}" y="{}" width="{}" height="{}" rx="3"></rect>'
        '<rect class="funnel-bar" x="{}" y="{}" width="{}" height="{}" rx="3"></rect>'
        '<text class="funnel-value" x="{}" y="{}">{}</text>'
        "</g>",
        (
            (
                bar.step.key,
                bar.text_y,
                bar.step.label,
                LABEL_WIDTH,
                bar.y,
                BAR_WIDTH,
                BAR_HEIGHT,
                LABEL_WIDTH,
                bar.y,
                bar.width,
                BAR_HEIGHT,
                bar.value_x,
                bar.text_y,
                _value_text(bar.step),
            )
            for bar in bars
        ),
    )
    return format_html(
        '<svg class="funnel-chart" id="{id}" xmlns="http://www.w3.org/2000/svg" '
        'viewBox="0 0 {width} {height}" width="100%" role="img" '
        'aria-labelledby="{id}-title {id}-desc">'
        '<title id="{id}-title">{title}</title>'
        '<desc id="{id}-desc">{desc}</desc>'
        "{rows}</svg>",
        id=chart_id,
        width=WIDTH,
        height=height,
        title=title,
        desc=funnel_description(figures),
        rows=rows,
    )
