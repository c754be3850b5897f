"""The opportunities board over HTTP: calls (list, open, edit, close), volunteering and
withdrawing, and the answer of the people who run the community. Mounted on the ladder's
router (`ladder.api`).

Anyone who may see the community's members sees its board; current members volunteer;
managers, leaders and organizers open, close and decide (403 otherwise). A refused step
(closed, past its closing day, full, already decided) is a 422 with the reason.
"""

from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from practica.api.errors import error_responses
from practica.api.fields import Id, Slug
from practica.api.pagination import Page
from practica.communities.ladder import opportunity_queries as board_queries
from practica.communities.ladder import opportunity_services as board_services
from practica.communities.ladder.permissions import can_run_opportunities, can_view_board
from practica.communities.ladder.schemas import (
    DecisionIn,
    OpportunityIn,
    OpportunityOut,
    OpportunityPatchIn,
    VolunteerIn,
    VolunteerOut,
)
from practica.communities.models import Community, Opportunity, Volunteer

router = Router(tags=["opportunities"])

ERRORS = error_responses(401, 403, 404, 422)


def _community(request: HttpRequest, slug: str) -> Community:
    community = get_object_or_404(Community, slug=slug)
    if not can_view_board(request.auth, community):
        raise PermissionDenied(
            _("%(name)s is a closed community: its board is for its members.")
            % {"name": community.name}
        )
    return community


def _run_by(request: HttpRequest, community: Community) -> None:
    if not can_run_opportunities(request.auth, community):
        raise PermissionDenied(
            _("Only the community's managers, leaders and organizers run the board.")
        )


def _call(community: Community, opportunity_id: int) -> Opportunity:
    return get_object_or_404(
        board_queries.with_volunteer_counts(
            Opportunity.objects.filter(community=community).select_related(
                "community", "created_by"
            )
        ),
        pk=opportunity_id,
    )


def _fresh(call: Opportunity) -> Opportunity:
    return _call(call.community, call.pk)


class BoardFilters(Schema):
    state: Literal["open", "closed", "all"] = Field(
        "open", description="`open` (taking offers), `closed` (closed or expired), or `all`."
    )


@router.get("/communities/{slug}/opportunities", response={200: list[OpportunityOut], **ERRORS})
@paginate(Page)
def list_opportunities(
    request: HttpRequest, slug: Slug, filters: Query[BoardFilters]
) -> QuerySet[Opportunity]:
    """The community's calls with their counts: open ones closing soonest first, closed ones
    latest first."""
    return board_queries.board(_community(request, slug), state=filters.state)


@router.post("/communities/{slug}/opportunities", response={201: OpportunityOut, **ERRORS})
def open_opportunity_call(request: HttpRequest, slug: Slug, payload: OpportunityIn) -> Any:
    """Open a call on the board (managers, leaders, organizers)."""
    community = _community(request, slug)
    _run_by(request, community)
    call = board_services.open_opportunity(
        community=community, actor=request.auth, **payload.model_dump()
    )
    return Status(201, _fresh(call))


@router.get(
    "/communities/{slug}/opportunities/{opportunity_id}", response={200: OpportunityOut, **ERRORS}
)
def get_opportunity(request: HttpRequest, slug: Slug, opportunity_id: Id) -> Opportunity:
    """One call with its counts and state."""
    return _call(_community(request, slug), opportunity_id)


@router.patch(
    "/communities/{slug}/opportunities/{opportunity_id}", response={200: OpportunityOut, **ERRORS}
)
def update_opportunity_call(
    request: HttpRequest, slug: Slug, opportunity_id: Id, payload: OpportunityPatchIn
) -> Opportunity:
    """Change an open call; what is left out stays. A closed call: 422."""
    community = _community(request, slug)
    _run_by(request, community)
    call = _call(community, opportunity_id)
    fields = {
        "kind": call.kind,
        "title": call.title,
        "description": call.description,
        "seats": call.seats,
        "closes_on": call.closes_on,
        **payload.model_dump(exclude_unset=True),
    }
    board_services.update_opportunity(opportunity=call, actor=request.auth, **fields)
    return _fresh(call)


@router.post(
    "/communities/{slug}/opportunities/{opportunity_id}/close",
    response={200: OpportunityOut, **ERRORS},
)
def close_opportunity_call(request: HttpRequest, slug: Slug, opportunity_id: Id) -> Opportunity:
    """Close a call: no more offers; pending ones can still be answered. Closing twice
    changes nothing."""
    community = _community(request, slug)
    _run_by(request, community)
    call = _call(community, opportunity_id)
    board_services.close_opportunity(opportunity=call, actor=request.auth)
    return _fresh(call)


@router.get(
    "/communities/{slug}/opportunities/{opportunity_id}/volunteers",
    response={200: list[VolunteerOut], **ERRORS},
)
@paginate(Page)
def list_opportunity_volunteers(
    request: HttpRequest, slug: Slug, opportunity_id: Id
) -> QuerySet[Volunteer]:
    """Everyone who offered, awaiting an answer first (managers, leaders, organizers)."""
    community = _community(request, slug)
    _run_by(request, community)
    return board_queries.volunteers_of(_call(community, opportunity_id))


@router.post(
    "/communities/{slug}/opportunities/{opportunity_id}/volunteers",
    response={200: VolunteerOut, 201: VolunteerOut, **ERRORS},
)
def volunteer_for_opportunity_call(
    request: HttpRequest, slug: Slug, opportunity_id: Id, payload: VolunteerIn | None = None
) -> Any:
    """Volunteer for a call (current members): 201 with the new offer, or 200 with the one
    that already stands. Closed, past its closing day or full: 422."""
    community = _community(request, slug)
    call = _call(community, opportunity_id)
    had_offer = board_queries.live_offer_of(call, request.auth.pk) is not None
    offer = board_services.volunteer_for_opportunity(
        opportunity=call, person=request.auth, message=payload.message if payload else ""
    )
    return Status(200 if had_offer else 201, offer)


@router.delete(
    "/communities/{slug}/opportunities/{opportunity_id}/volunteers/me",
    response={200: VolunteerOut, **ERRORS},
)
def withdraw_from_opportunity(request: HttpRequest, slug: Slug, opportunity_id: Id) -> Volunteer:
    """Withdraw the caller's standing offer (or step back after being accepted). None: 404."""
    call = _call(_community(request, slug), opportunity_id)
    offer = board_queries.live_offer_of(call, request.auth.pk)
    if offer is None:
        raise Http404
    return board_services.withdraw_volunteering(volunteer=offer, actor=request.auth)


def _offer(request: HttpRequest, slug: str, opportunity_id: int, volunteer_id: int) -> Volunteer:
    community = _community(request, slug)
    _run_by(request, community)
    call = _call(community, opportunity_id)
    return get_object_or_404(
        Volunteer.objects.select_related("person", "opportunity__community"),
        pk=volunteer_id,
        opportunity=call,
    )


@router.post(
    "/communities/{slug}/opportunities/{opportunity_id}/volunteers/{volunteer_id}/accept",
    response={200: VolunteerOut, **ERRORS},
)
def accept_opportunity_volunteer(
    request: HttpRequest,
    slug: Slug,
    opportunity_id: Id,
    volunteer_id: Id,
    payload: DecisionIn | None = None,
) -> Volunteer:
    """Accept an offer: recorded, counted in the ledger, and the volunteer hears by mail.
    Every place taken or already decided: 422."""
    offer = _offer(request, slug, opportunity_id, volunteer_id)
    return board_services.accept_volunteer(
        volunteer=offer, actor=request.auth, note=payload.note if payload else ""
    )


@router.post(
    "/communities/{slug}/opportunities/{opportunity_id}/volunteers/{volunteer_id}/decline",
    response={200: VolunteerOut, **ERRORS},
)
def decline_opportunity_volunteer(
    request: HttpRequest,
    slug: Slug,
    opportunity_id: Id,
    volunteer_id: Id,
    payload: DecisionIn | None = None,
) -> Volunteer:
    """Decline an offer; the volunteer hears by mail, with the note if given."""
    offer = _offer(request, slug, opportunity_id, volunteer_id)
    return board_services.decline_volunteer(
        volunteer=offer, actor=request.auth, note=payload.note if payload else ""
    )
