"""Which column of the file holds which of our fields, and the import's options.

Our fields (`FIELDS`): employee_number and email are required; display_name, or first_name
and last_name; job_title; org_unit (a slug, a name or a path "Division/Group/Team");
manager_employee_number or manager_email; hired_on; left_on; status (active / terminated /
leaver …); time_zone; country; location.

A mapping is stored in `HrImport.column_mapping` as
`{"columns": {field: header}, "full_snapshot": bool, "date_order": "dmy" | "mdy"}`.
`ColumnMapping.from_json` also takes a flat `{field: header, "full_snapshot": …}` dict, the
shape a caller most naturally writes. `suggest_mapping` guesses one from the header names
(case, spaces and punctuation ignored: "Employee ID", "Work Email", "Hire Date", "Manager ID",
"Department" …) and, for the date order, from the dates in the file.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from practica.outreach.hr_feed.reading import HrTable
from practica.outreach.hr_feed.values import slashed_date_order

REQUIRED_FIELDS = ("employee_number", "email")
DATE_ORDERS = ("dmy", "mdy")

# Field → its label; the order is the form's and the report's.
FIELDS: dict[str, Any] = {
    "employee_number": _("Employee number"),
    "email": _("Work email"),
    "display_name": _("Display name"),
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "job_title": _("Job title"),
    "org_unit": _("Org unit"),
    "manager_employee_number": _("Manager's employee number"),
    "manager_email": _("Manager's email"),
    "hired_on": _("Hire date"),
    "left_on": _("Leaving date"),
    "status": _("Employment status"),
    "time_zone": _("Time zone"),
    "country": _("Country"),
    "location": _("Location"),
}

# Header names per field, best first, compared by `header_key`.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "employee_number": (
        "employee number",
        "employee id",
        "employee no",
        "employee num",
        "employeeid",
        "emp id",
        "emp no",
        "emp number",
        "personnel number",
        "personnel id",
        "staff id",
        "staff number",
        "worker id",
        "person id",
        "hr id",
        "badge id",
        "employee",
        "id",
    ),
    "email": (
        "work email",
        "email",
        "email address",
        "work email address",
        "business email",
        "corporate email",
        "company email",
        "office email",
        "e mail",
        "mail",
        "upn",
        "user principal name",
    ),
    "display_name": (
        "display name",
        "full name",
        "name",
        "employee name",
        "preferred name",
        "person name",
    ),
    "first_name": ("first name", "given name", "firstname", "forename", "preferred first name"),
    "last_name": ("last name", "surname", "family name", "lastname"),
    "job_title": (
        "job title",
        "title",
        "position",
        "position title",
        "job",
        "job name",
        "designation",
        "role",
        "business title",
    ),
    "org_unit": (
        "org unit",
        "organizational unit",
        "organisational unit",
        "org path",
        "department",
        "dept",
        "department name",
        "organization",
        "organisation",
        "org",
        "team",
        "division",
        "business unit",
        "unit",
        "group",
    ),
    "manager_employee_number": (
        "manager id",
        "manager employee id",
        "manager employee number",
        "manager number",
        "manager emp id",
        "manager no",
        "supervisor id",
        "supervisor employee id",
        "line manager id",
        "reports to id",
        "manager",
        "reports to",
        "supervisor",
        "line manager",
    ),
    "manager_email": (
        "manager email",
        "manager work email",
        "manager email address",
        "supervisor email",
        "line manager email",
        "reports to email",
    ),
    "hired_on": (
        "hire date",
        "hired on",
        "date of hire",
        "start date",
        "original hire date",
        "joining date",
        "join date",
        "date joined",
        "hiredate",
        "employment start date",
    ),
    "left_on": (
        "termination date",
        "left on",
        "leaving date",
        "leave date",
        "end date",
        "exit date",
        "separation date",
        "term date",
        "last day",
        "last working day",
        "employment end date",
    ),
    "status": ("status", "employment status", "employee status", "worker status", "active"),
    "time_zone": ("time zone", "timezone", "tz", "time zone id", "iana time zone"),
    "country": ("country code", "country", "work country", "country iso", "iso country"),
    "location": ("location", "work location", "office", "office location", "site", "city"),
}
# Header names that may hold a manager's email as well as their number: the cells decide.
MANAGER_EITHER = frozenset({"manager", "reports to", "supervisor", "line manager"})


def header_key(header: str) -> str:
    """'Employee ID:' → 'employee id'; 'E-Mail' → 'e mail'; 'HireDate' → 'hiredate'."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", header.casefold()).split())


@dataclass
class ColumnMapping:
    columns: dict[str, str] = field(default_factory=dict)
    full_snapshot: bool = False
    date_order: str = "dmy"

    def to_json(self) -> dict[str, Any]:
        return {
            "columns": dict(self.columns),
            "full_snapshot": self.full_snapshot,
            "date_order": self.date_order,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> "ColumnMapping":
        """Read a stored mapping, or a flat {field: header} dict with the options beside."""
        data = dict(data or {})
        columns = data.pop("columns", None)
        if columns is None:
            columns = {key: value for key, value in data.items() if key in FIELDS}
        return cls(
            columns={
                str(key): str(value).strip()
                for key, value in dict(columns).items()
                if value and str(value).strip()
            },
            full_snapshot=bool(data.get("full_snapshot", False)),
            date_order=str(data.get("date_order") or "dmy"),
        )

    def column_of(self, field_name: str) -> str:
        return self.columns.get(field_name, "")


def suggest_mapping(table: HrTable) -> ColumnMapping:
    """The mapping guessed from the header names (and the cells, for the manager column and
    the order of day and month in dates with slashes)."""
    keys = {header: header_key(header) for header in table.headers if header}
    squeezed = {header: key.replace(" ", "") for header, key in keys.items()}
    taken: set[str] = set()
    columns: dict[str, str] = {}
    for field_name, synonyms in SYNONYMS.items():
        for synonym in synonyms:
            found = next(
                (
                    header
                    for header in keys
                    if header not in taken
                    and (keys[header] == synonym or squeezed[header] == synonym.replace(" ", ""))
                ),
                None,
            )
            if found is None:
                continue
            if keys[found] in MANAGER_EITHER and _holds_emails(table, found):
                columns.setdefault("manager_email", found)
            else:
                columns[field_name] = found
            taken.add(found)
            break
    date_values = [
        table.column(row, columns[name])
        for name in ("hired_on", "left_on")
        if name in columns
        for row in table.rows[:2000]
    ]
    return ColumnMapping(columns=columns, date_order=slashed_date_order(date_values))


def _holds_emails(table: HrTable, header: str) -> bool:
    values = [table.column(row, header) for row in table.rows[:200]]
    filled = [value for value in values if value]
    return bool(filled) and sum("@" in value for value in filled) * 2 > len(filled)


def mapping_problems(mapping: ColumnMapping, headers: Sequence[str]) -> list[str]:
    """File-level messages about the mapping: required fields with no column, columns that are
    not in the file, unknown fields or options."""
    from django.utils.translation import gettext

    problems: list[str] = []
    present = set(headers)
    unknown = sorted(set(mapping.columns) - set(FIELDS))
    if unknown:
        problems.append(
            gettext("Unknown fields in the column mapping: %(fields)s. Known fields: %(known)s.")
            % {"fields": ", ".join(unknown), "known": ", ".join(FIELDS)}
        )
    missing = [name for name in REQUIRED_FIELDS if not mapping.column_of(name)]
    if missing:
        problems.append(
            gettext("The file has no column for: %(fields)s. Map a column to each, or add it.")
            % {"fields": ", ".join(str(FIELDS[name]) for name in missing)}
        )
    for name, header in mapping.columns.items():
        if name in FIELDS and header not in present:
            problems.append(
                gettext("The column “%(column)s” (for %(field)s) is not in the file.")
                % {"column": header, "field": FIELDS[name]}
            )
    if mapping.date_order not in DATE_ORDERS:
        problems.append(gettext("The date order is dmy (day first) or mdy (month first)."))
    return problems
