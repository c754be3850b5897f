"""Reviews over HTTP: the caller's own assignments, a proposal's reviews under the visibility
rules, the caller's own review (save a draft, submit) and the proposal's discussion.

A proposal the caller may not see is a 404; one they see but may not review, read the reviews
of or discuss a 403 that says why (e.g. "Submit your own review first"); a moment or state that
does not allow the step (deadline passed, withdrawn, decided) a 409 with a `code`; bad values a
422 naming the field. Writes go through `conference.services.reviews`, as on the web pages.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from practica.api.errors import error_responses
from practica.api.fields import Id
from practica.api.pagination import Page
from practica.conference.models import (
    Edition,
    Proposal,
    ProposalComment,
    Review,
    ReviewAssignment,
    ReviewCriterion,
)
from practica.conference.permissions import (
    can_discuss_proposal,
    can_view_edition,
    can_view_proposal,
    is_assigned_reviewer,
)
from practica.conference.queries import reviews as review_queries
from practica.conference.schemas_reviews import (
    AssignmentFilters,
    CommentIn,
    CommentOut,
    MyAssignmentOut,
    MyReviewOut,
    ProposalReviewsOut,
    ReviewIn,
    ReviewRefusalOut,
)
from practica.conference.services import reviews as review_services

router = Router(tags=["conference"])

ERRORS = error_responses(401, 403, 404, 422)
REFUSALS = {**ERRORS, 409: ReviewRefusalOut}


def visible_proposal(request: HttpRequest, proposal_id: int) -> Proposal:
    """The proposal if the caller may see it; not found otherwise."""
    proposal = get_object_or_404(
        Proposal.objects.select_related("edition", "format", "track"), pk=proposal_id
    )
    if not can_view_proposal(request.auth, proposal):
        raise Http404
    return proposal


def refused(refusal: review_services.ReviewRefused) -> Status:
    return Status(409, {"detail": refusal.messages[0], "code": refusal.code or "refused"})


def _scores(review: Review | None, criteria: list[ReviewCriterion]) -> list[dict[str, Any]]:
    given = {score.criterion_id: score.score for score in review.scores.all()} if review else {}
    return [
        {
            "criterion": criterion.pk,
            "name": criterion.name,
            "weight": float(criterion.weight),
            "score": given.get(criterion.pk),
        }
        for criterion in criteria
    ]


# --- The caller's assignments and own review ------------------------------------------------


@router.get("/conference/reviews/mine", response={200: list[MyAssignmentOut], **ERRORS})
@paginate(Page)
def list_my_review_assignments(
    request: HttpRequest, filters: Query[AssignmentFilters]
) -> QuerySet[ReviewAssignment]:
    """The caller's own assignments — never anyone else's — soonest deadline first, each with
    where the review stands. Filter by edition and state."""
    edition = None
    if filters.edition is not None:
        edition = get_object_or_404(Edition, pk=filters.edition)
        if not can_view_edition(request.auth, edition):
            raise Http404
    return review_queries.my_assignments(request.auth, edition=edition, state=filters.state)


def _my_review_out(proposal: Proposal, user: Any) -> dict[str, Any]:
    review = review_queries.own_review(proposal, user)
    criteria = review_queries.criteria_of(proposal.edition)
    refusal = ""
    try:
        review_services.check_may_review(proposal=proposal, reviewer=user, now=timezone.now())
    except (PermissionDenied, review_services.ReviewRefused) as error:
        refusal = str(error) if isinstance(error, PermissionDenied) else error.messages[0]
    return {
        "proposal_id": proposal.pk,
        "status": review.status if review else "not_started",
        "scores": _scores(review, criteria),
        "recommendation": review.recommendation if review else None,
        "confidence": review.confidence if review else None,
        "comments_to_speakers": review.comments_to_speakers if review else "",
        "comments_to_committee": review.comments_to_committee if review else "",
        "weighted_score": review.weighted_score if review else None,
        "submitted_at": review.submitted_at if review else None,
        "deadline": proposal.edition.review_closes_at,
        "can_edit": not refusal,
        "refusal": refusal,
    }


def _assigned_proposal(request: HttpRequest, proposal_id: int) -> Proposal:
    proposal = visible_proposal(request, proposal_id)
    if not is_assigned_reviewer(request.auth, proposal):
        raise PermissionDenied(_("You are not assigned to review this proposal."))
    return proposal


@router.get("/conference/proposals/{proposal_id}/review", response={200: MyReviewOut, **ERRORS})
def get_my_review(request: HttpRequest, proposal_id: Id) -> dict[str, Any]:
    """The caller's own review of the proposal (403 if not assigned to it), with whether it
    can be changed now and, if not, why."""
    proposal = _assigned_proposal(request, proposal_id)
    return _my_review_out(proposal, request.auth)


def _write(request: HttpRequest, proposal_id: int, payload: ReviewIn, *, submit: bool) -> Any:
    proposal = visible_proposal(request, proposal_id)
    action = review_services.submit_review if submit else review_services.save_review
    try:
        action(
            proposal=proposal,
            reviewer=request.auth,
            scores=_score_map(payload),
            recommendation=payload.recommendation,
            confidence=payload.confidence,
            comments_to_speakers=payload.comments_to_speakers,
            comments_to_committee=payload.comments_to_committee,
        )
    except review_services.ReviewRefused as refusal:
        return refused(refusal)
    return _my_review_out(proposal, request.auth)


def _score_map(payload: ReviewIn) -> dict[int, int]:
    scores: dict[int, int] = {}
    for item in payload.scores:
        if item.criterion in scores:
            raise ValidationError(
                {
                    "scores": _("Each criterion is scored once; %(id)s is given twice.")
                    % {"id": item.criterion}
                }
            )
        scores[item.criterion] = item.score
    return scores


@router.put("/conference/proposals/{proposal_id}/review", response={200: MyReviewOut, **REFUSALS})
def save_my_review(request: HttpRequest, proposal_id: Id, payload: ReviewIn) -> Any:
    """Save the caller's review as a draft (any part may be missing). 403: not assigned, own
    or conflicted proposal; 409: before reviewing opens, after the deadline, withdrawn,
    decided, or already submitted (submit again to change it)."""
    return _write(request, proposal_id, payload, submit=False)


@router.post(
    "/conference/proposals/{proposal_id}/review/submit",
    response={200: MyReviewOut, **REFUSALS},
)
def submit_my_review(request: HttpRequest, proposal_id: Id, payload: ReviewIn) -> Any:
    """Submit the caller's review, complete (422 names every missing answer). Submitting
    again changes it, until the deadline."""
    return _write(request, proposal_id, payload, submit=True)


# --- A proposal's reviews and discussion -----------------------------------------------------


@router.get(
    "/conference/proposals/{proposal_id}/reviews", response={200: ProposalReviewsOut, **ERRORS}
)
def list_proposal_reviews(request: HttpRequest, proposal_id: Id) -> dict[str, Any]:
    """The proposal's reviews as the caller may see them: the committee, and an assigned
    reviewer once their own is submitted, see every submitted review with its reviewer;
    a speaker sees only the comments to the speakers, numbered, once the proposal is decided.
    Anyone else: 403 with the reason."""
    proposal = visible_proposal(request, proposal_id)
    shown = review_queries.visible_reviews(proposal, request.auth)
    return {
        "visibility": shown.visibility,
        "reviews": [
            {
                "id": review.pk,
                "reviewer": review.assignment.reviewer,
                "scores": _scores(review, shown.criteria),
                "recommendation": review.recommendation,
                "confidence": review.confidence,
                "weighted_score": review.weighted_score,
                "comments_to_speakers": review.comments_to_speakers,
                "comments_to_committee": review.comments_to_committee,
                "submitted_at": review.submitted_at,
            }
            for review in shown.reviews
        ],
        "comments_to_speakers": [
            {"number": number, "text": text}
            for number, text in enumerate(shown.comments_to_speakers, start=1)
        ],
    }


def _discussed_proposal(request: HttpRequest, proposal_id: int) -> Proposal:
    proposal = visible_proposal(request, proposal_id)
    if not can_discuss_proposal(request.auth, proposal):
        raise PermissionDenied(_("Only the proposal's reviewers and the committee discuss it."))
    return proposal


@router.get(
    "/conference/proposals/{proposal_id}/comments", response={200: list[CommentOut], **ERRORS}
)
@paginate(Page)
def list_proposal_comments(request: HttpRequest, proposal_id: Id) -> QuerySet[ProposalComment]:
    """The discussion among the proposal's reviewers and the committee, oldest first. Never
    for its speakers (403)."""
    return review_queries.discussion(_discussed_proposal(request, proposal_id))


@router.post("/conference/proposals/{proposal_id}/comments", response={201: CommentOut, **REFUSALS})
def post_proposal_comment(request: HttpRequest, proposal_id: Id, payload: CommentIn) -> Any:
    """Add to the discussion (403 for speakers and others; 409 once withdrawn)."""
    proposal = _discussed_proposal(request, proposal_id)
    try:
        comment = review_services.add_proposal_comment(
            proposal=proposal, author=request.auth, body=payload.body
        )
    except review_services.ReviewRefused as refusal:
        return refused(refusal)
    return Status(201, comment)
