"""Time to first response to questions, with unanswered questions censored.

The questions of a window are the community's questions asked in the trailing 90 days, not
hidden, not merged into another thread, not closed as a duplicate, asked by a counted person.
A question's first response is `Thread.first_response_at`, the first post by anyone other than
the asker (the discussions services set it; a self-answer never does); a response after `as_of`
has not happened yet as of `as_of`.

Unanswered questions are censored, never dropped: all we know of one is that it has waited
its age at `as_of` without an answer. The median is the Kaplan–Meier median: a question
waiting 5 minutes says nothing about the hour mark, one waiting 3 days pushes the median up.
When more than half of the questions stay unanswered for longer than any answer took, the
median is unknown and the value is its lower bound: the longest wait observed. The shares
answered within 1 and 24 hours count only the questions whose first hour (day) has passed by
`as_of`, so every question in a share has a known outcome.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from practica.discussions.models import Thread, ThreadKind
from practica.metrics.definitions.figures import count_value, hours_value, share_value
from practica.metrics.definitions.population import counted
from practica.metrics.definitions.windows import trailing_start

QUESTION_DAYS = 90
HOUR = 3600
DAY = 24 * HOUR


@dataclass(frozen=True)
class Wait:
    """One question's wait in seconds: until its first response, or (censored) its age."""

    seconds: int
    answered: bool


def censored_median(waits: Sequence[Wait]) -> tuple[Fraction | None, bool]:
    """The Kaplan–Meier median of the waits in seconds and whether it is only a lower bound.

    S(t) = Π over answer times tᵢ ≤ t of (1 − dᵢ/nᵢ), with dᵢ answered at tᵢ and nᵢ waiting at
    least tᵢ (a question censored at tᵢ is still at risk then). The median is the first answer
    time where S ≤ ½; where S is exactly ½ it is the midpoint to the next answer time (so with
    nothing censored it is the ordinary median). When S never falls below ½ the median is
    unknown: the value is then a lower bound, the last time S was above ½ (the longest wait),
    or the answer time where S reached ½. (None, False) for no questions.
    """
    if not waits:
        return None, False
    answered: Counter[int] = Counter(wait.seconds for wait in waits if wait.answered)
    leaving: Counter[int] = Counter(wait.seconds for wait in waits)
    answer_times = sorted(answered)
    at_risk = len(waits)
    survival = Fraction(1)
    half = Fraction(1, 2)
    for moment in sorted(leaving):
        if moment in answered:
            survival *= 1 - Fraction(answered[moment], at_risk)
            if survival <= half:
                if survival < half:
                    return Fraction(moment), False
                later = [time for time in answer_times if time > moment]
                if not later:  # the other half is still waiting: the median is at least here
                    return Fraction(moment), True
                return Fraction(moment + later[0], 2), False
        at_risk -= leaving[moment]
    return Fraction(max(leaving)), True


@dataclass(frozen=True)
class ResponseTimes:
    """The window's questions with their waits, and the figures read from them."""

    waits: tuple[Wait, ...]
    as_of: datetime
    asked_at: tuple[datetime, ...]

    @property
    def questions(self) -> int:
        return len(self.waits)

    @property
    def unanswered(self) -> int:
        return sum(1 for wait in self.waits if not wait.answered)

    def median_seconds(self) -> tuple[Fraction | None, bool]:
        return censored_median(self.waits)

    def answered_within(self, seconds: int) -> tuple[int, int]:
        """(answered within `seconds`, questions at least `seconds` old at `as_of`)."""
        old_enough = [
            wait
            for wait, asked in zip(self.waits, self.asked_at, strict=True)
            if asked + timedelta(seconds=seconds) <= self.as_of
        ]
        quick = sum(1 for wait in old_enough if wait.answered and wait.seconds <= seconds)
        return quick, len(old_enough)


def response_times(community_id: int, as_of: datetime) -> ResponseTimes:
    """The waits of the questions asked in `(as_of - 90 days, as_of]` (see the module's
    docstring for which questions count and how unanswered ones are censored)."""
    rows = (
        Thread.objects.filter(
            counted("author"),
            community_id=community_id,
            kind=ThreadKind.QUESTION,
            created_at__gt=trailing_start(as_of, days=QUESTION_DAYS),
            created_at__lte=as_of,
            is_hidden=False,
            merged_into__isnull=True,
            duplicate_of__isnull=True,
        )
        .order_by("created_at", "pk")
        .values_list("created_at", "first_response_at")
    )
    waits: list[Wait] = []
    asked: list[datetime] = []
    for created_at, first_response_at in rows:
        if first_response_at is not None and first_response_at <= as_of:
            seconds = (first_response_at - created_at).total_seconds()
            waits.append(Wait(seconds=max(0, int(seconds)), answered=True))
        else:
            waits.append(Wait(seconds=int((as_of - created_at).total_seconds()), answered=False))
        asked.append(created_at)
    return ResponseTimes(waits=tuple(waits), as_of=as_of, asked_at=tuple(asked))


def median_first_response_hours(community_id: int, as_of: datetime) -> Decimal | None:
    """The Kaplan–Meier median time to first response, in hours, of the questions asked in
    the trailing 90 days; None when none were asked."""
    median, _lower_bound = response_times(community_id, as_of).median_seconds()
    if median is None:
        return None
    return hours_value(Decimal(median.numerator) / Decimal(median.denominator))


def answered_within_1h_share(community_id: int, as_of: datetime) -> Decimal | None:
    """Of the trailing 90 days' questions at least an hour old, the share first answered
    within an hour; None when there are none."""
    return share_value(*response_times(community_id, as_of).answered_within(HOUR))


def answered_within_24h_share(community_id: int, as_of: datetime) -> Decimal | None:
    """Of the trailing 90 days' questions at least a day old, the share first answered within
    24 hours; None when there are none."""
    return share_value(*response_times(community_id, as_of).answered_within(DAY))


def unanswered_questions(community_id: int, as_of: datetime) -> Decimal:
    """The trailing 90 days' questions without a first response by `as_of`."""
    return count_value(response_times(community_id, as_of).unanswered)
