"""The provisioning API's input and output shapes (`outreach.api_provisioning` holds the
endpoints)."""

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from practica.api.fields import Id
from practica.outreach.models import ChangeKind, ChangeSource
from practica.people.api import PersonRef


class PersonChangeFilters(Schema):
    kind: ChangeKind | None = Field(
        None, description="joiner, leaver, transfer, update or reactivated."
    )
    source: ChangeSource | None = Field(None, description="scim, hr_feed, sso or manual.")
    person: Id | None = Field(None, description="A person's id.")
    hr_import: Id | None = Field(None, description="An HR feed import's id.")
    effective_from: date | None = Field(None, description="Changes effective on or after this day.")
    effective_to: date | None = Field(None, description="Changes effective on or before this day.")


class PersonChangeOut(Schema):
    """One change provisioning applied to a person. `changes` maps each field to
    `[before, after]`: org units, managers, communities and groups by id, dates in ISO form."""

    id: int
    person: PersonRef
    kind: ChangeKind
    source: ChangeSource
    hr_import_id: int | None
    effective_on: date
    recorded_at: datetime
    changes: dict[str, list[Any]]
