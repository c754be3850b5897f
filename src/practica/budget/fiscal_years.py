"""Fiscal years: which dates a budget's year covers by default, and which year holds a date.

A fiscal year starts on the first day of `settings.FISCAL_YEAR_START_MONTH` (1 = January, the
default) and is named after the calendar year it ends in, as most companies do: with a July
start, fiscal year 2025 runs from 2024-07-01 to 2025-06-30.
"""

from datetime import date, timedelta

from django.conf import settings

FIRST_YEAR = 2000
LAST_YEAR = 2100


def start_month() -> int:
    """The month fiscal years start in (1–12); anything else counts as January."""
    month = getattr(settings, "FISCAL_YEAR_START_MONTH", 1)
    return month if isinstance(month, int) and 1 <= month <= 12 else 1


def fiscal_year_period(year: int) -> tuple[date, date]:
    """The first and the last day (both inclusive) of fiscal year `year`."""
    month = start_month()
    starts_on = date(year if month == 1 else year - 1, month, 1)
    next_start = date(starts_on.year + 1, month, 1)
    return starts_on, next_start - timedelta(days=1)


def fiscal_year_of(day: date) -> int:
    """The fiscal year that holds `day`."""
    month = start_month()
    if month == 1 or day.month < month:
        return day.year
    return day.year + 1
