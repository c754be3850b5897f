"""Members, new members and 6-month retention against hand-built membership histories."""

from datetime import date
from decimal import Decimal

import pytest

from practica.communities.models import LeftReason
from practica.metrics.definitions.membership import (
    members,
    new_members_30_days,
    retention_6_months,
    retention_figures,
)
from tests.metrics.conftest import AS_OF, before

pytestmark = pytest.mark.django_db


def test_members_as_of_a_moment(community, other_community, join):
    join()  # member for a year
    join(at=before(days=1))
    join(at=before(days=-1))  # joins tomorrow: not yet
    join(at=before(days=300), left_at=before(days=10), left_reason=LeftReason.LEFT_COMMUNITY)
    join(at=before(days=300), left_at=before(days=-5), left_reason=LeftReason.LEFT_COMMUNITY)
    join(where=other_community)
    join(is_system=True)  # a bot is never counted
    join(is_placeholder=True)
    join(is_staff=True)  # staff are people
    assert members(community.pk, AS_OF) == Decimal(4)
    assert members(community.pk, before(days=20)) == Decimal(4)
    assert members(community.pk, before(days=500)) == Decimal(0)


def test_a_rejoined_member_counts_once(community, join):
    person = join(at=before(days=200), left_at=before(days=100), left_reason="left_community")
    join(person, at=before(days=50))
    assert members(community.pk, AS_OF) == Decimal(1)
    assert members(community.pk, before(days=70)) == Decimal(0)


def test_new_members_in_the_trailing_30_days(community, join):
    join(at=before(days=31))
    join(at=before(days=30))  # the window's start is exclusive
    join(at=before(days=29, hours=23))
    join(at=before(days=3), left_at=before(days=1), left_reason="left_community")  # joined
    join(at=AS_OF)
    join(at=before(days=-1))
    join(at=before(days=2), is_system=True)
    rejoiner = join(at=before(days=20), left_at=before(days=15), left_reason="left_community")
    join(rejoiner, at=before(days=5))
    assert new_members_30_days(community.pk, AS_OF) == Decimal(4)


def test_retention_cohort_with_a_leaver_of_the_company_censored(community, join):
    # Cohort: joined in [2025-08-15 12:00, 2025-09-15 12:00).
    join(at=before(days=190))
    join(at=before(days=200))
    join(at=before(days=195), left_at=before(days=30), left_reason="left_community")
    join(at=before(days=185), left_at=before(days=60), left_reason=LeftReason.LEFT_COMPANY)
    # Removed when their account was closed on the day they left the company: censored too.
    join(
        at=before(days=205),
        left_at=before(days=40),
        left_reason=LeftReason.REMOVED,
        left_on=before(days=41).date(),
    )
    # Left the community first, the company months later: that is churn.
    join(
        at=before(days=198),
        left_at=before(days=150),
        left_reason="left_community",
        left_on=date(2026, 2, 1),
    )
    # Came back: still a member at AS_OF, so retained.
    came_back = join(at=before(days=192), left_at=before(days=100), left_reason="left_community")
    join(came_back, at=before(days=20))
    join(at=before(days=170))  # too recent for the cohort
    join(at=before(days=220))  # too old
    join(at=before(days=190), is_system=True)
    figures = retention_figures(community.pk, AS_OF)
    assert (figures.cohort, figures.retained, figures.censored) == (7, 3, 2)
    # 3 retained of 5 measured (two churned, two censored out of both sides).
    assert retention_6_months(community.pk, AS_OF) == Decimal("0.6000")


def test_retention_cohort_edges_are_half_open(community, join):
    join(at=before(days=0).replace(year=2025, month=8))  # 2025-08-15 12:00: in
    join(at=before(days=0).replace(year=2025, month=9))  # 2025-09-15 12:00: out
    figures = retention_figures(community.pk, AS_OF)
    assert figures.cohort == 1


def test_retention_is_none_without_a_cohort(community, join):
    join(at=before(days=10))
    assert retention_6_months(community.pk, AS_OF) is None


def test_retention_is_none_when_the_whole_cohort_left_the_company(community, join):
    join(at=before(days=190), left_at=before(days=5), left_reason=LeftReason.LEFT_COMPANY)
    figures = retention_figures(community.pk, AS_OF)
    assert (figures.cohort, figures.censored) == (1, 1)
    assert retention_6_months(community.pk, AS_OF) is None


def test_retention_as_of_the_past_ignores_later_leaving(community, join):
    join(at=before(days=200), left_at=before(days=5), left_reason="left_community")
    assert retention_6_months(community.pk, AS_OF) == Decimal("0.0000")
    assert retention_6_months(community.pk, before(days=10)) == Decimal("1.0000")
