"""Fixtures shared by the events tests."""

import pytest

from practica.communities.models import MembershipRole
from tests.factories.communities import CommunityFactory, MembershipFactory


@pytest.fixture
def community(db):
    return CommunityFactory()


@pytest.fixture
def organizer(community):
    """A member with the organizer role in `community`: they schedule and run its events."""
    return MembershipFactory(community=community, role=MembershipRole.ORGANIZER).person
