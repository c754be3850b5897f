"""People of one community, one of each role, for the ladder and board tests."""

from types import SimpleNamespace

import pytest

from practica.communities.models import MembershipRole
from tests.events.outbox import outbox_backend  # noqa: F401 (a fixture these tests use)
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.people import UserFactory


@pytest.fixture
def community(db):
    return CommunityFactory(name="Machine Learning", slug="machine-learning")


def _with_role(community, role, name):
    return MembershipFactory(
        community=community, person=UserFactory(display_name=name), role=role
    ).person


@pytest.fixture
def manager(community):
    return _with_role(community, MembershipRole.MANAGER, "Mia Manager")


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
def alice(community):
    return _with_role(community, MembershipRole.MEMBER, "Alice Answerer")


@pytest.fixture
def bob(community):
    return _with_role(community, MembershipRole.MEMBER, "Bob Builder")


@pytest.fixture
def outsider(db):
    return UserFactory(display_name="Otto Outsider")


@pytest.fixture
def people(manager, leader, sponsor, organizer, alice, bob):  # noqa: PLR0917 — fixtures
    """Everyone above at once, for tests that need many of them."""
    return SimpleNamespace(
        manager=manager, leader=leader, sponsor=sponsor, organizer=organizer, alice=alice, bob=bob
    )
