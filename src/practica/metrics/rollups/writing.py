"""Writing rollup rows: a community's rows of one table replaced in one transaction.

Rows go in as tuples through `core.bulk.insert_rows` (COPY on PostgreSQL, multi-row INSERTs
on SQLite): a rebuild writes hundreds of thousands of rows, and model instances would cost
more than the database does. Each table's replacement is its own short transaction, so
SQLite's single writer is never held for a whole rebuild.
"""

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection, models, transaction

from practica.core.bulk import adapters, insert_rows

BATCH = 5000


def replace_rows(
    model: type[models.Model],
    stale: Sequence[models.QuerySet],
    columns: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
) -> int:
    """Delete the `stale` querysets' rows (in order: dependent rows first) and insert `rows`
    (tuples of Python values for `columns`) in one transaction; returns the rows written.
    The deletes skip the ORM's collector: rollup rows have no signals and nothing else
    points at them."""
    converters = _converters(model, columns)
    prepared: Iterable[tuple[Any, ...]] = rows
    if any(convert is not None for convert in converters):
        prepared = (
            tuple(
                value if convert is None else convert(value)
                for value, convert in zip(row, converters, strict=True)
            )
            for row in rows
        )
    written = 0
    with transaction.atomic():
        for queryset in stale:
            queryset._raw_delete(queryset.db)
        if connection.vendor == "postgresql":
            return _copy_text(model, columns, rows)
        batch: list[tuple[Any, ...]] = []
        for row in prepared:
            batch.append(row)
            if len(batch) >= BATCH * 4:
                written += insert_rows(model, columns, batch)
                batch = []
        if batch:
            written += insert_rows(model, columns, batch)
    return written


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):  # dates and date-times (aware: the offset is written)
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value)
    return str(value).translate(_ESCAPES)


def _format_of(field: models.Field) -> Any:
    """How a column's values are written: for columns that cannot be null, integers with
    `str` and dates with `isoformat` (the bulk of the rows); `_text` for everything else."""
    if field.null:
        return _text
    if isinstance(field, models.IntegerField | models.ForeignKey | models.AutoField):
        return str
    if isinstance(field, models.DateTimeField):
        return datetime.isoformat
    if isinstance(field, models.DateField):
        return date.isoformat
    return _text


def _copy_text(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> int:
    """PostgreSQL: the rows as COPY text, written in large blocks: formatting a line here
    costs a fraction of adapting each value as a parameter, and a rebuild writes millions."""
    fields = {field.attname: field for field in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    names = ", ".join(quote(str(fields[name].column)) for name in columns)
    statement = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN"
    rows = list(rows)  # drawn first: a generator that queries would block the busy connection
    formats = [_format_of(fields[name]) for name in columns]
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for start in range(0, len(rows), BATCH):
            lines = [
                "\t".join([form(value) for form, value in zip(formats, row, strict=True)])
                for row in rows[start : start + BATCH]
            ]
            copy.write(("\n".join(lines) + "\n").encode())
    return len(rows)


def _converters(model: type[models.Model], columns: Sequence[str]) -> list[Any]:
    """Per column, how a Python value becomes a database value (None: as it is)."""
    dt, js = adapters()
    fields = {field.attname: field for field in model._meta.concrete_fields}
    converters: list[Any] = []
    for name in columns:
        field = fields[name]
        if isinstance(field, models.DateTimeField):
            converters.append(dt if connection.vendor != "postgresql" else None)
        elif isinstance(field, models.DateField):
            converters.append(_day if connection.vendor != "postgresql" else None)
        elif isinstance(field, models.JSONField):
            converters.append(js)
        else:
            converters.append(None)
    return converters


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()
