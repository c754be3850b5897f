"""Conference API: reviewer assignment — runs (start, poll, list, their pairs, apply), the
edition's assignments (list, add by hand, remove), pins and forbids, conflicts of interest
with their reasons, and the explanation of one pair's affinity.

The committee reads runs, assignments and explanations; the chair starts and applies runs,
pins, assigns by hand and reads the conflicts. An edition the caller may not see is a 404;
one they see but may not use this way a 403; a step refused for the state things are in
(a run in progress, a run not finished or applied already, a pair assigned already, a review
started) is a 409 with `code`; bad input and infeasible settings are a 422 naming the field.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from practica.api.errors import error_responses
from practica.api.fields import Id
from practica.api.pagination import Page
from practica.conference.models import (
    IN_REVIEW_STATES,
    AssignmentRun,
    Edition,
    Proposal,
    ReviewAssignment,
)
from practica.conference.permissions import can_view_edition, is_chair, is_committee
from practica.conference.queries import assignment as queries
from practica.conference.queries.conflicts import (
    conflict_rows,
)
from practica.conference.schemas_assignment import (
    AppliedOut,
    AssignmentFilters,
    AssignmentIn,
    AssignmentOut,
    AssignmentRefusalOut,
    ConflictFilters,
    ConflictOut,
    ExplanationOut,
    PinIn,
    PinOut,
    RemovedOut,
    RunIn,
    RunOut,
    RunPairOut,
)
from practica.conference.services import assignment as services
from practica.people.models import User

router = Router(tags=["conference assignment"])

ERRORS = error_responses(401, 403, 404, 422)
REFUSALS = {**ERRORS, 409: AssignmentRefusalOut}


def _edition(request: HttpRequest, edition_id: int, *, chair: bool = False) -> Edition:
    """The edition if the caller is on its committee (or chairs it, with `chair`)."""
    edition = get_object_or_404(Edition.objects.select_related("community"), pk=edition_id)
    if not can_view_edition(request.auth, edition):
        raise Http404
    if not is_committee(request.auth, edition):
        raise PermissionDenied(_("The assignment is for the program committee."))
    if chair and not is_chair(request.auth, edition):
        raise PermissionDenied(_("Only the edition's chairs assign reviewers."))
    return edition


def _run(request: HttpRequest, run_id: int, *, chair: bool = False) -> AssignmentRun:
    run = get_object_or_404(
        AssignmentRun.objects.select_related("edition__community", "started_by"), pk=run_id
    )
    _edition(request, run.edition_id, chair=chair)
    return run


def _proposal(request: HttpRequest, proposal_id: int, *, chair: bool = False) -> Proposal:
    proposal = get_object_or_404(
        Proposal.objects.select_related("edition__community"), pk=proposal_id
    )
    _edition(request, proposal.edition_id, chair=chair)
    if proposal.state not in IN_REVIEW_STATES:
        raise Http404
    return proposal


def _refused(refusal: services.AssignmentRefused) -> Status:
    return Status(409, {"detail": " ".join(refusal.messages), "code": refusal.code or "refused"})


def _run_out(run: AssignmentRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "edition_id": run.edition_id,
        "mode": run.mode,
        "status": run.status,
        "progress": run.progress,
        "progress_message": run.progress_message,
        "parameters": run.parameters,
        "report": run.report,
        "error": run.error,
        "pairs": len(run.pairs),
        "started_by": run.started_by,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "applied_at": run.applied_at,
    }


def _assignment_out(assignment: ReviewAssignment) -> dict[str, Any]:
    return {
        "id": assignment.pk,
        "proposal_id": assignment.proposal_id,
        "proposal_title": assignment.proposal.title,
        "reviewer": assignment.reviewer,
        "source": assignment.source,
        "run_id": assignment.run_id,
        "affinity": assignment.affinity,
        "components": assignment.affinity_detail or None,
        "review_started": bool(getattr(assignment, "started", 0)),
        "assigned_at": assignment.assigned_at,
    }


# --- Runs -----------------------------------------------------------------------------------


@router.post(
    "/conference/editions/{edition_id}/assignment-runs", response={202: RunOut, **REFUSALS}
)
def start_assignment_run(request: HttpRequest, edition_id: Id, payload: RunIn) -> Status:
    """Queue a run (the chair only); poll it at /conference/assignment-runs/{id}. Settings no
    run can meet (k × proposals above the pool's capacity, …) are a 422 saying what to change;
    a run already in progress a 409 `running`."""
    edition = _edition(request, edition_id, chair=True)
    try:
        run = services.start_assignment_run(
            edition=edition, actor=request.auth, **payload.model_dump()
        )
    except services.AssignmentRefused as refusal:
        return _refused(refusal)
    run.started_by = request.auth
    return Status(202, _run_out(run))


@router.get(
    "/conference/editions/{edition_id}/assignment-runs", response={200: list[RunOut], **ERRORS}
)
@paginate(Page)
def list_assignment_runs(request: HttpRequest, edition_id: Id) -> list[dict[str, Any]]:
    """The edition's runs, newest first (the committee)."""
    edition = _edition(request, edition_id)
    return [_run_out(run) for run in queries.edition_runs(edition).order_by("-created_at")]


@router.get("/conference/assignment-runs/{run_id}", response={200: RunOut, **ERRORS})
def get_assignment_run(request: HttpRequest, run_id: Id) -> dict[str, Any]:
    """A run's status and progress (poll it while `status` is queued or running), then its
    report or its error (the committee)."""
    return _run_out(_run(request, run_id))


@router.get(
    "/conference/assignment-runs/{run_id}/pairs", response={200: list[RunPairOut], **ERRORS}
)
@paginate(Page)
def list_assignment_run_pairs(request: HttpRequest, run_id: Id) -> list[dict[str, Any]]:
    """The pairs a finished run proposes, by proposal (the committee)."""
    run = _run(request, run_id)
    return [
        {
            "proposal_id": pair[0],
            "person_id": pair[1],
            "affinity": pair[2],
            "components": pair[3] if len(pair) > 3 else None,
        }
        for pair in run.pairs
    ]


@router.post("/conference/assignment-runs/{run_id}/apply", response={200: AppliedOut, **REFUSALS})
def apply_assignment_run(request: HttpRequest, run_id: Id) -> Any:
    """Make a finished run's pairs the assignments (the chair only): run-made assignments
    without a review are replaced; those made by hand or with a review started are kept."""
    run = _run(request, run_id, chair=True)
    try:
        summary = services.apply_assignment_run(run=run, actor=request.auth)
    except services.AssignmentRefused as refusal:
        return _refused(refusal)
    return summary.__dict__


# --- Assignments ----------------------------------------------------------------------------


@router.get(
    "/conference/editions/{edition_id}/assignments",
    response={200: list[AssignmentOut], **ERRORS},
)
@paginate(Page)
def list_assignments(
    request: HttpRequest, edition_id: Id, filters: Query[AssignmentFilters]
) -> list[dict[str, Any]]:
    """Who reviews what, with each pair's affinity and its components (the committee only)."""
    edition = _edition(request, edition_id)
    rows = queries.edition_assignments(edition)
    if filters.proposal_id is not None:
        rows = rows.filter(proposal_id=filters.proposal_id)
    if filters.reviewer_id is not None:
        rows = rows.filter(reviewer_id=filters.reviewer_id)
    return [_assignment_out(row) for row in rows]


@router.post(
    "/conference/editions/{edition_id}/assignments", response={201: AssignmentOut, **REFUSALS}
)
def add_assignment(request: HttpRequest, edition_id: Id, payload: AssignmentIn) -> Status:
    """Assign a reviewer of the pool by hand (the chair only); a conflict of interest is a
    422 with its reason, a pair assigned already a 409."""
    edition = _edition(request, edition_id, chair=True)
    proposal = Proposal.objects.filter(pk=payload.proposal_id, edition=edition).first()
    if proposal is None:
        raise ValidationError({"proposal_id": _("There is no such proposal in this edition.")})
    proposal.edition = edition
    try:
        assignment = services.add_manual_assignment(
            proposal=proposal, person_id=payload.person_id, actor=request.auth
        )
    except services.AssignmentRefused as refusal:
        return _refused(refusal)
    row = queries.edition_assignments(edition).get(pk=assignment.pk)
    return Status(201, _assignment_out(row))


@router.delete("/conference/assignments/{assignment_id}", response={200: RemovedOut, **REFUSALS})
def remove_assignment(request: HttpRequest, assignment_id: Id) -> Any:
    """Take a reviewer off a proposal (the chair only); once the review is started, a 409."""
    assignment = get_object_or_404(
        ReviewAssignment.objects.select_related("proposal__edition__community"),
        pk=assignment_id,
    )
    _edition(request, assignment.proposal.edition_id, chair=True)
    try:
        services.remove_assignment(assignment=assignment, actor=request.auth)
    except services.AssignmentRefused as refusal:
        return _refused(refusal)
    return {"removed": True}


# --- Pins -----------------------------------------------------------------------------------


def _pin_out(pin: Any) -> dict[str, Any]:
    return {
        "proposal_id": pin.proposal_id,
        "proposal_title": pin.proposal.title,
        "person": pin.person,
        "kind": pin.kind,
        "set_at": pin.set_at,
    }


@router.get("/conference/editions/{edition_id}/pins", response={200: list[PinOut], **ERRORS})
@paginate(Page)
def list_assignment_pins(request: HttpRequest, edition_id: Id) -> list[dict[str, Any]]:
    """The chair's pinned (always assign) and forbidden (never assign) pairs (the chair only)."""
    edition = _edition(request, edition_id, chair=True)
    return [_pin_out(pin) for pin in queries.edition_pins(edition)]


@router.put(
    "/conference/proposals/{proposal_id}/pins/{person_id}", response={200: PinOut, **ERRORS}
)
def set_assignment_pin(
    request: HttpRequest, proposal_id: Id, person_id: Id, payload: PinIn
) -> dict[str, Any]:
    """Pin or forbid one pair for every later run (the chair only); pinning a conflict of
    interest is a 422 with its reason."""
    proposal = _proposal(request, proposal_id, chair=True)
    pin = services.set_pair_pin(
        proposal=proposal, person_id=person_id, kind=payload.kind, actor=request.auth
    )
    pin = queries.edition_pins(proposal.edition).get(pk=pin.pk)
    return _pin_out(pin)


@router.delete(
    "/conference/proposals/{proposal_id}/pins/{person_id}", response={200: RemovedOut, **ERRORS}
)
def remove_assignment_pin(request: HttpRequest, proposal_id: Id, person_id: Id) -> Any:
    """Lift a pin or forbid (the chair only); lifting one that is not there is fine."""
    proposal = _proposal(request, proposal_id, chair=True)
    removed = services.remove_pair_pin(proposal=proposal, person_id=person_id, actor=request.auth)
    return {"removed": removed}


# --- Conflicts and explanations ---------------------------------------------------------------


@router.get(
    "/conference/editions/{edition_id}/conflicts", response={200: list[ConflictOut], **ERRORS}
)
@paginate(Page)
def list_conflicts(
    request: HttpRequest, edition_id: Id, filters: Query[ConflictFilters]
) -> list[dict[str, Any]]:
    """Every conflict of interest between the pool and the proposals in review, with its
    reasons (the chair only)."""
    edition = _edition(request, edition_id, chair=True)
    rows = conflict_rows(
        edition, proposal_id=filters.proposal_id, person_id=filters.person_id, code=filters.code
    )
    return [
        {
            "proposal_id": row.proposal_id,
            "proposal_title": row.proposal_title,
            "person": {"id": row.person_id, "display_name": row.person_name},
            "reasons": [
                {"code": code, "label": label}
                for code, label in zip(row.codes, row.reasons, strict=True)
            ],
        }
        for row in rows
    ]


@router.get(
    "/conference/proposals/{proposal_id}/affinity/{person_id}",
    response={200: ExplanationOut, **ERRORS},
)
def explain_assignment_pair(request: HttpRequest, proposal_id: Id, person_id: Id) -> Any:
    """How a member fits a proposal: text similarity (with the words they share), topic
    overlap (with the topics matched), bid, the combined affinity and any conflict of
    interest (the committee)."""
    proposal = _proposal(request, proposal_id)
    member = get_object_or_404(User, pk=person_id)
    explanation = queries.pair_explanation(proposal, member.pk)
    return {
        **explanation.explained,
        "conflicts": [{"code": code, "label": label} for code, label in explanation.conflicts],
    }
