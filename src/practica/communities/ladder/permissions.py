"""Who may do what on the contributor ladder and the opportunities board.

- The ladder (its rungs, how many stand on each, who stands where) and the board are seen by
  whoever may see the community's members. A member always sees their own rung and history.
- Rungs, and a member's rung set by hand, are the community manager's (`is_community_manager`).
- Promotion suggestions, others' histories and contributions, and asking a member to
  contribute are for the leadership (`is_in_leadership`).
- Calls on the board are opened, closed and decided by the people who run the community day
  to day: managers, leaders and organizers (`can_moderate_community`); any current member
  volunteers.
"""

from typing import Any

from practica.communities.models import Community
from practica.communities.permissions import (
    can_moderate_community,
    can_view_members,
    is_community_manager,
    is_in_leadership,
    is_member,
)


def can_view_ladder(user: Any, community: Community) -> bool:
    return can_view_members(user, community)


def can_edit_ladder(user: Any, community: Community) -> bool:
    return is_community_manager(user, community)


def can_set_rung(user: Any, community: Community) -> bool:
    return is_community_manager(user, community)


def can_view_history(user: Any, community: Community, person: Any) -> bool:
    """A member's rung history and contributions: their own, or the leadership's view."""
    if user is not None and getattr(user, "pk", None) == getattr(person, "pk", object()):
        return can_view_ladder(user, community)
    return is_in_leadership(user, community)


def can_view_suggestions(user: Any, community: Community) -> bool:
    return is_in_leadership(user, community)


def can_ask_to_contribute(user: Any, community: Community) -> bool:
    return is_in_leadership(user, community)


def can_view_board(user: Any, community: Community) -> bool:
    return can_view_members(user, community)


def can_run_opportunities(user: Any, community: Community) -> bool:
    return can_moderate_community(user, community)


def can_volunteer(user: Any, community: Community) -> bool:
    return is_member(user, community)
