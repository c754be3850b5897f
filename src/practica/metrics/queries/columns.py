"""Query rows straight off the cursor, as numpy columns, for panels that read tens of
thousands of fact rows: Django's per-value conversions (and parsing thousands of datetimes)
cost more than the queries themselves, so such queries select integers (moments as epoch
microseconds, flags as 0 and 1) and the panels work over the arrays."""

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import BigIntegerField, Func, QuerySet

from practica.metrics.queries.buckets import local_midnight

IntArray = npt.NDArray[np.int64]


@contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic garbage collection while reading many rows: tens of thousands of row tuples,
    none of them in a cycle and all freed once read into arrays, would otherwise set off
    hundreds of young-generation collections a page and, every few pages, a full one that
    walks every object of the process (a fifth of a second)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def raw_rows(query: QuerySet[Any]) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The column names and rows of a values query, as the database driver gives them."""
    names = [*query.query.values_select, *query.query.annotation_select]
    try:
        sql, params = query.query.get_compiler(using=query.db).as_sql()
    except EmptyResultSet:  # e.g. `.none()`: nothing to ask the database
        return names, []
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return names, cursor.fetchall()


def int_column(values: Iterable[Any], count: int) -> IntArray:
    return np.fromiter(values, dtype=np.int64, count=count)


def integer_columns(query: QuerySet[Any]) -> dict[str, IntArray]:
    """The rows of a values query selecting only integers (or booleans, as 0 and 1, and never
    NULL) as one array per column, by column name."""
    with collection_paused():
        names, rows = raw_rows(query)
        table = int_column(chain.from_iterable(rows), len(rows) * len(names))
        table = table.reshape(len(rows), len(names))
        del rows  # freed by reference count while collection is paused
    return {name: table[:, index] for index, name in enumerate(names)}


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class EpochMicroseconds(Func):
    """A moment as whole microseconds since 1970-01-01 UTC: thousands of integers load far
    faster than thousands of datetimes, and keep the moment exactly."""

    output_field = BigIntegerField()

    def as_postgresql(self, compiler, connection, **extra):  # type: ignore[no-untyped-def]
        # EXTRACT gives an exact numeric (PostgreSQL 14+), whole after scaling to µs.
        template = "(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint"
        return super().as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):  # type: ignore[no-untyped-def]
        # Django's own SQLite function for datetime differences, in microseconds.
        template = "django_timestamp_diff(%(expressions)s, '1970-01-01 00:00:00')"
        return super().as_sql(compiler, connection, template=template, **extra)


def epoch_microseconds(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def moment_buckets(buckets: Sequence[date], moments: IntArray) -> IntArray:
    """Each moment's bucket (index into `buckets`, their first days) by its local day: the
    last bucket starting on or before that day (the first, for a day before them all)."""
    starts = np.array([epoch_microseconds(local_midnight(day)) for day in buckets])
    return np.maximum(np.searchsorted(starts, moments, side="right") - 1, 0)
