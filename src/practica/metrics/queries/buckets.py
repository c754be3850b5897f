"""Buckets: how a dashboard period is cut into days, weeks, months, quarters or years.

Buckets are calendar buckets (weeks start on Monday, quarters in January, April, July and
October) cut to the period: the first bucket starts on the period's first day and the last ends
on its last day, so a bucket never counts a day outside the period. A bucket is named by its
first day within the period (`Point.start`).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from django.utils import timezone

Granularity = Literal["day", "week", "month", "quarter", "year"]
GRANULARITIES: tuple[Granularity, ...] = ("day", "week", "month", "quarter", "year")
MONTHS_PER: dict[str, int] = {"month": 1, "quarter": 3, "year": 12}


def calendar_start(day: date, granularity: Granularity) -> date:
    """The first day of the calendar day/week/month/quarter/year `day` falls in."""
    if granularity == "day":
        return day
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    if granularity == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return date(day.year, 1, 1)


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def next_calendar_start(day: date, granularity: Granularity) -> date:
    """The first day of the calendar bucket after the one `day` falls in."""
    start = calendar_start(day, granularity)
    if granularity == "day":
        return start + timedelta(days=1)
    if granularity == "week":
        return start + timedelta(days=7)
    return add_months(start, MONTHS_PER[granularity])


def bucket_count(start: date, end: date, granularity: Granularity) -> int:
    """How many buckets [start, end] has, without listing them."""
    if granularity == "day":
        return (end - start).days + 1
    if granularity == "week":
        return (calendar_start(end, "week") - calendar_start(start, "week")).days // 7 + 1
    first, last = calendar_start(start, granularity), calendar_start(end, granularity)
    months = (last.year - first.year) * 12 + last.month - first.month
    return months // MONTHS_PER[granularity] + 1


def bucket_starts(start: date, end: date, granularity: Granularity) -> list[date]:
    """The first day within [start, end] of each bucket, in order."""
    starts = []
    day = start
    while day <= end:
        starts.append(day)
        day = next_calendar_start(day, granularity)
    return starts


@dataclass(frozen=True)
class Buckets:
    """A period's buckets: their starts and (inclusive) ends within the period."""

    start: date
    end: date
    granularity: Granularity

    @property
    def starts(self) -> list[date]:
        return bucket_starts(self.start, self.end, self.granularity)

    def spans(self) -> list[tuple[date, date]]:
        """(first day, last day) of each bucket, both within the period."""
        return [
            (first, min(self.end, next_calendar_start(first, self.granularity) - timedelta(1)))
            for first in self.starts
        ]

    def of(self, day: date) -> date | None:
        """The bucket `day` is in (its first day within the period), None outside the period."""
        if not self.start <= day <= self.end:
            return None
        return max(self.start, calendar_start(day, self.granularity))


def local_midnight(day: date) -> datetime:
    """The aware moment `day` begins in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def local_day(moment: datetime) -> date:
    """The day `moment` falls on in the site's time zone."""
    return timezone.localdate(moment, timezone.get_default_timezone())


def month_starts(start: date, end: date) -> list[date]:
    """The first days of the calendar months that overlap [start, end]."""
    months = []
    month = start.replace(day=1)
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    return months


def month_offset(first: date, later: date) -> int:
    """Whole calendar months from `first`'s month to `later`'s."""
    return (later.year - first.year) * 12 + later.month - first.month


def iso(day: date) -> str:
    return day.isoformat()


def last_in_each(days: Iterable[date], buckets: Buckets) -> dict[date, date]:
    """For each bucket, the latest of `days` within it (buckets without one are left out)."""
    latest: dict[date, date] = {}
    for day in days:
        bucket = buckets.of(day)
        if bucket is not None and (bucket not in latest or day > latest[bucket]):
            latest[bucket] = day
    return latest
