"""`practica bench`: the JSON contract, the registry, the throw-away database."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from practica.bench.throwaway import throwaway_environment

USES_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def test_demo_bench_prints_its_figures_as_json_on_the_last_line():
    out = io.StringIO()
    call_command("bench", "demo", "--members", "200", stdout=out, stderr=io.StringIO())
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["bench"] == "demo"
    assert result["database"] == ("postgresql" if USES_POSTGRES else "sqlite")
    assert result["members"] == 200
    assert isinstance(result["seconds"], float)
    assert result["seconds"] > 0


def test_unknown_benchmark_is_refused_with_the_known_ones():
    known = "Known benchmarks: assignment, dashboard, demo"
    with pytest.raises(CommandError, match=known) as raised:
        call_command("bench", "no-such-bench", stdout=io.StringIO())
    assert raised.value.returncode == 2


def test_unknown_benchmark_exits_with_code_2_from_the_command_line():
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, "PYTHONPATH": src}
    child = subprocess.run(
        [sys.executable, "-m", "practica.cli", "bench", "no-such-bench"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert child.returncode == 2
    assert "demo" in child.stderr


def test_bad_benchmark_options_are_refused():
    with pytest.raises(CommandError) as raised:
        call_command("bench", "demo", "--members", "0", stdout=io.StringIO())
    assert raised.value.returncode == 2


@pytest.mark.skipif(USES_POSTGRES, reason="the SQLite throw-away database")
def test_the_sqlite_throwaway_database_is_a_temporary_file_removed_afterwards():
    with throwaway_environment() as env:
        path = Path(env["PRACTICA_SQLITE_PATH"])
        assert path.parent.exists()
        assert path != Path(settings.SQLITE_PATH)
        assert "DATABASE_URL" not in env
    assert not path.parent.exists()
