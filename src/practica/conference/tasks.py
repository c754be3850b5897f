"""Thin Celery tasks of the conference: take ids, load, call a service."""

from celery import shared_task


@shared_task(acks_late=True)
def run_assignment_task(run_id: int) -> str | None:
    """Compute a queued assignment run, writing its progress to the run row as it goes."""
    from practica.conference.services.assignment import run_assignment

    run = run_assignment(run_id)
    return run.status if run is not None else None


@shared_task(acks_late=True)
def send_review_reminders() -> dict[str, int]:
    """Beat: the reminders to reviewers 3 days and 1 day before an edition's review deadline."""
    from dataclasses import asdict

    from practica.conference.services.reviews import send_review_reminders as send_reminders

    return asdict(send_reminders())
