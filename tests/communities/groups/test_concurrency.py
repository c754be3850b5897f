"""Two founders taking the same group address at once: one group, and a clear refusal for the
other, never an IntegrityError (PostgreSQL, real threads)."""

import pytest
from django.core.exceptions import ValidationError

from practica.communities.group_services import create_group
from practica.communities.models import Group, MembershipRole
from tests.concurrency import postgres_only, run_concurrently
from tests.factories.communities import CommunityFactory, MembershipFactory

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def test_two_groups_founded_at_one_address_at_once():
    community = CommunityFactory()
    founders = [
        MembershipFactory(community=community, role=MembershipRole.ORGANIZER).person
        for _ in range(2)
    ]

    errors = run_concurrently(
        [
            lambda founder=founder: create_group(
                community=community, name="Deep RL papers", actor=founder
            )
            for founder in founders
        ]
    )

    assert Group.objects.filter(community=community, slug="deep-rl-papers").count() == 1
    assert len(errors) <= 1
    for error in errors:
        assert isinstance(error, ValidationError), repr(error)
        assert "slug" in error.message_dict
