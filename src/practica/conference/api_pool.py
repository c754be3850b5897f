"""The reviewer pool and bids over HTTP: volunteering (and updating or leaving), the chair's
view of the pool and setting volunteers aside, the proposals to bid on (filtered by the
caller's expertise unless `all`), and setting or taking back a bid.

An edition the caller may not see is a 404; the pool list and setting aside are its chairs'
(403 otherwise); a step refused for timing or state (reviewing over, set aside, proposals
assigned) is a 409 with a `code`. Writes go through `conference.services.pool`.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Prefetch, QuerySet, Value
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from practica.api.fields import Id
from practica.api.pagination import Page
from practica.conference.api_editions import (
    ERRORS,
    REFUSALS,
    refused,
    topics_by_slug,
    visible_edition,
)
from practica.conference.models import (
    Edition,
    Proposal,
    ProposalSpeaker,
    ReviewerVolunteer,
)
from practica.conference.permissions import can_view_proposal, is_chair, is_committee
from practica.conference.queries.pool import biddable_proposals, pool_for_chair, volunteer_of
from practica.conference.schemas_pool import (
    BiddableOut,
    BidFilters,
    BidIn,
    BidOut,
    BidStateOut,
    PoolFilters,
    PoolMemberOut,
    PoolMemberUpdateIn,
    VolunteerIn,
    VolunteerOut,
    VolunteerUpdateIn,
)
from practica.conference.services import pool as services
from practica.conference.services.editions import CallRefused

router = Router(tags=["conference"])


def _my_seat(request: HttpRequest, edition: Edition) -> ReviewerVolunteer:
    seat = volunteer_of(edition, request.auth)
    if seat is None:
        raise HttpError(404, _("You are not in this edition's reviewer pool."))
    return seat


def _chaired(request: HttpRequest, edition_id: int) -> Edition:
    edition = visible_edition(request, edition_id)
    if not is_chair(request.auth, edition):
        raise PermissionDenied(_("Only the edition's chairs manage the reviewer pool."))
    return edition


# --- Volunteering -----------------------------------------------------------------------------


@router.post(
    "/conference/editions/{edition_id}/reviewers",
    response={201: VolunteerOut, 200: VolunteerOut, **REFUSALS},
)
def volunteer_to_review(request: HttpRequest, edition_id: Id, payload: VolunteerIn) -> Any:
    """Join the reviewer pool (201), or update one's row when in it already (200; a retried
    request is harmless). Reviewing over: 409 `closed`; set aside by the chair: 409
    `set_aside`."""
    edition = visible_edition(request, edition_id)
    try:
        seat = services.volunteer_to_review(
            edition=edition,
            person=request.auth,
            topics=topics_by_slug(payload.topics),
            max_load=payload.max_load,
            statement=payload.statement,
        )
    except CallRefused as refusal:
        return refused(refusal)
    return Status(201 if seat.was_created else 200, volunteer_of(edition, request.auth))


@router.get(
    "/conference/editions/{edition_id}/reviewers/mine", response={200: VolunteerOut, **ERRORS}
)
def get_my_reviewer_seat(request: HttpRequest, edition_id: Id) -> ReviewerVolunteer:
    """The caller's row in the pool; 404 when they have not volunteered."""
    return _my_seat(request, visible_edition(request, edition_id))


@router.patch(
    "/conference/editions/{edition_id}/reviewers/mine", response={200: VolunteerOut, **ERRORS}
)
def update_my_reviewer_seat(
    request: HttpRequest, edition_id: Id, payload: VolunteerUpdateIn
) -> ReviewerVolunteer:
    """Change one's expertise, load or statement: only the fields sent."""
    edition = visible_edition(request, edition_id)
    seat = _my_seat(request, edition)
    changes: dict[str, Any] = payload.model_dump(exclude_unset=True)
    if "topics" in changes:
        changes["topics"] = topics_by_slug(changes["topics"] or [])
    services.update_volunteer(volunteer=seat, actor=request.auth, **changes)
    return _my_seat(request, edition)


@router.delete(
    "/conference/editions/{edition_id}/reviewers/mine", response={200: VolunteerOut, **REFUSALS}
)
def leave_reviewer_pool(request: HttpRequest, edition_id: Id) -> Any:
    """Leave the pool with one's bids; the answer is the row as it was. With proposals
    assigned, a 409 `state`."""
    seat = _my_seat(request, visible_edition(request, edition_id))
    removed = VolunteerOut.from_orm(seat)
    try:
        services.leave_pool(volunteer=seat, actor=request.auth)
    except CallRefused as refusal:
        return refused(refusal)
    return removed


# --- The chair's pool -------------------------------------------------------------------------


@router.get(
    "/conference/editions/{edition_id}/reviewers", response={200: list[PoolMemberOut], **ERRORS}
)
@paginate(Page)
def list_reviewer_pool(
    request: HttpRequest, edition_id: Id, filters: Query[PoolFilters]
) -> QuerySet[ReviewerVolunteer]:
    """The volunteers, first come first, with expertise, load, bids and assignments counted.
    Chairs only."""
    edition = _chaired(request, edition_id)
    return pool_for_chair(edition, active=filters.active)


@router.patch(
    "/conference/editions/{edition_id}/reviewers/{volunteer_id}",
    response={200: PoolMemberOut, **ERRORS},
)
def set_reviewer_active(
    request: HttpRequest, edition_id: Id, volunteer_id: Id, payload: PoolMemberUpdateIn
) -> ReviewerVolunteer:
    """Set a volunteer aside (the assignment leaves them out; their bids and reviews stay) or
    take them back. Chairs only."""
    edition = _chaired(request, edition_id)
    seat = get_object_or_404(
        ReviewerVolunteer.objects.select_related("edition"), pk=volunteer_id, edition=edition
    )
    services.set_volunteer_active(volunteer=seat, actor=request.auth, active=payload.is_active)
    return pool_for_chair(edition).get(pk=seat.pk)


# --- Bids -------------------------------------------------------------------------------------


@router.get("/conference/editions/{edition_id}/bids", response={200: list[BiddableOut], **ERRORS})
@paginate(Page)
def list_my_bids(
    request: HttpRequest, edition_id: Id, filters: Query[BidFilters]
) -> QuerySet[Proposal]:
    """The proposals the caller may bid on with their current bid: those on their expertise
    topics (best matches first), or all with `all=true`. Never their own. Active reviewers
    only: 404 when not in the pool; a reviewer set aside gets an empty list."""
    edition = visible_edition(request, edition_id)
    seat = _my_seat(request, edition)
    if not seat.is_active:
        return Proposal.objects.none()
    hidden = edition.double_blind and not is_committee(request.auth, edition)
    proposals = biddable_proposals(seat, show_all=filters.all).annotate(
        speakers_hidden=Value(hidden, output_field=BooleanField())
    )
    if not hidden:
        proposals = proposals.prefetch_related(
            Prefetch("speakers", queryset=ProposalSpeaker.objects.select_related("person"))
        )
    return proposals


def _biddable(request: HttpRequest, edition: Edition, proposal_id: int) -> Proposal:
    proposal = get_object_or_404(
        Proposal.objects.select_related("edition", "edition__community"),
        pk=proposal_id,
        edition=edition,
    )
    if not can_view_proposal(request.auth, proposal):
        raise Http404
    return proposal


@router.put(
    "/conference/editions/{edition_id}/bids/{proposal_id}", response={200: BidOut, **REFUSALS}
)
def set_my_bid(request: HttpRequest, edition_id: Id, proposal_id: Id, payload: BidIn) -> Any:
    """Bid eager, willing, not willing or conflict (which also declares a conflict of
    interest) on a proposal, replacing an earlier bid. One's own proposal is a 422; set
    aside or reviewing over, a 409."""
    edition = visible_edition(request, edition_id)
    seat = _my_seat(request, edition)
    proposal = _biddable(request, edition, proposal_id)
    try:
        return services.set_bid(
            volunteer=seat, proposal=proposal, level=payload.level, actor=request.auth
        )
    except CallRefused as refusal:
        return refused(refusal)


@router.delete(
    "/conference/editions/{edition_id}/bids/{proposal_id}",
    response={200: BidStateOut, **REFUSALS},
)
def clear_my_bid(request: HttpRequest, edition_id: Id, proposal_id: Id) -> Any:
    """Take back one's bid (and the conflict it declared): `level` is then null.
    Idempotent."""
    edition = visible_edition(request, edition_id)
    seat = _my_seat(request, edition)
    proposal = _biddable(request, edition, proposal_id)
    try:
        services.clear_bid(volunteer=seat, proposal=proposal, actor=request.auth)
    except CallRefused as refusal:
        return refused(refusal)
    return {"proposal_id": proposal.pk, "level": None}
