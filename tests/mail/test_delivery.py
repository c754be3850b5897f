"""Outbox delivery against a real SMTP server: commits, retries, outages, refusals, races."""

import threading
from datetime import timedelta

import pytest
from django.core.mail import EmailMessage, EmailMultiAlternatives, send_mail
from django.db import connection, transaction
from django.utils import timezone

from practica.core.outgoing_mail import IDEMPOTENCY_HEADER
from practica.mail.models import MessageStatus, OutboundMessage
from practica.mail.services import (
    claim_messages,
    deliver_due_messages,
    deliver_message,
    enqueue_message,
    retry_messages,
)
from tests.mail.conftest import make_queued_messages

pytestmark = pytest.mark.integration


def _mail(key: str, to: str = "ada@example.com") -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        f"Subject {key}", f"Text {key}", to=[to], headers={IDEMPOTENCY_HEADER: key}
    )
    message.attach_alternative(f"<p>HTML {key}</p>", "text/html")
    return message


def _send_then_fail() -> None:
    with transaction.atomic():
        send_mail("Never", "text", None, ["ada@example.com"])
        raise RuntimeError("the cause failed")


@pytest.mark.django_db(transaction=True)
def test_committed_mail_is_delivered_with_its_stored_message_id(smtp_server):
    with transaction.atomic():
        _mail("welcome-1").send()
        assert smtp_server.received == []  # nothing leaves before the commit

    row = OutboundMessage.objects.get()
    assert row.status == MessageStatus.SENT
    assert row.sent_at is not None
    assert row.attempts == 1
    [mail] = smtp_server.received
    assert mail.rcpt_tos == ("ada@example.com",)
    received = mail.message
    assert received["Subject"] == "Subject welcome-1"
    assert received["Message-ID"] == row.message_id
    assert received["To"] == "ada@example.com"
    assert received[IDEMPOTENCY_HEADER] is None
    assert received.get_body(preferencelist=("plain",)).get_content().strip() == "Text welcome-1"
    assert (
        received.get_body(preferencelist=("html",)).get_content().strip() == "<p>HTML welcome-1</p>"
    )


@pytest.mark.django_db(transaction=True)
def test_rolled_back_mail_creates_no_row_and_sends_nothing(smtp_server):
    with pytest.raises(RuntimeError):
        _send_then_fail()

    assert not OutboundMessage.objects.exists()
    assert deliver_due_messages().attempted == 0
    assert smtp_server.received == []


@pytest.mark.django_db(transaction=True)
def test_same_idempotency_key_twice_is_one_row_and_one_delivery(smtp_server):
    _mail("join-approved-5").send()
    _mail("join-approved-5").send()
    deliver_due_messages(now=timezone.now() + timedelta(days=1))

    assert OutboundMessage.objects.count() == 1
    assert len(smtp_server.received) == 1


@pytest.mark.django_db
def test_copies_of_one_mail_share_a_message_id_and_hide_bcc(
    smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        EmailMessage(
            "Agenda",
            "text",
            to=["ada@example.com"],
            cc=["grace@example.com"],
            bcc=["hidden@example.com"],
        ).send()

    received = smtp_server.received
    assert sorted(mail.rcpt_tos for mail in received) == [
        ("ada@example.com",),
        ("grace@example.com",),
        ("hidden@example.com",),
    ]
    assert len({mail.message["Message-ID"] for mail in received}) == 1
    for mail in received:
        assert mail.message["To"] == "ada@example.com"
        assert mail.message["Cc"] == "grace@example.com"
        assert "hidden@example.com" not in mail.message.as_string()


@pytest.mark.django_db
def test_outage_in_the_middle_of_a_batch_loses_nothing_and_sends_nothing_twice(smtp_server):
    for number in range(20):
        _mail(f"batch-{number}", to=f"person{number}@example.com").send()
    assert OutboundMessage.objects.filter(status=MessageStatus.QUEUED).count() == 20
    smtp_server.go_down_after(7)
    started = timezone.now()

    report = deliver_due_messages()

    assert (report.sent, report.deferred, report.failed) == (7, 13, 0)
    assert len(smtp_server.received) == 7
    deferred = OutboundMessage.objects.filter(status=MessageStatus.DEFERRED)
    assert deferred.count() == 13
    for row in deferred:
        assert row.attempts == 1
        assert row.next_attempt_at > started + timedelta(seconds=20)
        assert row.last_error.startswith("transport:")
    assert OutboundMessage.objects.filter(status=MessageStatus.SENT).count() == 7

    smtp_server.restart()
    assert deliver_due_messages().attempted == 0  # not due yet: backoff holds
    report = deliver_due_messages(now=timezone.now() + timedelta(hours=2))

    assert (report.sent, report.deferred, report.failed) == (13, 0, 0)
    counts = smtp_server.message_id_counts()
    stored = set(OutboundMessage.objects.values_list("message_id", flat=True))
    assert set(counts) == stored
    assert len(stored) == 20
    assert set(counts.values()) == {1}
    assert not OutboundMessage.objects.exclude(status=MessageStatus.SENT).exists()


@pytest.mark.django_db
def test_server_down_defers_with_growing_backoff_and_never_fails(smtp_server, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    row = enqueue_message(to="ada@example.com", subject="S", body_text="b", idempotency_key="k")
    smtp_server.stop()
    now = timezone.now()
    delays = []
    for _ in range(4):
        deliver_due_messages(now=now)
        row.refresh_from_db()
        assert row.status == MessageStatus.DEFERRED
        delays.append(row.next_attempt_at - now)
        now = row.next_attempt_at
    assert row.attempts == 4
    assert delays == sorted(delays)
    assert timedelta(seconds=24) <= delays[0] <= timedelta(seconds=30)
    assert timedelta(seconds=192) <= delays[3] <= timedelta(seconds=240)

    smtp_server.start()
    deliver_due_messages(now=now)
    row.refresh_from_db()
    assert row.status == MessageStatus.SENT
    assert len(smtp_server.received) == 1


@pytest.mark.django_db
def test_temporary_refusal_defers(smtp_server):
    smtp_server.refuse_recipients_with("451 4.7.1 Greylisted, try again later")
    row = enqueue_message(to="ada@example.com", subject="S", body_text="b", idempotency_key="k")
    before = timezone.now()

    report = deliver_message(message_id=row.pk)

    row.refresh_from_db()
    assert report.deferred == 1
    assert row.status == MessageStatus.DEFERRED
    assert row.attempts == 1
    assert "451" in row.last_error
    assert before + timedelta(seconds=23) < row.next_attempt_at < before + timedelta(seconds=31)

    smtp_server.refuse_recipients_with(None)
    deliver_due_messages(now=row.next_attempt_at)
    row.refresh_from_db()
    assert row.status == MessageStatus.SENT
    assert row.attempts == 2
    assert len(smtp_server.received) == 1


@pytest.mark.django_db
def test_permanent_refusal_fails_at_once_and_is_not_retried(smtp_server):
    smtp_server.refuse_recipients_with("550 5.1.1 No such user here")
    row = enqueue_message(to="ghost@example.com", subject="S", body_text="b", idempotency_key="k")

    report = deliver_due_messages()

    row.refresh_from_db()
    assert report.failed == 1
    assert row.status == MessageStatus.FAILED
    assert row.attempts == 1
    assert "550" in row.last_error
    smtp_server.refuse_recipients_with(None)
    assert deliver_due_messages(now=timezone.now() + timedelta(days=3)).attempted == 0
    assert smtp_server.received == []


@pytest.mark.django_db
def test_repeated_temporary_refusals_fail_after_max_attempts_then_retry_now_sends(
    smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    smtp_server.refuse_recipients_with("452 4.2.2 Mailbox full")
    row = enqueue_message(to="ada@example.com", subject="S", body_text="b", idempotency_key="k")
    now = timezone.now()
    statuses = []
    for _ in range(4):
        deliver_due_messages(now=now)
        row.refresh_from_db()
        statuses.append((row.status, row.attempts))
        now += timedelta(hours=2)

    assert statuses == [
        (MessageStatus.DEFERRED, 1),
        (MessageStatus.DEFERRED, 2),
        (MessageStatus.FAILED, 3),
        (MessageStatus.FAILED, 3),
    ]
    smtp_server.refuse_recipients_with(None)
    with django_capture_on_commit_callbacks(execute=True):
        assert retry_messages(message_ids=[row.pk]) == 1
    row.refresh_from_db()
    assert row.status == MessageStatus.SENT
    assert len(smtp_server.received) == 1


@pytest.mark.django_db
def test_a_sent_message_is_never_sent_again(smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = enqueue_message(to="ada@example.com", subject="S", body_text="b", idempotency_key="k")
    with django_capture_on_commit_callbacks(execute=True):
        assert retry_messages(message_ids=[row.pk]) == 0
    deliver_message(message_id=row.pk, now=timezone.now() + timedelta(days=1))
    deliver_due_messages(now=timezone.now() + timedelta(days=1))

    assert len(smtp_server.received) == 1


@pytest.mark.django_db
def test_a_stale_claim_is_taken_over_after_the_timeout(smtp_server, settings):
    row = enqueue_message(to="ada@example.com", subject="S", body_text="b", idempotency_key="k")
    [claimed] = claim_messages()  # a worker claims it, then dies before sending
    assert claimed.pk == row.pk

    assert deliver_due_messages().attempted == 0  # a fresh claim is respected
    settings.OUTBOX_CLAIM_TIMEOUT_SECONDS = 0
    assert deliver_due_messages().sent == 1

    row.refresh_from_db()
    assert row.status == MessageStatus.SENT
    assert len(smtp_server.received) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_deliver_each_message_exactly_once(smtp_server):
    """Six workers race over 200 due messages: SKIP LOCKED on PostgreSQL, IMMEDIATE on SQLite."""
    rows = make_queued_messages(200)
    workers = 6
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []
    sent_by_worker: list[int] = []

    def work() -> None:
        try:
            barrier.wait()
            sent_by_worker.append(deliver_due_messages(batch_size=10).sent)
        except BaseException as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sum(sent_by_worker) == 200
    counts = smtp_server.message_id_counts()
    assert set(counts) == {row.message_id for row in rows}
    assert set(counts.values()) == {1}
    assert OutboundMessage.objects.filter(status=MessageStatus.SENT, attempts=1).count() == 200


@pytest.mark.django_db
def test_the_beat_task_delivers_a_backlog_nobody_scheduled(smtp_server, settings):
    from practica.mail import tasks

    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert tasks.deliver_due_messages.name in schedule
    assert tasks.deliver_due_messages.acks_late
    make_queued_messages(3)

    result = tasks.deliver_due_messages.delay()

    assert result.get() == {"sent": 3, "deferred": 0, "failed": 0}
    assert len(smtp_server.received) == 3
