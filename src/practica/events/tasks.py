"""Celery tasks of events: thin, the work and its guarantees are in the services."""

from dataclasses import asdict

from celery import shared_task


@shared_task(acks_late=True)
def send_event_reminders() -> dict[str, int]:
    """Beat: the day-before and hour-before reminders that fell due."""
    from practica.events.services.reminders import send_due_reminders

    return asdict(send_due_reminders())


@shared_task(acks_late=True)
def expire_seat_offers() -> int:
    """Beat: offers from the waiting list not confirmed in time go to the next person."""
    from practica.events.services.registration import expire_offers

    return expire_offers()


@shared_task(acks_late=True)
def request_event_feedback() -> object:
    """Beat: the after-event survey to attendees of events that just ended."""
    from practica.events.services.feedback import request_due_feedback

    return request_due_feedback()


@shared_task(acks_late=True)
def send_registration_notices_task() -> int:
    """The confirmation and waiting-list mails of recent claims, rendered off the request."""
    from practica.events.services.registration import send_pending_registration_notices

    return send_pending_registration_notices()


@shared_task(acks_late=True)
def send_lost_registration_notices() -> int:
    """Beat: the claim mails whose task was lost."""
    from practica.events.services.registration import (
        NOTICE_GRACE,
        send_pending_registration_notices,
    )

    return send_pending_registration_notices(older_than=NOTICE_GRACE)
