"""The benchmarks `practica bench NAME` knows: name → module. Each capability adds its line.

A benchmark module defines `DESCRIPTION`, `add_arguments(parser)` and `run(**options) -> dict`
returning its figures under snake_case keys (times as `seconds` or `*_ms`). It runs in a child
process whose database is a throw-away one, already migrated.
"""

import importlib
from types import ModuleType

BENCHMARKS: dict[str, str] = {
    "assignment": "practica.bench.assignment_bench",
    "dashboard": "practica.bench.dashboard_bench",
    "demo": "practica.bench.demo_bench",
    "mail-fanout": "practica.bench.mail_fanout_bench",
    "mbox-import": "practica.bench.mbox_import_bench",
    "question-page": "practica.bench.question_page_bench",
    "registration-rush": "practica.bench.registration_rush",
    "routing": "practica.bench.routing_bench",
    "search": "practica.bench.search_bench",
}


def known_benchmarks() -> list[str]:
    return sorted(BENCHMARKS)


def load_benchmark(name: str) -> ModuleType:
    """The benchmark's module; KeyError for an unknown name."""
    return importlib.import_module(BENCHMARKS[name])
