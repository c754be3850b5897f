"""Predicates about communities, used by views, API and services alike."""

from typing import Any

from practica.communities.models import Community, Membership, MembershipRole
from practica.people.permissions import is_signed_in

MANAGING_ROLES = frozenset({MembershipRole.MANAGER, MembershipRole.LEADER})
MODERATING_ROLES = MANAGING_ROLES | {MembershipRole.ORGANIZER}


def current_role(user: Any, community: Community) -> str | None:
    """The user's role in the community, or None if not a current member (cached per request)."""
    if not is_signed_in(user):
        return None
    cache = user.__dict__.setdefault("_community_roles", {})
    if community.pk not in cache:
        cache[community.pk] = (
            Membership.objects.current()
            .filter(community=community, person=user)
            .values_list("role", flat=True)
            .first()
        )
    return cache[community.pk]


def forget_cached_roles(user: Any) -> None:
    """Drop the per-request role cache after the user's memberships change."""
    if user is not None:
        user.__dict__.pop("_community_roles", None)


def is_member(user: Any, community: Community) -> bool:
    return current_role(user, community) is not None


def can_manage_community(user: Any, community: Community) -> bool:
    """Managers and leaders run the community; staff can always step in."""
    if not is_signed_in(user):
        return False
    return user.is_staff or current_role(user, community) in MANAGING_ROLES


def can_moderate_community(user: Any, community: Community) -> bool:
    if not is_signed_in(user):
        return False
    return user.is_staff or current_role(user, community) in MODERATING_ROLES


def can_view_community(user: Any, community: Community) -> bool:
    """Any signed-in member sees a community's page; closed ones hide their content."""
    return is_signed_in(user)


def can_view_members(user: Any, community: Community) -> bool:
    if not is_signed_in(user):
        return False
    if not community.is_closed:
        return True
    return is_member(user, community) or can_manage_community(user, community)


def can_join(user: Any, community: Community) -> bool:
    return is_signed_in(user) and not community.is_closed and not is_member(user, community)


def can_request_to_join(user: Any, community: Community) -> bool:
    return is_signed_in(user) and community.is_closed and not is_member(user, community)


def can_leave(user: Any, community: Community) -> bool:
    return is_member(user, community)


LEADERSHIP_ROLES = frozenset(
    {MembershipRole.MANAGER, MembershipRole.LEADER, MembershipRole.EXECUTIVE_SPONSOR}
)


def is_community_manager(user: Any, community: Community) -> bool:
    """The community manager alone (staff can always step in): who edits the strategy, the
    budget and the ladder. Leaders run things day to day but do not change these."""
    if not is_signed_in(user):
        return False
    return user.is_staff or current_role(user, community) == MembershipRole.MANAGER


def is_in_leadership(user: Any, community: Community) -> bool:
    """The manager, the leadership team and the executive sponsor: who see the strategy in
    full, the budget and the grants."""
    if not is_signed_in(user):
        return False
    return user.is_staff or current_role(user, community) in LEADERSHIP_ROLES
