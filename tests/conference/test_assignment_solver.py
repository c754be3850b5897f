"""The assignment solver on arrays: the optimum against brute force on small cases, every
constraint on random cases (hypothesis), the upper bound, sparsification and fairness, and
the messages of infeasible settings."""

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from practica.conference.assignment.solver import InfeasibleAssignment, solve_assignment

pytestmark = pytest.mark.unit


def brute_force(a, *, k, min_load, max_load, blocked, outsider=None, pinned=()):
    """The best total over every assignment that meets the constraints, or None."""
    n_proposals, n_reviewers = a.shape
    best = None
    options = []
    for p in range(n_proposals):
        must = {r for q, r in pinned if q == p}
        options.append(
            [
                combo
                for combo in itertools.combinations(range(n_reviewers), k)
                if must <= set(combo)
                and not any(blocked[p, r] for r in combo)
                and (outsider is None or any(outsider[p, r] for r in combo))
            ]
        )
    for choice in itertools.product(*options):
        loads = np.zeros(n_reviewers, dtype=int)
        for combo in choice:
            loads[list(combo)] += 1
        if (loads > max_load).any() or (loads < min_load).any():
            continue
        total = sum(a[p, r] for p, combo in enumerate(choice) for r in combo)
        if best is None or total > best:
            best = total
    return best


def check_constraints(result, a, *, k, min_load, max_load, blocked, outsider=None, pinned=()):
    pairs = [tuple(map(int, pair)) for pair in result.pairs]
    assert len(set(pairs)) == len(pairs), "a pair twice"
    n_proposals, n_reviewers = a.shape
    per_proposal = np.bincount([p for p, _r in pairs], minlength=n_proposals)
    loads = np.bincount([r for _p, r in pairs], minlength=n_reviewers)
    assert (per_proposal == k).all()
    assert (loads <= max_load).all()
    assert (loads >= min_load).all()
    assert not any(blocked[p, r] for p, r in pairs)
    assert set(pinned) <= set(pairs)
    if outsider is not None:
        for p in range(n_proposals):
            assert any(outsider[q, r] for q, r in pairs if q == p)
    assert result.total_affinity == pytest.approx(sum(a[p, r] for p, r in pairs))
    assert result.upper_bound >= result.total_affinity - 1e-6


def small_case(seed):
    rng = np.random.default_rng(seed)
    n_proposals, n_reviewers = int(rng.integers(1, 4)), int(rng.integers(2, 6))
    k = int(min(rng.integers(1, 3), n_reviewers))
    a = np.round(rng.random((n_proposals, n_reviewers)) * 2 - 0.3, 3)
    blocked = rng.random((n_proposals, n_reviewers)) < 0.15
    outsider = rng.random((n_proposals, n_reviewers)) < 0.5 if seed % 2 else None
    max_load = rng.integers(1, 4, n_reviewers)
    min_load = np.minimum(rng.integers(0, 2, n_reviewers), max_load)
    return a, k, min_load, max_load, blocked, outsider


@pytest.mark.parametrize("seed", range(120))
def test_the_optimum_matches_brute_force(seed):
    a, k, min_load, max_load, blocked, outsider = small_case(seed)
    best = brute_force(
        a, k=k, min_load=min_load, max_load=max_load, blocked=blocked, outsider=outsider
    )
    if best is None:
        with pytest.raises(InfeasibleAssignment):
            solve_assignment(
                a, k=k, max_load=max_load, min_load=min_load, conflicts=blocked, outsider=outsider
            )
        return
    result = solve_assignment(
        a, k=k, max_load=max_load, min_load=min_load, conflicts=blocked, outsider=outsider
    )
    check_constraints(
        result, a, k=k, min_load=min_load, max_load=max_load, blocked=blocked, outsider=outsider
    )
    assert result.total_affinity == pytest.approx(best, abs=1e-5)
    # Without sparsification the Lagrangian bound is tight: the gap is zero.
    assert result.upper_bound == pytest.approx(best, abs=1e-4)
    assert result.gap < 1e-6


@pytest.mark.parametrize("seed", range(40))
def test_pins_and_forbidden_pairs_against_brute_force(seed):
    a, k, min_load, max_load, blocked, outsider = small_case(seed + 1000)
    rng = np.random.default_rng(seed)
    free = np.argwhere(~blocked)
    pinned = [tuple(map(int, free[rng.integers(len(free))]))] if len(free) else []
    forbidden = rng.random(a.shape) < 0.1
    for p, r in pinned:
        forbidden[p, r] = False
    blocked_all = blocked | forbidden
    best = brute_force(
        a,
        k=k,
        min_load=min_load,
        max_load=max_load,
        blocked=blocked_all,
        outsider=outsider,
        pinned=pinned,
    )
    arguments = {
        "k": k,
        "max_load": max_load,
        "min_load": min_load,
        "conflicts": blocked,
        "forbidden": forbidden,
        "pinned": pinned,
        "outsider": outsider,
    }
    if best is None:
        with pytest.raises(InfeasibleAssignment):
            solve_assignment(a, **arguments)
        return
    result = solve_assignment(a, **arguments)
    check_constraints(
        result,
        a,
        k=k,
        min_load=min_load,
        max_load=max_load,
        blocked=blocked_all,
        outsider=outsider,
        pinned=pinned,
    )
    assert result.total_affinity == pytest.approx(best, abs=1e-5)
    assert set(map(tuple, result.pairs[result.pinned].tolist())) == set(pinned)


@st.composite
def problems(draw):
    n_proposals = draw(st.integers(1, 12))
    n_reviewers = draw(st.integers(2, 10))
    k = draw(st.integers(1, min(3, n_reviewers)))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    a = rng.random((n_proposals, n_reviewers)) - draw(st.sampled_from([0.0, 0.3]))
    blocked = rng.random((n_proposals, n_reviewers)) < draw(st.sampled_from([0.0, 0.1, 0.3]))
    outsider = rng.random((n_proposals, n_reviewers)) < 0.4 if draw(st.booleans()) else None
    max_load = rng.integers(1, 6, n_reviewers)
    min_load = np.minimum(rng.integers(0, 2, n_reviewers), max_load)
    sparse = draw(st.sampled_from([None, 2, 3]))
    mode = draw(st.sampled_from(["max_affinity", "fair"]))
    return a, k, min_load, max_load, blocked, outsider, sparse, mode


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_every_constraint_holds_on_random_cases(case):
    a, k, min_load, max_load, blocked, outsider, sparse, mode = case
    arguments = {
        "k": k,
        "max_load": max_load,
        "min_load": min_load,
        "conflicts": blocked,
        "outsider": outsider,
    }
    feasible = (
        brute_force(
            a, k=k, min_load=min_load, max_load=max_load, blocked=blocked, outsider=outsider
        )
        if a.size <= 12
        else True
    )
    if feasible is None:
        with pytest.raises(InfeasibleAssignment) as excinfo:
            solve_assignment(a, mode=mode, candidates_per_proposal=sparse, **arguments)
        assert all(problem.message for problem in excinfo.value.problems)
        return
    try:
        result = solve_assignment(a, mode=mode, candidates_per_proposal=sparse, **arguments)
    except InfeasibleAssignment:
        # Too big to enumerate: the full problem must be infeasible as well.
        with pytest.raises(InfeasibleAssignment):
            solve_assignment(a, **arguments)
        return
    check_constraints(
        result, a, k=k, min_load=min_load, max_load=max_load, blocked=blocked, outsider=outsider
    )
    if mode == "max_affinity":
        # Sparsified or not, the pricing rounds reach the full problem's optimum.
        full = solve_assignment(
            a, k=k, max_load=max_load, min_load=min_load, conflicts=blocked, outsider=outsider
        )
        assert result.total_affinity == pytest.approx(full.total_affinity, abs=1e-4)


def test_a_large_sparsified_problem_is_certified_by_its_bound():
    rng = np.random.default_rng(3)
    a = rng.random((400, 200)) ** 2
    outsider = rng.random(a.shape) < 0.7
    conflicts = rng.random(a.shape) < 0.02
    result = solve_assignment(
        a, k=3, max_load=8, conflicts=conflicts, outsider=outsider, candidates_per_proposal=10
    )
    check_constraints(result, a, k=3, min_load=0, max_load=8, blocked=conflicts, outsider=outsider)
    assert result.report["sparsified"] is True
    assert result.report["candidate_pairs"] < result.report["eligible_pairs"]
    assert result.gap < 1e-5


def test_fairness_raises_the_weakest_proposal():
    # Proposals 0–2 love reviewers 0–2; proposal 3 likes only those too, a little less.
    a = np.array(
        [
            [1.0, 1.0, 1.0, 0.1, 0.1, 0.1],
            [1.0, 1.0, 1.0, 0.1, 0.1, 0.1],
            [1.0, 1.0, 1.0, 0.1, 0.1, 0.1],
            [0.9, 0.9, 0.9, 0.0, 0.0, 0.0],
        ]
    )
    plain = solve_assignment(a, k=2, max_load=2)
    fair = solve_assignment(a, k=2, max_load=2, mode="fair")
    assert fair.report["min_proposal_affinity"] > plain.report["min_proposal_affinity"]
    assert fair.total_affinity <= plain.total_affinity + 1e-9
    assert fair.report["max_affinity_total"] == pytest.approx(plain.total_affinity)


def test_the_report_describes_the_distribution_and_loads():
    a = np.array([[0.9, 0.1, 0.5], [0.2, 0.8, 0.4]])
    result = solve_assignment(a, k=2, max_load=2)
    report = result.report
    assert report["total_affinity"] == pytest.approx(0.9 + 0.5 + 0.8 + 0.4)
    assert report["min_proposal_affinity"] == pytest.approx(1.2)
    assert report["quantiles"]["0"] == pytest.approx(1.2)
    assert report["quantiles"]["100"] == pytest.approx(1.4)
    assert sum(report["histogram"]["counts"]) == 2
    assert report["load"] == {
        "min": 1,
        "max": 2,
        "mean": pytest.approx(4 / 3),
        "counts": {"1": 2, "2": 1},
    }
    assert report["gap"] == pytest.approx(0.0, abs=1e-9)


def problem_codes(excinfo):
    return [problem.code for problem in excinfo.value.problems]


def test_more_reviews_than_capacity_is_refused_before_solving():
    with pytest.raises(InfeasibleAssignment) as excinfo:
        solve_assignment(np.ones((5, 3)), k=3, max_load=4)
    assert problem_codes(excinfo) == ["capacity"]
    message = excinfo.value.problems[0].message
    assert "need 15 reviews" in message
    assert "at most 12" in message
    assert "lower the reviewers per proposal" in message


def test_a_proposal_with_too_few_eligible_reviewers_is_named():
    conflicts = [(1, 0), (1, 1)]
    with pytest.raises(InfeasibleAssignment) as excinfo:
        solve_assignment(np.ones((2, 3)), k=2, max_load=2, conflicts=conflicts)
    (problem,) = excinfo.value.problems
    assert problem.code == "too_few_eligible"
    assert problem.proposal == 1
    assert problem.values == {"eligible": 1, "needed": 2}


def test_a_proposal_without_an_outsider_candidate_is_named():
    outsider = np.array([[True, False], [False, False]])
    with pytest.raises(InfeasibleAssignment) as excinfo:
        solve_assignment(np.ones((2, 2)), k=1, max_load=2, outsider=outsider)
    assert problem_codes(excinfo) == ["no_outsider"]
    assert excinfo.value.problems[0].proposal == 1
    assert "another division" in str(excinfo.value)


def test_impossible_least_loads_are_refused():
    with pytest.raises(InfeasibleAssignment) as excinfo:
        solve_assignment(np.ones((2, 3)), k=1, max_load=3, min_load=1)
    assert problem_codes(excinfo) == ["min_loads"]
    with pytest.raises(InfeasibleAssignment) as excinfo:
        solve_assignment(
            np.ones((3, 2)), k=1, max_load=3, min_load=[0, 2], conflicts=[(0, 1), (1, 1)]
        )
    assert problem_codes(excinfo) == ["reviewer_min_load"]
    assert excinfo.value.problems[0].reviewer == 1


def test_pins_beyond_k_or_load_and_conflicted_pins_are_refused():
    with pytest.raises(InfeasibleAssignment) as excinfo:
        solve_assignment(np.ones((1, 3)), k=1, max_load=1, pinned=[(0, 0), (0, 1)])
    assert problem_codes(excinfo) == ["pins_exceed_k"]
    with pytest.raises(InfeasibleAssignment) as excinfo:
        solve_assignment(np.ones((2, 2)), k=1, max_load=1, pinned=[(0, 0), (1, 0)])
    assert problem_codes(excinfo) == ["pins_exceed_load"]
    with pytest.raises(InfeasibleAssignment) as excinfo:
        solve_assignment(np.ones((1, 2)), k=1, max_load=1, pinned=[(0, 0)], conflicts=[(0, 0)])
    assert problem_codes(excinfo) == ["pin_conflict"]
    outsider = np.array([[False, True]])
    with pytest.raises(InfeasibleAssignment) as excinfo:
        solve_assignment(np.ones((1, 2)), k=1, max_load=1, pinned=[(0, 0)], outsider=outsider)
    assert problem_codes(excinfo) == ["pins_without_outsider"]


def test_constraints_that_only_fail_together_give_the_combination_message():
    # Each proposal alone has its two reviewers, but both need reviewer 0, who takes one.
    conflicts = [(0, 2), (1, 2)]
    with pytest.raises(InfeasibleAssignment) as excinfo:
        solve_assignment(np.ones((2, 3)), k=2, max_load=[1, 2, 2], conflicts=conflicts)
    assert problem_codes(excinfo) == ["combination"]
    assert "together" in str(excinfo.value)


def test_malformed_input_is_a_value_error():
    with pytest.raises(ValueError, match="finite"):
        solve_assignment(np.array([[np.nan]]), k=1, max_load=1)
    with pytest.raises(ValueError, match="mode"):
        solve_assignment(np.ones((1, 1)), k=1, max_load=1, mode="random")
    with pytest.raises(ValueError, match="outside the matrix"):
        solve_assignment(np.ones((1, 1)), k=1, max_load=1, pinned=[(0, 5)])
    with pytest.raises(ValueError, match="min_load"):
        solve_assignment(np.ones((1, 2)), k=1, max_load=1, min_load=2)
