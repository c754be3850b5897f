"""The outreach API's shapes for campaigns, their runs and recipients (`api_campaigns` holds
the endpoints)."""

from datetime import date, datetime

from ninja import Field, Schema
from pydantic import ConfigDict, StrictInt

from practica.api.fields import Id, text
from practica.outreach.campaign_rendering import MAX_BODY_LENGTH, MAX_SUBJECT_LENGTH
from practica.outreach.models import CampaignSchedule
from practica.outreach.services.campaigns import MAX_NAME_LENGTH, MAX_WEEK_OF_MONTH
from practica.people.api import PersonRef

VARIABLES_NOTE = (
    "Markdown with {{ first_name }}, {{ manager }}, {{ community }}, {{ upcoming_events }}, "
    "{{ top_questions }} and {{ join_link }}; any other variable is a 422."
)


class SegmentRef(Schema):
    id: int
    name: str


class CampaignOut(Schema):
    id: int
    community_id: int
    name: str
    segment: SegmentRef
    subject: str
    body: str
    schedule: CampaignSchedule
    weekday: int = Field(description="0 is Monday, 6 is Sunday.")
    week_of_month: int = Field(description="1 for the first such weekday of the month, up to 4.")
    local_hour: int = Field(description="The hour in each recipient's own time zone.")
    is_active: bool
    created_at: datetime
    updated_at: datetime


class CampaignListOut(CampaignOut):
    last_period: date | None = Field(description="The latest month sent (its first day).")
    last_audience: int | None
    last_mailed: int | None


class CampaignIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: text(MAX_NAME_LENGTH, min_length=1)
    segment_id: Id
    subject: text(MAX_SUBJECT_LENGTH, min_length=1) = Field(description=VARIABLES_NOTE)
    body: text(MAX_BODY_LENGTH, min_length=1) = Field(description=VARIABLES_NOTE)
    schedule: CampaignSchedule = CampaignSchedule.MONTHLY
    weekday: StrictInt = Field(0, ge=0, le=6)
    week_of_month: StrictInt = Field(1, ge=1, le=MAX_WEEK_OF_MONTH)
    local_hour: StrictInt = Field(9, ge=0, le=23)
    is_active: bool = Field(False, description="Start sending on schedule at once.")


class CampaignUpdateIn(Schema):
    """Only the fields sent change; `is_active` pauses or resumes."""

    model_config = ConfigDict(extra="forbid")

    name: text(MAX_NAME_LENGTH, min_length=1) = None
    segment_id: Id = None
    subject: text(MAX_SUBJECT_LENGTH, min_length=1) = None
    body: text(MAX_BODY_LENGTH, min_length=1) = None
    schedule: CampaignSchedule = None
    weekday: StrictInt = Field(None, ge=0, le=6)
    week_of_month: StrictInt = Field(None, ge=1, le=MAX_WEEK_OF_MONTH)
    local_hour: StrictInt = Field(None, ge=0, le=23)
    is_active: bool = None


class PreviewFilter(Schema):
    person_id: Id | None = Field(
        None, description="Whom to render it for (default: this month's first match, or you)."
    )


class PreviewOut(Schema):
    subject: str
    html: str
    text: str
    person: PersonRef


class TestSentOut(Schema):
    to: str


class RunOut(Schema):
    id: int
    period: date = Field(description="The month (its first day).")
    audience_size: int = Field(description="The segment's matches that month, opted-out included.")
    mailed_count: int
    clicked_count: int
    joined_count: int
    started_at: datetime
    finished_at: datetime | None


class SendOut(Schema):
    mailed: int = Field(description="People mailed by this call; nobody is mailed twice.")
    run: RunOut


class RecipientFilter(Schema):
    period: date | None = Field(None, description="Only this month's (any day of it).")


class RecipientOut(Schema):
    id: int
    person: PersonRef
    email: str
    period: date
    mailed_at: datetime
    clicked_at: datetime | None
    joined_at: datetime | None
