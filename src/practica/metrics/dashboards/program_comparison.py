"""The program's communities side by side on the key figures (`community_headlines`), with the
pooled program total (figures recomputed over all of them, never averaged) and a bar chart per
figure comparing the communities."""

from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from practica.communities.models import Community
from practica.metrics.dashboards.formatting import format_n, format_value
from practica.metrics.queries.filters import DashboardFilters
from practica.metrics.queries.panels import community_headlines
from practica.metrics.queries.types import Cell, Chart, Headline, Point, Series, Unit


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    unit: Unit


@dataclass(frozen=True)
class ComparisonRow:
    name: str
    slug: str  # "" for the program total
    headlines: tuple[Headline, ...]

    def value_of(self, key: str) -> Headline | None:
        return next((headline for headline in self.headlines if headline.key == key), None)


@dataclass(frozen=True)
class ProgramComparison:
    filters: DashboardFilters
    columns: tuple[Column, ...]
    rows: tuple[ComparisonRow, ...]  # one per community, in the program's order
    total: ComparisonRow  # the communities pooled
    charts: tuple[Chart, ...]  # one per column

    @property
    def has_data(self) -> bool:
        return any(headline.value is not None for headline in self.total.headlines)


def comparison_chart(column: Column, rows: Sequence[ComparisonRow], start_key: Point) -> Chart:
    """A bar per community for one figure: each community is a series of one point (the whole
    period), so the bars share the period's single bucket and the legend names them."""
    series = []
    for row in rows:
        headline = row.value_of(column.key)
        point = replace(
            start_key,
            value=headline.value if headline else None,
            n=headline.n if headline else None,
        )
        series.append(Series(key=row.slug, label=row.name, unit=column.unit, points=(point,)))
    return Chart(
        kind="bar",
        title=column.label,
        description=_("%(figure)s for each community of the program over the period.")
        % {"figure": column.label},
        unit=column.unit,
        series=tuple(series),
    )


def program_comparison(
    *, communities: Sequence[Community], filters: DashboardFilters
) -> ProgramComparison:
    """`community_headlines` for each community with `filters` (their community ids
    replaced by the one community's), then for all of `communities` pooled."""
    rows = tuple(
        ComparisonRow(
            name=community.name,
            slug=community.slug,
            headlines=community_headlines(replace(filters, community_ids=(community.pk,))),
        )
        for community in communities
    )
    pooled = replace(filters, community_ids=tuple(community.pk for community in communities))
    total = ComparisonRow(name=_("Program total"), slug="", headlines=community_headlines(pooled))
    columns = tuple(
        Column(key=headline.key, label=headline.label, unit=headline.unit)
        for headline in total.headlines
    )
    bucket = Point(start=filters.start, value=None)
    return ProgramComparison(
        filters=filters,
        columns=columns,
        rows=rows,
        total=total,
        charts=tuple(comparison_chart(column, rows, bucket) for column in columns),
    )


def comparison_table(comparison: ProgramComparison) -> tuple[list[str], list[list[Cell]]]:
    """The comparison as a table: a row per community and the total, each figure followed by
    its n (the CSV export; the page shows the same figures formatted)."""
    header = [_("Community")]
    for column in comparison.columns:
        header += [column.label, _("%(figure)s (n)") % {"figure": column.label}]
    rows: list[list[Cell]] = []
    for row in (*comparison.rows, comparison.total):
        cells: list[Cell] = [row.name]
        for column in comparison.columns:
            headline = row.value_of(column.key)
            cells += [headline.value if headline else None, headline.n if headline else None]
        rows.append(cells)
    return header, rows


@dataclass(frozen=True)
class DisplayedCell:
    text: str
    n_text: str
    note: str
    has_value: bool


@dataclass(frozen=True)
class DisplayedRow:
    name: str
    slug: str
    cells: tuple[DisplayedCell, ...]


@dataclass(frozen=True)
class DisplayedComparison:
    columns: tuple[Column, ...]
    rows: tuple[DisplayedRow, ...]
    total: DisplayedRow
    charts: tuple[tuple[Column, SafeString], ...]
    has_data: bool


def displayed_row(row: ComparisonRow, columns: Sequence[Column]) -> DisplayedRow:
    cells = []
    for column in columns:
        headline = row.value_of(column.key)
        value = headline.value if headline else None
        cells.append(
            DisplayedCell(
                text=format_value(value, column.unit),
                n_text=format_n(headline.n if headline else None),
                note=headline.note if headline else "",
                has_value=value is not None,
            )
        )
    return DisplayedRow(name=row.name, slug=row.slug, cells=tuple(cells))


def displayed_comparison(
    comparison: ProgramComparison, charts: Sequence[SafeString]
) -> DisplayedComparison:
    """The comparison formatted for the page, each column with its drawn chart."""
    return DisplayedComparison(
        columns=comparison.columns,
        rows=tuple(displayed_row(row, comparison.columns) for row in comparison.rows),
        total=displayed_row(comparison.total, comparison.columns),
        charts=tuple(zip(comparison.columns, charts, strict=False)),
        has_data=comparison.has_data,
    )
