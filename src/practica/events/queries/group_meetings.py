"""A grassroots group's meetings: the events of its community with `Event.group` set, for the
group's calendar page, its API and its calendar feed.

Members see what they see in any list (published and cancelled events); drafts only those who
may organize the meeting (the group's owners and the community's organizers).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from practica.communities.group_permissions import is_group_owner
from practica.communities.models import Group
from practica.events.models import Event, EventHost, EventStatus
from practica.events.permissions import can_create_event

YEAR = timedelta(days=365)


def may_organize_meetings(viewer: Any, group: Group) -> bool:
    """The group's owners and its community's organizers (an archived group's too)."""
    return can_create_event(viewer, group.community) or is_group_owner(viewer, group)


def group_events(group: Group, viewer: Any) -> QuerySet[Event]:
    """The group's events `viewer` may see, drafts included for those who organize them."""
    events = Event.objects.filter(group=group)
    if not may_organize_meetings(viewer, group):
        events = events.exclude(status=EventStatus.DRAFT)
    return events.select_related("community", "group").prefetch_related(
        "topics", Prefetch("hosts", queryset=EventHost.objects.select_related("person"))
    )


@dataclass(frozen=True)
class GroupMeetings:
    """The group's upcoming meetings (soonest first), its past ones (latest first, to page
    through) and how many it held in the last year (published, not cancelled)."""

    upcoming: list[Event]
    past: QuerySet[Event]
    held_last_year: int


def group_meetings(group: Group, viewer: Any, *, now: datetime | None = None) -> GroupMeetings:
    """See `GroupMeetings`; an event counts as past once it has ended."""
    now = now or timezone.now()
    events = group_events(group, viewer)
    held = Event.objects.filter(
        group=group,
        status=EventStatus.PUBLISHED,
        ends_at__lt=now,
        starts_at__gte=now - YEAR,
    ).count()
    return GroupMeetings(
        upcoming=list(events.filter(ends_at__gte=now).order_by("starts_at", "pk")),
        past=events.filter(ends_at__lt=now).order_by("-starts_at", "-pk"),
        held_last_year=held,
    )
