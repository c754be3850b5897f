"""What a run says to the chair, translated: the solver's progress steps and its problems
(the solver itself is pure and speaks in codes; its English messages are for its own users).
"""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from practica.conference.assignment.solver_checks import Problem

MAX_PROBLEMS_SHOWN = 8

PROBLEMS = {
    "pin_conflict": gettext_lazy(
        "The pinned pair %(proposal)s × %(reviewer)s is a conflict of interest: remove the pin."
    ),
    "pin_forbidden": gettext_lazy(
        "The pair %(proposal)s × %(reviewer)s is both pinned and forbidden: remove one of them."
    ),
    "pins_exceed_k": gettext_lazy(
        "%(proposal)s has %(pins)s pinned reviewers, more than the %(k)s it gets: unpin some "
        "or raise the reviewers per proposal."
    ),
    "pins_exceed_load": gettext_lazy(
        "%(reviewer)s is pinned to %(pins)s proposals, more than their most of %(max_load)s: "
        "unpin some or raise the most proposals per reviewer."
    ),
    "pins_without_outsider": gettext_lazy(
        "The pinned reviewers of %(proposal)s fill all its places but none is from another "
        "division than its speakers: unpin one, or drop the cross-division rule."
    ),
    "capacity": gettext_lazy(
        "The proposals need %(needed)s reviews but the reviewers can take at most "
        "%(capacity)s: lower the reviewers per proposal, raise the most proposals per "
        "reviewer, or add reviewers."
    ),
    "min_loads": gettext_lazy(
        "The reviewers' fewest proposals add up to %(low)s reviews, more than the %(needed)s "
        "the proposals need: lower the fewest proposals per reviewer."
    ),
    "too_few_eligible": gettext_lazy(
        "%(proposal)s has only %(eligible)s eligible reviewers (without a conflict, not "
        "forbidden, with room left) but needs %(needed)s: lower the reviewers per proposal, "
        "add reviewers, or lift forbidden pairs."
    ),
    "no_outsider": gettext_lazy(
        "%(proposal)s has no eligible reviewer from another division than its speakers': add "
        "reviewers from other divisions, or drop the cross-division rule."
    ),
    "reviewer_min_load": gettext_lazy(
        "%(reviewer)s can review only %(eligible)s proposals (the others are conflicts or "
        "forbidden) but must get at least %(low)s: lower the fewest proposals per reviewer."
    ),
    "combination": gettext_lazy(
        "No assignment meets all the constraints together (reviewers per proposal, loads, "
        "conflicts, the cross-division rule), although each one alone can be met: lower the "
        "reviewers per proposal or the fewest proposals per reviewer, raise the most "
        "proposals per reviewer, or add reviewers."
    ),
}

STEPS = {
    "check": gettext_lazy("Checking the settings"),
    "solve": gettext_lazy("Solving the min-cost flow"),
    "pricing": gettext_lazy("Adding %(pairs)s better pairs and solving again"),
    "bound": gettext_lazy("Computing the upper bound"),
    "fair": gettext_lazy("Fairness: round %(round)s"),
    "report": gettext_lazy("Writing the report"),
}


def problem_text(problem: Problem, titles: list[str], names: list[str]) -> str:
    values: dict[str, Any] = dict(problem.values)
    if problem.proposal is not None:
        values["proposal"] = f"“{titles[problem.proposal]}”" if titles else f"#{problem.proposal}"
    if problem.reviewer is not None:
        values["reviewer"] = names[problem.reviewer] if names else f"#{problem.reviewer}"
    return str(PROBLEMS[problem.code]) % values


def infeasible_message(problems: list[Problem], titles: list[str], names: list[str]) -> str:
    """The problems in words, one a line, naming proposals and reviewers (at most
    `MAX_PROBLEMS_SHOWN`, then how many more)."""
    lines = [problem_text(problem, titles, names) for problem in problems[:MAX_PROBLEMS_SHOWN]]
    hidden = len(problems) - MAX_PROBLEMS_SHOWN
    if hidden > 0:
        lines.append(_("… and %(n)s more like these.") % {"n": hidden})
    return "\n".join(lines)


def step_text(step: str, values: dict[str, Any]) -> str:
    return str(STEPS.get(step, step)) % values if values else str(STEPS.get(step, step))
