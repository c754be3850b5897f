"""Rows in bulk: tuples in, no model instances (the demo's Q&A, the list archive import).

`bulk_create` builds a model instance per row and prepares every value through its field;
for hundreds of thousands of rows that costs more than the database does. Here the caller
hands over tuples of database values (see `adapters`) and ids it chose, so rows can point at
each other before either is written:

- `allocate_ids(model, n)`: n fresh ids, safe beside other writers (PostgreSQL's sequence;
  on SQLite the ids above the largest ever used, under the IMMEDIATE transaction's lock);
- `first_id` + `reset_sequences`: for a writer alone on an idle database (the demo), ids
  counted up in Python and PostgreSQL's sequences moved past them at the end.

On SQLite several thousand rows go in one statement, so the FTS5 index (fed by a trigger
on core_searchentry) flushes its pending terms once per statement instead of once per row;
PostgreSQL gets the rows through COPY.
"""

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import NOT_PROVIDED

# As many rows per statement as the parameters allow, up to this: FTS5 merges fewer segments.
MAX_ROWS_PER_STATEMENT = 5000


def first_id(model: type[models.Model]) -> int:
    """The first free id of the model's table (ids above the current largest)."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608 - _meta name
        return int(cursor.fetchone()[0]) + 1


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` ids no row of `model` has or had; call inside the transaction that inserts."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), count],
            )
            return [int(row[0]) for row in cursor.fetchall()]
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {quoted}")  # noqa: S608 - _meta name
        largest = int(cursor.fetchone()[0])
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            largest = max(largest, int(row[0]) if row else 0)
    return list(range(largest + 1, largest + 1 + count))


def adapters() -> tuple[Callable[[datetime | None], Any], Callable[[Any], Any]]:
    """(dt, js) for the current database: a date-time, and a JSON value, as their columns
    take them (what DateTimeField and JSONField would prepare). Look them up once per step:
    asking the connection its vendor per value costs more than the conversion."""
    if connection.vendor == "postgresql":
        adapt_json = connection.ops.adapt_json_value
        return (lambda value: value), (lambda value: adapt_json(value, None))
    if connection.vendor != "sqlite":
        adapt_datetime = connection.ops.adapt_datetimefield_value
        return adapt_datetime, json.dumps

    def dt(value: datetime | None) -> str | None:
        """As Django stores it on SQLite: naive UTC, `str(datetime)`."""
        if value is None:
            return None
        if value.tzinfo is not UTC:
            value = value.astimezone(UTC)
        return value.isoformat(" ")[:-6]  # without "+00:00"

    return dt, json.dumps


def _max_params() -> int:
    if connection.vendor == "sqlite":
        return 32766 if sqlite3.sqlite_version_info >= (3, 32) else 999
    return 65535


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> int:
    """Insert `rows` (tuples of database values for `columns`, which name model fields by
    attname, e.g. "thread_id"). Concrete fields not named get their default, which must not
    depend on the row (a field with neither a default nor null=True must be named)."""
    fields = {field.attname: field for field in model._meta.concrete_fields}
    named = [fields[name] for name in columns]
    defaults = []
    for field in fields.values():
        if field.attname in columns or (field.primary_key and field.db_returning):
            continue
        if field.default is NOT_PROVIDED and not field.null:
            raise ValueError(f"{model.__name__}.{field.attname} needs a value.")
        value = field.get_default() if field.default is not NOT_PROVIDED else None
        defaults.append((field, field.get_db_prep_save(value, connection)))
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(f.column) for f in [*named, *(f for f, _ in defaults)])
    extra = tuple(value for _, value in defaults)
    if connection.vendor == "postgresql":
        return _copy(table, names, rows, extra)
    width = len(named) + len(extra)
    per_statement = max(1, min(MAX_ROWS_PER_STATEMENT, _max_params() // width))
    row_marks = "(" + ", ".join(["%s"] * width) + ")"
    head = f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608 - names from _meta
    count = 0
    with connection.cursor() as cursor:
        batch: list[Any] = []
        rows_in_batch = 0
        for row in rows:
            batch.extend(row)
            if extra:
                batch.extend(extra)
            rows_in_batch += 1
            if rows_in_batch == per_statement:
                cursor.execute(head + ", ".join([row_marks] * rows_in_batch), batch)
                count += rows_in_batch
                batch, rows_in_batch = [], 0
        if rows_in_batch:
            cursor.execute(head + ", ".join([row_marks] * rows_in_batch), batch)
            count += rows_in_batch
    return count


def _copy(table: str, names: str, rows: Iterable[tuple[Any, ...]], extra: tuple) -> int:
    """PostgreSQL: COPY … FROM STDIN (psycopg adapts each value as it would a parameter);
    a statement with tens of thousands of placeholders costs more to prepare than to run.
    The rows are drawn first: a generator that queries would block on the busy connection."""
    rows = list(rows)
    count = 0
    statement = f"COPY {table} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row + extra if extra else row)
            count += 1
    return count


def reset_sequences(*models_: type[models.Model]) -> None:
    """Move PostgreSQL's id sequences past the ids written here (nothing to do on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
