"""The outreach API's shapes for segments (`api_segments` holds the endpoints)."""

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from practica.api.fields import text
from practica.outreach.queries.segments import MAX_RULES
from practica.outreach.services.segments import MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH
from practica.people.models import Role

RULES_DESCRIPTION = (
    "Conditions that must all hold, each `{field, op, value}`: hired_on in_previous_month | "
    "within_days N | between [first, last]; job_title matches <case-insensitive regex>; "
    "role in [codes]; org_unit under <slug>; country in [two-letter codes]; membership "
    "member | not_member."
)


class SegmentOut(Schema):
    id: int
    community_id: int
    name: str
    description: str
    rules: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime


class SegmentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: text(MAX_NAME_LENGTH, min_length=1)
    description: text(MAX_DESCRIPTION_LENGTH) = ""
    rules: list[Any] = Field(max_length=MAX_RULES, description=RULES_DESCRIPTION)


class SegmentUpdateIn(Schema):
    """Only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    name: text(MAX_NAME_LENGTH, min_length=1) = None
    description: text(MAX_DESCRIPTION_LENGTH) = None
    rules: list[Any] = Field(None, max_length=MAX_RULES, description=RULES_DESCRIPTION)


class RulesIn(Schema):
    """Rules to count before saving them as a segment."""

    model_config = ConfigDict(extra="forbid")

    rules: list[Any] = Field(max_length=MAX_RULES, description=RULES_DESCRIPTION)
    reference_date: date | None = Field(None, description="Relative rules count back from it.")


class ReferenceDateFilter(Schema):
    reference_date: date | None = Field(
        None, description="Relative rules count back from this day (default: today)."
    )


class SegmentCountOut(Schema):
    count: int = Field(description="People matching today's rules, opted-out addresses excluded.")
    reference_date: date


class OrgUnitName(Schema):
    id: int
    slug: str
    name: str


class SegmentPersonOut(Schema):
    id: int
    display_name: str
    job_title: str
    role: Role
    org_unit: OrgUnitName | None
    hired_on: date | None


class DeletedOut(Schema):
    deleted: bool = Field(description="True: the segment or campaign is gone.")
