"""What mail adds to the member's home page: a warning when their list mail is suspended
(registered from MailConfig.ready())."""

from typing import Any

from django.http import HttpRequest

from practica.mail.models import MailboxHealth
from practica.people.sections import PageSection, register_home_section


def mailbox_suspension(request: HttpRequest, person: Any) -> dict[str, Any]:
    """The member's suspended mailbox (None when their mail is delivered)."""
    if person is None or not getattr(person, "pk", None):
        return {"suspended_mailbox": None}
    return {
        "suspended_mailbox": MailboxHealth.objects.filter(
            person=person, suspended_at__isnull=False
        ).first()
    }


def register_sections() -> None:
    register_home_section(
        PageSection(
            key="mail-suspended",
            template="mail/sections/home_mailbox_suspended.html",
            context=mailbox_suspension,
            order=1,
        )
    )
