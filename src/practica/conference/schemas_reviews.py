"""The reviews API's input and output shapes (`conference.api_reviews` holds the endpoints).

Inputs forbid unknown fields and carry the review form's limits (scores and confidence 1–5,
recommendation −2…+2, comment lengths), so bad values are a 422 naming the field before any
service runs; what depends on the edition (which criteria, completeness on submit) is the
service's 422.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, StrictInt

from practica.api.fields import Id, text
from practica.conference.services.reviews import (
    MAX_COMMENTS_LENGTH,
    MAX_DISCUSSION_LENGTH,
    MAX_SCORE,
    MIN_SCORE,
)
from practica.people.api import PersonRef

Score = Annotated[StrictInt, Field(ge=MIN_SCORE, le=MAX_SCORE)]
RecommendationValue = Annotated[StrictInt, Field(ge=-2, le=2)]
ReviewState = Literal["not_started", "draft", "submitted"]
MAX_CRITERIA = 50


class ScoreIn(Schema):
    model_config = ConfigDict(extra="forbid")

    criterion: Id = Field(description="A criterion id of the edition's review form.")
    score: Score


class ReviewIn(Schema):
    """A review. For a draft every field may be left out; a submission needs a score for
    every criterion, a recommendation and a confidence."""

    model_config = ConfigDict(extra="forbid")

    scores: list[ScoreIn] = Field(default_factory=list, max_length=MAX_CRITERIA)
    recommendation: RecommendationValue | None = Field(
        None, description="−2 strong reject, −1 reject, 0 borderline, 1 accept, 2 strong accept."
    )
    confidence: Score | None = Field(None, description="1 (a guess) to 5 (expert).")
    comments_to_speakers: text(MAX_COMMENTS_LENGTH) = Field(  # type: ignore[valid-type]
        "", description="Sent to the speakers with the decision, without the reviewer's name."
    )
    comments_to_committee: text(MAX_COMMENTS_LENGTH) = Field(  # type: ignore[valid-type]
        "", description="For the committee and the proposal's other reviewers."
    )


class CriterionScoreOut(Schema):
    criterion: int
    name: str
    weight: float
    score: int | None


class EditionRef(Schema):
    id: int
    name: str


class ProposalRef(Schema):
    id: int
    title: str
    state: str
    format: str
    track: str | None

    @staticmethod
    def resolve_format(obj: Any) -> str:
        return obj.format.name

    @staticmethod
    def resolve_track(obj: Any) -> str | None:
        return obj.track.name if obj.track_id else None


class MyAssignmentOut(Schema):
    """One of the caller's own assignments, with where their review stands."""

    id: int
    proposal: ProposalRef
    edition: EditionRef
    review_state: ReviewState
    review_opens_at: datetime
    review_closes_at: datetime
    submitted_at: datetime | None

    @staticmethod
    def resolve_edition(obj: Any) -> Any:
        return obj.proposal.edition

    @staticmethod
    def resolve_review_opens_at(obj: Any) -> datetime:
        return obj.proposal.edition.review_opens_at

    @staticmethod
    def resolve_review_closes_at(obj: Any) -> datetime:
        return obj.proposal.edition.review_closes_at

    @staticmethod
    def resolve_submitted_at(obj: Any) -> datetime | None:
        review = getattr(obj, "review", None)
        return review.submitted_at if review is not None else None


class AssignmentFilters(Schema):
    edition: Id | None = Field(None, description="Only this edition's assignments.")
    state: ReviewState | None = Field(None, description="Only assignments in this state.")


class MyReviewOut(Schema):
    """The caller's own review of a proposal (`not_started` before the first save)."""

    proposal_id: int
    status: ReviewState
    scores: list[CriterionScoreOut]
    recommendation: int | None
    confidence: int | None
    comments_to_speakers: str
    comments_to_committee: str
    weighted_score: float | None
    submitted_at: datetime | None
    deadline: datetime
    can_edit: bool = Field(description="Whether the review can be saved or submitted now.")
    refusal: str = Field(description="Why not, when `can_edit` is false.")


class ReviewOut(Schema):
    id: int
    reviewer: PersonRef
    scores: list[CriterionScoreOut]
    recommendation: int | None
    confidence: int | None
    weighted_score: float | None
    comments_to_speakers: str
    comments_to_committee: str
    submitted_at: datetime | None


class SpeakerCommentOut(Schema):
    number: int = Field(description="Reviewers are numbered, never named.")
    text: str


class ProposalReviewsOut(Schema):
    """`full` (the committee; a reviewer after submitting): every submitted review with its
    reviewer; `speaker` (a speaker, once decided): only the comments to the speakers."""

    visibility: Literal["full", "speaker"]
    reviews: list[ReviewOut]
    comments_to_speakers: list[SpeakerCommentOut]


class CommentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    body: text(MAX_DISCUSSION_LENGTH, min_length=1)  # type: ignore[valid-type]


class CommentOut(Schema):
    id: int
    author: PersonRef
    body: str
    created_at: datetime


class ReviewRefusalOut(Schema):
    """The review step is not possible now. `code`: withdrawn, decided, not_open, closed,
    submitted."""

    detail: str
    code: str
