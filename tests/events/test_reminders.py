"""Reminders a day and an hour before: to whom, when, once, with the invitation."""

from datetime import UTC, datetime, timedelta

import pytest

from practica.communities.models import MembershipRole
from practica.events.models import Event, EventStatus, RegistrationStatus
from practica.events.services.events import update_event
from practica.events.services.reminders import ReminderReport, send_due_reminders
from practica.events.tasks import send_event_reminders
from practica.mail.models import OutboundMessage
from tests.concurrency import postgres_only, run_concurrently
from tests.events.outbox import outbox_backend, sent_mails
from tests.factories.communities import MembershipFactory
from tests.factories.events import EventFactory, RegistrationFactory
from tests.factories.people import UserFactory

pytestmark = [
    pytest.mark.unit,
    pytest.mark.django_db,
    pytest.mark.usefixtures(outbox_backend.__name__),
]

START = datetime(2031, 3, 4, 17, 0, tzinfo=UTC)
LONG_AGO = START - timedelta(days=10)


@pytest.fixture
def event():
    return EventFactory(
        title="Diffusion models", starts_at=START, ends_at=START + timedelta(hours=1)
    )


def seat(event, **kwargs):
    kwargs.setdefault("registered_at", LONG_AGO)
    return RegistrationFactory(event=event, **kwargs)


def test_nothing_is_due_two_days_before(event):
    seat(event)
    assert send_due_reminders(now=START - timedelta(days=2)) == ReminderReport()
    assert OutboundMessage.objects.count() == 0


def test_the_day_reminder_goes_once_to_everyone_holding_a_seat(event):
    registered = seat(event)
    offered = seat(
        event,
        status=RegistrationStatus.OFFERED,
        offer_expires_at=START - timedelta(hours=6),
    )
    seat(event, status=RegistrationStatus.WAITLISTED, waitlist_position=1)
    seat(event, status=RegistrationStatus.CANCELLED)
    seat(event, status=RegistrationStatus.EXPIRED)
    now = START - timedelta(hours=23)

    report = send_due_reminders(now=now)

    assert report == ReminderReport(day_events=1, day_mails=2)
    mails = sent_mails()
    assert sorted(mail.to for mail in mails) == sorted(
        [registered.person.email, offered.person.email]
    )
    for mail in mails:
        assert mail.subject == "Coming up: Diffusion models"
        assert str(mail.invitation["METHOD"]) == "REQUEST"
        assert mail.vevent.decoded("DTSTART").astimezone(UTC) == START
    offered_mail = next(mail for mail in mails if mail.to == offered.person.email)
    assert "Your seat is not confirmed yet" in offered_mail.text
    assert offered_mail.vevent["ATTENDEE"].params["PARTSTAT"] == "NEEDS-ACTION"
    event.refresh_from_db()
    assert event.day_reminder_sent_at == now
    assert event.hour_reminder_sent_at is None
    registered.refresh_from_db()
    assert registered.reminders_sent == 1

    # The next beat ticks send nothing more.
    assert send_due_reminders(now=now + timedelta(minutes=5)) == ReminderReport()
    assert OutboundMessage.objects.count() == 2


def test_the_hour_reminder_follows_in_the_last_hour(event):
    registered = seat(event)
    send_due_reminders(now=START - timedelta(hours=20))
    report = send_due_reminders(now=START - timedelta(minutes=55))
    assert report == ReminderReport(hour_events=1, hour_mails=1)
    hour = sent_mails()[-1]
    assert hour.subject == "Starting within the hour: Diffusion models"
    assert "https://meet.example.com/talk" in hour.text
    registered.refresh_from_db()
    assert registered.reminders_sent == 2
    assert send_due_reminders(now=START - timedelta(minutes=50)) == ReminderReport()


def test_in_the_last_hour_only_the_hour_reminder_goes(event):
    seat(event)
    report = send_due_reminders(now=START - timedelta(minutes=30))
    assert report == ReminderReport(hour_events=1, hour_mails=1)
    assert send_due_reminders(now=START - timedelta(minutes=20)) == ReminderReport()


def test_nothing_once_the_event_started(event):
    seat(event)
    assert send_due_reminders(now=START + timedelta(minutes=1)) == ReminderReport()


def test_late_registrants_are_not_reminded_of_what_their_confirmation_said(event):
    early = seat(event)
    seat(event, registered_at=START - timedelta(hours=3))
    send_due_reminders(now=START - timedelta(hours=2))
    assert [mail.to for mail in sent_mails()] == [early.person.email]


def test_drafts_and_cancelled_events_get_no_reminders():
    for status in (EventStatus.DRAFT, EventStatus.CANCELLED):
        event = EventFactory(status=status, starts_at=START, ends_at=START + timedelta(hours=1))
        seat(event)
    assert send_due_reminders(now=START - timedelta(hours=5)) == ReminderReport()
    assert OutboundMessage.objects.count() == 0


def test_an_event_without_registrants_is_marked_all_the_same(event):
    report = send_due_reminders(now=START - timedelta(hours=5))
    assert report == ReminderReport(day_events=1, day_mails=0)
    assert Event.objects.get(pk=event.pk).day_reminder_sent_at is not None


def test_a_moved_event_is_reminded_again_at_its_new_time(event):
    registered = seat(event)
    send_due_reminders(now=START - timedelta(hours=23))
    organizer = MembershipFactory(community=event.community, role=MembershipRole.ORGANIZER).person
    new_start = START + timedelta(days=2)
    update_event(
        event=event, actor=organizer, starts_at=new_start, ends_at=new_start + timedelta(hours=1)
    )
    report = send_due_reminders(now=new_start - timedelta(hours=23))
    assert report.day_mails == 1
    reminders = [
        m for m in sent_mails(to_email=registered.person.email) if "Coming up" in m.subject
    ]
    assert len(reminders) == 2
    assert reminders[-1].vevent.decoded("SEQUENCE") == 1
    assert reminders[-1].vevent.decoded("DTSTART").astimezone(UTC) == new_start


def test_each_reminder_is_in_the_recipients_language():
    start = datetime(2031, 3, 4, 17, 0, tzinfo=UTC)
    event = EventFactory(starts_at=start, ends_at=start + timedelta(hours=1), time_zone="UTC")
    person = UserFactory(preferred_language="zh-hans", time_zone="Asia/Shanghai")
    seat(event, person=person)
    send_due_reminders(now=start - timedelta(hours=2))
    [mail] = sent_mails()
    assert '<html lang="zh-hans">' in mail.html
    assert "2031年3月5日" in mail.text  # 01:00 the next day in Shanghai
    assert "01:00–02:00 (Asia/Shanghai)" in mail.text


def test_the_beat_task_runs_the_service(event):
    seat(event)
    # The task reads the clock itself; an event starting within the hour is due now.
    now = datetime.now(UTC)
    soon = EventFactory(starts_at=now + timedelta(minutes=30), ends_at=now + timedelta(minutes=90))
    seat(soon, registered_at=now - timedelta(days=1))
    result = send_event_reminders.delay().get()
    assert result == {"day_events": 0, "day_mails": 0, "hour_events": 1, "hour_mails": 1}


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_reminder_once():
    start = datetime(2031, 3, 4, 17, 0, tzinfo=UTC)
    event = EventFactory(starts_at=start, ends_at=start + timedelta(hours=1))
    for _ in range(5):
        seat(event)
    now = start - timedelta(hours=10)
    errors = run_concurrently([lambda: send_due_reminders(now=now)] * 4)
    assert errors == []
    assert OutboundMessage.objects.count() == 5
    assert {r.reminders_sent for r in event.registrations.all()} == {1}


def test_every_events_beat_entry_names_a_task_that_runs(settings):
    from practica.events import tasks

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    for task in (
        tasks.send_event_reminders,
        tasks.expire_seat_offers,
        tasks.request_event_feedback,
    ):
        assert task.name in scheduled
        assert task.acks_late
    assert tasks.expire_seat_offers.delay().get() == 0
    assert tasks.request_event_feedback.delay().get() == 0
