"""`practica bench registration-rush`: the first minutes of a popular event's registration.

gunicorn serves the throw-away database as `practica serve` runs it (the same WSGI app and
gthread workers; the worker and thread counts are options, defaults sized for a small box).
One event has `--seats` seats and a waiting list of `--waitlist` places; `--attempts` POSTs
to `/api/v1/events/{id}/registrations` come from `--concurrency` keep-alive connections, each
signed with a member's personal access token. A share of the attempts (`--repeats`) are the
same member again: half at once, on another connection (a double click), half later (a
retried request) — each must get the same registration back, answered 200.

Then the database is checked: `overbooked` seats beyond the capacity (holding statuses
counted from the rows), `duplicates` (members with more than one registration row, or made
active twice: two 201 answers), `counter_drift` (the seat row's counters against the rows),
`server_errors` (5xx answers and failed connections) and `unanswered` attempts.
`registrations_per_second` is attempts answered per second of the rush (each attempt decided:
a seat, a waiting-list place, a refusal, or the same registration again);
`seats_per_second` is how fast the seats went. The members' tokens are made as
`create_access_token` makes them, never used yet: each member's first request also notes the
token's use, as in life. `--with-worker` adds the Celery worker `practica serve` runs, which
renders the confirmation mails while the rush goes on, on the same cores.
"""

import argparse
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from practica.bench.question_page_bench import free_port, percentile
from practica.bench.rush_client import Attempt, get_request, post_request, run_rush

HOST = "127.0.0.1"
# An unusable password ("!" prefix): hashing thousands of real ones would dominate the set-up.
UNUSABLE = "!bench"
START_TIMEOUT_SECONDS = 60
DESCRIPTION = (
    "A registration rush over HTTP: N attempts from C concurrent members for S seats; checks "
    "no overbooking, no duplicates, no server errors."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    cores = os.cpu_count() or 2
    parser.add_argument("--seats", type=int, default=1000)
    parser.add_argument("--attempts", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument(
        "--waitlist", type=int, default=None, help="Waiting-list places (default: seats / 2)."
    )
    parser.add_argument(
        "--repeats", type=float, default=0.1, help="Share of attempts that repeat a member."
    )
    parser.add_argument("--workers", type=int, default=cores + 1, help="gunicorn processes.")
    parser.add_argument("--threads", type=int, default=4, help="Threads per gunicorn process.")
    parser.add_argument(
        "--with-worker",
        action="store_true",
        help="Also run a Celery worker, as `practica serve` does, rendering the confirmation "
        "mails during the rush (on the same cores).",
    )


def validate(options: argparse.Namespace) -> str | None:
    if options.seats < 1 or options.attempts < 1 or options.concurrency < 1:
        return "--seats, --attempts and --concurrency must be positive whole numbers."
    if options.waitlist is not None and options.waitlist < 0:
        return "--waitlist must be 0 or more."
    if not 0 <= options.repeats < 1:
        return "--repeats must be a share from 0 up to (not including) 1."
    if options.workers < 1 or options.threads < 1:
        return "--workers and --threads must be positive whole numbers."
    return None


def build_rush(*, seats: int, waitlist: int, members: int):  # type: ignore[no-untyped-def]
    """An open, published event with `seats` in-person seats and `waitlist` places, and
    `members` members with a personal access token each; returns (event, tokens)."""
    from django.conf import settings
    from django.utils import timezone

    from practica.communities.models import Community, Membership, MembershipRole
    from practica.events.services.events import create_event
    from practica.people.models import PersonalAccessToken, User
    from practica.people.services import hash_token_secret

    now = timezone.now()
    community = Community.objects.create(name="Machine Learning", slug="machine-learning")
    organizer = User.objects.create(
        email="organizer@bench.example", display_name="Organizer", password=UNUSABLE
    )
    Membership.objects.create(community=community, person=organizer, role=MembershipRole.MANAGER)
    event = create_event(
        community=community,
        actor=organizer,
        title="Machine Learning Conference",
        starts_at=now + timedelta(days=30),
        ends_at=now + timedelta(days=31),
        time_zone="America/Los_Angeles",
        format="conference",
        mode="in_person",
        venue_city="Redmond",
        capacities={"in_person": seats},
        waitlist_limits={"in_person": waitlist},
        registration_opens_at=now - timedelta(minutes=1),
        publish=True,
    )
    people = User.objects.bulk_create(
        [
            User(email=f"member{n:06d}@bench.example", display_name=f"Member {n:06d}",
                 password=UNUSABLE)
            for n in range(members)
        ],
        batch_size=2000,
    )  # fmt: skip
    prefix = settings.PRACTICA_API_TOKEN_PREFIX
    tokens, rows = [], []
    for person in people:
        # As `create_access_token` makes them: a lookup prefix and the SHA-256 of the secret.
        lookup = secrets.token_hex(6)
        secret = f"{prefix}{lookup}_{secrets.token_urlsafe(32)}"
        tokens.append(secret)
        rows.append(
            PersonalAccessToken(
                user=person, name="bench", lookup_prefix=lookup,
                token_hash=hash_token_secret(secret), created_at=now - timedelta(days=7),
            )
        )  # fmt: skip
    PersonalAccessToken.objects.bulk_create(rows, batch_size=2000)
    return event, tokens


def count_queries(event_id: int, token: str) -> int:
    """SQL queries of one registration through the whole stack (in this process)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    path = f"/api/v1/events/{event_id}/registrations"
    with CaptureQueriesContext(connection) as captured:
        response = client.post(path, data="{}", content_type="application/json")
    if response.status_code != 201:
        raise RuntimeError(f"A registration answered {response.status_code}, not 201.")
    return len(captured.captured_queries)


def schedule(tokens: list[str], *, attempts: int, path: str, port: int, seed: int = 5):
    """`attempts` attempts by len(tokens) members: every member once, the rest repeats, half
    of them right after the member's first attempt (a double click), half later."""
    rng = random.Random(seed)
    order = list(range(len(tokens)))
    rng.shuffle(order)
    repeats = attempts - len(order)
    again = rng.sample(order, repeats) if repeats else []
    clicks, retries = set(again[: repeats // 2]), again[repeats // 2 :]
    sequence: list[int] = []
    for member in order:
        sequence.append(member)
        if member in clicks:
            sequence.append(member)
    for member in retries:
        first = sequence.index(member)
        sequence.insert(rng.randint(first + 1, len(sequence)), member)
    return [
        Attempt(member, post_request(host=HOST, port=port, path=path, token=tokens[member]))
        for member in sequence
    ]


def start_server(port: int, *, workers: int, threads: int, log: Path) -> subprocess.Popen[bytes]:
    """gunicorn as `practica serve` runs it, on this process's throw-away database."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "practica.settings"}
    command = [
        sys.executable, "-m", "gunicorn", "practica.wsgi:application",
        "--bind", f"{HOST}:{port}", "--workers", str(workers), "--worker-class", "gthread",
        "--threads", str(threads), "--timeout", "120", "--keep-alive", "60",
        "--backlog", "2048", "--error-logfile", str(log),
    ]  # fmt: skip
    return subprocess.Popen(  # noqa: S603 — our own argv
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )


def start_worker() -> subprocess.Popen[bytes]:
    """A Celery worker as `practica serve` runs it (threads pool, four of them), no beat."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "practica.settings"}
    command = [
        sys.executable, "-m", "celery", "-A", "practica", "worker", "--pool", "threads",
        "--concurrency", "4", "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    return subprocess.Popen(  # noqa: S603 — our own argv
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def wait_until_up(port: int, server: subprocess.Popen[bytes]) -> None:
    import http.client

    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode} while starting.")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within a minute.")


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _cpu_seconds(pid: int, ticks: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc; 0 where unreadable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime


def _processes(*, parent: int | None = None, name: str | None = None) -> list[int]:
    """Pids of `parent` and its children, or of the processes called `name` (Linux /proc)."""
    found = [] if parent is None else [parent]
    proc = Path("/proc")
    for entry in proc.iterdir() if proc.is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        command, rest = stat[stat.find("(") + 1 : stat.rfind(")")], stat.rsplit(")", 1)[1].split()
        if (parent is not None and int(rest[1]) == parent) or (name and command == name):
            found.append(int(entry.name))
    return found


class CpuMeter:
    """CPU seconds spent during the rush by the server (gunicorn's processes), by this process
    (the client) and, on a local PostgreSQL, by the database's processes. Per process: the
    database's backends for the server's connections were opened during the warm-up."""

    def __init__(self, server_pid: int, worker_pid: int | None = None) -> None:
        self.server_pid, self.worker_pid = server_pid, worker_pid
        self.ticks = os.sysconf("SC_CLK_TCK")
        self.started: dict[str, dict[int, float]] = {}
        self.spent: dict[str, float] = {}

    def _sample(self) -> dict[str, dict[int, float]]:
        from django.db import connection

        groups = {"server": _processes(parent=self.server_pid)}
        if self.worker_pid is not None:
            groups["worker"] = _processes(parent=self.worker_pid)
        if connection.vendor == "postgresql":
            groups["database"] = _processes(name="postgres")
        sample = {
            name: {pid: _cpu_seconds(pid, self.ticks) for pid in pids}
            for name, pids in groups.items()
        }
        sample["client"] = {0: time.process_time()}
        return sample

    def start(self) -> None:
        self.started = self._sample()

    def stop(self) -> None:
        for name, ended in self._sample().items():
            before = self.started.get(name, {})
            self.spent[name] = sum(value - before.get(pid, 0.0) for pid, value in ended.items())

    def figures(self) -> dict[str, float]:
        return {f"{name}_cpu_seconds": round(value, 2) for name, value in self.spent.items()}


def check_database(event, attempts: list[Attempt]) -> dict[str, int | None]:  # type: ignore[no-untyped-def]
    """What the rows say: seats held, places waiting, overbooking, duplicates, counter drift."""
    from django.db.models import Count

    from practica.events.models import SEAT_HOLDING, EventSeats, Registration, RegistrationStatus

    rows = Registration.objects.filter(event=event)
    holding = rows.filter(status__in=SEAT_HOLDING).count()
    waiting = rows.filter(status=RegistrationStatus.WAITLISTED).count()
    seats = EventSeats.objects.get(event=event, mode="in_person")
    twice_in_rows = rows.values("person_id").annotate(n=Count("id")).filter(n__gt=1).count()
    created = Counter(a.member for a in attempts if a.status == 201)
    deferred = any(field.name == "notice_pending" for field in Registration._meta.fields)
    return {
        "registered": holding,
        "waitlisted": waiting,
        "overbooked": max(0, holding - (seats.capacity or holding)),
        "duplicates": twice_in_rows + sum(1 for n in created.values() if n > 1),
        "counter_drift": abs(seats.taken - holding) + abs(seats.waitlisted - waiting),
        # Confirmation mails still to render (all of them without a worker).
        "notices_pending": rows.filter(notice_pending=True).count() if deferred else None,
    }


def run(
    *,
    seats: int,
    attempts: int,
    concurrency: int,
    waitlist: int | None,
    repeats: float,
    workers: int,
    threads: int,
    with_worker: bool = False,
) -> dict[str, object]:
    waitlist = seats // 2 if waitlist is None else waitlist
    members = max(1, attempts - round(attempts * repeats))
    event, tokens = build_rush(seats=seats, waitlist=waitlist, members=members + 1)
    # One registration's queries, counted on a twin event so the rush's event stays untouched.
    twin, twin_token = _twin(event)
    queries = count_queries(twin.pk, twin_token)
    path = f"/api/v1/events/{event.pk}/registrations"
    port = free_port()
    plan = schedule(tokens[:members], attempts=attempts, path=path, port=port)
    warmup = [
        get_request(host=HOST, port=port, path=f"/api/v1/events/{event.pk}", token=tokens[-1])
    ]
    with tempfile.TemporaryDirectory(prefix="practica-rush-") as scratch:
        log = Path(scratch) / "gunicorn.log"
        server = start_server(port, workers=workers, threads=threads, log=log)
        worker = start_worker() if with_worker else None
        cpu = CpuMeter(server.pid, worker.pid if worker else None)
        try:
            wait_until_up(port, server)
            seconds = run_rush(
                host=HOST, port=port, attempts=plan, concurrency=concurrency, warmup=warmup,
                on_start=cpu.start,
            )  # fmt: skip
            cpu.stop()
        finally:
            stop(server)
            if worker is not None:
                stop(worker)
        errors = [a for a in plan if a.status >= 500 or a.status == 0]
        if errors:
            sys.stderr.write(log.read_text(errors="replace")[-4000:])
    figures = check_database(event, plan)
    answered = [a for a in plan if a.status]
    filled = sorted(a.answered_at for a in plan if a.status == 201 and a.outcome == "registered")
    started = min(a.sent_at for a in plan)
    fill_seconds = filled[seats - 1] - started if len(filled) >= seats else None
    latencies = [a.milliseconds for a in answered] or [0.0]
    statuses = Counter(a.status for a in plan)
    return {
        "seats": seats,
        "attempts": attempts,
        "registered": figures["registered"],
        "waitlisted": figures["waitlisted"],
        "rejected": statuses[409],
        "server_errors": len(errors),
        "overbooked": figures["overbooked"],
        "duplicates": figures["duplicates"],
        "seconds": round(seconds, 3),
        "registrations_per_second": round(len(answered) / seconds, 1) if seconds else 0.0,
        "seats_per_second": round(seats / fill_seconds, 1) if fill_seconds else None,
        "unanswered": attempts - len(answered),
        "repeats_answered_200": statuses[200],
        "counter_drift": figures["counter_drift"],
        "other_answers": sum(n for s, n in statuses.items() if s not in (0, 200, 201, 409)),
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "queries_per_registration": queries,
        "concurrency": concurrency,
        "workers": workers,
        "threads": threads,
        "with_worker": with_worker,
        "notices_pending": figures["notices_pending"],
        **cpu.figures(),
    }


def _twin(event):  # type: ignore[no-untyped-def]
    """A copy of `event` with a few seats, and a new member's token, for counting queries."""
    import uuid

    from practica.events.models import Event, EventSeats
    from practica.people.models import User
    from practica.people.services import create_access_token

    twin = Event.objects.get(pk=event.pk)
    twin.pk, twin.uid, twin.title = None, uuid.uuid4(), f"{event.title} (twin)"
    twin._state.adding = True
    twin.save()
    EventSeats.objects.create(event=twin, mode="in_person", capacity=10, waitlist_limit=10)
    person = User.objects.create(email="twin@bench.example", display_name="Twin", password=UNUSABLE)
    _token, secret = create_access_token(user=person, name="bench")
    return twin, secret
