"""The community's people as arrays, for the activity figures' whole-array arithmetic.

Each person with a stint gets a dense index. Their membership *pieces* are the stretches of
days when they are a member at the day's end, cut where their combo of segments (everyone,
role, division) changes; their *touched* stretches are the days they were a member at some
moment. Both are stored as (k, person) arrays: row k is each person's k-th stretch (empty
where they have fewer), so a computation runs once per row k, not once per person.
"""

from dataclasses import dataclass

import numpy as np

from practica.metrics.rollups.calendar import (
    month_first_day_number,
    month_key,
    month_last_day_number,
)
from practica.metrics.rollups.membership_days import History
from practica.metrics.rollups.segments import Combo, DayCounters, Person, intersect

NEVER = np.iinfo(np.int64).max // 4


@dataclass
class MonthIndex:
    """The months from the first built day's to the last's, numbered from 0."""

    first_key: int
    count: int
    of_day: np.ndarray  # day offset from the first built day → month number
    reference: np.ndarray  # month number → its reference day (last day, or the last built)
    first_day: np.ndarray
    last_day: np.ndarray

    @classmethod
    def over(cls, first: int, last: int) -> "MonthIndex":
        first_key = month_key(first)
        keys = range(first_key, month_key(last) + 1)
        starts = [max(month_first_day_number(key), first) for key in keys]
        of_day = np.zeros(last - first + 1, dtype=np.int64)
        for number, start in enumerate(starts):
            of_day[start - first :] = number
        return cls(
            first_key=first_key,
            count=len(keys),
            of_day=of_day,
            reference=np.array([min(month_last_day_number(key), last) for key in keys]),
            first_day=np.array([month_first_day_number(key) for key in keys]),
            last_day=np.array([month_last_day_number(key) for key in keys]),
        )


def _table(rows: list[list[tuple[int, ...]]], width: int, fill: int) -> list[np.ndarray]:
    """Per-person lists of tuples as `width` arrays of shape (longest list, people)."""
    longest = max((len(row) for row in rows), default=0) or 1
    tables = [np.full((longest, len(rows)), fill, dtype=np.int64) for _ in range(width)]
    for column, row in enumerate(rows):
        for k, values in enumerate(row):
            for table, value in zip(tables, values, strict=True):
                table[k, column] = value
    return tables


class PeopleArrays:
    def __init__(
        self,
        histories: dict[int, History],
        people: dict[int, Person],
        *,
        first: int,
        last: int,
    ) -> None:
        self.ids = np.array(sorted(histories), dtype=np.int64)
        self.months = MonthIndex.over(first, last)
        self.combos: list[Combo] = []
        combo_numbers: dict[Combo, int] = {}
        pieces: list[list[tuple[int, ...]]] = []
        touched: list[list[tuple[int, ...]]] = []
        cohort = np.zeros(len(self.ids), dtype=np.int64)
        censored_from = np.full(len(self.ids), NEVER, dtype=np.int64)
        first_key = self.months.first_key
        for column, person_id in enumerate(self.ids.tolist()):
            history = histories[person_id]
            person = people[person_id]
            mine: list[tuple[int, ...]] = []
            for low, high, combo in person.combos:
                number = combo_numbers.get(combo)
                if number is None:
                    number = combo_numbers[combo] = len(self.combos)
                    self.combos.append(combo)
                mine.extend(
                    (start, end, number) for start, end in intersect(history.member, [(low, high)])
                )
            pieces.append(mine)
            touched.append(list(history.touched))
            cohort[column] = month_key(history.first_joined) - first_key
            if history.left_company_on is not None:
                # Censored from the month after the one they left the company in.
                censored_from[column] = month_key(history.left_company_on) + 1 - first_key
        self.piece_start, self.piece_end, self.piece_combo = _table(pieces, 3, 0)
        self.touched_start, self.touched_end = _table(touched, 2, 0)
        self.cohort = cohort
        self.censored_from = censored_from

    def index_of(self, person_ids: np.ndarray) -> np.ndarray:
        """Dense indices of `person_ids`; −1 for people without a stint here."""
        if self.ids.size == 0:
            return np.full(person_ids.size, -1, dtype=np.int64)
        position = np.searchsorted(self.ids, person_ids)
        position = np.minimum(position, self.ids.size - 1)
        return np.where(self.ids[position] == person_ids, position, -1)

    def add_pieces(
        self,
        counters: DayCounters,
        figure: str,
        person: np.ndarray,
        start: np.ndarray,
        end: np.ndarray,
    ) -> None:
        """Count each person on the days [start, end) when they were a member, in the
        combo they were in on each day."""
        width = counters.size + 1
        combos = len(self.combos)
        totals = np.zeros(combos * width, dtype=np.int64)
        for k in range(self.piece_start.shape[0]):
            low = np.maximum(start, self.piece_start[k][person])
            high = np.minimum(end, self.piece_end[k][person])
            low = np.clip(low - counters.first, 0, counters.size)
            high = np.clip(high - counters.first, 0, counters.size)
            hit = low < high
            combo = self.piece_combo[k][person][hit] * width
            totals += np.bincount(combo + low[hit], minlength=combos * width)
            totals -= np.bincount(combo + high[hit], minlength=combos * width)
        for number, combo in enumerate(self.combos):
            counters.add_diff(figure, combo, totals[number * width : (number + 1) * width])

    def combo_at(self, person: np.ndarray, day: np.ndarray) -> np.ndarray:
        """The combo number each person was in at the end of `day` as a member; −1 when not
        a member then."""
        combo = np.full(person.size, -1, dtype=np.int64)
        for k in range(self.piece_start.shape[0]):
            hit = (self.piece_start[k][person] <= day) & (day < self.piece_end[k][person])
            combo[hit] = self.piece_combo[k][person][hit]
        return combo

    def touched_in(self, person: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
        """Whether each person was a member at some moment of the days [first, last]."""
        touched = np.zeros(person.size, dtype=bool)
        for k in range(self.touched_start.shape[0]):
            touched |= (self.touched_start[k][person] <= last) & (
                first < self.touched_end[k][person]
            )
        return touched
