"""Decisions over HTTP: the committee dashboard's rows and counts, the chair's decisions, the
decision mails' texts and preview, and the bulk send.

An edition or proposal the caller may not see is a 404; the dashboard is the committee's and
everything else the chair's (403 otherwise); a decision the moment does not allow (call
still open, mail already sent, confirmed) a 409 with a `code`. Writes go through
`conference.services.decisions`, as on the web pages.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from practica.api.errors import error_responses
from practica.api.fields import Id
from practica.api.pagination import Page
from practica.conference.models import DecisionOutcome, Edition, Proposal
from practica.conference.permissions import (
    can_decide,
    can_view_edition,
    can_view_proposal,
    is_committee,
)
from practica.conference.queries import dashboard as dashboard_queries
from practica.conference.schemas_decisions import (
    DashboardFilters,
    DashboardRowOut,
    DecisionIn,
    DecisionMailOut,
    DecisionMailReportOut,
    DecisionOut,
    DecisionRefusalOut,
    DecisionSummaryOut,
    DecisionTemplateIn,
    DecisionTemplateOut,
)
from practica.conference.services import decisions as decision_services

router = Router(tags=["conference"])

ERRORS = error_responses(401, 403, 404, 422)
REFUSALS = {**ERRORS, 409: DecisionRefusalOut}


def _edition(request: HttpRequest, edition_id: int) -> Edition:
    edition = get_object_or_404(Edition.objects.select_related("community"), pk=edition_id)
    if not can_view_edition(request.auth, edition):
        raise Http404
    return edition


def _committee_edition(request: HttpRequest, edition_id: int) -> Edition:
    edition = _edition(request, edition_id)
    if not is_committee(request.auth, edition):
        raise PermissionDenied(_("The committee dashboard is for the program committee."))
    return edition


def _chaired_edition(request: HttpRequest, edition_id: int) -> Edition:
    edition = _edition(request, edition_id)
    if not can_decide(request.auth, edition):
        raise PermissionDenied(_("Only the edition's chair decides and sends the decision mails."))
    return edition


def _chaired_proposal(request: HttpRequest, proposal_id: int) -> Proposal:
    """A proposal of an edition the caller chairs; 404 when they may not see it."""
    proposal = get_object_or_404(
        Proposal.objects.select_related("edition__community", "format", "track", "decided_by"),
        pk=proposal_id,
    )
    if not can_view_proposal(request.auth, proposal):
        raise Http404
    if not can_decide(request.auth, proposal.edition):
        raise PermissionDenied(_("Only the edition's chair decides on proposals."))
    return proposal


def refused(refusal: decision_services.DecisionRefused) -> Status:
    return Status(409, {"detail": refusal.messages[0], "code": refusal.code or "refused"})


def _row_out(row: dashboard_queries.DashboardRow) -> dict[str, Any]:
    proposal = row.proposal
    return {
        "proposal_id": proposal.pk,
        "title": proposal.title,
        "state": proposal.state,
        "track": proposal.track.name if proposal.track else None,
        "format": proposal.format.name,
        "speakers": [
            speaker.person.display_name if speaker.person else speaker.email
            for speaker in proposal.speakers.all()
        ],
        "assigned": row.assigned,
        "submitted": row.submitted,
        "mean": row.mean,
        "spread": row.spread,
        "recommendation_low": row.recommendation_low,
        "recommendation_high": row.recommendation_high,
        "disagreement": row.disagreement,
        "mean_confidence": row.mean_confidence,
        "decided_at": proposal.decided_at,
        "decision_mailed_at": proposal.decision_mailed_at,
    }


@router.get(
    "/conference/editions/{edition_id}/dashboard",
    response={200: list[DashboardRowOut], **ERRORS},
)
@paginate(Page)
def list_dashboard_rows(
    request: HttpRequest, edition_id: Id, filters: Query[DashboardFilters]
) -> list[dict[str, Any]]:
    """Every proposal in review with its reviews' figures (the committee only). Filter by
    track, topic, format, state and least mean; sort by score, spread, title or reviews."""
    edition = _committee_edition(request, edition_id)
    rows = dashboard_queries.dashboard_rows(
        edition,
        dashboard_queries.DashboardFilters(
            track=filters.track,
            topic=filters.topic,
            format=filters.format,
            state=filters.state,
            min_score=filters.min_score,
            disagreement_only=filters.disagreement,
            sort=filters.sort,
        ),
    )
    return [_row_out(row) for row in rows]


@router.get(
    "/conference/editions/{edition_id}/decisions",
    response={200: DecisionSummaryOut, **ERRORS},
)
def get_decision_summary(request: HttpRequest, edition_id: Id) -> dict[str, Any]:
    """Where the decisions stand: proposals per state and decided ones whose mail is not
    sent yet (the committee only)."""
    summary = dashboard_queries.decision_summary(_committee_edition(request, edition_id))
    return {
        "in_review": summary.in_review,
        "undecided": summary.undecided,
        "by_state": summary.by_state,
        "to_mail": summary.to_mail,
        "to_mail_total": summary.to_mail_total,
        "reviews_submitted": summary.reviews_submitted,
        "reviews_assigned": summary.reviews_assigned,
    }


def _decision_out(proposal: Proposal) -> dict[str, Any]:
    fresh = Proposal.objects.select_related("decided_by").get(pk=proposal.pk)
    return {
        "proposal_id": fresh.pk,
        "state": fresh.state,
        "decided_at": fresh.decided_at,
        "decided_by": fresh.decided_by,
        "decision_mailed_at": fresh.decision_mailed_at,
    }


@router.put("/conference/proposals/{proposal_id}/decision", response={200: DecisionOut, **REFUSALS})
def decide_proposal(request: HttpRequest, proposal_id: Id, payload: DecisionIn) -> Any:
    """Accept, reject or waitlist (the chair only). 409 while the call is open, after the
    decision mail was sent, or once the speakers confirmed."""
    proposal = _chaired_proposal(request, proposal_id)
    try:
        decision_services.decide(proposal=proposal, outcome=payload.outcome, actor=request.auth)
    except decision_services.DecisionRefused as refusal:
        return refused(refusal)
    return _decision_out(proposal)


@router.delete(
    "/conference/proposals/{proposal_id}/decision", response={200: DecisionOut, **REFUSALS}
)
def undecide_proposal(request: HttpRequest, proposal_id: Id) -> Any:
    """Take the decision back before its mail was sent (the chair only; 409 after)."""
    proposal = _chaired_proposal(request, proposal_id)
    try:
        decision_services.undecide(proposal=proposal, actor=request.auth)
    except decision_services.DecisionRefused as refusal:
        return refused(refusal)
    return _decision_out(proposal)


@router.get(
    "/conference/proposals/{proposal_id}/decision-mail",
    response={200: DecisionMailOut, **ERRORS},
)
def preview_decision_mail(
    request: HttpRequest, proposal_id: Id, outcome: DecisionOutcome | None = None
) -> dict[str, Any]:
    """The decision mail the proposal's speakers would get (the chair only); `outcome`
    previews another than the decision (an undecided proposal needs one: 422)."""
    proposal = _chaired_proposal(request, proposal_id)
    mail = decision_services.preview_decision_mail(
        proposal=proposal, actor=request.auth, outcome=outcome
    )
    return {
        "outcome": mail.outcome,
        "subject": mail.subject,
        "body": mail.body,
        "speaker_name": mail.speaker_name,
        "proposal_url": mail.proposal_url,
        "comments_to_speakers": mail.comments,
    }


@router.get(
    "/conference/editions/{edition_id}/decision-templates",
    response={200: list[DecisionTemplateOut], **ERRORS},
)
def list_decision_templates(request: HttpRequest, edition_id: Id) -> list[Any]:
    """The edition's decision mail texts, one per outcome (the chair only)."""
    edition = _chaired_edition(request, edition_id)
    templates = decision_services.ensure_decision_templates(edition)
    return [templates[outcome] for outcome in DecisionOutcome.values]


@router.put(
    "/conference/editions/{edition_id}/decision-templates/{outcome}",
    response={200: DecisionTemplateOut, **ERRORS},
)
def update_decision_template(
    request: HttpRequest, edition_id: Id, outcome: DecisionOutcome, payload: DecisionTemplateIn
) -> Any:
    """Change one outcome's mail (the chair only); a text that does not render is a 422."""
    edition = _chaired_edition(request, edition_id)
    return decision_services.update_decision_template(
        edition=edition,
        outcome=outcome,
        subject=payload.subject,
        body=payload.body,
        actor=request.auth,
    )


@router.post(
    "/conference/editions/{edition_id}/decision-mails",
    response={200: DecisionMailReportOut, **ERRORS},
)
def send_decision_mails(request: HttpRequest, edition_id: Id) -> dict[str, Any]:
    """Mail the speakers of every decided, not yet mailed proposal (the chair only). Safe to
    repeat: a proposal is mailed once."""
    edition = _chaired_edition(request, edition_id)
    report = decision_services.send_decision_mails(edition=edition, actor=request.auth)
    return {"proposals": report.proposals, "mails": report.mails, "by_outcome": report.by_outcome}
