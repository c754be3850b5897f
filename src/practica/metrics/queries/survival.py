"""Kaplan–Meier quantiles of waits where some are still waiting (censored).

The median follows `practica.metrics.definitions.response_times.censored_median` exactly (the
figure the strategy targets read), so a dashboard median equals the definition's over the same
questions; the 90th percentile is read off the same survival curve: the first answer time t
with S(t) ≤ 1/10. Both are read off one curve. `wait_stats` adds the counts shown
beside them: still waiting, and done within 1 h and 24 h among the waits old enough to know.

S is multiplied in floating point (exact fractions grow to thousands of digits once many waits
are censored), and only where S lands within `TIE` of a level is it recomputed exactly, because
"S is exactly ½" decides between an answer time and a midpoint. Float error after k factors is
about k·10⁻¹⁶, far below `TIE` for any number of questions a page can hold.

The curve is computed over sorted arrays (numpy): one entry per distinct wait, its answers and
its at-risk count, S as the running product of (1 − d/n) in floating point, multiplied in the
same order as a loop would, so the floats are the same.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import prod

import numpy as np
import numpy.typing as npt

from practica.metrics.definitions.figures import hours_value
from practica.metrics.definitions.response_times import DAY, HOUR, Wait

HALF = Fraction(1, 2)
TENTH = Fraction(1, 10)
TIE = 1e-9

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


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
    """`survival_quantiles` of (seconds, answered) pairs."""
    return array_quantiles(
        np.fromiter((seconds for seconds, _done in waits), dtype=np.int64, count=len(waits)),
        np.fromiter((done for _seconds, done in waits), dtype=np.bool_, count=len(waits)),
    )


class _Curve:
    """The survival curve at the answer times: times, (nᵢ, dᵢ) and S in floating point."""

    def __init__(self, seconds: IntArray, answered: BoolArray) -> None:
        times, done = np.unique(seconds[answered], return_counts=True)
        self.times: IntArray = times
        self.done: IntArray = done
        # nᵢ: everyone, less those who left (answered or censored) before tᵢ.
        self.at_risk: IntArray = len(seconds) - np.searchsorted(np.sort(seconds), times)
        self.survival = np.cumprod(1 - done / self.at_risk)

    def compare(self, index: int, level: Fraction) -> int:
        """-1, 0 or 1 as S after answer time `index` is below, at or above `level`; exact
        (integer products) when the float is too close to tell."""
        approximate = float(level)
        survival = float(self.survival[index])
        if abs(survival - approximate) > TIE:
            return -1 if survival < approximate else 1
        at_risk = self.at_risk[: index + 1]
        left = at_risk - self.done[: index + 1]
        # S = Π (n − d) / Π n. Both sequences strictly fall, so each is a set; where nobody
        # was censored between two answer times, one factor's n − d is the next one's n:
        # cancel those before multiplying big integers.
        common = np.intersect1d(left, at_risk, assume_unique=True)
        kept_left = np.setdiff1d(left, common, assume_unique=True).tolist()
        kept_at_risk = np.setdiff1d(at_risk, common, assume_unique=True).tolist()
        # S compared with level = p / q as (Π n − d)·q versus p·(Π n).
        above = prod(kept_left) * level.denominator
        total = prod(kept_at_risk) * level.numerator
        return (above > total) - (above < total)

    def first_at_or_below(self, level: Fraction) -> tuple[int, int] | None:
        """(index, comparison) of the first answer time where S ≤ `level` exactly."""
        index = int(np.searchsorted(-self.survival, -(float(level) + TIE), side="left"))
        # S never rises, so the first time S is within TIE above the level or below it is
        # where to start; a near tie that is exactly above moves on to the next time.
        while index < len(self.times):
            versus = self.compare(index, level)
            if versus <= 0:
                return index, versus
            index += 1
        return None


def array_quantiles(seconds: IntArray, answered: BoolArray) -> SurvivalQuantiles:
    """`quantiles_of` over arrays of whole seconds and whether each wait ended in an answer."""
    if not len(seconds):
        return SurvivalQuantiles(median=Quantile(None), p90=Quantile(None))
    curve = _Curve(seconds, answered)
    longest = Quantile(Fraction(int(seconds.max())), lower_bound=True)
    median = longest
    found = curve.first_at_or_below(HALF)
    if found is not None:
        index, versus = found
        moment = int(curve.times[index])
        if versus < 0:
            median = Quantile(Fraction(moment))
        elif index + 1 == len(curve.times):  # the other half is still waiting: at least this
            median = Quantile(Fraction(moment), lower_bound=True)
        else:
            median = Quantile(Fraction(moment + int(curve.times[index + 1]), 2))
    p90 = longest
    found = curve.first_at_or_below(TENTH)
    if found is not None:
        p90 = Quantile(Fraction(int(curve.times[found[0]])))
    return SurvivalQuantiles(median=median, p90=p90)


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
    count = len(items)
    return array_wait_stats(
        np.fromiter((age for age, _seconds, _done in items), dtype=np.int64, count=count),
        np.fromiter((seconds for _age, seconds, _done in items), dtype=np.int64, count=count),
        np.fromiter((done for _age, _seconds, done in items), dtype=np.bool_, count=count),
    )


def array_wait_stats(ages: IntArray, seconds: IntArray, done: BoolArray) -> WaitStats:
    """`wait_stats` over arrays: each item's age, seconds waited and whether it is done."""
    quantiles = array_quantiles(seconds, done)

    def within(limit: int) -> tuple[int, int]:
        old_enough = ages >= limit
        quick = old_enough & done & (seconds <= limit)
        return int(np.count_nonzero(quick)), int(np.count_nonzero(old_enough))

    return WaitStats(
        questions=len(seconds),
        waiting=int(np.count_nonzero(~done)),
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
