"""Grants over HTTP: apply, the caller's grants, a community's grants (all of them for the
leadership, the caller's own otherwise) and its queue of applications, one grant, the
manager's decision, withdrawing, and the grantee's report.

A grant is visible to its applicant and the community's leadership; to anyone else it is a
404. Deciding is the community manager's, never on their own application (403). A step the
grant's state does not allow, or bad input, is a 422. Writes go through
`budget.services.grants`, as on the pages.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from practica.api.errors import error_responses
from practica.api.fields import Id, Slug
from practica.api.pagination import Page
from practica.budget.models import Grant, GrantStatus
from practica.budget.permissions import can_see_all_grants, can_see_grant
from practica.budget.queries.grants import (
    APPROVED_FILTER,
    GrantFilters,
    community_grants,
    grant_queue,
    grant_with_relations,
    grants_of_applicant,
)
from practica.budget.schemas import GrantApplyIn, GrantDecisionIn, GrantOut, GrantReportIn
from practica.budget.services import grants as services
from practica.communities.models import Community, Group

router = Router(tags=["grants"])

ERRORS = error_responses(401, 403, 404, 422)


def _community(slug: str) -> Community:
    return get_object_or_404(Community, slug=slug)


def _grant(request: HttpRequest, grant_id: int) -> Grant:
    grant = grant_with_relations(grant_id)
    if grant is None or not can_see_grant(request.auth, grant):
        raise Http404
    return grant


STATUS_FILTERS = frozenset({*GrantStatus.values, APPROVED_FILTER})


class GrantListFilters(Schema):
    status: str | None = Field(
        None,
        description="submitted, approved, partly_approved, declined, withdrawn, reported, or "
        "approved_any (approved, partly approved or reported).",
        max_length=20,
    )
    fiscal_year: int | None = Field(
        None, ge=2000, le=2100, description="The fiscal year holding the activity's date."
    )
    group: Slug | None = Field(None, description="One of the community's groups, by slug.")
    applicant_id: Id | None = None


@router.get("/budget/communities/{slug}/grants", response={200: list[GrantOut], **ERRORS})
@paginate(Page)
def list_community_grants(
    request: HttpRequest, slug: Slug, filters: Query[GrantListFilters]
) -> QuerySet[Grant]:
    """The community's grants, newest application first: all of them for the leadership, the
    caller's own for anyone else."""
    community = _community(slug)
    if filters.status and filters.status not in STATUS_FILTERS:
        raise ValidationError({"status": _("Unknown status.")})
    group = None
    if filters.group:
        group = Group.objects.filter(community=community, slug=filters.group).first()
        if group is None:
            raise ValidationError({"group": _("The community has no such group.")})
    applicant_id = filters.applicant_id
    if not can_see_all_grants(request.auth, community):
        applicant_id = request.auth.pk
    return community_grants(
        community,
        GrantFilters(
            status=filters.status or "",
            fiscal_year=filters.fiscal_year,
            group=group,
            applicant_id=applicant_id,
        ),
    )


@router.get("/budget/communities/{slug}/grants/queue", response={200: list[GrantOut], **ERRORS})
@paginate(Page)
def list_grant_queue(request: HttpRequest, slug: Slug) -> QuerySet[Grant]:
    """Applications waiting for a decision, the oldest first. The leadership only."""
    community = _community(slug)
    if not can_see_all_grants(request.auth, community):
        raise PermissionDenied(
            _("Only the leadership of %(name)s sees its grants.") % {"name": community.name}
        )
    return grant_queue(community)


@router.post("/budget/communities/{slug}/grants", response={201: GrantOut, **ERRORS})
def apply_for_community_grant(request: HttpRequest, slug: Slug, payload: GrantApplyIn) -> Any:
    """Apply for a grant (current members): what, why, amount, currency and date, optionally
    for one of the community's groups. The community's managers are mailed."""
    community = _community(slug)
    group = None
    if payload.group:
        group = Group.objects.filter(community=community, slug=payload.group).first()
        if group is None:
            raise ValidationError({"group": _("The community has no such group.")})
    grant = services.apply_for_grant(
        community=community,
        applicant=request.auth,
        title=payload.title,
        purpose=payload.purpose,
        amount=payload.amount,
        currency=payload.currency,
        activity_on=payload.activity_on,
        group=group,
    )
    return Status(201, grant_with_relations(grant.pk))


@router.get("/budget/grants/mine", response={200: list[GrantOut], **ERRORS})
@paginate(Page)
def list_my_grants(request: HttpRequest) -> QuerySet[Grant]:
    """The grants the caller applied for, in every community, newest first."""
    return grants_of_applicant(request.auth)


@router.get("/budget/grants/{grant_id}", response={200: GrantOut, **ERRORS})
def get_grant(request: HttpRequest, grant_id: Id) -> Grant:
    """A grant: its application, decision and outcome. Its applicant and the leadership."""
    return _grant(request, grant_id)


@router.post("/budget/grants/{grant_id}/decision", response={200: GrantOut, **ERRORS})
def decide_on_grant(request: HttpRequest, grant_id: Id, payload: GrantDecisionIn) -> Grant | None:
    """Approve (in full, or part with a smaller `amount` and a `reason`) or decline (with a
    `reason`). Approval commits the amount to the grants category of the budget holding the
    activity's date; beyond what is left it needs `override_reason`. The applicant is
    mailed. The community manager only, never on their own application."""
    grant = _grant(request, grant_id)
    services.decide_grant(
        grant=grant,
        actor=request.auth,
        decision=payload.decision,
        amount=payload.amount,
        reason=payload.reason,
        override_reason=payload.override_reason,
    )
    return grant_with_relations(grant.pk)


@router.post("/budget/grants/{grant_id}/withdraw", response={200: GrantOut, **ERRORS})
def withdraw_grant_application(request: HttpRequest, grant_id: Id) -> Grant | None:
    """The applicant withdraws the application, or gives back an approved grant not yet
    reported."""
    grant = _grant(request, grant_id)
    services.withdraw_grant(grant=grant, actor=request.auth)
    return grant_with_relations(grant.pk)


@router.post("/budget/grants/{grant_id}/report", response={200: GrantOut, **ERRORS})
def report_on_grant(request: HttpRequest, grant_id: Id, payload: GrantReportIn) -> Grant | None:
    """The grantee reports the outcome and the amount spent (above the approved amount needs
    `override_reason`). The grant then counts as spent."""
    grant = _grant(request, grant_id)
    services.report_grant_outcome(
        grant=grant,
        actor=request.auth,
        outcome=payload.outcome,
        amount_spent=payload.amount_spent,
        override_reason=payload.override_reason,
    )
    return grant_with_relations(grant.pk)
