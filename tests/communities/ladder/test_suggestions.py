"""Promotion suggestions on hand-built ledgers: who is rising, who is left out, and the reason
in words."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from practica.communities.ladder.suggestions import (
    MIN_RECENT_ENGAGEMENT,
    NOT_ASKED_DAYS,
    promotion_suggestions,
)
from practica.communities.models import LeftReason, MembershipRole
from practica.communities.services import leave_community
from practica.core.models import ActivityKind
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.ladder import (
    ContributionAskFactory,
    LadderRungFactory,
    LadderStepFactory,
    LedgerRowFactory,
)
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]

NOW = timezone.now()


def _rows(community, person, kind, times, days_ago, **extra):
    for index in range(times):
        LedgerRowFactory(
            kind=kind,
            person=person,
            community=community,
            occurred_at=NOW - timedelta(days=days_ago, minutes=index),
            **extra,
        )


def _suggested(community):
    return {s.person: s for s in promotion_suggestions(community, now=NOW)}


def test_the_example_from_the_issue(community, alice, bob):
    # Alice: 9 answers in the last 90 days (2 in the 90 before), one talk; never asked.
    _rows(community, alice, ActivityKind.ANSWERED, 9, days_ago=10)
    _rows(community, alice, ActivityKind.ANSWERED, 2, days_ago=120)
    _rows(community, alice, ActivityKind.PRESENTED, 1, days_ago=30)

    [suggestion] = promotion_suggestions(community, now=NOW)

    assert suggestion.person == alice
    assert suggestion.reason == (
        "answered 9 questions in the last 90 days, up from 2; presented 1 time; never asked"
    )
    # Engagement: each contribution is a ledger row and a contribution.
    assert (suggestion.recent_engagement, suggestion.previous_engagement) == (20, 4)
    assert suggestion.recent_contributions["answered"] == 9
    assert suggestion.current_rung is None


def test_plain_activity_counts_and_is_described_when_nothing_was_given(community, alice):
    _rows(community, alice, ActivityKind.ATTENDED, 4, days_ago=5)
    _rows(community, alice, ActivityKind.ASKED, 3, days_ago=20)
    _rows(community, alice, ActivityKind.ASKED, 1, days_ago=100)

    [suggestion] = promotion_suggestions(community, now=NOW)

    assert suggestion.reason == "took part 7 times in the last 90 days, up from 1; never asked"


def test_steady_or_small_engagement_is_not_a_rise(community, alice, bob, sponsor):
    # Alice is busy but steady; Bob rises from nothing but stays under the minimum.
    _rows(community, alice, ActivityKind.ANSWERED, 6, days_ago=10)
    _rows(community, alice, ActivityKind.ANSWERED, 4, days_ago=100)
    _rows(community, bob, ActivityKind.ATTENDED, MIN_RECENT_ENGAGEMENT - 1, days_ago=3)
    # Joining, leaving, role changes, profile edits and routing are not engagement.
    for kind in (
        ActivityKind.JOINED,
        ActivityKind.ROLE_CHANGED,
        ActivityKind.PROFILE_UPDATED,
        ActivityKind.ROUTED,
    ):
        _rows(community, bob, kind, 3, days_ago=3)

    assert _suggested(community) == {}


def test_exactly_twice_and_the_minimum_is_enough(community, alice):
    _rows(community, alice, ActivityKind.ATTENDED, 6, days_ago=10)
    _rows(community, alice, ActivityKind.ATTENDED, 3, days_ago=91)
    # Outside both windows: neither counts.
    _rows(community, alice, ActivityKind.ATTENDED, 50, days_ago=200)
    _rows(community, alice, ActivityKind.ATTENDED, 50, days_ago=-1)

    suggestion = _suggested(community)[alice]

    assert (suggestion.recent_engagement, suggestion.previous_engagement) == (6, 3)


def test_accepted_answers_count_for_the_answerer(community, alice, bob):
    for _ in range(3):
        LedgerRowFactory(
            kind=ActivityKind.ACCEPTED,
            person=bob,
            counterpart=alice,
            community=community,
            occurred_at=NOW - timedelta(days=2),
        )
    _rows(community, alice, ActivityKind.ANSWERED, 3, days_ago=2)

    suggestion = _suggested(community)[alice]

    assert suggestion.recent_contributions["answer_accepted"] == 3
    assert suggestion.reason.startswith(
        "answered 3 questions in the last 90 days; had 3 answers accepted"
    )


def test_people_asked_lately_are_left_out_and_an_old_ask_is_mentioned(community, alice, bob):
    for person in (alice, bob):
        _rows(community, person, ActivityKind.ANSWERED, 5, days_ago=5)
    ContributionAskFactory(
        community=community, person=alice, asked_at=NOW - timedelta(days=NOT_ASKED_DAYS - 1)
    )
    old = ContributionAskFactory(
        community=community,
        person=bob,
        asked_at=NOW - timedelta(days=NOT_ASKED_DAYS + 30),
    )
    # An ask in another community does not count here.
    ContributionAskFactory(person=bob, asked_at=NOW - timedelta(days=1))

    suggested = _suggested(community)

    assert list(suggested) == [bob]
    assert suggested[bob].last_asked_at == old.asked_at
    day = date_format(timezone.localtime(old.asked_at), "DATE_FORMAT")
    assert suggested[bob].reason.endswith(f"; last asked on {day}")


def test_the_top_rung_and_the_leadership_are_left_out(community, alice, bob, manager, leader):
    low = LadderRungFactory(community=community, name="Participant")
    top = LadderRungFactory(community=community, name="Organizer")
    LadderStepFactory(rung=top, person=alice)
    LadderStepFactory(rung=low, person=bob)
    for person in (alice, bob, manager, leader):
        _rows(community, person, ActivityKind.ANSWERED, 5, days_ago=5)

    suggested = _suggested(community)

    assert list(suggested) == [bob]
    assert suggested[bob].current_rung == low


def test_someone_moved_down_from_the_top_is_suggested_again(community, alice):
    low = LadderRungFactory(community=community)
    top = LadderRungFactory(community=community)
    LadderStepFactory(rung=top, person=alice, reached_at=NOW - timedelta(days=300))
    LadderStepFactory(rung=low, person=alice, reached_at=NOW - timedelta(days=30))
    _rows(community, alice, ActivityKind.ANSWERED, 5, days_ago=5)

    assert _suggested(community)[alice].current_rung == low


def test_only_current_active_members_of_this_community(community, alice, bob):
    carol = MembershipFactory(community=community, role=MembershipRole.MEMBER).person
    stranger = UserFactory()
    for person in (alice, bob, carol, stranger):
        _rows(community, person, ActivityKind.ANSWERED, 5, days_ago=5)
    leave_community(community=community, person=alice, reason=LeftReason.LEFT_COMMUNITY)
    bob.is_active = False
    bob.save()
    # Rising elsewhere is no reason here.
    elsewhere = CommunityFactory()
    MembershipFactory(community=elsewhere, person=alice)
    _rows(elsewhere, carol, ActivityKind.ANSWERED, 9, days_ago=5)

    assert list(_suggested(community)) == [carol]
    assert promotion_suggestions(elsewhere, now=NOW) == []


def test_the_steepest_rise_comes_first(community, alice, bob):
    _rows(community, alice, ActivityKind.ANSWERED, 4, days_ago=5)
    _rows(community, bob, ActivityKind.ANSWERED, 8, days_ago=5)
    _rows(community, bob, ActivityKind.ANSWERED, 1, days_ago=100)

    assert [s.person for s in promotion_suggestions(community, now=NOW)] == [bob, alice]


def test_an_empty_community_has_no_suggestions(community):
    assert promotion_suggestions(community) == []
