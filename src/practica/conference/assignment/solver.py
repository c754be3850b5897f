"""The reviewer assignment as a min-cost flow (OR-Tools `SimpleMinCostFlow`), on arrays only.

Input: an affinity matrix `a` (proposals × reviewers, larger is better), `k` reviewers per
proposal (a number or one per proposal), each reviewer's least and most load, pairs that may
not be assigned (conflicts of interest, pairs the chair forbade), pairs that must be (pins),
and optionally `outsider` (proposals × reviewers, True when the reviewer's division differs
from every speaker's): then each proposal gets at least one outsider.

The network (all arcs capacity 1 unless said), exact for every constraint:

    proposal node p   supply k_p − pins_p − o_p     arcs p → r for candidate reviewers r
    outsider node X_p supply o_p (1 when p still needs an outsider, else 0, and no X_p)
                      arc p → X_p with capacity k_p − pins_p − 1; arcs X_p → r for the
                      candidate *outsiders* r — an outsider is reached from p only through
                      X_p, so one reviewer never fills two places of one proposal, and X_p
                      sends at least its own unit: at least one outsider per proposal
    reviewer node r   demand low_r (the least load less its pins)
                      arc r → t with capacity cap_r − low_r (the most load less its pins)
    sink t            demand Σ(k_p − pins_p) − Σ low_r

The cost of a pair arc is −round(a × SCALE) (times the proposal's weight in fairness mode).
Pinned pairs are assigned first and taken out (they lower k_p and the reviewer's loads, and a
pinned outsider meets its proposal's outsider rule).

Large problems are sparsified: each proposal keeps its `candidates_per_proposal` best eligible
reviewers, its best outsiders, and each reviewer its best proposals. The result is then
*certified* against the full problem: the flow's node potentials (shortest distances in the
residual graph) give each reviewer a price θ_r, and the Lagrangian bound

    L(θ) = Σ_p best_p(θ) + Σ_r (cap_r · max(θ_r, 0) − low_r · max(−θ_r, 0)) + pinned affinity

where best_p(θ) is the best sum of a_pr − θ_r over k_p − pins_p eligible reviewers of p (with
an outsider when required) over *all* eligible pairs, is an upper bound on the optimum of the
full problem for any θ (weak duality). Pairs that make best_p larger than on the candidates
are added and the flow is solved again (column generation) until the bound meets the
solution or `MAX_PRICING_ROUNDS` pass. `upper_bound` in the report is L(θ) of the last
max-affinity solve, in affinity units; `gap` = (upper_bound − total) / |upper_bound|.

Fairness mode (FairFlow-style, after Kobren, Saha and McCallum, KDD 2019, which also
re-solves min-cost flows to lift the papers below a target): starting from the max-affinity
solution, each round sets a target — the weakest proposal's total plus `FAIR_STEP` of the way
to the median — multiplies the weight of every proposal below it by
1 + (target − total) / (target − weakest) (at most ×2, the weakest gets ×2), and re-solves
with costs −round(weight × a × SCALE) on the same candidates. The result is the round's
assignment with the highest weakest-proposal total (ties: the higher total); it stops after
`FAIR_ROUNDS` rounds or two rounds without a better weakest total. The report's upper bound
stays the max-affinity bound, so in fairness mode the gap also shows what fairness cost.
"""

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.graph.python import min_cost_flow

from practica.conference.assignment.solver_checks import (
    Problem,
    feasibility_problems,
    problem_message,
)

SCALE = 1_000_000
SPARSIFY_ABOVE = 150_000  # eligible pairs; below this every eligible pair is an arc
MIN_CANDIDATES = 24
MIN_OUTSIDER_CANDIDATES = 8
MAX_PRICING_ROUNDS = 6
PRICING_EXTRA = 4  # besides the pairs the bound picks, a proposal's next best join too
FAIR_ROUNDS = 8
FAIR_STEP = 0.5
MODES = ("max_affinity", "fair")

Progress = Callable[[float, str, dict[str, Any]], None]  # fraction, step code, values


class InfeasibleAssignment(ValueError):  # noqa: N818 — the settings' fault, said in `problems`
    """No assignment meets the settings; `problems` say which constraint and what to change."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        shown = " ".join(problem.message for problem in self.problems[:3])
        more = len(self.problems) - 3
        super().__init__(shown + (f" (and {more} more problems)" if more > 0 else ""))


@dataclass
class AssignmentResult:
    """The assignment: `pairs` (n × 2: proposal index, reviewer index), `affinities` per pair,
    `pinned` per pair, per-proposal totals, per-reviewer loads, and the JSON-ready `report`."""

    pairs: np.ndarray
    affinities: np.ndarray
    pinned: np.ndarray
    proposal_affinity: np.ndarray
    loads: np.ndarray
    total_affinity: float
    upper_bound: float
    gap: float
    report: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Prepared:
    a: np.ndarray  # P × R float
    a_int: np.ndarray  # P × R int64, round(a × SCALE)
    free: np.ndarray  # P × R bool: eligible, not pinned, reviewer has room
    outsider: np.ndarray | None
    need: np.ndarray  # per proposal: places left after pins
    out_needed: np.ndarray  # per proposal: still needs an outsider
    cap: np.ndarray  # per reviewer: most load left after pins
    low: np.ndarray  # per reviewer: least load left after pins
    pinned: np.ndarray  # n × 2


def _per_item(value: int | Sequence[int] | np.ndarray, size: int, name: str) -> np.ndarray:
    values = np.asarray(value, dtype=np.int64)
    if values.ndim == 0:
        values = np.full(size, int(values), dtype=np.int64)
    if values.shape != (size,):
        raise ValueError(f"{name} must be one number or {size} numbers.")
    if (values < 0).any():
        raise ValueError(f"{name} must not be negative.")
    return values


def _pair_array(
    pairs: Iterable[tuple[int, int]] | np.ndarray, shape: tuple[int, int]
) -> np.ndarray:
    array = np.asarray(list(pairs) if not isinstance(pairs, np.ndarray) else pairs, dtype=np.int64)
    array = array.reshape(-1, 2)
    if len(array) and (
        (array < 0).any() or (array[:, 0] >= shape[0]).any() or (array[:, 1] >= shape[1]).any()
    ):
        raise ValueError("A pair names a proposal or reviewer outside the matrix.")
    return np.unique(array, axis=0) if len(array) else array


def _mask(pairs: Iterable[tuple[int, int]] | np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    if isinstance(pairs, np.ndarray) and pairs.dtype == bool:
        if pairs.shape != shape:
            raise ValueError("A mask must have the affinity matrix's shape.")
        return pairs.copy()
    mask = np.zeros(shape, dtype=bool)
    array = _pair_array(pairs, shape)
    if len(array):
        mask[array[:, 0], array[:, 1]] = True
    return mask


def _prepare(
    affinity: np.ndarray,
    *,
    k: int | Sequence[int] | np.ndarray,
    max_load: int | Sequence[int] | np.ndarray,
    min_load: int | Sequence[int] | np.ndarray,
    conflicts: Iterable[tuple[int, int]] | np.ndarray,
    forbidden: Iterable[tuple[int, int]] | np.ndarray,
    pinned: Iterable[tuple[int, int]] | np.ndarray,
    outsider: np.ndarray | None,
) -> tuple[_Prepared, list[Problem]]:
    a = np.asarray(affinity, dtype=np.float64)
    if a.ndim != 2 or not np.isfinite(a).all():
        raise ValueError("The affinity must be a finite proposals × reviewers matrix.")
    shape = a.shape
    n_proposals, n_reviewers = shape
    ks = _per_item(k, n_proposals, "k")
    most = _per_item(max_load, n_reviewers, "max_load")
    least = _per_item(min_load, n_reviewers, "min_load")
    if (least > most).any():
        raise ValueError("A reviewer's min_load is above their max_load.")
    conflict = _mask(conflicts, shape)
    forbid = _mask(forbidden, shape)
    pins = _pair_array(pinned, shape)
    outside = None
    if outsider is not None:
        outside = np.asarray(outsider, dtype=bool)
        if outside.shape != shape:
            raise ValueError("`outsider` must have the affinity matrix's shape.")
    pin_mask = np.zeros(shape, dtype=bool)
    if len(pins):
        pin_mask[pins[:, 0], pins[:, 1]] = True
    pins_per_proposal = pin_mask.sum(axis=1)
    pins_per_reviewer = pin_mask.sum(axis=0)
    need = ks - pins_per_proposal
    cap = most - pins_per_reviewer
    low = np.maximum(least - pins_per_reviewer, 0)
    if outside is not None:
        out_needed = ~(pin_mask & outside).any(axis=1)
    else:
        out_needed = np.zeros(n_proposals, dtype=bool)
    free = ~(conflict | forbid | pin_mask) & (cap > 0)[None, :] & (need > 0)[:, None]
    prepared = _Prepared(
        a=a,
        a_int=np.rint(a * SCALE).astype(np.int64),
        free=free,
        outsider=outside,
        need=np.maximum(need, 0),
        out_needed=out_needed & (need > 0) if outside is not None else out_needed,
        cap=np.maximum(cap, 0),
        low=np.minimum(low, np.maximum(cap, 0)),
        pinned=pins,
    )
    problems = feasibility_problems(
        free=free,
        outsider=outside,
        need=need,
        out_needed=out_needed,
        cap=cap,
        low=low,
        pin_mask=pin_mask,
        conflict=conflict,
        forbid=forbid,
        ks=ks,
        most=most,
    )
    return prepared, problems


def _top_columns(values: np.ndarray, count: int, axis: int) -> np.ndarray:
    """A mask of the `count` largest entries along `axis` (finite ones only)."""
    size = values.shape[axis]
    mask = np.zeros(values.shape, dtype=bool)
    if count <= 0 or size == 0:
        return mask
    if count >= size:
        return np.isfinite(values)
    index = np.argpartition(-values, count - 1, axis=axis)
    index = index.take(np.arange(count), axis=axis)
    np.put_along_axis(mask, index, True, axis=axis)
    return mask & np.isfinite(values)


def _candidates(prep: _Prepared, per_proposal: int | None) -> tuple[np.ndarray, bool]:
    """The arcs of the flow: every eligible pair, or the best ones when there are many."""
    eligible = int(prep.free.sum())
    if per_proposal is None and eligible <= SPARSIFY_ABOVE:
        return prep.free.copy(), False
    k_max = int(prep.need.max()) if len(prep.need) else 0
    per_proposal = per_proposal or max(MIN_CANDIDATES, 8 * k_max)
    scores = np.where(prep.free, prep.a, -np.inf)
    candidates = _top_columns(scores, per_proposal, axis=1)
    if prep.outsider is not None:
        outsider_scores = np.where(prep.outsider, scores, -np.inf)
        keep = max(MIN_OUTSIDER_CANDIDATES, 2 * k_max)
        candidates |= _top_columns(outsider_scores, keep, axis=1)
    per_reviewer = int(max(2 * prep.cap.max(initial=0), 2 * prep.low.max(initial=0))) + 2
    candidates |= _top_columns(scores, per_reviewer, axis=0)
    return candidates & prep.free, True


@dataclass
class _Flow:
    pairs: np.ndarray  # n × 2 assigned (proposal, reviewer), pins excluded
    reviewer_price: np.ndarray  # θ_r in SCALE units
    arcs: int


def _bellman_ford(tails: np.ndarray, heads: np.ndarray, costs: np.ndarray, n: int) -> np.ndarray:
    """Shortest distances from a virtual root joined to every node by a 0-cost arc."""
    order = np.argsort(heads, kind="stable")
    tails, heads, costs = tails[order], heads[order], costs[order]
    starts = np.flatnonzero(np.r_[True, heads[1:] != heads[:-1]]) if len(heads) else heads
    targets = heads[starts]
    dist = np.zeros(n, dtype=np.int64)
    for _ in range(n + 1):
        best = np.minimum.reduceat(dist[tails] + costs, starts) if len(heads) else costs
        improved = best < dist[targets]
        if not improved.any():
            return dist
        dist[targets[improved]] = best[improved]
    raise RuntimeError("The residual graph has a negative cycle: the flow is not optimal.")


def _solve_flow(
    prep: _Prepared, candidates: np.ndarray, weights: np.ndarray | None
) -> _Flow | None:
    n_proposals, n_reviewers = prep.a.shape
    p_idx, r_idx = np.nonzero(candidates)
    cost = -prep.a_int[p_idx, r_idx]
    if weights is not None:
        cost = -np.rint(prep.a[p_idx, r_idx] * weights[p_idx] * SCALE).astype(np.int64)
    out = prep.out_needed.astype(np.int64)
    via_x = (
        prep.out_needed[p_idx] & prep.outsider[p_idx, r_idx]
        if prep.outsider is not None
        else np.zeros(len(p_idx), dtype=bool)
    )
    sink = 2 * n_proposals + n_reviewers
    x_rows = np.flatnonzero(prep.out_needed & (prep.need > 1))
    movable = prep.cap - prep.low
    r_rows = np.flatnonzero(movable > 0)
    tails = np.concatenate(
        [np.where(via_x, n_proposals + p_idx, p_idx), x_rows, 2 * n_proposals + r_rows]
    )
    heads = np.concatenate(
        [2 * n_proposals + r_idx, n_proposals + x_rows, np.full(len(r_rows), sink)]
    )
    caps = np.concatenate(
        [np.ones(len(p_idx), dtype=np.int64), prep.need[x_rows] - 1, movable[r_rows]]
    )
    costs = np.concatenate([cost, np.zeros(len(x_rows) + len(r_rows), dtype=np.int64)])
    supplies = np.concatenate(
        [
            prep.need - out,
            out,
            -prep.low,
            [-(int(prep.need.sum()) - int(prep.low.sum()))],
        ]
    ).astype(np.int64)
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), caps, costs
    )
    flow.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), supplies)
    if flow.solve() != flow.OPTIMAL:
        return None
    flows = flow.flows(arcs)
    used = flows[: len(p_idx)] > 0
    forward = flows < caps
    backward = flows > 0
    dist = _bellman_ford(
        np.concatenate([tails[forward], heads[backward]]),
        np.concatenate([heads[forward], tails[backward]]),
        np.concatenate([costs[forward], -costs[backward]]),
        sink + 1,
    )
    price = dist[sink] - dist[2 * n_proposals : 2 * n_proposals + n_reviewers]
    return _Flow(
        pairs=np.column_stack([p_idx[used], r_idx[used]]),
        reviewer_price=price,
        arcs=len(tails),
    )


def _best_sums(
    reduced: np.ndarray, allowed: np.ndarray, prep: _Prepared
) -> tuple[np.ndarray, np.ndarray]:
    """Per proposal, the best sum of `reduced` over need_p allowed reviewers (with an outsider
    when required), and a mask of one such choice."""
    n_proposals = reduced.shape[0]
    k_max = int(prep.need.max()) if n_proposals else 0
    sums = np.zeros(n_proposals, dtype=reduced.dtype)
    chosen = np.zeros(reduced.shape, dtype=bool)
    if k_max == 0:
        return sums, chosen
    floor = np.iinfo(np.int64).min // 64 if reduced.dtype.kind == "i" else -np.inf
    values = np.where(allowed, reduced, floor)
    top = np.argpartition(-values, k_max - 1, axis=1)[:, :k_max]
    top_values = np.take_along_axis(values, top, axis=1)
    order = np.argsort(-top_values, axis=1, kind="stable")
    top = np.take_along_axis(top, order, axis=1)
    top_values = np.take_along_axis(top_values, order, axis=1)
    take = np.arange(k_max)[None, :] < prep.need[:, None]
    sums = np.where(take, top_values, 0).sum(axis=1)
    rows = np.repeat(np.arange(n_proposals), k_max)[take.ravel()]
    chosen[rows, top[take]] = True
    if prep.outsider is not None:
        needs = prep.out_needed & ~(chosen & prep.outsider).any(axis=1)
        if needs.any():
            outside = np.where(prep.outsider & allowed, values, floor)
            best_out = outside.argmax(axis=1)
            rows = np.flatnonzero(needs)
            last = prep.need[rows] - 1
            sums[rows] += outside[rows, best_out[rows]] - top_values[rows, last]
            chosen[rows, top[rows, last]] = False
            chosen[rows, best_out[rows]] = True
    return sums, chosen


def _bound(prep: _Prepared, price: np.ndarray, allowed: np.ndarray) -> float:
    """L(θ) in affinity units (float), over the pairs `allowed`."""
    theta = price / SCALE
    sums, _chosen = _best_sums(prep.a - theta[None, :], allowed, prep)
    pinned = float(prep.a[prep.pinned[:, 0], prep.pinned[:, 1]].sum()) if len(prep.pinned) else 0.0
    return float(
        sums.sum()
        + (prep.cap * np.maximum(theta, 0)).sum()
        - (prep.low * np.maximum(-theta, 0)).sum()
        + pinned
    )


def _weakest_bound(prep: _Prepared) -> float:
    """No assignment's weakest proposal can do better than the weakest proposal's best
    reviewers with loads ignored: an upper bound on the fairness objective."""
    if not len(prep.need):
        return 0.0
    best, _chosen = _best_sums(prep.a, prep.free, prep)
    pinned = np.zeros(len(prep.need))
    if len(prep.pinned):
        np.add.at(pinned, prep.pinned[:, 0], prep.a[prep.pinned[:, 0], prep.pinned[:, 1]])
    return float((best + pinned).min())


def _missing_pairs(prep: _Prepared, price: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Eligible pairs outside `candidates` that would raise some proposal's best sum at θ."""
    reduced = prep.a_int - price[None, :]
    full, chosen = _best_sums(reduced, prep.free, prep)
    sparse, _ = _best_sums(reduced, candidates, prep)
    short = full > sparse
    if not short.any():
        return np.zeros(prep.free.shape, dtype=bool)
    extra = _top_columns(
        np.where(prep.free & short[:, None], reduced.astype(np.float64), -np.inf),
        int(prep.need.max()) + PRICING_EXTRA,
        axis=1,
    )
    return (extra | (chosen & short[:, None])) & ~candidates & prep.free


def _totals(prep: _Prepared, pairs: np.ndarray) -> np.ndarray:
    totals = np.zeros(prep.a.shape[0])
    all_pairs = np.concatenate([pairs, prep.pinned]) if len(prep.pinned) else pairs
    np.add.at(totals, all_pairs[:, 0], prep.a[all_pairs[:, 0], all_pairs[:, 1]])
    return totals


def _infeasible() -> InfeasibleAssignment:
    return InfeasibleAssignment([Problem("combination", problem_message("combination", {}))])


def solve_assignment(
    affinity: np.ndarray,
    *,
    k: int | Sequence[int] | np.ndarray,
    max_load: int | Sequence[int] | np.ndarray,
    min_load: int | Sequence[int] | np.ndarray = 0,
    conflicts: Iterable[tuple[int, int]] | np.ndarray = (),
    forbidden: Iterable[tuple[int, int]] | np.ndarray = (),
    pinned: Iterable[tuple[int, int]] | np.ndarray = (),
    outsider: np.ndarray | None = None,
    mode: str = "max_affinity",
    candidates_per_proposal: int | None = None,
    progress: Progress | None = None,
) -> AssignmentResult:
    """The best assignment under the constraints (see the module docstring).

    `candidates_per_proposal` forces sparsification with that many candidates per proposal
    (None: sparsify only above `SPARSIFY_ABOVE` eligible pairs). Raises InfeasibleAssignment
    with every problem the cheap checks find (before any solving), or the "combination"
    problem when the flow itself has no solution; ValueError for malformed input.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}.")
    say = progress or (lambda _fraction, _step, _values: None)
    started = time.perf_counter()
    say(0.0, "check", {})
    prep, problems = _prepare(
        affinity,
        k=k,
        max_load=max_load,
        min_load=min_load,
        conflicts=conflicts,
        forbidden=forbidden,
        pinned=pinned,
        outsider=outsider,
    )
    if problems:
        raise InfeasibleAssignment(problems)
    candidates, sparsified = _candidates(prep, candidates_per_proposal)
    say(0.1, "solve", {})
    solved = _solve_flow(prep, candidates, None)
    while solved is None and sparsified:
        # The candidates were too few for some constraint: widen them, at last to all pairs.
        widened = int(candidates.sum(axis=1).max()) * 2 if candidates.any() else 0
        if widened >= prep.a.shape[1]:
            candidates, sparsified = prep.free.copy(), False
        else:
            candidates = _candidates(prep, widened)[0]
        solved = _solve_flow(prep, candidates, None)
    if solved is None:
        raise _infeasible()
    pricing_rounds = 0
    while sparsified and pricing_rounds < MAX_PRICING_ROUNDS:
        missing = _missing_pairs(prep, solved.reviewer_price, candidates)
        if not missing.any():
            break
        pricing_rounds += 1
        say(0.1 + 0.05 * pricing_rounds, "pricing", {"pairs": int(missing.sum())})
        candidates |= missing
        solved = _solve_flow(prep, candidates, None) or solved
    solve_seconds = time.perf_counter() - started
    say(0.5, "bound", {})
    upper_bound = _bound(prep, solved.reviewer_price, prep.free)
    weakest_bound = _weakest_bound(prep)
    best = solved.pairs
    max_total = float(_totals(prep, best).sum())
    fair_rounds = 0
    if mode == "fair":
        best, fair_rounds = _fair_rounds(prep, candidates, best, say)
    say(0.95, "report", {})
    from practica.conference.assignment.solver_report import build_result

    return build_result(
        prep,
        best,
        totals=_totals(prep, best),
        upper_bound=upper_bound,
        extra={
            "mode": mode,
            "max_affinity_total": round(max_total, 6),
            "min_proposal_bound": round(weakest_bound, 6),
            "sparsified": sparsified,
            "eligible_pairs": int(prep.free.sum()),
            "candidate_pairs": int(candidates.sum()),
            "arcs": solved.arcs,
            "pricing_rounds": pricing_rounds,
            "fair_rounds": fair_rounds,
            "solve_seconds": round(solve_seconds, 3),
            "seconds": round(time.perf_counter() - started, 3),
        },
    )


def _fair_rounds(
    prep: _Prepared, candidates: np.ndarray, start: np.ndarray, say: Progress
) -> tuple[np.ndarray, int]:
    """FairFlow-style re-weighting (see the module docstring); the best pairs and rounds run."""
    best = start
    best_totals = _totals(prep, best)
    weights = np.ones(prep.a.shape[0])
    current_totals = best_totals
    stale = rounds = 0
    while rounds < FAIR_ROUNDS and stale < 2:
        rounds += 1
        say(0.5 + 0.4 * rounds / FAIR_ROUNDS, "fair", {"round": rounds})
        weakest = float(current_totals.min())
        target = weakest + FAIR_STEP * (float(np.median(current_totals)) - weakest)
        if target <= weakest:
            break
        below = current_totals < target
        weights[below] *= 1 + (target - current_totals[below]) / (target - weakest)
        solved = _solve_flow(prep, candidates, weights)
        if solved is None:
            break
        current_totals = _totals(prep, solved.pairs)
        better = current_totals.min() > best_totals.min() + 1e-9 or (
            abs(current_totals.min() - best_totals.min()) <= 1e-9
            and current_totals.sum() > best_totals.sum() + 1e-9
        )
        if better:
            best, best_totals, stale = solved.pairs, current_totals, 0
        else:
            stale += 1
    return best, rounds
