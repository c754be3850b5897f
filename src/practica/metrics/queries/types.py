"""What a dashboard panel is made of, shared by the queries that build panels, the charts that
draw them, the pages, the CSV exports and the API.

A panel answers one question ("are we growing?") with headline figures, charts and the tables
that hold every number the charts draw. Every value carries its n (how many people, questions
or answers it is over) where it has one; None is "no data", never 0.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

Unit = Literal["count", "share", "hours", "score", "ratio"]
ChartKind = Literal["line", "bar", "stacked_bar", "histogram", "heatmap", "network"]
Cell = str | int | Decimal | None


@dataclass(frozen=True)
class Point:
    """One bucket of a series: `start` is the first day of the day/week/month/quarter/year."""

    start: date
    value: Decimal | None
    n: int | None = None


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    unit: Unit
    points: tuple[Point, ...]

    @property
    def has_data(self) -> bool:
        return any(point.value is not None for point in self.points)


@dataclass(frozen=True)
class Headline:
    """One figure of a panel for the whole period, e.g. members at its end."""

    key: str
    label: str
    unit: Unit
    value: Decimal | None
    n: int | None = None
    note: str = ""  # e.g. a confidence interval, "lower bound"


@dataclass(frozen=True)
class Table:
    """Rows of cells under named columns; `key` is unique within its panel (CSV file names,
    API paths)."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    @property
    def is_empty(self) -> bool:
        return not self.rows


@dataclass(frozen=True)
class Chart:
    """What to draw. Line, bar, stacked bar and histogram charts draw `series` (they share the
    same buckets); a heat map draws `table` (first column the row label, the others shares,
    columns after the first two named by their offset); a network draws `table` rows
    (from, to, weight)."""

    kind: ChartKind
    title: str
    description: str  # one sentence on what it shows; the text alternative starts with it
    unit: Unit
    series: tuple[Series, ...] = ()
    table: Table | None = None


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    description: str
    headlines: tuple[Headline, ...] = ()
    charts: tuple[Chart, ...] = ()
    tables: tuple[Table, ...] = ()
    notes: tuple[str, ...] = field(default=())  # e.g. "Event figures are not split by org unit."

    @property
    def is_empty(self) -> bool:
        """Nothing at all to show for the period: the page shows an empty state instead."""
        return all(h.value is None for h in self.headlines) and all(t.is_empty for t in self.tables)
