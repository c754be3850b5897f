"""`practica metrics rebuild [--community SLUG]...` | `practica metrics update` |
`practica metrics status`

rebuild: recompute every rollup row of the given communities (all by default) from raw
data, with a progress bar per community; update: roll up what changed since the last
build (what the beat task runs every few minutes); status: per community, when its rollups
were built, through which day, and how many rows each table holds.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from practica.communities.models import Community
from practica.metrics.models import (
    AnswerFact,
    CohortCell,
    CommunityDay,
    CommunityMonth,
    EventFact,
    QuestionFact,
    RollupState,
)
from practica.metrics.rollups.build import TABLES, LedgerBusyError, rebuild_rollups
from practica.metrics.rollups.incremental import update_rollups

STATUS_TABLES = {
    "days": CommunityDay,
    "months": CommunityMonth,
    "cohorts": CohortCell,
    "questions": QuestionFact,
    "answers": AnswerFact,
    "events": EventFact,
}


class RichProgress:
    """The rebuild's progress: one bar per community, advancing table by table."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, label: str, done: int, total: int) -> None:
        community, _, table = label.partition(": ")
        task = self.tasks.get(community)
        if task is None:
            task = self.tasks[community] = self.progress.add_task(community, total=total)
        self.progress.update(task, completed=done, description=f"{community}: {table}")


class Command(BaseCommand):
    help = (
        "Metric rollups: 'rebuild' recomputes them from raw data (all communities, or those "
        "named with --community SLUG); 'update' rolls up what changed since the last build; "
        "'status' shows how far each community's rollups are built."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION")
        actions.required = True
        rebuild = actions.add_parser("rebuild", help="Recompute the rollups from raw data.")
        rebuild.add_argument(
            "--community",
            action="append",
            default=[],
            metavar="SLUG",
            help="Rebuild only this community (repeatable); default: every community.",
        )
        actions.add_parser("update", help="Roll up what changed since the last build.")
        actions.add_parser("status", help="Show how far each community's rollups are built.")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=self.stdout, highlight=False, width=120)  # type: ignore[arg-type]
        action = options["action"]
        if action == "rebuild":
            self._rebuild(console, options.get("community") or [])
        elif action == "update":
            updated = update_rollups()
            console.print(
                f"Updated the rollups of {updated} communit{'y' if updated == 1 else 'ies'}."
            )
        else:
            console.print(_status_table())

    def _rebuild(self, console: Console, slugs: list[str]) -> None:
        community_ids = None
        if slugs:
            found = dict(Community.objects.filter(slug__in=slugs).values_list("slug", "pk"))
            unknown = [slug for slug in slugs if slug not in found]
            if unknown:
                raise CommandError(
                    f"No community with the slug {', '.join(repr(s) for s in unknown)}; "
                    "nothing was rebuilt. `practica metrics status` lists the communities."
                )
            community_ids = list(found.values())
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total} tables"),
            TimeElapsedColumn(),
        )
        try:
            with Progress(*columns, console=console, transient=False) as bars:
                report = rebuild_rollups(community_ids=community_ids, progress=RichProgress(bars))
        except LedgerBusyError as error:
            raise CommandError(
                "A long transaction is writing to the activity ledger; the communities not "
                f"rebuilt yet were left as they were. Try again in a moment. ({error})"
            ) from error
        noun = "community" if report.communities == 1 else "communities"
        table = Table(title=f"Rebuilt {report.communities} {noun} in {report.seconds:.1f} s")
        table.add_column("Table")
        table.add_column("Rows written", justify="right")
        for name in TABLES:
            table.add_row(name, f"{report.rows.get(name, 0):,}")
        console.print(table)


def _status_table() -> Table:
    states = {state.community_id: state for state in RollupState.objects.all()}
    counts: dict[str, dict[int, int]] = {
        name: dict(
            model._default_manager.values_list("community_id")
            .annotate(n=Count("pk"))
            .values_list("community_id", "n")
        )
        for name, model in STATUS_TABLES.items()
    }
    table = Table(title="Metric rollups")
    for column in ("Community", "Built at", "Built through", *STATUS_TABLES):
        table.add_column(column, justify="right" if column in STATUS_TABLES else "left")
    for pk, slug in Community.objects.order_by("slug").values_list("pk", "slug"):
        state = states.get(pk)
        built_at = f"{state.built_at:%Y-%m-%d %H:%M}" if state and state.built_at else "never"
        through = str(state.built_through) if state and state.built_through else "—"
        table.add_row(
            slug, built_at, through, *(f"{counts[name].get(pk, 0):,}" for name in STATUS_TABLES)
        )
    return table
