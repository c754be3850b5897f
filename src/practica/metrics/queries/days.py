"""The daily rollup rows a panel reads, summed over the filtered communities.

One query: the `CommunityDay` rows of the communities in the filters' segment, summed per day
(several communities: counts added, a person in two communities counted in each). Figures of a
bucket's stock (members, active…) are those of the bucket's last day that has rows; a day
without rows has no data (the rollups were not built for it), not zeros.
"""

from collections.abc import Sequence
from datetime import date

from django.db.models import Sum

from practica.metrics.models import CommunityDay
from practica.metrics.queries.filters import DashboardFilters

DayFigures = dict[str, int]


def day_totals(
    filters: DashboardFilters, *, fields: Sequence[str], since: date | None = None
) -> dict[date, DayFigures]:
    """`fields` of the `CommunityDay` rows from `since` (default: the period's start) to the
    period's end, summed over the filters' communities per day, by day in order."""
    rows = (
        CommunityDay.objects.filter(
            community_id__in=filters.community_ids,
            segment=filters.segment,
            day__gte=since or filters.start,
            day__lte=filters.end,
        )
        .order_by("day")
        .values_list("day")
        .annotate(*(Sum(field) for field in fields))
    )
    return {
        row[0]: {field: int(value or 0) for field, value in zip(fields, row[1:], strict=True)}
        for row in rows
    }
