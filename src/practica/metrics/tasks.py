"""Thin Celery tasks for metrics: each calls one service."""

from celery import shared_task


@shared_task
def update_rollups_task() -> int:
    """Roll up the activity recorded since the last run, in every community."""
    from practica.metrics.rollups.incremental import update_rollups

    return update_rollups()


@shared_task
def send_due_pulses_task() -> int:
    """Send the pulse surveys whose time has come."""
    from practica.metrics.surveys.services import send_due_pulses

    return send_due_pulses()


@shared_task
def send_pulse_task(survey_id: int) -> int:
    """Send one pulse survey now (idempotent: nobody is invited twice)."""
    from practica.metrics.surveys.services import send_pulse

    return send_pulse(survey_id=survey_id)
