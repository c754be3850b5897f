"""The events and satisfaction panels, read from hand-made EventFact rows."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from practica.metrics.models import EventFact
from practica.metrics.queries.buckets import local_midnight
from practica.metrics.queries.events import event_headlines, events_panel
from practica.metrics.queries.filters import DashboardFilters
from practica.metrics.queries.satisfaction import satisfaction_headlines, satisfaction_panel
from tests.factories.communities import CommunityFactory
from tests.factories.events import EventFactory

pytestmark = pytest.mark.django_db

START, END = date(2026, 1, 1), date(2026, 2, 28)


def fact(community, starts_at, *, event=None, format="talk", hours=1, **figures):
    return EventFact.objects.create(
        event=event or EventFactory(community=community),
        community=community,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        format=format,
        **figures,
    )


def filters_for(*communities, start=START, end=END, granularity="month", **extra):
    return DashboardFilters(
        community_ids=tuple(c.pk for c in communities),
        start=start,
        end=end,
        granularity=granularity,
        **extra,
    )


def table(panel, key):
    return next(t for t in panel.tables if t.key == key)


def headlines(items):
    return {h.key: (h.value, h.n) for h in items}


@pytest.fixture
def hosting(db):
    community = CommunityFactory()
    fact(
        community,
        datetime(2026, 1, 10, 10, tzinfo=UTC),
        took_attendance=True,
        registered=10,
        checked_in=7,
        walk_ins=1,
        no_shows=4,
        attendees_compared=6,
        attendees_cross_org=3,
        feedback=4,
        satisfied=3,
        score_counts={"5": 2, "4": 1, "2": 1},
    )
    fact(community, datetime(2026, 1, 20, 10, tzinfo=UTC), format="webinar", registered=20)
    shared = fact(
        community,
        datetime(2026, 2, 5, 10, tzinfo=UTC),
        took_attendance=True,
        registered=5,
        checked_in=5,
        attendees_compared=5,
        attendees_cross_org=1,
        feedback=2,
        satisfied=1,
        score_counts={"3": 1, "4": 1},
    )
    fact(community, datetime(2025, 12, 31, 23, tzinfo=UTC), registered=99, feedback=9)
    return community, shared


def test_events_of_one_community(hosting):
    community, _shared = hosting
    panel = events_panel(filters_for(community))
    assert headlines(panel.headlines) == {
        "events_held": (Decimal(3), None),
        "attendance_rate": (Decimal("0.8"), 15),  # (7 + 5) ÷ (10 + 5): the webinar took none
        "no_shows": (Decimal(4), None),
        "walk_ins": (Decimal(1), None),
        "cross_org_attendance_share": (Decimal("0.3636"), 11),  # (3 + 1) ÷ (6 + 5)
    }
    assert table(panel, "by_format").rows == (
        ("Talk", 2, 15, 12, Decimal("0.8"), 15, 4, 1, Decimal("0.3636"), 11),
        ("Webinar", 1, 20, 0, None, 0, 0, 0, None, 0),
        ("All formats", 3, 35, 12, Decimal("0.8"), 15, 4, 1, Decimal("0.3636"), 11),
    )
    by_period = table(panel, "by_period")
    assert by_period.columns[:3] == ("Start", "Talk", "Webinar")
    assert by_period.rows == (
        ("2026-01-01", 1, 1, 2, 30, 7, Decimal("0.7"), 10, 4, 1, Decimal("0.5"), 6),
        ("2026-02-01", 1, 0, 1, 5, 5, Decimal(1), 5, 0, 0, Decimal("0.2"), 5),
    )
    held, rate = panel.charts
    assert [s.key for s in held.series] == ["talk", "webinar"]
    assert [p.value for p in held.series[1].points] == [Decimal(1), Decimal(0)]
    assert [p.value for p in rate.series[0].points] == [Decimal("0.7"), Decimal(1)]
    assert event_headlines(filters_for(community)) == panel.headlines
    assert not any("not split" in note for note in panel.notes)


def test_an_event_hosted_together_counts_once(hosting):
    community, shared = hosting
    other = CommunityFactory()
    fact(
        other,
        shared.starts_at,
        event=shared.event,
        took_attendance=True,
        registered=5,
        checked_in=5,
        attendees_compared=5,
        attendees_cross_org=1,
        feedback=2,
        satisfied=1,
        score_counts={"3": 1, "4": 1},
    )
    fact(
        other,
        datetime(2026, 2, 10, 10, tzinfo=UTC),
        format="ama",
        took_attendance=True,
        registered=2,
        checked_in=1,
        no_shows=1,
        attendees_compared=1,
        attendees_cross_org=1,
        feedback=1,
        satisfied=1,
        score_counts={"5": 1},
    )
    pooled = filters_for(community, other)
    figures = headlines(event_headlines(pooled))
    assert figures["events_held"] == (Decimal(4), None)
    assert figures["attendance_rate"] == (Decimal("0.7647"), 17)  # 13 ÷ 17
    assert headlines(satisfaction_headlines(pooled))["csat"] == (Decimal("0.7143"), 7)  # 5 ÷ 7


def test_an_event_not_ended_by_the_period_end_is_left_out_of_the_rate(hosting):
    community, _shared = hosting
    fact(
        community,
        datetime(2026, 2, 28, 23, 30, tzinfo=UTC),
        hours=2,
        took_attendance=True,
        registered=4,
        checked_in=4,
    )
    figures = headlines(event_headlines(filters_for(community)))
    assert figures["events_held"] == (Decimal(4), None)
    assert figures["attendance_rate"] == (Decimal("0.8"), 15)


def test_event_figures_say_they_are_not_split(hosting):
    community, _shared = hosting
    panel = events_panel(filters_for(community, org_unit_id=3))
    assert any("not split by org unit or role" in note for note in panel.notes)
    assert headlines(panel.headlines)["events_held"] == (Decimal(3), None)


def test_no_events_is_an_empty_panel(hosting):
    community, _shared = hosting
    filters = filters_for(community, start=date(2025, 1, 1), end=date(2025, 6, 30))
    for panel in (events_panel(filters), satisfaction_panel(filters)):
        assert panel.is_empty
        assert all(h.value is None for h in panel.headlines)


def test_satisfaction_of_one_community(hosting):
    community, _shared = hosting
    panel = satisfaction_panel(filters_for(community))
    assert headlines(panel.headlines) == {
        "csat": (Decimal("0.6667"), 6),  # (3 + 1) ÷ (4 + 2)
        "feedback": (Decimal(6), None),
    }
    assert table(panel, "distribution").rows == (
        ("1", 0, Decimal(0)),
        ("2", 1, Decimal("0.1667")),
        ("3", 1, Decimal("0.1667")),
        ("4", 2, Decimal("0.3333")),
        ("5", 2, Decimal("0.3333")),
    )
    assert table(panel, "csat").rows == (
        ("2026-01-01", 3, 4, Decimal("0.75")),
        ("2026-02-01", 1, 2, Decimal("0.5")),
    )
    histogram, line = panel.charts
    assert histogram.kind == "histogram"
    assert [(s.label, s.points[0].value) for s in histogram.series] == [
        ("1", Decimal(0)),
        ("2", Decimal(1)),
        ("3", Decimal(1)),
        ("4", Decimal(2)),
        ("5", Decimal(2)),
    ]
    assert [(p.value, p.n) for p in line.series[0].points] == [
        (Decimal("0.75"), 4),
        (Decimal("0.5"), 2),
    ]
    assert satisfaction_headlines(filters_for(community)) == panel.headlines


def test_events_without_feedback_have_no_csat(db):
    community = CommunityFactory()
    fact(community, datetime(2026, 1, 10, tzinfo=UTC), registered=3)
    panel = satisfaction_panel(filters_for(community))
    assert panel.is_empty
    assert headlines(panel.headlines)["csat"] == (None, None)


def test_an_event_later_today_is_not_held_yet(db):
    """The period ends today at the latest; tonight's event has not been held and its
    registrations are not attendance yet."""
    community = CommunityFactory()
    now = timezone.now()
    today = timezone.localdate()
    fact(community, now - timedelta(seconds=1), registered=3)
    # Later today, whatever the time: before the next midnight in the site's time zone.
    tonight = min(now + timedelta(hours=2), local_midnight(today + timedelta(days=1)))
    fact(community, tonight - timedelta(microseconds=1), registered=40)
    figures = headlines(event_headlines(filters_for(community, start=today, end=today)))
    assert figures["events_held"] == (Decimal(1), None)
    panel = events_panel(filters_for(community, start=today, end=today, granularity="day"))
    assert table(panel, "by_format").rows[-1][:3] == ("All formats", 1, 3)
