"""Who sees and changes a community's strategy and maturity assessments.

- Current members see the public parts of the approved strategy: summary, goals, "I can…"
  scenarios, principles, audience (with its reach) and the leadership team.
- The leadership (`is_in_leadership`: manager, leaders, executive sponsor, staff) see it in
  full: targets with live values, every version and draft, approvals, maturity assessments.
- Only the community manager (`is_community_manager`, staff too) starts, edits, approves or
  discards a draft and records a maturity assessment.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from practica.communities.models import Community
from practica.communities.permissions import is_community_manager, is_in_leadership, is_member


def can_view_strategy(user: Any, community: Community) -> bool:
    """The public parts: every current member, and the leadership (staff included)."""
    return is_member(user, community) or is_in_leadership(user, community)


def can_view_full_strategy(user: Any, community: Community) -> bool:
    """Targets, live values, versions, drafts, approvals and maturity."""
    return is_in_leadership(user, community)


def can_edit_strategy(user: Any, community: Community) -> bool:
    """Start, edit, approve and discard drafts; record maturity assessments."""
    return is_community_manager(user, community)


def require_strategy_viewer(user: Any, community: Community) -> None:
    if not can_view_strategy(user, community):
        raise PermissionDenied(
            _("Only members of %(name)s see its strategy.") % {"name": community.name}
        )


def require_full_strategy_viewer(user: Any, community: Community) -> None:
    if not can_view_full_strategy(user, community):
        raise PermissionDenied(
            _(
                "Only the leadership team of %(name)s (its manager, leaders and executive "
                "sponsor) see this."
            )
            % {"name": community.name}
        )


def require_strategy_editor(user: Any, community: Community) -> None:
    if not can_edit_strategy(user, community):
        raise PermissionDenied(
            _("Only the community manager of %(name)s changes its strategy.")
            % {"name": community.name}
        )
