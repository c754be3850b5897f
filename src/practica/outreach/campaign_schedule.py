"""When a monthly campaign is due: the n-th weekday of the month at an hour, in each
recipient's own time zone (e.g. the first Monday at 09:00 in Tokyo, then in Berlin, then in
San Francisco).

Pure date arithmetic, no database: `services.campaign_sending` asks it which months can be
due somewhere on earth now and whether a person's local moment has come.
"""

from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from practica.core.time_zones import zone_named

# The zone furthest ahead of UTC: Kiribati's Line Islands (UTC+14).
MAX_AHEAD = timedelta(hours=14)


class Schedule(Protocol):
    weekday: int  # 0 is Monday
    week_of_month: int  # 1..4
    local_hour: int  # 0..23


def month_start(day: date) -> date:
    """The first day of `day`'s month (a date or a datetime's day); periods are stored so."""
    if isinstance(day, datetime):
        day = day.date()
    return day.replace(day=1)


def next_month(period: date) -> date:
    return (period.replace(day=28) + timedelta(days=4)).replace(day=1)


def nth_weekday(period: date, weekday: int, week_of_month: int) -> date:
    """The `week_of_month`-th `weekday` (0 Monday … 6 Sunday) of `period`'s month."""
    first = month_start(period)
    offset = (weekday - first.weekday()) % 7
    return first + timedelta(days=offset + 7 * (week_of_month - 1))


def local_due(schedule: Schedule, period: date) -> datetime:
    """The due moment of `period`'s month as a wall-clock time, without a zone."""
    day = nth_weekday(period, schedule.weekday, schedule.week_of_month)
    return datetime.combine(day, time(hour=schedule.local_hour))


def due_moment(schedule: Schedule, period: date, time_zone: str | None) -> datetime:
    """When the campaign's mail for `period`'s month is due for someone in `time_zone`, in
    UTC. A wall-clock hour skipped by a daylight-saving change counts with the offset before
    the change (zoneinfo's fold=0), so it is never lost."""
    local = local_due(schedule, period).replace(tzinfo=zone_named(time_zone))
    return local.astimezone(UTC)


def earliest_due(schedule: Schedule, period: date) -> datetime:
    """The first moment the month is due anywhere on earth (in UTC+14)."""
    return (local_due(schedule, period) - MAX_AHEAD).replace(tzinfo=UTC)


def months_due_around(now: datetime) -> list[date]:
    """The months that can be due somewhere on earth at `now`: the UTC months of now−14 h
    and now+14 h (one month, or two near a month's turn), oldest first."""
    moment = now.astimezone(UTC)
    return sorted(
        {month_start((moment - MAX_AHEAD).date()), month_start((moment + MAX_AHEAD).date())}
    )


def describe_schedule(schedule: Schedule, *, monthly: bool = True) -> str:
    """The schedule in words: "First Monday of each month, 09:00 in each person's zone"."""
    from django.utils.dates import WEEKDAYS
    from django.utils.translation import gettext as _

    if not monthly:
        return _("Sent by hand")
    ordinals = {1: _("First"), 2: _("Second"), 3: _("Third"), 4: _("Fourth")}
    return _("%(week)s %(day)s of each month, %(hour)02d:00 in each person's zone") % {
        "week": ordinals.get(schedule.week_of_month, str(schedule.week_of_month)),
        "day": WEEKDAYS.get(schedule.weekday, ""),
        "hour": schedule.local_hour,
    }
