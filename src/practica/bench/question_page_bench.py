"""`practica bench question-page`: latency of a question page with 30 answers on the real server.

gunicorn serves the throw-away database exactly as `practica serve` runs it (same WSGI app,
worker class and threads), with settings that add one minimal view (`bench/bare/`) to compare
against. A signed-in member requests the page and the bare view alternately over one keep-alive
connection, after a warm-up; p50 / p99 of the page, p50 of the bare view, and their ratio.
"""

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import time
from datetime import timedelta

SERVER_SETTINGS = "practica.bench.server_settings"
BARE_PATH = "/bench/bare/"
START_TIMEOUT_SECONDS = 60
DESCRIPTION = (
    "p50/p99 of a question page with N answers served by gunicorn, next to a minimal view."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--answers", type=int, default=30)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)


def validate(options: argparse.Namespace) -> str | None:
    if options.answers < 0 or options.requests < 1 or options.warmup < 0:
        return "--answers and --warmup must be 0 or more, --requests at least 1."
    return None


def build_question(*, answers: int):  # type: ignore[no-untyped-def]
    """A community, a question with `answers` answers (votes, an accepted one) and a signed-in
    member's session; returns (thread, session key)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from practica.communities.models import Community, Membership
    from practica.core.markdown import render_markdown
    from practica.discussions.models import Post, QASettings, Thread, ThreadState, Vote
    from practica.people.models import User

    now = timezone.now()
    community = Community.objects.create(name="Bench Community", slug="bench-community")
    QASettings.objects.create(community=community)
    people = User.objects.bulk_create(
        [
            User(
                email=f"bench{i}@practica.example",
                display_name=f"Bench Member {i}",
                career_level=1 + i % 9,
                password="!",  # noqa: S106 — unusable
            )
            for i in range(answers + 2)
        ]
    )
    Membership.objects.bulk_create(
        [Membership(community=community, person=person, joined_at=now) for person in people]
    )
    asker, viewer = people[0], people[-1]
    asked = now - timedelta(days=2)
    body = (
        "Our training job hangs at a random step on the new cluster. Any idea?\n\n"
        "```python\nfor step, batch in enumerate(loader):\n    loss = model(**batch).loss\n```"
    )
    answer_body = (
        "Set `NCCL_SOCKET_IFNAME` to the InfiniBand interface; some ranks use Ethernet.\n\n"
        "```bash\nexport NCCL_SOCKET_IFNAME=ib0\nexport NCCL_DEBUG=INFO\n```\n\n"
        "With **NCCL_DEBUG** you see the chosen interface in each rank's log."
    )
    question_html, answer_html = render_markdown(body), render_markdown(answer_body)
    thread = Thread.objects.create(
        community=community,
        title="NCCL all-reduce hangs at random steps on the new GPU cluster",
        author=asker,
        created_at=asked,
        last_activity_at=asked + timedelta(minutes=answers + 30),
        answer_count=answers,
        state=ThreadState.ANSWERED if answers else ThreadState.OPEN,
    )
    posts = Post.objects.bulk_create(
        [Post(thread=thread, author=asker, is_opening=True, body=body, body_html=question_html,
              created_at=asked, author_career_level=asker.career_level)]
        + [
            Post(thread=thread, author=person, body=answer_body, body_html=answer_html,
                 created_at=asked + timedelta(minutes=30 + i), score=i % 3,
                 author_career_level=person.career_level, is_cross_org=False,
                 is_cross_level=(person.career_level or 0) < (asker.career_level or 0))
            for i, person in enumerate(people[1 : answers + 1])
        ]
    )  # fmt: skip
    Vote.objects.bulk_create(
        [Vote(post=post, voter=viewer, value=1) for post in posts[1:] if post.score]
    )
    if answers:
        first = posts[1]
        thread.first_response_at = first.created_at
        thread.first_response_seconds = 1800
        thread.accepted_answer, thread.accepted_at = first, first.created_at + timedelta(hours=1)
        thread.accepted_answer_seconds = 5400
        thread.state = ThreadState.ACCEPTED
        thread.save()
    session = SessionStore()
    session[SESSION_KEY] = str(viewer.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = viewer.get_session_auth_hash()
    session.create()
    return thread, session.session_key, viewer


def count_queries(path: str, viewer) -> int:  # type: ignore[no-untyped-def]
    """How many SQL queries one page view runs (in this process, through the test client)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(viewer)
    client.get(path)  # warm caches as the server's workers are
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    return len(captured.captured_queries)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int) -> subprocess.Popen[bytes]:
    """gunicorn with `practica serve`'s options, on the throw-away database of this process."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": SERVER_SETTINGS}
    command = [
        sys.executable, "-m", "gunicorn", "practica.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", "3", "--worker-class", "gthread",
        "--threads", "4", "--timeout", "60", "--keep-alive", "30",
    ]  # fmt: skip
    return subprocess.Popen(  # noqa: S603 — our own argv
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def wait_until_up(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode} while starting.")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", BARE_PATH)
            if connection.getresponse().status == 200:
                connection.close()
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within a minute.")


def timed_get(connection: http.client.HTTPConnection, path: str, cookie: str) -> float:
    started = time.perf_counter()
    connection.request("GET", path, headers={"Cookie": cookie})
    response = connection.getresponse()
    response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise RuntimeError(f"GET {path} answered {response.status}, not 200.")
    return elapsed


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(*, answers: int, requests: int, warmup: int) -> dict[str, object]:
    from django.conf import settings
    from django.core.management import call_command
    from django.urls import reverse

    call_command("collectstatic", interactive=False, verbosity=0)
    thread, session_key, viewer = build_question(answers=answers)
    path = reverse("discussions:thread", kwargs={"pk": thread.pk})
    queries = count_queries(path, viewer)
    cookie = f"{settings.SESSION_COOKIE_NAME}={session_key}"
    port = free_port()
    server = start_server(port)
    try:
        wait_until_up(port, server)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(warmup):
            timed_get(connection, path, cookie)
            timed_get(connection, BARE_PATH, cookie)
        page, bare = [], []
        for _ in range(requests):
            page.append(timed_get(connection, path, cookie))
            bare.append(timed_get(connection, BARE_PATH, cookie))
        connection.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    p50, bare_p50 = statistics.median(page), statistics.median(bare)
    return {
        "answers": answers,
        "requests": requests,
        "p50_ms": round(p50, 2),
        "p99_ms": round(percentile(page, 0.99), 2),
        "bare_p50_ms": round(bare_p50, 2),
        "ratio": round(p50 / bare_p50, 2),
        "queries": queries,
    }
