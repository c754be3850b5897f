"""Who may see and change budgets and grants: predicates used by views, API and services alike.

The community manager (or staff) keeps the budgets and decides grants; the leadership team and
the executive sponsor see budgets and every grant; any current member may apply for a grant
and sees their own.
"""

from typing import Any

from practica.budget.models import Grant, GrantStatus
from practica.communities.models import Community
from practica.communities.permissions import is_community_manager, is_in_leadership, is_member
from practica.people.permissions import is_signed_in

APPROVED_STATUSES = frozenset({GrantStatus.APPROVED, GrantStatus.PARTLY_APPROVED})
WITHDRAWABLE_STATUSES = frozenset({GrantStatus.SUBMITTED, *APPROVED_STATUSES})


def can_see_budgets(user: Any, community: Community) -> bool:
    """The leadership (manager, leaders, executive sponsor) and staff see the budgets."""
    return is_in_leadership(user, community)


def can_edit_budgets(user: Any, community: Community) -> bool:
    """Only the community manager (or staff) creates budgets, plans lines, records expenses."""
    return is_community_manager(user, community)


def can_see_all_grants(user: Any, community: Community) -> bool:
    return is_in_leadership(user, community)


def can_apply_for_grant(user: Any, community: Community) -> bool:
    return is_member(user, community)


def is_applicant(user: Any, grant: Grant) -> bool:
    return is_signed_in(user) and grant.applicant_id == user.pk


def can_see_grant(user: Any, grant: Grant) -> bool:
    """The applicant sees their own grant; the leadership sees all of the community's."""
    return is_applicant(user, grant) or can_see_all_grants(user, grant.community)


def can_decide_grants(user: Any, community: Community) -> bool:
    """Who works through the community's queue of applications."""
    return is_community_manager(user, community)


def can_decide_grant(user: Any, grant: Grant) -> bool:
    """The manager decides, but never on their own application."""
    return can_decide_grants(user, grant.community) and not is_applicant(user, grant)


def can_withdraw_grant(user: Any, grant: Grant) -> bool:
    """The applicant, until the outcome is reported (an approval withdrawn frees its money)."""
    return is_applicant(user, grant) and grant.status in WITHDRAWABLE_STATUSES


def can_report_grant(user: Any, grant: Grant) -> bool:
    """The grantee reports the outcome of an approved grant, once."""
    return is_applicant(user, grant) and grant.status in APPROVED_STATUSES
