"""Predicates about grassroots groups, used by views, API and services alike."""

from typing import Any

from practica.communities.models import Group, GroupMembership, GroupRole
from practica.communities.permissions import can_manage_community, can_view_members
from practica.people.permissions import is_signed_in


def is_group_owner(user: Any, group: Group) -> bool:
    """A current owner of the group."""
    if not is_signed_in(user):
        return False
    return GroupMembership.objects.filter(
        group=group, person=user, role=GroupRole.OWNER, left_at__isnull=True
    ).exists()


def can_manage_group(user: Any, group: Group) -> bool:
    """Add members and hand the group on: its owners, and the community's managers (staff
    can always step in)."""
    return can_manage_community(user, group.community) or is_group_owner(user, group)


def can_view_group(user: Any, group: Group) -> bool:
    """A group's page is seen by whoever may see its community's members."""
    return can_view_members(user, group.community)
