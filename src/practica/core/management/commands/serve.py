"""`practica serve`: the embedded deployment — gunicorn, a Celery worker and beat in one command.

Production runs the three as separate processes (README, "Running in production").
"""

import os
import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

CHILD_GRACE_SECONDS = 10


class Command(BaseCommand):
    help = "Serve Practica: a production web server (gunicorn) plus a Celery worker with beat."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on.")
        parser.add_argument(
            "--web-workers", type=int, default=3, help="Gunicorn worker processes (default 3)."
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Serve the web only (for when a worker runs elsewhere).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        port = options["port"]
        if not 0 < port < 65536:
            raise CommandError("--port must be between 1 and 65535.")
        call_command("collectstatic", interactive=False, verbosity=0)
        self.children: list[subprocess.Popen[bytes]] = []
        self.stopping = False
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)

        bind = f"{options['host']}:{port}"
        self._spawn(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "practica.wsgi:application",
                "--bind",
                bind,
                "--workers",
                str(max(1, options["web_workers"])),
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                "--timeout",
                "60",
                "--graceful-timeout",
                str(CHILD_GRACE_SECONDS),
                "--access-logfile",
                "-",
            ]
        )
        if not options["no_worker"]:
            schedule = str(settings.CELERY_BEAT_SCHEDULE_FILENAME)
            self._spawn(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "practica",
                    "worker",
                    "--beat",
                    "--schedule",
                    schedule,
                    "--pool",
                    "threads",
                    "--concurrency",
                    "4",
                    "--loglevel",
                    "INFO",
                    "--without-gossip",
                    "--without-mingle",
                ]
            )
        self.stdout.write(self.style.SUCCESS(f"Practica is serving at http://{bind}/"))
        exit_code = self._supervise()
        sys.exit(exit_code)

    def _spawn(self, command: list[str]) -> None:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "practica.settings"}
        self.children.append(subprocess.Popen(command, env=env))  # noqa: S603 — our own argv

    def _supervise(self) -> int:
        """Wait until a signal arrives or a child dies; then stop the rest."""
        while not self.stopping:
            for child in self.children:
                code = child.poll()
                if code is not None:
                    self.stderr.write(f"{child.args[2]} exited with {code}; stopping the others.")
                    self._terminate_children()
                    return code or 1
            time.sleep(0.5)
        self._terminate_children()
        return 0

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True

    def _terminate_children(self) -> None:
        for child in self.children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + CHILD_GRACE_SECONDS + 5
        for child in self.children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
