"""Cheap necessary conditions of a feasible assignment, checked before any solving.

Each failed condition is a `Problem` with a `code`, the proposal and/or reviewer index it is
about, its numbers (`values`) and an English message that says what to change (the service
translates by code). Checked, in order:

- pins: a pinned pair that is also a conflict or forbidden; more pins on a proposal than its
  k; more pins on a reviewer than their most load; pins filling a proposal's places without
  an outsider (when the cross-division rule is on);
- capacity: the places still to fill (Σ k − pins) above what the reviewers can still take;
- least loads: their sum above the places to fill;
- per proposal: fewer eligible reviewers (no conflict, not forbidden, with room) than places,
  or no eligible outsider when one is still needed;
- per reviewer: fewer eligible proposals than their least load.

They are necessary, not sufficient: when they all pass and the flow still has no solution,
the solver reports the "combination" problem.
"""

from dataclasses import dataclass, field
from typing import Any

import numpy as np

MESSAGES = {
    "pin_conflict": (
        "The pinned pair proposal {proposal} × reviewer {reviewer} is a conflict of interest: "
        "remove the pin."
    ),
    "pin_forbidden": (
        "The pair proposal {proposal} × reviewer {reviewer} is both pinned and forbidden: "
        "remove one of the two."
    ),
    "pins_exceed_k": (
        "Proposal {proposal} has {pins} pinned reviewers, more than the {k} it gets: unpin "
        "some or raise the reviewers per proposal."
    ),
    "pins_exceed_load": (
        "Reviewer {reviewer} is pinned to {pins} proposals, more than their most of {max_load}: "
        "unpin some or raise the most proposals per reviewer."
    ),
    "pins_without_outsider": (
        "The pinned reviewers of proposal {proposal} fill all its places but none is from "
        "another division than its speakers: unpin one, or drop the cross-division rule."
    ),
    "capacity": (
        "The proposals need {needed} reviews but the reviewers can take at most {capacity}: "
        "lower the reviewers per proposal, raise the most proposals per reviewer, or add "
        "reviewers."
    ),
    "min_loads": (
        "The reviewers' fewest proposals add up to {low} reviews, more than the {needed} the "
        "proposals need: lower the fewest proposals per reviewer."
    ),
    "too_few_eligible": (
        "Proposal {proposal} has only {eligible} eligible reviewers (without a conflict, not "
        "forbidden, with room left) but needs {needed}: lower the reviewers per proposal, add "
        "reviewers, or lift forbidden pairs."
    ),
    "no_outsider": (
        "Proposal {proposal} has no eligible reviewer from another division than its "
        "speakers': add reviewers from other divisions, or drop the cross-division rule."
    ),
    "reviewer_min_load": (
        "Reviewer {reviewer} can review only {eligible} proposals (the others are conflicts or "
        "forbidden) but must get at least {low}: lower the fewest proposals per reviewer."
    ),
    "combination": (
        "No assignment meets all the constraints together (reviewers per proposal, loads, "
        "conflicts, the cross-division rule), although each one alone can be met: lower the "
        "reviewers per proposal or the fewest proposals per reviewer, raise the most "
        "proposals per reviewer, or add reviewers."
    ),
}


def problem_message(code: str, values: dict[str, Any]) -> str:
    return MESSAGES[code].format(**values)


@dataclass(frozen=True)
class Problem:
    """One reason the settings cannot be met; indices are the matrix's rows and columns."""

    code: str
    message: str
    proposal: int | None = None
    reviewer: int | None = None
    values: dict[str, Any] = field(default_factory=dict)


def _problem(code: str, *, proposal: int | None = None, reviewer: int | None = None, **values):
    shown = dict(values)
    if proposal is not None:
        shown["proposal"] = f"#{proposal}"
    if reviewer is not None:
        shown["reviewer"] = f"#{reviewer}"
    return Problem(code, problem_message(code, shown), proposal, reviewer, values)


def _pin_problems(
    *,
    pin_mask: np.ndarray,
    conflict: np.ndarray,
    forbid: np.ndarray,
    ks: np.ndarray,
    most: np.ndarray,
    out_needed: np.ndarray,
    need: np.ndarray,
    outsider: np.ndarray | None,
) -> list[Problem]:
    problems = []
    for p, r in np.argwhere(pin_mask & conflict):
        problems.append(_problem("pin_conflict", proposal=int(p), reviewer=int(r)))
    for p, r in np.argwhere(pin_mask & forbid):
        problems.append(_problem("pin_forbidden", proposal=int(p), reviewer=int(r)))
    pins_p = pin_mask.sum(axis=1)
    for p in np.flatnonzero(pins_p > ks):
        problems.append(
            _problem("pins_exceed_k", proposal=int(p), pins=int(pins_p[p]), k=int(ks[p]))
        )
    pins_r = pin_mask.sum(axis=0)
    for r in np.flatnonzero(pins_r > most):
        problems.append(
            _problem(
                "pins_exceed_load", reviewer=int(r), pins=int(pins_r[r]), max_load=int(most[r])
            )
        )
    if outsider is not None:
        for p in np.flatnonzero(out_needed & (need <= 0) & (ks > 0)):
            problems.append(_problem("pins_without_outsider", proposal=int(p)))
    return problems


def feasibility_problems(
    *,
    free: np.ndarray,
    outsider: np.ndarray | None,
    need: np.ndarray,
    out_needed: np.ndarray,
    cap: np.ndarray,
    low: np.ndarray,
    pin_mask: np.ndarray,
    conflict: np.ndarray,
    forbid: np.ndarray,
    ks: np.ndarray,
    most: np.ndarray,
) -> list[Problem]:
    """Every cheap condition that fails (see the module docstring); [] when all pass."""
    problems = _pin_problems(
        pin_mask=pin_mask,
        conflict=conflict,
        forbid=forbid,
        ks=ks,
        most=most,
        out_needed=out_needed,
        need=need,
        outsider=outsider,
    )
    if problems:
        return problems
    needed = int(np.maximum(need, 0).sum())
    capacity = int(np.maximum(cap, 0).sum())
    if needed > capacity:
        problems.append(_problem("capacity", needed=needed, capacity=capacity))
    low_total = int(low.sum())
    if low_total > needed:
        problems.append(_problem("min_loads", low=low_total, needed=needed))
    eligible = free.sum(axis=1)
    for p in np.flatnonzero(eligible < need):
        problems.append(
            _problem(
                "too_few_eligible", proposal=int(p), eligible=int(eligible[p]), needed=int(need[p])
            )
        )
    if outsider is not None:
        outsiders = (free & outsider).sum(axis=1)
        for p in np.flatnonzero(out_needed & (need > 0) & (outsiders == 0)):
            problems.append(_problem("no_outsider", proposal=int(p)))
    per_reviewer = free.sum(axis=0)
    for r in np.flatnonzero(per_reviewer < low):
        problems.append(
            _problem(
                "reviewer_min_load", reviewer=int(r), eligible=int(per_reviewer[r]), low=int(low[r])
            )
        )
    return problems
