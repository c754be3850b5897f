"""The conference API's shapes for editions, their parts (tracks, formats, rooms, review
criteria) and the program committee (`api_editions` holds the endpoints).

Inputs forbid unknown fields and carry the models' limits, so oversize text, naive times and
unknown choices are a 422 naming the field before any service runs.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema
from pydantic import AwareDatetime, ConfigDict, StrictInt

from practica.api.fields import Id, Slug, text
from practica.communities.api import CommunityRef
from practica.conference.models import EditionPhase, SessionKind
from practica.conference.services.editions import (
    MAX_DESCRIPTION,
    MAX_LOAD,
    MAX_NAME,
    MAX_REVIEWERS_PER_PROPOSAL,
    MAX_TOPICS,
)
from practica.core.api import TopicRef
from practica.events.models import EventMode
from practica.people.api import PersonRef

Load = StrictInt


class RefusalOut(Schema):
    """A step refused for its timing or state. `code`: not_open, deadline, state, closed,
    set_aside, in_use."""

    detail: str
    code: str


# --- Parts ------------------------------------------------------------------------------------


class TrackOut(Schema):
    id: int
    name: str
    description: str
    position: int


class TrackIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: text(120, min_length=1)
    description: text(2000) = ""
    position: StrictInt = Field(0, ge=0, le=999)


class TrackUpdateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: text(120, min_length=1) = None
    description: text(2000) = None
    position: StrictInt = Field(None, ge=0, le=999)


class FormatOut(Schema):
    id: int
    kind: SessionKind
    name: str
    minutes: int
    open_for_proposals: bool


class FormatIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: SessionKind
    name: text(80, min_length=1)
    minutes: StrictInt = Field(ge=5, le=480)
    open_for_proposals: bool = True


class FormatUpdateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: SessionKind = None
    name: text(80, min_length=1) = None
    minutes: StrictInt = Field(None, ge=5, le=480)
    open_for_proposals: bool = None


class RoomOut(Schema):
    id: int
    name: str
    venue: str
    capacity: int | None
    position: int


class RoomIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: text(120, min_length=1)
    venue: text(160) = ""
    capacity: StrictInt | None = Field(
        None, ge=0, le=1_000_000, description="Seats; null: unknown."
    )
    position: StrictInt = Field(0, ge=0, le=999)


class RoomUpdateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: text(120, min_length=1) = None
    venue: text(160) = None
    capacity: StrictInt | None = Field(None, ge=0, le=1_000_000)
    position: StrictInt = Field(None, ge=0, le=999)


class CriterionOut(Schema):
    id: int
    name: str
    description: str
    weight: Decimal
    position: int


class CriterionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: text(80, min_length=1)
    description: text(300) = ""
    weight: Decimal = Field(Decimal(1), ge=0, le=Decimal("99.99"), decimal_places=2)
    position: StrictInt = Field(0, ge=0, le=999)


class CriterionUpdateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: text(80, min_length=1) = None
    description: text(300) = None
    weight: Decimal = Field(None, ge=0, le=Decimal("99.99"), decimal_places=2)
    position: StrictInt = Field(None, ge=0, le=999)


class CommitteeMemberOut(Schema):
    id: int
    person: PersonRef
    is_chair: bool
    added_at: datetime


class CommitteeMemberIn(Schema):
    model_config = ConfigDict(extra="forbid")

    person_id: Id
    is_chair: bool = False


class CommitteeMemberUpdateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    is_chair: bool


# --- Editions ---------------------------------------------------------------------------------


class EditionOut(Schema):
    """An edition as lists show it. Moments are UTC; `time_zone` is the zone the call's
    deadlines are announced in. `phase` follows from the dates."""

    id: int
    name: str
    slug: str
    community: CommunityRef
    starts_on: date
    ends_on: date
    time_zone: str
    cfp_opens_at: datetime
    cfp_closes_at: datetime
    review_opens_at: datetime
    review_closes_at: datetime
    decisions_due_at: datetime
    is_published: bool
    phase: EditionPhase
    call_is_open: bool
    event_id: int | None

    @staticmethod
    def resolve_phase(edition: Any) -> str:
        return edition.phase()

    @staticmethod
    def resolve_call_is_open(edition: Any) -> bool:
        return edition.call_is_open()


class EditionDetailOut(EditionOut):
    """One edition with its parts, its committee and the caller's roles in it."""

    description: str
    topics: list[TopicRef]
    double_blind: bool
    reviewers_per_proposal: int
    reviewer_min_load: int
    reviewer_max_load: int
    tracks: list[TrackOut]
    formats: list[FormatOut]
    rooms: list[RoomOut]
    criteria: list[CriterionOut]
    committee: list[CommitteeMemberOut]
    is_chair: bool = Field(description="The caller chairs the edition.")
    is_committee: bool = Field(description="The caller is on its program committee.")
    is_reviewer: bool = Field(description="The caller is an active reviewer of it.")


class EditionCreateIn(Schema):
    """A new edition and its conference event. The event runs 09:00 on the first day to
    18:00 on the last, in `time_zone`, with `capacity` seats (null: no limit)."""

    model_config = ConfigDict(extra="forbid")

    name: text(MAX_NAME, min_length=1)
    slug: Slug | None = Field(None, description="Made from the name when left out.")
    description: text(MAX_DESCRIPTION) = Field("", description="Markdown.")
    topics: list[Slug] = Field([], max_length=MAX_TOPICS)
    starts_on: date
    ends_on: date
    time_zone: text(64, min_length=1)
    cfp_opens_at: AwareDatetime
    cfp_closes_at: AwareDatetime
    review_opens_at: AwareDatetime
    review_closes_at: AwareDatetime
    decisions_due_at: AwareDatetime
    reviewers_per_proposal: StrictInt = Field(3, ge=1, le=MAX_REVIEWERS_PER_PROPOSAL)
    reviewer_min_load: Load = Field(0, ge=0, le=MAX_LOAD)
    reviewer_max_load: Load = Field(8, ge=1, le=MAX_LOAD)
    double_blind: bool = False
    mode: EventMode = EventMode.IN_PERSON
    venue_city: text(120) = ""
    venue_building: text(120) = ""
    capacity: StrictInt | None = Field(None, ge=0, le=1_000_000)
    online_url: text(500) = ""
    publish: bool = Field(False, description="Announce at once (and publish the event).")
    with_defaults: bool = Field(
        True, description="Start with the usual formats, review criteria and decision mails."
    )


class EditionUpdateIn(Schema):
    """Only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    name: text(MAX_NAME, min_length=1) = None
    slug: Slug = None
    description: text(MAX_DESCRIPTION) = None
    topics: list[Slug] = Field(None, max_length=MAX_TOPICS)
    starts_on: date = None
    ends_on: date = None
    time_zone: text(64, min_length=1) = None
    cfp_opens_at: AwareDatetime = None
    cfp_closes_at: AwareDatetime = None
    review_opens_at: AwareDatetime = None
    review_closes_at: AwareDatetime = None
    decisions_due_at: AwareDatetime = None
    reviewers_per_proposal: StrictInt = Field(None, ge=1, le=MAX_REVIEWERS_PER_PROPOSAL)
    reviewer_min_load: Load = Field(None, ge=0, le=MAX_LOAD)
    reviewer_max_load: Load = Field(None, ge=1, le=MAX_LOAD)
    double_blind: bool = None
