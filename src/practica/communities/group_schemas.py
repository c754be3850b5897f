"""The API's shapes for grassroots groups (`group_api` holds the endpoints)."""

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from practica.api.fields import Id, text
from practica.communities.api import CommunityRef
from practica.communities.group_health import GroupHealth
from practica.communities.group_services import (
    DEFAULT_IDLE_DAYS,
    MAX_ARCHIVE_NOTE,
    MAX_DESCRIPTION,
    MAX_IDLE_DAYS,
    MAX_MEETING_NOTE,
    MAX_NAME,
    MIN_IDLE_DAYS,
)
from practica.communities.models import GroupCadence, GroupHealthAlertKind, GroupKind, GroupRole
from practica.people.api import PersonRef

HealthState = Literal["active", "idle", "archived"]


class GroupRef(Schema):
    id: int
    slug: str
    name: str


class GroupHealthSummaryOut(Schema):
    """Whether the group is active: idle after `idle_after_days` without activity (threads,
    posts, meetings, new owners, people joining or leaving)."""

    state: HealthState
    last_activity_at: datetime | None
    idle_after_days: int


class GroupHealthOut(GroupHealthSummaryOut):
    """The full health, for the group's owners and the community's managers.

    `recent_activity` counts the ledger rows about the group in the last 90 days;
    `top_contributor_share` (0–1) is the largest one person's share of them;
    `single_point_of_failure` when that share is over 0.6 with at least 5 rows;
    `no_active_owner` when no current owner is still an active colleague; `open_alerts` the
    kinds of the health alerts raised and not resolved yet."""

    recent_activity: int
    top_contributor: PersonRef | None
    top_contributor_share: float | None
    single_point_of_failure: bool
    owner_count: int
    active_owner_count: int
    no_active_owner: bool
    open_alerts: list[GroupHealthAlertKind]

    @staticmethod
    def resolve_top_contributor_share(health: GroupHealth) -> float | None:
        share = health.top_contributor_share
        return None if share is None else float(share)


class GroupOut(Schema):
    """A group as listed. `my_role` is the caller's role in it (null when not in it); `url`
    is its page (site-relative)."""

    id: int
    slug: str
    name: str
    kind: GroupKind
    description: str
    cadence: GroupCadence
    meeting_note: str
    idle_after_days: int
    archived_at: datetime | None
    archive_note: str
    member_count: int
    my_role: GroupRole | None
    health: GroupHealthSummaryOut
    url: str


class GroupMeetingOut(Schema):
    """One upcoming meeting of the group, from the calendar (times in UTC)."""

    source: str
    object_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    url: str
    kind_label: str
    location: str


class GroupDetailOut(GroupOut):
    """One group with its owners, list address, next meetings and what the caller may do.
    `threads_url` and `calendar_url` are the group's thread list and calendar pages
    (site-relative; empty where the site has none)."""

    community: CommunityRef
    created_at: datetime
    archived_by: PersonRef | None
    owners: list[PersonRef]
    list_address: str
    threads_url: str
    calendar_url: str
    upcoming_meetings: list[GroupMeetingOut]
    can_join: bool
    can_manage: bool


class GroupFilters(Schema):
    kind: GroupKind | None = Field(None, description="Only groups of this kind.")
    archived: bool = Field(
        False, description="Archived groups (latest archived first) instead of running ones."
    )


class GroupHealthFilters(Schema):
    state: HealthState | None = Field(None, description="Only groups in this state.")
    flagged: bool = Field(
        False,
        description="Only groups that need attention: idle, without an active owner, or "
        "depending on one person.",
    )


class GroupHealthRowOut(Schema):
    group: GroupRef
    health: GroupHealthOut


class GroupMemberPersonOut(Schema):
    id: int
    display_name: str
    job_title: str
    is_active: bool = Field(description="False once the person has left the company.")


class GroupMemberOut(Schema):
    person: GroupMemberPersonOut
    role: GroupRole
    joined_at: datetime


class GroupMembershipStateOut(Schema):
    """The caller's place in the group: `role` null when not in it."""

    group: GroupRef
    role: GroupRole | None
    joined_at: datetime | None


class GroupIn(Schema):
    """Found a group. `owner_id` (default: the caller) becomes its first owner; the address
    (`slug`) comes from the name unless given."""

    model_config = ConfigDict(extra="forbid")

    name: text(MAX_NAME, min_length=1)
    kind: GroupKind = GroupKind.STUDY
    description: text(MAX_DESCRIPTION) = ""
    slug: text(160) = ""
    cadence: GroupCadence = GroupCadence.IRREGULAR
    meeting_note: text(MAX_MEETING_NOTE) = ""
    idle_after_days: int = Field(DEFAULT_IDLE_DAYS, ge=MIN_IDLE_DAYS, le=MAX_IDLE_DAYS)
    owner_id: Id | None = None


class GroupPatchIn(Schema):
    """Change some of the group's details; what is left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    name: text(MAX_NAME, min_length=1) | None = None
    kind: GroupKind | None = None
    description: text(MAX_DESCRIPTION) | None = None
    cadence: GroupCadence | None = None
    meeting_note: text(MAX_MEETING_NOTE) | None = None
    idle_after_days: int | None = Field(None, ge=MIN_IDLE_DAYS, le=MAX_IDLE_DAYS)

    def changes(self) -> dict[str, Any]:
        return {field: value for field, value in self.model_dump().items() if value is not None}


class GroupMemberIn(Schema):
    model_config = ConfigDict(extra="forbid")

    person_id: Id
    role: GroupRole = GroupRole.MEMBER


class GroupRoleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    role: GroupRole


class GroupArchiveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: text(MAX_ARCHIVE_NOTE, min_length=1) = Field(
        description="Why the group ends, shown on its page."
    )
