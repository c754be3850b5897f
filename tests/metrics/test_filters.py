"""The dashboard filters: presets, custom periods, granularity, splits, and every bad input
refused with a message."""

from datetime import date

import pytest

from practica.metrics.models import CommunityDay
from practica.metrics.queries.buckets import bucket_count, bucket_starts
from practica.metrics.queries.filters import (
    FILTER_PARAMS,
    DashboardFilters,
    FilterError,
    parse_filters,
)
from tests.factories.communities import CommunityFactory
from tests.factories.core import TopicFactory
from tests.factories.people import OrgUnitFactory

TODAY = date(2026, 3, 15)  # a Sunday

pytestmark = pytest.mark.django_db


def parse(params=None, *, ids=(1,), today=TODAY):
    return parse_filters(params or {}, community_ids=ids, today=today)


def refused(params, *, ids=(1,), today=TODAY) -> list[str]:
    with pytest.raises(FilterError) as caught:
        parse(params, ids=ids, today=today)
    assert caught.value.messages
    return caught.value.messages


def test_the_default_is_the_last_twelve_calendar_months_by_month():
    filters = parse()
    assert filters == DashboardFilters(
        community_ids=(1,), start=date(2025, 4, 1), end=TODAY, granularity="month"
    )
    assert filters.segment == ""
    assert not filters.is_split
    assert len(filters.buckets()) == 12


@pytest.mark.parametrize(
    ("period", "start", "granularity"),
    [
        ("30d", date(2026, 2, 14), "day"),
        ("90d", date(2025, 12, 16), "week"),
        ("12m", date(2025, 4, 1), "month"),
        ("ytd", date(2026, 1, 1), "week"),
    ],
)
def test_presets_end_today(period, start, granularity):
    filters = parse({"period": period})
    assert (filters.start, filters.end, filters.granularity) == (start, TODAY, granularity)


def test_all_starts_at_the_first_rolled_up_day_of_the_communities():
    community = CommunityFactory()
    CommunityDay.objects.create(community=community, day=date(2012, 5, 3))
    CommunityDay.objects.create(community=CommunityFactory(), day=date(2005, 1, 1))
    filters = parse({"period": "all"}, ids=(community.pk,))
    assert (filters.start, filters.end) == (date(2012, 5, 3), TODAY)
    assert filters.granularity == "quarter"  # 13 years and some


def test_all_without_data_is_today_alone():
    filters = parse({"period": "all"}, ids=(CommunityFactory().pk,))
    assert (filters.start, filters.end, filters.granularity) == (TODAY, TODAY, "day")


def test_a_custom_period_and_its_default_granularity():
    filters = parse({"period": "custom", "start": "2020-01-01", "end": "2026-02-28"})
    assert (filters.start, filters.end, filters.granularity) == (
        date(2020, 1, 1),
        date(2026, 2, 28),
        "quarter",
    )
    assert parse({"start": "2025-01-01", "end": "2025-03-03"}).granularity == "day"  # 62 days
    assert parse({"start": "2025-01-01", "end": "2025-03-04"}).granularity == "week"
    assert parse({"start": "2025-01-01", "end": "2025-07-02"}).granularity == "week"  # 183
    assert parse({"start": "2025-01-01", "end": "2025-07-03"}).granularity == "month"
    assert parse({"start": "2010-01-01", "end": "2026-01-01"}).granularity == "year"
    assert parse({"start": "2025-01-01", "end": "2025-01-31"}).granularity == "day"


def test_empty_values_are_absent_and_the_community_param_is_accepted():
    filters = parse({"period": "", "granularity": "", "role": "", "community": "ml"})
    assert filters.granularity == "month"
    assert filters.role == ""


def test_an_end_in_the_future_is_moved_back_to_today():
    filters = parse({"period": "custom", "start": "2026-03-01", "end": "2027-01-01"})
    assert filters.end == TODAY


def test_explicit_granularity_and_the_buckets_cut_to_the_period():
    filters = parse({"start": "2026-03-04", "end": "2026-03-15", "granularity": "week"})
    assert filters.buckets() == [date(2026, 3, 4), date(2026, 3, 9)]
    filters = parse({"start": "2025-11-15", "end": "2026-03-15", "granularity": "quarter"})
    assert filters.buckets() == [date(2025, 11, 15), date(2026, 1, 1)]


def test_bucket_count_matches_the_buckets():
    for granularity in ("day", "week", "month", "quarter", "year"):
        for start, end in ((date(2024, 2, 29), date(2026, 3, 15)), (TODAY, TODAY)):
            assert bucket_count(start, end, granularity) == len(
                bucket_starts(start, end, granularity)
            )


def test_a_split_by_division_or_role_and_a_topic():
    division = OrgUnitFactory()
    topic = TopicFactory()
    filters = parse({"org_unit": str(division.pk), "topic": str(topic.pk)})
    assert filters.org_unit_id == division.pk
    assert filters.segment == f"unit:{division.pk}"
    assert filters.topic_id == topic.pk
    assert filters.is_split
    assert parse({"role": "leader"}).segment == "role:leader"


def test_community_ids_are_kept_once_each_in_order():
    assert parse(ids=[3, 1, 3]).community_ids == (3, 1)


def test_unknown_filters_are_named():
    assert refused({"foo": "1", "period": "30d"}) == ["Unknown filter: foo"]


@pytest.mark.parametrize(
    ("params", "phrase"),
    [
        ({"period": "2y"}, "Unknown period"),
        ({"period": "custom", "start": "2026-01-01"}, "needs a start date and an end date"),
        ({"end": "2026-01-01"}, "needs a start date and an end date"),
        ({"period": "30d", "start": "2026-01-01"}, "need the custom period"),
        ({"start": "2026-13-01", "end": "2026-02-01"}, "is not a date"),
        ({"start": "yesterday", "end": "2026-02-01"}, "is not a date"),
        ({"start": "20260101", "end": "2026-02-01"}, "is not a date"),
        ({"start": "2026-02-01", "end": "2026-01-01"}, "before it starts"),
        ({"start": "2026-04-01", "end": "2026-05-01"}, "starts after today"),
        ({"start": "1999-12-31", "end": "2026-01-01"}, "before 1 January 2000"),
        ({"granularity": "hour"}, "Unknown granularity"),
        ({"start": "2024-01-01", "end": "2026-01-01", "granularity": "day"}, "more than 400"),
        ({"org_unit": "999999"}, "Unknown org unit"),
        ({"org_unit": "sales"}, "Unknown org unit"),
        ({"role": "king"}, "Unknown role"),
        ({"topic": "999999"}, "Unknown topic"),
        ({"topic": "-1"}, "Unknown topic"),
    ],
)
def test_bad_input_is_refused_with_a_message(params, phrase):
    messages = refused(params)
    assert any(phrase in message for message in messages), messages


def test_a_period_longer_than_thirty_years_is_refused():
    messages = refused(
        {"start": "2001-01-01", "end": "2039-12-31", "granularity": "year"},
        today=date(2040, 1, 1),
    )
    assert messages == ["The period is longer than 30 years: choose a shorter one."]
    # Thirty years exactly is allowed.
    parse({"start": "2010-01-01", "end": "2039-12-31"}, today=date(2040, 1, 1))


def test_a_unit_below_a_division_is_refused():
    team = OrgUnitFactory(parent=OrgUnitFactory())
    assert refused({"org_unit": str(team.pk)}) == [
        "Figures are split by division: choose a top-level org unit."
    ]


def test_an_org_unit_and_a_role_together_are_refused():
    division = OrgUnitFactory()
    assert refused({"org_unit": str(division.pk), "role": "member"}) == [
        "Split the figures by org unit or by role, not both at once."
    ]


def test_no_community_is_refused():
    assert refused({}, ids=()) == ["Choose at least one community."]


def test_every_problem_is_listed_at_once():
    messages = refused({"bogus": "x", "granularity": "hour", "role": "king"})
    assert len(messages) == 3


def test_the_parameter_names():
    assert FILTER_PARAMS == (
        "period",
        "start",
        "end",
        "granularity",
        "org_unit",
        "role",
        "topic",
        "community",
    )
