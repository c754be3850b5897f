"""When a monthly campaign is due: the n-th weekday at an hour in each person's zone, and which
months the beat looks at."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from practica.outreach.campaign_schedule import (
    due_moment,
    earliest_due,
    months_due_around,
    next_month,
    nth_weekday,
)


@dataclass
class Schedule:
    weekday: int = 0
    week_of_month: int = 1
    local_hour: int = 9


FIRST_MONDAY_9 = Schedule()


@pytest.mark.parametrize(
    ("period", "weekday", "week", "expected"),
    [
        (date(2026, 6, 1), 0, 1, date(2026, 6, 1)),  # the month starts on a Monday
        (date(2026, 5, 1), 0, 1, date(2026, 5, 4)),
        (date(2026, 5, 1), 4, 1, date(2026, 5, 1)),  # first Friday is the 1st
        (date(2026, 5, 1), 3, 4, date(2026, 5, 28)),  # fourth Thursday
        (date(2026, 2, 1), 6, 4, date(2026, 2, 22)),
        (date(2026, 5, 20), 1, 2, date(2026, 5, 12)),  # any day of the month names it
    ],
)
def test_nth_weekday(period, weekday, week, expected):
    assert nth_weekday(period, weekday, week) == expected


def test_due_moment_is_the_local_hour_in_each_zone():
    may = date(2026, 5, 1)  # first Monday: 4 May 2026
    assert due_moment(FIRST_MONDAY_9, may, "UTC") == datetime(2026, 5, 4, 9, tzinfo=UTC)
    assert due_moment(FIRST_MONDAY_9, may, "Europe/Berlin") == datetime(
        2026, 5, 4, 7, tzinfo=UTC
    )  # CEST, UTC+2
    assert due_moment(FIRST_MONDAY_9, may, "Asia/Tokyo") == datetime(2026, 5, 4, 0, tzinfo=UTC)
    assert due_moment(FIRST_MONDAY_9, may, "America/Los_Angeles") == datetime(
        2026, 5, 4, 16, tzinfo=UTC
    )  # PDT, UTC−7
    assert due_moment(FIRST_MONDAY_9, may, "Asia/Kolkata") == datetime(
        2026, 5, 4, 3, 30, tzinfo=UTC
    )


def test_daylight_saving_time_is_the_zones_own():
    january = date(2026, 1, 1)  # first Monday: 5 January, CET is UTC+1
    assert due_moment(FIRST_MONDAY_9, january, "Europe/Berlin") == datetime(
        2026, 1, 5, 8, tzinfo=UTC
    )


def test_a_zone_ahead_of_utc_is_due_while_utc_is_still_in_the_previous_month():
    # June 2026 starts on a Monday: 09:00 on 1 June in Kiritimati (UTC+14) is 19:00 on
    # 31 May in UTC, and 00:00 on 1 June in Auckland (UTC+12) for a midnight campaign.
    june = date(2026, 6, 1)
    moment = due_moment(FIRST_MONDAY_9, june, "Pacific/Kiritimati")
    assert moment == datetime(2026, 5, 31, 19, tzinfo=UTC)
    assert moment.month == 5
    assert earliest_due(FIRST_MONDAY_9, june) == moment
    midnight = Schedule(local_hour=0)
    assert due_moment(midnight, june, "Pacific/Auckland") == datetime(2026, 5, 31, 12, tzinfo=UTC)
    # …and the beat looks at June from 10:00 UTC on 31 May.
    assert months_due_around(datetime(2026, 5, 31, 9, 59, tzinfo=UTC)) == [date(2026, 5, 1)]
    assert months_due_around(datetime(2026, 5, 31, 19, tzinfo=UTC)) == [
        date(2026, 5, 1),
        date(2026, 6, 1),
    ]


def test_a_zone_behind_utc_is_due_after_utc_moved_to_the_next_day():
    june = date(2026, 6, 1)
    late = Schedule(local_hour=20)
    assert due_moment(late, june, "America/Los_Angeles") == datetime(2026, 6, 2, 3, tzinfo=UTC)
    # The last place on earth to reach 20:00 (UTC−12, "Etc/GMT+12") does so at 08:00 UTC.
    assert due_moment(late, june, "Etc/GMT+12") == datetime(2026, 6, 2, 8, tzinfo=UTC)


def test_months_due_around_the_turn_of_the_year():
    assert months_due_around(datetime(2026, 12, 31, 12, tzinfo=UTC)) == [
        date(2026, 12, 1),
        date(2027, 1, 1),
    ]
    assert months_due_around(datetime(2027, 1, 1, 3, tzinfo=UTC)) == [
        date(2026, 12, 1),
        date(2027, 1, 1),
    ]
    assert months_due_around(datetime(2027, 1, 15, tzinfo=UTC)) == [date(2027, 1, 1)]


def test_an_unknown_zone_counts_as_utc():
    may = date(2026, 5, 1)
    assert due_moment(FIRST_MONDAY_9, may, "Mars/Olympus") == datetime(2026, 5, 4, 9, tzinfo=UTC)
    assert due_moment(FIRST_MONDAY_9, may, "") == datetime(2026, 5, 4, 9, tzinfo=UTC)


def test_next_month():
    assert next_month(date(2026, 12, 1)) == date(2027, 1, 1)
    assert next_month(date(2026, 1, 31)) == date(2026, 2, 1)
