"""Fixtures for the strategy tests: a community with its people by role, and target metrics
registered for the test only (the registry is restored afterwards)."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils.translation import gettext_lazy

from practica.communities import target_metrics as registry
from practica.communities.models import Membership, MembershipRole
from practica.communities.target_metrics import TargetMetric, register_target_metric
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.people import UserFactory


def _members(community_id, as_of):
    """Members of the community at `as_of`: a real metric over real rows, for trends."""
    count = Membership.objects.as_of(as_of).filter(community_id=community_id).count()
    return Decimal(count)


@pytest.fixture(autouse=True)
def _fresh_trend_cache():
    """Month-end values are cached; ids repeat from test to test, so start each one empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def metrics(monkeypatch):
    """Four metrics: `members` (count, real), `response_hours` (1.5 h), `answered_share`
    (0.55) and `nothing` (no data)."""
    monkeypatch.setattr(registry, "_METRICS", {})
    for metric in (
        TargetMetric(
            key="members",
            label=gettext_lazy("Members"),
            description=gettext_lazy("Current members."),
            unit="count",
            better="higher",
            compute=_members,
        ),
        TargetMetric(
            key="response_hours",
            label=gettext_lazy("Median time to first response"),
            description=gettext_lazy("Hours."),
            unit="hours",
            better="lower",
            compute=lambda community_id, as_of: Decimal("1.5"),
        ),
        TargetMetric(
            key="answered_share",
            label=gettext_lazy("Answered within 24 h"),
            description=gettext_lazy("A share."),
            unit="share",
            better="higher",
            compute=lambda community_id, as_of: Decimal("0.55"),
        ),
        TargetMetric(
            key="nothing",
            label=gettext_lazy("Nothing to measure"),
            description=gettext_lazy("Always None."),
            unit="score",
            better="higher",
            compute=lambda community_id, as_of: None,
        ),
    ):
        register_target_metric(metric)
    return registry


@pytest.fixture
def community(db):
    return CommunityFactory(name="Machine Learning", slug="machine-learning")


def _with_role(community, role, name):
    return MembershipFactory(
        community=community, person=UserFactory(display_name=name), role=role
    ).person


@pytest.fixture
def manager(community):
    return _with_role(community, MembershipRole.MANAGER, "Mara Manager")


@pytest.fixture
def leader(community):
    return _with_role(community, MembershipRole.LEADER, "Leo Leader")


@pytest.fixture
def sponsor(community):
    return _with_role(community, MembershipRole.EXECUTIVE_SPONSOR, "Sam Sponsor")


@pytest.fixture
def organizer(community):
    return _with_role(community, MembershipRole.ORGANIZER, "Olga Organizer")


@pytest.fixture
def plain_member(community):
    return _with_role(community, MembershipRole.MEMBER, "Mo Member")


@pytest.fixture
def outsider(db):
    return UserFactory(display_name="Otto Outsider")
