"""Communities over HTTP: communities, their members, joining and leaving, and the managers'
requests and roles. Every check is a predicate of `communities.permissions`, every write a
service of `communities.services`, exactly as on the web pages."""

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import ConfigDict

from practica.api.errors import error_responses
from practica.api.fields import Id, Slug, text
from practica.api.pagination import Page
from practica.communities import services
from practica.communities.models import (
    Access,
    Community,
    LeftReason,
    Membership,
    MembershipRequest,
    MembershipRole,
    MembershipSource,
    Program,
    RequestStatus,
)
from practica.communities.permissions import (
    can_join,
    can_leave,
    can_manage_community,
    can_request_to_join,
    can_view_community,
    can_view_members,
    current_role,
)
from practica.communities.queries import (
    communities_with_member_counts,
    current_members,
    current_roles_of,
    pending_request_of,
    pending_requests,
    search_communities,
)
from practica.communities.services import MAX_REQUEST_MESSAGE
from practica.core.api import TopicRef
from practica.people.api import OrgUnitRef
from practica.people.models import User

router = Router(tags=["communities"])


# --- Schemas -------------------------------------------------------------------------------


class ProgramRef(Schema):
    id: int
    slug: str
    name: str


class CommunityRef(Schema):
    id: int
    slug: str
    name: str


class CommunityOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    access: Access
    program: ProgramRef | None
    member_count: int
    my_role: MembershipRole | None = Field(
        description="The caller's role in the community; null when not a member."
    )


class CommunityDetailOut(CommunityOut):
    mission: str
    founded_on: date | None
    topics: list[TopicRef]
    my_state: Literal["member", "pending", "none"]
    can_join: bool
    can_request_to_join: bool
    can_leave: bool
    can_manage: bool
    can_view_members: bool


class MemberPersonOut(Schema):
    id: int
    display_name: str
    job_title: str
    org_unit: OrgUnitRef | None


class MemberOut(Schema):
    person: MemberPersonOut
    role: MembershipRole
    source: MembershipSource
    joined_at: datetime


class MemberFilters(Schema):
    q: text(200) = Field("", description="Text matched against name and email.")
    role: MembershipRole | None = None


class MembershipStateOut(Schema):
    community: CommunityRef
    state: Literal["member", "pending", "none"] = Field(
        description="`member`, `pending` (a request awaits a manager) or `none`."
    )
    role: MembershipRole | None
    joined_at: datetime | None
    request_id: int | None
    requested_at: datetime | None


class JoinIn(Schema):
    model_config = ConfigDict(extra="forbid")

    message: text(MAX_REQUEST_MESSAGE) = Field(
        "", description="For a closed community: a note to its managers."
    )


class MyMembershipOut(Schema):
    community: CommunityRef
    role: MembershipRole
    joined_at: datetime


class JoinRequestOut(Schema):
    id: int
    person: MemberPersonOut
    message: str
    status: RequestStatus
    created_at: datetime
    decided_at: datetime | None


class DeclineIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: text(MAX_REQUEST_MESSAGE) = Field("", description="Told to the person by mail.")


class RoleChangeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    role: MembershipRole


# --- Helpers -------------------------------------------------------------------------------


def _visible_community(request: HttpRequest, slug: str) -> Community:
    community = get_object_or_404(Community.objects.select_related("program"), slug=slug)
    if not can_view_community(request.auth, community):
        raise PermissionDenied(_("You may not see this community."))
    return community


def _managed_community(request: HttpRequest, slug: str) -> Community:
    community = _visible_community(request, slug)
    if not can_manage_community(request.auth, community):
        raise PermissionDenied(_("Only the community's managers can do this."))
    return community


def _membership_state(community: Community, person: User) -> dict[str, Any]:
    membership = Membership.objects.current().filter(community=community, person=person).first()
    join_request = None if membership else pending_request_of(community, person)
    if membership is not None:
        state = "member"
    elif join_request is not None:
        state = "pending"
    else:
        state = "none"
    return {
        "community": community,
        "state": state,
        "role": membership.role if membership else None,
        "joined_at": membership.joined_at if membership else None,
        "request_id": join_request.pk if join_request else None,
        "requested_at": join_request.created_at if join_request else None,
    }


def _with_my_role(communities: QuerySet[Community], person: User) -> QuerySet[Community]:
    mine = Membership.objects.current().filter(community=OuterRef("pk"), person=person)
    return communities.annotate(my_role=Subquery(mine.values("role")[:1]))


# --- Communities ---------------------------------------------------------------------------


class CommunityFilters(Schema):
    q: text(160) = Field("", description="Text matched against the community's name.")
    program: Slug | None = Field(None, description="Only communities of this program (slug).")
    access: Literal["open", "closed"] | None = Field(None, description="Open or closed only.")
    mine: bool = Field(False, description="Only communities the caller belongs to.")


@router.get("/communities", response={200: list[CommunityOut], **error_responses(401, 422)})
@paginate(Page)
def list_communities(request: HttpRequest, filters: Query[CommunityFilters]) -> QuerySet[Community]:
    """Communities, the same search as the communities page: programs first, then by name,
    with each one's current member count and the caller's role. An unknown program is a 422."""
    program = None
    if filters.program:
        program = Program.objects.filter(slug=filters.program).first()
        if program is None:
            raise ValidationError({"program": _("There is no such program.")})
    among = list(current_roles_of(request.auth)) if filters.mine else None
    communities = search_communities(
        text=filters.q, program=program, access=filters.access or "", among=among
    )
    return _with_my_role(communities, request.auth)


@router.get(
    "/communities/{slug}",
    response={200: CommunityDetailOut, **error_responses(401, 403, 404, 422)},
)
def get_community(request: HttpRequest, slug: Slug) -> dict[str, Any]:
    """One community, with what the caller may do there."""
    user = request.auth
    community = get_object_or_404(
        _with_my_role(communities_with_member_counts(), user).prefetch_related("topics"),
        slug=slug,
    )
    if not can_view_community(user, community):
        raise PermissionDenied(_("You may not see this community."))
    state = _membership_state(community, user)
    return {
        "id": community.pk,
        "slug": community.slug,
        "name": community.name,
        "description": community.description,
        "mission": community.mission,
        "access": community.access,
        "program": community.program,
        "founded_on": community.founded_on,
        "topics": list(community.topics.all()),
        "member_count": community.member_count,
        "my_role": community.my_role,
        "my_state": state["state"],
        "can_join": can_join(user, community),
        "can_request_to_join": can_request_to_join(user, community) and state["state"] == "none",
        "can_leave": can_leave(user, community),
        "can_manage": can_manage_community(user, community),
        "can_view_members": can_view_members(user, community),
    }


@router.get(
    "/communities/{slug}/members",
    response={200: list[MemberOut], **error_responses(401, 403, 404, 422)},
    tags=["members"],
)
@paginate(Page)
def list_members(
    request: HttpRequest, slug: Slug, filters: Query[MemberFilters]
) -> QuerySet[Membership]:
    """Current members, newest first. A closed community shows them to its members only."""
    community = _visible_community(request, slug)
    if not can_view_members(request.auth, community):
        raise PermissionDenied(
            _("Only members of %(name)s see who belongs to it.") % {"name": community.name}
        )
    return current_members(community, text=filters.q, role=filters.role or "")


# --- The caller's membership ---------------------------------------------------------------


@router.get(
    "/communities/{slug}/membership",
    response={200: MembershipStateOut, **error_responses(401, 403, 404, 422)},
    tags=["memberships"],
)
def get_my_membership(request: HttpRequest, slug: Slug) -> dict[str, Any]:
    """Whether the caller is a member, has a pending request, or neither."""
    community = _visible_community(request, slug)
    return _membership_state(community, request.auth)


@router.post(
    "/communities/{slug}/membership",
    response={200: MembershipStateOut, **error_responses(401, 403, 404, 422)},
    tags=["memberships"],
)
def join_community(
    request: HttpRequest, slug: Slug, payload: JoinIn | None = None
) -> dict[str, Any]:
    """Join an open community, or ask to join a closed one (state `pending` until a manager
    decides). Calling it again changes nothing and answers the current state."""
    person = request.auth
    community = _visible_community(request, slug)
    if community.is_closed:
        if current_role(person, community) is None:
            services.request_to_join(
                community=community, person=person, message=payload.message if payload else ""
            )
    else:
        services.join_community(community=community, person=person)
    return _membership_state(community, person)


@router.delete(
    "/communities/{slug}/membership",
    response={200: MembershipStateOut, **error_responses(401, 403, 404, 422)},
    tags=["memberships"],
)
def leave_community(request: HttpRequest, slug: Slug) -> dict[str, Any]:
    """Leave the community (kept as history), or withdraw a pending request to join.
    Neither a member nor pending: 422."""
    person = request.auth
    community = _visible_community(request, slug)
    join_request = pending_request_of(community, person)
    if join_request is not None and current_role(person, community) is None:
        services.withdraw_membership_request(join_request=join_request, actor=person)
    else:
        services.leave_community(community=community, person=person)
    return _membership_state(community, person)


@router.get(
    "/me/memberships",
    response={200: list[MyMembershipOut], **error_responses(401)},
    tags=["memberships"],
)
def list_my_memberships(request: HttpRequest) -> QuerySet[Membership]:
    """The communities the caller belongs to now, with their role, by community name."""
    return (
        Membership.objects.current()
        .filter(person=request.auth)
        .select_related("community")
        .order_by("community__name")
    )


# --- Managing ------------------------------------------------------------------------------


@router.get(
    "/communities/{slug}/requests",
    response={200: list[JoinRequestOut], **error_responses(401, 403, 404, 422)},
    tags=["managing"],
)
@paginate(Page)
def list_join_requests(request: HttpRequest, slug: Slug) -> QuerySet[MembershipRequest]:
    """Pending requests to join, oldest first. Managers and leaders only."""
    return pending_requests(_managed_community(request, slug))


def _pending_request(community: Community, request_id: int) -> MembershipRequest:
    return get_object_or_404(
        MembershipRequest.objects.select_related("community", "person", "person__org_unit"),
        pk=request_id,
        community=community,
    )


@router.post(
    "/communities/{slug}/requests/{request_id}/approve",
    response={200: MemberOut, **error_responses(401, 403, 404, 422)},
    tags=["managing"],
)
def approve_join_request(request: HttpRequest, slug: Slug, request_id: Id) -> Membership:
    """Approve a pending request: the person becomes a member and is told by mail."""
    community = _managed_community(request, slug)
    join_request = _pending_request(community, request_id)
    return services.approve_membership_request(join_request=join_request, actor=request.auth)


@router.post(
    "/communities/{slug}/requests/{request_id}/decline",
    response={200: JoinRequestOut, **error_responses(401, 403, 404, 422)},
    tags=["managing"],
)
def decline_join_request(
    request: HttpRequest, slug: Slug, request_id: Id, payload: DeclineIn | None = None
) -> MembershipRequest:
    """Decline a pending request; the person is told by mail, with the reason if given."""
    community = _managed_community(request, slug)
    join_request = _pending_request(community, request_id)
    return services.decline_membership_request(
        join_request=join_request, actor=request.auth, reason=payload.reason if payload else ""
    )


def _current_membership(community: Community, person_id: int) -> Membership:
    return get_object_or_404(
        Membership.objects.current().select_related("community", "person", "person__org_unit"),
        community=community,
        person_id=person_id,
    )


@router.patch(
    "/communities/{slug}/members/{person_id}",
    response={200: MemberOut, **error_responses(401, 403, 404, 422)},
    tags=["managing"],
)
def change_member_role(
    request: HttpRequest, slug: Slug, person_id: Id, payload: RoleChangeIn
) -> Membership:
    """Give a member another role. The last manager or leader cannot step down (422)."""
    community = _managed_community(request, slug)
    membership = _current_membership(community, person_id)
    return services.change_member_role(membership=membership, role=payload.role, actor=request.auth)


@router.delete(
    "/communities/{slug}/members/{person_id}",
    response={200: MembershipStateOut, **error_responses(401, 403, 404, 422)},
    tags=["managing"],
)
def remove_member(request: HttpRequest, slug: Slug, person_id: Id) -> dict[str, Any]:
    """Remove a member (kept as history, reason `removed`)."""
    community = _managed_community(request, slug)
    membership = _current_membership(community, person_id)
    services.leave_community(
        community=community,
        person=membership.person,
        actor=request.auth,
        reason=LeftReason.REMOVED,
    )
    return _membership_state(community, membership.person)
