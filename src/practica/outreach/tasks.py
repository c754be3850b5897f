"""Thin Celery tasks of outreach: load, call a service."""

from celery import shared_task


@shared_task(acks_late=True)
def send_due_campaign_mails_task() -> int:
    """Beat (every 15 minutes): the monthly welcome mails whose local due moment has come."""
    from practica.outreach.services.campaign_sending import send_due_campaign_mails

    return send_due_campaign_mails()


@shared_task(acks_late=True)
def apply_hr_import_task(hr_import_id: int, actor_id: int) -> str | None:
    """Apply an HR import the web queued (all or nothing), its progress shown on its page."""
    from practica.outreach.models import HrImport
    from practica.outreach.services.hr_imports import run_hr_import_apply
    from practica.people.models import User

    hr_import = HrImport.objects.filter(pk=hr_import_id).first()
    if hr_import is None:
        return None
    actor = User.objects.filter(pk=actor_id).first()
    return run_hr_import_apply(hr_import=hr_import, actor=actor).status
