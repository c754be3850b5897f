"""The live reach of a strategy's audience: for each row, how many people at the company match it
and how many of them are members of the community now.

People counted are those in the directory (active, real, still at the company: see
`people.queries.people_in_directory`). A row matches people in its org unit or any unit below
it (`OrgUnit.path` prefix), with its role, whose job title contains its text (case-insensitive):
every criterion the row gives must hold. A row whose only criterion was an org unit since
removed from the org chart matches nobody (it never silently counts the whole company).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from practica.communities.models import Membership, StrategyAudience, StrategyVersion
from practica.core.tree import subtree_filter
from practica.people.models import Role, User
from practica.people.queries import people_in_directory

SHARE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Reach:
    """How many people an audience matches and how many of them are members."""

    people: int
    members: int

    @property
    def share(self) -> Decimal | None:
        """Members ÷ people (0–1), None when the audience matches nobody."""
        if not self.people:
            return None
        return (Decimal(self.members) / Decimal(self.people)).quantize(SHARE_PLACES)

    @property
    def percent(self) -> Decimal | None:
        share = self.share
        return None if share is None else share * 100

    @property
    def not_yet_members(self) -> int:
        return self.people - self.members


def audience_criteria(row: StrategyAudience) -> list[str]:
    """What the row asks of people, as short phrases ("in Research and below")."""
    phrases = []
    if row.org_unit is not None:
        phrases.append(_("in %(unit)s and below") % {"unit": row.org_unit.name})
    if row.role:
        label = Role(row.role).label if row.role in Role.values else row.role
        phrases.append(_("role: %(role)s") % {"role": label})
    if row.job_title_contains:
        phrases.append(_("job title contains “%(text)s”") % {"text": row.job_title_contains})
    if not phrases:
        phrases.append(_("its org unit is no longer in the org chart: it matches nobody"))
    return phrases


@dataclass(frozen=True)
class AudienceReach:
    """An audience row, what it asks, and (for the live strategy) its reach today."""

    row: StrategyAudience
    reach: Reach | None

    @property
    def criteria(self) -> list[str]:
        return audience_criteria(self.row)


def audience_filter(row: StrategyAudience) -> Q | None:
    """The people `row` describes, as a filter on users; None when it describes nobody."""
    condition = Q()
    if row.org_unit is not None:
        condition &= subtree_filter(row.org_unit.path, "org_unit__path")
    if row.role:
        condition &= Q(role=row.role)
    if row.job_title_contains:
        condition &= Q(job_title__icontains=row.job_title_contains)
    return condition or None


def _count(people: QuerySet[User], community_id: int) -> Reach:
    membership = Membership.objects.current().filter(
        community_id=community_id, person=OuterRef("pk")
    )
    figures = people.annotate(is_member=Exists(membership)).aggregate(
        people=Count("pk"), members=Count("pk", filter=Q(is_member=True))
    )
    return Reach(people=figures["people"], members=figures["members"])


def audience_people(row: StrategyAudience) -> QuerySet[User]:
    """The people at the company `row` matches now."""
    condition = audience_filter(row)
    if condition is None:
        return User.objects.none()
    return people_in_directory().filter(condition)


def audience_reach(version: StrategyVersion, *, live: bool = True) -> list[AudienceReach]:
    """Each audience row of `version` in the editor's order, with its reach today when `live`
    (one count query per row)."""
    return [
        AudienceReach(
            row=row,
            reach=_count(audience_people(row), version.community_id) if live else None,
        )
        for row in version.audience.all()
    ]


def total_reach(version: StrategyVersion) -> Reach:
    """People matching any row of the audience (each counted once), and the members among
    them."""
    conditions = [
        condition
        for condition in (audience_filter(row) for row in version.audience.all())
        if condition is not None
    ]
    if not conditions:
        return Reach(people=0, members=0)
    combined = Q()
    for condition in conditions:
        combined |= condition
    return _count(people_in_directory().filter(combined), version.community_id)
