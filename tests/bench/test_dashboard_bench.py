"""`practica bench dashboard`: the JSON contract on a tiny generated history."""

import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

USES_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
TIMES = ("page", "api", "raw_page")


def test_dashboard_bench_prints_rollup_and_page_times_as_json():
    out = io.StringIO()
    call_command(
        "bench", "dashboard", "--members", "300", "--activities", "3000", "--requests", "2",
        "--raw-runs", "1", stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["bench"] == "dashboard"
    assert result["database"] == ("postgresql" if USES_POSTGRES else "sqlite")
    assert result["members"] == 300
    assert result["activities"] == 3000
    assert result["memberships"] >= 300
    assert 0 < result["questions"] < result["activities"]
    assert 0 < result["answers"] < 3 * result["questions"]
    assert result["events"] > 0
    assert result["rollup_seconds"] > 0
    assert result["rollup_community_days"] > 0
    assert result["rollup_question_facts"] == result["questions"]
    for label in TIMES:
        assert 0 < result[f"{label}_p50_ms"] <= result[f"{label}_p95_ms"]


@pytest.mark.parametrize(
    "options",
    [("--members", "10"), ("--activities", "50"), ("--requests", "0"), ("--raw-runs", "0")],
)
def test_dashboard_bench_refuses_bad_sizes(options):
    with pytest.raises(CommandError) as raised:
        call_command("bench", "dashboard", *options, stdout=io.StringIO())
    assert raised.value.returncode == 2
