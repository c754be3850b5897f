"""`practica bench question-page`: the JSON contract, with a small page and few requests."""

import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command

USES_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def test_question_page_bench_prints_latencies_as_json():
    out = io.StringIO()
    call_command(
        "bench", "question-page", "--answers", "3", "--requests", "5", "--warmup", "1",
        stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["bench"] == "question-page"
    assert result["database"] == ("postgresql" if USES_POSTGRES else "sqlite")
    assert result["answers"] == 3
    for key in ("p50_ms", "p99_ms", "bare_p50_ms", "ratio"):
        assert isinstance(result[key], float)
        assert result[key] > 0
    assert result["p99_ms"] >= result["p50_ms"]
    # The ratio is of the unrounded latencies; the printed ones are rounded to 0.01 ms.
    assert result["ratio"] == pytest.approx(result["p50_ms"] / result["bare_p50_ms"], abs=0.02)
