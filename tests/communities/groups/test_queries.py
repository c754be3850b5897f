"""Group queries: a community's groups and counts, members and owners, the list address, the
caller's roles, and the next meetings read through the calendar registry."""

from datetime import timedelta

import pytest
from django.utils import timezone

from practica.communities.calendar_sources import register_calendar_source
from practica.communities.group_queries import (
    community_groups,
    group_counts,
    group_list_address,
    group_members,
    group_owners,
    group_roles_of,
    group_row_of,
    upcoming_group_meetings,
)
from practica.communities.models import GroupKind, GroupRole
from tests.communities.groups.calendar import FakeMeetings
from tests.factories.communities import CommunityFactory, GroupFactory, GroupMembershipFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def test_running_and_archived_groups_apart_with_current_member_counts(community):
    reading = GroupFactory(community=community, name="B reading", kind=GroupKind.READING)
    study = GroupFactory(community=community, name="A study", kind=GroupKind.STUDY)
    ended = GroupFactory(community=community, name="C ended", archived_at=timezone.now())
    GroupFactory(community=CommunityFactory(), name="Elsewhere")
    GroupMembershipFactory.create_batch(2, group=reading)
    GroupMembershipFactory(group=reading, left_at=timezone.now())

    running = list(community_groups(community))
    assert running == [study, reading]
    assert [group.member_count for group in running] == [0, 2]
    assert list(community_groups(community, kind=GroupKind.READING)) == [reading]
    assert list(community_groups(community, archived=True)) == [ended]

    counts = group_counts(community)
    assert (counts.running, counts.archived) == (2, 1)
    assert counts.by_kind == {"reading": 1, "study": 1, "sub_community": 0, "hackathon_team": 0}


def test_members_list_owners_first_then_by_name(group):
    zoe = GroupMembershipFactory(group=group, person__display_name="Zoe").person
    adam = GroupMembershipFactory(group=group, person__display_name="Adam").person
    owner = GroupMembershipFactory(
        group=group, role=GroupRole.OWNER, person__display_name="Yara"
    ).person
    GroupMembershipFactory(group=group, left_at=timezone.now())

    assert [row.person for row in group_members(group)] == [owner, adam, zoe]
    assert group_owners(group) == [owner]


def test_the_callers_place_in_groups(community, group, plain_member):
    other = GroupFactory(community=community)
    row = GroupMembershipFactory(group=group, person=plain_member)
    GroupMembershipFactory(group=other, person=plain_member, role=GroupRole.OWNER)
    GroupMembershipFactory(group=GroupFactory(), person=plain_member)  # another community

    assert group_roles_of(plain_member, community) == {group.pk: "member", other.pk: "owner"}
    assert group_row_of(group, plain_member) == row
    assert group_row_of(group, UserFactory()) is None


def test_the_list_address_joins_community_and_group(settings, group):
    settings.MAIL_LIST_DOMAIN = "lists.example.org"

    assert group_list_address(group) == "ml.deep-rl@lists.example.org"


def test_next_meetings_are_the_groups_own_soonest_first(community, group, meetings):
    later = meetings.add(group=group, title="Chapter 3", starts_in=timedelta(days=14))
    sooner = meetings.add(group=group, title="Chapter 2", starts_in=timedelta(days=7))
    running = meetings.add(group=group, title="Now", starts_in=timedelta(minutes=-30))
    meetings.add(group=group, title="Past", starts_in=timedelta(days=-7))
    meetings.add(group=group, title="Too far", starts_in=timedelta(days=120))
    meetings.add(group=GroupFactory(community=community), title="Sister", starts_in=timedelta(1))
    meetings.add(
        group=None, title="Community event", starts_in=timedelta(days=1), community_id=community.pk
    )

    found = upcoming_group_meetings(group)

    assert found == [running, sooner, later]
    assert upcoming_group_meetings(group, limit=1) == [running]


def test_meetings_from_every_registered_source_are_merged(group, meetings):
    other_source = FakeMeetings(key="fake-other")
    register_calendar_source(other_source)  # the `meetings` fixture restores the registry
    first = meetings.add(group=group, title="Chapter 1", starts_in=timedelta(days=2))
    second = other_source.add(group=group, title="Hack night", starts_in=timedelta(days=1))

    assert upcoming_group_meetings(group) == [second, first]
    assert upcoming_group_meetings(GroupFactory(community=group.community)) == []
