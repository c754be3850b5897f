"""The shared pieces of the definitions: windows, rounding and the censored median."""

import statistics
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from practica.metrics.definitions.figures import hours_value, share_value
from practica.metrics.definitions.response_times import Wait, censored_median
from practica.metrics.definitions.windows import months_before

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2026, 3, 15, 12, tzinfo=UTC), 6, datetime(2025, 9, 15, 12, tzinfo=UTC)),
        (datetime(2026, 3, 15, 12, tzinfo=UTC), 7, datetime(2025, 8, 15, 12, tzinfo=UTC)),
        (datetime(2026, 8, 31, tzinfo=UTC), 6, datetime(2026, 2, 28, tzinfo=UTC)),
        (datetime(2028, 8, 31, tzinfo=UTC), 6, datetime(2028, 2, 29, tzinfo=UTC)),
        (datetime(2026, 1, 31, tzinfo=UTC), 13, datetime(2024, 12, 31, tzinfo=UTC)),
        (datetime(2026, 5, 1, tzinfo=UTC), 0, datetime(2026, 5, 1, tzinfo=UTC)),
    ],
)
def test_months_before_clamps_the_day(moment, months, expected):
    assert months_before(moment, months) == expected


def test_share_is_four_places_half_up_and_none_for_nothing():
    assert share_value(2, 3) == Decimal("0.6667")
    assert share_value(1, 8) == Decimal("0.1250")
    assert share_value(0, 5) == Decimal("0.0000")
    assert share_value(0, 0) is None


def test_hours_are_two_places():
    assert hours_value(Decimal(5400)) == Decimal("1.50")
    assert hours_value(Decimal(1)) == Decimal("0.00")
    assert hours_value(Decimal(18)) == Decimal("0.01")  # 0.005 h rounds up
    assert hours_value(None) is None


def answered(*seconds):
    return [Wait(seconds=value, answered=True) for value in seconds]


def waiting(*seconds):
    return [Wait(seconds=value, answered=False) for value in seconds]


def test_median_of_nothing_is_none():
    assert censored_median([]) == (None, False)


def test_median_without_censoring_is_the_ordinary_median():
    assert censored_median(answered(30, 10, 20)) == (Fraction(20), False)
    assert censored_median(answered(10, 20, 30, 40)) == (Fraction(25), False)
    assert censored_median(answered(7)) == (Fraction(7), False)
    assert censored_median(answered(0, 0, 5)) == (Fraction(0), False)


def test_a_young_unanswered_question_does_not_drag_the_median():
    # Answers at 1 h and 3 h, a question waiting 5 minutes: after 5 minutes two questions
    # are at risk; S(1 h) = 1/2, S(3 h) = 0, so the median is midway: 2 h.
    waits = answered(3600, 3 * 3600) + waiting(300)
    assert censored_median(waits) == (Fraction(2 * 3600), False)


def test_an_old_unanswered_question_pushes_the_median_up():
    # 1 h, 3 h answered, one waiting 10 days: S(1 h) = 2/3, S(3 h) = 1/3 → median 3 h,
    # where dropping the unanswered one would say 2 h.
    waits = answered(3600, 3 * 3600) + waiting(10 * 86400)
    assert censored_median(waits) == (Fraction(3 * 3600), False)


def test_mostly_unanswered_gives_a_lower_bound():
    waits = answered(3600) + waiting(86400, 2 * 86400)
    assert censored_median(waits) == (Fraction(2 * 86400), True)
    assert censored_median(waiting(60, 600)) == (Fraction(600), True)


def test_half_answered_then_only_waiting_is_a_lower_bound_at_the_last_answer():
    waits = answered(3600) + waiting(7200)
    assert censored_median(waits) == (Fraction(3600), True)


def test_ties_between_answers_and_waits():
    # At 100 s: one answered, one censored, both at risk (4 at risk): S = 3/4; at 200 s two
    # at risk, one answered: S = 3/8 → median 200 s.
    waits = answered(100, 200) + waiting(100, 300)
    assert censored_median(waits) == (Fraction(200), False)


@given(st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=60))
def test_without_censoring_it_equals_statistics_median(values):
    median, lower_bound = censored_median(answered(*values))
    assert not lower_bound
    assert median == Fraction(statistics.median(values)).limit_denominator(2)


@given(
    st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30),
    st.lists(st.integers(min_value=0, max_value=10**6), max_size=30),
)
def test_the_median_lies_between_the_known_and_the_pessimistic_median(done, open_):
    """Censored waits are at least their age: the KM median is never below the median that
    treats them as answered at their age, and never above the one that treats them as never
    answered (when that one exists)."""
    median, lower_bound = censored_median(answered(*done) + waiting(*open_))
    optimistic = statistics.median_low(done + open_)
    assert median >= optimistic or lower_bound
    forever = 10**9
    pessimistic = statistics.median_high([*done, *[forever] * len(open_)])
    if not lower_bound and pessimistic < forever:
        assert median <= pessimistic
