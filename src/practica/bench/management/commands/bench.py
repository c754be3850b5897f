"""`practica bench NAME [options]`: run a benchmark on a throw-away database, print JSON last."""

import argparse
import json
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from practica.bench.registry import BENCHMARKS, known_benchmarks, load_benchmark
from practica.bench.throwaway import is_throwaway_child, throwaway_environment

BAD_USAGE = 2


class BenchmarkOptionParser(argparse.ArgumentParser):
    """Option errors become a CommandError with exit code 2 instead of exiting the process."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise CommandError(f"{self.prog}: {message}", returncode=BAD_USAGE)


class Command(BaseCommand):
    help = (
        "Run a benchmark and print its figures as one JSON object on the last line of stdout. "
        "It runs on a throw-away database: a temporary SQLite file, or, when DATABASE_URL names "
        "a PostgreSQL server, a practica_bench_<pid> database created and dropped there. "
        "The demo database is never touched. Known benchmarks: " + ", ".join(known_benchmarks())
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="One of: " + ", ".join(known_benchmarks()))
        parser.add_argument(
            "bench_args", nargs=argparse.REMAINDER, help="The benchmark's own options."
        )

    def handle(self, *args: object, **options: object) -> None:
        name = str(options["name"])
        if name not in BENCHMARKS:
            raise CommandError(
                f"Unknown benchmark {name!r}. Known benchmarks: {', '.join(known_benchmarks())}.",
                returncode=BAD_USAGE,
            )
        benchmark = load_benchmark(name)
        parser = BenchmarkOptionParser(
            prog=f"practica bench {name}", description=benchmark.DESCRIPTION
        )
        benchmark.add_arguments(parser)
        bench_args = [str(arg) for arg in options["bench_args"] or []]
        parsed = parser.parse_args(bench_args)
        problem = benchmark.validate(parsed) if hasattr(benchmark, "validate") else None
        if problem:
            raise CommandError(problem, returncode=BAD_USAGE)
        if is_throwaway_child():
            self._run_here(name, benchmark, parsed)
        else:
            self._run_in_child(name, bench_args)

    def _run_here(self, name: str, benchmark: object, parsed: argparse.Namespace) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        figures = benchmark.run(**vars(parsed))
        result = {"bench": name, "database": connection.vendor, **figures}
        self.stdout.write(json.dumps(result))

    def _run_in_child(self, name: str, bench_args: list[str]) -> None:
        with throwaway_environment() as env:
            command = [sys.executable, "-m", "practica.cli", "bench", name, *bench_args]
            child = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if child.stderr:
            self.stderr.write(child.stderr, ending="")
        if child.stdout:
            self.stdout.write(child.stdout, ending="")
        if child.returncode != 0:
            raise CommandError(
                f"The {name} benchmark failed (exit code {child.returncode}).",
                returncode=child.returncode,
            )
