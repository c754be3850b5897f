"""Who is in which segment when, and per-day counters split by segment.

A person's division on a day is the depth-0 ancestor of the org unit of the affiliation
covering that day (`valid_from <= day < valid_to`; where rows overlap the one that started
first wins, as in `definitions.collaboration.AffiliationHistory`); on days no affiliation
with an org unit covers, the division of `User.org_unit` stands in. People rarely move, so
each person's divisions are kept as a short list of stretches of days.

Counters are difference arrays over the built days: adding a stretch of days costs two
additions whatever its length, and the per-day values are the running sums.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import QuerySet

from practica.metrics.rollups.affiliations import UnitHistory, division_ids
from practica.metrics.rollups.calendar import OPEN_END
from practica.people.models import User

EVERYONE = ""

Stretch = tuple[int, int, str]  # first day number, day number after the last, segment


Combo = tuple[str, ...]  # the segments a person is in at once: everyone, role, division


@dataclass(slots=True)
class Person:
    """One counted person's segments: the role segment and the division stretches, and the
    two as combos over days (most people have one combo for all their days)."""

    role_segment: str = ""
    divisions: list[Stretch] = field(default_factory=list)
    combos: list[tuple[int, int, Combo]] = field(default_factory=list)

    def division_on(self, day: int) -> str | None:
        for first, after, segment in self.divisions:
            if first <= day < after:
                return segment
        return None

    def combo_on(self, day: int) -> Combo:
        for first, after, combo in self.combos:
            if first <= day < after:
                return combo
        return self.combos[-1][2]  # never reached: the combos cover every day

    def settle(self) -> None:
        """Compute `combos` from the role and the division stretches."""
        base: Combo = (EVERYONE, self.role_segment) if self.role_segment else (EVERYONE,)
        combos: list[tuple[int, int, Combo]] = []
        cursor = 0
        for first, after, segment in self.divisions:
            if cursor < first:
                combos.append((cursor, first, base))
            combos.append((first, after, (*base, segment)))
            cursor = after
        if cursor < OPEN_END:
            combos.append((cursor, OPEN_END, base))
        self.combos = combos


def role_segment(role: str) -> str:
    return f"role:{role}"


def unit_segment(org_unit_id: int) -> str:
    return f"unit:{org_unit_id}"


def division_segments() -> dict[int, str]:
    """Every org unit's id → the segment of its division (its depth-0 ancestor)."""
    return {pk: unit_segment(division) for pk, division in division_ids().items()}


def load_people(
    person_ids: QuerySet, roles: dict[int, str], history: UnitHistory | None = None
) -> dict[int, Person]:
    """Each person in `roles` with their role segment and division stretches; `person_ids`
    is a values("person_id") query selecting them (a subquery: no id list is sent);
    `history`: the affiliations already read (else read here)."""
    people = {pk: Person(role_segment=role_segment(role)) for pk, role in roles.items()}
    divisions = division_segments()
    history = history if history is not None else UnitHistory(person_ids)
    fallback = dict(
        User.objects.filter(pk__in=person_ids, org_unit__isnull=False).values_list(
            "pk", "org_unit_id"
        )
    )
    for pk, person in people.items():
        home = fallback.get(pk)
        person.divisions = _stretches(
            history.rows_of(pk), divisions.get(home) if home is not None else None, divisions
        )
        person.settle()
    return people


def _stretches(
    rows: list[tuple[int, int, int | None]], fallback: str | None, divisions: dict[int, str]
) -> list[Stretch]:
    """Affiliations (ordered by start) as division stretches, gaps filled with `fallback`."""
    covered: list[Stretch] = []
    reached = -1  # the day number after the last day covered so far
    for valid_from, after, org_unit_id in rows:
        first = max(valid_from, reached)  # an overlap belongs to the row that started first
        if first >= after:
            continue
        reached = after
        if org_unit_id is not None and org_unit_id in divisions:
            covered.append((first, after, divisions[org_unit_id]))
    if fallback is None:
        return _joined(covered)
    filled: list[Stretch] = []
    cursor = 0
    for first, after, segment in covered:
        if cursor < first:
            filled.append((cursor, first, fallback))
        filled.append((first, after, segment))
        cursor = after
    if cursor < OPEN_END:
        filled.append((cursor, OPEN_END, fallback))
    return _joined(filled)


def _joined(stretches: list[Stretch]) -> list[Stretch]:
    """Adjacent stretches in the same division as one."""
    joined: list[Stretch] = []
    for stretch in stretches:
        if joined and joined[-1][2] == stretch[2] and joined[-1][1] == stretch[0]:
            joined[-1] = (joined[-1][0], stretch[1], stretch[2])
        else:
            joined.append(stretch)
    return joined


def merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Half-open intervals of day numbers, sorted and overlapping ones joined."""
    merged: list[tuple[int, int]] = []
    for first, after in sorted(intervals):
        if first >= after:
            continue
        if merged and first <= merged[-1][1]:
            if after > merged[-1][1]:
                merged[-1] = (merged[-1][0], after)
        else:
            merged.append((first, after))
    return merged


def intersect(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The days in both of two merged interval lists."""
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        first = max(a[i][0], b[j][0])
        after = min(a[i][1], b[j][1])
        if first < after:
            out.append((first, after))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def covers(intervals: list[tuple[int, int]], day: int) -> bool:
    return any(first <= day < after for first, after in intervals)


class DayCounters:
    """Per figure, difference arrays over the day numbers `[first, last]`, one per combo of
    segments (so a person's stretch of days is added once, not once per segment); a
    segment's values are the running sums of the combos it is part of."""

    def __init__(self, first: int, last: int, figures: Iterable[str]) -> None:
        self.first = first
        self.last = last
        self.size = last - first + 1
        self.figures = tuple(figures)
        # Lists while people are added one by one; numpy arrays once whole arrays are added.
        self.diffs: dict[str, dict[Combo, Any]] = {name: {} for name in self.figures}

    @property
    def segments(self) -> set[str]:
        found = {EVERYONE}
        for per_combo in self.diffs.values():
            for combo in per_combo:
                found.update(combo)
        return found

    def add(self, figure: str, person: Person, first: int, after: int) -> None:
        """Count `person` in `figure` on the days `[first, after)`, in every segment they
        are in on each of those days."""
        self.add_all(figure, person, ((first, after),))

    def add_all(self, figure: str, person: Person, intervals: Iterable[tuple[int, int]]) -> None:
        diffs = self.diffs[figure]
        base = self.first
        size = self.size
        combos = person.combos
        if len(combos) == 1:
            combo = combos[0][2]
            diff = diffs.get(combo)
            if diff is None:
                diff = diffs[combo] = [0] * (size + 1)
            for first, after in intervals:
                start = first - base
                end = after - base
                if start < 0:  # noqa: PLR1730 - hot loop: a comparison beats a call
                    start = 0
                if end > size:  # noqa: PLR1730
                    end = size
                if start < end:
                    diff[start] += 1
                    diff[end] -= 1
            return
        spans = list(intervals)
        for low, high, combo in combos:
            for first, after in spans:
                start = max(first, low) - base
                end = min(after, high) - base
                if start < 0:  # noqa: PLR1730 - hot loop: a comparison beats a call
                    start = 0
                if end > size:  # noqa: PLR1730
                    end = size
                if start < end:
                    diff = diffs.get(combo)
                    if diff is None:
                        diff = diffs[combo] = [0] * (size + 1)
                    diff[start] += 1
                    diff[end] -= 1

    def add_diff(self, figure: str, combo: Combo, diff: "np.ndarray") -> None:
        """Add a whole difference array (size + 1 long) for one combo."""
        current = self.diffs[figure].get(combo)
        self.diffs[figure][combo] = diff if current is None else np.asarray(current) + diff

    def values(self, figure: str, segment: str) -> list[int]:
        """The figure's per-day values for the segment (zeros where nobody counted)."""
        total = np.zeros(self.size + 1, dtype=np.int64)
        for combo, diff in self.diffs[figure].items():
            if segment in combo:
                total += np.asarray(diff, dtype=np.int64)
        return np.cumsum(total[: self.size]).tolist()
