"""The look every chart shares: colours, line dashes, markers, fill textures, the legend and
the outer `<svg>` element.

Colours are the Okabe–Ito hues (safe for the common colour-vision deficiencies), the light ones
darkened so that every colour keeps at least 3:1 contrast on the site's light and dark surfaces;
each series also has its own dash pattern, marker shape and fill texture, so colour is never
the only cue.
Styling is by presentational attributes, not CSS, so the charts look the same in the printed
report; text, axes and grid lines use `currentColor` and so follow the page's text colour in
light and dark mode.
"""

import html
from collections.abc import Iterable

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from practica.metrics.charts.axes import coordinate, truncate
from practica.metrics.queries.types import Chart

FONT_FAMILY = (
    'ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", '
    '"Noto Sans", "Noto Sans CJK SC", Arial, sans-serif'
)
FONT_SIZE = 12
# Okabe–Ito hues; the light ones (reddish purple, orange, sky blue, yellow) darkened, as the
# originals drew lines and bars at 1.3–3:1 on the light surfaces (yellow all but vanished):
# every colour keeps 3:1 (WCAG 1.4.11) on white, the page (#f7f8fa) and dark mode (#0d1117).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#C0699B", "#B07800", "#3388BB", "#8F7F00")
SURFACES = ("#ffffff", "#f7f8fa", "#0d1117")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "12 4", "4 2 1 2", "1 2")
MARKERS = ("circle", "square", "triangle", "diamond", "triangle-down", "cross", "plus")
# Textures laid over bar fills for the second series on: stripes, dots, cross-hatch, …
TEXTURES = ("", "stripes", "dots", "hatch", "back-stripes", "grid", "dense-dots")
MUTED_OPACITY = "0.15"
LABEL_LIMIT = 28
LEGEND_ITEM_WIDTH = 208
LEGEND_ROW_HEIGHT = 18


def _luminance(hex_colour: str) -> float:
    """The WCAG relative luminance of "#rrggbb"."""
    channels = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG contrast ratio of two "#rrggbb" colours (1 to 21)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _look(index: int) -> int:
    """Which dash, marker and texture series `index` gets. Past the palette's length the
    colours repeat, so the other cues shift by one for every round: no two of the first
    len(PALETTE)² series share colour and dash (or colour and marker, or colour and texture),
    so series 8 is never drawn exactly like series 1."""
    return (index + index // len(PALETTE)) % len(DASHES)


def dash(index: int) -> str:
    return DASHES[_look(index)]


def marker(index: int, x: float, y: float, fill: str, size: float = 3.5) -> SafeString:
    """The series' marker shape centred on (x, y). Written with f-strings, not format_html: a
    page draws hundreds, and only `fill` is text (escaped)."""
    shape = MARKERS[_look(index)]
    cx, cy, s = x, y, size
    paint = html.escape(fill)
    if shape == "circle":
        markup = (
            f'<circle cx="{coordinate(cx)}" cy="{coordinate(cy)}" r="{coordinate(s)}" '
            f'fill="{paint}"></circle>'
        )
    elif shape == "square":
        markup = (
            f'<rect x="{coordinate(cx - s)}" y="{coordinate(cy - s)}" width="{coordinate(2 * s)}" '
            f'height="{coordinate(2 * s)}" fill="{paint}"></rect>'
        )
    elif shape in ("cross", "plus"):
        arms = (
            ((cx - s, cy - s, cx + s, cy + s), (cx - s, cy + s, cx + s, cy - s))
            if shape == "cross"
            else ((cx - s, cy, cx + s, cy), (cx, cy - s, cx, cy + s))
        )
        markup = "".join(
            f'<line x1="{coordinate(x1)}" y1="{coordinate(y1)}" x2="{coordinate(x2)}" '
            f'y2="{coordinate(y2)}" stroke="{paint}" stroke-width="2"></line>'
            for x1, y1, x2, y2 in arms
        )
    else:
        corners = {
            "triangle": ((cx, cy - s * 1.2), (cx + s * 1.2, cy + s), (cx - s * 1.2, cy + s)),
            "triangle-down": ((cx, cy + s * 1.2), (cx + s * 1.2, cy - s), (cx - s * 1.2, cy - s)),
            "diamond": (
                (cx, cy - s * 1.3),
                (cx + s * 1.3, cy),
                (cx, cy + s * 1.3),
                (cx - s * 1.3, cy),
            ),
        }[shape]
        points = " ".join(f"{coordinate(px)},{coordinate(py)}" for px, py in corners)
        markup = f'<polygon points="{points}" fill="{paint}"></polygon>'
    return mark_safe(markup)  # noqa: S308 — numbers made here and an escaped colour


def texture_defs(chart_id: str, count: int) -> SafeString:
    """`<pattern>` textures for bar series 1 … count-1 (series 0 is plain)."""
    shapes = {
        "stripes": '<path d="M0 6 L6 0" stroke="#ffffff" stroke-width="1.5"></path>',
        "dots": '<circle cx="3" cy="3" r="1.2" fill="#ffffff"></circle>',
        "hatch": '<path d="M0 6 L6 0 M0 0 L6 6" stroke="#ffffff" stroke-width="1"></path>',
        "back-stripes": '<path d="M0 0 L6 6" stroke="#ffffff" stroke-width="1.5"></path>',
        "grid": '<path d="M3 0 V6 M0 3 H6" stroke="#ffffff" stroke-width="1"></path>',
        "dense-dots": '<circle cx="1.5" cy="1.5" r="0.9" fill="#ffffff"></circle>'
        '<circle cx="4.5" cy="4.5" r="0.9" fill="#ffffff"></circle>',
    }
    return format_html_join(
        "",
        '<pattern id="{}-texture-{}" width="6" height="6" patternUnits="userSpaceOnUse">'
        "{}</pattern>",
        (
            (chart_id, index, mark_safe(shapes[TEXTURES[_look(index)]]))  # noqa: S308 — constant markup
            for index in range(1, count)
            if TEXTURES[_look(index)]
        ),
    )


def texture_fill(chart_id: str, index: int) -> str:
    """The fill for series `index`'s texture overlay, or "" for a plain fill."""
    if not TEXTURES[_look(index)]:
        return ""
    return f"url(#{chart_id}-texture-{index})"


def labelled_text(
    text: str, *, x: float, y: float, limit: int = LABEL_LIMIT, anchor: str = "start", **extra: str
) -> SafeString:
    """A `<text>` cut to `limit` characters; when cut, the full text is its tooltip."""
    shown = truncate(text, limit)
    attributes = format_html_join(
        "", ' {}="{}"', ((k.replace("_", "-"), v) for k, v in extra.items())
    )
    element = format_html(
        '<text x="{}" y="{}" text-anchor="{}" fill="currentColor"{}>{}</text>',
        coordinate(x),
        coordinate(y),
        anchor,
        attributes,
        shown,
    )
    if shown == " ".join(str(text).split()):
        return element
    return format_html("<g><title>{}</title>{}</g>", text, element)


def wrapped_lines(text: str, limit: int, *, lines: int = 2) -> list[str]:
    """`text` broken at spaces into at most `lines` lines of `limit` characters, the last
    one cut with an ellipsis when the text does not fit."""
    words = " ".join(str(text).split()).split(" ")
    result: list[str] = []
    for word in words:
        if result and len(result[-1]) + 1 + len(word) <= limit:
            result[-1] = f"{result[-1]} {word}"
        else:
            result.append(word)
    if len(result) > lines:
        result = [*result[: lines - 1], " ".join(result[lines - 1 :])]
    return [truncate(line, limit) for line in result]


def wrapped_text(text: str, *, x: float, y: float, limit: int, lines: int = 2) -> SafeString:
    """A centred label on up to `lines` lines; when cut, the full text is its tooltip."""
    shown = wrapped_lines(text, limit, lines=lines)
    spans = format_html_join(
        "",
        '<tspan x="{}" dy="{}">{}</tspan>',
        ((coordinate(x), 0 if index == 0 else 14, line) for index, line in enumerate(shown)),
    )
    element = format_html(
        '<text x="{}" y="{}" text-anchor="middle" fill="currentColor">{}</text>',
        coordinate(x),
        coordinate(y),
        spans,
    )
    if " ".join(shown) == " ".join(str(text).split()):
        return element
    return format_html("<g><title>{}</title>{}</g>", text, element)


def legend(
    items: Iterable[tuple[str, SafeString]], *, x: float, y: float, width: float
) -> tuple[SafeString, float]:
    """Legend entries (label, swatch drawn at 0,0 within a 24×12 box) laid out in rows from
    (x, y); returns the markup and its height."""
    per_row = max(1, int(width // LEGEND_ITEM_WIDTH))
    parts = []
    rows = 0
    for index, (label, swatch) in enumerate(items):
        row, column = divmod(index, per_row)
        rows = row + 1
        left = x + column * LEGEND_ITEM_WIDTH
        top = y + row * LEGEND_ROW_HEIGHT
        parts.append(
            format_html(
                '<g class="metrics-chart-legend-item" transform="translate({} {})">{}{}</g>',
                coordinate(left),
                coordinate(top),
                swatch,
                labelled_text(label, x=30, y=10, limit=24),
            )
        )
    return format_html_join("", "{}", ((part,) for part in parts)), rows * LEGEND_ROW_HEIGHT


def line_swatch(index: int) -> SafeString:
    return format_html(
        '<line x1="0" y1="6" x2="24" y2="6" stroke="{}" stroke-width="2.5"{}></line>{}',
        colour(index),
        format_html(' stroke-dasharray="{}"', dash(index)) if dash(index) else "",
        marker(index, 12, 6, colour(index)),
    )


def bar_swatch(index: int, chart_id: str) -> SafeString:
    texture = texture_fill(chart_id, index)
    return format_html(
        '<rect x="2" y="0" width="20" height="12" fill="{}"></rect>{}',
        colour(index),
        format_html('<rect x="2" y="0" width="20" height="12" fill="{}"></rect>', texture)
        if texture
        else "",
    )


def svg_document(
    chart: Chart,
    *,
    chart_id: str,
    width: float,
    height: float,
    description: str,
    body: SafeString | str,
    defs: SafeString | str = "",
) -> SafeString:
    """The outer `<svg>`: an image to assistive technology, named by the chart's title and
    described by its text alternative."""
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="metrics-chart metrics-chart-{kind}" '
        'id="{id}" viewBox="0 0 {width} {height}" width="100%" role="img" '
        'aria-labelledby="{id}-title {id}-desc" font-family="{font}" font-size="{size}" '
        'preserveAspectRatio="xMidYMid meet">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        "{defs}{body}</svg>",
        kind=chart.kind,
        id=chart_id,
        width=coordinate(width),
        height=coordinate(height),
        font=FONT_FAMILY,
        size=FONT_SIZE,
        title=chart.title,
        desc=description,
        defs=format_html("<defs>{}</defs>", defs) if defs else "",
        body=body,
    )


def empty_message(*, width: float, height: float) -> SafeString:
    """The visible empty state drawn inside the chart's frame."""
    return format_html(
        '<rect x="0.5" y="0.5" width="{}" height="{}" fill="none" stroke="currentColor" '
        'stroke-opacity="0.3" stroke-dasharray="4 4" rx="6"></rect>'
        '<text x="{}" y="{}" text-anchor="middle" fill="currentColor" font-size="14">{}</text>',
        coordinate(width - 1),
        coordinate(height - 1),
        coordinate(width / 2),
        coordinate(height / 2 + 5),
        _("No data for this period"),
    )
