"""The conference API's shapes for the reviewer pool and bids (`api_pool` holds the
endpoints)."""

from datetime import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict, StrictInt

from practica.api.fields import Slug, text
from practica.conference.models import AudienceLevel, BidLevel
from practica.conference.schemas_proposals import FormatRef, SpeakerOut, TrackRef
from practica.conference.services.pool import MAX_LOAD, MAX_STATEMENT, MAX_TOPICS
from practica.core.api import TopicRef
from practica.people.api import PersonRef


class VolunteerOut(Schema):
    """A member of the edition's reviewer pool. `is_active` false: the chair set them aside."""

    id: int
    edition_id: int
    person: PersonRef
    topics: list[TopicRef]
    max_load: int
    statement: str
    is_active: bool
    volunteered_at: datetime

    @staticmethod
    def resolve_topics(volunteer: Any) -> list[Any]:
        return list(volunteer.topics.all())


class PoolMemberOut(VolunteerOut):
    """A volunteer as the chair sees them, with their bids and assignments counted."""

    bid_count: int
    assigned_count: int


class VolunteerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    topics: list[Slug] = Field([], max_length=MAX_TOPICS, description="Expertise topics.")
    max_load: StrictInt = Field(8, ge=1, le=MAX_LOAD, description="At most the edition's own.")
    statement: text(MAX_STATEMENT) = ""


class VolunteerUpdateIn(Schema):
    """Only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    topics: list[Slug] = Field(None, max_length=MAX_TOPICS)
    max_load: StrictInt = Field(None, ge=1, le=MAX_LOAD)
    statement: text(MAX_STATEMENT) = None


class PoolMemberUpdateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    is_active: bool = Field(description="False sets the volunteer aside; True takes them back.")


class PoolFilters(Schema):
    active: bool | None = Field(None, description="In the pool (true) or set aside (false).")


class BidIn(Schema):
    model_config = ConfigDict(extra="forbid")

    level: BidLevel


class BidOut(Schema):
    proposal_id: int
    level: BidLevel
    updated_at: datetime


class BidStateOut(Schema):
    """The caller's bid on a proposal; `level` null: no bid."""

    proposal_id: int
    level: BidLevel | None


class BiddableOut(Schema):
    """A proposal the caller may bid on, with their current bid (null: none) and how many of
    its topics fall in their expertise. `speakers` is null under double-blind review."""

    id: int
    title: str
    abstract: str
    format: FormatRef
    track: TrackRef | None
    topics: list[TopicRef]
    audience_level: AudienceLevel
    topic_matches: int
    my_bid: BidLevel | None
    speakers: list[SpeakerOut] | None

    @staticmethod
    def resolve_topics(proposal: Any) -> list[Any]:
        return list(proposal.topics.all())

    @staticmethod
    def resolve_speakers(proposal: Any) -> list[Any] | None:
        if getattr(proposal, "speakers_hidden", False):
            return None
        return [row for row in proposal.speakers.all() if row.status == "accepted"]


class BidFilters(Schema):
    all: bool = Field(False, description="Every proposal, not only those on your topics.")
