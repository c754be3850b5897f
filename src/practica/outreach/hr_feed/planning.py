"""What an HR file would change: each row read, checked, matched and classified (`Plan`).

Rows are matched to people by employee number; a row whose number is unknown but whose email
belongs to an account without an employee number takes that account over (it was made by
hand or by single sign-on before the feed knew it). A blank cell leaves a detail as it is,
except for the org placement the HR system owns — job title, org unit, manager, location and
country — where a blank cell clears it (a blank manager is the top of the chain). Leavers:
a row whose status says so (terminated, leaver, inactive …), or without a status whose
leaving date is on or before the import's effective date; a leaving date after it leaves
the person active for now. A leaver leaves on their leaving date (else the effective date);
their row's other cells are not applied. A joiner's account starts on their hire date (else
the effective date); everyone else's changes take effect on the effective date.

Refused rows (`RowKind.REFUSED`) have messages naming the row, the column and the problem:
missing or bad values, an employee number or email twice in the file, an email that belongs
to someone else, a manager neither in the file nor in the database, a manager chain that
loops (through the file and the database as they would be after the import).
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from practica.outreach.hr_feed.managers import ManagerGraph, resolve_managers
from practica.outreach.hr_feed.mapping import FIELDS, ColumnMapping, mapping_problems
from practica.outreach.hr_feed.org_units import OrgUnitResolver
from practica.outreach.hr_feed.plan import Plan, PlannedRow, Ref, RowKind
from practica.outreach.hr_feed.reading import HrRow, HrTable
from practica.outreach.hr_feed.values import (
    CellError,
    clean_country,
    clean_email,
    clean_text,
    clean_time_zone,
    is_leaver_status,
    iso_or_none,
    parse_date,
)
from practica.people.models import User

Progress = Callable[[int], None]
TEXT_LIMITS = {
    "employee_number": 64,
    "display_name": 120,
    "first_name": 80,
    "last_name": 80,
    "job_title": 120,
    "location": 120,
}
# Fields compared with the person, in the order the report lists them.
COMPARED = (
    "employee_number",
    "email",
    "display_name",
    "job_title",
    "org_unit",
    "manager",
    "hired_on",
    "time_zone",
    "country",
    "location",
)
TRANSFER_FIELDS = frozenset({"org_unit", "job_title", "manager"})


@dataclass
class RowState:
    """A row while it is planned: its values and what they refer to."""

    planned: PlannedRow
    values: dict[str, Any] = field(default_factory=dict)
    org_unit_text: str | None = None  # None: not given
    org_unit: Ref | None = None
    manager_number: str | None = None
    manager_email: str | None = None
    manager_given: bool = False
    manager: Ref | None = None
    leaving: date | None = None
    person: User | None = None

    @property
    def ok(self) -> bool:
        return not self.planned.errors


def plan_hr_import(
    table: HrTable, mapping: ColumnMapping, *, effective_on: date, progress: Progress | None = None
) -> Plan:
    """The plan of what importing `table` with `mapping` on `effective_on` would change."""
    plan = Plan(
        effective_on=effective_on,
        mapping=mapping,
        headers=list(table.headers),
        rows_total=len(table.rows),
    )
    plan.file_messages = mapping_problems(mapping, table.headers)
    if plan.file_messages:
        return plan
    states = [_read_row(table, row, mapping, effective_on) for row in table.rows]
    _refuse_duplicates(states, mapping)
    people = _people_named(states)
    _match_people(states, people, mapping)
    resolver = OrgUnitResolver()
    _resolve_org_units(states, resolver, mapping)
    graph = ManagerGraph.load(states)
    resolve_managers(states, graph, people, mapping)
    for state in states:
        _classify(state, effective_on=effective_on, resolver=resolver, graph=graph)
        if progress:
            progress(1)
    plan.rows = [state.planned for state in states]
    if mapping.full_snapshot:
        plan.rows += _missing_people(states, effective_on=effective_on)
    plan.new_org_units = resolver.planned_units()
    return plan


# --- reading -------------------------------------------------------------------------------


def _read_row(table: HrTable, row: HrRow, mapping: ColumnMapping, effective_on: date) -> RowState:
    state = RowState(planned=PlannedRow(line=row.line))
    planned = state.planned
    if row.problem:
        planned.refuse(row.problem)
    names: dict[str, str] = {}
    for name in FIELDS:
        column = mapping.column_of(name)
        if not column:
            continue
        raw = table.column(row, column)
        try:
            _read_cell(state, name, raw, mapping, names)
        except CellError as error:
            planned.refuse(str(error), column=column, field_name=name)
    name = names.get("display_name") or " ".join(
        part for part in (names.get("first_name"), names.get("last_name")) if part
    )
    if name:
        state.values["display_name"] = name[: TEXT_LIMITS["display_name"]]
        planned.name = state.values["display_name"]
    _decide_leaving(state, mapping, effective_on)
    return state


def _read_cell(
    state: RowState, name: str, raw: str, mapping: ColumnMapping, names: dict[str, str]
) -> None:
    values, planned = state.values, state.planned
    if name == "employee_number":
        if not raw:
            raise CellError(_("The employee number is missing."))
        values[name] = planned.employee_number = clean_text(raw, limit=TEXT_LIMITS[name])
    elif name == "email":
        if not raw:
            raise CellError(_("The email address is missing."))
        values[name] = planned.email = clean_email(raw)
    elif name in ("display_name", "first_name", "last_name"):
        names[name] = clean_text(raw, limit=TEXT_LIMITS[name])
    elif name in ("job_title", "location"):
        values[name] = clean_text(raw, limit=TEXT_LIMITS[name])
    elif name == "country":
        values[name] = clean_country(raw) if raw else ""
    elif name == "time_zone" and raw:
        values[name] = clean_time_zone(raw)
    elif name in ("hired_on", "left_on") and raw:
        values[name] = parse_date(raw, date_order=mapping.date_order)
    elif name == "status" and raw:
        values["leaver_status"] = is_leaver_status(raw)
    elif name == "org_unit":
        state.org_unit_text = raw
    elif name == "manager_employee_number":
        state.manager_given = True
        state.manager_number = raw or None
    elif name == "manager_email":
        state.manager_given = True
        state.manager_email = clean_email(raw) if raw else None


def _decide_leaving(state: RowState, mapping: ColumnMapping, effective_on: date) -> None:
    values, planned = state.values, state.planned
    hired, left = values.get("hired_on"), values.get("left_on")
    if hired and left and left < hired:
        planned.refuse(
            _("The leaving date %(left)s is before the hire date %(hired)s.")
            % {"left": left.isoformat(), "hired": hired.isoformat()},
            column=mapping.column_of("left_on"),
            field_name="left_on",
        )
        return
    status = values.get("leaver_status")
    if left and left > effective_on:
        planned.notes.append(
            _("Leaves on %(day)s, after this import's effective date: still active for now.")
            % {"day": left.isoformat()}
        )
    elif status is True:
        state.leaving = left or effective_on
    elif status is False:
        if left:
            planned.notes.append(
                _("The status says active, so the leaving date %(day)s is not applied.")
                % {"day": left.isoformat()}
            )
    elif left:
        state.leaving = left


def _refuse_duplicates(states: list[RowState], mapping: ColumnMapping) -> None:
    for name, message in (
        ("employee_number", _("The employee number %(value)s is also on row %(lines)s.")),
        ("email", _("The email address %(value)s is also on row %(lines)s.")),
    ):
        lines: dict[str, list[int]] = defaultdict(list)
        for state in states:
            value = state.values.get(name)
            if value:
                lines[value.casefold()].append(state.planned.line or 0)
        for state in states:
            value = state.values.get(name)
            if not value or len(lines[value.casefold()]) < 2:
                continue
            others = [str(line) for line in lines[value.casefold()] if line != state.planned.line]
            state.planned.refuse(
                message % {"value": value, "lines": ", ".join(others)},
                column=mapping.column_of(name),
                field_name=name,
            )


# --- matching ------------------------------------------------------------------------------


@dataclass
class PeopleIndex:
    by_number: dict[str, User]
    by_email: dict[str, User]


def _people_named(states: list[RowState]) -> PeopleIndex:
    """The people whose employee numbers or emails the file mentions (as people or managers)."""
    numbers = {
        state.values["employee_number"] for state in states if "employee_number" in state.values
    }
    numbers |= {state.manager_number for state in states if state.manager_number}
    emails = {state.values["email"] for state in states if "email" in state.values}
    emails |= {state.manager_email for state in states if state.manager_email}
    index = PeopleIndex(by_number={}, by_email={})
    number_list, email_list = sorted(numbers), sorted(emails)
    for start in range(0, max(len(number_list), len(email_list)), 500):
        batch_numbers = number_list[start : start + 500]
        batch_emails = email_list[start : start + 500]
        found = User.objects.alias(email_ci=Lower("email")).filter(
            Q(employee_number__in=batch_numbers) | Q(email_ci__in=batch_emails)
        )
        for person in found:
            if person.employee_number:
                index.by_number[person.employee_number] = person
            index.by_email[person.email.lower()] = person
    return index


def _match_people(states: list[RowState], people: PeopleIndex, mapping: ColumnMapping) -> None:
    email_column = mapping.column_of("email")
    for state in states:
        number, email = state.values.get("employee_number"), state.values.get("email")
        planned = state.planned
        if number:
            planned.node = ("new", number)
        if not number or not email:
            continue
        person = people.by_number.get(number)
        owner = people.by_email.get(email)
        if person is not None:
            if owner is not None and owner.pk != person.pk:
                planned.refuse(
                    _("The email address %(email)s belongs to %(owner)s in the database.")
                    % {"email": email, "owner": person_label(owner)},
                    column=email_column,
                    field_name="email",
                )
        elif owner is not None and owner.is_placeholder and owner.is_active:
            planned.notes.append(
                _("Takes over the profile the list archive made for %(email)s.") % {"email": email}
            )
        elif owner is not None:
            if owner.employee_number:
                planned.refuse(
                    _(
                        "The email address %(email)s belongs to %(owner)s in the database, who "
                        "has another employee number."
                    )
                    % {"email": email, "owner": person_label(owner)},
                    column=email_column,
                    field_name="email",
                )
            else:
                person = owner
                planned.notes.append(
                    _("Matched by email: the existing account gets employee number %(number)s.")
                    % {"number": number}
                )
        if person is not None and person.is_system:
            planned.refuse(
                _("%(person)s is a system account; provisioning leaves it alone.")
                % {"person": person_label(person)}
            )
        state.person = person
        planned.person_id = person.pk if person else None
        planned.node = ("pk", person.pk) if person else ("new", number)


def person_label(person: User) -> str:
    if person.employee_number:
        return f"{person.display_name or person.email} ({person.employee_number})"
    return f"{person.display_name or person.email} <{person.email}>"


def _resolve_org_units(
    states: list[RowState], resolver: OrgUnitResolver, mapping: ColumnMapping
) -> None:
    for state in states:
        if not state.org_unit_text:
            continue
        try:
            state.org_unit, created = resolver.resolve(state.org_unit_text)
        except CellError as error:
            state.planned.refuse(
                str(error), column=mapping.column_of("org_unit"), field_name="org_unit"
            )
            continue
        if created:
            state.planned.notes.append(
                _("Creates the org unit %(units)s, which does not exist yet.")
                % {"units": ", ".join(f"“{label}”" for label in created)}
            )


# --- classifying ---------------------------------------------------------------------------


def _classify(
    state: RowState, *, effective_on: date, resolver: OrgUnitResolver, graph: ManagerGraph
) -> None:
    planned, person, values = state.planned, state.person, state.values
    planned.depth = graph.depth(planned.node)
    if not state.ok:
        planned.kind = RowKind.REFUSED
        return
    if state.leaving is not None:
        _classify_leaver(state)
        return
    after = _after_values(state)
    labels: dict[str, Callable[[Any], str | None]] = {
        "org_unit": resolver.label,
        "manager": graph.label,
    }
    if person is None:
        if not values.get("display_name"):
            after["display_name"] = name_from_email(values["email"])
            planned.name = after["display_name"]
            planned.notes.append(
                _("No name in the file: the name is taken from the email address.")
            )
        planned.kind = RowKind.JOINER
        planned.attributes = {key: value for key, value in after.items() if value not in ("", None)}
        planned.changes = {
            key: [None, _shown(key, value, labels)] for key, value in planned.attributes.items()
        }
        planned.effective_on = values.get("hired_on") or effective_on
        return
    before = _before_values(person)
    changed = {key: value for key, value in after.items() if before.get(key) != value}
    planned.attributes = changed
    planned.changes = {
        key: [_shown(key, before.get(key), labels), _shown(key, value, labels)]
        for key, value in changed.items()
    }
    planned.effective_on = effective_on
    planned.name = planned.name or person.display_name
    if not person.is_active:
        planned.kind = RowKind.REACTIVATED
        planned.attributes["active"] = True
        planned.changes["active"] = [False, True]
        if person.left_on is not None:
            planned.changes["left_on"] = [person.left_on.isoformat(), None]
    elif TRANSFER_FIELDS & set(changed):
        planned.kind = RowKind.TRANSFER
    elif changed:
        planned.kind = RowKind.UPDATE
    else:
        planned.kind = RowKind.UNCHANGED


def _classify_leaver(state: RowState) -> None:
    planned, person = state.planned, state.person
    if person is None:
        planned.kind = RowKind.UNCHANGED
        planned.notes.append(_("A leaver who never had an account here: nothing to do."))
    elif not person.is_active:
        planned.kind = RowKind.UNCHANGED
        planned.notes.append(_("Already marked as having left."))
    else:
        planned.kind = RowKind.LEAVER
        planned.effective_on = state.leaving
        planned.changes = {
            "active": [True, False],
            "left_on": [iso_or_none(person.left_on), iso_or_none(state.leaving)],
        }
        planned.name = planned.name or person.display_name


def _after_values(state: RowState) -> dict[str, Any]:
    after = {
        key: state.values[key]
        for key in COMPARED
        if key in state.values and key not in ("org_unit", "manager")
    }
    if state.org_unit_text is not None:
        after["org_unit"] = state.org_unit
    if state.manager_given:
        after["manager"] = state.manager
    return {key: after[key] for key in COMPARED if key in after}


def _before_values(person: User) -> dict[str, Any]:
    return {
        "employee_number": person.employee_number,
        "email": person.email.lower(),
        "display_name": person.display_name,
        "job_title": person.job_title,
        "org_unit": ("pk", person.org_unit_id) if person.org_unit_id else None,
        "manager": ("pk", person.manager_id) if person.manager_id else None,
        "hired_on": person.hired_on,
        "time_zone": person.time_zone,
        "country": person.country,
        "location": person.location,
    }


def _shown(key: str, value: Any, labels: dict[str, Callable[[Any], str | None]]) -> Any:
    if key in labels:
        return labels[key](value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def name_from_email(email: str) -> str:
    """'ada.lovelace@example.com' → 'Ada Lovelace'."""
    local = email.split("@", 1)[0]
    words = [word for word in local.replace("_", ".").replace("-", ".").split(".") if word]
    return " ".join(word.capitalize() for word in words)[:120] or email


def _missing_people(states: list[RowState], *, effective_on: date) -> list[PlannedRow]:
    """Leavers of a full snapshot: active people with an employee number not in the file."""
    in_file = {state.person.pk for state in states if state.person is not None}
    numbers = {state.values.get("employee_number") for state in states}
    rows: list[PlannedRow] = []
    people = (
        User.objects.filter(is_active=True, is_system=False, employee_number__isnull=False)
        .exclude(employee_number="")
        .order_by("employee_number")
        .only("pk", "employee_number", "email", "display_name", "left_on")
    )
    for person in people.iterator(chunk_size=2000):
        if person.pk in in_file or person.employee_number in numbers:
            continue
        rows.append(
            PlannedRow(
                line=None,
                employee_number=person.employee_number or "",
                email=person.email,
                name=person.display_name,
                kind=RowKind.LEAVER,
                person_id=person.pk,
                changes={
                    "active": [True, False],
                    "left_on": [iso_or_none(person.left_on), effective_on.isoformat()],
                },
                notes=[_("Not in the file, which lists everyone: has left.")],
                node=("pk", person.pk),
                effective_on=effective_on,
            )
        )
    return rows
