"""`practica bench assignment`: the reviewer assignment of a large edition, end to end.

A generated edition (`assignment_edition`: org chart, topics, texts, co-speakers, declared
conflicts, bids) is written to the throw-away database. Each repetition then starts a run
through the real service (`start_assignment_run`, the chair's checks) and times
`run_assignment` — the task's body: reading proposals, reviewers, texts and conflicts from the
database, TF-IDF and topic affinity, the min-cost flow, the bound, writing the report and
pairs. `seconds` is the median of the repetitions (`seconds_each` lists them all).

The result is then checked independently of the service, against the generator's own ground
truth: exactly k reviewers per proposal (`per_proposal_violations`), loads within the run's
and each volunteer's most (`load_violations`), no conflicted pair (`conflict_violations`,
from the generator's org chart, co-speakers, declarations and bids), at least one reviewer
from a division none of the speakers is in (`cross_division_violations`), and the reported
total equal to the sum of the pairs' affinities.
"""

import argparse
import statistics
import time
from collections import Counter

DESCRIPTION = (
    "Generate an edition (proposals, reviewers, org chart, texts, bids, conflicts) and time "
    "the real assignment run on it; check the result against the generator's ground truth."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--proposals", type=int, default=2000)
    parser.add_argument("--reviewers", type=int, default=1000)
    parser.add_argument("--per-proposal", type=int, default=3)
    parser.add_argument("--max-load", type=int, default=8)
    parser.add_argument("--min-load", type=int, default=0)
    parser.add_argument("--mode", choices=["max_affinity", "fair"], default="max_affinity")
    parser.add_argument("--repeat", type=int, default=3, help="Timed runs (median reported).")
    parser.add_argument("--seed", type=int, default=11)


def validate(options: argparse.Namespace) -> str | None:
    if options.proposals < 1 or options.reviewers < 1:
        return "--proposals and --reviewers must be positive."
    if not 1 <= options.per_proposal <= 10:
        return "--per-proposal must be between 1 and 10."
    if not 1 <= options.max_load <= 50 or not 0 <= options.min_load <= options.max_load:
        return "--max-load must be between 1 and 50, and --min-load between 0 and it."
    if options.per_proposal * options.proposals > options.reviewers * options.max_load:
        return (
            "--per-proposal × --proposals is more than --reviewers × --max-load: no assignment "
            "exists; lower --per-proposal or raise --reviewers or --max-load."
        )
    if not 1 <= options.repeat <= 20:
        return "--repeat must be between 1 and 20."
    return None


def check(run, truth, *, k: int, max_load: int, min_load: int) -> dict[str, object]:
    """Violations of each constraint, counted from the run's pairs and the ground truth."""
    pairs = [(int(pair[0]), int(pair[1])) for pair in run.pairs]
    per_proposal = Counter(p for p, _r in pairs)
    loads = Counter(r for _p, r in pairs)
    per_proposal_violations = sum(1 for p in truth.proposal_ids if per_proposal.get(p, 0) != k)
    load_violations = sum(
        1
        for r in truth.reviewer_ids
        if not min(min_load, truth.own_max[r]) <= loads.get(r, 0) <= min(max_load, truth.own_max[r])
    ) + sum(1 for r in loads if r not in truth.own_max)
    conflict_violations = sum(1 for pair in pairs if pair in truth.conflicts)
    reviewers_of: dict[int, list[int]] = {}
    for p, r in pairs:
        reviewers_of.setdefault(p, []).append(r)
    cross_division_violations = 0
    for p in truth.proposal_ids:
        own = {truth.division[s] for s in truth.speakers[p]}
        if not any(truth.division[r] not in own for r in reviewers_of.get(p, [])):
            cross_division_violations += 1
    total = sum(float(pair[2]) for pair in run.pairs)
    return {
        "per_proposal_violations": per_proposal_violations,
        "load_violations": load_violations,
        "conflict_violations": conflict_violations,
        "cross_division_violations": cross_division_violations,
        "duplicate_pairs": len(pairs) - len(set(pairs)),
        "total_matches_pairs": abs(total - float(run.report["total_affinity"])) < 1e-3,
    }


def run(
    *,
    proposals: int,
    reviewers: int,
    per_proposal: int,
    max_load: int,
    min_load: int,
    mode: str,
    repeat: int,
    seed: int,
) -> dict[str, object]:
    from practica.bench.assignment_edition import generate
    from practica.conference.models import AssignmentRun, Edition, RunStatus
    from practica.conference.services.assignment import run_assignment, start_assignment_run
    from practica.people.models import User

    started = time.perf_counter()
    truth = generate(
        proposals=proposals,
        reviewers=reviewers,
        max_load=max_load,
        per_proposal=per_proposal,
        seed=seed,
    )
    build_seconds = time.perf_counter() - started
    edition = Edition.objects.get(pk=truth.edition_id)
    chair = User.objects.get(pk=truth.chair_id)
    timings: list[float] = []
    finished = None
    for _ in range(repeat):
        queued = start_assignment_run(
            edition=edition,
            actor=chair,
            mode=mode,
            reviewers_per_proposal=per_proposal,
            min_load=min_load,
            max_load=max_load,
        )
        clock = time.perf_counter()
        run_assignment(queued.pk)
        timings.append(time.perf_counter() - clock)
        finished = AssignmentRun.objects.get(pk=queued.pk)
        if finished.status != RunStatus.DONE:
            raise RuntimeError(f"The assignment run failed: {finished.error}")
    assert finished is not None
    report = finished.report
    return {
        "seconds": round(statistics.median(timings), 3),
        "seconds_each": [round(value, 3) for value in timings],
        "affinity_seconds": report["affinity_seconds"],
        "solve_seconds": report["solve_seconds"],
        "build_seconds": round(build_seconds, 3),
        "proposals": proposals,
        "reviewers": reviewers,
        "per_proposal": per_proposal,
        "max_load": max_load,
        "mode": mode,
        "total_affinity": report["total_affinity"],
        "min_proposal_affinity": report["min_proposal_affinity"],
        "min_proposal_bound": report["min_proposal_bound"],
        "median_proposal_affinity": report["quantiles"]["50"],
        "upper_bound": report["upper_bound"],
        "gap": report["gap"],
        "load_min": report["load"]["min"],
        "load_max": report["load"]["max"],
        "conflicts": report["conflicts"],
        "known_conflicts": len(truth.conflicts),
        "sparsified": report["sparsified"],
        "candidate_pairs": report["candidate_pairs"],
        "eligible_pairs": report["eligible_pairs"],
        "pricing_rounds": report["pricing_rounds"],
        **check(finished, truth, k=per_proposal, max_load=max_load, min_load=min_load),
    }
