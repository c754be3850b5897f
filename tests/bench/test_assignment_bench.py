"""`practica bench assignment`: the JSON contract and zero violations on a small edition."""

import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

USES_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def test_assignment_bench_prints_the_run_and_its_checks_as_json():
    out = io.StringIO()
    call_command(
        "bench",
        "assignment",
        "--proposals",
        "120",
        "--reviewers",
        "60",
        "--per-proposal",
        "3",
        "--max-load",
        "8",
        "--repeat",
        "1",
        stdout=out,
        stderr=io.StringIO(),
    )
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["bench"] == "assignment"
    assert result["database"] == ("postgresql" if USES_POSTGRES else "sqlite")
    assert result["seconds"] > 0
    for key in (
        "conflict_violations",
        "load_violations",
        "per_proposal_violations",
        "cross_division_violations",
        "duplicate_pairs",
    ):
        assert result[key] == 0, key
    assert result["total_matches_pairs"] is True
    assert result["upper_bound"] >= result["total_affinity"]
    assert result["gap"] < 0.005
    assert result["conflicts"] == result["known_conflicts"]
    assert result["min_proposal_affinity"] <= result["min_proposal_bound"] + 1e-9


def test_assignment_bench_refuses_impossible_sizes():
    with pytest.raises(CommandError) as raised:
        call_command(
            "bench",
            "assignment",
            "--proposals",
            "100",
            "--reviewers",
            "10",
            "--max-load",
            "5",
            stdout=io.StringIO(),
        )
    assert raised.value.returncode == 2
    assert "no assignment exists" in str(raised.value)
