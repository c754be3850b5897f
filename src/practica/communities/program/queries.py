"""Reads behind the program directory and its management page, reused by views and API."""

from collections import defaultdict

from django.db.models import Count, Prefetch, Q, QuerySet

from practica.communities.models import Community, Membership, MembershipRole, Program
from practica.core.models import Topic
from practica.people.models import User

# How many topics a community's card shows in the directory.
TOPICS_SHOWN = 6


def programs_for_directory() -> QuerySet[Program]:
    """Every program by name, annotated with `community_count` and `member_count` (distinct
    people currently in at least one of its communities)."""
    return Program.objects.annotate(
        community_count=Count("communities", distinct=True),
        member_count=Count(
            "communities__memberships__person",
            filter=Q(communities__memberships__left_at__isnull=True),
            distinct=True,
        ),
    ).order_by("name", "pk")


def program_communities(program: Program) -> QuerySet[Community]:
    """The program's communities by name, each annotated with `member_count` (current members)
    and with its topics prefetched (by path) as `topic_list`."""
    return (
        Community.objects.filter(program=program)
        .annotate(member_count=Count("memberships", filter=Q(memberships__left_at__isnull=True)))
        .prefetch_related(
            Prefetch("topics", queryset=Topic.objects.order_by("path"), to_attr="topic_list")
        )
        .order_by("name", "pk")
    )


def community_managers(community_ids: list[int]) -> dict[int, list[User]]:
    """The current community managers of each community, by name (one query)."""
    memberships = (
        Membership.objects.current()
        .filter(community_id__in=community_ids, role=MembershipRole.MANAGER)
        .select_related("person")
        .order_by("person__display_name", "person_id")
    )
    managers: dict[int, list[User]] = defaultdict(list)
    for membership in memberships:
        managers[membership.community_id].append(membership.person)
    return dict(managers)


def office_members(program: Program) -> QuerySet[User]:
    """The program office, by name, with their org unit."""
    return program.office.select_related("org_unit").order_by("display_name", "pk")


def communities_outside_programs() -> QuerySet[Community]:
    """Communities in no program, by name: the ones a program may take in."""
    return Community.objects.filter(program__isnull=True).order_by("name", "pk")


def roles_in(user: User, community_ids: list[int]) -> dict[int, str]:
    """The user's current role in each of the communities they belong to (one query)."""
    if not user.is_authenticated:
        return {}
    return dict(
        Membership.objects.current()
        .filter(person=user, community_id__in=community_ids)
        .values_list("community_id", "role")
    )
