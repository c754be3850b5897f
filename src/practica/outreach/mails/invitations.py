"""The invitation mail: who invites, their message, the community, the signed one-click join
link and the link that stops all outreach mail.

`services.invitations` calls it inside the invitation's transaction, so the mail is queued in
the outbox exactly when the invitation is committed. Its idempotency key names the invitation
and its date, so a renewed invitation is a new mail and a retried one is not. Replies go to
the inviter; mail clients offer the opt-out as their unsubscribe button (`List-Unsubscribe`).
"""

from django.conf import settings

from practica.core.outgoing_mail import send_templated_mail
from practica.outreach.join_links import (
    JOIN_LINK_MAX_AGE_DAYS,
    join_url_for_invitation,
    opt_out_url,
)
from practica.outreach.models import Invitation


def invitation_mail_key(invitation: Invitation) -> str:
    """The outbox key of the mail of this invitation as dated now."""
    return f"outreach-invitation-{invitation.pk}-{int(invitation.created_at.timestamp())}"


def mail_invitation(invitation: Invitation) -> None:
    """Mail the invitee, in their language when they have an account."""
    invitee = invitation.invitee
    inviter = invitation.inviter
    language = getattr(invitee, "preferred_language", "") or settings.LANGUAGE_CODE
    unsubscribe = opt_out_url(invitation.email)
    send_templated_mail(
        to=invitation.email,
        template_prefix="outreach/mail/invitation",
        context={
            "invitation": invitation,
            "community": invitation.community,
            "inviter": inviter,
            "inviter_name": inviter.display_name or inviter.email,
            "invitee": invitee,
            "message": invitation.message,
            "join_url": join_url_for_invitation(invitation),
            "opt_out_url": unsubscribe,
            "link_days": JOIN_LINK_MAX_AGE_DAYS,
        },
        idempotency_key=invitation_mail_key(invitation),
        language=language,
        headers={
            "Reply-To": inviter.email,
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
