"""Grassroots groups over HTTP, added to /api/v1/ by practica.api.api: a community's groups
with their health, one group, founding and editing, joining and leaving, members and owners,
archiving and reopening, and the health details for the people who can act on them.

Every check is a predicate of `group_permissions`, every write a service of `group_services`,
exactly as on the web pages. A closed community's groups are for its members (403 for
others); an unknown community or group is a 404; a service's refusal is a 403 or a 422.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from practica.api.errors import error_responses
from practica.api.fields import Id, Slug
from practica.api.pagination import Page
from practica.communities import group_services as services
from practica.communities.group_health import group_health, groups_health
from practica.communities.group_permissions import (
    can_found_group,
    can_join_group,
    can_manage_group,
    can_see_group_health,
    can_view_group,
)
from practica.communities.group_queries import (
    community_groups,
    group_list_address,
    group_member_count,
    group_members,
    group_owners,
    group_roles_of,
    group_row_of,
    upcoming_group_meetings,
)
from practica.communities.group_schemas import (
    GroupArchiveIn,
    GroupDetailOut,
    GroupFilters,
    GroupHealthFilters,
    GroupHealthOut,
    GroupHealthRowOut,
    GroupIn,
    GroupMemberIn,
    GroupMemberOut,
    GroupMembershipStateOut,
    GroupOut,
    GroupPatchIn,
    GroupRoleIn,
)
from practica.communities.models import Community, Group, GroupMembership
from practica.communities.permissions import can_manage_community, can_view_members
from practica.people.models import User

router = Router(tags=["groups"])

ERRORS = error_responses(401, 403, 404, 422)


# --- Helpers -------------------------------------------------------------------------------------


def _visible_community(request: HttpRequest, slug: str) -> Community:
    community = get_object_or_404(Community, slug=slug)
    if not can_view_members(request.auth, community):
        raise PermissionDenied(
            _("%(name)s is closed: its groups are for its members.") % {"name": community.name}
        )
    return community


def _visible_group(request: HttpRequest, slug: str, group_slug: str) -> Group:
    community = _visible_community(request, slug)
    group = get_object_or_404(
        Group.objects.select_related("community", "archived_by"),
        community=community,
        slug=group_slug,
    )
    if not can_view_group(request.auth, group):
        raise PermissionDenied(_("You may not see this group."))
    return group


def _managed_group(request: HttpRequest, slug: str, group_slug: str) -> Group:
    group = _visible_group(request, slug, group_slug)
    if not can_manage_group(request.auth, group):
        raise PermissionDenied(
            _("Only the group's owners and the community's managers can do this.")
        )
    return group


def _optional_url(name: str, **kwargs: str) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _group_url(group: Group) -> str:
    return reverse("communities:group", args=[group.community.slug, group.slug])


def _person(person_id: int, field: str) -> User:
    person = User.objects.filter(pk=person_id).first()
    if person is None:
        raise ValidationError({field: _("There is no such person.")})
    return person


def _with_person_id(error: ValidationError) -> ValidationError:
    """The services name the field `person`; the API's input is `person_id`."""
    if hasattr(error, "error_dict") and "person" in error.error_dict:
        return ValidationError({"person_id": error.error_dict["person"]})
    return error


def _group_payload(group: Group, user: Any, *, role: str | None = None) -> dict[str, Any]:
    """A group as `GroupOut` reads it."""
    health = getattr(group, "health", None) or group_health(group)
    return {
        "id": group.pk,
        "slug": group.slug,
        "name": group.name,
        "kind": group.kind,
        "description": group.description,
        "cadence": group.cadence,
        "meeting_note": group.meeting_note,
        "idle_after_days": group.idle_after_days,
        "archived_at": group.archived_at,
        "archive_note": group.archive_note,
        "member_count": (
            group.member_count if hasattr(group, "member_count") else group_member_count(group)
        ),
        "my_role": role,
        "health": health,
        "url": _group_url(group),
    }


def _group_detail(group: Group, user: Any) -> dict[str, Any]:
    row = group_row_of(group, user)
    community = group.community
    return {
        **_group_payload(group, user, role=row.role if row else None),
        "community": community,
        "created_at": group.created_at,
        "archived_by": group.archived_by,
        "owners": group_owners(group),
        "list_address": group_list_address(group),
        "threads_url": _optional_url(
            "discussions:group_threads", community=community.slug, group=group.slug
        ),
        "calendar_url": _optional_url(
            "events:group_calendar", community=community.slug, group=group.slug
        ),
        "upcoming_meetings": upcoming_group_meetings(group),
        "can_join": can_join_group(user, group),
        "can_manage": can_manage_group(user, group),
    }


def _membership_state(group: Group, user: Any) -> dict[str, Any]:
    row = group_row_of(group, user)
    return {
        "group": group,
        "role": row.role if row else None,
        "joined_at": row.joined_at if row else None,
    }


class GroupPage(Page):
    """A page of groups whose health and the caller's roles are read for the page at once."""

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        groups = list(page["items"])
        health = groups_health(groups)
        roles = group_roles_of(request.auth, groups[0].community) if groups else {}
        items = []
        for group in groups:
            group.health = health[group.pk]
            items.append(_group_payload(group, request.auth, role=roles.get(group.pk)))
        return {**page, "items": items}


# --- A community's groups -------------------------------------------------------------------------


@router.get("/communities/{slug}/groups", response={200: list[GroupOut], **ERRORS})
@paginate(GroupPage)
def list_community_groups(
    request: HttpRequest, slug: Slug, filters: Query[GroupFilters]
) -> QuerySet[Group]:
    """The community's running groups by name (or, with `archived`, its archived ones), each
    with its member count, whether it is active or idle, and the caller's role in it."""
    community = _visible_community(request, slug)
    return community_groups(community, kind=filters.kind or "", archived=filters.archived)


@router.post("/communities/{slug}/groups", response={201: GroupDetailOut, **ERRORS})
def found_community_group(request: HttpRequest, slug: Slug, payload: GroupIn) -> Status:
    """Found a group: the community's organizers, leaders and managers. An address already
    taken in the community is a 422 on `slug`."""
    community = _visible_community(request, slug)
    if not can_found_group(request.auth, community):
        raise PermissionDenied(_("Only the community's organizers can found groups."))
    owner = _person(payload.owner_id, "owner_id") if payload.owner_id else None
    try:
        group = services.create_group(
            community=community,
            actor=request.auth,
            name=payload.name,
            kind=payload.kind,
            description=payload.description,
            slug=payload.slug,
            cadence=payload.cadence,
            meeting_note=payload.meeting_note,
            idle_after_days=payload.idle_after_days,
            owner=owner,
        )
    except ValidationError as error:
        if hasattr(error, "error_dict") and "owner" in error.error_dict:
            raise ValidationError({"owner_id": error.error_dict["owner"]}) from None
        raise
    return Status(201, _group_detail(group, request.auth))


@router.get(
    "/communities/{slug}/group-health",
    response={200: list[GroupHealthRowOut], **ERRORS},
)
@paginate(Page)
def list_community_group_health(
    request: HttpRequest, slug: Slug, filters: Query[GroupHealthFilters]
) -> list[dict[str, Any]]:
    """The health of every running group of the community, by name; with `flagged`, only the
    groups that need attention. The community's managers and leaders only."""
    community = _visible_community(request, slug)
    if not can_manage_community(request.auth, community):
        raise PermissionDenied(_("Only the community's managers see every group's health."))
    groups = list(community_groups(community))
    health = groups_health(groups)
    rows = []
    for group in groups:
        found = health[group.pk]
        if filters.state and found.state != filters.state:
            continue
        if filters.flagged and not found.needs_attention:
            continue
        rows.append({"group": group, "health": found})
    return rows


# --- One group ------------------------------------------------------------------------------------


@router.get("/communities/{slug}/groups/{group}", response={200: GroupDetailOut, **ERRORS})
def get_community_group(request: HttpRequest, slug: Slug, group: Slug) -> dict[str, Any]:
    """One group with its owners, list address, next meetings, and what the caller may do."""
    return _group_detail(_visible_group(request, slug, group), request.auth)


@router.patch("/communities/{slug}/groups/{group}", response={200: GroupDetailOut, **ERRORS})
def edit_community_group(
    request: HttpRequest, slug: Slug, group: Slug, payload: GroupPatchIn
) -> dict[str, Any]:
    """Change the group's details (its owners and the community's managers). The address
    never changes. An archived group is a 422: reopen it first."""
    found = _managed_group(request, slug, group)
    services.edit_group(group=found, actor=request.auth, **payload.changes())
    return _group_detail(_visible_group(request, slug, group), request.auth)


@router.get("/communities/{slug}/groups/{group}/health", response={200: GroupHealthOut, **ERRORS})
def get_community_group_health(request: HttpRequest, slug: Slug, group: Slug) -> Any:
    """The group's health in full: the group's owners and the community's managers only."""
    found = _visible_group(request, slug, group)
    if not can_see_group_health(request.auth, found):
        raise PermissionDenied(
            _("Only the group's owners and the community's managers see its health.")
        )
    return group_health(found)


@router.post("/communities/{slug}/groups/{group}/archive", response={200: GroupDetailOut, **ERRORS})
def archive_community_group(
    request: HttpRequest, slug: Slug, group: Slug, payload: GroupArchiveIn
) -> dict[str, Any]:
    """Archive a group that has run its course, saying why; already archived is a 422."""
    found = _managed_group(request, slug, group)
    services.archive_group(group=found, note=payload.note, actor=request.auth)
    return _group_detail(_visible_group(request, slug, group), request.auth)


@router.post("/communities/{slug}/groups/{group}/reopen", response={200: GroupDetailOut, **ERRORS})
def reopen_community_group(request: HttpRequest, slug: Slug, group: Slug) -> dict[str, Any]:
    """Reopen an archived group; one that is not archived is a 422."""
    found = _managed_group(request, slug, group)
    services.reopen_group(group=found, actor=request.auth)
    return _group_detail(_visible_group(request, slug, group), request.auth)


# --- Joining and leaving -------------------------------------------------------------------------


@router.get(
    "/communities/{slug}/groups/{group}/membership",
    response={200: GroupMembershipStateOut, **ERRORS},
)
def get_my_group_membership(request: HttpRequest, slug: Slug, group: Slug) -> dict[str, Any]:
    """Whether the caller is in the group, and as what."""
    return _membership_state(_visible_group(request, slug, group), request.auth)


@router.post(
    "/communities/{slug}/groups/{group}/membership",
    response={200: GroupMembershipStateOut, **ERRORS},
)
def join_community_group(request: HttpRequest, slug: Slug, group: Slug) -> dict[str, Any]:
    """Join the group: open to every current member of the community (403 for others); an
    archived group is a 422. Joining again changes nothing."""
    found = _visible_group(request, slug, group)
    services.join_group(group=found, actor=request.auth)
    return _membership_state(found, request.auth)


@router.delete(
    "/communities/{slug}/groups/{group}/membership",
    response={200: GroupMembershipStateOut, **ERRORS},
)
def leave_community_group(request: HttpRequest, slug: Slug, group: Slug) -> dict[str, Any]:
    """Leave the group (kept as history). Not in it, or its last owner while others remain:
    422."""
    found = _visible_group(request, slug, group)
    services.leave_group(group=found, actor=request.auth)
    return _membership_state(found, request.auth)


# --- Members ------------------------------------------------------------------------------------


@router.get(
    "/communities/{slug}/groups/{group}/members", response={200: list[GroupMemberOut], **ERRORS}
)
@paginate(Page)
def list_community_group_members(
    request: HttpRequest, slug: Slug, group: Slug
) -> QuerySet[GroupMembership]:
    """The group's current members: owners first, then by name."""
    return group_members(_visible_group(request, slug, group))


@router.post(
    "/communities/{slug}/groups/{group}/members",
    response={201: GroupMemberOut, **ERRORS},
)
def add_community_group_member(
    request: HttpRequest, slug: Slug, group: Slug, payload: GroupMemberIn
) -> Status:
    """Add a colleague to the group as a member or an owner (the group's owners and the
    community's managers); adding someone already in it returns their row (made owner if
    asked). A closed community's groups take its members only (422 on `person_id`)."""
    found = _managed_group(request, slug, group)
    person = _person(payload.person_id, "person_id")
    try:
        row = services.add_group_member(
            group=found, person=person, actor=request.auth, role=payload.role
        )
    except ValidationError as error:
        raise _with_person_id(error) from None
    return Status(201, row)


def _current_row(group: Group, person_id: int) -> GroupMembership:
    return get_object_or_404(
        GroupMembership.objects.select_related("person"),
        group=group,
        person_id=person_id,
        left_at__isnull=True,
    )


@router.patch(
    "/communities/{slug}/groups/{group}/members/{person_id}",
    response={200: GroupMemberOut, **ERRORS},
)
def change_community_group_member_role(
    request: HttpRequest, slug: Slug, group: Slug, person_id: Id, payload: GroupRoleIn
) -> GroupMembership:
    """Make a member an owner, or an owner a member. The last owner is not made a member
    while others remain (422)."""
    found = _managed_group(request, slug, group)
    row = _current_row(found, person_id)
    return services.change_group_member_role(
        group=found, person=row.person, role=payload.role, actor=request.auth
    )


@router.delete(
    "/communities/{slug}/groups/{group}/members/{person_id}",
    response={200: GroupMembershipStateOut, **ERRORS},
)
def remove_community_group_member(
    request: HttpRequest, slug: Slug, group: Slug, person_id: Id
) -> dict[str, Any]:
    """Take someone out of the group (kept as history). The last owner stays while others
    remain (422)."""
    found = _managed_group(request, slug, group)
    row = _current_row(found, person_id)
    services.remove_group_member(group=found, person=row.person, actor=request.auth)
    return _membership_state(found, row.person)
