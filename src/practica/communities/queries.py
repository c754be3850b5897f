"""Reads about communities reused by views, API and metrics."""

from collections.abc import Iterable

from django.db.models import Count, F, Q, QuerySet

from practica.communities.models import (
    Community,
    Membership,
    MembershipRequest,
    MembershipRole,
    Program,
    RequestStatus,
)
from practica.people.models import User


def communities_with_member_counts() -> QuerySet[Community]:
    """Every community, annotated with `member_count` (current members)."""
    return (
        Community.objects.select_related("program")
        .annotate(member_count=Count("memberships", filter=Q(memberships__left_at__isnull=True)))
        .order_by("name")
    )


def search_communities(
    *,
    text: str = "",
    program: Program | None = None,
    access: str = "",
    among: list[int] | None = None,
) -> QuerySet[Community]:
    """Communities whose name contains `text`, in `program`, of `access`, and (when `among`
    is given) with those ids; programs first, alphabetically, communities outside any last."""
    communities = communities_with_member_counts()
    if text.strip():
        communities = communities.filter(name__icontains=text.strip())
    if program is not None:
        communities = communities.filter(program=program)
    if access:
        communities = communities.filter(access=access)
    if among is not None:
        communities = communities.filter(pk__in=among)
    return communities.order_by(F("program__name").asc(nulls_last=True), "name", "pk")


def communities_of(person: User) -> QuerySet[Community]:
    """The communities the person currently belongs to, with their member counts."""
    ids = Membership.objects.current().filter(person=person).values("community_id")
    return communities_with_member_counts().filter(pk__in=ids)


def current_members(
    community: Community, *, text: str = "", role: str = ""
) -> QuerySet[Membership]:
    """Current memberships of a community, newest first, filtered by name text and role."""
    memberships = (
        Membership.objects.current()
        .filter(community=community)
        .select_related("person", "person__org_unit")
    )
    text = text.strip()
    if text:
        memberships = memberships.filter(
            Q(person__display_name__icontains=text) | Q(person__email__istartswith=text)
        )
    if role:
        memberships = memberships.filter(role=role)
    return memberships.order_by("-joined_at", "pk")


def membership_history(community: Community, person: User) -> QuerySet[Membership]:
    return Membership.objects.filter(community=community, person=person).order_by("joined_at")


def pending_requests(community: Community) -> QuerySet[MembershipRequest]:
    return (
        MembershipRequest.objects.filter(community=community, status=RequestStatus.PENDING)
        .select_related("person", "person__org_unit")
        .order_by("created_at")
    )


def pending_request_of(community: Community, person: User) -> MembershipRequest | None:
    return MembershipRequest.objects.filter(
        community=community, person=person, status=RequestStatus.PENDING
    ).first()


LEADERSHIP_ROLES = (
    MembershipRole.EXECUTIVE_SPONSOR,
    MembershipRole.MANAGER,
    MembershipRole.LEADER,
)


def community_leadership(community: Community) -> dict[str, list[User]]:
    """The community's current executive sponsors, managers and leaders, keyed by role
    (in that order; a role with nobody in it is left out)."""
    memberships = (
        Membership.objects.current()
        .filter(community=community, role__in=LEADERSHIP_ROLES)
        .select_related("person")
        .order_by("person__display_name", "pk")
    )
    by_role: dict[str, list[User]] = {}
    for membership in memberships:
        by_role.setdefault(membership.role, []).append(membership.person)
    return {role: by_role[role] for role in LEADERSHIP_ROLES if role in by_role}


def active_people_with_roles(community_id: int, roles: Iterable[str]) -> QuerySet[User]:
    """The people with an active account who currently hold one of `roles` in the community,
    by id: whom a service mails about something the community's managers decide."""
    return User.objects.filter(
        pk__in=Membership.objects.current()
        .filter(community_id=community_id, role__in=list(roles))
        .values("person_id"),
        is_active=True,
    ).order_by("pk")


def sister_communities(community: Community) -> QuerySet[Community]:
    """The other communities of the same program, with member counts; none without a program."""
    if community.program_id is None:
        return Community.objects.none()
    return (
        communities_with_member_counts()
        .filter(program_id=community.program_id)
        .exclude(pk=community.pk)
    )


def current_roles_of(person: User) -> dict[int, str]:
    """The person's role in each community they currently belong to, by community id."""
    if not person.is_authenticated:
        return {}
    return dict(
        Membership.objects.current().filter(person=person).values_list("community_id", "role")
    )


def membership_counts(community: Community) -> dict[str, int]:
    """Current members, managers/leaders and pending requests, for a manager's overview."""
    current = Membership.objects.current().filter(community=community)
    return {
        "members": current.count(),
        "managers": current.filter(
            role__in=(MembershipRole.MANAGER, MembershipRole.LEADER)
        ).count(),
        "pending": MembershipRequest.objects.filter(
            community=community, status=RequestStatus.PENDING
        ).count(),
    }
