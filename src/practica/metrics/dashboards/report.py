"""The monthly report: which month a report address names, whether it can have one, and the
filters that month's report reads (the whole month, a point per day)."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from practica.communities.models import Community
from practica.metrics.queries.filters import DashboardFilters

# The dashboards' history starts here (as parse_filters refuses earlier periods).
FIRST_REPORT_YEAR = 2000


@dataclass(frozen=True)
class ReportMonth:
    start: date  # the first day of the month
    end: date  # its last day, or today while the month is not over
    complete: bool  # the month is over

    @property
    def previous(self) -> date | None:
        """The first day of the month before, when it can have a report."""
        before = (self.start - timedelta(days=1)).replace(day=1)
        return before if before.year >= FIRST_REPORT_YEAR else None

    def next(self, *, today: date) -> date | None:
        """The first day of the month after, when it has begun."""
        after = (self.start + timedelta(days=32)).replace(day=1)
        return after if after <= today else None


def last_full_month(today: date) -> date:
    """The first day of the month before today's, the default report."""
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def report_month(*, year: int, month: int, today: date) -> ReportMonth | None:
    """The month a report can show, or None: no such month (13), before 2000, or not begun.
    The current month is allowed, up to today."""
    if not 1 <= month <= 12 or year < FIRST_REPORT_YEAR:
        return None
    start = date(year, month, 1)
    if start > today:
        return None
    last = date(year, month, calendar.monthrange(year, month)[1])
    return ReportMonth(start=start, end=min(last, today), complete=last < today)


def report_filters(*, community: Community, month: ReportMonth) -> DashboardFilters:
    """The whole month for the community, everyone, a point per day."""
    return DashboardFilters(
        community_ids=(community.pk,), start=month.start, end=month.end, granularity="day"
    )
