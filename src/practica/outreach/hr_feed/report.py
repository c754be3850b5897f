"""Reading a stored preview or report (`HrImport.report`) for the pages and the command."""

from dataclasses import dataclass
from typing import Any, Protocol

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from practica.outreach.hr_feed.plan import (
    CHANGE_LABELS,
    CHANGING_KINDS,
    Plan,
    PlannedRow,
    RowKind,
)
from practica.outreach.models import HrImport


class ImportProgress(Protocol):
    """How a long import tells its progress (the command shows it as bars)."""

    def start(self, stage: str, total: int) -> None: ...

    def advance(self, stage: str, n: int = 1) -> None: ...


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    count: int


def stored_plan(hr_import: HrImport) -> Plan | None:
    """The plan saved with the import (its preview, or what was applied), or None."""
    if not hr_import.report or "rows" not in hr_import.report:
        return None
    return Plan.from_json(hr_import.report)


def kind_counts(plan: Plan) -> list[KindCount]:
    counts = plan.counts
    return [KindCount(kind, str(label), counts[kind]) for kind, label in RowKind.choices]


def rows_of_kind(plan: Plan, kind: str = "") -> list[PlannedRow]:
    """The rows of one kind; "changes" for every row that changes someone; "" for all."""
    if kind == "changes":
        return [row for row in plan.rows if row.kind in CHANGING_KINDS]
    if kind in RowKind.values:
        return [row for row in plan.rows if row.kind == kind]
    return list(plan.rows)


def row_messages(plan: Plan, *, limit: int | None = None) -> list[str]:
    """Every refusal as one line: "Row 7, Work Email: … is not an email address." """
    lines = list(plan.file_messages)
    for row in plan.rows:
        for error in row.errors:
            where = (
                _("Row %(line)s") % {"line": row.line}
                if row.line is not None
                else _("Employee %(number)s") % {"number": row.employee_number}
            )
            if error.column:
                where = f"{where}, {error.column}"
            lines.append(f"{where}: {error.message}")
    return lines[:limit] if limit is not None else lines


def applied_summary(hr_import: HrImport) -> dict[str, Any]:
    """What applying recorded: when, the counts of changes, the org units it created."""
    return dict((hr_import.report or {}).get("applied") or {})


def recent_hr_imports() -> QuerySet[HrImport]:
    return HrImport.objects.select_related("uploaded_by").defer("content").order_by("-created_at")


@dataclass(frozen=True)
class ShownChange:
    label: str
    before: Any
    after: Any


@dataclass(frozen=True)
class ShownRow:
    """A row as the preview and report tables show it."""

    row: PlannedRow
    kind_label: str
    changes: list[ShownChange]


def shown_rows(rows: list[PlannedRow]) -> list[ShownRow]:
    """The rows with their changes labelled; a joiner's number and email, already in the
    person column, are not repeated as changes."""
    kinds = dict(RowKind.choices)
    return [
        ShownRow(
            row=row,
            kind_label=str(kinds.get(row.kind, row.kind)),
            changes=[
                ShownChange(str(CHANGE_LABELS.get(name, name)), _shown(before), _shown(after))
                for name, (before, after) in row.changes.items()
                if not (row.kind == RowKind.JOINER and name in ("employee_number", "email"))
            ],
        )
        for row in rows
    ]


def _shown(value: Any) -> Any:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value
