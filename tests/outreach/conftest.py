"""Fixtures shared by the outreach tests: a community and its manager, a staff member."""

import pytest

from practica.communities.models import MembershipRole
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.people import UserFactory


@pytest.fixture
def community(db):
    return CommunityFactory()


@pytest.fixture
def manager(community):
    return MembershipFactory(community=community, role=MembershipRole.MANAGER).person


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)
