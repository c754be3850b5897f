"""Active and engaged members against a hand-built ledger."""

from decimal import Decimal

import pytest

from practica.core.models import ActivityKind
from practica.metrics.definitions.activity import active_members, engaged_members
from tests.factories.metrics import ActivityFactory
from tests.metrics.conftest import AS_OF, before

pytestmark = pytest.mark.django_db


def act(person, community, kind, **delta):
    return ActivityFactory(
        person=person, community=community, kind=kind, occurred_at=before(**delta)
    )


def test_active_and_engaged_members(community, other_community, join):
    answerer = join()
    act(answerer, community, ActivityKind.ANSWERED, days=2)
    act(answerer, community, ActivityKind.VOTED, days=3)  # the same person once
    voter = join()
    act(voter, community, ActivityKind.VOTED, days=27)
    attendee = join()
    act(attendee, community, ActivityKind.ATTENDED, days=1)
    reviewer = join()
    act(reviewer, community, ActivityKind.REVIEWED, days=10)
    presenter = join()
    act(presenter, community, ActivityKind.KEYNOTED, days=10)
    # Being in the community, or something done to a member, is not activity.
    newcomer = join(at=before(days=3))
    act(newcomer, community, ActivityKind.JOINED, days=3)
    routed = join()
    act(routed, community, ActivityKind.ROUTED, hours=5)
    promoted = join()
    act(promoted, community, ActivityKind.ROLE_CHANGED, hours=5)
    # Outside the window: the start (28 days back) is exclusive, the end inclusive.
    stale = join()
    act(stale, community, ActivityKind.ANSWERED, days=28)
    act(stale, community, ActivityKind.ANSWERED, days=-1)
    on_time = join()
    act(on_time, community, ActivityKind.ASKED, days=0)
    # Active elsewhere only.
    elsewhere = join()
    act(elsewhere, other_community, ActivityKind.ANSWERED, days=1)
    # Left the community in the window: not a member at AS_OF.
    leaver = join(left_at=before(days=1), left_reason="left_community")
    act(leaver, community, ActivityKind.ANSWERED, days=5)
    # Never a member (an attendee from outside), and a bot.
    outsider = join(where=other_community)
    act(outsider, community, ActivityKind.ATTENDED, days=5)
    bot = join(is_system=True)
    act(bot, community, ActivityKind.ANSWERED, days=1)

    assert active_members(community.pk, AS_OF) == Decimal(6)
    assert engaged_members(community.pk, AS_OF) == Decimal(4)


def test_no_activity_is_zero_not_none(community, join):
    join()
    assert active_members(community.pk, AS_OF) == Decimal(0)
    assert engaged_members(community.pk, AS_OF) == Decimal(0)


def test_active_as_of_the_past(community, join):
    person = join(at=before(days=100))
    act(person, community, ActivityKind.REPLIED, days=60)
    assert active_members(community.pk, AS_OF) == Decimal(0)
    assert active_members(community.pk, before(days=50)) == Decimal(1)
    assert engaged_members(community.pk, before(days=50)) == Decimal(1)
