"""The panel registry and the key figures: every panel builds for a period without data, and
`community_headlines` gives the key figures in order."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from practica.core.models import ActivityKind
from practica.metrics.definitions.activity import active_members, engaged_members
from practica.metrics.definitions.membership import members
from practica.metrics.models import CommunityDay
from practica.metrics.queries.filters import DashboardFilters
from practica.metrics.queries.panels import (
    HEADLINE_KEYS,
    PANEL_TITLES,
    PANELS,
    build_panel,
    build_panels,
    community_headlines,
    key_figures,
)
from practica.metrics.rollups.build import rebuild_rollups
from practica.metrics.rollups.calendar import day_end
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.metrics import ActivityFactory

pytestmark = pytest.mark.django_db

ORDER = [
    "growth",
    "activity",
    "participation",
    "retention",
    "response_times",
    "collaboration",
    "events",
    "satisfaction",
    "nps",
    "outreach",
    "conference",
]


@pytest.fixture
def filters(db):
    community = CommunityFactory()
    return DashboardFilters(
        community_ids=(community.pk,),
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
        granularity="month",
    )


def test_the_panels_and_their_titles_in_order():
    assert list(PANELS) == ORDER
    assert list(PANEL_TITLES) == ORDER
    assert all(str(title) for title in PANEL_TITLES.values())


def test_every_panel_builds_empty_for_a_period_without_data(filters):
    panels = build_panels(filters)
    assert [panel.key for panel in panels] == ORDER
    for panel in panels:
        assert panel.title
        assert all(h.value is None for h in panel.headlines if h.unit != "count"), panel.key
        assert len({t.key for t in panel.tables}) == len(panel.tables), panel.key


def test_my_panels_are_empty_without_data(filters):
    mine = ("growth", "activity", "participation", "retention", "events", "satisfaction")
    for panel in build_panels(filters, (*mine, "outreach", "conference")):
        assert panel.is_empty, panel.key


def test_several_keys_and_an_unknown_one(filters):
    assert [p.key for p in build_panels(filters, ["events", "growth"])] == ["events", "growth"]
    assert build_panel("retention", filters).key == "retention"
    with pytest.raises(KeyError):
        build_panel("weather", filters)
    with pytest.raises(KeyError):
        build_panels(filters, ["growth", "weather"])


def test_the_key_figures_in_order(filters):
    CommunityDay.objects.create(
        community_id=filters.community_ids[0],
        day=date(2025, 12, 31),
        members=40,
        joined=3,
        active_28d=12,
        engaged_28d=5,
    )
    headlines = community_headlines(filters)
    assert tuple(h.key for h in headlines) == HEADLINE_KEYS
    values = {h.key: h.value for h in headlines}
    assert values["members"] == Decimal(40)
    assert values["joined"] == Decimal(3)
    assert values["active_28d"] == Decimal(12)
    assert values["engaged_28d"] == Decimal(5)
    assert values["events_held"] is None
    assert values["csat"] is None


def test_key_figures_of_built_panels_are_the_community_headlines(filters):
    # The monthly report takes its key figures from the panels it shows rather than reading
    # the facts again: they must be the very figures `community_headlines` computes.
    CommunityDay.objects.create(
        community_id=filters.community_ids[0], day=date(2025, 12, 31), members=40, joined=3
    )
    assert key_figures(build_panels(filters)) == community_headlines(filters)


def test_my_panels_read_few_queries(filters):
    for key in ("growth", "activity", "participation", "retention", "events", "satisfaction"):
        with CaptureQueriesContext(connection) as queries:
            build_panel(key, filters)
        assert len(queries) <= 3, (key, len(queries))


def test_panels_read_what_the_rebuild_writes(db):
    """The panels' reading of the rollups agrees with the raw definitions (members, joined,
    active and engaged at the period's end), through a real rebuild."""
    community = CommunityFactory()
    now = timezone.now()
    people = [
        MembershipFactory(community=community, joined_at=now - timedelta(days=days)).person
        for days in (200, 100, 20, 5)
    ]
    MembershipFactory(
        community=community,
        joined_at=now - timedelta(days=90),
        left_at=now - timedelta(days=10),
        left_reason="left_community",
    )
    ActivityFactory(community=community, person=people[0], occurred_at=now - timedelta(days=3))
    ActivityFactory(
        community=community,
        person=people[1],
        kind=ActivityKind.VOTED,
        occurred_at=now - timedelta(days=2),
    )
    rebuild_rollups(community_ids=[community.pk])
    today = timezone.localdate()
    filters = DashboardFilters(
        community_ids=(community.pk,),
        start=today - timedelta(days=29),
        end=today,
        granularity="week",
    )
    values = {h.key: h.value for h in community_headlines(filters)}
    as_of = day_end(today)
    assert values["members"] == members(community.pk, as_of) == Decimal(4)
    assert values["joined"] == Decimal(2)
    assert values["active_28d"] == active_members(community.pk, as_of) == Decimal(2)
    assert values["engaged_28d"] == engaged_members(community.pk, as_of) == Decimal(1)
    growth = {h.key: h.value for h in build_panel("growth", filters).headlines}
    assert growth["left_community"] == Decimal(1)


def test_the_key_figures_read_the_events_once(filters):
    with CaptureQueriesContext(connection) as queries:
        community_headlines(filters)
    event_reads = [q for q in queries.captured_queries if "metrics_eventfact" in q["sql"]]
    assert len(event_reads) == 1


def test_series_and_table_keys_are_unique_within_each_panel(filters):
    # The API addresses a panel's series and tables by key, and the CSV files are named by it.
    for panel in build_panels(filters):
        distinct_series = {series.key: series for chart in panel.charts for series in chart.series}
        drawn = [series for chart in panel.charts for series in chart.series]
        assert all(distinct_series[series.key] == series for series in drawn), panel.key
        table_keys = [table.key for table in panel.tables]
        assert len(table_keys) == len(set(table_keys)), panel.key
