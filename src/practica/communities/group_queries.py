"""Reads about grassroots groups, shared by the group pages and the API: a community's groups,
a group's members and owners, its list address and its upcoming meetings."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from practica.communities.calendar_sources import CalendarEntry, calendar_sources
from practica.communities.models import Community, Group, GroupKind, GroupMembership, GroupRole
from practica.people.models import User

UPCOMING_WINDOW = timedelta(days=90)
UPCOMING_LIMIT = 5


def community_groups(
    community: Community, *, kind: str = "", archived: bool = False
) -> QuerySet[Group]:
    """The community's groups by name — the running ones, or with `archived` the archived
    ones (latest archived first) — optionally of one kind, each with `member_count` (current
    members, owners included)."""
    groups = Group.objects.filter(community=community, archived_at__isnull=not archived)
    if kind:
        groups = groups.filter(kind=kind)
    groups = groups.select_related("community").annotate(
        member_count=Count("memberships", filter=Q(memberships__left_at__isnull=True))
    )
    if archived:
        return groups.order_by("-archived_at", "name", "pk")
    return groups.order_by("name", "pk")


@dataclass(frozen=True)
class GroupCounts:
    """How many running groups of each kind a community has, and how many are archived."""

    by_kind: dict[str, int]
    running: int
    archived: int


def group_counts(community: Community) -> GroupCounts:
    """Counts for the groups page's filters, in one query."""
    rows = Group.objects.filter(community=community).values_list("kind", "archived_at")
    by_kind: Counter[str] = Counter()
    archived = 0
    for kind, archived_at in rows:
        if archived_at is None:
            by_kind[kind] += 1
        else:
            archived += 1
    return GroupCounts(
        by_kind={kind: by_kind.get(kind, 0) for kind in GroupKind.values},
        running=sum(by_kind.values()),
        archived=archived,
    )


def group_members(group: Group) -> QuerySet[GroupMembership]:
    """The group's current rows: owners first, then by name."""
    return (
        GroupMembership.objects.filter(group=group, left_at__isnull=True)
        .select_related("person", "person__org_unit")
        .order_by("-role", "person__display_name", "pk")
    )


def group_owners(group: Group) -> list[User]:
    """The group's current owners, by name."""
    return [row.person for row in group_members(group).filter(role=GroupRole.OWNER)]


def group_member_count(group: Group) -> int:
    return GroupMembership.objects.filter(group=group, left_at__isnull=True).count()


def group_row_of(group: Group, person: Any) -> GroupMembership | None:
    """The person's current row in the group, if any."""
    if person is None or not person.is_authenticated:
        return None
    return GroupMembership.objects.filter(group=group, person=person, left_at__isnull=True).first()


def group_roles_of(person: Any, community: Community) -> dict[int, str]:
    """The person's current role in each group of the community they belong to, by group id."""
    if person is None or not person.is_authenticated:
        return {}
    return dict(
        GroupMembership.objects.filter(
            person=person, left_at__isnull=True, group__community=community
        ).values_list("group_id", "role")
    )


def group_list_address(group: Group) -> str:
    """The group's list address, `<community-slug>.<group-slug>@<MAIL_LIST_DOMAIN>` (the same
    rule as `practica.mail.addresses`, which communities cannot import)."""
    return f"{group.community.slug}.{group.slug}@{settings.MAIL_LIST_DOMAIN}".lower()


def upcoming_group_meetings(
    group: Group,
    *,
    now: datetime | None = None,
    window: timedelta = UPCOMING_WINDOW,
    limit: int = UPCOMING_LIMIT,
) -> list[CalendarEntry]:
    """The group's next meetings (entries of every registered calendar source that belong to
    the group) starting within `window`, soonest first, at most `limit`."""
    now = now or timezone.now()
    entries: list[CalendarEntry] = []
    for source in calendar_sources():
        entries.extend(
            entry
            for entry in source.entries(
                community_ids=[group.community_id], starts=now, ends=now + window
            )
            if entry.group_id == group.pk and entry.ends_at > now
        )
    entries.sort(key=lambda entry: (entry.starts_at, entry.title, entry.object_id))
    return entries[:limit]
