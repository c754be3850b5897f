"""The growth and activity panels, read from hand-made CommunityDay rows."""

from datetime import date
from decimal import Decimal

import pytest

from practica.metrics.models import CommunityDay
from practica.metrics.queries.activity import activity_headlines, activity_panel
from practica.metrics.queries.filters import DashboardFilters
from practica.metrics.queries.growth import growth_headlines, growth_panel
from tests.factories.communities import CommunityFactory

pytestmark = pytest.mark.django_db


def day(community, when, segment="", **figures):
    return CommunityDay.objects.create(community=community, segment=segment, day=when, **figures)


def filters_for(*communities, start, end, granularity="month", **extra):
    return DashboardFilters(
        community_ids=tuple(c.pk for c in communities),
        start=start,
        end=end,
        granularity=granularity,
        **extra,
    )


def values(headlines):
    return {h.key: h.value for h in headlines}


def table(panel, key):
    return next(t for t in panel.tables if t.key == key)


@pytest.fixture
def growing(db):
    """Community A's days in January and February 2026 (and two outside the period)."""
    community = CommunityFactory()
    day(community, date(2025, 12, 31), members=8, joined=5, joined_organic=5)
    day(community, date(2026, 1, 5), members=10, joined=2, joined_welcome_mail=1, joined_organic=1)
    day(community, date(2026, 1, 31), members=11, joined=1, joined_invitation=1, left_company=1)
    day(
        community,
        date(2026, 2, 10),
        members=12,
        joined=3,
        joined_welcome_mail=2,
        joined_other=1,
        left_community=1,
        left_company=1,
    )
    day(community, date(2026, 3, 1), members=40, joined=30, joined_organic=30)
    return community


def test_growth_of_one_community(growing):
    filters = filters_for(growing, start=date(2026, 1, 1), end=date(2026, 2, 28))
    panel = growth_panel(filters)
    assert values(panel.headlines) == {
        "members": Decimal(12),
        "joined": Decimal(6),
        "left_community": Decimal(1),
        "left_company": Decimal(2),
        "net": Decimal(3),
    }
    assert table(panel, "members").rows == (
        ("2026-01-01", 11, 3, 0, 1, 2),
        ("2026-02-01", 12, 3, 1, 1, 1),
    )
    assert table(panel, "sources").rows == (
        ("2026-01-01", 1, 1, 1, 0, 3),
        ("2026-02-01", 2, 0, 0, 1, 3),
    )
    members, flows, sources = panel.charts
    assert [p.value for p in members.series[0].points] == [Decimal(11), Decimal(12)]
    assert [s.key for s in flows.series] == ["joined", "left_community", "left_company"]
    assert [s.key for s in sources.series] == ["welcome_mail", "invitation", "organic", "other"]
    assert sources.kind == "stacked_bar"
    assert growth_headlines(filters) == panel.headlines
    assert not panel.is_empty


def test_a_bucket_without_rolled_up_days_has_no_data(growing):
    filters = filters_for(
        growing, start=date(2026, 1, 1), end=date(2026, 2, 28), granularity="week"
    )
    panel = growth_panel(filters)
    rows = {row[0]: row for row in table(panel, "members").rows}
    assert rows["2026-01-01"] == ("2026-01-01", None, None, None, None, None)  # Thu 1 – Sun 4
    assert rows["2026-01-05"] == ("2026-01-05", 10, 2, 0, 0, 2)
    assert rows["2026-01-12"] == ("2026-01-12", None, None, None, None, None)
    assert len(rows) == 9
    assert panel.charts[0].series[0].points[2].value is None


def test_several_communities_are_summed(growing):
    other = CommunityFactory()
    day(other, date(2026, 1, 31), members=5, joined=1, joined_organic=1)
    day(other, date(2026, 2, 10), members=6, joined=1, joined_organic=1, left_community=2)
    filters = filters_for(growing, other, start=date(2026, 1, 1), end=date(2026, 2, 28))
    assert values(growth_headlines(filters)) == {
        "members": Decimal(18),
        "joined": Decimal(8),
        "left_community": Decimal(3),
        "left_company": Decimal(2),
        "net": Decimal(3),
    }


def test_a_segment_reads_its_own_rows(growing):
    day(growing, date(2026, 1, 31), segment="role:leader", members=2, joined=1, joined_organic=1)
    filters = filters_for(growing, start=date(2026, 1, 1), end=date(2026, 2, 28), role="leader")
    assert values(growth_headlines(filters)) == {
        "members": Decimal(2),
        "joined": Decimal(1),
        "left_community": Decimal(0),
        "left_company": Decimal(0),
        "net": Decimal(1),
    }


def test_a_period_without_data_is_empty(growing):
    filters = filters_for(growing, start=date(2024, 1, 1), end=date(2024, 12, 31))
    panel = growth_panel(filters)
    assert panel.is_empty
    assert all(h.value is None for h in panel.headlines)
    assert all(not s.has_data for chart in panel.charts for s in chart.series)


@pytest.fixture
def active(db):
    community = CommunityFactory()
    day(community, date(2026, 1, 4), active_1d=100)  # 28 days before 1 February: outside
    day(community, date(2026, 1, 31), active_1d=7, active_28d=9, engaged_28d=2, members=19)
    day(community, date(2026, 2, 1), members=20, active_1d=4, active_28d=5, engaged_28d=1)
    day(community, date(2026, 2, 14), members=20, active_1d=6, active_28d=9, engaged_28d=2)
    day(community, date(2026, 2, 28), members=21, active_1d=8, active_28d=10, engaged_28d=3)
    return community


def test_active_engaged_and_stickiness_at_the_end_of_the_period(active):
    filters = filters_for(active, start=date(2026, 2, 1), end=date(2026, 2, 28))
    headlines = {h.key: h for h in activity_headlines(filters)}
    assert headlines["active_28d"].value == Decimal(10)
    assert headlines["active_28d"].n == 21
    assert headlines["engaged_28d"].value == Decimal(3)
    # (4 + 6 + 8) ÷ (28 × 10): Jan 31 is outside the 28 days ending 28 February.
    assert headlines["stickiness"].value == Decimal("0.0643")
    assert headlines["stickiness"].n == 10


def test_stickiness_looks_back_before_the_period(active):
    filters = filters_for(active, start=date(2026, 2, 1), end=date(2026, 2, 28), granularity="week")
    panel = activity_panel(filters)
    rows = {row[0]: row for row in panel.tables[0].rows}
    # Sunday 1 February alone: Jan 31 (7) and Feb 1 (4) over 28 × 5; Jan 4 is outside.
    assert rows["2026-02-01"] == (
        "2026-02-01",
        "2026-02-01",
        20,
        5,
        1,
        Decimal("0.39"),
        Decimal("0.0786"),
    )
    assert rows["2026-02-02"][1:] == (None,) * 6
    # 9–15 February, as of the 14th: 7 + 4 + 6 over 28 × 9.
    assert rows["2026-02-09"][-1] == Decimal("0.0675")
    stickiness = panel.charts[1].series[0].points
    assert stickiness[0].value == Decimal("0.0786")
    # n is the active members (28 days), as in the headline and docs/metrics.md, not 28 × them.
    assert stickiness[0].n == 5


def test_activity_pools_communities(active):
    other = CommunityFactory()
    day(other, date(2026, 2, 28), members=4, active_1d=2, active_28d=4, engaged_28d=4)
    filters = filters_for(active, other, start=date(2026, 2, 1), end=date(2026, 2, 28))
    headlines = {h.key: h for h in activity_headlines(filters)}
    assert headlines["active_28d"].value == Decimal(14)
    assert headlines["engaged_28d"].value == Decimal(7)
    assert headlines["stickiness"].value == Decimal("0.0510")  # 20 ÷ (28 × 14)


def test_activity_without_data_is_empty(active):
    filters = filters_for(active, start=date(2025, 1, 1), end=date(2025, 3, 31))
    panel = activity_panel(filters)
    assert panel.is_empty
    assert all(h.value is None for h in panel.headlines)


def test_no_activity_gives_no_stickiness_rather_than_a_division_by_zero(db):
    community = CommunityFactory()
    day(community, date(2026, 2, 28), members=3)
    filters = filters_for(community, start=date(2026, 2, 1), end=date(2026, 2, 28))
    headlines = {h.key: h for h in activity_headlines(filters)}
    assert headlines["active_28d"].value == Decimal(0)
    assert headlines["stickiness"].value is None


def test_the_stickiness_series_ends_with_the_headline_and_its_n(active):
    filters = filters_for(active, start=date(2026, 2, 1), end=date(2026, 2, 28))
    panel = activity_panel(filters)
    headline = next(h for h in panel.headlines if h.key == "stickiness")
    last = panel.charts[1].series[0].points[-1]
    assert (last.value, last.n) == (headline.value, headline.n) == (Decimal("0.0643"), 10)
