"""Panels made ready for a page: every chart drawn, each followed by the table of the numbers it
draws, every figure formatted with its n, and each table's CSV address.

The community dashboard and the monthly report show panels the same way; both call
`display_panels` with the panels `build_panels` returned, so nothing here queries the database.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from practica.metrics.charts import render_chart
from practica.metrics.charts.axes import number_style
from practica.metrics.dashboards.formatting import format_cell, format_n, format_value
from practica.metrics.queries.types import Chart, Headline, Panel, Table

# Given a panel key and a table key, the address of that table as CSV.
CsvUrl = Callable[[str, str], str]


@dataclass(frozen=True)
class HeadlineDisplay:
    key: str
    label: str
    text: str
    n_text: str
    note: str
    has_value: bool


@dataclass(frozen=True)
class TableDisplay:
    key: str
    title: str
    html_id: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    # Which columns hold numbers (right-aligned): a column is numeric when no cell is text.
    numeric: tuple[bool, ...]
    csv_url: str
    total_rows: int = 0

    @property
    def hidden_rows(self) -> int:
        """Rows left for the CSV: a page of a thousand rows reads worse and renders slowly."""
        return self.total_rows - len(self.rows)

    @property
    def is_empty(self) -> bool:
        return not self.rows

    @property
    def body(self) -> SafeString:
        """The table's rows as markup: numeric cells right-aligned, an empty cell read out as
        "no data". Written here rather than looped over in the template, which took a tenth
        of a dashboard page's time for its few thousand cells; every text is escaped."""
        empty = (
            '<span aria-hidden="true">–</span>'
            f'<span class="visually-hidden">{escape(_("no data"))}</span>'
        )
        opening = {True: '<td class="num">', False: "<td>"}
        rows = (
            "<tr>"
            + "".join(
                f"{opening[numeric]}{escape(text) if text else empty}</td>"
                for text, numeric in zip(row, self.numeric, strict=False)
            )
            + "</tr>"
            for row in self.rows
        )
        return mark_safe("\n".join(rows))  # noqa: S308 — every text in it is escaped

    @property
    def header(self) -> list[tuple[str, bool]]:
        return list(zip(self.columns, self.numeric, strict=False))


@dataclass(frozen=True)
class ChartDisplay:
    title: str
    svg: SafeString
    table: TableDisplay | None


@dataclass(frozen=True)
class PanelDisplay:
    key: str
    title: str
    description: str
    html_id: str
    is_empty: bool
    headlines: tuple[HeadlineDisplay, ...]
    charts: tuple[ChartDisplay, ...]
    # Tables no chart draws (e.g. a breakdown by format), shown after the charts.
    other_tables: tuple[TableDisplay, ...]
    notes: tuple[str, ...]


def display_headline(headline: Headline) -> HeadlineDisplay:
    return HeadlineDisplay(
        key=headline.key,
        label=headline.label,
        text=format_value(headline.value, headline.unit),
        n_text=format_n(headline.n),
        note=headline.note,
        has_value=headline.value is not None,
    )


# The most rows a table shows on the page; its CSV holds them all (an org-to-org graph can have
# hundreds of edges, listed strongest first).
ROWS_SHOWN = 60


def display_table(table: Table, *, panel_key: str, prefix: str, csv_url: CsvUrl) -> TableDisplay:
    style = number_style()
    numeric = tuple(
        all(not isinstance(row[index], str) for row in table.rows if index < len(row))
        and bool(table.rows)
        for index in range(len(table.columns))
    )
    return TableDisplay(
        key=table.key,
        title=table.title,
        html_id=f"{prefix}{panel_key}-table-{table.key}",
        columns=table.columns,
        rows=tuple(
            tuple(format_cell(cell, style) for cell in row) for row in table.rows[:ROWS_SHOWN]
        ),
        numeric=numeric,
        csv_url=csv_url(panel_key, table.key),
        total_rows=len(table.rows),
    )


def pair_charts_with_tables(
    charts: Sequence[Chart], tables: Sequence[Table]
) -> tuple[list[tuple[Chart, Table | None]], list[Table]]:
    """Each chart with the table of its numbers, and the tables left over.

    A chart drawing a table (heat map, network) goes with that table; otherwise with the
    table of the same title; otherwise, when the panel has as many tables as charts, with the
    table in the same place, which is how panels list them."""
    unused = list(tables)
    pairs: list[tuple[Chart, Table | None]] = []
    for chart in charts:
        match = next(
            (t for t in unused if chart.table is not None and t.key == chart.table.key), None
        ) or next((t for t in unused if t.title == chart.title), None)
        if match is not None:
            unused.remove(match)
        pairs.append((chart, match))
    if len(charts) == len(tables):
        # The unmatched charts take the unmatched tables in order.
        rest = iter(unused)
        pairs = [(chart, table or next(rest, None)) for chart, table in pairs]
        used = {id(table) for _, table in pairs if table is not None}
        unused = [table for table in tables if id(table) not in used]
    return pairs, unused


def display_panel(
    panel: Panel, *, csv_url: CsvUrl, granularity: str | None = None, prefix: str = ""
) -> PanelDisplay:
    """One panel for a page. `granularity` names the buckets' size to the charts; `prefix`
    keeps element ids unique when a page shows several sets of panels."""
    pairs, unused = pair_charts_with_tables(panel.charts, panel.tables)
    charts = tuple(
        ChartDisplay(
            title=chart.title,
            svg=render_chart(
                chart, chart_id=f"{prefix}{panel.key}-chart-{index}", granularity=granularity
            ),
            table=None
            if table is None
            else display_table(table, panel_key=panel.key, prefix=prefix, csv_url=csv_url),
        )
        for index, (chart, table) in enumerate(pairs, start=1)
    )
    return PanelDisplay(
        key=panel.key,
        title=panel.title,
        description=panel.description,
        html_id=f"{prefix}panel-{panel.key}",
        is_empty=panel.is_empty,
        headlines=tuple(display_headline(headline) for headline in panel.headlines),
        charts=charts,
        other_tables=tuple(
            display_table(table, panel_key=panel.key, prefix=prefix, csv_url=csv_url)
            for table in unused
        ),
        notes=panel.notes,
    )


def display_panels(
    panels: Sequence[Panel], *, csv_url: CsvUrl, granularity: str | None = None, prefix: str = ""
) -> list[PanelDisplay]:
    return [
        display_panel(panel, csv_url=csv_url, granularity=granularity, prefix=prefix)
        for panel in panels
    ]
