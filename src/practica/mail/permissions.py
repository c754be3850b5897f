"""Predicates about a community's mailing list, used by views, API and services alike.

The list belongs to its community, so these defer to `communities.permissions`: managers and
leaders (and staff) run the list; organizers, who moderate discussions, also moderate mail
held for moderation.
"""

from typing import Any

from practica.communities.models import Community
from practica.communities.permissions import (
    can_manage_community,
    can_moderate_community,
    is_member,
)
from practica.people.permissions import is_signed_in


def can_manage_list(user: Any, community: Community) -> bool:
    """Subscribers and their modes, bounces, outbox status and the list's settings."""
    return can_manage_community(user, community)


def can_moderate_list(user: Any, community: Community) -> bool:
    """The moderation queue: approve or discard mail held for the list."""
    return can_moderate_community(user, community)


def can_view_list_admin(user: Any, community: Community) -> bool:
    """Whether the list's manage pages open at all (each section checks its own predicate)."""
    return can_manage_list(user, community) or can_moderate_list(user, community)


def can_choose_list_delivery(user: Any, person: Any, community: Community) -> bool:
    """A member chooses their own delivery; the list's managers may change it for them."""
    if not is_signed_in(user):
        return False
    return user.pk == person.pk or can_manage_list(user, community)


def may_receive_list_mail(person: Any, community: Community) -> bool:
    """Only current members may choose a delivery other than none."""
    return is_member(person, community)
