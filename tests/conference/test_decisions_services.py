# Fixtures come from reviewing_setup; pytest injects them by name.
# ruff: noqa: F401, F811
"""Decisions: who decides and when, changing or taking a decision back until its mail went,
the decision mail texts, the preview, and the bulk send (once per proposal)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from practica.conference.models import (
    DecisionOutcome,
    DecisionTemplate,
    Proposal,
    ProposalState,
)
from practica.conference.services.decisions import (
    DecisionRefused,
    decide,
    ensure_decision_templates,
    preview_decision_mail,
    send_decision_mails,
    undecide,
    update_decision_template,
)
from practica.core.models import AuditLogEntry
from tests.conference.reviewing_setup import (
    outbox,
    outbox_backend,
    proposal,
    reviewer,
    reviewing,
    speaker,
    submitted,
)
from tests.factories.conference import ProposalFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def state_of(proposal):
    return Proposal.objects.get(pk=proposal.pk).state


# --- Deciding ----------------------------------------------------------------------------------


def test_the_chair_decides_and_it_is_audited(proposal, chair):
    decided = decide(proposal=proposal, outcome=DecisionOutcome.ACCEPTED, actor=chair)

    assert decided.state == ProposalState.ACCEPTED
    assert decided.decided_by == chair
    assert decided.decided_at is not None
    entry = AuditLogEntry.objects.get(action="conference.proposal_decided")
    assert entry.actor == chair
    assert entry.data["outcome"] == "accepted"
    assert entry.data["previous"] == "submitted"


def test_a_committee_chair_seat_decides_too(proposal):
    from tests.factories.conference import CommitteeMemberFactory

    seat = CommitteeMemberFactory(edition=proposal.edition, is_chair=True)

    decide(proposal=proposal, outcome=DecisionOutcome.WAITLISTED, actor=seat.person)

    assert state_of(proposal) == ProposalState.WAITLISTED


@pytest.mark.parametrize("who", ["committee_member", "reviewer", "speaker", "member"])
def test_only_the_chair_decides(proposal, reviewer, speaker, committee_member, who):
    actor = {
        "committee_member": committee_member,
        "reviewer": reviewer,
        "speaker": speaker,
        "member": UserFactory(),
    }[who]

    with pytest.raises(PermissionDenied, match="Only the edition's chair"):
        decide(proposal=proposal, outcome=DecisionOutcome.ACCEPTED, actor=actor)

    assert state_of(proposal) == ProposalState.SUBMITTED
    assert not AuditLogEntry.objects.exists()


def test_no_decision_while_the_call_is_open(edition, chair):
    proposal = ProposalFactory(edition=edition)

    with pytest.raises(DecisionRefused) as refused:
        decide(proposal=proposal, outcome=DecisionOutcome.ACCEPTED, actor=chair)

    assert refused.value.code == "call_open"
    assert "(Europe/Berlin)" in refused.value.messages[0]
    assert state_of(proposal) == ProposalState.SUBMITTED


def test_an_unknown_outcome_is_bad_input(proposal, chair):
    with pytest.raises(ValidationError) as error:
        decide(proposal=proposal, outcome="maybe", actor=chair)

    assert "outcome" in error.value.message_dict


def test_a_decision_changes_and_is_taken_back_until_mailed(proposal, chair):
    decide(proposal=proposal, outcome=DecisionOutcome.ACCEPTED, actor=chair)
    decide(proposal=proposal, outcome=DecisionOutcome.REJECTED, actor=chair)
    assert state_of(proposal) == ProposalState.REJECTED

    undone = undecide(proposal=proposal, actor=chair)

    assert undone.state == ProposalState.SUBMITTED
    assert undone.decided_at is None
    assert undone.decided_by is None
    assert AuditLogEntry.objects.filter(action="conference.proposal_undecided").count() == 1
    # Taking back an undecided proposal changes nothing.
    undecide(proposal=proposal, actor=chair)
    assert AuditLogEntry.objects.filter(action="conference.proposal_undecided").count() == 1


def test_deciding_the_same_outcome_again_changes_nothing(proposal, chair):
    first = decide(proposal=proposal, outcome=DecisionOutcome.ACCEPTED, actor=chair)
    again = decide(proposal=proposal, outcome=DecisionOutcome.ACCEPTED, actor=chair)

    assert again.decided_at == first.decided_at
    assert AuditLogEntry.objects.filter(action="conference.proposal_decided").count() == 1


def test_after_the_mail_the_decision_stands(proposal, chair):
    decide(proposal=proposal, outcome=DecisionOutcome.ACCEPTED, actor=chair)
    Proposal.objects.filter(pk=proposal.pk).update(decision_mailed_at=timezone.now())

    with pytest.raises(DecisionRefused) as refused:
        decide(proposal=proposal, outcome=DecisionOutcome.REJECTED, actor=chair)
    assert refused.value.code == "mailed"
    with pytest.raises(DecisionRefused):
        undecide(proposal=proposal, actor=chair)

    assert state_of(proposal) == ProposalState.ACCEPTED
    # The same outcome again is harmless.
    decide(proposal=proposal, outcome=DecisionOutcome.ACCEPTED, actor=chair)


@pytest.mark.parametrize(
    ("state", "code"), [(ProposalState.CONFIRMED, "confirmed"), (ProposalState.WITHDRAWN, "state")]
)
def test_confirmed_or_withdrawn_proposals_are_not_decided(proposal, chair, state, code):
    Proposal.objects.filter(pk=proposal.pk).update(state=state)
    proposal.refresh_from_db()

    with pytest.raises(DecisionRefused) as refused:
        decide(proposal=proposal, outcome=DecisionOutcome.REJECTED, actor=chair)

    assert refused.value.code == code
    assert state_of(proposal) == state


# --- Templates and preview ---------------------------------------------------------------------


def test_default_templates_are_made_once(reviewing):
    first = ensure_decision_templates(reviewing)
    second = ensure_decision_templates(reviewing)

    assert set(first) == set(DecisionOutcome.values)
    assert {t.pk for t in first.values()} == {t.pk for t in second.values()}
    assert DecisionTemplate.objects.filter(edition=reviewing).count() == 3
    assert "{{ speaker }}" in first["accepted"].body


def test_the_chair_changes_a_template(reviewing, chair):
    template = update_decision_template(
        edition=reviewing,
        outcome="rejected",
        subject=" Sorry,  {{ proposal }} ",
        body="Hi {{ speaker }}.",
        actor=chair,
    )

    assert template.subject == "Sorry, {{ proposal }}"
    assert AuditLogEntry.objects.filter(action="conference.decision_template_changed").exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Hi {% if %}", "does not render"),
        ("{% include 'base.html' %}", "does not render"),
        ("", "cannot be empty"),
        ("x" * 10001, "under 10000"),
    ],
)
def test_a_template_that_does_not_render_is_refused(reviewing, chair, body, message):
    before = ensure_decision_templates(reviewing)["accepted"].body

    with pytest.raises(ValidationError) as error:
        update_decision_template(
            edition=reviewing, outcome="accepted", subject="Yes", body=body, actor=chair
        )

    assert message in error.value.message_dict["body"][0]
    assert DecisionTemplate.objects.get(edition=reviewing, outcome="accepted").body == before


def test_only_the_chair_changes_templates(reviewing, committee_member):
    with pytest.raises(PermissionDenied):
        update_decision_template(
            edition=reviewing, outcome="accepted", subject="Yes", body="Yes", actor=committee_member
        )


def test_the_preview_fills_in_and_adds_the_comments_without_names(
    proposal, reviewer, chair, speaker
):
    submitted(proposal, reviewer, comments_to_speakers="Lovely idea.")
    decide(proposal=proposal, outcome=DecisionOutcome.ACCEPTED, actor=chair)

    mail = preview_decision_mail(proposal=proposal, actor=chair)

    assert mail.outcome == "accepted"
    assert mail.subject == "Accepted: Shipping LLMs"
    assert mail.body.startswith("Dear Sam Speaker,")
    assert f"for {proposal.edition.name}." in mail.body
    assert mail.comments == ["Lovely idea."]
    assert "Rita" not in mail.body


def test_an_undecided_proposal_previews_with_a_chosen_outcome(proposal, chair):
    with pytest.raises(ValidationError, match="choose the outcome"):
        preview_decision_mail(proposal=proposal, actor=chair)

    mail = preview_decision_mail(proposal=proposal, actor=chair, outcome="waitlisted")

    assert mail.subject == "On the waiting list: Shipping LLMs"


def test_templates_see_plain_values_never_models(proposal, chair):
    update_decision_template(
        edition=proposal.edition,
        outcome="rejected",
        subject="{{ proposal.title }}",
        body="[{{ speaker.password }}][{{ proposal.created_by.email }}][{{ proposal.track }}]",
        actor=chair,
    )

    mail = preview_decision_mail(proposal=proposal, actor=chair, outcome="rejected")

    assert mail.body == "[][][Research]"


# --- Sending -----------------------------------------------------------------------------------


@pytest.mark.usefixtures(outbox_backend.__name__)
def test_sending_mails_every_speaker_of_decided_proposals_once(proposal, reviewer, chair):
    co_speaker = UserFactory(display_name="Cleo Co")
    proposal.speakers.create(person=co_speaker, email=co_speaker.email, status="accepted")
    submitted(proposal, reviewer, comments_to_speakers="Great demo.")
    rejected = ProposalFactory(edition=proposal.edition, title="Not this time")
    waitlisted = ProposalFactory(edition=proposal.edition, title="Maybe later")
    undecided = ProposalFactory(edition=proposal.edition, title="Still open")
    decide(proposal=proposal, outcome="accepted", actor=chair)
    decide(proposal=rejected, outcome="rejected", actor=chair)
    decide(proposal=waitlisted, outcome="waitlisted", actor=chair)

    report = send_decision_mails(edition=proposal.edition, actor=chair)

    assert report.proposals == 3
    assert report.mails == 4
    assert report.by_outcome == {"accepted": 1, "rejected": 1, "waitlisted": 1}
    mails = outbox()
    accepted_mails = [mail for mail in mails if mail.subject == "Accepted: Shipping LLMs"]
    assert {mail.to_email for mail in accepted_mails} == {
        proposal.created_by.email,
        co_speaker.email,
    }
    cleo = next(mail for mail in accepted_mails if mail.to_email == co_speaker.email)
    assert cleo.body_text.startswith("Dear Cleo Co,")
    assert "Confirm that you will present it on the proposal page:" in cleo.body_text
    assert "Reviewer 1" in cleo.body_text
    assert "Great demo." in cleo.body_text
    assert "Rita" not in cleo.body_text
    assert cleo.idempotency_key.startswith(f"proposal-{proposal.pk}-decision-accepted-to-")
    assert Proposal.objects.get(pk=undecided.pk).decision_mailed_at is None
    assert Proposal.objects.filter(decision_mailed_at__isnull=False).count() == 3
    assert AuditLogEntry.objects.filter(action="conference.decision_mails_sent").count() == 1

    again = send_decision_mails(edition=proposal.edition, actor=chair)

    assert again.proposals == 0
    assert len(outbox()) == 4


@pytest.mark.usefixtures(outbox_backend.__name__)
def test_only_the_chair_sends(proposal, chair, committee_member):
    decide(proposal=proposal, outcome="accepted", actor=chair)

    with pytest.raises(PermissionDenied):
        send_decision_mails(edition=proposal.edition, actor=committee_member)

    assert outbox() == []
    assert Proposal.objects.get(pk=proposal.pk).decision_mailed_at is None
