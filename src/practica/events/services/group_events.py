"""A grassroots group's meetings are events of its community with `Event.group` set.

The check before an event is made (or changed into) a group's meeting, and the group every
activity about such an event carries (`data={"group": id}`: hosted, presented, registered,
attended, feedback, AMA questions), which the group's health (`communities.group_health`)
counts as the group's activity.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from practica.communities.models import Community, Group
from practica.events.permissions import can_create_event, can_schedule_for_group


def check_event_group(*, actor: Any, community: Community, group: Group) -> None:
    """Raise unless `actor` may hold an event of `community` as `group`'s meeting: the group
    must be the community's and not archived (ValidationError on `group`), and the actor its
    owner or one of the community's organizers (PermissionDenied)."""
    if group.community_id != community.pk:
        raise ValidationError({"group": _("That group belongs to another community.")})
    if group.is_archived:
        raise ValidationError(
            {"group": _("%(group)s is archived: it has no new meetings.") % {"group": group.name}}
        )
    if not can_schedule_for_group(actor, group):
        raise PermissionDenied(
            _("Only the owners of %(group)s and the community's organizers schedule its meetings.")
            % {"group": group.name}
        )


def check_event_leaves_group(*, actor: Any, community: Community) -> None:
    """Raise unless `actor` may turn a group's meeting into an event of the whole community:
    only the community's organizers schedule those, so a group's owner (who may edit the
    group's meetings) cannot make one this way (PermissionDenied)."""
    if not can_create_event(actor, community):
        raise PermissionDenied(
            _("Only the community's organizers schedule events that are not a group's meeting.")
        )


def group_activity_data(event: Any) -> dict[str, int]:
    """`{"group": id}` for a group's meeting, else nothing: merged into its activities' data."""
    return {"group": event.group_id} if event.group_id else {}
