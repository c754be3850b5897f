"""The decision mail to a proposal's speakers.

`services.decisions.send_decision_mails` renders the chair's template per speaker and calls
`mail_decision` inside its transaction; the mail adds, below the chair's text, the
reviewers' comments to the speakers (numbered, never named) and the proposal page's link,
for an accepted proposal as the place to confirm.
"""

from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse

from practica.conference.models import Proposal, ProposalSpeaker
from practica.core.outgoing_mail import send_templated_mail

if TYPE_CHECKING:
    from practica.conference.services.decisions import DecisionMail


def proposal_page_url(proposal: Proposal) -> str:
    """The proposal's page, absolute: where its speakers read it and confirm an acceptance."""
    return f"{settings.SITE_URL}{reverse('conference:proposal_detail', args=[proposal.pk])}"


def mail_decision(*, proposal: Proposal, speaker: ProposalSpeaker, mail: "DecisionMail") -> bool:
    """Queue the decision mail to one speaker; False when the speaker has no address."""
    if not speaker.email:
        return False
    person = speaker.person
    language = (person.preferred_language if person is not None else "") or None
    send_templated_mail(
        to=speaker.email,
        template_prefix="conference/mail/decisions_decision",
        context={
            "proposal": proposal,
            "mail": mail,
            "is_accepted": mail.outcome == "accepted",
        },
        idempotency_key=f"proposal-{proposal.pk}-decision-{mail.outcome}-to-{speaker.pk}",
        language=language,
    )
    return True
