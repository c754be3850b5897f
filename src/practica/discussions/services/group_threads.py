"""What makes a thread a grassroots group's: the check before one is started in a group, and
the group every activity about it carries (`data={"group": id}`), which is what the group's
health (`communities.group_health`) counts as the group's activity.

A group's thread is still its community's thread (read, answered, moderated and routed like
any other); only starting one is for the group's members, and its list mail goes to them.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from practica.communities.models import Community, Group
from practica.discussions.permissions import can_start_group_thread


def check_group_thread(*, author: Any, community: Community, group: Group) -> None:
    """Raise unless `author` may start a thread of `community` in `group`: the group must be
    the community's (ValidationError on `group`) and open (not archived), and the author one
    of its current members or a moderator of the community (PermissionDenied)."""
    if group.community_id != community.pk:
        raise ValidationError({"group": _("That group belongs to another community.")})
    if group.is_archived:
        raise ValidationError(
            {"group": _("%(group)s is archived: it takes no new threads.") % {"group": group.name}}
        )
    if not can_start_group_thread(author, group):
        raise PermissionDenied(
            _("Only members of %(group)s can start its threads.") % {"group": group.name}
        )


def group_activity_data(thread: Any) -> dict[str, int]:
    """`{"group": id}` for a group's thread, else nothing: merged into its activities' data."""
    return {"group": thread.group_id} if thread.group_id else {}
