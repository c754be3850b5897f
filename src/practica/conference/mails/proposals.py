"""The call's mails: a co-speaker's invitation and the confirmation that a proposal is in.

The proposal services call these inside their transactions, so a mail is queued in the outbox
exactly when the change it reports is committed. Each goes out in the recipient's language,
with the deadline in their own time zone and in the edition's, and carries an idempotency key
naming what it reports, so calling twice queues one mail.
"""

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from practica.conference.mails.reviews import person_zone
from practica.conference.models import Proposal, ProposalSpeaker
from practica.conference.queries.editions import edition_moment, moment_in_zone
from practica.core.outgoing_mail import send_templated_mail


def proposal_url(proposal: Proposal) -> str:
    """The proposal's page, absolute."""
    return f"{settings.SITE_URL}{reverse('conference:proposal_detail', args=[proposal.pk])}"


def invitation_url(speaker: ProposalSpeaker) -> str:
    """The page where the invitee accepts or declines, absolute (the token is the key)."""
    return f"{settings.SITE_URL}{reverse('conference:invitation', args=[speaker.token])}"


def _deadlines(proposal: Proposal, person: Any) -> dict[str, str]:
    """The deadline on the recipient's clock, and on the edition's when it differs."""
    edition = proposal.edition
    mine = moment_in_zone(edition.cfp_closes_at, person_zone(person))
    theirs = edition_moment(edition, edition.cfp_closes_at)
    return {"deadline": mine, "deadline_edition": theirs if theirs != mine else ""}


def _language(person: Any) -> str:
    return (getattr(person, "preferred_language", "") or settings.LANGUAGE_CODE) if person else ""


def mail_co_speaker_invitation(speaker: ProposalSpeaker, *, inviter: Any) -> None:
    """Ask the invitee to be a speaker of the proposal: accept or decline by the link."""
    proposal = speaker.proposal
    person = speaker.person
    language = _language(person) or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "proposal": proposal,
            "edition": proposal.edition,
            "community": proposal.edition.community,
            "inviter": inviter,
            "person": person,
            "invitation_url": invitation_url(speaker),
            **_deadlines(proposal, person),
        }
    send_templated_mail(
        to=speaker.email,
        template_prefix="conference/mail/proposals_invitation",
        context=context,
        idempotency_key=f"conference-speaker-{speaker.pk}-invited-{speaker.token}",
        language=language,
    )


def mail_proposal_submitted(proposal: Proposal, speakers: list[ProposalSpeaker]) -> None:
    """Tell every accepted speaker the proposal is in, and until when they may edit it."""
    for speaker in speakers:
        person = speaker.person
        if person is None or not person.email:
            continue
        language = _language(person) or settings.LANGUAGE_CODE
        with translation.override(language):
            context = {
                "proposal": proposal,
                "edition": proposal.edition,
                "community": proposal.edition.community,
                "person": person,
                "proposal_url": proposal_url(proposal),
                **_deadlines(proposal, person),
            }
        send_templated_mail(
            to=person.email,
            template_prefix="conference/mail/proposals_submitted",
            context=context,
            idempotency_key=f"conference-proposal-{proposal.pk}-submitted-person-{person.pk}",
            language=language,
        )
