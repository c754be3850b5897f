"""`practica bench routing`: the JSON contract on a small generated history."""

import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

USES_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def test_routing_bench_prints_hit_rates_against_random_as_json():
    out = io.StringIO()
    call_command(
        "bench",
        "routing",
        "--members",
        "120",
        "--questions",
        "500",
        "--held-out",
        "40",
        stdout=out,
        stderr=io.StringIO(),
    )
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["bench"] == "routing"
    assert result["database"] == ("postgresql" if USES_POSTGRES else "sqlite")
    assert 0 < result["questions"] <= 40
    for key in ("hit_rate_k3", "hit_rate_k5", "random_hit_rate_k3", "random_hit_rate_k5"):
        assert 0.0 <= result[key] <= 1.0
    assert result["hit_rate_k5"] >= result["hit_rate_k3"]
    assert result["random_hit_rate_k5"] >= result["random_hit_rate_k3"]
    assert result["decision_p50_ms"] > 0


def test_routing_bench_refuses_bad_sizes():
    with pytest.raises(CommandError) as raised:
        call_command("bench", "routing", "--held-out", "0", stdout=io.StringIO())
    assert raised.value.returncode == 2
