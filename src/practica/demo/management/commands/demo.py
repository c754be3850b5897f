"""`practica demo`: load the demo community (see practica.demo.story for the story)."""

from datetime import date

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from practica.demo.logins import DEMO_LOGINS, DEMO_PASSWORD
from practica.demo.story import (
    DEFAULT_MEMBERS,
    DEFAULT_SEED,
    EARLIEST_PRESENT,
    STEPS,
    demo_exists,
    run_demo,
)


class Command(BaseCommand):
    help = (
        "Load the demo: a machine-learning community grown from a 2012 email list to about "
        "--members people by 2020, its sister communities, a company org chart and thousands of "
        "realistic profiles. Deterministic for a --seed. Stops if demo data is already there; "
        "--reset first EMPTIES THE WHOLE DATABASE (like `practica flush`), because the demo "
        "database is meant for the demo only and later capabilities add their own demo data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--members",
            type=int,
            default=DEFAULT_MEMBERS,
            help=f"Members of the ML community at the end of 2020 (default {DEFAULT_MEMBERS}).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"Random seed; the same seed gives the same data (default {DEFAULT_SEED}).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Empty the whole database first (every table, not only demo rows), then load.",
        )
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="The story's present as YYYY-MM-DD (default: today). Pin it to get identical "
            "data on different days.",
        )

    def handle(self, *args: object, **options: object) -> None:
        members = options["members"]
        today = options["today"]
        if not isinstance(members, int) or members < 1:
            raise CommandError("--members must be a positive whole number, e.g. --members 7000.")
        if today is not None and today < EARLIEST_PRESENT:
            raise CommandError(f"--today must be {EARLIEST_PRESENT} or later.")
        if options["reset"]:
            self._empty_database()
        elif demo_exists():
            self.stdout.write(
                "The demo data is already loaded; nothing changed. "
                "Run `practica demo --reset` to empty the database and load it again."
            )
            return
        console = Console(file=self.stdout, highlight=False)
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task("Demo", total=len(STEPS))

            def on_step(step: object, index: int) -> None:
                progress.update(task, completed=index, description=str(step.label))

            story = run_demo(members=members, seed=options["seed"], today=today, on_step=on_step)
            progress.update(task, completed=len(STEPS), description="Demo loaded")
        counts = story.counts
        console.print(
            f"{counts['people']:,} people, {counts['memberships']:,} memberships, "
            f"{counts['activities']:,} activity rows on {connection.vendor}."
        )
        table = Table(title=f"Demo logins (password: {DEMO_PASSWORD})")
        table.add_column("Email")
        table.add_column("Name")
        table.add_column("Who")
        for login in DEMO_LOGINS:
            plan = next(p for p in story.people if p.user.email == login.email)
            table.add_row(login.email, plan.user.display_name, login.what)
        console.print(table)

    def _empty_database(self) -> None:
        deferring = connection.vendor == "postgresql" and connection.in_atomic_block
        if deferring:
            # Inside an outer transaction (a test), PostgreSQL refuses to TRUNCATE tables with
            # deferred foreign-key checks pending; run those checks now, defer again after.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        call_command("flush", interactive=False, verbosity=0)
        if deferring:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
