"""Shared scene for the metric definitions' tests: one community measured at a fixed moment."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.people import UserFactory

AS_OF = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


def before(**delta: float) -> datetime:
    """A moment `delta` before AS_OF (e.g. `before(days=3)`)."""
    return AS_OF - timedelta(**delta)


@pytest.fixture
def community(db):
    return CommunityFactory()


@pytest.fixture
def other_community(db):
    return CommunityFactory()


@pytest.fixture
def join(community):
    """Make a person (or use the one given) a member since `at`, optionally until `left_at`."""

    def make(person=None, *, at=None, left_at=None, left_reason="", where=None, **person_fields):
        person = person or UserFactory(**person_fields)
        MembershipFactory(
            community=where or community,
            person=person,
            joined_at=at or before(days=400),
            left_at=left_at,
            left_reason=left_reason if left_at else "",
        )
        return person

    return make
