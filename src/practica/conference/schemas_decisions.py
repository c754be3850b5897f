"""The decisions API's input and output shapes (`conference.api_decisions` holds the
endpoints)."""

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from practica.api.fields import Id, text
from practica.conference.models import DecisionOutcome, ProposalState
from practica.conference.queries.dashboard import DECIDED, SORTS, UNDECIDED
from practica.conference.services.decisions import MAX_BODY_LENGTH, MAX_SUBJECT_LENGTH
from practica.people.api import PersonRef

MinScore = Annotated[float, Field(ge=1, le=5)]


class DashboardFilters(Schema):
    track: Id | None = Field(None, description="A track id of the edition.")
    topic: Id | None = Field(None, description="A topic id.")
    format: Id | None = Field(None, description="A session format id of the edition.")
    state: ProposalState | Literal["undecided", "decided"] | None = Field(
        None, description=f"A proposal state in review, `{UNDECIDED}` or `{DECIDED}`."
    )
    min_score: MinScore | None = Field(None, description="Keep means at least this (1–5).")
    disagreement: bool = Field(False, description="Only proposals flagged for disagreement.")
    sort: Literal[SORTS] = Field(  # type: ignore[valid-type]
        "-score", description="score, spread, title or reviews; a leading `-` descends."
    )


class DashboardRowOut(Schema):
    """One proposal in review. `mean`: mean of the reviews' weighted scores (1–5); `spread`:
    their population standard deviation; `disagreement`: recommendations on both sides of
    borderline, or a spread of 1.0 or more."""

    proposal_id: int
    title: str
    state: ProposalState
    track: str | None
    format: str
    speakers: list[str]
    assigned: int
    submitted: int
    mean: float | None
    spread: float | None
    recommendation_low: int | None
    recommendation_high: int | None
    disagreement: bool
    mean_confidence: float | None
    decided_at: datetime | None
    decision_mailed_at: datetime | None


class DecisionSummaryOut(Schema):
    in_review: int
    undecided: int
    by_state: dict[str, int]
    to_mail: dict[str, int] = Field(description="Decided proposals whose mail is not sent.")
    to_mail_total: int
    reviews_submitted: int
    reviews_assigned: int


class DecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    outcome: DecisionOutcome


class DecisionOut(Schema):
    proposal_id: int
    state: ProposalState
    decided_at: datetime | None
    decided_by: PersonRef | None
    decision_mailed_at: datetime | None


class DecisionMailOut(Schema):
    """The mail as the first speaker would get it; the chair's text, then the reviewers'
    numbered comments and the proposal page's link."""

    outcome: DecisionOutcome
    subject: str
    body: str
    speaker_name: str
    proposal_url: str
    comments_to_speakers: list[str]


class DecisionTemplateOut(Schema):
    outcome: DecisionOutcome
    subject: str
    body: str


class DecisionTemplateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    subject: text(MAX_SUBJECT_LENGTH, min_length=1)  # type: ignore[valid-type]
    body: text(MAX_BODY_LENGTH, min_length=1)  # type: ignore[valid-type]


class DecisionMailReportOut(Schema):
    proposals: int
    mails: int
    by_outcome: dict[str, int]


class DecisionRefusalOut(Schema):
    """The decision step is not possible now. `code`: call_open, state, mailed, confirmed."""

    detail: str
    code: str
