"""Real concurrent writers for tests: each callable in its own thread and database connection."""

import threading

import pytest
from django.db import connection

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
)


def run_concurrently(targets):
    """Run every callable at once (released together by a barrier); return the errors raised."""
    barrier = threading.Barrier(len(targets))
    errors = []

    def run(target):
        try:
            barrier.wait()
            target()
        except Exception as error:  # returned to the caller, which asserts on them
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(target,)) for target in targets]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return errors
