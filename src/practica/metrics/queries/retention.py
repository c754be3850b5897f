"""Cohort retention: of the people who first joined in a month (the cohort), the share active
k months later, leavers of the company censored. From `CohortCell`.

Cohorts: the calendar months that overlap the period; cells: months up to the period's end,
k = 0 … 24. R(c, k) = active ÷ (size − censored), pooled over the filtered communities
(Σ active ÷ Σ (size − censored)); None when the denominator is 0. The headline month-k
retention pools every cohort that has a cell k months on, in a month over by the period's end
(not the month in progress): Σ active ÷ Σ (size − censored), so a large cohort weighs more
than a small one. Cohorts are not split by org unit or role.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import DateField, ExpressionWrapper, F, QuerySet
from django.utils.translation import gettext as _

from practica.metrics.models import CohortCell
from practica.metrics.queries.buckets import add_months, month_offset
from practica.metrics.queries.filters import DashboardFilters
from practica.metrics.queries.headlines import share_headline, share_value
from practica.metrics.queries.types import Cell, Chart, Headline, Panel, Table

MAX_OFFSET = 24
LAST_CELL = timedelta(days=MAX_OFFSET * 31 + 1)  # month 24 starts at most this long after
HEADLINE_OFFSETS = (1, 6)
CellRow = tuple[int, date, date, int, int, int]  # community, cohort, month, size, active, censored


@dataclass
class CohortFigures:
    active: int = 0
    measured: int = 0  # size − censored
    censored: int = 0

    @property
    def share(self) -> Decimal | None:
        return share_value(self.active, self.measured)


def cell_rows(filters: DashboardFilters) -> QuerySet[CohortCell, CellRow]:
    """(community, cohort, month, size, active, censored) of the period's cohorts, months
    up to the period's end and (give or take a day) 24 months after the cohort."""
    return (
        CohortCell.objects.filter(
            community_id__in=filters.community_ids,
            cohort__gte=filters.start.replace(day=1),
            cohort__lte=filters.end,
            month__lte=filters.end,
        )
        # Leave the cells past month 24 in the database rather than reading them to drop
        # them here: over a long period they are most of the rows (a 30-year period has
        # 360 cohorts of up to 360 months). A day's slack: the exact cut is in cohort_cells.
        .filter(month__lte=ExpressionWrapper(F("cohort") + LAST_CELL, output_field=DateField()))
        .values_list("community_id", "cohort", "month", "size", "active", "censored")
    )


def cohort_cells(
    filters: DashboardFilters,
) -> tuple[dict[date, int], dict[tuple[date, int], CohortFigures]]:
    """The cohorts' sizes and their pooled cells by (cohort, k) (one query)."""
    rows = cell_rows(filters)
    sizes: dict[tuple[int, date], int] = {}
    cells: dict[tuple[date, int], CohortFigures] = {}
    for community_id, cohort, month, size, active, censored in rows:
        key = (community_id, cohort)
        sizes[key] = max(sizes.get(key, 0), size)
        offset = month_offset(cohort, month)
        if not 0 <= offset <= MAX_OFFSET:
            continue
        cell = cells.setdefault((cohort, offset), CohortFigures())
        cell.active += active
        cell.measured += size - censored
        cell.censored += censored
    cohort_sizes: dict[date, int] = {}
    for (_community, cohort), size in sizes.items():
        cohort_sizes[cohort] = cohort_sizes.get(cohort, 0) + size
    return cohort_sizes, cells


def _month_k(
    cells: dict[tuple[date, int], CohortFigures], k: int, end: date
) -> tuple[int, int] | None:
    # Only months over by the period's end: the month in progress has had a few days to be
    # active in, and would drag the figure down at the start of every month.
    chosen = [
        cell
        for (cohort, offset), cell in cells.items()
        if offset == k and add_months(cohort, k + 1) <= end + timedelta(days=1)
    ]
    if not chosen:
        return None
    return sum(cell.active for cell in chosen), sum(cell.measured for cell in chosen)


def _headlines(cells: dict[tuple[date, int], CohortFigures], end: date) -> tuple[Headline, ...]:
    labels = {1: _("Retention after 1 month"), 6: _("Retention after 6 months")}
    headlines = []
    for k in HEADLINE_OFFSETS:
        pooled = _month_k(cells, k, end)
        headlines.append(
            share_headline(
                f"retention_month_{k}",
                labels[k],
                None if pooled is None else pooled[0],
                None if pooled is None else pooled[1],
            )
        )
    return tuple(headlines)


def retention_panel(filters: DashboardFilters) -> Panel:
    sizes, cells = cohort_cells(filters)
    last_offset = max(0, min(MAX_OFFSET, month_offset(filters.start, filters.end)))
    offsets = range(last_offset + 1)
    columns = (
        _("Cohort"),
        _("Size"),
        *(_("Month %(k)s") % {"k": k} for k in offsets),
    )
    heat_rows: list[tuple[Cell, ...]] = []
    count_rows: list[tuple[Cell, ...]] = []
    for cohort in sorted(sizes):
        row: list[Cell] = [cohort.strftime("%Y-%m"), sizes[cohort]]
        for k in offsets:
            cell = cells.get((cohort, k))
            row.append(None if cell is None else cell.share)
            if cell is not None:
                count_rows.append(
                    (
                        cohort.strftime("%Y-%m"),
                        k,
                        sizes[cohort],
                        cell.censored,
                        cell.active,
                        cell.measured,
                        cell.share,
                    )
                )
        heat_rows.append(tuple(row))
    heat_table = Table(
        key="cohorts",
        title=_("Cohort retention"),
        columns=columns,
        rows=tuple(heat_rows),
    )
    counts_table = Table(
        key="cohort_cells",
        title=_("Cohort retention: the counts"),
        columns=(
            _("Cohort"),
            _("Months after joining"),
            _("Size"),
            _("Left the company (censored)"),
            _("Active"),
            _("Size less censored"),
            _("Retention"),
        ),
        rows=tuple(count_rows),
    )
    notes = [
        _(
            "Retention = members of the cohort active in the month ÷ (cohort size − those who "
            "had left the company); the headline pools every cohort with a cell that many "
            "months on, in months that are over."
        )
    ]
    if filters.is_split:
        notes.append(_("Cohort retention is not split by org unit or role."))
    return Panel(
        key="retention",
        title=_("Cohort retention"),
        description=_(
            "Of the people who joined in each month, the share active in each later month; "
            "people who left the company are left out rather than counted as churn."
        ),
        headlines=_headlines(cells, filters.end),
        charts=(
            Chart(
                kind="heatmap",
                title=_("Cohort retention"),
                description=_(
                    "One row per join month; each cell is the share of that cohort active the "
                    "given number of months after joining."
                ),
                unit="share",
                table=heat_table,
            ),
        ),
        tables=(heat_table, counts_table),
        notes=tuple(notes),
    )
