"""The contribution ledger read from `core.Activity`: what counts, for whom, and when."""

from datetime import timedelta

import pytest
from django.utils import timezone

from practica.communities.ladder.contributions import (
    ANSWER_ACCEPTED,
    ANSWERED,
    CONTRIBUTION_KINDS,
    HOSTED,
    ORGANIZED_GROUP,
    PRESENTED,
    RAN_GRANT_ACTIVITY,
    REVIEWED,
    SERVED_ON_COMMITTEE,
    contribution_counts,
    contribution_key_of,
    contribution_kind_choices,
    contribution_rows,
    contributions_of,
    meets,
)
from practica.core.models import ActivityKind
from tests.factories.communities import CommunityFactory
from tests.factories.ladder import LedgerRowFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def test_every_contribution_kind_is_counted_for_its_person(community, alice):
    for kind in (
        ActivityKind.ANSWERED,
        ActivityKind.ANSWERED,
        ActivityKind.PRESENTED,
        ActivityKind.KEYNOTED,
        ActivityKind.HOSTED,
        ActivityKind.REVIEWED,
        ActivityKind.SERVED_ON_COMMITTEE,
        ActivityKind.ORGANIZED_GROUP,
        ActivityKind.RAN_GRANT_ACTIVITY,
    ):
        LedgerRowFactory(kind=kind, person=alice, community=community)

    counts = contributions_of(community_id=community.pk, person_id=alice.pk)

    assert counts == {
        ANSWERED: 2,
        ANSWER_ACCEPTED: 0,
        PRESENTED: 2,
        HOSTED: 1,
        REVIEWED: 1,
        SERVED_ON_COMMITTEE: 1,
        ORGANIZED_GROUP: 1,
        RAN_GRANT_ACTIVITY: 1,
    }


def test_an_accepted_answer_counts_for_the_answerer_not_the_asker(community, alice, bob):
    # Bob asked; he accepts Alice's answer (twice over two threads) and his own once.
    LedgerRowFactory(kind=ActivityKind.ACCEPTED, person=bob, counterpart=alice, community=community)
    LedgerRowFactory(kind=ActivityKind.ACCEPTED, person=bob, counterpart=alice, community=community)
    LedgerRowFactory(kind=ActivityKind.ACCEPTED, person=bob, counterpart=bob, community=community)
    LedgerRowFactory(kind=ActivityKind.ACCEPTED, person=bob, counterpart=None, community=community)

    counts = contribution_counts(community_id=community.pk)

    assert counts[alice.pk][ANSWER_ACCEPTED] == 2
    assert bob.pk not in counts
    assert contribution_rows(community_id=community.pk, person_id=bob.pk).count() == 0
    assert contribution_rows(community_id=community.pk, person_id=alice.pk).count() == 2


def test_other_kinds_other_communities_and_other_periods_do_not_count(community, alice):
    now = timezone.now()
    elsewhere = CommunityFactory()
    LedgerRowFactory(kind=ActivityKind.ASKED, person=alice, community=community)
    LedgerRowFactory(kind=ActivityKind.ATTENDED, person=alice, community=community)
    LedgerRowFactory(kind=ActivityKind.ANSWERED, person=alice, community=elsewhere)
    LedgerRowFactory(kind=ActivityKind.ANSWERED, person=alice, community=community, occurred_at=now)
    LedgerRowFactory(
        kind=ActivityKind.ANSWERED,
        person=alice,
        community=community,
        occurred_at=now - timedelta(days=100),
    )

    assert contribution_counts(community_id=community.pk)[alice.pk][ANSWERED] == 2
    recent = contribution_counts(community_id=community.pk, since=now - timedelta(days=90))
    assert recent[alice.pk][ANSWERED] == 1
    # The period is (since, until]: a row exactly at `until` counts, one at `since` does not.
    assert contribution_counts(community_id=community.pk, since=now) == {}
    upto = contribution_counts(community_id=community.pk, until=now - timedelta(days=1))
    assert upto[alice.pk][ANSWERED] == 1


def test_counts_can_be_limited_to_some_people(community, alice, bob):
    LedgerRowFactory(kind=ActivityKind.HOSTED, person=alice, community=community)
    LedgerRowFactory(kind=ActivityKind.HOSTED, person=bob, community=community)

    counts = contribution_counts(community_id=community.pk, person_ids=[bob.pk])

    assert list(counts) == [bob.pk]
    assert contributions_of(community_id=community.pk, person_id=999_999) == dict.fromkeys(
        CONTRIBUTION_KINDS, 0
    )


def test_meeting_requirements():
    counts = {ANSWERED: 3, PRESENTED: 1}
    assert meets({ANSWERED: 3}, counts)
    assert meets({ANSWERED: 2, PRESENTED: 1}, counts)
    assert not meets({ANSWERED: 4}, counts)
    assert not meets({REVIEWED: 1}, counts)
    assert not meets({}, counts)  # a rung without requirements is the manager's say-so


def test_kinds_have_labels_phrases_and_keys(community, alice):
    assert [key for key, _label in contribution_kind_choices()] == list(CONTRIBUTION_KINDS)
    assert CONTRIBUTION_KINDS[ANSWERED].describe(9) == "answered 9 questions"
    assert CONTRIBUTION_KINDS[PRESENTED].describe(1) == "presented 1 time"
    for kind in CONTRIBUTION_KINDS.values():
        assert kind.describe(2)
    row = LedgerRowFactory(kind=ActivityKind.KEYNOTED, person=alice, community=community)
    assert contribution_key_of(row) == PRESENTED
    row.kind = ActivityKind.ASKED
    assert contribution_key_of(row) is None
