"""The dashboards' tables as CSV: the raw numbers (not the page's rounding), one file per table,
named after the community, the panel, the table and the period."""

from collections.abc import Sequence

from django.http import HttpResponse

from practica.core.csv_download import csv_download
from practica.metrics.queries.filters import DashboardFilters
from practica.metrics.queries.types import Cell, Panel, Table


def find_table(panel: Panel, table_key: str) -> Table | None:
    return next((table for table in panel.tables if table.key == table_key), None)


def csv_cell(cell: Cell) -> object:
    """A cell as written to the file: numbers as they are, no data as an empty cell."""
    return "" if cell is None else cell


def table_filename(*, slug: str, panel_key: str, table_key: str, filters: DashboardFilters) -> str:
    return (
        f"{slug}-{panel_key}-{table_key}-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"
    )


def table_csv(*, table: Table, filename: str) -> HttpResponse:
    return csv_download(
        filename=filename,
        header=table.columns,
        rows=([csv_cell(cell) for cell in row] for row in table.rows),
    )


def rows_csv(
    *, filename: str, header: Sequence[str], rows: Sequence[Sequence[Cell]]
) -> HttpResponse:
    return csv_download(
        filename=filename,
        header=header,
        rows=([csv_cell(cell) for cell in row] for row in rows),
    )
