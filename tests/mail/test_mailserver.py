"""`practica mailserver` with real SMTP and LMTP clients (smtplib) on a free port.

The server runs in a thread with its own database connections, so these tests commit
(transactional_db). The list handler is the recording double, except where noted.
"""

import os
import signal
import smtplib
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from practica.mail.addresses import reply_address
from practica.mail.mailserver import MailServer
from practica.mail.models import InboundMessage, InboundStatus, InboundVia, ListSettings
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.mail.conftest import free_port
from tests.mail.inbound_doubles import (
    RecordingListHandler,
    list_to,
    make_message,
    registered_handler,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CORPUS = Path(__file__).parent / "corpus"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def handler():
    with registered_handler(RecordingListHandler()) as recording:
        yield recording


@pytest.fixture
def members():
    community = CommunityFactory(slug="ml")
    ada = MembershipFactory(community=community, person__email="ada@example.org").person
    closed = CommunityFactory(slug="closed")
    ListSettings.objects.create(community=closed, accepts_mail=False)
    MembershipFactory(community=closed, person=ada)
    return ada


@pytest.fixture
def servers():
    started: list[MailServer] = []

    def start(*, lmtp: bool = False) -> MailServer:
        server = MailServer(host="127.0.0.1", port=free_port(), lmtp=lmtp)
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop(grace_seconds=5)


def smtp(server: MailServer) -> smtplib.SMTP:
    return smtplib.SMTP("127.0.0.1", server.port, timeout=10)


def test_smtp_member_mail_to_the_list_is_posted(servers, handler, members):
    server = servers()
    raw = make_message(sender="ada@example.org")

    with smtp(server) as client:
        refused = client.sendmail("ada@example.org", [list_to("ml")], raw)

    assert refused == {}
    [row] = InboundMessage.objects.all()
    assert (row.via, row.status, bytes(row.raw)) == (InboundVia.SMTP, InboundStatus.POSTED, raw)
    assert handler.calls[0][0] == "start"


def test_smtp_refuses_unknown_recipients_at_rcpt(servers, handler, members):
    server = servers()
    domain = list_to("ml").split("@")[1]
    raw = make_message(sender="ada@example.org")

    with smtp(server) as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            client.sendmail("ada@example.org", [f"nosuch@{domain}", "ml@other.example"], raw)
        partly = client.sendmail("ada@example.org", [f"nosuch@{domain}", list_to("ml")], raw)

    codes = dict(refused.value.recipients.items())
    assert {code for code, _text in codes.values()} == {550}
    assert all(text.startswith(b"5.1.1") for _code, text in codes.values())
    assert list(partly) == [f"nosuch@{domain}"]
    assert [row.recipients for row in InboundMessage.objects.all()] == [[list_to("ml")]]


def test_smtp_answers_once_with_the_worst_outcome(servers, handler, members):
    server = servers()
    raw = make_message(sender="ada@example.org")

    with smtp(server) as client, pytest.raises(smtplib.SMTPDataError) as failed:
        client.sendmail("ada@example.org", [list_to("ml"), list_to("closed")], raw)

    assert failed.value.smtp_code == 550
    assert failed.value.smtp_error.startswith(b"5.7.1")
    statuses = sorted(InboundMessage.objects.values_list("status", flat=True))
    assert statuses == [InboundStatus.POSTED, InboundStatus.REJECTED]


def test_lmtp_answers_once_per_recipient_in_order(servers, handler, members):
    server = servers(lmtp=True)
    raw = make_message(sender="ada@example.org")
    key = reply_address(person_id=members.pk, thread_id=5)

    with smtplib.LMTP("127.0.0.1", server.port, timeout=10) as client:
        client.ehlo()  # LHLO
        assert client.mail("ada@example.org")[0] == 250
        for recipient in (list_to("closed"), list_to("ml"), key):
            assert client.rcpt(recipient)[0] == 250
        first = client.data(raw)
        second, third = client.getreply(), client.getreply()
        assert client.noop()[0] == 250  # the dialogue is still in step

    assert first[0] == 550
    assert first[1].startswith(b"5.7.1")
    assert second == (250, b"2.0.0 Already posted; ignored")  # reply key went first
    assert third == (250, b"2.0.0 Posted")
    assert [call[:2] for call in handler.calls] == [("reply", 5)]
    assert set(InboundMessage.objects.values_list("via", flat=True)) == {InboundVia.LMTP}


def test_messages_over_the_size_limit_get_552(servers, handler, members, settings):
    settings.MAIL_MAX_MESSAGE_BYTES = 20_000
    server = servers()
    raw = make_message(sender="ada@example.org", body="words " * 10_000)

    with smtp(server) as client:
        with pytest.raises(smtplib.SMTPSenderRefused) as announced:  # SIZE= in MAIL FROM
            client.sendmail("ada@example.org", [list_to("ml")], raw)
        client.rset()
        client.mail("ada@example.org")  # without SIZE: refused after the data
        client.rcpt(list_to("ml"))
        unannounced = client.data(raw)

    assert announced.value.smtp_code == 552
    assert unannounced[0] == 552
    assert not InboundMessage.objects.exists()
    assert handler.calls == []


HOSTILE = {
    "empty-body-and-headers": b"\r\n",
    "no-header": b"just some words\r\nand more\r\n",
    "nul-bytes": b"From: ada@example.org\r\nSubject: a\x00b\r\n\r\nbody\x00with nul\r\n",
    "raw-8bit-headers": (
        "From: =?bogus?Q?x?= <ada@example.org>\r\nSubject: 你好 \udcff\r\n\r\nbody\r\n"
    ).encode("utf-8", "surrogateescape"),
    "unknown-charset": (
        b"From: ada@example.org\r\nSubject: =?x-unknown?B?SGVsbG8=?=\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\n\xff\xfe body\r\n"
    ),
    "header-injection": (
        b"From: ada@example.org\r\nSubject: hi\r\n bcc: victim@example.net\r\n"
        b"To: ml\r\n\r\nbody\r\n"
    ),
    "nested-multipart": (
        b"From: ada@example.org\r\nSubject: deep\r\n"
        + b"".join(
            f'Content-Type: multipart/mixed; boundary="b{depth}"\r\n\r\n--b{depth}\r\n'.encode()
            for depth in range(200)
        )
        + b"Content-Type: text/plain\r\n\r\ndeep body\r\n"
    ),
    "long-line": b"From: ada@example.org\r\nSubject: long\r\n\r\n" + b"x" * 100_000 + b"\r\n",
    "two-from": b"From: ada@example.org\r\nFrom: eve@example.org\r\nSubject: x\r\n\r\nbody\r\n",
    "missing-boundary": (
        b"From: ada@example.org\r\nSubject: mime\r\n"
        b"Content-Type: multipart/mixed\r\n\r\n--nothing\r\nhello\r\n"
    ),
}


def _samples() -> list[tuple[str, bytes]]:
    corpus = sorted(CORPUS.glob("**/*")) if CORPUS.is_dir() else []
    found = [
        (str(path.relative_to(CORPUS)), path.read_bytes()) for path in corpus if path.is_file()
    ]
    return found + sorted(HOSTILE.items())


def test_every_malformed_or_hostile_message_gets_a_clear_code(servers, handler, members):
    server = servers()
    samples = _samples()
    replies: dict[str, int] = {}

    with smtp(server) as client:
        client.ehlo()
        for name, raw in samples:
            client.rset()
            assert client.mail("ada@example.org")[0] == 250
            assert client.rcpt(list_to("ml"))[0] == 250
            code, text = client.data(raw)
            replies[name] = code
            assert code in (250, 500, 550, 552, 554), (name, code, text)
            assert text[:1].isdigit() or code == 500, (name, text)
        assert client.noop()[0] == 250

    stored = InboundMessage.objects.exclude(status=InboundStatus.RECEIVED)
    assert InboundStatus.FAILED not in set(stored.values_list("status", flat=True))
    assert not InboundMessage.objects.filter(status=InboundStatus.RECEIVED).exists()
    assert replies["long-line"] == 500  # over the line limit: refused by the listener itself
    assert replies["no-header"] == replies["empty-body-and-headers"] == 550
    handled = [name for name, _raw in samples if replies[name] != 500]
    rows = InboundMessage.objects.order_by("pk").values_list("status", flat=True)
    status_of = dict(zip(handled, rows, strict=True))
    for name, status in status_of.items():
        if name.startswith("auto_reply_") or name == "bounce_success_dsn.eml":
            assert status == InboundStatus.AUTO_REPLY, name
        elif name.startswith("bounce_"):
            assert status == InboundStatus.BOUNCE, name
    assert status_of["loop_own_list_mail.eml"] == InboundStatus.LOOP


def test_stopping_lets_the_message_being_handled_finish(servers, members):
    class SlowHandler(RecordingListHandler):
        def start_thread(self, **kwargs):
            time.sleep(0.5)
            return super().start_thread(**kwargs)

    server = servers()
    replies: list[object] = []

    def send() -> None:
        with smtp(server) as client:
            replies.append(
                client.sendmail(
                    "ada@example.org", [list_to("ml")], make_message(sender="ada@example.org")
                )
            )

    with registered_handler(SlowHandler()):
        sender = threading.Thread(target=send)
        sender.start()
        deadline = time.monotonic() + 5
        while not server.handler.in_flight and time.monotonic() < deadline:
            time.sleep(0.01)
        server.stop(grace_seconds=5)
        sender.join(5)

    assert replies == [{}]
    assert InboundMessage.objects.get().status == InboundStatus.POSTED
    with pytest.raises(ConnectionRefusedError):
        smtplib.SMTP("127.0.0.1", server.port, timeout=2)


def test_the_command_serves_until_sigterm(tmp_path):
    port = free_port()
    env = {**os.environ, "PRACTICA_SQLITE_PATH": str(tmp_path / "unused.sqlite3")}
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(  # noqa: S603 — our own manage.py, fixed arguments
        [sys.executable, str(ROOT / "manage.py"), "mailserver", "--port", str(port), "--lmtp"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline().decode()
        assert f"LMTP on 127.0.0.1:{port}" in banner
        with smtplib.LMTP("127.0.0.1", port, timeout=10) as client:
            assert client.ehlo()[0] == 250
            assert client.noop()[0] == 250
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert "Stopped." in output.decode()
