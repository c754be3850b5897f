"""The program API's shapes (`program.api` holds the endpoints)."""

from datetime import datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from practica.api.fields import Id, Slug, text
from practica.communities.models import Access, MembershipRole
from practica.communities.program.services import MAX_DESCRIPTION_LENGTH


class PersonRef(Schema):
    id: int
    display_name: str
    job_title: str


class ProgramOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    community_count: int
    member_count: int = Field(description="Distinct people in at least one of its communities.")


class ProgramDetailOut(ProgramOut):
    office: list[PersonRef]
    can_manage: bool = Field(description="The caller may edit the program (office or staff).")
    can_view_dashboard: bool


class CommunityLabelOut(Schema):
    id: int
    slug: str
    name: str
    colour: int = Field(
        description="The community's colour index on the calendar (0–7); -1 for a community "
        "outside the program that co-hosts one of its entries."
    )


class EntryRef(Schema):
    source: str
    object_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    url: str


class ProgramCommunityOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    mission: str
    access: Access
    member_count: int
    managers: list[PersonRef]
    topics: list[str]
    my_role: MembershipRole | None = Field(description="The caller's role; null if not a member.")
    next_entries: list[EntryRef] = Field(
        description="Its next entries on the program calendar within 90 days (at most 3)."
    )


class CalendarFilters(Schema):
    start: datetime | None = Field(
        None, description="Window start (ISO 8601; UTC when no offset is given). Default: now."
    )
    end: datetime | None = Field(
        None,
        description="Window end, after the start, at most 366 days later. Default: start "
        "+ 31 days.",
    )
    community: Slug | None = Field(
        None, description="Only entries this program community hosts or co-hosts (its slug)."
    )


class GroupRef(Schema):
    id: int
    slug: str
    name: str


class CalendarEntryOut(Schema):
    key: str = Field(description="`<source>-<object_id>`, unique on the calendar.")
    source: str
    object_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    community: CommunityLabelOut = Field(description="The hosting community.")
    co_hosts: list[CommunityLabelOut]
    group: GroupRef | None = Field(description="The grassroots group it is a meeting of.")
    url: str
    kind_label: str
    location: str
    clashes_with: list[str] = Field(description="The keys of the entries it clashes with.")


class ClashOut(Schema):
    first: str = Field(description="The key of the entry starting first.")
    second: str
    overlap_starts: datetime
    overlap_ends: datetime


class CalendarOut(Schema):
    """Entries overlapping [start, end), each with its hosts and clashes, and the clashes."""

    start: datetime
    end: datetime
    communities: list[CommunityLabelOut]
    community: str | None = Field(description="The community filtered on, if any.")
    count: int
    entries: list[CalendarEntryOut]
    clashes: list[ClashOut]


class MetricValueOut(Schema):
    community: CommunityLabelOut
    value: float | None = Field(description="Null when there was nothing to measure.")
    display: str = Field(description="The value as the dashboard shows it.")
    is_best: bool
    failed: bool = Field(description="True when the metric could not be computed.")


class MetricOut(Schema):
    key: str
    label: str
    description: str
    unit: Literal["count", "share", "hours", "score"]
    better: Literal["higher", "lower"]
    values: list[MetricValueOut]


class DashboardOut(Schema):
    as_of: datetime
    communities: list[CommunityLabelOut]
    metrics: list[MetricOut]


class ProgramUpdateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    description: text(MAX_DESCRIPTION_LENGTH)


class OfficeMemberIn(Schema):
    model_config = ConfigDict(extra="forbid")

    person_id: Id


class ProgramCommunityIn(Schema):
    model_config = ConfigDict(extra="forbid")

    community: Slug = Field(description="The slug of a community in no program yet.")


class DoneOut(Schema):
    done: bool = True
