"""Fixtures shared by the conference tests: an edition with its call open, its chair, a
committee member, formats, tracks, rooms and a two-criterion review form."""

import pytest
from django.core.cache import cache

from practica.communities.models import MembershipRole
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.conference import CommitteeMemberFactory, edition_with_parts


@pytest.fixture
def community(db):
    return CommunityFactory()


@pytest.fixture
def edition(community):
    return edition_with_parts(community)


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
