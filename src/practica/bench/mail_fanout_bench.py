"""`practica bench mail-fanout`: one post to every member of a list in mailing-list mode.

Builds a community of `--members` members who all chose every message, starts a local SMTP
sink (aiosmtpd) and a real Celery worker process (threads pool, the embedded broker in the
bench's scratch folder), then posts a reply through the service, as a member would. From the
post's commit to the sink's last accepted message, everything is the production path: the
on-commit task that enqueues one outbox row per member, the delivery tasks it schedules, and
the worker's SMTP sessions. `seconds` is that span; `duplicates` counts (Message-ID,
recipient) pairs the sink received more than once.
"""

import argparse
import asyncio
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections import Counter

DESCRIPTION = "Deliver one list post to N members in mailing-list mode via the worker and SMTP."
WAIT_LIMIT_SECONDS = 300


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--members", type=int, default=7000)
    parser.add_argument("--worker-threads", type=int, default=4)


def validate(options: argparse.Namespace) -> str | None:
    if options.members < 1:
        return "--members must be a positive whole number."
    if options.worker_threads < 1:
        return "--worker-threads must be a positive whole number."
    return None


_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]*>)", re.IGNORECASE | re.MULTILINE)


class _Sink:
    """An SMTP server that counts what it accepts, per Message-ID and recipient. It reads the
    Message-ID with a regular expression: a full parse would compete with the worker for the
    same two cores and slow what is measured."""

    def __init__(self) -> None:
        self.pairs: Counter[tuple[bytes, str]] = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]  # noqa: N802
        head = envelope.original_content.split(b"\r\n\r\n", 1)[0]
        found = _MESSAGE_ID.search(head)
        message_id = found.group(1) if found else b""
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.pairs[(message_id, recipient.lower())] += 1
        return "250 2.0.0 Accepted"

    def totals(self, message_id: str) -> tuple[int, int]:
        """(recipients who got `message_id`, copies beyond the first) so far."""
        wanted = message_id.encode()
        with self.lock:
            counts = [n for (found, _rcpt), n in self.pairs.items() if found == wanted]
        return len(counts), sum(counts) - len(counts)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _build_list(members: int):  # type: ignore[no-untyped-def]
    from django.contrib.auth.hashers import make_password

    from practica.communities.models import Community, Membership
    from practica.mail.models import DeliveryMode, ListSubscription
    from practica.people.models import User

    community = Community.objects.create(name="Machine Learning", slug="machine-learning")
    password = make_password(None)
    people = User.objects.bulk_create(
        [
            User(
                email=f"member{n:05d}@example.com",
                display_name=f"Member {n:05d}",
                password=password,
            )
            for n in range(members + 1)
        ],
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        [Membership(community=community, person=person) for person in people], batch_size=2000
    )
    ListSubscription.objects.bulk_create(
        [
            ListSubscription(person=person, community=community, mode=DeliveryMode.EVERY)
            for person in people
        ],
        batch_size=2000,
    )
    return community, people[0]


def _enqueued(post_id: int) -> int:
    from practica.mail.models import OutboundMessage

    return OutboundMessage.objects.filter(
        idempotency_key__startswith=f"list.post-{post_id}."
    ).count()


def _start_worker(port: int, threads: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DELIVERY_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
    }
    command = [
        sys.executable, "-m", "celery", "-A", "practica", "worker", "--pool", "threads",
        "--concurrency", str(threads), "--loglevel", "WARNING", "--without-gossip",
        "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    return subprocess.Popen(command, env=env)  # noqa: S603 — our own argv


def run(*, members: int = 7000, worker_threads: int = 4, **_options: object) -> dict[str, object]:
    from aiosmtpd.controller import Controller
    from django.db import transaction

    from practica.discussions.email import post_message_id
    from practica.discussions.models import Post
    from practica.discussions.services.threads import create_thread, post_reply
    from practica.mail.models import OutboundMessage

    community, author = _build_list(members)
    thread = create_thread(
        community=community,
        author=author,
        kind="question",
        title="Which evaluation harness do you use for LLM agents?",
        body="We are choosing one for the field teams.",
    )
    # Only the reply's fan-out is measured: the opening post counts as mailed already.
    Post.objects.filter(thread=thread).update(list_mail_sent_at=thread.created_at)
    OutboundMessage.objects.all().delete()
    sink = _Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, loop=asyncio.new_event_loop())
    controller.start()
    worker = _start_worker(port, worker_threads)
    try:
        time.sleep(3)  # the worker connects to the broker before the clock starts
        started = time.perf_counter()
        with transaction.atomic():
            post = post_reply(
                thread=thread,
                author=author,
                body="We use our own harness on top of the open evaluation suites.",
            )
        message_id = post_message_id(post)
        finished = enqueued = started
        while time.perf_counter() - started < WAIT_LIMIT_SECONDS:
            if enqueued == started and _enqueued(post.pk) >= members:
                enqueued = time.perf_counter()  # the fan-out's rows are all in the outbox
            delivered, _duplicates = sink.totals(message_id)
            if delivered >= members or worker.poll() is not None:
                break
            time.sleep(0.1)
        finished = time.perf_counter()
        time.sleep(1)  # anything sent twice would arrive now
        delivered, duplicates = sink.totals(message_id)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        controller.stop()
    seconds = finished - started
    return {
        "members": members,
        "messages": _enqueued(post.pk),
        "delivered": delivered,
        "duplicates": duplicates,
        "seconds": round(seconds, 2),
        "messages_per_second": round(delivered / seconds, 1) if seconds > 0 else 0.0,
        "enqueued_seconds": round(max(0.0, enqueued - started), 2),
    }
