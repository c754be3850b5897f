"""The metrics API's shapes (`metrics.api` holds the endpoints).

Figures are JSON numbers (as the program dashboard's metric values and the funnel's
conversions are): counts are integers, shares are fractions between 0 and 1, hours, scores and
ratios decimals; null is "no data", never 0.
"""

from datetime import date
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import StringConstraints

Unit = Literal["count", "share", "hours", "score", "ratio"]
ChartKind = Literal["line", "bar", "stacked_bar", "histogram", "heatmap", "network"]
Granularity = Literal["day", "week", "month", "quarter", "year"]
# Checked by the dashboard's own filter parser (`metrics.queries.filters`), which gives the
# same messages as the pages; here only a bound on the length.
FilterText = Annotated[str, StringConstraints(max_length=40)]

UNIT_HELP = (
    "count: a number of people, questions, answers or events; share: a fraction between 0 "
    "and 1; hours: a duration in hours; score: a satisfaction or NPS score; ratio: one figure "
    "divided by another."
)


class DashboardFilterParams(Schema):
    """The dashboard's filters, with the names and meaning they have on the pages. Any other
    query parameter is refused (422)."""

    period: FilterText | None = Field(
        None,
        description="30d, 90d, 12m (the default), ytd, all, or custom (with start and end).",
    )
    start: FilterText | None = Field(
        None, description="The first day of a custom period (YYYY-MM-DD, site time zone)."
    )
    end: FilterText | None = Field(
        None,
        description="The last day of a custom period (YYYY-MM-DD, included; a day after today "
        "is today).",
    )
    granularity: FilterText | None = Field(
        None,
        description="day, week, month, quarter or year; by default the finest that keeps the "
        "charts readable. At most 400 buckets.",
    )
    org_unit: FilterText | None = Field(
        None, description="Only the people of this division (the id of a top-level org unit)."
    )
    role: FilterText | None = Field(
        None, description="Only the members holding this membership role (not with org_unit)."
    )
    topic: FilterText | None = Field(
        None,
        description="Q&A figures only: questions on this topic or any topic under it (its id).",
    )


class FiltersOut(Schema):
    """The filters as applied: the period's days and the bucket size resolved from defaults."""

    start: date
    end: date
    granularity: Granularity
    org_unit: int | None
    role: str
    topic: int | None
    buckets: list[date] = Field(description="The first day of each bucket in the period.")


class CommunityRef(Schema):
    id: int
    slug: str
    name: str


class ProgramRef(Schema):
    id: int
    slug: str
    name: str


class PointOut(Schema):
    start: date = Field(description="The first day of the bucket.")
    value: float | None = Field(description="Null when there is nothing to measure.")
    n: int | None = Field(description="How many people, questions, answers… it is over.")


class SeriesOut(Schema):
    key: str = Field(description="Unique within its panel.")
    label: str
    unit: Unit = Field(description=UNIT_HELP)
    points: list[PointOut]


class HeadlineOut(Schema):
    key: str
    label: str
    unit: Unit = Field(description=UNIT_HELP)
    value: float | None = Field(description="The figure for the whole period; null: no data.")
    n: int | None
    note: str = Field(description="e.g. a confidence interval; empty when there is none.")


class TableOut(Schema):
    key: str = Field(description="Unique within its panel.")
    title: str
    columns: list[str]
    rows: list[list[str | int | float | None]] = Field(
        description="One list of cells per row, in the order of `columns`."
    )


class ChartOut(Schema):
    kind: ChartKind
    title: str
    description: str
    unit: Unit = Field(description=UNIT_HELP)
    series: list[str] = Field(
        description="The keys of the series it draws (line, bar, stacked bar, histogram)."
    )
    table: str | None = Field(
        description="The key of the table it draws (heat map: rows of shares; network: rows "
        "of from, to, weight), or null."
    )


class PanelOut(Schema):
    key: str
    title: str
    description: str
    headlines: list[HeadlineOut]
    charts: list[ChartOut]
    series: list[SeriesOut] = Field(description="Every series its charts draw, once each.")
    tables: list[TableOut] = Field(description="Every number its charts draw, with n.")
    notes: list[str]
    is_empty: bool = Field(description="Nothing to show for the period.")


class PanelsOut(Schema):
    community: CommunityRef
    filters: FiltersOut
    panels: list[PanelOut]


class CommunityPanelOut(Schema):
    community: CommunityRef
    filters: FiltersOut
    panel: PanelOut


class CommunitySeriesOut(Schema):
    community: CommunityRef
    filters: FiltersOut
    panel: str
    series: SeriesOut


class CommunityTableOut(Schema):
    community: CommunityRef
    filters: FiltersOut
    panel: str
    table: TableOut


class HeadlinesOut(Schema):
    community: CommunityRef
    filters: FiltersOut
    headlines: list[HeadlineOut]


class ComparedCommunityOut(Schema):
    community: CommunityRef
    headlines: list[HeadlineOut]


class ComparisonOut(Schema):
    program: ProgramRef
    filters: FiltersOut | None = Field(description="Null when the program has no communities.")
    communities: list[ComparedCommunityOut]
    total: list[HeadlineOut] = Field(
        description="The same figures over the communities together: counts summed, shares and "
        "medians recomputed from the pooled data."
    )
