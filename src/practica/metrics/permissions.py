"""Who sees the community's numbers and who runs its pulse surveys."""

from typing import Any

from practica.communities.models import Community
from practica.communities.permissions import is_community_manager, is_in_leadership, is_member


def can_view_dashboard(user: Any, community: Community) -> bool:
    """The full dashboard, its tables, exports and the monthly report: the manager, the
    leadership team, the executive sponsor, and staff."""
    return is_in_leadership(user, community)


def can_view_month_summary(user: Any, community: Community) -> bool:
    """ "My community this month" (aggregates only): every member, and whoever sees the
    dashboard."""
    return is_member(user, community) or can_view_dashboard(user, community)


def can_manage_pulses(user: Any, community: Community) -> bool:
    """Scheduling, cancelling and reading pulse surveys' comments: the community manager and
    staff."""
    return is_community_manager(user, community)
