"""`practica bench mbox-import`: how fast the old list's archive comes in.

Writes a generated archive of `--messages` messages (see practica.bench.mbox_corpus) to a
temporary file, creates the community and the members who have accounts, then times what
`practica import-mbox` does: reading and threading the file, then importing the
conversations (threads, posts, placeholders, ledger, search index). Reports the messages
read, the threads created, the seconds of the whole and of each half, and messages per second.
"""

import argparse
import tempfile
import time
from pathlib import Path

DESCRIPTION = "Time importing a generated mbox archive of N messages into a community."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--authors", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)


def validate(options: argparse.Namespace) -> str | None:
    if options.messages < 1:
        return "--messages must be a positive whole number."
    if options.authors < 2:
        return "--authors must be at least 2."
    return None


def _members(authors: list) -> None:  # type: ignore[type-arg]
    from django.contrib.auth.hashers import make_password

    from practica.people.models import User

    password = make_password(None)
    User.objects.bulk_create(
        [
            User(email=author.email.lower(), display_name=author.name, password=password)
            for author in authors
            if author.has_account
        ]
    )


def run(*, messages: int, authors: int, seed: int) -> dict[str, object]:
    from practica.bench.mbox_corpus import write_archive
    from practica.communities.models import Community
    from practica.mail.archive import read_archive
    from practica.mail.hooks import archive_importer

    community = Community.objects.create(
        name="Machine learning", slug="machine-learning", description="The old list."
    )
    with tempfile.TemporaryDirectory(prefix="practica-mbox-") as scratch:
        path = Path(scratch) / "archive.mbox"
        generated = write_archive(path, messages=messages, seed=seed, authors=authors)
        _members(generated.authors)
        size = path.stat().st_size
        started = time.perf_counter()
        reading = read_archive([path])
        read_seconds = time.perf_counter() - started
        counts = archive_importer().import_conversations(
            community=community, conversations=reading.conversations
        )
        seconds = time.perf_counter() - started
    return {
        "messages": reading.messages_read,
        "threads": counts.threads_created,
        "posts": counts.posts_created,
        "placeholders": counts.placeholders_created,
        "skipped": sum(reading.skipped.values()) + reading.duplicates,
        "megabytes": round(size / 1e6, 1),
        "read_seconds": round(read_seconds, 2),
        "import_seconds": round(seconds - read_seconds, 2),
        "seconds": round(seconds, 2),
        "messages_per_second": round(reading.messages_read / seconds, 1),
    }
