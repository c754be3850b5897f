"""Predicates about the conference, used by views, API and services alike.

Who is who in an edition:
- chair: a committee member marked chair, or a manager/leader of the community (staff too);
- committee: any program committee member, chairs included;
- reviewer: an active volunteer of the edition's reviewer pool;
- speaker: an accepted speaker of a proposal (the submitter is one from the start).

The visibility rules of reviewing, as a table the tests check row by row:
- speakers never see who reviewed them, only the comments to speakers once decided;
- a reviewer sees a proposal's other reviews only after submitting their own;
- a reviewer sees only their own assignments; the committee sees all;
- under double-blind, reviewers who are not on the committee do not see the speakers.
"""

from typing import Any

from practica.communities.permissions import can_manage_community
from practica.conference.models import (
    DECIDED_STATES,
    CommitteeMember,
    Edition,
    Proposal,
    ProposalSpeaker,
    ProposalState,
    ReviewAssignment,
    ReviewerVolunteer,
    ReviewStatus,
    SpeakerStatus,
)
from practica.people.permissions import is_signed_in


def _committee_seat(user: Any, edition: Edition) -> CommitteeMember | None:
    """The user's committee row in the edition, or None (cached on the user per request)."""
    cache = user.__dict__.setdefault("_committee_seats", {})
    if edition.pk not in cache:
        cache[edition.pk] = CommitteeMember.objects.filter(edition=edition, person=user).first()
    return cache[edition.pk]


def forget_cached_conference_roles(user: Any) -> None:
    """Drop the per-request caches after the user's committee or reviewer seat changes."""
    if user is not None:
        for key in ("_committee_seats", "_reviewer_seats"):
            user.__dict__.pop(key, None)


def is_chair(user: Any, edition: Edition) -> bool:
    """Runs the edition: settings, reviewer pool, assignment, decisions, program."""
    if not is_signed_in(user):
        return False
    if can_manage_community(user, edition.community):
        return True
    seat = _committee_seat(user, edition)
    return seat is not None and seat.is_chair


def is_committee(user: Any, edition: Edition) -> bool:
    """Program committee members (chairs included) see every proposal, review and score."""
    if not is_signed_in(user):
        return False
    return is_chair(user, edition) or _committee_seat(user, edition) is not None


def is_reviewer(user: Any, edition: Edition) -> bool:
    """An active volunteer of the edition's reviewer pool."""
    if not is_signed_in(user):
        return False
    cache = user.__dict__.setdefault("_reviewer_seats", {})
    if edition.pk not in cache:
        cache[edition.pk] = ReviewerVolunteer.objects.filter(
            edition=edition, person=user, is_active=True
        ).exists()
    return cache[edition.pk]


def can_view_edition(user: Any, edition: Edition) -> bool:
    """Members see announced editions; the committee sees its edition before it is announced."""
    if not is_signed_in(user):
        return False
    return edition.is_published or is_committee(user, edition)


def can_propose(user: Any, edition: Edition) -> bool:
    """Any active member may submit to an announced edition (the deadline is the service's
    rule, with its own message)."""
    return is_signed_in(user) and user.is_active and edition.is_published


def is_speaker(user: Any, proposal: Proposal) -> bool:
    """An accepted speaker of the proposal (the submitter always is)."""
    if not is_signed_in(user):
        return False
    cache = user.__dict__.setdefault("_speaker_of", {})
    if proposal.pk not in cache:
        cache[proposal.pk] = ProposalSpeaker.objects.filter(
            proposal=proposal, person=user, status=SpeakerStatus.ACCEPTED
        ).exists()
    return cache[proposal.pk]


def is_assigned_reviewer(user: Any, proposal: Proposal) -> bool:
    if not is_signed_in(user):
        return False
    return ReviewAssignment.objects.filter(proposal=proposal, reviewer=user).exists()


def can_view_proposal(user: Any, proposal: Proposal) -> bool:
    """Its speakers, the committee, its assigned reviewers, and every active reviewer of the
    edition while bidding (they bid on what they can see); drafts only their speakers."""
    if is_speaker(user, proposal):
        return True
    if proposal.state == ProposalState.DRAFT:
        return False
    if proposal.state == ProposalState.WITHDRAWN:
        return is_committee(user, proposal.edition)
    edition = proposal.edition
    return (
        is_committee(user, edition)
        or is_assigned_reviewer(user, proposal)
        or is_reviewer(user, edition)
    )


def can_edit_proposal(user: Any, proposal: Proposal) -> bool:
    """Speakers edit their proposal (the deadline is the service's rule)."""
    return is_speaker(user, proposal)


def can_see_speakers(user: Any, proposal: Proposal) -> bool:
    """Speakers' names are hidden from reviewers outside the committee under double-blind."""
    if is_speaker(user, proposal) or is_committee(user, proposal.edition):
        return True
    return not proposal.edition.double_blind and can_view_proposal(user, proposal)


def can_review(user: Any, proposal: Proposal) -> bool:
    """Only an assigned reviewer reviews (assignment never pairs a conflict, and the review
    service checks the conflicts again)."""
    return is_assigned_reviewer(user, proposal) and not is_speaker(user, proposal)


def has_submitted_review(user: Any, proposal: Proposal) -> bool:
    if not is_signed_in(user):
        return False
    return ReviewAssignment.objects.filter(
        proposal=proposal, reviewer=user, review__status=ReviewStatus.SUBMITTED
    ).exists()


def can_see_reviews(user: Any, proposal: Proposal) -> bool:
    """All reviews of a proposal, with reviewer names: the committee, and an assigned
    reviewer once their own review is submitted. Never a speaker of it."""
    if is_speaker(user, proposal):
        return False
    if is_committee(user, proposal.edition):
        return True
    return has_submitted_review(user, proposal)


def can_see_comments_to_speakers(user: Any, proposal: Proposal) -> bool:
    """Speakers read the reviewers' comments to them, without names, once decided."""
    return is_speaker(user, proposal) and proposal.state in DECIDED_STATES


def can_see_assignments(user: Any, proposal: Proposal) -> bool:
    """Who reviews a proposal: the committee only (a reviewer sees their own list)."""
    return is_committee(user, proposal.edition)


def can_discuss_proposal(user: Any, proposal: Proposal) -> bool:
    """The reviewers' and committee's thread about a proposal; never its speakers."""
    if is_speaker(user, proposal):
        return False
    return is_committee(user, proposal.edition) or is_assigned_reviewer(user, proposal)


def can_decide(user: Any, edition: Edition) -> bool:
    return is_chair(user, edition)


def can_volunteer_to_review(user: Any, edition: Edition) -> bool:
    return is_signed_in(user) and user.is_active and edition.is_published


def can_view_program(user: Any, edition: Edition) -> bool:
    """The published program is for every signed-in member; the committee sees it earlier."""
    if not is_signed_in(user):
        return False
    return edition.program_published_at is not None or is_committee(user, edition)
