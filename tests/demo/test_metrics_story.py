"""The demo community's numbers tell its story: growth, ever faster answers, more help across
the org chart, NPS pulses that climb; measured from raw rows with the metrics' definitions."""

import io
import statistics
from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from practica.communities.models import Community
from practica.demo.growth import ML
from practica.demo.logins import MANAGER_EMAIL
from practica.events.models import Feedback
from practica.metrics.definitions.collaboration import cross_org_figures
from practica.metrics.definitions.membership import members
from practica.metrics.definitions.response_times import median_first_response_hours
from practica.metrics.models import CommunityDay, PulseInvitation, PulseStatus, PulseSurvey

N = 300
TODAY = "2026-01-15"


@pytest.fixture
def ml(db):
    call_command("demo", "--members", str(N), "--seed", "7", "--today", TODAY, stdout=io.StringIO())
    return Community.objects.get(slug=ML)


def _quarter_ends(years: range) -> list[datetime]:
    return [
        datetime(year, month, day, 23, 59, tzinfo=UTC)
        for year in years
        for month, day in ((3, 31), (6, 30), (9, 30), (12, 31))
    ]


def _growth_from_800_to_7000_shape(ml):
    mid_2013 = members(ml.pk, datetime(2013, 6, 30, 23, 59, tzinfo=UTC))
    end_2020 = members(ml.pk, datetime(2020, 12, 31, 23, 59, tzinfo=UTC))
    assert 0.07 * N <= mid_2013 <= 0.17 * N
    assert 0.85 * N <= end_2020 <= 1.15 * N


def test_grows_and_answers_ever_faster(ml):
    _growth_from_800_to_7000_shape(ml)
    early = [median_first_response_hours(ml.pk, at) for at in _quarter_ends(range(2013, 2015))]
    late = [median_first_response_hours(ml.pk, at) for at in _quarter_ends(range(2024, 2026))]
    early_values = [value for value in early if value is not None]
    late_values = [value for value in late if value is not None]
    assert early_values
    assert late_values
    assert statistics.median(late_values) * 4 < statistics.median(early_values)


def test_cross_org_share_of_answers_grows(ml):
    def pooled(years: range) -> float:
        figures = [cross_org_figures(ml.pk, at) for at in _quarter_ends(years)]
        compared = sum(figure.compared for figure in figures)
        assert compared >= 20
        return sum(figure.cross_org for figure in figures) / compared

    early, late = pooled(range(2012, 2016)), pooled(range(2022, 2026))
    assert late > early + 0.15


def test_nps_pulses_every_six_months_since_2015_with_rising_scores(ml):
    pulses = PulseSurvey.objects.filter(community=ml)
    sent = pulses.exclude(status=PulseStatus.SCHEDULED)
    assert sent.filter(send_at__year=2015).count() == 2
    assert sent.count() == 2 * (2025 - 2015 + 1)
    assert (
        pulses.filter(
            status=PulseStatus.SCHEDULED, send_at__gt=datetime(2026, 1, 15, tzinfo=UTC)
        ).count()
        == 1
    )
    assert {p.created_by.email for p in sent} == {MANAGER_EMAIL}
    invitations = PulseInvitation.objects.filter(survey__community=ml)
    answered = invitations.exclude(score=None)
    assert all(0 <= score <= 10 for score in answered.values_list("score", flat=True))
    assert 0.25 <= answered.count() / invitations.count() <= 0.55
    assert answered.exclude(comment="").exists()
    assert not invitations.filter(score=None, answered_at__isnull=False).exists()
    for survey in sent:
        assert survey.invited_count == survey.invitations.count() > 0

    def nps(years: range) -> float:
        scores = list(
            answered.filter(survey__send_at__year__in=list(years)).values_list("score", flat=True)
        )
        promoters = sum(score >= 9 for score in scores)
        detractors = sum(score <= 6 for score in scores)
        return 100 * (promoters - detractors) / len(scores)

    assert nps(range(2022, 2026)) > nps(range(2015, 2018)) + 15


def test_event_feedback_and_the_dashboards_rollups(ml):
    assert Feedback.objects.filter(event__community=ml).exists()
    assert CommunityDay.objects.filter(community=ml, segment="").exists()
