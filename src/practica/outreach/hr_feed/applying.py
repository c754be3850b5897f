"""Applying a plan: the new org units, then every person's change through the lifecycle
services (`practica.outreach.services.lifecycle`), inside the caller's transaction.

Joiners, returners, transfers and updates go from the top of the management chain down
(`PlannedRow.depth`), so a manager — a joiner of the same file too — exists with their final
manager before anyone who reports to them is written, and no intermediate state loops; each
person gets one call, hence one `PersonChange` and at most one new `Affiliation`. Leavers come
last, after their reports have their new managers. A refusal by the lifecycle raises
`RowNotApplied` naming the row; the caller's transaction then rolls everything back.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from practica.outreach.hr_feed.plan import (
    CHANGING_KINDS,
    NewOrgUnit,
    Plan,
    PlannedRow,
    Ref,
    RowKind,
)
from practica.outreach.models import ChangeSource, HrImport
from practica.outreach.services.lifecycle import (
    ProvisioningError,
    create_provisioned_person,
    deprovision_person,
    update_provisioned_person,
)
from practica.people.models import OrgUnit, User
from practica.people.services import create_org_unit


class RowNotApplied(Exception):  # noqa: N818 — a refusal, not a fault
    """The lifecycle refused a row while applying; nothing of the file is kept."""

    def __init__(self, row: PlannedRow, message: str, field_name: str = "") -> None:
        super().__init__(message)
        self.row = row
        self.message = message
        self.field_name = field_name


def apply_order(plan: Plan) -> list[PlannedRow]:
    rows = [row for row in plan.rows if row.kind in CHANGING_KINDS]
    staying = sorted(
        (row for row in rows if row.kind != RowKind.LEAVER),
        key=lambda row: (row.depth, row.line or 0),
    )
    leaving = [row for row in rows if row.kind == RowKind.LEAVER]
    return staying + leaving


def apply_plan(
    plan: Plan, *, hr_import: HrImport, progress: Callable[[int], None] | None = None
) -> list[str]:
    """Write the plan; returns the labels of the org units created. Call it inside a
    transaction: a refused row raises RowNotApplied part-way."""
    rows = apply_order(plan)
    units = _org_units(plan.new_org_units, rows)
    people = _people_of(rows)
    for row in rows:
        try:
            if row.kind == RowKind.JOINER:
                person = create_provisioned_person(
                    attributes=_resolved(row.attributes, units, people),
                    source=ChangeSource.HR_FEED,
                    effective_on=row.effective_on or plan.effective_on,
                    hr_import=hr_import,
                )
                if row.node is not None:
                    people[row.node] = person
                row.person_id = person.pk
            elif row.kind == RowKind.LEAVER:
                deprovision_person(
                    person=_person(row, people),
                    source=ChangeSource.HR_FEED,
                    effective_on=row.effective_on or plan.effective_on,
                    hr_import=hr_import,
                )
            else:
                update_provisioned_person(
                    person=_person(row, people),
                    attributes=_resolved(row.attributes, units, people),
                    source=ChangeSource.HR_FEED,
                    effective_on=row.effective_on or plan.effective_on,
                    hr_import=hr_import,
                )
        except ProvisioningError as error:
            raise RowNotApplied(row, str(error), getattr(error, "field", "")) from error
        except ValidationError as error:
            raise RowNotApplied(row, " ".join(error.messages)) from error
        if progress:
            progress(1)
    return [unit.label for unit in plan.new_org_units]


def _org_units(planned: list[NewOrgUnit], rows: list[PlannedRow]) -> dict[Ref, OrgUnit]:
    """Every org unit the rows refer to, by reference, creating the new ones (parents first)."""
    wanted = {unit.parent[1] for unit in planned if unit.parent and unit.parent[0] == "pk"}
    wanted |= {
        row.attributes["org_unit"][1]
        for row in rows
        if row.attributes.get("org_unit") and row.attributes["org_unit"][0] == "pk"
    }
    units: dict[Ref, OrgUnit] = {
        ("pk", unit.pk): unit for unit in OrgUnit.objects.filter(pk__in=wanted)
    }
    for unit in sorted(planned, key=lambda unit: len(unit.names)):
        parent = units[unit.parent] if unit.parent is not None else None
        units[("new", unit.key)] = create_org_unit(
            name=unit.names[-1], kind=unit.kind, parent=parent, slug=unit.slug
        )
    return units


def _people_of(rows: list[PlannedRow]) -> dict[Ref, User]:
    wanted = {row.node[1] for row in rows if row.node and row.node[0] == "pk"}
    wanted |= {
        row.attributes["manager"][1]
        for row in rows
        if row.attributes.get("manager") and row.attributes["manager"][0] == "pk"
    }
    return {("pk", person.pk): person for person in User.objects.filter(pk__in=wanted)}


def _person(row: PlannedRow, people: dict[Ref, User]) -> User:
    if row.node is None or row.node not in people:
        raise RowNotApplied(row, _("The person of this row is no longer in the database."))
    return people[row.node]


def _resolved(
    attributes: dict[str, Any], units: dict[Ref, OrgUnit], people: dict[Ref, User]
) -> dict[str, Any]:
    """The row's attributes with org unit and manager references turned into rows."""
    resolved = dict(attributes)
    if "org_unit" in resolved:
        ref = resolved["org_unit"]
        resolved["org_unit"] = None if ref is None else units[ref]
    if "manager" in resolved:
        ref = resolved["manager"]
        resolved["manager"] = None if ref is None else people[ref]
    return resolved
