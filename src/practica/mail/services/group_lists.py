"""Who may write to a grassroots group's list address (`<community>.<group>@`).

The inbound service asks before handing group list mail to the list handler. Unlike the
community's list, mail from anyone else is refused rather than held for moderation: a
moderator's approval could not make the sender a member of the group, and the group's list
is its members' own conversation.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from practica.communities.group_permissions import is_group_member
from practica.communities.models import Group
from practica.communities.permissions import is_member
from practica.people.models import User


def is_group_list_member(person: User, group: Group) -> bool:
    """A current member of the group who is still a current member of its community."""
    return is_group_member(person, group) and is_member(person, group.community)


def group_list_refusal(person: User | None, group: Group) -> str | None:
    """None when `person` may post to the group's list; otherwise the reason, in their
    language (the site's for an unknown sender)."""
    if person is not None and not person.is_placeholder and is_group_list_member(person, group):
        return None
    language = (person.preferred_language if person is not None else "") or settings.LANGUAGE_CODE
    with translation.override(language):
        return _("Only members of the group %(group)s can post to its list.") % {
            "group": group.name
        }
