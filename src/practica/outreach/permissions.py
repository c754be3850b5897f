"""Who may run provisioning and outreach; used by views, API and services alike."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from practica.communities.models import Community
from practica.communities.permissions import can_manage_community, is_member
from practica.people.permissions import is_signed_in


def can_manage_provisioning(user: Any) -> bool:
    """SCIM tokens and HR imports change everyone's account: staff only."""
    return is_signed_in(user) and bool(user.is_staff)


def can_manage_outreach(user: Any, community: Community) -> bool:
    """Segments, campaigns, the funnel and continuity alerts: the community's managers."""
    return can_manage_community(user, community)


def require_outreach_manager(user: Any, community: Community, message: Any = None) -> None:
    """PermissionDenied (with `message`, or the general one) unless `can_manage_outreach`."""
    if not can_manage_outreach(user, community):
        raise PermissionDenied(
            message or _("Only the community's managers can manage its outreach.")
        )


def can_invite(user: Any, community: Community) -> bool:
    """Any current member may invite colleagues to their community."""
    return is_signed_in(user) and (is_member(user, community) or bool(user.is_staff))


def can_withdraw_invitation(user: Any, invitation: Any) -> bool:
    """An invitation is its sender's to take back."""
    return is_signed_in(user) and invitation.inviter_id == user.pk
