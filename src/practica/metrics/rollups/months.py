"""Monthly participation (CommunityMonth) and cohort retention (CohortCell) rows.

A month's figures are read on its reference day: its last day, or the last built day for
the month in progress. members_end = members at the end of the reference day; active =
of those, the ones with a qualifying activity on a day of the month; engaged = of the
active, the ones with a contributing one; peripheral = members_end − active; kind_counts =
for each activity kind, the members at the reference day who did it in the month.

Cohorts: a person's cohort is the month their first stint in the community began. For the
cohort c and each month k from c to the last built month: size = the cohort's people;
active = of them, the ones who were a member at some moment of k and did a qualifying
activity in k; censored = of them, the ones not active in k who had left the company before
k began (`User.left_on`, or else the day their latest stint closed with the reason "left the
company", is before k's first day).
"""

from collections.abc import Iterator
from typing import Any

import numpy as np

from practica.metrics.rollups.activity_days import KINDS, ActivityTallies
from practica.metrics.rollups.calendar import month_of_key
from practica.metrics.rollups.people_arrays import PeopleArrays
from practica.metrics.rollups.segments import DayCounters

MonthRow = tuple[str, Any, int, int, int, int, dict[str, int]]
CohortRow = tuple[Any, Any, int, int, int]


def month_rows(
    counters: DayCounters, tallies: ActivityTallies, arrays: PeopleArrays, *, start_month: int
) -> Iterator[MonthRow]:
    """(segment, month, members_end, active, engaged, peripheral, kind_counts) for every
    segment and month from `start_month` (a month number of `arrays.months`) on."""
    months = arrays.months
    segments = set(counters.segments)
    for combo in arrays.combos:
        segments.update(combo)
    for segment in sorted(segments):
        members = counters.values("members", segment)
        chosen = [number for number, combo in enumerate(arrays.combos) if segment in combo]
        active = tallies.month_active[chosen].sum(axis=0)
        engaged = tallies.month_engaged[chosen].sum(axis=0)
        kinds = tallies.month_kinds[chosen].sum(axis=0)
        for number in range(start_month, months.count):
            members_end = members[int(months.reference[number]) - counters.first]
            counts = kinds[number]
            yield (
                segment,
                month_of_key(months.first_key + number),
                members_end,
                int(active[number]),
                int(engaged[number]),
                members_end - int(active[number]),
                {KINDS[k]: int(counts[k]) for k in np.flatnonzero(counts)},
            )


def cohort_rows(
    tallies: ActivityTallies, arrays: PeopleArrays, *, start_month: int
) -> Iterator[CohortRow]:
    """(cohort, month, size, active, censored) for every cohort and month from the
    cohort's month (or `start_month`, when later) to the last built month."""
    count = arrays.months.count
    sizes = np.bincount(arrays.cohort, minlength=count)
    # Censoring starts the month after the person left the company and lasts; a month they
    # are active in again (rehired) takes them out of it for that month.
    leaving = arrays.censored_from < count
    starts = np.maximum(arrays.censored_from[leaving], arrays.cohort[leaving])
    censoring = np.bincount(
        arrays.cohort[leaving] * count + starts, minlength=count * count
    ).reshape(count, count)
    censored = np.cumsum(censoring, axis=1) - tallies.back_in
    for cohort in np.flatnonzero(sizes).tolist():
        for number in range(max(cohort, start_month), count):
            yield (
                month_of_key(arrays.months.first_key + cohort),
                month_of_key(arrays.months.first_key + number),
                int(sizes[cohort]),
                int(tallies.cohort_active[cohort, number]),
                int(censored[cohort, number]),
            )
