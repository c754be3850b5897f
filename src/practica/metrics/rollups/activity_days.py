"""Activity figures per day and month, from the ledger in one pass, computed on arrays.

The ledger's qualifying rows (`definitions.activity`: every kind but joined, left, asked to
join, role changed, profile updated and routed) of counted people are read as (person, local
day number, kind) into numpy arrays; everything after is whole-array arithmetic, as a
Python loop over millions of rows would take minutes.

For the day d (as of `day_end(d)`): active_1d = members at the day's end with a qualifying
activity on d; active_28d = members at the day's end with one in (day_end(d) − 28 days,
day_end(d)], i.e. on a day in [d − 27, d]. A person's activity days a₁ < a₂ < … cover the
days [aᵢ, min(aᵢ + 28, aᵢ₊₁)): disjoint stretches whose union is the days they count, so
a difference array can add them without counting anyone twice. engaged_28d: the same with
the contributing kinds only. Each stretch is then cut to the person's membership pieces
(member at the day's end, in one combo of segments: see `people_arrays`).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from django.db import connection
from django.db.models.functions import TruncDate
from django.utils import timezone

from practica.core.models import Activity, ActivityKind
from practica.metrics.definitions.activity import ACTIVE_DAYS, ENGAGED_KINDS, NOT_QUALIFYING
from practica.metrics.definitions.population import COUNTED_PERSON
from practica.metrics.rollups.calendar import day_start, site_zone
from practica.metrics.rollups.people_arrays import PeopleArrays
from practica.metrics.rollups.segments import DayCounters

ACTIVITY_FIGURES = ("active_1d", "active_28d", "engaged_28d")
KINDS = tuple(str(kind) for kind in ActivityKind)
KIND_CODES = {kind: code for code, kind in enumerate(KINDS)}
ENGAGED_CODES = np.array(sorted(KIND_CODES[str(kind)] for kind in ENGAGED_KINDS))
CHUNK = 50000


@dataclass
class ActivityTallies:
    """Months (relative to the first built day's month) and cohorts, per combo of segments.

    month_active[c, m], month_engaged[c, m]: members (at month m's reference day, in combo
    c) active / engaged in m; month_kinds[c, m, k]: of them, the ones who did kind k.
    cohort_active[h, m]: people of cohort h (a month index) member at some moment of m and
    active in m; back_in[h, m]: of those, people who had left the company before m."""

    month_active: np.ndarray
    month_engaged: np.ndarray
    month_kinds: np.ndarray
    cohort_active: np.ndarray
    back_in: np.ndarray


def _ledger_rows(community_id: int, since: date | None) -> Iterator[tuple[int, Any, str]]:
    """(person, local day, kind) through the ORM (SQLite; PostgreSQL reads `_copy_ledger`)."""
    rows = Activity.objects.filter(COUNTED_PERSON, community_id=community_id).exclude(
        kind__in=NOT_QUALIFYING
    )
    if since is not None:
        rows = rows.filter(occurred_at__gte=day_start(since))
    rows = rows.annotate(day=TruncDate("occurred_at", tzinfo=site_zone()))
    return rows.values_list("person_id", "day", "kind").iterator(chunk_size=CHUNK)


def _packed_ledger(community_id: int, since: date | None) -> tuple[np.ndarray, ...]:
    """PostgreSQL: the ledger's qualifying rows as three packed binary strings (big-endian
    person ids, local day numbers and kind codes, in one scan so in one order) read
    straight into arrays: the server computes the day number and the kind's code, and no
    Python object is made per row (millions of rows: most of a rebuild's reading)."""
    quote = connection.ops.quote_name
    activity = quote(Activity._meta.db_table)
    person = quote(Activity._meta.get_field("person").related_model._meta.db_table)
    query = (
        "SELECT string_agg(int8send(a.person_id), ''::bytea),"  # noqa: S608 - _meta names
        " string_agg(int4send(((a.occurred_at AT TIME ZONE %s)::date"
        " - DATE '0001-01-01' + 1)::int4), ''::bytea),"
        " string_agg(int4send((coalesce(array_position(%s::text[], a.kind::text), 0) - 1)::int4),"
        " ''::bytea)"
        f" FROM {activity} a JOIN {person} p ON p.id = a.person_id"
        " WHERE a.community_id = %s AND NOT p.is_system AND NOT p.is_placeholder"
        " AND a.kind <> ALL(%s::text[])"
    )
    params: list[Any] = [
        timezone.get_default_timezone_name(),
        list(KINDS),
        community_id,
        [str(kind) for kind in NOT_QUALIFYING],
    ]
    if since is not None:
        query += " AND a.occurred_at >= %s"
        params.append(day_start(since))
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        people, days, kinds = cursor.fetchone()
    return (
        np.frombuffer(people or b"", dtype=">i8").astype(np.int64),
        np.frombuffer(days or b"", dtype=">i4").astype(np.int64),
        np.frombuffer(kinds or b"", dtype=">i4").astype(np.int64),
    )


def load_ledger(community_id: int, since: date | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(person ids, local day numbers, kind codes) of the qualifying rows, unordered."""
    if connection.vendor == "postgresql":
        packed = _packed_ledger(community_id, since)
        return packed[0], packed[1], packed[2]
    people: list[np.ndarray] = []
    days: list[np.ndarray] = []
    kinds: list[np.ndarray] = []
    chunk: list[tuple[int, Any, str]] = []
    codes = KIND_CODES

    def flush() -> None:
        if not chunk:
            return
        person_ids, day_values, names = zip(*chunk, strict=True)
        people.append(np.array(person_ids, dtype=np.int64))
        if day_values and isinstance(day_values[0], date):
            day_values = tuple(day.toordinal() for day in day_values)
        days.append(np.array(day_values, dtype=np.int64))
        kinds.append(np.array([codes.get(name, -1) for name in names], dtype=np.int64))
        chunk.clear()

    for row in _ledger_rows(community_id, since):
        chunk.append(row)
        if len(chunk) >= CHUNK:
            flush()
    flush()
    if not people:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    return np.concatenate(people), np.concatenate(days), np.concatenate(kinds)


def _unique_rows(keys: np.ndarray) -> np.ndarray:
    """Indices of the first of each run of equal keys in a sorted array."""
    if keys.size == 0:
        return np.zeros(0, dtype=np.int64)
    first = np.ones(keys.size, dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    return np.flatnonzero(first)


def _stretches(person: np.ndarray, day: np.ndarray, length: int) -> np.ndarray:
    """For sorted unique (person, day) rows: the end of each row's stretch of covered days,
    [day, min(day + length, next day of the same person))."""
    end = day + length
    if day.size > 1:
        same = person[1:] == person[:-1]
        end[:-1] = np.where(same, np.minimum(end[:-1], day[1:]), end[:-1])
    return end


def count_activity_days(
    counters: DayCounters,
    arrays: PeopleArrays,
    *,
    community_id: int,
    since: date | None,
) -> ActivityTallies:
    """Add the activity figures to `counters` and compute the monthly and cohort tallies.
    `since`: read only the ledger from that day (an incremental update: the caller keeps
    only the days and months whose figures it read whole)."""
    person_ids, days, kinds = load_ledger(community_id, since)
    keep = (days >= counters.first) & (days <= counters.last) & (kinds >= 0)
    index = arrays.index_of(person_ids)
    keep &= index >= 0
    person, day, kind = index[keep], days[keep], kinds[keep]
    order = np.lexsort((kind, day, person))
    person, day, kind = person[order], day[order], kind[order]
    engaged = np.isin(kind, ENGAGED_CODES)

    span = person * (counters.size + 2) + (day - counters.first)  # one key per person-day
    unique = _unique_rows(span)
    u_person, u_day = person[unique], day[unique]
    arrays.add_pieces(counters, "active_1d", u_person, u_day, u_day + 1)
    arrays.add_pieces(
        counters, "active_28d", u_person, u_day, _stretches(u_person, u_day, ACTIVE_DAYS)
    )
    e_unique = _unique_rows(span[engaged])
    e_person, e_day = person[engaged][e_unique], day[engaged][e_unique]
    arrays.add_pieces(
        counters, "engaged_28d", e_person, e_day, _stretches(e_person, e_day, ACTIVE_DAYS)
    )
    return _month_tallies(arrays, counters, person, day, kind, engaged)


def _month_tallies(  # noqa: PLR0917 - the arrays of one pass
    arrays: PeopleArrays,
    counters: DayCounters,
    person: np.ndarray,
    day: np.ndarray,
    kind: np.ndarray,
    engaged: np.ndarray,
) -> ActivityTallies:
    months = arrays.months
    combos = len(arrays.combos)
    n_months = months.count
    n_kinds = len(KINDS)
    month = months.of_day[day - counters.first]
    # (person, month) rows, and which of them had a contributing kind.
    pm = person * n_months + month
    pm_unique = np.unique(pm)
    pm_engaged = np.unique(pm[engaged])
    p_person, p_month = pm_unique // n_months, pm_unique % n_months
    was_engaged = np.isin(pm_unique, pm_engaged)
    combo = arrays.combo_at(p_person, months.reference[p_month])
    member = combo >= 0
    cell = combo[member] * n_months + p_month[member]
    month_active = np.bincount(cell, minlength=combos * n_months).reshape(combos, n_months)
    month_engaged = np.bincount(cell[was_engaged[member]], minlength=combos * n_months).reshape(
        combos, n_months
    )
    # (person, month, kind) rows of the members at the month's reference day.
    pmk = np.unique(pm * n_kinds + kind)
    k_person, k_rest = pmk // (n_months * n_kinds), pmk % (n_months * n_kinds)
    k_month, k_kind = k_rest // n_kinds, k_rest % n_kinds
    k_combo = arrays.combo_at(k_person, months.reference[k_month])
    k_member = k_combo >= 0
    k_cell = (k_combo[k_member] * n_months + k_month[k_member]) * n_kinds + k_kind[k_member]
    month_kinds = np.bincount(k_cell, minlength=combos * n_months * n_kinds).reshape(
        combos, n_months, n_kinds
    )
    # Cohorts: people member at some moment of the month and active in it.
    touched = arrays.touched_in(p_person, months.first_day[p_month], months.last_day[p_month])
    cohort = arrays.cohort[p_person[touched]]
    t_month = p_month[touched]
    cohort_cell = cohort * n_months + t_month
    cohort_active = np.bincount(cohort_cell, minlength=n_months * n_months).reshape(
        n_months, n_months
    )
    back = t_month >= arrays.censored_from[p_person[touched]]
    back_in = np.bincount(cohort_cell[back], minlength=n_months * n_months).reshape(
        n_months, n_months
    )
    return ActivityTallies(
        month_active=month_active,
        month_engaged=month_engaged,
        month_kinds=month_kinds,
        cohort_active=cohort_active,
        back_in=back_in,
    )
