"""`practica bench mbox-import`: generates an archive, imports it, prints the JSON contract."""

import io
import json
import mailbox

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from practica.bench.mbox_corpus import write_archive

USES_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def test_mbox_import_bench_prints_its_figures_as_json_on_the_last_line():
    out = io.StringIO()
    call_command("bench", "mbox-import", "--messages", "400", stdout=out, stderr=io.StringIO())
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["bench"] == "mbox-import"
    assert result["database"] == ("postgresql" if USES_POSTGRES else "sqlite")
    assert result["messages"] >= 400
    assert result["posts"] == result["messages"]
    assert 0 < result["threads"] < result["messages"]
    assert result["placeholders"] > 0
    assert result["seconds"] > 0
    assert result["messages_per_second"] > 0


def test_the_generated_archive_is_an_mbox_other_tools_read(tmp_path):
    path = tmp_path / "archive.mbox"
    generated = write_archive(path, messages=300, seed=3)
    messages = list(mailbox.mbox(str(path)))
    assert len(messages) == generated.messages
    assert sum(1 for m in messages if m["Message-ID"] is None) >= 1
    assert any("=?utf-8?" in (m["Subject"] or "") for m in messages)  # some in Chinese


def test_mbox_import_bench_refuses_nonsense():
    with pytest.raises(CommandError) as raised:
        call_command("bench", "mbox-import", "--messages", "0", stdout=io.StringIO())
    assert raised.value.returncode == 2
