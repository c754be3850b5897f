"""Reads about proposals: a member's own proposals and pending invitations, an edition's
proposals for the committee (filtered by state, track, format and words), a proposal's
speakers, and the counts per state."""

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from practica.conference.models import (
    Edition,
    Proposal,
    ProposalSpeaker,
    ProposalState,
    SessionFormat,
    SpeakerStatus,
    Track,
)
from practica.core.models import Topic

MAX_QUERY = 200


def _with_relations(proposals: QuerySet[Proposal]) -> QuerySet[Proposal]:
    return proposals.select_related(
        "edition", "edition__community", "format", "track", "created_by"
    ).prefetch_related(
        Prefetch("topics", queryset=Topic.objects.order_by("name")),
        Prefetch(
            "speakers",
            queryset=ProposalSpeaker.objects.select_related("person").order_by(
                "position", "invited_at", "pk"
            ),
        ),
    )


def my_proposals(person: Any, *, edition: Edition | None = None) -> QuerySet[Proposal]:
    """Proposals the person is an accepted speaker of (drafts included), newest first."""
    rows = ProposalSpeaker.objects.filter(person=person, status=SpeakerStatus.ACCEPTED)
    proposals = Proposal.objects.filter(pk__in=rows.values("proposal_id"))
    if edition is not None:
        proposals = proposals.filter(edition=edition)
    return _with_relations(proposals).order_by("-created_at", "-pk")


def my_invitations(person: Any) -> QuerySet[ProposalSpeaker]:
    """Invitations to co-present that wait for the person's answer, on proposals still alive."""
    return (
        ProposalSpeaker.objects.filter(
            Q(person=person) | Q(email__iexact=person.email), status=SpeakerStatus.INVITED
        )
        .exclude(proposal__state__in=(ProposalState.WITHDRAWN, ProposalState.REJECTED))
        .select_related("proposal", "proposal__edition", "proposal__created_by")
        .order_by("-invited_at", "-pk")
    )


def edition_proposals(
    edition: Edition,
    *,
    state: str = "",
    track: Track | None = None,
    session_format: SessionFormat | None = None,
    text: str = "",
    include_drafts: bool = False,
) -> QuerySet[Proposal]:
    """The edition's proposals for its committee, latest submitted first. Drafts are the
    speakers' own business: left out unless `include_drafts` (or asked for by `state`)."""
    proposals = Proposal.objects.filter(edition=edition)
    if state:
        proposals = proposals.filter(state=state)
    elif not include_drafts:
        proposals = proposals.exclude(state=ProposalState.DRAFT)
    if track is not None:
        proposals = proposals.filter(track=track)
    if session_format is not None:
        proposals = proposals.filter(format=session_format)
    words = " ".join(str(text or "").split())[:MAX_QUERY]
    if words:
        proposals = proposals.filter(Q(title__icontains=words) | Q(abstract__icontains=words))
    return _with_relations(proposals).order_by("-submitted_at", "-pk")


def state_counts(edition: Edition) -> dict[str, int]:
    """How many proposals of the edition are in each state (every state, zeros included)."""
    counts = dict(
        Proposal.objects.filter(edition=edition)
        .order_by()
        .values_list("state")
        .annotate(total=Count("pk"))
        .values_list("state", "total")
    )
    return {state: counts.get(state, 0) for state in ProposalState.values}


def speakers_of(proposal: Proposal) -> list[ProposalSpeaker]:
    """The proposal's speakers and invitations, in order, with their people."""
    return list(
        ProposalSpeaker.objects.filter(proposal=proposal)
        .select_related("person")
        .order_by("position", "invited_at", "pk")
    )


def proposal_with_relations(pk: int) -> Proposal | None:
    """One proposal with its edition, format, track, topics and speakers loaded."""
    return _with_relations(Proposal.objects.filter(pk=pk)).first()
