"""`practica bench dashboard`: what the rollups buy on a company's worth of history.

Generates the history (`practica.bench.dashboard_history`), times `rebuild_rollups()`, then
times, as the community's signed-in manager through Django's test client (in this process, no
server): the community dashboard page with its default filters (the last 12 months) and the
API's panels endpoint, each after a warm-up; and, for comparison, the page's key figures
computed from raw rows: every registered target metric (`communities.target_metrics`) for the
community now and at the end of each of the last 12 months, as the page shows a year of them.
"""

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta

DESCRIPTION = (
    "Generate N members and M activities, build the rollups, then time the community "
    "dashboard page and API (p50/p95) against the same figures from raw data."
)
WARMUP = 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--activities", type=int, default=3_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--raw-runs", type=int, default=5)


def validate(options: argparse.Namespace) -> str | None:
    """An error message for bad options, checked before any database is created."""
    if options.members < 100:
        return "--members must be at least 100."
    if options.activities < max(1000, options.members):
        return "--activities must be at least 1000 and at least the number of members."
    if options.requests < 1 or options.raw_runs < 1:
        return "--requests and --raw-runs must be at least 1."
    return None


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (p95 of 30 values is the 29th smallest)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(action: Callable[[], object], runs: int, warmup: int = 0) -> list[float]:
    for _ in range(warmup):
        action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _figures(label: str, times: list[float]) -> dict[str, float]:
    return {
        f"{label}_p50_ms": round(statistics.median(times), 1),
        f"{label}_p95_ms": round(percentile(times, 0.95), 1),
    }


def get_ok(client, path: str) -> Callable[[], None]:  # type: ignore[no-untyped-def]
    def get() -> None:
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}, not 200.")

    return get


def progress(message: str) -> None:
    """A line on stderr as each phase ends: a large run takes minutes (stdout ends with JSON)."""
    print(message, file=sys.stderr, flush=True)


def month_ends(now: datetime, months: int = 12) -> list[datetime]:
    """The last moment of each of the `months` months before `now`'s month, oldest first."""
    ends, first = [], now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for _ in range(months):
        ends.append(first - timedelta(microseconds=1))
        first = (first - timedelta(days=1)).replace(day=1)
    return ends[::-1]


def raw_page(community_id: int, now: datetime) -> Callable[[], None]:
    """Every registered metric now and at the end of each of the last 12 months, from raw rows."""
    from practica.communities.target_metrics import target_metrics

    moments = [*month_ends(now), now]

    def compute() -> None:
        for metric in target_metrics():
            for moment in moments:
                metric.compute(community_id, moment)

    return compute


def rollup_counts() -> dict[str, int]:
    from practica.metrics.models import (
        AnswerFact,
        CohortCell,
        CommunityDay,
        CommunityMonth,
        EventFact,
        QuestionFact,
    )

    models = {
        "community_days": CommunityDay,
        "community_months": CommunityMonth,
        "cohort_cells": CohortCell,
        "question_facts": QuestionFact,
        "answer_facts": AnswerFact,
        "event_facts": EventFact,
    }
    return {f"rollup_{key}": model.objects.count() for key, model in models.items()}


def run(
    *, members: int, activities: int, seed: int, requests: int, raw_runs: int
) -> dict[str, object]:
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from practica.bench.dashboard_ledger import generate_history
    from practica.metrics.rollups.build import rebuild_rollups

    started = time.perf_counter()
    history, counts = generate_history(members=members, activities=activities, seed=seed)
    generate_seconds = time.perf_counter() - started
    progress(f"generated {counts} in {generate_seconds:.1f} s")
    started = time.perf_counter()
    rebuild_rollups()
    rollup_seconds = time.perf_counter() - started
    progress(f"rollups rebuilt in {rollup_seconds:.1f} s")
    # The pages link their static files through the manifest, as served.
    call_command("collectstatic", interactive=False, verbosity=0)
    client = Client()
    client.force_login(history.manager)
    slug = history.community.slug
    page = timed(get_ok(client, f"/metrics/communities/{slug}/"), requests, WARMUP)
    progress(f"page p50 {statistics.median(page):.0f} ms")
    api = timed(get_ok(client, f"/api/v1/metrics/communities/{slug}/panels"), requests, WARMUP)
    progress(f"API p50 {statistics.median(api):.0f} ms")
    raw = timed(raw_page(history.community.pk, timezone.now()), raw_runs)
    return {
        **counts,
        "generate_seconds": round(generate_seconds, 1),
        "rollup_seconds": round(rollup_seconds, 1),
        **rollup_counts(),
        "requests": requests,
        **_figures("page", page),
        **_figures("api", api),
        "raw_runs": raw_runs,
        **_figures("raw_page", raw),
    }
