"""The grant mails, sent through the outbox inside the calling service's transaction.

Each carries an idempotency key, so a retried request never mails twice: one per manager for a
new application, one to the applicant for the decision.
"""

from practica.budget.models import Grant
from practica.communities.models import MembershipRole
from practica.communities.queries import active_people_with_roles
from practica.core.outgoing_mail import send_templated_mail


def mail_managers_about_application(grant: Grant) -> int:
    """Tell each manager (but the applicant) that an application waits; returns how many."""
    managers = list(
        active_people_with_roles(grant.community_id, [MembershipRole.MANAGER]).exclude(
            pk=grant.applicant_id
        )
    )
    for manager in managers:
        send_templated_mail(
            to=manager.email,
            template_prefix="budget/mail/grant_applied",
            context={"grant": grant, "community": grant.community, "manager": manager},
            idempotency_key=f"budget-grant-{grant.pk}-applied-to-{manager.pk}",
            language=manager.preferred_language or None,
        )
    return len(managers)


def mail_applicant_about_decision(grant: Grant) -> None:
    """Tell the applicant the manager's decision, with the amount and the reason."""
    applicant = grant.applicant
    send_templated_mail(
        to=applicant.email,
        template_prefix="budget/mail/grant_decided",
        context={"grant": grant, "community": grant.community, "applicant": applicant},
        idempotency_key=f"budget-grant-{grant.pk}-decided",
        language=applicant.preferred_language or None,
    )
