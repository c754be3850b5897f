"""Celery tasks of the outbox: thin, ids only; the work and its guarantees are in services."""

from collections.abc import Sequence

from celery import shared_task

from practica.mail import services


@shared_task(acks_late=True)
def deliver_messages(message_ids: Sequence[int]) -> dict[str, int]:
    """Deliver these outbox rows if still due (scheduled on commit by `enqueue_messages`)."""
    return services.deliver_batch(message_ids=[int(pk) for pk in message_ids]).as_dict()


@shared_task(acks_late=True)
def deliver_due_messages() -> dict[str, int]:
    """Deliver everything due: retries after backoff, and mail whose scheduling was lost (beat)."""
    return services.deliver_due_messages().as_dict()
