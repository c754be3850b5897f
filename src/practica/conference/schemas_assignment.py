"""The assignment API's input and output shapes (`api_assignment` holds the endpoints).

Inputs forbid unknown fields and carry the services' limits, so a k of 0 or an unknown mode
is a 422 naming the field before any service runs.
"""

from datetime import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from practica.api.fields import Id
from practica.conference.models import AssignmentMode, AssignmentSource, PinKind, RunStatus
from practica.conference.services.assignment import MAX_LOAD, MAX_PER_PROPOSAL
from practica.people.api import PersonRef


class RunIn(Schema):
    """A run's settings; those left out take the edition's defaults."""

    model_config = ConfigDict(extra="forbid")

    mode: AssignmentMode = AssignmentMode.MAX_AFFINITY
    reviewers_per_proposal: int | None = Field(None, ge=1, le=MAX_PER_PROPOSAL)
    min_load: int | None = Field(None, ge=0, le=MAX_LOAD)
    max_load: int | None = Field(None, ge=1, le=MAX_LOAD)
    cross_division: bool = Field(
        True, description="At least one reviewer from another division than the speakers."
    )


class RunOut(Schema):
    """A run: its progress while it runs, its report once done, its error if it failed.
    `report` holds total_affinity, min_proposal_affinity, quantiles, histogram, load,
    upper_bound, gap and more (see the solver's report)."""

    id: int
    edition_id: int
    mode: AssignmentMode
    status: RunStatus
    progress: int = Field(description="0–100.")
    progress_message: str
    parameters: dict[str, Any]
    report: dict[str, Any]
    error: str
    pairs: int = Field(description="How many pairs the run proposes.")
    started_by: PersonRef | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    applied_at: datetime | None


class ComponentsOut(Schema):
    text: float = Field(description="TF-IDF cosine of the proposal's and the reviewer's texts.")
    topic: float = Field(description="Share of the proposal's topics the reviewer knows.")
    bid: str = Field(description="eager, willing, not_willing or '' (no bid).")
    score: float


class RunPairOut(Schema):
    proposal_id: int
    person_id: int
    affinity: float
    components: ComponentsOut | None


class AppliedOut(Schema):
    created: int
    removed: int = Field(description="Run-made assignments without a review, replaced.")
    kept: int = Field(description="Assignments made by hand or with a review started.")
    skipped_conflicts: int = Field(description="Run pairs that became conflicts since.")


class AssignmentOut(Schema):
    id: int
    proposal_id: int
    proposal_title: str
    reviewer: PersonRef
    source: AssignmentSource
    run_id: int | None
    affinity: float
    components: ComponentsOut | None
    review_started: bool
    assigned_at: datetime


class AssignmentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    proposal_id: Id
    person_id: Id


class AssignmentFilters(Schema):
    proposal_id: Id | None = None
    reviewer_id: Id | None = None


class PinIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: PinKind = Field(description="pin: always assign; forbid: never assign.")


class PinOut(Schema):
    proposal_id: int
    proposal_title: str
    person: PersonRef
    kind: PinKind
    set_at: datetime


class ReasonOut(Schema):
    code: str = Field(
        description="own, same_team, manages, managed_by, co_speaker, declared or bid."
    )
    label: str


class ConflictOut(Schema):
    proposal_id: int
    proposal_title: str
    person: PersonRef
    reasons: list[ReasonOut]


class ConflictFilters(Schema):
    proposal_id: Id | None = None
    person_id: Id | None = None
    code: str = ""


class SharedTermOut(Schema):
    term: str
    weight: float


class MatchedTopicOut(Schema):
    topic: str
    known_as: str | None = Field(description="The reviewer's listed topic that covers it.")


class ExplanationOut(Schema):
    proposal_id: int
    person_id: int
    text: float
    topic: float
    bid: str
    score: float
    weights: dict[str, float]
    shared_terms: list[SharedTermOut]
    topics: list[MatchedTopicOut]
    conflicts: list[ReasonOut]


class RemovedOut(Schema):
    removed: bool = Field(description="False when there was nothing to remove.")


class AssignmentRefusalOut(Schema):
    detail: str
    code: str = Field(description="running, not_done, applied, assigned or review_started.")
