"""The vectorised Kaplan–Meier quantiles (`survival.array_quantiles`) equal the definition's
median (`censored_median`) and the step-by-step 90th percentile rule, ties and censoring
included."""

from collections import Counter
from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from practica.metrics.definitions.response_times import Wait, censored_median
from practica.metrics.queries.survival import (
    Quantile,
    array_wait_stats,
    quantiles_of,
    survival_quantiles,
    wait_stats,
)


def loop_p90(waits: list[tuple[int, bool]]) -> Quantile | None:
    """The 90th percentile read one answer time at a time, in exact fractions: the first
    answer time with S ≤ 1/10, else the longest wait as a lower bound."""
    if not waits:
        return None
    answered = Counter(seconds for seconds, done in waits if done)
    leaving = Counter(seconds for seconds, _done in waits)
    at_risk, survival = len(waits), Fraction(1)
    for moment in sorted(leaving):
        if moment in answered:
            survival *= 1 - Fraction(answered[moment], at_risk)
            if survival <= Fraction(1, 10):
                return Quantile(Fraction(moment))
        at_risk -= leaving[moment]
    return Quantile(Fraction(max(leaving)), lower_bound=True)


# Few distinct values make ties (answered and censored at the same second) and exact halves.
waits_strategy = st.lists(
    st.tuples(st.integers(min_value=0, max_value=12), st.booleans()), max_size=60
) | st.lists(st.tuples(st.integers(min_value=0, max_value=10**7), st.booleans()), max_size=300)


@settings(max_examples=400, deadline=None)
@given(waits_strategy)
def test_quantiles_equal_the_definitions_median_and_the_p90_rule(waits):
    quantiles = quantiles_of(waits)
    median, lower_bound = censored_median([Wait(seconds, done) for seconds, done in waits])
    assert quantiles.median.seconds == median
    assert quantiles.median.lower_bound == lower_bound
    expected_p90 = loop_p90(waits)
    if expected_p90 is None:
        assert quantiles.p90 == Quantile(None)
    else:
        assert quantiles.p90 == expected_p90


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 200_000), st.integers(0, 200_000), st.booleans())))
def test_array_wait_stats_equal_the_tuple_version(items):
    items = [(age, seconds if done else age, done) for age, seconds, done in items]
    expected = wait_stats(items)
    ages = np.array([age for age, _s, _d in items], dtype=np.int64)
    seconds = np.array([s for _a, s, _d in items], dtype=np.int64)
    done = np.array([d for _a, _s, d in items], dtype=np.bool_)
    assert array_wait_stats(ages, seconds, done) == expected
    hour = sum(1 for age, s, d in items if age >= 3600 and d and s <= 3600)
    assert expected.within_1h == (hour, sum(1 for age, _s, _d in items if age >= 3600))


def test_exact_half_takes_the_midpoint_and_a_last_half_is_a_lower_bound():
    # S drops to exactly ½ at 10 s: the midpoint to the next answer time (30 s).
    assert quantiles_of([(10, True), (30, True)]).median == Quantile(Fraction(20))
    # ½ reached at the last answer time, the rest still waiting: a lower bound there.
    assert quantiles_of([(10, True), (50, False)]).median == Quantile(Fraction(10), True)
    # Nobody answered: both are the longest wait, as lower bounds.
    assert quantiles_of([(5, False), (9, False)]).p90 == Quantile(Fraction(9), True)
    assert survival_quantiles([]).median == Quantile(None)
