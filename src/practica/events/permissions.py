"""Predicates about events, used by views, API and services alike."""

from typing import Any

from practica.communities.group_permissions import is_group_owner
from practica.communities.models import Community, Group, GroupMembership, GroupRole
from practica.communities.permissions import can_manage_community, can_moderate_community
from practica.events.models import Event, EventStatus
from practica.people.permissions import is_signed_in


def can_create_event(user: Any, community: Community) -> bool:
    """Organizers, leaders and managers of the hosting community schedule its events."""
    return can_moderate_community(user, community)


def can_schedule_for_group(user: Any, group: Group) -> bool:
    """A grassroots group's meetings: scheduled by its owners and by its community's
    organizers (leaders, managers, staff), while the group is not archived."""
    if group.is_archived:
        return False
    return can_create_event(user, group.community) or is_group_owner(user, group)


def can_schedule_in(user: Any, community: Community) -> bool:
    """Whether the scheduling form is open to the user: the community's organizers, and the
    owners of one of its open groups (who schedule for their group only)."""
    if not is_signed_in(user):
        return False
    if can_create_event(user, community):
        return True
    return GroupMembership.objects.filter(
        person=user,
        role=GroupRole.OWNER,
        left_at__isnull=True,
        group__community=community,
        group__archived_at__isnull=True,
    ).exists()


def is_event_host(user: Any, event: Event) -> bool:
    """A member listed among the event's hosts or speakers (cached on the user per request)."""
    if not is_signed_in(user):
        return False
    cache = user.__dict__.setdefault("_hosted_events", {})
    if event.pk not in cache:
        cache[event.pk] = event.hosts.filter(person=user).exists()
    return cache[event.pk]


def can_manage_event(user: Any, event: Event) -> bool:
    """Edit, cancel, check people in, see registrations, costs and feedback.

    The hosting community's organizers and managers, a co-host's managers, the event's own
    hosts, and the owners of the group whose meeting it is; staff can always step in.
    """
    if not is_signed_in(user):
        return False
    if user.is_staff or can_moderate_community(user, event.community):
        return True
    if is_event_host(user, event):
        return True
    if event.group_id is not None and is_group_owner(user, event.group):
        return True
    return any(can_manage_community(user, community) for community in event.co_hosts.all())


def can_view_event(user: Any, event: Event) -> bool:
    """Signed-in members see published and cancelled events; drafts only their organizers."""
    if not is_signed_in(user):
        return False
    if event.status == EventStatus.DRAFT:
        return can_manage_event(user, event)
    return True


def can_register(user: Any, event: Event) -> bool:
    """Any signed-in, active member may register for a published event (rules on the window
    and seats are the registration service's, with their own messages)."""
    return is_signed_in(user) and user.is_active and event.status == EventStatus.PUBLISHED


def can_see_online_link(user: Any, event: Event, registration: Any = None) -> bool:
    """The meeting link is for registrants (holding a seat) and organizers only."""
    if can_manage_event(user, event):
        return True
    return registration is not None and registration.holds_seat


def can_moderate_ama(user: Any, event: Event) -> bool:
    """Hide or mark answered AMA questions: the event's managers and hosts."""
    return can_manage_event(user, event)
