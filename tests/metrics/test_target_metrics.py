"""The metrics registered for strategy targets and the program dashboard."""

from decimal import Decimal

import pytest
from django.utils import translation

from practica.communities.target_metrics import (
    target_metric,
    target_metric_choices,
    target_metrics,
)
from practica.metrics.target_metrics import PLATFORM_METRICS, register_target_metrics
from tests.metrics.conftest import AS_OF

KEYS = [
    "members",
    "new_members_30_days",
    "active_members",
    "engaged_members",
    "retention_6_months",
    "median_first_response_hours",
    "answered_within_1h_share",
    "answered_within_24h_share",
    "unanswered_questions",
    "events_held_year",
    "attendance_rate",
    "csat",
    "cross_org_answer_share",
]
COUNTS = {
    "members",
    "new_members_30_days",
    "active_members",
    "engaged_members",
    "unanswered_questions",
    "events_held_year",
}

LOWER_IS_BETTER = {"median_first_response_hours", "unanswered_questions"}


def test_every_metric_is_registered_at_start_up():
    registered = [metric.key for metric in target_metrics()]
    assert [key for key in registered if key in KEYS] == KEYS
    assert [metric.key for metric in PLATFORM_METRICS] == KEYS
    assert dict(target_metric_choices())["csat"] == PLATFORM_METRICS[11].label


def test_registering_again_replaces_rather_than_duplicates():
    before = len(target_metrics())
    register_target_metrics()
    assert len(target_metrics()) == before


@pytest.mark.parametrize("metric", PLATFORM_METRICS, ids=lambda metric: metric.key)
def test_each_metric_says_what_it_is(metric):
    with translation.override("en"):
        assert str(metric.label)
        description = str(metric.description)
    assert description.endswith(".")
    assert len(description) <= 160  # one sentence
    assert len(metric.key) <= 60  # StrategyTarget.metric_key
    if metric.key in COUNTS:
        assert metric.unit == "count"
    elif metric.key == "median_first_response_hours":
        assert metric.unit == "hours"
    else:
        assert metric.unit == "share"
    assert metric.better == ("lower" if metric.key in LOWER_IS_BETTER else "higher")
    assert target_metric(metric.key) is metric


@pytest.mark.django_db
@pytest.mark.parametrize("key", KEYS)
def test_an_empty_community_measures_zero_or_nothing(key, community):
    value = target_metric(key).compute(community.pk, AS_OF)
    if key in COUNTS:
        assert value == Decimal(0)
    else:
        assert value is None


@pytest.mark.django_db
@pytest.mark.parametrize("key", KEYS)
def test_an_unknown_community_is_not_an_error(key):
    value = target_metric(key).compute(987654, AS_OF)
    assert value in (None, Decimal(0))
