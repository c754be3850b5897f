"""Time windows of the metric definitions: trailing periods ending at `as_of`, calendar months."""

import calendar
from datetime import date, datetime, timedelta

from django.utils import timezone


def trailing_start(as_of: datetime, *, days: int) -> datetime:
    """The exclusive start of the trailing `days` ending at `as_of`: the window is
    `start < moment <= as_of`."""
    return as_of - timedelta(days=days)


def months_before(moment: datetime, months: int) -> datetime:
    """The same wall-clock moment `months` calendar months earlier; the day is clamped to the
    month's length (31 August minus six months is 28 or 29 February)."""
    month_index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def company_date(moment: datetime) -> date:
    """The calendar day of `moment` in the site's time zone: HR dates (affiliations, leaving
    the company) are days, compared with the day a moment falls on."""
    return timezone.localdate(moment, timezone.get_default_timezone())
