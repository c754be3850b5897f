"""Predicates about grassroots groups, used by views, API and services alike."""

from typing import Any

from practica.communities.models import Community, Group, GroupMembership, GroupRole
from practica.communities.permissions import (
    can_manage_community,
    can_moderate_community,
    can_view_members,
    is_member,
)
from practica.people.permissions import is_signed_in


def is_group_owner(user: Any, group: Group) -> bool:
    """A current owner of the group."""
    if not is_signed_in(user):
        return False
    return GroupMembership.objects.filter(
        group=group, person=user, role=GroupRole.OWNER, left_at__isnull=True
    ).exists()


def is_group_member(user: Any, group: Group) -> bool:
    """Anyone with a current row in the group, owner or member."""
    if not is_signed_in(user):
        return False
    return GroupMembership.objects.filter(group=group, person=user, left_at__isnull=True).exists()


def can_manage_group(user: Any, group: Group) -> bool:
    """Edit the group, add and remove members, name owners, hand it on, archive and reopen it:
    its owners, and the community's managers (staff can always step in)."""
    return can_manage_community(user, group.community) or is_group_owner(user, group)


def can_view_group(user: Any, group: Group) -> bool:
    """A group's page is seen by whoever may see its community's members."""
    return can_view_members(user, group.community)


def can_found_group(user: Any, community: Community) -> bool:
    """The community's organizers, leaders and managers found groups (staff too)."""
    return can_moderate_community(user, community)


def can_join_group(user: Any, group: Group) -> bool:
    """Any current member of the community joins an open (not archived) group they are not in."""
    return (
        not group.is_archived
        and is_member(user, group.community)
        and not is_group_member(user, group)
    )


def can_see_group_health(user: Any, group: Group) -> bool:
    """The health panel (who carries the group, whether its owners are still here) is for the
    people who can act on it: the group's owners and the community's managers."""
    return can_manage_group(user, group)
