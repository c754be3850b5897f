"""The API's shapes for continuity alerts (`api_continuity` holds the endpoints)."""

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from practica.api.fields import Id
from practica.communities.api import CommunityRef
from practica.outreach.queries.continuity import item_kind_name, item_url
from practica.people.api import PersonRef


class ContinuityItemOut(Schema):
    """One thing the leaver owned. `kind` is the provider's ("group", "event_series",
    "hosted_event", "committee_seat", "routed_question"), `object_id` the thing's id there and
    `url` its page (site-relative). `handed_to` is null until someone took it over."""

    id: int
    kind: str
    kind_name: str
    object_id: int
    label: str
    url: str
    handed_to: PersonRef | None
    handed_by: PersonRef | None
    handed_at: datetime | None

    @staticmethod
    def resolve_kind_name(item: Any) -> str:
        return str(getattr(item, "kind_name", None) or item_kind_name(item.kind))

    @staticmethod
    def resolve_url(item: Any) -> str:
        """`describe_items` set it for a page of alerts at once; else it is looked up."""
        return item.url if hasattr(item, "url") else item_url(item)


class ContinuityAlertOut(Schema):
    """A leaver's things in one community needing a new owner. `is_open` until every item
    was handed over; `waiting` counts the items not handed over yet."""

    id: int
    community: CommunityRef
    leaver: PersonRef
    created_at: datetime
    resolved_at: datetime | None
    is_open: bool
    waiting: int
    items: list[ContinuityItemOut]

    @staticmethod
    def resolve_is_open(alert: Any) -> bool:
        return alert.resolved_at is None

    @staticmethod
    def resolve_waiting(alert: Any) -> int:
        return sum(1 for item in alert.items.all() if item.handed_at is None)

    @staticmethod
    def resolve_items(alert: Any) -> list[Any]:
        return list(alert.items.all())


class ContinuityFilters(Schema):
    state: Literal["open", "resolved", "all"] = Field(
        "all", description="Only open alerts, only resolved ones, or all (open first)."
    )


class HandOverIn(Schema):
    """Who takes over: an active colleague other than the leaver."""

    model_config = ConfigDict(extra="forbid")

    successor_id: Id


class HandOverRefusalOut(Schema):
    """A hand-over refused for the state things are in. `code`: handed (the item already has
    a new owner), resolved (the alert is closed)."""

    detail: str
    code: str
