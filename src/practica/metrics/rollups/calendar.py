"""Days and months of the rollups: calendar days in the site's time zone, as day numbers.

A day is handled as its proleptic ordinal (`date.toordinal()`), so the builders index plain
lists and add whole numbers instead of building dates. A day's figures are as of its end:
`day_end(day)`, the last microsecond before the next local midnight, an aware date-time in
the site's zone. Python adds a `timedelta` to such a date-time on the wall clock, so
`day_end(d) - 28 days` is again a day end: every trailing window of the raw definitions
starts and stops on day boundaries, which is what lets whole days stand for moments.
"""

from collections.abc import Callable, Iterator
from datetime import date, datetime, time, tzinfo

from django.utils import timezone

# A day number later than any real one: the end of a stint that is still open.
OPEN_END = date.max.toordinal() + 1


def site_zone() -> tzinfo:
    return timezone.get_default_timezone()


def day_end(day: date) -> datetime:
    """The end of `day` in the site's time zone: the next local midnight minus 1 µs."""
    return datetime.combine(day, time.max, tzinfo=site_zone())


def day_start(day: date) -> datetime:
    """The local midnight that begins `day`."""
    return datetime.combine(day, time.min, tzinfo=site_zone())


def day_number_of() -> Callable[[datetime], int]:
    """A function giving the local day number of an aware date-time; looked up once per
    build, as converting through the zone per row is the hot path of a rebuild."""
    zone = site_zone()

    def local_day_number(moment: datetime) -> int:
        return moment.astimezone(zone).toordinal()

    return local_day_number


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def months_between(first: date, last: date) -> Iterator[date]:
    """The first days of the months from `first`'s month to `last`'s, both included."""
    month = month_start(first)
    while month <= last:
        yield month
        month = next_month(month)


def month_key(day_number: int) -> int:
    """A month as one number (year × 12 + month − 1), from a day number."""
    day = date.fromordinal(day_number)
    return day.year * 12 + day.month - 1


def month_of_key(key: int) -> date:
    year, month = divmod(key, 12)
    return date(year, month + 1, 1)


def month_last_day_number(key: int) -> int:
    """The day number of the last day of the month `key`."""
    return month_of_key(key + 1).toordinal() - 1


def month_first_day_number(key: int) -> int:
    return month_of_key(key).toordinal()
