"""Fixtures shared by the events tests."""

import pytest
from django.core.cache import cache

from practica.communities.models import MembershipRole
from tests.factories.communities import CommunityFactory, MembershipFactory


@pytest.fixture
def community(db):
    return CommunityFactory()


@pytest.fixture
def organizer(community):
    """A member with the organizer role in `community`: they schedule and run its events."""
    return MembershipFactory(community=community, role=MembershipRole.ORGANIZER).person


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The registration-notice task mark (and any cached fragment) never leaks between tests."""
    cache.clear()
    yield
    cache.clear()
