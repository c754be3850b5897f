"""Fixtures shared by the conference tests: an edition with its call open, its chair, a
committee member, formats, tracks, rooms and a two-criterion review form."""

import pytest
from django.core.cache import cache

from practica.communities.models import MembershipRole
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.conference import (
    CommitteeMemberFactory,
    EditionFactory,
    ReviewCriterionFactory,
    RoomFactory,
    SessionFormatFactory,
    TrackFactory,
)


@pytest.fixture
def community(db):
    return CommunityFactory()


@pytest.fixture
def edition(community):
    edition = EditionFactory(community=community)
    SessionFormatFactory(edition=edition, kind="talk", name="Talk", minutes=30)
    SessionFormatFactory(edition=edition, kind="lightning", name="Lightning talk", minutes=10)
    SessionFormatFactory(edition=edition, kind="tutorial", name="Tutorial", minutes=90)
    SessionFormatFactory(
        edition=edition, kind="keynote", name="Keynote", minutes=45, open_for_proposals=False
    )
    TrackFactory(edition=edition, name="Research", position=1)
    TrackFactory(edition=edition, name="Engineering", position=2)
    RoomFactory(edition=edition, name="Main hall", capacity=400, position=1)
    RoomFactory(edition=edition, name="Room B", capacity=60, position=2)
    ReviewCriterionFactory(edition=edition, name="Relevance", weight=2, position=1)
    ReviewCriterionFactory(edition=edition, name="Clarity", weight=1, position=2)
    return edition


@pytest.fixture
def chair(edition):
    """The community's manager: chairs every edition of it without a committee row."""
    return MembershipFactory(community=edition.community, role=MembershipRole.MANAGER).person


@pytest.fixture
def committee_member(edition):
    return CommitteeMemberFactory(edition=edition).person


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()
