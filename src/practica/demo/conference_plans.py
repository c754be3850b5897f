"""The demo conference as plans: editions and what they hold, before anything is saved.

Planning fills these in (`conference_calendar`, `conference_proposals`, `conference_reviews`,
`conference_program`); `conference_saving` gives them ids and inserts them in bulk.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from practica.demo.events import EventPlan
from practica.demo.people import PersonPlan


@dataclass(slots=True, eq=False)
class TrackPlan:
    name: str
    description: str
    topics: tuple[str, ...]
    position: int
    id: int = 0


@dataclass(slots=True, eq=False)
class FormatPlan:
    kind: str
    name: str
    minutes: int
    open_for_proposals: bool
    weight: int
    id: int = 0


@dataclass(slots=True, eq=False)
class RoomPlan:
    name: str
    venue: str
    capacity: int
    position: int
    id: int = 0


@dataclass(slots=True, eq=False)
class CriterionPlan:
    name: str
    description: str
    weight: Decimal
    position: int
    id: int = 0


@dataclass(slots=True, eq=False)
class SeatPlan:
    """A seat on the program committee."""

    person: PersonPlan
    is_chair: bool
    added_at: datetime


@dataclass(slots=True, eq=False)
class SpeakerPlan:
    person: PersonPlan
    status: str
    is_submitter: bool
    invited_at: datetime
    responded_at: datetime | None
    position: int
    token: str


@dataclass(slots=True, eq=False)
class ReviewPlan:
    status: str
    scores: list[int]
    recommendation: int | None
    confidence: int | None
    weighted_score: float | None
    to_speakers: str
    to_committee: str
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    id: int = 0


@dataclass(slots=True, eq=False)
class VolunteerPlan:
    """A member in an edition's reviewer pool."""

    person: PersonPlan
    topics: list[str]
    max_load: int
    statement: str
    volunteered_at: datetime
    is_active: bool = True
    load: int = 0  # proposals assigned while planning
    bias: float = 0.0  # a lenient or a harsh reviewer
    id: int = 0


@dataclass(slots=True, eq=False)
class AssignmentPlan:
    reviewer: VolunteerPlan
    affinity: float
    detail: dict
    assigned_at: datetime
    source: str = "solver"
    review: ReviewPlan | None = None
    id: int = 0


@dataclass(slots=True, eq=False)
class ProposalPlan:
    title: str
    abstract: str
    format: FormatPlan
    track: TrackPlan
    topics: list[str]
    audience_level: str
    created_by: PersonPlan
    created_at: datetime
    quality: float  # what the reviewers will see in it, on a standard normal scale
    speakers: list[SpeakerPlan] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    state: str = "draft"
    expected_audience: int | None = None
    submitted_at: datetime | None = None
    withdrawn_at: datetime | None = None
    decided_at: datetime | None = None
    decision_mailed_at: datetime | None = None
    confirmed_at: datetime | None = None
    updated_at: datetime | None = None
    assignments: list[AssignmentPlan] = field(default_factory=list)
    comments: list[tuple[PersonPlan, str, datetime]] = field(default_factory=list)
    id: int = 0

    @property
    def accepted_people(self) -> list[PersonPlan]:
        return [s.person for s in self.speakers if s.status == "accepted"]

    def mean_score(self) -> float | None:
        scores = [
            a.review.weighted_score
            for a in self.assignments
            if a.review is not None and a.review.weighted_score is not None
        ]
        return sum(scores) / len(scores) if scores else None


@dataclass(slots=True, eq=False)
class SlotPlan:
    kind: str
    starts_at: datetime
    ends_at: datetime
    uid: uuid.UUID
    proposal: ProposalPlan | None = None
    title: str = ""
    speaker: PersonPlan | None = None
    room: RoomPlan | None = None
    track: TrackPlan | None = None
    id: int = 0


@dataclass(slots=True, eq=False)
class EditionPlan:
    season: str
    year: int
    starts_on: date
    ends_on: date
    cfp_opens_at: datetime
    cfp_closes_at: datetime
    review_opens_at: datetime
    review_closes_at: datetime
    decisions_due_at: datetime
    created_at: datetime
    is_current: bool = False
    online: bool = False
    program_published_at: datetime | None = None
    double_blind: bool = False
    max_load: int = 8
    event: EventPlan | None = None
    tracks: list[TrackPlan] = field(default_factory=list)
    formats: list[FormatPlan] = field(default_factory=list)
    rooms: list[RoomPlan] = field(default_factory=list)  # halls or stages, then poster boards
    criteria: list[CriterionPlan] = field(default_factory=list)
    committee: list[SeatPlan] = field(default_factory=list)
    proposals: list[ProposalPlan] = field(default_factory=list)
    reviewers: list[VolunteerPlan] = field(default_factory=list)
    # Bids: (reviewer, proposal, level, when).
    bids: list[tuple[VolunteerPlan, ProposalPlan, str, datetime]] = field(default_factory=list)
    # Declared conflicts: (person, proposal, reason, declared by, when).
    declared: list[tuple[PersonPlan, ProposalPlan, str, PersonPlan, datetime]] = field(
        default_factory=list
    )
    pins: list[tuple[ProposalPlan, PersonPlan, PersonPlan, datetime]] = field(default_factory=list)
    slots: list[SlotPlan] = field(default_factory=list)
    id: int = 0

    @property
    def name(self) -> str:
        return f"{self.season} {self.year}"

    @property
    def slug(self) -> str:
        return f"{self.season.lower()}-{self.year}"

    @property
    def chair(self) -> PersonPlan | None:
        return next((seat.person for seat in self.committee if seat.is_chair), None)
