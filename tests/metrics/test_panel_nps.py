"""The NPS panel read from pulse surveys, against hand-computed figures: pooled communities,
pulses that don't count (not sent, sent outside the period, another community), the small
sample flag under 30 answers and an empty period."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import count

import pytest

from practica.communities.models import MembershipRole
from practica.metrics.charts import render_chart
from practica.metrics.models import PulseInvitation, PulseStatus, PulseSurvey
from practica.metrics.queries.filters import DashboardFilters
from practica.metrics.queries.nps import nps_headline, nps_panel
from tests.factories.communities import CommunityFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db

TOKENS = count()


def pulse(community, *, sent, scores, unanswered=0, status=PulseStatus.CLOSED):
    """A pulse sent at `sent` whose invitees answered `scores`, and `unanswered` more who
    didn't."""
    survey = PulseSurvey.objects.create(
        community=community,
        question="How likely are you to recommend this community to a colleague?",
        send_at=sent,
        sent_at=None if status == PulseStatus.SCHEDULED else sent,
        closes_at=sent + timedelta(days=14),
        min_interval_days=90,
        status=status,
        invited_count=len(scores) + unanswered,
    )
    for score in [*scores, *([None] * unanswered)]:
        PulseInvitation.objects.create(
            survey=survey,
            person=UserFactory(),
            token_hash=f"{next(TOKENS):064d}",
            invited_at=sent,
            score=score,
            answered_at=None if score is None else sent + timedelta(days=1),
        )
    return survey


def filters_for(*communities, start=date(2026, 1, 1), end=date(2026, 2, 28), **extra):
    return DashboardFilters(
        community_ids=tuple(community.pk for community in communities),
        start=start,
        end=end,
        granularity="month",
        **extra,
    )


def headline(panel, key):
    return next(item for item in panel.headlines if item.key == key)


def table(panel, key):
    return next(item for item in panel.tables if item.key == key)


@pytest.fixture
def scene():
    first, second = CommunityFactory(name="A"), CommunityFactory(name="B")
    jan, feb = datetime(2026, 1, 10, 9, tzinfo=UTC), datetime(2026, 2, 10, 9, tzinfo=UTC)
    # 8 of 10 answered: promoters 10 9 9, passives 8 7, detractors 6 3 0 — NPS 0.
    pulse(first, sent=jan, scores=[10, 9, 9, 8, 7, 6, 3, 0], unanswered=2)
    # 4 of 5 answered: promoters 10 10 9, detractor 5 — NPS 50.
    pulse(first, sent=feb, scores=[10, 10, 9, 5], unanswered=1)
    # B: 2 of 2, a promoter and a detractor — NPS 0.
    pulse(second, sent=datetime(2026, 1, 20, tzinfo=UTC), scores=[10, 0])
    # Not counted: not sent yet, cancelled, sent after the period.
    pulse(first, sent=feb, scores=[], unanswered=3, status=PulseStatus.SCHEDULED)
    pulse(first, sent=feb, scores=[], unanswered=3, status=PulseStatus.CANCELLED)
    pulse(first, sent=datetime(2026, 3, 2, tzinfo=UTC), scores=[0, 0, 0])
    return first, second


def test_nps_with_its_interval(scene):
    first, _second = scene
    panel = nps_panel(filters_for(first))
    # 12 answers: 6 promoters, 4 detractors: (6 − 4) ÷ 12 = 16.7. p = 1/2, d = 1/3:
    # var = (5/6 − 1/36) ÷ 12 = 0.067130, 1.96 · √var · 100 = 50.78: from −34.1 to 67.4.
    nps = headline(panel, "nps")
    assert (nps.value, nps.n) == (Decimal("16.7"), 12)
    assert "-34.1" in nps.note
    assert "67.4" in nps.note
    assert "small sample" in nps.note
    assert nps_headline(filters_for(first)) == nps
    rate = headline(panel, "nps_response_rate")
    assert (rate.value, rate.n) == (Decimal("0.8000"), 15)
    assert headline(panel, "nps_promoters_share").value == Decimal("0.5000")
    assert headline(panel, "nps_detractors_share").value == Decimal("0.3333")
    assert headline(panel, "nps_pulses").value == Decimal(2)


def test_distribution_and_pulses(scene):
    first, _second = scene
    panel = nps_panel(filters_for(first))
    rows = table(panel, "distribution").rows
    assert [row[1] for row in rows] == [1, 0, 0, 1, 0, 1, 1, 1, 1, 3, 3]
    assert rows[10] == (10, 3, Decimal("0.2500"), "promoter")
    assert rows[7][3] == "passive"
    assert rows[6][3] == "detractor"
    histogram = panel.charts[0]
    assert histogram.kind == "histogram"
    assert [series.points[0].value for series in histogram.series] == [
        Decimal(n) for n in (1, 0, 0, 1, 0, 1, 1, 1, 1, 3, 3)
    ]
    assert table(panel, "per_pulse").rows == (
        ("2026-01-10", "A", 10, 8, Decimal("0.8000"), Decimal("0.0")),
        ("2026-02-10", "A", 5, 4, Decimal("0.8000"), Decimal("50.0")),
    )
    assert [series.points[0].value for series in panel.charts[1].series] == [
        Decimal("0.0"),
        Decimal("50.0"),
    ]


def test_pooled_communities(scene):
    first, second = scene
    panel = nps_panel(filters_for(first, second))
    # 14 answers, 7 promoters, 5 detractors: 14.3 (not the average of 16.7 and 0).
    nps = headline(panel, "nps")
    assert (nps.value, nps.n) == (Decimal("14.3"), 14)
    assert "-33.6" in nps.note
    assert "62.2" in nps.note
    labels = [series.label for series in panel.charts[1].series]
    assert labels == ["A 2026-01-10", "B 2026-01-20", "A 2026-02-10"]


def test_thirty_answers_are_not_a_small_sample(db):
    community = CommunityFactory()
    pulse(community, sent=datetime(2026, 1, 10, tzinfo=UTC), scores=[10] * 30)
    nps = headline(nps_panel(filters_for(community)), "nps")
    assert (nps.value, nps.n) == (Decimal("100.0"), 30)
    assert "small sample" not in nps.note
    assert "100.0 to 100.0" in nps.note


def test_splits_do_not_narrow_pulses(scene):
    first, _second = scene
    panel = nps_panel(filters_for(first, role=MembershipRole.ORGANIZER))
    assert headline(panel, "nps").n == 12
    assert any("not split" in note for note in panel.notes)


def test_empty_period(scene):
    first, second = scene
    panel = nps_panel(filters_for(first, second, start=date(2025, 6, 1), end=date(2025, 6, 30)))
    assert all(item.value is None for item in panel.headlines)
    assert all(item.is_empty for item in panel.tables)
    assert panel.is_empty
    assert not any(series.has_data for chart in panel.charts for series in chart.series)
    assert (
        nps_headline(filters_for(first, start=date(2025, 6, 1), end=date(2025, 6, 30))).note == ""
    )


def test_charts_draw(scene):
    first, second = scene
    panel = nps_panel(filters_for(first, second))
    for index, chart in enumerate(panel.charts):
        assert "<svg" in render_chart(chart, chart_id=f"chart-{index}")
