"""`practica bench search`: builds a corpus, times searches, prints the JSON contract."""

import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

USES_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def test_search_bench_prints_its_figures_as_json_on_the_last_line():
    out = io.StringIO()
    call_command(
        "bench", "search", "--posts", "2000", "--queries", "40", stdout=out, stderr=io.StringIO()
    )
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["bench"] == "search"
    assert result["database"] == ("postgresql" if USES_POSTGRES else "sqlite")
    assert result["posts"] == 2000
    assert result["queries"] == 40
    assert 0 < result["p50_ms"] <= result["p95_ms"]
    assert result["mean_hits"] > 0


def test_search_bench_refuses_a_tiny_corpus():
    with pytest.raises(CommandError) as raised:
        call_command("bench", "search", "--posts", "5", stdout=io.StringIO())
    assert raised.value.returncode == 2
