"""Shapes of the events API's group and clash endpoints (`events.api_groups`)."""

from datetime import datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import AwareDatetime

from practica.api.fields import Id, Slug
from practica.communities.api import CommunityRef
from practica.events.models import EventStatus
from practica.events.schemas import MAX_CO_HOSTS


class GroupEventFilters(Schema):
    when: Literal["upcoming", "past", "all"] = Field(
        "upcoming",
        description="`upcoming` (default, soonest first), `past` (latest first) or `all`.",
    )


class ClashFilters(Schema):
    starts_at: AwareDatetime = Field(description="The planned start, with its time zone.")
    ends_at: AwareDatetime = Field(description="The planned end, after the start.")
    co_hosts: list[Slug] = Field(
        default_factory=list, max_length=MAX_CO_HOSTS, description="Co-hosting communities."
    )
    event_id: Id | None = Field(None, description="The event being moved: not a clash itself.")


class ClashingEventOut(Schema):
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    status: EventStatus
    community: CommunityRef


class ClashOut(Schema):
    """An event with the same audience at an overlapping time. `reason`: `community` (the
    same community hosts or co-hosts it), `co_host` (a co-hosting community shares it) or
    `program` (a sister community of the same program hosts or co-hosts it)."""

    event: ClashingEventOut
    reason: Literal["community", "co_host", "program"]
    reason_label: str
