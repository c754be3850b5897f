"""Thin Celery tasks for communities: each loads nothing itself and calls one service."""

from celery import shared_task


@shared_task
def place_members_on_ladders_task() -> int:
    """Place members on the rungs their contributions earned, in every community."""
    from practica.communities.ladder.services import place_members_on_ladders

    return place_members_on_ladders()


@shared_task
def check_group_health_task() -> int:
    """Raise (and resolve) group health alerts, telling each community's managers once."""
    from practica.communities.group_health import check_group_health

    return check_group_health()
