"""Celery tasks of discussions: thin, ids only; the work and its guarantees are in services."""

from celery import shared_task

from practica.discussions.models import RoutingReason


@shared_task(acks_late=True)
def route_question_task(thread_id: int, reason: str = RoutingReason.POSTED) -> int | None:
    """Route a question (scheduled on commit by `schedule_routing`); the round's id or None."""
    from practica.discussions.services.routing import route_question_by_id

    return route_question_by_id(int(thread_id), str(reason))


@shared_task(acks_late=True)
def reroute_unanswered() -> dict[str, int]:
    """Beat: another round of experts for questions still unanswered after the delay."""
    from practica.discussions.services.routing import reroute_unanswered as reroute

    return reroute()


@shared_task(acks_late=True)
def send_daily_summaries() -> object:
    """Beat: each member's daily summary of notifications, in their own time zone."""
    from practica.discussions.services.notifications import send_daily_summaries as send

    return send()


@shared_task(acks_late=True)
def send_post_to_list_task(post_id: int) -> int:
    """Enqueue one post's list mail (scheduled on commit by `schedule_list_mail`)."""
    from practica.discussions.services.list_mail import send_post_to_list

    return send_post_to_list(post_id=int(post_id))


@shared_task(acks_late=True)
def send_pending_list_mail() -> int:
    """Beat: list mail of recent posts whose on-commit task was lost."""
    from practica.discussions.services.list_mail import send_pending_list_mail as send

    return send()


@shared_task(acks_late=True)
def send_list_digests() -> dict[str, int]:
    """Beat: daily and weekly list digests, each member at about 08:00 in their own zone."""
    from practica.discussions.services.list_digest import send_list_digests as send

    return send()
