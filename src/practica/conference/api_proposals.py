"""Proposals over HTTP: the caller's proposals and invitations, an edition's proposals for its
committee, one proposal (speakers hidden from reviewers outside the committee under
double-blind review), creating, editing, submitting, withdrawing and confirming one, and
co-speaker invitations (invite, remove, accept, decline).

A proposal the caller may not see is a 404 (drafts are their speakers'); a step refused for
the deadline or the proposal's state is a 409 with a `code` (not_open, deadline, state).
Writes go through `conference.services.proposals`, as on the web pages.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
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
    Proposal,
    ProposalSpeaker,
    SessionFormat,
    Track,
)
from practica.conference.permissions import (
    can_see_speakers,
    can_view_proposal,
    is_committee,
)
from practica.conference.queries.proposals import (
    edition_proposals,
    my_invitations,
    my_proposals,
    proposal_with_relations,
)
from practica.conference.schemas_proposals import (
    ConfirmationIn,
    InvitationOut,
    InviteIn,
    ProposalCreateIn,
    ProposalFilters,
    ProposalOut,
    ProposalUpdateIn,
    SpeakerOut,
)
from practica.conference.services import proposals as services
from practica.conference.services.editions import CallRefused

router = Router(tags=["conference"])


def _shown(proposal: Proposal, user: Any) -> Proposal:
    """Mark the speakers hidden where the caller may not see them (double-blind review)."""
    proposal.speakers_hidden = not can_see_speakers(user, proposal)
    return proposal


def _visible(request: HttpRequest, proposal_id: int) -> Proposal:
    proposal = proposal_with_relations(proposal_id)
    if proposal is None or not can_view_proposal(request.auth, proposal):
        raise Http404
    return proposal


def _out(request: HttpRequest, proposal_id: int) -> Proposal:
    return _shown(_visible(request, proposal_id), request.auth)


def _related(edition: Any, model: Any, pk: int | None, field: str, message: str) -> Any:
    """A format or track of this edition by id; another edition's or unknown is a 422."""
    if pk is None:
        return None
    row = model.objects.filter(pk=pk, edition=edition).first()
    if row is None:
        raise ValidationError({field: message})
    return row


def _values(edition: Any, changes: dict[str, Any]) -> dict[str, Any]:
    if "format_id" in changes:
        changes["format"] = _related(
            edition,
            SessionFormat,
            changes.pop("format_id"),
            "format_id",
            _("Choose one of this edition's session formats."),
        )
    if "track_id" in changes:
        changes["track"] = _related(
            edition,
            Track,
            changes.pop("track_id"),
            "track_id",
            _("Choose one of this edition's tracks."),
        )
    if "topics" in changes:
        changes["topics"] = topics_by_slug(changes["topics"] or [])
    return changes


# --- Lists ------------------------------------------------------------------------------------


@router.get("/conference/proposals/mine", response={200: list[ProposalOut], **ERRORS})
@paginate(Page)
def list_my_proposals(request: HttpRequest) -> QuerySet[Proposal]:
    """The proposals the caller is an accepted speaker of, drafts included, newest first."""
    return my_proposals(request.auth)


@router.get(
    "/conference/editions/{edition_id}/proposals", response={200: list[ProposalOut], **ERRORS}
)
@paginate(Page)
def list_edition_proposals(
    request: HttpRequest, edition_id: Id, filters: Query[ProposalFilters]
) -> QuerySet[Proposal]:
    """Every proposal of the edition but drafts (unless asked for by `state`), latest
    submitted first, with speakers; filter by state, track, format and words. The program
    committee only."""
    edition = visible_edition(request, edition_id)
    if not is_committee(request.auth, edition):
        raise PermissionDenied(_("Only the program committee sees all the proposals."))
    track = _related(
        edition, Track, filters.track_id, "track_id", _("Choose one of this edition's tracks.")
    )
    session_format = _related(
        edition,
        SessionFormat,
        filters.format_id,
        "format_id",
        _("Choose one of this edition's session formats."),
    )
    # The committee always sees the speakers.
    return edition_proposals(
        edition,
        state=filters.state or "",
        track=track,
        session_format=session_format,
        text=filters.q,
    )


# --- One proposal -----------------------------------------------------------------------------


@router.post("/conference/editions/{edition_id}/proposals", response={201: ProposalOut, **REFUSALS})
def create_conference_proposal(
    request: HttpRequest, edition_id: Id, payload: ProposalCreateIn
) -> Any:
    """Start a proposal as its submitting speaker (a draft, or submitted with `submit`),
    inviting `co_speakers` by email. Unknown addresses are a 422 (co-speakers must be
    members); outside the call's window a 409 `not_open` or `deadline`."""
    edition = visible_edition(request, edition_id)
    values = _values(edition, payload.model_dump())
    try:
        proposal = services.create_proposal(edition=edition, actor=request.auth, **values)
    except CallRefused as refusal:
        return refused(refusal)
    return Status(201, _out(request, proposal.pk))


@router.get("/conference/proposals/{proposal_id}", response={200: ProposalOut, **ERRORS})
def get_conference_proposal(request: HttpRequest, proposal_id: Id) -> Proposal:
    """One proposal: for its speakers, the committee and the edition's reviewers (never a
    draft but to its speakers). Under double-blind review, reviewers outside the committee
    get `speakers: null`."""
    return _out(request, proposal_id)


@router.patch("/conference/proposals/{proposal_id}", response={200: ProposalOut, **REFUSALS})
def update_conference_proposal(
    request: HttpRequest, proposal_id: Id, payload: ProposalUpdateIn
) -> Any:
    """Change a draft or submitted proposal: only the fields sent, until the deadline
    (then a 409 `deadline`). Its speakers only."""
    proposal = _visible(request, proposal_id)
    changes = _values(proposal.edition, payload.model_dump(exclude_unset=True))
    try:
        services.update_proposal(proposal=proposal, actor=request.auth, **changes)
    except CallRefused as refusal:
        return refused(refusal)
    return _out(request, proposal_id)


def _step(request: HttpRequest, proposal_id: int, step: Any, **kwargs: Any) -> Any:
    proposal = _visible(request, proposal_id)
    try:
        step(proposal=proposal, actor=request.auth, **kwargs)
    except CallRefused as refusal:
        return refused(refusal)
    return _out(request, proposal_id)


@router.post("/conference/proposals/{proposal_id}/submit", response={200: ProposalOut, **REFUSALS})
def submit_conference_proposal(request: HttpRequest, proposal_id: Id) -> Any:
    """Submit a draft (mails its speakers a confirmation). Idempotent: a submitted one is
    returned as it is. Incomplete is a 422; after the deadline or withdrawn a 409."""
    return _step(request, proposal_id, services.submit_proposal)


@router.post(
    "/conference/proposals/{proposal_id}/withdraw", response={200: ProposalOut, **REFUSALS}
)
def withdraw_conference_proposal(request: HttpRequest, proposal_id: Id) -> Any:
    """Withdraw the proposal (idempotent); a rejected one is a 409 `state`."""
    return _step(request, proposal_id, services.withdraw_proposal)


@router.post(
    "/conference/proposals/{proposal_id}/confirmation", response={200: ProposalOut, **REFUSALS}
)
def confirm_conference_proposal(
    request: HttpRequest, proposal_id: Id, payload: ConfirmationIn
) -> Any:
    """The speakers' answer to acceptance: confirm (accepted → confirmed) or decline (→
    withdrawn). Not accepted: a 409 `state`."""
    return _step(request, proposal_id, services.confirm_proposal, confirm=payload.confirm)


# --- Co-speakers ------------------------------------------------------------------------------


@router.post(
    "/conference/proposals/{proposal_id}/speakers",
    response={201: SpeakerOut, 200: SpeakerOut, **REFUSALS},
)
def invite_conference_speaker(request: HttpRequest, proposal_id: Id, payload: InviteIn) -> Any:
    """Invite a member by email to co-present (201; they get a mail with a link). Someone
    invited or speaking already: 200 with their row, no second mail. An address no member
    has is a 422. Speakers only, until the deadline."""
    proposal = _visible(request, proposal_id)
    try:
        speaker = services.invite_co_speaker(
            proposal=proposal, actor=request.auth, email=payload.email
        )
    except CallRefused as refusal:
        return refused(refusal)
    return Status(201 if speaker.was_created else 200, speaker)


@router.delete(
    "/conference/proposals/{proposal_id}/speakers/{speaker_id}",
    response={200: SpeakerOut, **REFUSALS},
)
def remove_conference_speaker(request: HttpRequest, proposal_id: Id, speaker_id: Id) -> Any:
    """Take a co-speaker or an invitation off the proposal (speakers, until the deadline),
    or leave it as a co-speaker; the answer is the removed row. The submitter can't be
    removed (a 422)."""
    proposal = _visible(request, proposal_id)
    speaker = get_object_or_404(
        ProposalSpeaker.objects.select_related("person"), pk=speaker_id, proposal=proposal
    )
    removed = SpeakerOut.from_orm(speaker)
    try:
        services.remove_co_speaker(speaker=speaker, actor=request.auth)
    except CallRefused as refusal:
        return refused(refusal)
    return removed


@router.get("/conference/invitations/mine", response={200: list[InvitationOut], **ERRORS})
@paginate(Page)
def list_my_invitations(request: HttpRequest) -> QuerySet[ProposalSpeaker]:
    """Invitations to co-present that wait for the caller's answer."""
    return my_invitations(request.auth)


def _invitation(token: str) -> ProposalSpeaker:
    speaker = (
        ProposalSpeaker.objects.select_related("proposal__edition", "proposal__created_by")
        .filter(token=token[:64])
        .first()
    )
    if speaker is None:
        raise Http404
    return speaker


def _answer(request: HttpRequest, token: str, *, accept: bool) -> Any:
    speaker = _invitation(token)
    try:
        speaker = services.respond_to_invitation(speaker=speaker, actor=request.auth, accept=accept)
    except CallRefused as refusal:
        return refused(refusal)
    return speaker


@router.post("/conference/invitations/{token}/accept", response={200: SpeakerOut, **REFUSALS})
def accept_conference_invitation(request: HttpRequest, token: str) -> Any:
    """Accept an invitation to co-present, as the invited address (403 otherwise).
    The proposal withdrawn or rejected: a 409 `state`."""
    return _answer(request, token, accept=True)


@router.post("/conference/invitations/{token}/decline", response={200: SpeakerOut, **REFUSALS})
def decline_conference_invitation(request: HttpRequest, token: str) -> Any:
    """Decline an invitation to co-present, as the invited address (403 otherwise)."""
    return _answer(request, token, accept=False)
