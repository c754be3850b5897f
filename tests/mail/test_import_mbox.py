"""`practica import-mbox`: progress and summary, idempotence, dry runs and clear errors."""

import gzip
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from practica.discussions.models import Post, Thread
from tests.factories.communities import CommunityFactory
from tests.mail.test_archive import mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    return CommunityFactory(slug="machine-learning", name="Machine learning")


@pytest.fixture
def archive(tmp_path):
    text = "".join(
        [
            mail("<a@x>", subject="Which GPU for fine-tuning?"),
            mail(
                "<b@x>",
                sender="Ben <ben@example.org>",
                date="Mon, 03 Mar 2014 10:00:00 +0000",
                references="<a@x>",
            ),
            mail(  # the same message twice
                "<b@x>",
                sender="Ben <ben@example.org>",
                date="Mon, 03 Mar 2014 10:00:00 +0000",
                references="<a@x>",
            ),
            mail("<c@x>", sender="nobody", subject="Broken sender"),
            mail(None, subject="Minutes", date="Tue, 04 Mar 2014 09:00:00 +0000"),
        ]
    )
    path = tmp_path / "2014-March.txt.gz"
    path.write_bytes(gzip.compress(text.encode()))
    return path


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_mbox", *args, stdout=out)
    return out.getvalue()


def count(output: str, label: str) -> int:
    match = re.search(rf"{re.escape(label)}\s*│\s*([\d,]+)", output)
    assert match, f"{label!r} not in the summary:\n{output}"
    return int(match.group(1).replace(",", ""))


def test_the_summary_says_what_was_imported_and_skipped(archive, community):
    output = run(str(archive), "--community", "machine-learning")
    assert "Importing" in output
    assert count(output, "Messages read") == 5
    assert count(output, "Threads created") == 2
    assert count(output, "Posts created") == 3
    assert count(output, "Placeholder profiles created") == 2
    assert count(output, "Skipped: duplicates in the files") == 1
    assert count(output, "Skipped: The From header has no valid address.") == 1
    assert Thread.objects.filter(community=community).count() == 2


def test_importing_again_adds_nothing(archive, community):
    run(str(archive), "--community", "machine-learning")
    output = run(str(archive), "--community", "machine-learning")
    assert count(output, "Threads created") == 0
    assert count(output, "Posts created") == 0
    assert count(output, "Skipped: already imported") == 3
    assert Post.objects.count() == 3


def test_a_dry_run_says_what_would_happen_and_keeps_nothing(archive, community):
    output = run(str(archive), "--community", "machine-learning", "--dry-run")
    assert count(output, "Threads created") == 2
    assert "dry run" in output
    assert not Thread.objects.exists()


def test_unknown_community_missing_file_and_non_mbox_are_clear_errors(archive, community, tmp_path):
    with pytest.raises(CommandError, match=r"Unknown community 'nope'.*machine-learning"):
        run(str(archive), "--community", "nope")
    with pytest.raises(CommandError, match="no such file"):
        run(str(tmp_path / "missing.mbox"), "--community", "machine-learning")
    picture = tmp_path / "photo.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(CommandError, match="not an mbox"):
        run(str(picture), "--community", "machine-learning")
    assert not Thread.objects.exists()


def test_the_command_is_spelled_with_a_hyphen_on_the_command_line():
    src = str(Path(__file__).resolve().parents[2] / "src")
    child = subprocess.run(
        [sys.executable, "-m", "practica.cli", "import-mbox", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": src},
        check=False,
    )
    assert child.returncode == 0, child.stderr
    assert "--community" in child.stdout
