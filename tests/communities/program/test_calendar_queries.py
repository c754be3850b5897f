"""The program calendar: entries from every source, clashes across communities, month grids."""

from datetime import UTC, date, datetime, timedelta
from itertools import combinations
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from practica.communities import calendar_sources
from practica.communities.program.calendar_queries import (
    OUTSIDE_COLOUR,
    community_labels,
    entries_clash,
    find_clashes,
    month_weeks,
    month_window,
    program_calendar,
    upcoming_by_community,
)
from tests.communities.program.conftest import NOON
from tests.factories.communities import CommunityFactory
from tests.factories.program import FakeCalendarSource, make_entry

pytestmark = [pytest.mark.unit]

HOUR = timedelta(hours=1)
MAY = (datetime(2031, 5, 1, tzinfo=UTC), datetime(2031, 6, 1, tzinfo=UTC))


# --- What a clash is (no database) ---------------------------------------------------------


def test_overlapping_entries_of_two_communities_clash():
    assert entries_clash(make_entry(1, NOON), make_entry(2, NOON + HOUR / 2))


def test_entries_of_the_same_community_never_clash():
    assert not entries_clash(make_entry(1, NOON), make_entry(1, NOON))


def test_back_to_back_entries_do_not_clash():
    assert not entries_clash(make_entry(1, NOON), make_entry(2, NOON + HOUR))


@pytest.mark.parametrize("co_hosted_by_first", [True, False])
def test_a_co_host_is_never_in_a_clash_with_the_host(co_hosted_by_first):
    first = make_entry(1, NOON, co_hosts=[2] if co_hosted_by_first else [])
    second = make_entry(2, NOON, co_hosts=[] if co_hosted_by_first else [1])
    assert not entries_clash(first, second)
    assert not entries_clash(second, first)


def test_sharing_a_third_co_host_is_still_a_clash():
    # ML and AI each put on something with Statistics at the same hour: they compete.
    assert entries_clash(make_entry(1, NOON, co_hosts=[3]), make_entry(2, NOON, co_hosts=[3]))


def test_find_clashes_names_each_pair_once_earlier_first():
    entries = [
        make_entry(1, NOON + HOUR / 2),
        make_entry(2, NOON),
        make_entry(1, NOON + 5 * HOUR),
        make_entry(3, NOON + 5 * HOUR, hours=2),
    ]
    # Entries starting together keep their order: the first given comes first.
    assert find_clashes(entries) == [(1, 0), (2, 3)]


entry_strategy = st.builds(
    lambda community, start, minutes, co_host: make_entry(
        community,
        NOON + timedelta(minutes=15 * start),
        hours=minutes / 60,
        co_hosts=[co_host] if co_host else [],
    ),
    community=st.integers(1, 4),
    start=st.integers(0, 40),
    minutes=st.integers(1, 300),
    co_host=st.integers(0, 4),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(entry_strategy, max_size=14))
def test_the_sweep_finds_exactly_the_pairs_a_full_comparison_finds(entries):
    expected = {
        frozenset((first, second))
        for first, second in combinations(range(len(entries)), 2)
        if entries_clash(entries[first], entries[second])
    }
    found = find_clashes(entries)
    assert {frozenset(pair) for pair in found} == expected
    assert len(found) == len(expected)
    for first, second in found:
        assert entries[first].starts_at <= entries[second].starts_at


# --- The program's calendar ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_calendar_asks_every_source_for_the_programs_communities_only(
    fake_calendar, program, ml, ai, outsider
):
    other = FakeCalendarSource(key="other")
    calendar_sources.register_calendar_source(other)
    fake_calendar.add(make_entry(ml, NOON, title="ML talk"), make_entry(outsider, NOON))
    other.add(make_entry(ai, NOON + 3 * HOUR, title="AI reading group", source="other"))

    calendar = program_calendar(program, starts=MAY[0], ends=MAY[1])

    assert [item.entry.title for item in calendar.entries] == ["ML talk", "AI reading group"]
    assert fake_calendar.asked == [{ml.pk, ai.pk}]
    assert other.asked == [{ml.pk, ai.pk}]
    assert [label.name for label in calendar.communities] == [
        "Artificial Intelligence",
        "Machine Learning",
    ]


@pytest.mark.django_db
def test_an_entry_two_sources_give_is_shown_once(fake_calendar, program, ml):
    entry = make_entry(ml, NOON, object_id=7)
    # A source answering twice for the same entry (e.g. hosted and co-hosted).
    fake_calendar.add(entry, entry)

    calendar = program_calendar(program, starts=MAY[0], ends=MAY[1])

    assert len(calendar.entries) == 1


@pytest.mark.django_db
def test_clashing_entries_are_flagged_on_both_and_listed_once(fake_calendar, program, ml, ai):
    ml_talk = make_entry(ml, NOON, title="ML talk")
    ai_talk = make_entry(ai, NOON + HOUR / 2, title="AI talk")
    ml_later = make_entry(ml, NOON + 4 * HOUR, title="ML later")
    fake_calendar.add(ml_talk, ai_talk, ml_later)

    calendar = program_calendar(program, starts=MAY[0], ends=MAY[1])

    by_title = {item.entry.title: item for item in calendar.entries}
    assert by_title["ML talk"].clashes_with == [by_title["AI talk"]]
    assert by_title["AI talk"].clashes_with == [by_title["ML talk"]]
    assert not by_title["ML later"].is_clash
    [clash] = calendar.clashes
    assert (clash.first.entry.title, clash.second.entry.title) == ("ML talk", "AI talk")
    assert clash.overlap_starts == NOON + HOUR / 2
    assert clash.overlap_ends == NOON + HOUR


@pytest.mark.django_db
def test_a_co_hosted_event_is_marked_with_all_hosts_and_is_no_clash(fake_calendar, program, ml, ai):
    fake_calendar.add(
        make_entry(ml, NOON, title="Joint keynote", co_hosts=[ai]),
        make_entry(ai, NOON, title="AI office hour"),
    )

    calendar = program_calendar(program, starts=MAY[0], ends=MAY[1])

    keynote = next(item for item in calendar.entries if item.entry.title == "Joint keynote")
    assert keynote.is_co_hosted
    assert [host.name for host in keynote.hosts] == ["Machine Learning", "Artificial Intelligence"]
    assert keynote.host_names == "Machine Learning, Artificial Intelligence"
    assert calendar.clashes == []


@pytest.mark.django_db
def test_a_co_host_outside_the_program_is_named_without_a_colour(
    fake_calendar, program, ml, outsider
):
    fake_calendar.add(make_entry(ml, NOON, co_hosts=[outsider]))

    [item] = program_calendar(program, starts=MAY[0], ends=MAY[1]).entries

    [co_host] = item.co_hosts
    assert co_host.name == "Statistics"
    assert co_host.colour == OUTSIDE_COLOUR
    assert not co_host.in_program
    assert item.host.in_program


@pytest.mark.django_db
def test_an_entry_hosted_outside_but_co_hosted_inside_is_on_the_calendar(
    fake_calendar, program, ml, outsider
):
    fake_calendar.add(make_entry(outsider, NOON, title="Stats day", co_hosts=[ml]))

    [item] = program_calendar(program, starts=MAY[0], ends=MAY[1]).entries

    assert item.host.name == "Statistics"
    assert item.involves(ml.pk)


@pytest.mark.django_db
def test_filtering_by_community_keeps_its_entries_and_clashes_with_the_others(
    fake_calendar, program, ml, ai
):
    fake_calendar.add(
        make_entry(ml, NOON, title="ML talk"),
        make_entry(ai, NOON, title="AI talk"),
        make_entry(ai, NOON + 5 * HOUR, title="AI alone"),
        make_entry(ai, NOON + 24 * HOUR, title="AI with ML", co_hosts=[ml]),
    )

    calendar = program_calendar(program, starts=MAY[0], ends=MAY[1], community=ml)

    assert [item.entry.title for item in calendar.entries] == ["ML talk", "AI with ML"]
    assert calendar.community.name == "Machine Learning"
    [clash] = calendar.clashes
    assert {clash.first.entry.title, clash.second.entry.title} == {"ML talk", "AI talk"}


@pytest.mark.django_db
def test_entries_outside_the_window_are_left_out(fake_calendar, program, ml):
    fake_calendar.add(
        make_entry(ml, MAY[0] - HOUR, title="Ends as May starts"),
        make_entry(ml, MAY[0] - HOUR / 2, title="Runs into May"),
        make_entry(ml, MAY[1], title="June"),
    )

    calendar = program_calendar(program, starts=MAY[0], ends=MAY[1])

    assert [item.entry.title for item in calendar.entries] == ["Runs into May"]


@pytest.mark.django_db
def test_a_program_without_communities_has_an_empty_calendar(fake_calendar, program):
    calendar = program_calendar(program, starts=MAY[0], ends=MAY[1])

    assert calendar.entries == []
    assert calendar.clashes == []
    assert fake_calendar.asked == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("starts", "ends", "message"),
    [
        (MAY[1], MAY[0], "after the start"),
        (MAY[0], MAY[0], "after the start"),
        (MAY[0], MAY[0] + timedelta(days=367), "366 days"),
    ],
)
def test_a_bad_window_is_refused(fake_calendar, program, starts, ends, message):
    with pytest.raises(ValidationError) as refusal:
        program_calendar(program, starts=starts, ends=ends)
    assert message in refusal.value.message_dict["end"][0]


@pytest.mark.django_db
def test_a_window_of_exactly_366_days_is_accepted(fake_calendar, program):
    calendar = program_calendar(program, starts=MAY[0], ends=MAY[0] + timedelta(days=366))

    assert calendar.ends - calendar.starts == timedelta(days=366)
    with pytest.raises(ValidationError):
        program_calendar(program, starts=MAY[0], ends=MAY[0] + timedelta(days=366, seconds=1))


@pytest.mark.django_db
def test_colours_follow_the_communities_names(program):
    names = [f"Community {letter}" for letter in "JIHGFEDCBA"]
    for name in names:
        CommunityFactory(name=name, program=program)

    labels = community_labels(program)

    assert [label.name for label in labels] == sorted(names)
    assert [label.colour for label in labels] == [0, 1, 2, 3, 4, 5, 6, 7, 0, 1]


# --- Months --------------------------------------------------------------------------------


def test_a_month_starts_at_midnight_in_the_viewers_zone():
    shanghai = ZoneInfo("Asia/Shanghai")

    starts, ends = month_window(2031, 12, shanghai)

    assert starts == datetime(2031, 11, 30, 16, 0, tzinfo=UTC)
    assert ends == datetime(2031, 12, 31, 16, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_the_month_grid_puts_entries_on_their_local_days(fake_calendar, program, ml):
    shanghai = ZoneInfo("Asia/Shanghai")
    late = datetime(2031, 5, 13, 23, 30, tzinfo=UTC)  # 14 May, 07:30 in Shanghai
    overnight = datetime(2031, 5, 20, 12, 0, tzinfo=UTC)  # 20 May 20:00 to 21 May 02:00
    to_midnight = datetime(2031, 5, 25, 14, 0, tzinfo=UTC)  # 22:00 to 00:00 in Shanghai
    fake_calendar.add(
        make_entry(ml, late, title="Early"),
        make_entry(ml, overnight, hours=6, title="Overnight"),
        make_entry(ml, to_midnight, hours=2, title="Until midnight"),
    )
    starts, ends = month_window(2031, 5, shanghai)
    calendar = program_calendar(program, starts=starts, ends=ends)

    weeks = month_weeks(calendar, year=2031, month=5, zone=shanghai, today=date(2031, 5, 14))

    days = {
        cell.day: [item.entry.title for item in cell.entries] for week in weeks for cell in week
    }
    assert days[date(2031, 5, 13)] == []
    assert days[date(2031, 5, 14)] == ["Early"]
    assert days[date(2031, 5, 20)] == days[date(2031, 5, 21)] == ["Overnight"]
    assert days[date(2031, 5, 25)] == ["Until midnight"]
    assert days[date(2031, 5, 26)] == []
    today = [cell for week in weeks for cell in week if cell.is_today]
    assert [cell.day for cell in today] == [date(2031, 5, 14)]


@pytest.mark.django_db
@pytest.mark.parametrize(("first_weekday", "weekday_name"), [(0, "Monday"), (6, "Sunday")])
def test_weeks_start_on_the_locales_first_day(fake_calendar, program, first_weekday, weekday_name):
    starts, ends = month_window(2031, 5, UTC)
    calendar = program_calendar(program, starts=starts, ends=ends)

    weeks = month_weeks(calendar, year=2031, month=5, zone=UTC, first_weekday=first_weekday)

    assert all(len(week) == 7 for week in weeks)
    assert {week[0].day.strftime("%A") for week in weeks} == {weekday_name}
    in_month = [cell.day for week in weeks for cell in week if cell.in_month]
    assert in_month[0] == date(2031, 5, 1)
    assert in_month[-1] == date(2031, 5, 31)
    assert len(in_month) == 31


# --- Next up, for the directory ------------------------------------------------------------


@pytest.mark.django_db
def test_each_community_gets_its_next_three_entries_co_hosted_ones_included(
    fake_calendar, program, ml, ai
):
    fake_calendar.add(
        make_entry(ml, NOON - 2 * HOUR, title="Over"),
        make_entry(ml, NOON - HOUR / 2, title="Running now"),
        *(make_entry(ml, NOON + day * 24 * HOUR, title=f"ML {day}") for day in range(1, 5)),
        make_entry(ai, NOON + HOUR, title="Joint", co_hosts=[ml]),
        make_entry(ai, NOON + 100 * 24 * HOUR, title="Too far"),
    )

    upcoming = upcoming_by_community(program, now=NOON)

    assert [item.entry.title for item in upcoming[ml.pk]] == ["Running now", "Joint", "ML 1"]
    assert [item.entry.title for item in upcoming[ai.pk]] == ["Joint"]
