"""`practica bench registration-rush`: a small rush over HTTP; the JSON contract and checks."""

import io
import itertools
import json
from collections import Counter

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from practica.bench.registration_rush import schedule

USES_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
KEYS = (
    "seats", "attempts", "registered", "waitlisted", "rejected", "server_errors", "overbooked",
    "duplicates", "seconds", "registrations_per_second",
)  # fmt: skip


def test_a_small_rush_never_oversells_and_answers_every_attempt():
    out = io.StringIO()
    call_command(
        "bench", "registration-rush", "--seats", "6", "--attempts", "60", "--concurrency", "8",
        "--waitlist", "4", "--workers", "1", "--threads", "4",
        stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["bench"] == "registration-rush"
    assert result["database"] == ("postgresql" if USES_POSTGRES else "sqlite")
    assert set(KEYS) <= set(result)
    assert result["seats"] == 6
    assert result["attempts"] == 60
    assert result["registered"] == 6
    assert result["waitlisted"] == 4
    assert result["overbooked"] == 0
    assert result["duplicates"] == 0
    assert result["server_errors"] == 0
    assert result["unanswered"] == 0
    assert result["counter_drift"] == 0
    # Every attempt answered: a seat or a place (201), the same again (200), or refused (409).
    answered = result["registered"] + result["waitlisted"] + result["repeats_answered_200"]
    assert answered + result["rejected"] == result["attempts"]
    assert result["repeats_answered_200"] > 0
    assert result["seconds"] > 0
    assert result["registrations_per_second"] > 0
    assert result["queries_per_registration"] > 0


def test_repeats_follow_the_first_attempt_some_at_once():
    tokens = [f"pat_{n}" for n in range(50)]
    attempts = schedule(tokens, attempts=60, path="/api/v1/events/1/registrations", port=1)
    members = [attempt.member for attempt in attempts]
    assert len(members) == 60
    assert set(Counter(members).values()) == {1, 2}
    assert sum(1 for n in Counter(members).values() if n == 2) == 10
    double_clicks = sum(1 for a, b in itertools.pairwise(members) if a == b)
    assert double_clicks >= 5
    assert attempts[0].request.startswith(b"POST /api/v1/events/1/registrations HTTP/1.1\r\n")
    assert b"Authorization: Bearer pat_" in attempts[0].request


@pytest.mark.parametrize(
    "options",
    [["--seats", "0"], ["--attempts", "-1"], ["--repeats", "1.5"], ["--workers", "0"]],
)
def test_bad_options_are_refused(options):
    with pytest.raises(CommandError) as raised:
        call_command("bench", "registration-rush", *options, stdout=io.StringIO())
    assert raised.value.returncode == 2
