"""The preview of an HR import: what each row would do, and why a row is refused.

A `Plan` is computed from the file, the mapping and the database (`planning.plan_hr_import`),
stored as JSON in `HrImport.report` for the preview and the report pages, and computed again
when the import is applied (the database may have moved since the preview). Each row is a
joiner, a returner (an inactive account that comes back), a leaver, a transfer (org unit,
title or manager change), an update (other details), unchanged, or refused (it has errors;
one refused row refuses the whole file). `changes` maps a field to [before, after] as text.
People missing from a file marked as a full snapshot are leavers with no line.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from practica.outreach.hr_feed.mapping import ColumnMapping

PLAN_VERSION = 1


class RowKind(models.TextChoices):
    JOINER = "joiner", _("Joiner")
    REACTIVATED = "reactivated", _("Comes back")
    LEAVER = "leaver", _("Leaver")
    TRANSFER = "transfer", _("Transfer")
    UPDATE = "update", _("Update")
    UNCHANGED = "unchanged", _("Unchanged")
    REFUSED = "refused", _("Refused")


# The person's details a row can change, as the report names them.
CHANGE_LABELS = {
    "employee_number": _("Employee number"),
    "email": _("Email"),
    "display_name": _("Name"),
    "job_title": _("Job title"),
    "org_unit": _("Org unit"),
    "manager": _("Manager"),
    "hired_on": _("Hire date"),
    "left_on": _("Leaving date"),
    "time_zone": _("Time zone"),
    "country": _("Country"),
    "location": _("Location"),
    "active": _("Active"),
}

CHANGING_KINDS = (
    RowKind.JOINER,
    RowKind.REACTIVATED,
    RowKind.LEAVER,
    RowKind.TRANSFER,
    RowKind.UPDATE,
)


@dataclass(frozen=True)
class RowMessage:
    """An error on a row: the file's column (header) and our field it concerns, if any."""

    message: str
    column: str = ""
    field: str = ""

    def to_json(self) -> dict[str, str]:
        return {"column": self.column, "field": self.field, "message": self.message}


# A reference to a person: ("pk", id) for someone in the database, ("new", employee number)
# for a joiner of this file. A reference to an org unit: ("pk", id) or ("new", path key).
Ref = tuple[str, Any]


@dataclass
class PlannedRow:
    line: int | None
    employee_number: str = ""
    email: str = ""
    name: str = ""
    kind: str = RowKind.UNCHANGED
    person_id: int | None = None
    changes: dict[str, list[Any]] = field(default_factory=dict)
    errors: list[RowMessage] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # What applying needs; not stored.
    node: Ref | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    effective_on: date | None = None
    depth: int = 0

    def refuse(self, message: str, *, column: str = "", field_name: str = "") -> None:
        self.errors.append(RowMessage(message=message, column=column, field=field_name))

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "line": self.line,
            "employee_number": self.employee_number,
            "email": self.email,
            "name": self.name,
            "kind": self.kind,
        }
        if self.person_id is not None:
            data["person_id"] = self.person_id
        if self.changes:
            data["changes"] = self.changes
        if self.errors:
            data["errors"] = [error.to_json() for error in self.errors]
        if self.notes:
            data["notes"] = self.notes
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "PlannedRow":
        return cls(
            line=data.get("line"),
            employee_number=data.get("employee_number", ""),
            email=data.get("email", ""),
            name=data.get("name", ""),
            kind=data.get("kind", RowKind.UNCHANGED),
            person_id=data.get("person_id"),
            changes=dict(data.get("changes") or {}),
            errors=[
                RowMessage(
                    message=error.get("message", ""),
                    column=error.get("column", ""),
                    field=error.get("field", ""),
                )
                for error in data.get("errors") or []
            ],
            notes=list(data.get("notes") or []),
        )


@dataclass
class NewOrgUnit:
    """An org unit the file names that does not exist yet; applying creates it."""

    key: tuple[str, ...]  # the path's names, case-folded
    names: tuple[str, ...]  # the path's names as written
    slug: str
    kind: str
    parent: Ref | None

    @property
    def label(self) -> str:
        return " / ".join(self.names)


@dataclass
class Plan:
    effective_on: date
    mapping: ColumnMapping
    headers: list[str] = field(default_factory=list)
    rows: list[PlannedRow] = field(default_factory=list)
    file_messages: list[str] = field(default_factory=list)
    new_org_units: list[NewOrgUnit] = field(default_factory=list)
    rows_total: int = 0
    new_org_unit_labels: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(row.kind for row in self.rows)
        return {kind: found.get(kind, 0) for kind in RowKind.values}

    @property
    def refused(self) -> bool:
        return bool(self.file_messages) or any(row.kind == RowKind.REFUSED for row in self.rows)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": PLAN_VERSION,
            "effective_on": self.effective_on.isoformat(),
            "full_snapshot": self.mapping.full_snapshot,
            "date_order": self.mapping.date_order,
            "columns": dict(self.mapping.columns),
            "headers": list(self.headers),
            "rows_total": self.rows_total,
            "file_messages": list(self.file_messages),
            "new_org_units": [unit.label for unit in self.new_org_units]
            or list(self.new_org_unit_labels),
            "counts": self.counts,
            "refused": self.refused,
            "rows": [row.to_json() for row in self.rows],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Plan":
        mapping = ColumnMapping(
            columns=dict(data.get("columns") or {}),
            full_snapshot=bool(data.get("full_snapshot")),
            date_order=data.get("date_order", "dmy"),
        )
        return cls(
            effective_on=date.fromisoformat(data["effective_on"]),
            mapping=mapping,
            headers=list(data.get("headers") or []),
            rows=[PlannedRow.from_json(row) for row in data.get("rows") or []],
            file_messages=list(data.get("file_messages") or []),
            rows_total=int(data.get("rows_total") or 0),
            new_org_unit_labels=list(data.get("new_org_units") or []),
        )
