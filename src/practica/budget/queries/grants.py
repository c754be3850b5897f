"""Grants as their lists show them: the community's (with filters), the manager's queue of
applications, and a member's own."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from practica.budget.fiscal_years import fiscal_year_period
from practica.budget.models import Grant, GrantStatus
from practica.communities.models import Community, Group

# What "approved" finds when filtering: the grants whose money was granted, whole or part.
APPROVED_FILTER = "approved_any"


@dataclass(frozen=True)
class GrantFilters:
    """The filters of a community's grant list; empty values filter nothing."""

    status: str = ""
    fiscal_year: int | None = None
    group: Group | None = None
    applicant_id: int | None = None


def _with_relations(grants: QuerySet[Grant]) -> QuerySet[Grant]:
    return grants.select_related("community", "applicant", "group", "decided_by", "budget")


def community_grants(community: Community, filters: GrantFilters | None = None) -> QuerySet[Grant]:
    """The community's grants, newest application first, filtered by status (or
    `approved_any`: approved, partly approved or reported), the fiscal year holding the
    activity's date, the group and the applicant."""
    filters = filters or GrantFilters()
    grants = Grant.objects.filter(community=community)
    if filters.status == APPROVED_FILTER:
        grants = grants.filter(
            status__in=[GrantStatus.APPROVED, GrantStatus.PARTLY_APPROVED, GrantStatus.REPORTED]
        )
    elif filters.status:
        grants = grants.filter(status=filters.status)
    if filters.fiscal_year is not None:
        grants = grants.filter(activity_on__range=fiscal_year_period(filters.fiscal_year))
    if filters.group is not None:
        grants = grants.filter(group=filters.group)
    if filters.applicant_id is not None:
        grants = grants.filter(applicant_id=filters.applicant_id)
    return _with_relations(grants).order_by("-created_at", "-pk")


def grant_queue(community: Community) -> QuerySet[Grant]:
    """Applications waiting for a decision, the oldest first (first come, first served)."""
    return _with_relations(
        Grant.objects.filter(community=community, status=GrantStatus.SUBMITTED)
    ).order_by("created_at", "pk")


def grants_of_applicant(person: Any, *, community: Community | None = None) -> QuerySet[Grant]:
    """The grants a member applied for, newest first, optionally in one community."""
    grants = Grant.objects.filter(applicant=person)
    if community is not None:
        grants = grants.filter(community=community)
    return _with_relations(grants).order_by("-created_at", "-pk")


def grant_with_relations(pk: int) -> Grant | None:
    return _with_relations(Grant.objects.filter(pk=pk)).first()
