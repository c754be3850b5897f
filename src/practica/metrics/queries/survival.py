"""Kaplan–Meier quantiles of waits where some are still waiting (censored).

The median follows `practica.metrics.definitions.response_times.censored_median` exactly (the
figure the strategy targets read), so a dashboard median equals the definition's over the same
questions; the 90th percentile is read off the same survival curve: the first answer time t
with S(t) ≤ 1/10. Both come from one pass over the waits. `wait_stats` adds the counts shown
beside them: still waiting, and done within 1 h and 24 h among the waits old enough to know.

S is multiplied in floating point (exact fractions grow to thousands of digits once many waits
are censored), and only where S lands within `TIE` of a level is it recomputed exactly, because
"S is exactly ½" decides between an answer time and a midpoint. Float error after k factors is
about k·10⁻¹⁶, far below `TIE` for any number of questions a page can hold.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from math import prod

from practica.metrics.definitions.figures import hours_value
from practica.metrics.definitions.response_times import DAY, HOUR, Wait

HALF = Fraction(1, 2)
TENTH = Fraction(1, 10)
TIE = 1e-9
HALF_FLOAT, TENTH_FLOAT = float(HALF), float(TENTH)


@dataclass(frozen=True)
class Quantile:
    """A wait in seconds; `lower_bound` when too many are still waiting to know it yet (the
    value is then the longest wait observed, or the answer time where S reached ½)."""

    seconds: Fraction | None
    lower_bound: bool = False


@dataclass(frozen=True)
class SurvivalQuantiles:
    median: Quantile
    p90: Quantile


def _compare(survival: float, factors: list[tuple[int, int]], level: Fraction) -> int:
    """-1, 0 or 1 as S is below, at or above `level`; exact when the float is too close."""
    approximate = HALF_FLOAT if level is HALF else TENTH_FLOAT
    if abs(survival - approximate) > TIE:
        return -1 if survival < approximate else 1
    exact = prod(
        (Fraction(at_risk - done, at_risk) for at_risk, done in factors), start=Fraction(1)
    )
    return (exact > level) - (exact < level)


def survival_quantiles(waits: Sequence[Wait]) -> SurvivalQuantiles:
    """The Kaplan–Meier median and 90th percentile of `waits` (in seconds).

    S(t) = Π over answer times tᵢ ≤ t of (1 − dᵢ/nᵢ), with dᵢ answered at tᵢ and nᵢ still
    waiting at tᵢ (a wait censored at tᵢ is at risk then). Median: the first tᵢ with S < ½;
    where S is exactly ½, the midpoint to the next answer time (with none, tᵢ as a lower
    bound). p90: the first tᵢ with S ≤ 1/10. When S never reaches a level, the quantile is a
    lower bound: the longest wait observed. Both None for no waits.
    """
    return quantiles_of([(wait.seconds, wait.answered) for wait in waits])


def quantiles_of(waits: Sequence[tuple[int, bool]]) -> SurvivalQuantiles:
    """`survival_quantiles` of (seconds, answered) pairs: pages pass thousands of them."""
    if not waits:
        return SurvivalQuantiles(median=Quantile(None), p90=Quantile(None))
    answered: Counter[int] = Counter(seconds for seconds, done in waits if done)
    leaving: Counter[int] = Counter(seconds for seconds, _done in waits)
    answer_times = sorted(answered)
    next_answer: dict[int, int] = dict(pairwise(answer_times))
    at_risk = len(waits)
    survival = 1.0
    factors: list[tuple[int, int]] = []
    median: Quantile | None = None
    p90: Quantile | None = None
    for moment in sorted(leaving):
        done = answered.get(moment, 0)
        if done:
            survival *= 1 - done / at_risk
            factors.append((at_risk, done))
            if median is None and (versus_half := _compare(survival, factors, HALF)) <= 0:
                later = next_answer.get(moment)
                if versus_half < 0:
                    median = Quantile(Fraction(moment))
                elif later is None:  # the other half is still waiting: at least this long
                    median = Quantile(Fraction(moment), lower_bound=True)
                else:
                    median = Quantile(Fraction(moment + later, 2))
            if median is not None and _compare(survival, factors, TENTH) <= 0:
                p90 = Quantile(Fraction(moment))
                break
        at_risk -= leaving[moment]
    longest = Quantile(Fraction(max(leaving)), lower_bound=True)
    return SurvivalQuantiles(median=median or longest, p90=p90 or longest)


@dataclass(frozen=True)
class WaitStats:
    """The figures of one set of waits."""

    questions: int
    waiting: int  # no response (or accepted answer) by as_of
    median: Quantile
    p90: Quantile
    within_1h: tuple[int, int]  # (done within 1 h, questions at least 1 h old)
    within_24h: tuple[int, int]


# One question's wait as a page reads it: (age at as_of, seconds waited, answered by as_of);
# an unanswered question's seconds waited is its age.
Timed = tuple[int, int, bool]


def wait_stats(items: Sequence[Timed]) -> WaitStats:
    """The quantiles of the waits, how many are still waiting, and the shares done within 1 h
    and 24 h among the items at least that old (an item is old enough for `s` seconds when
    `asked_at + s ≤ as_of`, i.e. its whole-second age is at least `s`)."""
    quantiles = quantiles_of([(seconds, done) for _age, seconds, done in items])

    def within(limit: int) -> tuple[int, int]:
        old_enough = [(seconds, done) for age, seconds, done in items if age >= limit]
        quick = sum(1 for seconds, done in old_enough if done and seconds <= limit)
        return quick, len(old_enough)

    return WaitStats(
        questions=len(items),
        waiting=sum(1 for _age, _seconds, done in items if not done),
        median=quantiles.median,
        p90=quantiles.p90,
        within_1h=within(HOUR),
        within_24h=within(DAY),
    )


def quantile_hours(quantile: Quantile) -> Decimal | None:
    """The quantile in hours, two decimals (rounded half up from the exact value)."""
    seconds: Fraction | None = quantile.seconds
    if seconds is None:
        return None
    return hours_value(Decimal(seconds.numerator) / Decimal(seconds.denominator))
