"""Throw-away databases for benchmarks: never the demo database, never the one DATABASE_URL names.

Settings are fixed when Django starts, so a benchmark runs in a child process whose environment
points at the throw-away database: a temporary SQLite file by default, or a freshly created
`practica_bench_<pid>` database on the PostgreSQL server DATABASE_URL names, dropped afterwards.
"""

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.conf import settings

CHILD_FLAG = "PRACTICA_BENCH_CHILD"
DATABASE_MARKER = "PRACTICA_BENCH_DATABASE"
MAINTENANCE_DATABASE = "postgres"


def server_url() -> str:
    """The database URL this process was configured with ('' for the default SQLite file)."""
    return getattr(settings, "DATABASE_URL", "") or ""


def _is_postgres(url: str) -> bool:
    return urlsplit(url).scheme in {"postgres", "postgresql", "pgsql", "postgis"}


def _admin_connection(url: str):
    import psycopg

    config = dj_database_url.parse(url)
    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "autocommit": True,
    }
    try:
        return psycopg.connect(dbname=MAINTENANCE_DATABASE, **params)
    except psycopg.OperationalError:
        # No access to the maintenance database: connect to the named one, only to issue DDL.
        return psycopg.connect(dbname=config["NAME"], **params)


@contextmanager
def _postgres_database(url: str, env: dict[str, str]) -> Iterator[None]:
    from psycopg import sql

    name = f"practica_bench_{os.getpid()}"
    identifier = sql.Identifier(name)
    with _admin_connection(url) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(identifier))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(identifier))
    parts = urlsplit(url)
    env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    env[DATABASE_MARKER] = name
    try:
        yield
    finally:
        with _admin_connection(url) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(identifier))


@contextmanager
def throwaway_environment() -> Iterator[dict[str, str]]:
    """The environment of a child process that runs against a throw-away database."""
    env = dict(os.environ)
    # The child must not fall back to a test or developer database through these.
    for variable in ("TEST_DATABASE_URL", "PRACTICA_TESTING", "PRACTICA_SQLITE_PATH"):
        env.pop(variable, None)
    env[CHILD_FLAG] = "1"
    env["DJANGO_SETTINGS_MODULE"] = "practica.settings"
    package_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    url = server_url()
    with tempfile.TemporaryDirectory(prefix="practica-bench-") as scratch:
        env["PRACTICA_DATA_DIR"] = str(Path(scratch) / "data")
        # The embedded broker in the scratch folder: a running deployment's worker must never
        # take a benchmark's tasks (they would run against the deployment's database).
        env["CELERY_BROKER_URL"] = "filesystem://"
        if url and _is_postgres(url):
            with _postgres_database(url, env):
                yield env
        else:
            env.pop("DATABASE_URL", None)
            sqlite_path = str(Path(scratch) / "bench.sqlite3")
            env["PRACTICA_SQLITE_PATH"] = sqlite_path
            env[DATABASE_MARKER] = sqlite_path
            yield env


def is_throwaway_child() -> bool:
    """True in a child process whose default database is the throw-away one it was given."""
    marker = os.environ.get(DATABASE_MARKER)
    name = str(settings.DATABASES["default"]["NAME"])
    return os.environ.get(CHILD_FLAG) == "1" and bool(marker) and name == marker
