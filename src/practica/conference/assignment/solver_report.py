"""The solver's report: what the chair reads about an assignment, as JSON-ready numbers.

- `total_affinity`, `min_proposal_affinity`, `mean_proposal_affinity`,
  `max_proposal_affinity`: over per-proposal totals (the sum of a proposal's reviewers'
  affinities, pins included);
- `quantiles`: the per-proposal totals at 0, 10, 25, 50, 75, 90 and 100 %;
- `histogram`: `HISTOGRAM_BINS` equal bins between the smallest and largest total
  (`edges`, `counts`);
- `load`: the reviewers' loads (`min`, `max`, `mean`, `counts` of reviewers per load);
- `upper_bound` (the Lagrangian bound, see the solver's docstring) and `gap`
  = (upper_bound − total) / |upper_bound| (0 when the bound is 0);
- `min_proposal_bound`: the weakest proposal's best k eligible reviewers, loads ignored — no
  assignment's weakest proposal does better (the fairness objective's upper bound);
  `max_affinity_total`: the highest total (what fairness mode gave up is the difference);
- `outsider_proposals`: proposals with a reviewer from another division than their speakers
  (None without the rule).
"""

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from practica.conference.assignment.solver import AssignmentResult, _Prepared

HISTOGRAM_BINS = 10
QUANTILES = (0, 10, 25, 50, 75, 90, 100)


def _round(value: float) -> float:
    return round(float(value), 6)


def distribution(totals: np.ndarray) -> dict[str, Any]:
    """Quantiles and a histogram of per-proposal totals."""
    if len(totals) == 0:
        return {"quantiles": {}, "histogram": {"edges": [], "counts": []}}
    low, high = float(totals.min()), float(totals.max())
    if high - low < 1e-12:
        edges = np.array([low, low + 1e-9])
        counts = np.array([len(totals)])
    else:
        counts, edges = np.histogram(totals, bins=HISTOGRAM_BINS, range=(low, high))
    return {
        "quantiles": {str(q): _round(np.percentile(totals, q)) for q in QUANTILES},
        "histogram": {
            "edges": [_round(edge) for edge in edges],
            "counts": [int(count) for count in counts],
        },
    }


def load_summary(loads: np.ndarray) -> dict[str, Any]:
    if len(loads) == 0:
        return {"min": 0, "max": 0, "mean": 0.0, "counts": {}}
    values, counts = np.unique(loads, return_counts=True)
    return {
        "min": int(loads.min()),
        "max": int(loads.max()),
        "mean": _round(loads.mean()),
        "counts": {str(int(v)): int(c) for v, c in zip(values, counts, strict=True)},
    }


def build_result(
    prep: "_Prepared",
    pairs: np.ndarray,
    *,
    totals: np.ndarray,
    upper_bound: float,
    extra: dict[str, Any],
) -> "AssignmentResult":
    from practica.conference.assignment.solver import AssignmentResult

    pinned = prep.pinned
    all_pairs = np.concatenate([pairs, pinned]) if len(pinned) else pairs.reshape(-1, 2)
    is_pinned = np.r_[np.zeros(len(pairs), dtype=bool), np.ones(len(pinned), dtype=bool)]
    order = np.lexsort((all_pairs[:, 1], all_pairs[:, 0]))
    all_pairs, is_pinned = all_pairs[order], is_pinned[order]
    affinities = prep.a[all_pairs[:, 0], all_pairs[:, 1]]
    loads = np.bincount(all_pairs[:, 1], minlength=prep.a.shape[1])
    total = float(affinities.sum())
    gap = (upper_bound - total) / abs(upper_bound) if abs(upper_bound) > 1e-12 else 0.0
    outsiders = None
    if prep.outsider is not None:
        has = np.zeros(prep.a.shape[0], dtype=bool)
        hits = prep.outsider[all_pairs[:, 0], all_pairs[:, 1]]
        has[all_pairs[hits, 0]] = True
        outsiders = int(has.sum())
    report = {
        **extra,
        "proposals": int(prep.a.shape[0]),
        "reviewers": int(prep.a.shape[1]),
        "pairs": len(all_pairs),
        "pinned_pairs": int(is_pinned.sum()),
        "total_affinity": _round(total),
        "min_proposal_affinity": _round(totals.min()) if len(totals) else 0.0,
        "mean_proposal_affinity": _round(totals.mean()) if len(totals) else 0.0,
        "max_proposal_affinity": _round(totals.max()) if len(totals) else 0.0,
        **distribution(totals),
        "load": load_summary(loads),
        "upper_bound": _round(upper_bound),
        "upper_bound_kind": "lagrangian",
        "gap": round(max(gap, 0.0), 8),
        "outsider_proposals": outsiders,
    }
    return AssignmentResult(
        pairs=all_pairs,
        affinities=affinities,
        pinned=is_pinned,
        proposal_affinity=totals,
        loads=loads,
        total_affinity=total,
        upper_bound=upper_bound,
        gap=max(gap, 0.0),
        report=report,
    )
