"""The ladder and board API's shapes (`api` and `api_opportunities` hold the endpoints)."""

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from practica.api.fields import Id, text
from practica.communities.ladder import opportunity_services, services
from practica.communities.ladder.opportunity_queries import opportunity_state
from practica.communities.models import (
    LadderStepSource,
    OpportunityKind,
    OpportunityStatus,
    VolunteerStatus,
)
from practica.people.api import PersonRef

Requirements = dict[str, int]


class LadderPersonOut(Schema):
    id: int
    display_name: str
    job_title: str


# --- Contributions -------------------------------------------------------------------------


class ContributionKindOut(Schema):
    key: str = Field(description="The key a rung's `requirements` count.")
    label: str


class ContributionCountsOut(Schema):
    person: LadderPersonOut
    total: int
    counts: Requirements = Field(description="Contributions per kind (every kind, zeros too).")


# --- Rungs ---------------------------------------------------------------------------------


class RungRef(Schema):
    id: int
    position: int
    name: str


class RungOut(Schema):
    id: int
    position: int = Field(description="1 is the bottom rung.")
    name: str
    description: str
    requirements: Requirements = Field(
        description="What earns the rung: a count per contribution kind, all to be met; "
        "empty when only the manager puts people on it."
    )
    member_count: int = Field(0, description="Current members whose current rung it is.")


class RungIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: text(services.MAX_RUNG_NAME, min_length=1)  # type: ignore[valid-type]
    description: text(services.MAX_RUNG_DESCRIPTION) = ""  # type: ignore[valid-type]
    requirements: dict[str, Any] = Field(
        default_factory=dict,
        description="A count (1–10,000) per contribution kind; see "
        "`GET /ladder/contribution-kinds`.",
    )


class RungPatchIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: text(services.MAX_RUNG_NAME, min_length=1) | None = None  # type: ignore[valid-type]
    description: text(services.MAX_RUNG_DESCRIPTION) | None = None  # type: ignore[valid-type]
    requirements: dict[str, Any] | None = None


class RungOrderIn(Schema):
    model_config = ConfigDict(extra="forbid")

    rung_ids: list[Id] = Field(
        max_length=100, description="Every rung of the ladder once, bottom rung first."
    )


# --- Members and steps ---------------------------------------------------------------------


class StepOut(Schema):
    id: int
    rung: RungRef
    reached_at: datetime
    source: LadderStepSource
    recorded_by: PersonRef | None
    note: str


class LadderMemberOut(Schema):
    person: LadderPersonOut
    rung: RungRef | None = Field(description="The current rung; null when not on the ladder.")
    reached_at: datetime | None

    @staticmethod
    def resolve_rung(membership: Any) -> dict[str, Any] | None:
        if membership.rung_id is None:
            return None
        return {
            "id": membership.rung_id,
            "position": membership.rung_position,
            "name": membership.rung_name,
        }


class LadderMemberDetailOut(Schema):
    person: LadderPersonOut
    is_member: bool = Field(description="Whether they are a current member.")
    rung: RungRef | None
    reached_at: datetime | None
    history: list[StepOut] = Field(description="Every step, newest first.")
    contributions: Requirements = Field(description="All-time contributions per kind.")
    recent_contributions: Requirements = Field(
        description="Contributions per kind in the last 90 days."
    )


class SetRungIn(Schema):
    model_config = ConfigDict(extra="forbid")

    rung_id: Id
    note: text(services.MAX_STEP_NOTE, min_length=1) = Field(  # type: ignore[valid-type]
        description="Why: kept in their history and the audit log."
    )


# --- Suggestions and asks ------------------------------------------------------------------


class SuggestionOut(Schema):
    person: LadderPersonOut
    current_rung: RungRef | None
    recent_engagement: int = Field(description="Engagement in the last 90 days.")
    previous_engagement: int = Field(description="Engagement in the 90 days before.")
    recent_contributions: Requirements
    previous_contributions: Requirements
    last_asked_at: datetime | None
    reason: str = Field(
        description="Why, in words, e.g. “answered 9 questions in the last 90 "
        "days, up from 2; presented 1 time; never asked”."
    )


class OpportunityRef(Schema):
    id: int
    title: str


class AskIn(Schema):
    model_config = ConfigDict(extra="forbid")

    person_id: Id
    opportunity_id: Id | None = Field(None, description="An open call of this board.")
    note: text(services.MAX_ASK_NOTE) = Field("", description="Sent in the mail.")  # type: ignore[valid-type]


class AskOut(Schema):
    id: int
    person: PersonRef
    asked_by: PersonRef | None
    asked_at: datetime
    opportunity: OpportunityRef | None
    note: str


# --- Opportunities -------------------------------------------------------------------------


class OpportunityOut(Schema):
    id: int
    kind: OpportunityKind
    title: str
    description: str
    seats: int | None = Field(description="People wanted; null for no limit.")
    closes_on: date | None
    status: OpportunityStatus
    state: str = Field(description="`open`, `expired` (past its closing day) or `closed`.")
    accepted_count: int
    offered_count: int = Field(description="Offers awaiting an answer.")
    created_by: PersonRef | None
    created_at: datetime
    closed_at: datetime | None

    @staticmethod
    def resolve_state(opportunity: Any) -> str:
        return opportunity_state(opportunity)


class OpportunityIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: OpportunityKind
    title: text(opportunity_services.MAX_TITLE, min_length=1)  # type: ignore[valid-type]
    description: text(opportunity_services.MAX_DESCRIPTION) = ""  # type: ignore[valid-type]
    seats: int | None = Field(None, description="1–1,000 people; null for no limit.")
    closes_on: date | None = Field(None, description="The last day to volunteer.")


class OpportunityPatchIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: OpportunityKind | None = None
    title: text(opportunity_services.MAX_TITLE, min_length=1) | None = None  # type: ignore[valid-type]
    description: text(opportunity_services.MAX_DESCRIPTION) | None = None  # type: ignore[valid-type]
    seats: int | None = Field(None, description="Send null for no limit.")
    closes_on: date | None = None


class VolunteerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    message: text(opportunity_services.MAX_MESSAGE) = Field(  # type: ignore[valid-type]
        "", description="A word to the organizers."
    )


class DecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: text(opportunity_services.MAX_DECISION_NOTE) = Field(  # type: ignore[valid-type]
        "", description="Told to the volunteer by mail."
    )


class VolunteerOut(Schema):
    id: int
    opportunity_id: int
    person: LadderPersonOut
    message: str
    status: VolunteerStatus
    offered_at: datetime
    decided_by: PersonRef | None
    decided_at: datetime | None
    decision_note: str
