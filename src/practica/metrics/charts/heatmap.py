"""The cohort retention heat map, drawn from the chart's table: one row per cohort (the first
column), one column per offset (columns named by their offset, "0", "1", … or "Month 6"); a
second column that is not named by an offset is the cohort's size, shown beside its label.

A cell's shade grows with its share (single-hue blues, darker is more, readable in grey) and
prints its value when there is room; every cell names cohort, month and value in its tooltip.
A cell without data inside a row is hatched and says "no data"; the cells after a cohort's
last value (months that have not happened yet) stay blank.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from practica.metrics.charts.axes import (
    coordinate,
    decimal_cell,
    format_tick,
    format_value,
    nice_step,
    offset_of,
)
from practica.metrics.charts.style import contrast_ratio, labelled_text, svg_document
from practica.metrics.charts.text import cohort_summary, full_description
from practica.metrics.queries.types import Cell, Chart

WIDTH = 720
LABEL_WIDTH = 92
SIZE_WIDTH = 56
RIGHT = 12
TOP = 40
GRID_HEIGHT = 600
ROW_MAX = 24
ROW_MIN = 4
LEGEND_HEIGHT = 56
# ColorBrewer "Blues": one hue from light to dark, safe for colour-blind readers and in grey.
RAMP = ("#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b")
# Black, not the page's near-black: between the ramp's middle shades only pure black or white
# reaches 4.5:1, and the better of the two always does.
DARK_TEXT = "#000000"
LIGHT_TEXT = "#ffffff"
SUMMARY_OFFSET = 6


@dataclass(frozen=True)
class Cohorts:
    labels: tuple[str, ...]
    sizes: tuple[Cell, ...] | None
    offsets: tuple[int, ...]
    shares: tuple[tuple[Decimal | None, ...], ...]


def _share(cell: Cell) -> Decimal | None:
    return decimal_cell(cell)


def _cohort_label(cell: Cell | date) -> str:
    if isinstance(cell, date):
        return formats.date_format(cell, "M Y")
    return " ".join(str(cell if cell is not None else "").split())


def read_cohorts(chart: Chart) -> Cohorts | None:
    """The heat map's rows, sizes, offsets and shares, from the chart's table."""
    table = chart.table
    if table is None or not table.rows or len(table.columns) < 2:
        return None
    has_size = offset_of(table.columns[1]) is None
    share_columns = [
        (index, offset)
        for index, name in enumerate(table.columns)
        if index >= (2 if has_size else 1) and (offset := offset_of(name)) is not None
    ]
    return Cohorts(
        labels=tuple(_cohort_label(row[0]) for row in table.rows),
        sizes=tuple(row[1] if len(row) > 1 else None for row in table.rows) if has_size else None,
        offsets=tuple(offset for _, offset in share_columns),
        shares=tuple(
            tuple(_share(row[index]) if index < len(row) else None for index, _ in share_columns)
            for row in table.rows
        ),
    )


def heatmap_has_data(cohorts: Cohorts) -> bool:
    return any(v is not None for row in cohorts.shares for v in row)


def _mix(low: str, high: str, share: float) -> str:
    channels = [
        round(start + (end - start) * share)
        for start, end in ((int(low[i : i + 2], 16), int(high[i : i + 2], 16)) for i in (1, 3, 5))
    ]
    return "#" + "".join(f"{channel:02x}" for channel in channels)


def shade(value: float, top: float) -> str:
    """The cell colour for `value` on a scale from 0 to `top`."""
    position = min(max(value / top if top > 0 else 0.0, 0.0), 1.0) * (len(RAMP) - 1)
    index = min(int(position), len(RAMP) - 2)
    return _mix(RAMP[index], RAMP[index + 1], position - index)


def _text_colour(value: float, top: float) -> str:
    """Black or white, whichever contrasts more with the cell's shade (at least 4.5:1, as
    small text needs)."""
    fill = shade(value, top)
    return max(DARK_TEXT, LIGHT_TEXT, key=lambda text: contrast_ratio(text, fill))


def _summary(cohorts: Cohorts) -> str:
    by_offset: dict[int, list[tuple[str, Decimal]]] = {}
    for label, row in zip(cohorts.labels, cohorts.shares, strict=True):
        for offset, value in zip(cohorts.offsets, row, strict=True):
            if value is not None:
                by_offset.setdefault(offset, []).append((label, value))
    at_offset = None
    if SUMMARY_OFFSET in by_offset:
        at_offset = SUMMARY_OFFSET
    elif by_offset:
        at_offset = max(by_offset)
    best = worst = None
    compared = 0
    if at_offset is not None:
        known = by_offset[at_offset]
        # Ties go to the earlier cohort, so the text is stable.
        best = max(known, key=lambda item: item[1])
        worst = min(known, key=lambda item: item[1])
        compared = len(known)
    missing = sum(1 for row in cohorts.shares for value in row if value is None)
    return cohort_summary(
        cohorts=cohorts.labels,
        offsets=cohorts.offsets,
        at_offset=at_offset,
        best=best,
        worst=worst,
        compared=compared,
        missing=missing,
    )


def _legend(chart_id: str, *, top: float, y: float, left: float) -> SafeString:
    stops = [top * i / 4 for i in range(5)]
    swatches = format_html_join(
        "",
        '<rect x="{}" y="{}" width="40" height="12" fill="{}"></rect>'
        '<text x="{}" y="{}" text-anchor="middle" fill="currentColor" font-size="11">{}</text>',
        (
            (
                coordinate(left + i * 44),
                coordinate(y + 14),
                shade(stop, top),
                coordinate(left + i * 44 + 20),
                coordinate(y + 40),
                format_tick(stop, "share", top / 4),
            )
            for i, stop in enumerate(stops)
        ),
    )
    no_data_x = left + 5 * 44 + 24
    return format_html(
        '<g class="metrics-chart-legend"><text x="{}" y="{}" fill="currentColor" '
        'font-size="11">{}</text>{}'
        '<rect x="{}" y="{}" width="40" height="12" fill="url(#{}-nodata)" stroke="currentColor" '
        'stroke-opacity="0.4"></rect><text x="{}" y="{}" fill="currentColor" font-size="11">{}'
        "</text></g>",
        coordinate(left),
        coordinate(y + 8),
        _("Share of the cohort active"),
        swatches,
        coordinate(no_data_x),
        coordinate(y + 14),
        chart_id,
        coordinate(no_data_x + 46),
        coordinate(y + 24),
        _("no data"),
    )


@dataclass(frozen=True)
class CellLayout:
    left: float
    y: float
    width: float
    height: float
    top_value: float
    font: int
    with_value: bool
    with_percent: bool


def _cell_text(value: Decimal, layout: CellLayout) -> str:
    """The value printed in a cell: whole per cents fit (the tooltip and table have the
    decimal), without the sign in narrow cells."""
    whole = abs(value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 and whole else ""
    return f"{sign}{whole}\u00a0%" if layout.with_percent else f"{sign}{whole}"


def _row_cells(
    label: str,
    row: tuple[Decimal | None, ...],
    offsets: tuple[int, ...],
    layout: CellLayout,
    *,
    chart_id: str,
    shown: dict[Decimal, tuple[str, str]],
) -> SafeString:
    """One cohort's cells. Built as text for speed (a long history has thousands of cells):
    every piece of text is escaped here; the rest are numbers and colours made here."""
    where_template = _("%(cohort)s, month %(month)s")
    no_data = escape(_("no data"))
    hatch = f"url(#{escape(chart_id)}-nodata)"
    last_known = max((i for i, v in enumerate(row) if v is not None), default=-1)
    middle = coordinate(layout.y + layout.height / 2 + 3)
    y = coordinate(layout.y)
    width = coordinate(max(layout.width - 1, 0.5))
    height = coordinate(max(layout.height - 1, 0.5))
    label_room = layout.width >= 48 and layout.height >= 14
    cells = []
    for c, value in enumerate(row):
        if value is None and c > last_known:
            continue  # months the cohort has not reached yet
        x = layout.left + c * layout.width
        where = escape(where_template % {"cohort": label, "month": offsets[c]})
        rect = f'<rect x="{coordinate(x)}" y="{y}" width="{width}" height="{height}"'
        centre = coordinate(x + layout.width / 2)
        if value is None:
            text = (
                f'<text x="{centre}" y="{middle}" text-anchor="middle" fill="currentColor" '
                f'font-size="9">{no_data}</text>'
                if label_room
                else ""
            )
            cells.append(
                f'<g><title>{where}: {no_data}</title>{rect} fill="{hatch}" '
                f'stroke="currentColor" stroke-opacity="0.25"></rect>{text}</g>'
            )
            continue
        if value not in shown:
            # (value as read, cell colour), worked out once per distinct value.
            shown[value] = (
                escape(format_value(value, "share")),
                shade(float(value), layout.top_value),
            )
        value_text, fill = shown[value]
        number = float(value)
        text = (
            f'<text x="{centre}" y="{middle}" text-anchor="middle" '
            f'fill="{_text_colour(number, layout.top_value)}" font-size="{layout.font}">'
            f"{escape(_cell_text(value, layout))}</text>"
            if layout.with_value
            else ""
        )
        cells.append(
            f'<g><title>{where}: {value_text}</title>{rect} fill="{fill}"></rect>{text}</g>'
        )
    return mark_safe("".join(cells))  # noqa: S308 — every text piece is escaped above


def render_heatmap(chart: Chart, cohorts: Cohorts, *, chart_id: str) -> SafeString:
    """The cohorts read from the chart's table (`read_cohorts`) drawn."""
    rows, columns = len(cohorts.labels), max(len(cohorts.offsets), 1)
    left = LABEL_WIDTH + (SIZE_WIDTH if cohorts.sizes is not None else 0)
    cell_width = (WIDTH - RIGHT - left) / columns
    row_height = min(ROW_MAX, max(ROW_MIN, GRID_HEIGHT / max(rows, 1)))
    known = [float(v) for row in cohorts.shares for v in row if v is not None]
    top_value = min(1.0, max(0.1, nice_step(max(known, default=1.0), 1)))
    if max(known, default=0.0) > top_value:
        top_value = max(known)
    label_every = max(1, round(12 / row_height))
    column_every = max(1, round(20 / cell_width))
    font = 11 if cell_width >= 40 else 10
    with_percent = cell_width >= 40 and row_height >= 14
    with_value = cell_width >= 22 and row_height >= 14
    shown: dict[Decimal, tuple[str, str]] = {}

    header = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" fill="currentColor" font-size="11">{}</text>',
        (
            (coordinate(left + (i + 0.5) * cell_width), TOP - 6, offset)
            for i, offset in enumerate(cohorts.offsets)
            if i % column_every == 0
        ),
    )
    parts = [
        format_html(
            '<text x="{}" y="{}" fill="currentColor" font-size="11">{}</text>'
            '<text x="{}" y="{}" text-anchor="end" fill="currentColor" font-size="11">{}</text>'
            "{}",
            coordinate(left),
            TOP - 22,
            _("Months since joining"),
            coordinate(LABEL_WIDTH - 8),
            TOP - 6,
            _("Cohort"),
            header,
        )
    ]
    if cohorts.sizes is not None:
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" fill="currentColor" font-size="11">{}'
                "</text>",
                coordinate(left - 8),
                TOP - 6,
                _("Size"),
            )
        )
    for r, (label, row) in enumerate(zip(cohorts.labels, cohorts.shares, strict=True)):
        y = TOP + r * row_height
        middle = y + row_height / 2 + 4
        if r % label_every == 0:
            parts.append(labelled_text(label, x=LABEL_WIDTH - 8, y=middle, limit=13, anchor="end"))
            if cohorts.sizes is not None:
                size = cohorts.sizes[r]
                parts.append(
                    labelled_text(
                        format_value(size, "count") if isinstance(size, int | Decimal) else "",
                        x=left - 8,
                        y=middle,
                        limit=8,
                        anchor="end",
                        font_size="11",
                    )
                )
        parts.append(
            _row_cells(
                label,
                row,
                cohorts.offsets,
                CellLayout(
                    left=left,
                    y=y,
                    width=cell_width,
                    height=row_height,
                    top_value=top_value,
                    font=font,
                    with_value=with_value,
                    with_percent=with_percent,
                ),
                chart_id=chart_id,
                shown=shown,
            )
        )
    grid_bottom = TOP + rows * row_height
    parts.append(_legend(chart_id, top=top_value, y=grid_bottom + 8, left=left))
    defs = format_html(
        '<pattern id="{}-nodata" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="currentColor" '
        'stroke-opacity="0.45" stroke-width="1.5"></line></pattern>',
        chart_id,
    )
    return svg_document(
        chart,
        chart_id=chart_id,
        width=WIDTH,
        height=grid_bottom + LEGEND_HEIGHT,
        description=full_description(chart, _summary(cohorts)),
        body=format_html_join("", "{}", ((part,) for part in parts)),
        defs=defs,
    )
