"""Reminder mails a day and an hour before an event, each with the invitation attached.

The beat runs `send_due_reminders` every few minutes. An event is due for its day reminder
from 24 hours before the start until an hour before (after that the hour reminder says it
all), and for its hour reminder in the last hour. Each goes once: the event row records when
it went (`day_reminder_sent_at`, `hour_reminder_sent_at`; the events service clears them when
the event moves), and the mails' idempotency keys name the start time as well.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from practica.events import mails
from practica.events.models import SEAT_HOLDING, Event, EventQuerySet, Registration

DAY_BEFORE = timedelta(hours=24)
HOUR_BEFORE = timedelta(hours=1)


@dataclass(frozen=True)
class ReminderReport:
    """What one run sent: events reminded and mails queued, per kind."""

    day_events: int = 0
    day_mails: int = 0
    hour_events: int = 0
    hour_mails: int = 0


def send_due_reminders(*, now: datetime | None = None) -> ReminderReport:
    """Queue the due day-before and hour-before reminders to everyone holding a seat.

    Published events only (never drafts or cancelled ones). Everyone registered or offered a
    seat is reminded, except those who registered after the reminder fell due: their
    confirmation, just sent, said the same. One transaction per event and kind, which locks the
    event row (`select_for_update`) and re-checks it is still due, so two beat workers never
    both send; each reminded registration's `reminders_sent` goes up by one.
    """
    now = now or timezone.now()
    day_events = day_mails = hour_events = hour_mails = 0
    for event_id in _due_ids(mails.DAY_REMINDER, now):
        sent = _remind(event_id, kind=mails.DAY_REMINDER, now=now)
        if sent is not None:
            day_events += 1
            day_mails += sent
    for event_id in _due_ids(mails.HOUR_REMINDER, now):
        sent = _remind(event_id, kind=mails.HOUR_REMINDER, now=now)
        if sent is not None:
            hour_events += 1
            hour_mails += sent
    return ReminderReport(
        day_events=day_events, day_mails=day_mails, hour_events=hour_events, hour_mails=hour_mails
    )


def _due(kind: str, now: datetime) -> EventQuerySet:
    events = Event.objects.published().filter(starts_at__gt=now)
    if kind == mails.DAY_REMINDER:
        return events.filter(
            starts_at__lte=now + DAY_BEFORE,
            starts_at__gt=now + HOUR_BEFORE,
            day_reminder_sent_at__isnull=True,
        )
    return events.filter(starts_at__lte=now + HOUR_BEFORE, hour_reminder_sent_at__isnull=True)


def _due_ids(kind: str, now: datetime) -> list[int]:
    return list(_due(kind, now).order_by("starts_at").values_list("pk", flat=True))


def _remind(event_id: int, *, kind: str, now: datetime) -> int | None:
    """Remind one event's seat holders; the number of mails, or None if no longer due."""
    lead = DAY_BEFORE if kind == mails.DAY_REMINDER else HOUR_BEFORE
    with transaction.atomic():
        event = (
            _due(kind, now)
            .select_for_update(of=("self",))
            .select_related("community")
            .filter(pk=event_id)
            .first()
        )
        if event is None:
            return None
        recipients = list(
            Registration.objects.filter(
                event_id=event.pk,
                status__in=SEAT_HOLDING,
                registered_at__lte=event.starts_at - lead,
            )
            .select_related("person")
            .order_by("pk")
        )
        mails.with_invitation_details(event)
        for registration in recipients:
            registration.event = event
            mails.mail_reminder(registration, kind=kind)
        Registration.objects.filter(pk__in=[r.pk for r in recipients]).update(
            reminders_sent=F("reminders_sent") + 1
        )
        field = "day_reminder_sent_at" if kind == mails.DAY_REMINDER else "hour_reminder_sent_at"
        Event.objects.filter(pk=event.pk).update(**{field: now})
    return len(recipients)
