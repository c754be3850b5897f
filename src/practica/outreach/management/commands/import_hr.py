"""`practica import-hr FILE [--effective-on DATE] [--full-snapshot] [--dry-run] [--map F=COL]`

Imports the company's HR feed (a CSV file with a header row) for companies without SCIM:
joiners get accounts, transfers move, leavers are deprovisioned, each through the same
lifecycle as SCIM. The columns are mapped from their names (see `practica.outreach.hr_feed.
mapping`); `--map` overrides a field. Every row is checked first; if any row is refused,
nothing is applied, the row messages are printed and the command exits with status 1.
Importing the same file again changes nothing.
"""

from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from practica.outreach.hr_feed.mapping import DATE_ORDERS, FIELDS, ColumnMapping
from practica.outreach.hr_feed.plan import CHANGE_LABELS, CHANGING_KINDS, Plan, RowKind
from practica.outreach.hr_feed.report import row_messages, stored_plan
from practica.outreach.models import HrImport
from practica.outreach.services.hr_imports import (
    HrImportRefused,
    apply_hr_import,
    preview_hr_import,
    suggest_column_mapping,
)

STAGES = {"checking": "Checking rows", "applying": "Applying"}
CHANGES_SHOWN = 200


class RichProgress:
    """The import's progress as rich bars, one per stage."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def start(self, stage: str, total: int) -> None:
        label = STAGES.get(stage, stage)
        if stage in self.tasks:
            label = f"{label} (again, before applying)"
        self.tasks[stage] = self.progress.add_task(label, total=total or None)

    def advance(self, stage: str, n: int = 1) -> None:
        self.progress.advance(self.tasks[stage], n)


class Command(BaseCommand):
    help = (
        "Import the HR feed from a CSV file (UTF-8, comma or semicolon, a header row): "
        "joiners, leavers and transfers (org unit, title, manager). Columns are matched by "
        "their names; --map field=Column overrides one. Nothing is applied when a row has an "
        "error: the row messages are printed and the command exits with status 1. "
        f"Fields: {', '.join(FIELDS)}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="The CSV file from the HR system.")
        parser.add_argument(
            "--effective-on",
            metavar="DATE",
            help="The day the changes take effect (YYYY-MM-DD; default: today). Leavers "
            "whose leaving date is after it stay active.",
        )
        parser.add_argument(
            "--full-snapshot",
            action="store_true",
            help="The file lists everyone: active people with an employee number who are "
            "missing from it have left.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only check the file and print what would change; nothing is kept.",
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help="Read FIELD from COLUMN (repeatable); FIELD= leaves the field out.",
        )
        parser.add_argument(
            "--date-order",
            choices=DATE_ORDERS,
            help="How to read dates like 03/04/2026: dmy (day first) or mdy (month first). "
            "Default: guessed from the file's dates, day first when they do not tell.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        content = path.read_bytes()
        effective_on = _effective_on(options["effective_on"])
        mapping = _mapping(content, options)
        console = Console(file=self.stdout, highlight=False, width=120)  # type: ignore[arg-type]
        console.print(_mapping_table(mapping.columns))
        dry_run = bool(options["dry_run"])
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, transient=False) as bars:
            progress = RichProgress(bars)
            if dry_run:
                plan = _dry_run(path.name, content, mapping.to_json(), effective_on, progress)
                hr_import = None
            else:
                try:
                    hr_import = preview_hr_import(
                        file_name=path.name,
                        content=content,
                        column_mapping=mapping.to_json(),
                        effective_on=effective_on,
                        actor=None,
                        progress=progress,
                    )
                except ValidationError as error:
                    raise CommandError(" ".join(error.messages)) from error
                try:
                    hr_import = apply_hr_import(hr_import=hr_import, actor=None, progress=progress)
                except HrImportRefused as refused:
                    hr_import = refused.hr_import  # marked refused, with its messages
                plan = stored_plan(hr_import)
        assert plan is not None
        verbose = int(options.get("verbosity", 1)) >= 2
        console.print(_counts_table(plan, dry_run=dry_run, applied=_applied(hr_import)))
        if plan.refused:
            _print_messages(console, plan)
            where = f" (import #{hr_import.pk})" if hr_import is not None else ""
            raise CommandError(
                f"The file was refused{where}: {len(row_messages(plan))} problem(s); "
                "nothing was changed.",
                returncode=1,
            )
        _print_changes(console, plan, verbose=verbose)
        if dry_run:
            console.print("Dry run: nothing was kept.")
        elif hr_import is not None:
            console.print(f"Applied as import #{hr_import.pk}, effective on {effective_on}.")


def _mapping(content: bytes, options: dict[str, Any]) -> ColumnMapping:
    """The suggested mapping with the command line's --map, --full-snapshot, --date-order."""
    try:
        mapping = suggest_column_mapping(content)
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from error
    for item in options["map"]:
        field_name, separator, column = item.partition("=")
        field_name = field_name.strip()
        if not separator or field_name not in FIELDS:
            raise CommandError(
                f"--map takes FIELD=COLUMN; FIELD is one of: {', '.join(FIELDS)} (not {item!r})."
            )
        if column.strip():
            mapping.columns[field_name] = column.strip()
        else:
            mapping.columns.pop(field_name, None)
    mapping.full_snapshot = bool(options["full_snapshot"])
    if options["date_order"]:
        mapping.date_order = options["date_order"]
    return mapping


def _effective_on(value: str | None) -> date:
    if not value:
        return timezone.localdate()
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            f"--effective-on takes a date like 2026-03-01, not {value!r}."
        ) from error


class _DryRunDone(Exception):  # noqa: N818 — unwinds the dry run's transaction
    def __init__(self, plan: Plan) -> None:
        super().__init__("dry run")
        self.plan = plan


def _dry_run(
    file_name: str,
    content: bytes,
    mapping: dict[str, Any],
    effective_on: date,
    progress: RichProgress,
) -> Plan:
    """The preview, computed in a transaction that is rolled back: nothing is kept."""
    try:
        with transaction.atomic():
            hr_import = preview_hr_import(
                file_name=file_name,
                content=content,
                column_mapping=mapping,
                effective_on=effective_on,
                actor=None,
                progress=progress,
            )
            plan = stored_plan(hr_import)
            assert plan is not None
            raise _DryRunDone(plan)
    except _DryRunDone as done:
        return done.plan
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from error


def _applied(hr_import: HrImport | None) -> bool:
    return hr_import is not None and bool((hr_import.report or {}).get("applied"))


def _mapping_table(columns: dict[str, str]) -> Table:
    table = Table(title="Column mapping")
    table.add_column("Field")
    table.add_column("Column in the file")
    for field_name, label in FIELDS.items():
        table.add_row(f"{label} ({field_name})", Text(columns.get(field_name) or "—"))
    return table


def _counts_table(plan: Plan, *, dry_run: bool, applied: bool) -> Table:
    title = "HR import" + (" (dry run)" if dry_run else "") + (" — applied" if applied else "")
    table = Table(title=title)
    table.add_column("")
    table.add_column("Rows", justify="right")
    counts = plan.counts
    for kind, label in RowKind.choices:
        table.add_row(str(label), f"{counts[kind]:,}")
    table.add_row("Rows in the file", f"{plan.rows_total:,}")
    return table


def _print_messages(console: Console, plan: Plan) -> None:
    console.print("[bold red]The file was refused; nothing was changed.[/bold red]")
    for message in row_messages(plan):
        console.print(f"  {message}", markup=False)


def _print_changes(console: Console, plan: Plan, *, verbose: bool) -> None:
    changing = [row for row in plan.rows if row.kind in CHANGING_KINDS]
    if not changing:
        console.print("Nothing to change: every row is as the database already has it.")
        return
    shown = changing if verbose else changing[:CHANGES_SHOWN]
    table = Table(title="Changes")
    for column in ("Row", "Employee", "Name", "Kind", "Changes"):
        table.add_column(column)
    kinds = dict(RowKind.choices)
    for row in shown:
        changes = "; ".join(
            f"{CHANGE_LABELS.get(name, name)}: {_shown(before)} → {_shown(after)}"
            for name, (before, after) in row.changes.items()
        )
        table.add_row(
            str(row.line) if row.line is not None else "—",
            Text(row.employee_number),
            Text(row.name),
            str(kinds.get(row.kind, row.kind)),
            Text(changes),
        )
    console.print(table)
    if len(changing) > len(shown):
        console.print(f"…and {len(changing) - len(shown):,} more (use -v 2 to list them all).")
    for unit in plan.new_org_unit_labels:
        console.print(f"New org unit: {unit}", markup=False)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "—" if value in (None, "") else str(value)
