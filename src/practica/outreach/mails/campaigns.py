"""The campaign mail: the manager's rendered text, then the recipient's one-click join link
and a way to stop all outreach mail (also as `List-Unsubscribe`, RFC 8058 one-click).

`campaign_message` builds one mail ready to send; `send_campaign_messages` puts a batch into
the outbox with one write, in the caller's transaction (the sender's, with the recipient rows).
"""

from collections.abc import Sequence

from django.core.mail import EmailMultiAlternatives, get_connection

from practica.communities.models import Community
from practica.core.outgoing_mail import render_templated_mail
from practica.outreach.campaign_rendering import RenderedCampaign
from practica.outreach.join_links import opt_out_url

TEMPLATE_PREFIX = "outreach/mail/campaign_message"


def campaign_message(
    *,
    to: str,
    community: Community,
    rendered: RenderedCampaign,
    join_url: str,
    idempotency_key: str,
    language: str | None = None,
    test: bool = False,
) -> EmailMultiAlternatives:
    """One campaign mail to `to`; `test` marks a manager's test mail "[TEST]"."""
    stop_url = opt_out_url(to)
    return render_templated_mail(
        to=to,
        template_prefix=TEMPLATE_PREFIX,
        context={
            "community": community,
            "subject": rendered.subject,
            "body_html": rendered.html,
            "body_text": rendered.text,
            "join_url": join_url,
            "opt_out_url": stop_url,
            "test": test,
        },
        idempotency_key=idempotency_key,
        language=language,
        headers={
            "List-Unsubscribe": f"<{stop_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Precedence": "bulk",
            "Auto-Submitted": "auto-generated",
        },
    )


def send_campaign_messages(messages: Sequence[EmailMultiAlternatives]) -> int:
    """Send a batch through the mail framework (the outbox) with one connection; the number
    accepted."""
    if not messages:
        return 0
    return get_connection().send_messages(list(messages)) or 0
