"""Reads of reviewing: a proposal's reviews as a given person may see them, a reviewer's own
assignments, one's own review, the discussion thread and the committee's view of who reviews.

The visibility rules are `conference.permissions`'s, applied here once for views and API:
- the committee, and an assigned reviewer once their own review is submitted, see every
  submitted review in full, with the reviewers' names;
- a proposal's speakers see only the comments to speakers, numbered, never named, and only
  once the proposal is decided;
- everyone else sees none (`reviews_refusal` says why in a sentence for the screen).
Drafts are their author's alone.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Case, CharField, Prefetch, QuerySet, Value, When
from django.utils.translation import gettext as _

from practica.conference.models import (
    Edition,
    Proposal,
    ProposalComment,
    Review,
    ReviewAssignment,
    ReviewCriterion,
    ReviewScore,
    ReviewStatus,
)
from practica.conference.permissions import (
    can_see_comments_to_speakers,
    can_see_reviews,
    is_assigned_reviewer,
    is_speaker,
)

# The state of a reviewer's work on one assignment, as `my_assignments` annotates it.
NOT_STARTED = "not_started"
REVIEW_STATES = (NOT_STARTED, ReviewStatus.DRAFT.value, ReviewStatus.SUBMITTED.value)
FULL = "full"
SPEAKER = "speaker"


@dataclass
class ReviewsView:
    """What a viewer sees of a proposal's reviews.

    `visibility` "full": `reviews` are the submitted reviews (reviewer, scores in `criteria`
    order as `review.score_list`, both comments); "speaker": only `comments_to_speakers`.
    """

    visibility: str
    criteria: list[ReviewCriterion] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    comments_to_speakers: list[str] = field(default_factory=list)


def review_state() -> Case:
    """not_started, draft or submitted, for a ReviewAssignment row."""
    return Case(
        When(review__status=ReviewStatus.SUBMITTED, then=Value(ReviewStatus.SUBMITTED.value)),
        When(review__status=ReviewStatus.DRAFT, then=Value(ReviewStatus.DRAFT.value)),
        default=Value(NOT_STARTED),
        output_field=CharField(),
    )


def reviews_refusal(viewer: Any, proposal: Proposal) -> str | None:
    """Why `viewer` may not see the proposal's reviews now, or None if they may."""
    if can_see_reviews(viewer, proposal) or can_see_comments_to_speakers(viewer, proposal):
        return None
    if is_speaker(viewer, proposal):
        return _("The reviewers' comments reach you with the committee's decision.")
    if is_assigned_reviewer(viewer, proposal):
        return _("Submit your own review first: the other reviews show after that.")
    return _("Only the committee and the proposal's reviewers see its reviews.")


def criteria_of(edition: Edition) -> list[ReviewCriterion]:
    return list(ReviewCriterion.objects.filter(edition=edition).order_by("position", "pk"))


def submitted_reviews(proposal: Proposal) -> QuerySet[Review]:
    """The proposal's submitted reviews, oldest first, with reviewer and scores loaded."""
    return (
        Review.objects.filter(assignment__proposal=proposal, status=ReviewStatus.SUBMITTED)
        .select_related("assignment__reviewer")
        .prefetch_related(Prefetch("scores", queryset=ReviewScore.objects.all()))
        .order_by("submitted_at", "pk")
    )


def with_score_list(review: Review, criteria: list[ReviewCriterion]) -> Review:
    """Attach `score_list`: (criterion, score or None) in the form's order."""
    by_criterion = {score.criterion_id: score.score for score in review.scores.all()}
    review.score_list = [  # type: ignore[attr-defined]
        (criterion, by_criterion.get(criterion.pk)) for criterion in criteria
    ]
    return review


def visible_reviews(proposal: Proposal, viewer: Any) -> ReviewsView:
    """The proposal's reviews as `viewer` may see them; PermissionDenied (with the reason)
    when they may see none. The caller checked `can_view_proposal` (404 otherwise)."""
    if can_see_reviews(viewer, proposal):
        criteria = criteria_of(proposal.edition)
        reviews = [with_score_list(review, criteria) for review in submitted_reviews(proposal)]
        return ReviewsView(visibility=FULL, criteria=criteria, reviews=reviews)
    if can_see_comments_to_speakers(viewer, proposal):
        comments = list(
            Review.objects.filter(assignment__proposal=proposal, status=ReviewStatus.SUBMITTED)
            .exclude(comments_to_speakers="")
            .order_by("submitted_at", "pk")
            .values_list("comments_to_speakers", flat=True)
        )
        return ReviewsView(visibility=SPEAKER, comments_to_speakers=comments)
    raise PermissionDenied(reviews_refusal(viewer, proposal))


def own_review(proposal: Proposal, reviewer: Any) -> Review | None:
    """The reviewer's own review of `proposal` (draft or submitted), scores loaded."""
    return (
        Review.objects.filter(assignment__proposal=proposal, assignment__reviewer=reviewer)
        .prefetch_related("scores")
        .first()
    )


def my_assignments(
    reviewer: Any, *, edition: Edition | None = None, state: str | None = None
) -> QuerySet[ReviewAssignment]:
    """The reviewer's own assignments — never anyone else's — soonest deadline first, each
    annotated `review_state` (not_started, draft, submitted), with its proposal, edition and
    review loaded. Optionally of one edition and in one state."""
    rows = (
        ReviewAssignment.objects.filter(reviewer=reviewer)
        .exclude(proposal__state="draft")
        .select_related(
            "proposal__edition__community",
            "proposal__format",
            "proposal__track",
            "review",
        )
        .annotate(review_state=review_state())
        .order_by("proposal__edition__review_closes_at", "proposal__title", "pk")
    )
    if edition is not None:
        rows = rows.filter(proposal__edition=edition)
    if state in REVIEW_STATES:
        rows = rows.filter(review_state=state)  # type: ignore[misc]  # an annotation
    return rows


@dataclass(frozen=True)
class AssignmentCounts:
    total: int
    submitted: int
    draft: int
    not_started: int


def my_assignment_counts(reviewer: Any, *, edition: Edition | None = None) -> AssignmentCounts:
    """How many of the reviewer's assignments are in each state (one query)."""
    states: list[str | None] = list(
        my_assignments(reviewer, edition=edition).values_list("review__status", flat=True)
    )
    return AssignmentCounts(
        total=len(states),
        submitted=states.count(ReviewStatus.SUBMITTED),
        draft=states.count(ReviewStatus.DRAFT),
        not_started=states.count(None),
    )


def discussion(proposal: Proposal) -> QuerySet[ProposalComment]:
    """The proposal's discussion, oldest first, authors loaded. The caller checked
    `can_discuss_proposal`."""
    return (
        ProposalComment.objects.filter(proposal=proposal)
        .select_related("author")
        .order_by("created_at", "pk")
    )


def review_progress(proposal: Proposal) -> QuerySet[ReviewAssignment]:
    """Who reviews the proposal and how far they are — for the committee only; the caller
    checked `can_see_assignments`."""
    return (
        ReviewAssignment.objects.filter(proposal=proposal)
        .select_related("reviewer", "review")
        .annotate(review_state=review_state())
        .order_by("reviewer__display_name", "pk")
    )
