"""The conference API's shapes for proposals, their speakers and co-speaker invitations
(`api_proposals` holds the endpoints)."""

from datetime import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict, StrictInt

from practica.api.fields import Id, Slug, text
from practica.conference.models import AudienceLevel, ProposalState, SessionKind, SpeakerStatus
from practica.conference.services.proposals import (
    MAX_ABSTRACT,
    MAX_EXPECTED_AUDIENCE,
    MAX_LINK_LENGTH,
    MAX_LINKS,
    MAX_SPEAKERS,
    MAX_TITLE,
    MAX_TOPICS,
)
from practica.core.api import TopicRef
from practica.people.api import PersonRef


class FormatRef(Schema):
    id: int
    kind: SessionKind
    name: str
    minutes: int


class TrackRef(Schema):
    id: int
    name: str


class EditionRef(Schema):
    id: int
    name: str


class SpeakerOut(Schema):
    """A speaker or an invitation. `person` is null only for an address nobody has yet."""

    id: int
    person: PersonRef | None
    email: str
    status: SpeakerStatus
    is_submitter: bool
    invited_at: datetime
    responded_at: datetime | None


class ProposalOut(Schema):
    """A proposal. `speakers` is null where the caller may not see them (double-blind
    review, for reviewers outside the committee)."""

    id: int
    edition: EditionRef
    title: str
    abstract: str
    state: ProposalState
    format: FormatRef
    track: TrackRef | None
    topics: list[TopicRef]
    audience_level: AudienceLevel
    links: list[str]
    expected_audience: int | None
    submitted_at: datetime | None
    withdrawn_at: datetime | None
    confirmed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    speakers: list[SpeakerOut] | None
    is_speaker: bool = Field(description="The caller is one of its accepted speakers.")

    @staticmethod
    def resolve_topics(proposal: Any) -> list[Any]:
        return list(proposal.topics.all())

    @staticmethod
    def resolve_speakers(proposal: Any) -> list[Any] | None:
        if getattr(proposal, "speakers_hidden", False):
            return None
        return list(proposal.speakers.all())

    @staticmethod
    def resolve_is_speaker(proposal: Any, context: Any) -> bool:
        user = context["request"].auth
        return any(
            speaker.person_id == user.pk and speaker.status == SpeakerStatus.ACCEPTED
            for speaker in proposal.speakers.all()
        )


class ProposalCreateIn(Schema):
    """A new proposal, a draft unless `submit` (then it must be complete: an abstract, a
    track when the edition has tracks, one to five topics). `co_speakers` are members'
    email addresses; each gets an invitation to accept."""

    model_config = ConfigDict(extra="forbid")

    title: text(MAX_TITLE, min_length=1)
    abstract: text(MAX_ABSTRACT) = ""
    format_id: Id
    track_id: Id | None = None
    topics: list[Slug] = Field([], max_length=MAX_TOPICS)
    audience_level: AudienceLevel = AudienceLevel.INTERMEDIATE
    links: list[text(MAX_LINK_LENGTH)] = Field([], max_length=MAX_LINKS)
    expected_audience: StrictInt | None = Field(None, ge=1, le=MAX_EXPECTED_AUDIENCE)
    co_speakers: list[text(254, min_length=3)] = Field([], max_length=MAX_SPEAKERS - 1)
    submit: bool = False


class ProposalUpdateIn(Schema):
    """Only the fields sent change (until the deadline)."""

    model_config = ConfigDict(extra="forbid")

    title: text(MAX_TITLE, min_length=1) = None
    abstract: text(MAX_ABSTRACT) = None
    format_id: Id = None
    track_id: Id | None = None
    topics: list[Slug] = Field(None, max_length=MAX_TOPICS)
    audience_level: AudienceLevel = None
    links: list[text(MAX_LINK_LENGTH)] = Field(None, max_length=MAX_LINKS)
    expected_audience: StrictInt | None = Field(None, ge=1, le=MAX_EXPECTED_AUDIENCE)


class ConfirmationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    confirm: bool = Field(description="True: we will present it. False: we decline.")


class InviteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    email: text(254, min_length=3)


class InvitationOut(Schema):
    """An invitation waiting for the caller's answer; `token` is the key to answer it."""

    id: int
    token: str
    status: SpeakerStatus
    invited_at: datetime
    proposal_id: int
    proposal_title: str
    edition: EditionRef
    invited_by: PersonRef

    @staticmethod
    def resolve_proposal_title(speaker: Any) -> str:
        return speaker.proposal.title

    @staticmethod
    def resolve_edition(speaker: Any) -> Any:
        return speaker.proposal.edition

    @staticmethod
    def resolve_invited_by(speaker: Any) -> Any:
        return speaker.proposal.created_by


class ProposalFilters(Schema):
    state: ProposalState | None = None
    track_id: Id | None = None
    format_id: Id | None = None
    q: text(200) = Field("", description="Words in the title or abstract.")
