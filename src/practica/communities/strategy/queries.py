"""Reads about a community's strategy: its versions, the current (latest approved) one, the
draft, and the leadership team each names. Live figures are elsewhere: the audience's reach in
`strategy.reach`, targets against live metric values in `strategy.targets`, the comparison of
two versions in `strategy.comparison`, maturity in `strategy.maturity_queries`."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from practica.communities.models import (
    Community,
    Membership,
    MembershipRole,
    StrategyAudience,
    StrategyLeader,
    StrategyStatus,
    StrategyVersion,
)
from practica.communities.permissions import LEADERSHIP_ROLES


def strategy_versions(community: Community) -> QuerySet[StrategyVersion]:
    """Every version of the community's strategy, the newest first, with who created and who
    approved it (drafts and superseded versions included)."""
    return (
        StrategyVersion.objects.filter(community=community)
        .select_related("created_by", "approved_by", "community")
        .order_by("-number")
    )


def with_sections(versions: QuerySet[StrategyVersion]) -> QuerySet[StrategyVersion]:
    """`versions` with their audience (and org units), targets and leaders (and their people)
    fetched in three more queries, each in its editor's order."""
    return versions.prefetch_related(
        Prefetch(
            "audience",
            queryset=StrategyAudience.objects.select_related("org_unit").order_by("position", "pk"),
        ),
        "targets",
        Prefetch(
            "leaders",
            queryset=StrategyLeader.objects.select_related("person", "person__org_unit").order_by(
                "position", "pk"
            ),
        ),
    )


def current_strategy(community: Community) -> StrategyVersion | None:
    """The strategy in force: the version approved last, with its sections; None before the
    first approval."""
    return (
        with_sections(strategy_versions(community)).filter(status=StrategyStatus.APPROVED).first()
    )


def strategy_draft(community: Community) -> StrategyVersion | None:
    """The draft being written, with its sections, if there is one (at most one)."""
    return with_sections(strategy_versions(community)).filter(status=StrategyStatus.DRAFT).first()


def strategy_version(community: Community, number: int) -> StrategyVersion | None:
    """Version `number` of the community's strategy, with its sections."""
    return with_sections(strategy_versions(community)).filter(number=number).first()


@dataclass(frozen=True)
class TeamMember:
    """A leader a version names, with their role in the community today (None: no longer a
    member)."""

    leader: StrategyLeader
    role: str | None

    @property
    def role_label(self) -> str:
        return str(MembershipRole(self.role).label) if self.role else ""

    @property
    def in_leadership_role(self) -> bool:
        """Whether their membership carries a leadership role (manager, leader, sponsor)."""
        return self.role in LEADERSHIP_ROLES

    @property
    def is_member(self) -> bool:
        return self.role is not None


def leadership_team(version: StrategyVersion) -> list[TeamMember]:
    """The leaders `version` names, in order, each with their current role in the community
    (one query beyond the version's prefetched leaders)."""
    leaders = list(version.leaders.all())
    roles = dict(
        Membership.objects.current()
        .filter(community_id=version.community_id, person_id__in=[row.person_id for row in leaders])
        .values_list("person_id", "role")
    )
    return [TeamMember(leader=row, role=roles.get(row.person_id)) for row in leaders]


def leadership_candidates(community: Community) -> QuerySet[Membership]:
    """Current members with a role above member (organizers, leaders, managers, sponsors): the
    people a leadership team is usually drawn from, by name."""
    return (
        Membership.objects.current()
        .filter(community=community)
        .exclude(role=MembershipRole.MEMBER)
        .select_related("person")
        .order_by("person__display_name")
    )
