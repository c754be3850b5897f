"""Shared fixtures for the grassroots group tests: a community with a manager, a leader, an
organizer and a plain member; a reading group with an owner; a fake calendar source."""

import pytest

from practica.communities import calendar_sources
from practica.communities.models import GroupKind, GroupRole, MembershipRole
from tests.communities.groups.calendar import FakeMeetings
from tests.events.outbox import outbox_backend  # noqa: F401 — a fixture, used by name
from tests.factories.communities import (
    CommunityFactory,
    GroupFactory,
    GroupMembershipFactory,
    MembershipFactory,
)


@pytest.fixture
def community(db):
    return CommunityFactory(name="Machine Learning", slug="ml")


def _member(community, role=MembershipRole.MEMBER, **person):
    return MembershipFactory(community=community, role=role, **person).person


@pytest.fixture
def manager(community):
    return _member(community, MembershipRole.MANAGER, person__display_name="Mia Manager")


@pytest.fixture
def leader(community):
    return _member(community, MembershipRole.LEADER, person__display_name="Leo Leader")


@pytest.fixture
def organizer(community):
    return _member(community, MembershipRole.ORGANIZER, person__display_name="Ola Organizer")


@pytest.fixture
def plain_member(community):
    return _member(community, person__display_name="Pat Member")


@pytest.fixture
def group(community):
    return GroupFactory(
        community=community, name="Deep RL papers", slug="deep-rl", kind=GroupKind.READING
    )


@pytest.fixture
def owner(community, group):
    person = _member(community, person__display_name="Olga Owner")
    GroupMembershipFactory(group=group, person=person, role=GroupRole.OWNER)
    return person


@pytest.fixture
def meetings():
    """A fake calendar source, registered for the test and the registry restored after."""
    saved = dict(calendar_sources._SOURCES)
    source = FakeMeetings()
    calendar_sources.register_calendar_source(source)
    yield source
    calendar_sources._SOURCES.clear()
    calendar_sources._SOURCES.update(saved)
