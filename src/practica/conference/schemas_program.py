"""The program API's input and output shapes (`api_program` holds the endpoints).

Inputs forbid unknown fields and carry the services' limits, so a naive time, an unknown kind
or an oversize title is a 422 naming the field before any service runs.
"""

from datetime import datetime
from uuid import UUID

from ninja import Field, Schema
from pydantic import AwareDatetime, ConfigDict

from practica.api.fields import Id, text
from practica.conference.models import ProposalState, SlotKind
from practica.conference.services.program import MAX_MINUTES, MAX_TITLE, MIN_MINUTES
from practica.people.api import PersonRef


class SlotIn(Schema):
    """A slot to place. A session: `proposal_id` and `room_id`. A keynote: a keynote-format
    `proposal_id`, or `title` and `speaker_id`. A break or plenary: an optional `title`.
    No `room_id`: every room."""

    model_config = ConfigDict(extra="forbid")

    kind: SlotKind
    starts_at: AwareDatetime = Field(description="The start, with its offset.")
    minutes: int | None = Field(
        None,
        ge=MIN_MINUTES,
        le=MAX_MINUTES,
        description="Length; default the proposal's format (45 for a keynote, 30 for a break).",
    )
    room_id: Id | None = None
    proposal_id: Id | None = None
    title: text(MAX_TITLE) = ""  # type: ignore[valid-type]
    speaker_id: Id | None = Field(None, description="The keynote's member, without a proposal.")
    track_id: Id | None = None


class SlotMoveIn(Schema):
    """Fields to change; absent ones stay. `room_id: null` makes the slot take every room
    (not for sessions)."""

    model_config = ConfigDict(extra="forbid")

    starts_at: AwareDatetime | None = None
    room_id: Id | None = None
    minutes: int | None = Field(None, ge=MIN_MINUTES, le=MAX_MINUTES)


class RoomRef(Schema):
    id: int
    name: str
    venue: str
    capacity: int | None


class TrackRef(Schema):
    id: int
    name: str


class SlotProposalRef(Schema):
    id: int
    title: str
    abstract: str
    format: str
    state: ProposalState


class SlotOut(Schema):
    id: int
    edition_id: int
    kind: SlotKind
    title: str = Field(description="The slot's title, its proposal's, or its kind's name.")
    starts_at: datetime
    ends_at: datetime
    minutes: int
    room: RoomRef | None = Field(description="Null: every room.")
    track: TrackRef | None
    proposal: SlotProposalRef | None
    speakers: list[PersonRef]
    uid: UUID = Field(description="Its calendar entry's UID (before `@site`).")
    sequence: int = Field(description="Its calendar entry's SEQUENCE, raised on every move.")
    attendees: int = Field(description="Members who put the slot on their agenda.")
    calendar_url: str = Field(description="The .ics download for a signed-in browser.")


class SlotCalendarOut(Schema):
    filename: str
    content_type: str
    ics: str = Field(description="The iCalendar text (RFC 5545, CRLF lines).")


class ProgramOut(Schema):
    edition_id: int
    time_zone: str
    published_at: datetime | None
    slots: list[SlotOut]


class WarningOut(Schema):
    code: str = Field(
        description="room_clash (an error: blocks publishing), speaker_clash, room_too_small, "
        "track_clash."
    )
    severity: str = Field(description="error or warning")
    message: str
    slot_ids: list[int]


class PublishOut(Schema):
    published_at: datetime | None
    presented: int = Field(0, description="PRESENTED activity rows recorded by this call.")
    keynoted: int = Field(0, description="KEYNOTED activity rows recorded by this call.")
    warnings: list[WarningOut] = []


class UnscheduledOut(Schema):
    id: int
    title: str
    format: str
    minutes: int
    track: TrackRef | None
    state: ProposalState
    expected_audience: int | None


class AgendaItemOut(Schema):
    slot: SlotOut
    added_at: datetime
    clashes_with: list[int] = Field(description="Other slots on the agenda it overlaps.")


class AgendaRemovedOut(Schema):
    slot_id: int
    removed: bool = Field(description="False when it was not on the agenda.")


class ProgramRefusalOut(Schema):
    """The change clashes with the program. `code`: room_taken, already_scheduled or
    program_errors."""

    detail: str
    code: str
