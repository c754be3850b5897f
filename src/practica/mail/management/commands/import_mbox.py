"""`practica import-mbox FILE [FILE...] --community SLUG [--dry-run]`: the old list's archive in.

Reads the files (mbox, mboxrd, mboxcl, gzip, Mailman 2 Pipermail .txt/.txt.gz), threads the
messages across all of them (practica.mail.archive), and hands the conversations to the
registered archive importer (discussions), showing progress and then a summary of what was
imported, merged into existing threads and skipped (and why). Importing twice adds nothing.
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from practica.communities.models import Community
from practica.mail.archive import ArchiveReading, read_archive
from practica.mail.hooks import ArchiveImportCounts, archive_importer
from practica.mail.mbox import NotAnMbox


class Command(BaseCommand):
    help = (
        "Import the old mailing list's archive into a community: mbox files (mboxrd, mboxcl, "
        "gzip-compressed, Mailman 2 Pipermail .txt/.txt.gz) become threads and posts with "
        "their original dates and authors (unknown authors become placeholder profiles a "
        "person can claim). Threads by Message-ID, In-Reply-To and References, then by "
        "subject. Running it again imports only what is new."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help="mbox files to import.")
        parser.add_argument(
            "--community", required=True, metavar="SLUG", help="The community to import into."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read, thread and import inside a transaction that is rolled back: the "
            "summary says what would happen; nothing is kept.",
        )

    def handle(self, *args: object, **options: object) -> None:
        slug = str(options["community"])
        community = Community.objects.filter(slug=slug).first()
        if community is None:
            known = ", ".join(Community.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(
                f"Unknown community {slug!r}. Known communities: {known or '(none yet)'}."
            )
        paths = [Path(str(name)) for name in options["files"]]  # type: ignore[attr-defined]
        dry_run = bool(options["dry_run"])
        console = Console(file=self.stdout, highlight=False, width=100)  # type: ignore[arg-type]
        started = time.perf_counter()
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, transient=False) as progress:
            total = sum(path.stat().st_size for path in paths if path.is_file())
            reading_task = progress.add_task("Reading", total=total or None)
            try:
                reading = read_archive(paths, progress=lambda n: progress.advance(reading_task, n))
            except NotAnMbox as error:
                raise CommandError(str(error)) from error
            progress.update(reading_task, completed=total)
            kept = reading.messages_kept
            import_task = progress.add_task("Importing", total=kept or None)
            counts = archive_importer().import_conversations(
                community=community,
                conversations=reading.conversations,
                dry_run=dry_run,
                progress=lambda n: progress.advance(import_task, n),
            )
            progress.update(import_task, completed=kept)
        seconds = time.perf_counter() - started
        console.print(_summary(reading, counts, community=community, dry_run=dry_run))
        console.print(
            f"{reading.messages_read:,} messages in {seconds:.1f} s"
            + (" — dry run: nothing was kept." if dry_run else ".")
        )


def _summary(
    reading: ArchiveReading, counts: ArchiveImportCounts, *, community: Community, dry_run: bool
) -> Table:
    title = f"Archive import into {community.name}" + (" (dry run)" if dry_run else "")
    table = Table(title=title)
    table.add_column("", style="bold")
    table.add_column("Count", justify="right")
    rows: list[tuple[str, int]] = [
        ("Messages read", reading.messages_read),
        ("Conversations found", len(reading.conversations)),
        ("Threads created", counts.threads_created),
        ("Posts created", counts.posts_created),
        ("  of them merged into existing threads", counts.posts_merged),
        ("Existing threads continued", counts.threads_merged),
        ("Placeholder profiles created", counts.placeholders_created),
        ("Skipped: already imported", counts.already_imported),
        ("Skipped: duplicates in the files", reading.duplicates),
    ]
    if counts.invalid_senders:
        rows.append(("Skipped: sender address not usable", counts.invalid_senders))
    rows += [(f"Skipped: {reason}", number) for reason, number in reading.skipped.most_common()]
    for label, number in rows:
        table.add_row(label, f"{number:,}")
    return table
