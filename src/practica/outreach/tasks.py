"""Thin Celery tasks of outreach: load, call a service."""

from celery import shared_task


@shared_task(acks_late=True)
def send_due_campaign_mails_task() -> int:
    """Beat (every 15 minutes): the monthly welcome mails whose local due moment has come."""
    from practica.outreach.services.campaign_sending import send_due_campaign_mails

    return send_due_campaign_mails()
