"""Input and output shapes of what happens at and after an event: check-in, attendee imports,
feedback, AMA questions, materials and the library, costs, and calendar feed addresses
(`events.schemas` holds those of events and registrations)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, StrictBool, StrictInt

from practica.api.fields import Id, Slug, text
from practica.communities.api import CommunityRef, ProgramRef
from practica.core.api import TopicRef
from practica.events.attendee_lists import MAX_LIST_CHARS
from practica.events.models import (
    CostCategory,
    EventFormat,
    MaterialKind,
    QuestionStatus,
    SeatMode,
)
from practica.events.schemas import Url
from practica.events.services.ama import MAX_QUESTION_LENGTH
from practica.events.services.costs import MAX_AMOUNT
from practica.events.services.feedback import MAX_COMMENT_LENGTH
from practica.events.services.materials import MAX_TITLE_LENGTH as MAX_MATERIAL_TITLE
from practica.people.api import PersonRef

# --- Check-in ------------------------------------------------------------------------------


class CheckInFilters(Schema):
    q: text(200) = Field("", description="Words matched against name and email.")
    status: Literal["checked_in", "not_checked_in", "waitlisted"] | None = None


class SelfCheckInIn(Schema):
    model_config = ConfigDict(extra="forbid")

    code: text(20, min_length=1) = Field(description="The code shown at the event.")


class WalkInIn(Schema):
    model_config = ConfigDict(extra="forbid")

    person_id: Id
    mode: SeatMode | None = Field(None, description="In person by default where there is.")


class AttendeeImportIn(Schema):
    model_config = ConfigDict(extra="forbid")

    csv: text(MAX_LIST_CHARS, min_length=1) = Field(
        description="The meeting's attendee list as exported (Zoom, Teams, Meet…)."
    )


class BadRowOut(Schema):
    line: int
    reason: str


class AttendeeImportOut(Schema):
    rows: int
    matched: int
    checked_in: list[str] = Field(description="Emails of registrants checked in.")
    admitted: list[str] = Field(description="Emails of members admitted without a seat.")
    already_checked_in: int
    hosts: int
    not_attended: int
    duplicates: int
    unknown_emails: list[str]
    unknown_count: int
    bad_rows: list[BadRowOut]
    bad_count: int
    capacity_raised: int
    email_column: str

    @staticmethod
    def resolve_bad_rows(report: Any) -> list[dict[str, Any]]:
        return [{"line": line, "reason": str(reason)} for line, reason in report.bad_rows]


class AttendanceOut(Schema):
    holding_seat: int
    checked_in: int
    not_checked_in: int
    waitlisted: int
    walk_ins: int
    rate: int | None = Field(description="Checked in out of those holding a seat, in percent.")
    by_method: dict[str, int]


class AttendanceClosedOut(Schema):
    hosted: int = Field(description="HOSTED activity recorded now (hosts and moderators).")
    presented: int = Field(description="PRESENTED activity recorded now (speakers).")


# --- Feedback ------------------------------------------------------------------------------


class FeedbackIn(Schema):
    model_config = ConfigDict(extra="forbid")

    satisfaction: StrictInt = Field(ge=1, le=5, description="1 (poor) to 5 (excellent).")
    would_recommend: StrictInt | None = Field(
        None, ge=0, le=10, description="0–10: would you recommend this community?"
    )
    comment: text(MAX_COMMENT_LENGTH) = ""


class FeedbackOut(Schema):
    event_id: int
    satisfaction: int
    would_recommend: int | None
    comment: str
    submitted_at: datetime


class ScoreOut(Schema):
    score: int
    answers: int
    percent: int


class FeedbackCommentOut(Schema):
    submitted_at: datetime
    satisfaction: int
    comment: str


class FeedbackResultsOut(Schema):
    """The survey's answers, without names."""

    responses: int
    recipients: int
    response_rate: int | None
    average: float | None
    distribution: list[ScoreOut]
    recommend_answers: int
    promoters: int
    passives: int
    detractors: int
    nps: int | None
    comments: list[FeedbackCommentOut]

    @staticmethod
    def resolve_distribution(results: Any) -> list[dict[str, int]]:
        return [
            {"score": score, "answers": answers, "percent": percent}
            for score, answers, percent in results.distribution
        ]

    @staticmethod
    def resolve_comments(results: Any) -> list[dict[str, Any]]:
        return [
            {"submitted_at": at, "satisfaction": score, "comment": comment}
            for at, score, comment in results.comments
        ]


# --- AMA -----------------------------------------------------------------------------------


class QuestionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    text: text(MAX_QUESTION_LENGTH, min_length=1)
    anonymous: StrictBool = Field(False, description="Only where the host allows it.")


class QuestionOut(Schema):
    """A question as the board shows it: an anonymous one names no author, to anyone."""

    id: int
    text: str
    status: QuestionStatus
    vote_count: int
    asked_at: datetime
    answered_at: datetime | None
    is_anonymous: bool
    author: PersonRef | None
    is_mine: bool
    voted: bool = Field(description="Whether the caller upvoted it.")


class AmaBoardOut(Schema):
    open: list[QuestionOut] = Field(description="By votes, first asked first on a tie.")
    answered: list[QuestionOut] = Field(description="Latest answered first.")
    hidden: list[QuestionOut] = Field(description="For moderators only; empty for others.")
    can_moderate: bool


# --- Materials and the library -------------------------------------------------------------


class MaterialIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: MaterialKind
    url: Annotated[Url, Field(min_length=1)]
    title: text(MAX_MATERIAL_TITLE) = ""


class MaterialOut(Schema):
    id: int
    kind: MaterialKind
    title: str
    url: str
    added_at: datetime


class LibraryFilters(Schema):
    q: text(200) = Field("", description="Words in the title, description or a material.")
    topic: Slug | None = Field(None, description="Topic slug; sub-topics match as well.")
    format: EventFormat | None = None
    kind: MaterialKind | None = Field(None, description="Only events with such material.")
    community: Slug | None = None


class LibraryEventOut(Schema):
    id: int
    title: str
    format: EventFormat
    community: CommunityRef
    topics: list[TopicRef]
    starts_at: datetime
    materials: list[MaterialOut]

    @staticmethod
    def resolve_topics(event: Any) -> list[Any]:
        return list(event.topics.all())

    @staticmethod
    def resolve_materials(event: Any) -> list[Any]:
        return list(event.materials.all())


# --- Costs ---------------------------------------------------------------------------------

Amount = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT, max_digits=12, decimal_places=2)]
Currency = Annotated[str, Field(pattern=r"^[A-Za-z]{3}$", description="e.g. USD")]


class CostIn(Schema):
    model_config = ConfigDict(extra="forbid")

    category: CostCategory
    amount: Amount
    currency: Currency = "USD"
    description: text(200) = ""
    incurred_on: date | None = None


class CostUpdateIn(Schema):
    """Only the fields sent change; `incurred_on` may be null."""

    model_config = ConfigDict(extra="forbid")

    category: CostCategory = None
    amount: Amount = None
    currency: Currency = None
    description: text(200) = None
    incurred_on: date | None = None


class CostOut(Schema):
    id: int
    category: CostCategory
    description: str
    amount: Decimal
    currency: str
    incurred_on: date | None
    recorded_at: datetime


class CurrencyTotalOut(Schema):
    currency: str
    total: Decimal


class CategoryTotalOut(Schema):
    category: CostCategory
    currency: str
    total: Decimal


class CostsOut(Schema):
    """The lines and their totals; amounts in different currencies are never added up."""

    lines: list[CostOut]
    totals: list[CurrencyTotalOut]
    by_category: list[CategoryTotalOut]


# --- Calendar feeds ------------------------------------------------------------------------


class CommunityFeedOut(Schema):
    community: CommunityRef
    url: str


class ProgramFeedOut(Schema):
    program: ProgramRef
    url: str


class CalendarFeedOut(Schema):
    """The caller's feed addresses (RFC 5545, for any calendar client). They carry a secret:
    rotating or revoking it makes the old addresses answer 404. All null when revoked."""

    active: bool
    created_at: datetime | None
    last_used_at: datetime | None
    mine_url: str | None = Field(description="The events the caller registered for or hosts.")
    all_url: str | None = Field(description="Every event of every community.")
    community_url_template: str | None = Field(description="`{slug}`: a community's events.")
    program_url_template: str | None = Field(description="`{slug}`: a program's events.")
    communities: list[CommunityFeedOut] = Field(description="The caller's communities.")
    programs: list[ProgramFeedOut] = Field(description="Their communities' programs.")
