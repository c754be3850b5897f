"""One row by primary key without compiling the query each time, for the hottest API paths.

Django compiles a queryset to SQL on every evaluation; for a whole-row fetch by id that costs
several times the query itself, and an API call in a registration rush begins with one. Here
the statement and the ORM's per-column converters are built once per model and database, and
the row becomes an instance through `Model.from_db`, as the ORM would make it.
"""

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connections, models

ModelT = TypeVar("ModelT", bound=models.Model)


@dataclass(frozen=True)
class _Statement:
    sql: str
    converters: list[tuple[int, list[Any], Any]]


_STATEMENTS: dict[tuple[str, type[models.Model], tuple[str, ...], bool], _Statement] = {}


def _statement(
    model: type[models.Model], alias: str, exact: dict[str, Any], for_update: bool
) -> _Statement:
    names = tuple(sorted(exact))
    key = (alias, model, names, for_update)
    statement = _STATEMENTS.get(key)
    if statement is None:
        rows = model._base_manager.filter(**exact).order_by()
        if for_update:
            rows = rows.select_for_update(of=("self",))
        compiler = rows.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        # One parameter per lookup, in the order of their names (as Q sorts keyword lookups);
        # anything else would bake this call's values into the statement.
        if len(params) != len(names):
            raise ValueError(f"Cannot prepare a lookup by {names} for {model.__name__}.")
        columns = [column for column, _, _ in compiler.select]
        converters = [
            (index, functions, column)
            for index, (functions, column) in compiler.get_converters(columns).items()
        ]
        statement = _STATEMENTS[key] = _Statement(sql=sql, converters=converters)
    return statement


def instance_by_pk(model: type[ModelT], pk: Any, *, using: str = "default") -> ModelT | None:
    """The `model` row with this id as an instance (all concrete fields loaded), or None.

    Reads through the base manager, so a default manager's filters do not apply.
    """
    return instance_where(model, using=using, pk=pk)


def instance_where(
    model: type[ModelT], *, using: str = "default", for_update: bool = False, **exact: Any
) -> ModelT | None:
    """The one `model` row whose fields equal `exact` (plain values: ids, text, numbers), or
    None; with `for_update`, locked until the caller's transaction ends (a no-op on SQLite,
    whose writers are serialised anyway)."""
    connection = connections[using]
    statement = _statement(model, using, exact, for_update)
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, [exact[name] for name in sorted(exact)])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for index, functions, column in statement.converters:
        for convert in functions:
            values[index] = convert(values[index], column, connection)
    field_names = [field.attname for field in model._meta.concrete_fields]
    return model.from_db(using, field_names, values)
