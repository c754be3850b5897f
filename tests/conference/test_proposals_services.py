"""Proposals: drafts, edits until the deadline, submission (its checks, mail, activity and
idempotence), withdrawal, co-speakers invited by mail who accept or decline, and speakers
confirming an accepted proposal — bad input and permissions included."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from practica.conference.models import (
    Edition,
    Proposal,
    ProposalSpeaker,
    ProposalState,
    SpeakerStatus,
)
from practica.conference.services import proposals as services
from practica.conference.services.editions import CallRefused
from practica.core.models import Activity, ActivityKind
from tests.conference.call_helpers import draft, keynote, mails, research, talk
from tests.events.outbox import outbox_backend  # noqa: F401 — the fixture
from tests.factories.conference import EditionFactory, ProposalFactory, TrackFactory
from tests.factories.core import TopicFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db, pytest.mark.usefixtures("outbox_backend")]


@pytest.fixture
def speaker(db):
    return UserFactory(email="ada@example.com", display_name="Ada Li")


@pytest.fixture
def colleague(db):
    return UserFactory(email="grace@example.com", display_name="Grace Ho")


def close_the_call(edition):
    Edition.objects.filter(pk=edition.pk).update(
        cfp_closes_at=timezone.now() - timedelta(minutes=1)
    )
    edition.refresh_from_db()


def proposed(person):
    return Activity.objects.filter(kind=ActivityKind.PROPOSED, person=person)


# --- Drafts and submission -------------------------------------------------------------------


def test_a_member_starts_a_draft_as_its_submitting_speaker(edition, speaker):
    proposal = draft(edition, speaker, abstract="")

    assert proposal.state == ProposalState.DRAFT
    [row] = ProposalSpeaker.objects.filter(proposal=proposal)
    assert (row.person, row.status, row.is_submitter) == (speaker, SpeakerStatus.ACCEPTED, True)
    assert not proposed(speaker).exists()
    assert mails() == []


def test_submitting_checks_mails_and_records_once(edition, speaker):
    proposal = draft(edition, speaker)

    submitted = services.submit_proposal(proposal=proposal, actor=speaker)
    again = services.submit_proposal(proposal=proposal, actor=speaker)

    assert submitted.state == ProposalState.SUBMITTED
    assert submitted.just_submitted
    assert not again.just_submitted
    assert submitted.submitted_at is not None
    assert proposed(speaker).count() == 1
    [mail] = mails()
    assert mail.to_email == speaker.email
    assert proposal.title in mail.subject
    assert "Europe/Berlin" in mail.body_text
    assert f"/conference/proposals/{proposal.pk}/" in mail.body_text


def test_create_and_submit_in_one_step_or_not_at_all(edition, speaker):
    proposal = draft(edition, speaker, submit=True)
    assert proposal.state == ProposalState.SUBMITTED

    with pytest.raises(ValidationError) as refused:
        draft(edition, speaker, title="Incomplete", abstract="", submit=True)
    assert "abstract" in refused.value.message_dict
    assert not Proposal.objects.filter(title="Incomplete").exists()


@pytest.mark.parametrize("missing", ["abstract", "topics", "track"])
def test_a_submission_must_be_complete(edition, speaker, missing):
    empty = {"abstract": "", "topics": [], "track": None}[missing]
    proposal = draft(edition, speaker, **{missing: empty})
    with pytest.raises(ValidationError) as refused:
        services.submit_proposal(proposal=proposal, actor=speaker)
    assert missing in refused.value.message_dict
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.DRAFT
    assert mails() == []


def test_a_closed_format_is_refused(edition, speaker):
    with pytest.raises(ValidationError) as refused:
        draft(edition, speaker, format=keynote(edition))
    assert "by invitation only" in refused.value.message_dict["format"][0]


def test_a_format_closed_after_the_draft_stops_the_submission(edition, speaker):
    proposal = draft(edition, speaker)
    type(talk(edition)).objects.filter(pk=proposal.format_id).update(open_for_proposals=False)
    with pytest.raises(ValidationError) as refused:
        services.submit_proposal(proposal=proposal, actor=speaker)
    assert "format" in refused.value.message_dict


def test_a_track_or_format_of_another_edition_is_refused(edition, speaker):
    other = EditionFactory()
    with pytest.raises(ValidationError) as refused:
        draft(edition, speaker, track=TrackFactory(edition=other))
    assert "track" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        draft(edition, speaker, format=ProposalFactory(edition=other).format)
    assert "format" in refused.value.message_dict
    assert not Proposal.objects.filter(edition=edition).exists()


def test_topics_must_be_the_editions_when_it_names_some(edition, speaker):
    nlp = TopicFactory(name="NLP")
    translation = TopicFactory(name="Translation", parent=nlp)
    edition.topics.set([nlp])

    assert draft(edition, speaker, topics=[translation])
    with pytest.raises(ValidationError) as refused:
        draft(edition, speaker, topics=[TopicFactory(name="Robotics")])
    assert "topics" in refused.value.message_dict
    with pytest.raises(ValidationError):
        draft(edition, speaker, topics=[TopicFactory() for _ in range(6)])


def test_links_and_audience_are_checked(edition, speaker):
    with pytest.raises(ValidationError) as refused:
        draft(edition, speaker, links=["javascript:alert(1)"])
    assert "links" in refused.value.message_dict
    with pytest.raises(ValidationError):
        draft(edition, speaker, expected_audience=0)
    proposal = draft(edition, speaker, links=["https://example.com/slides"], expected_audience=80)
    assert proposal.links == ["https://example.com/slides"]


def test_only_members_of_an_announced_edition_propose(edition, speaker):
    Edition.objects.filter(pk=edition.pk).update(is_published=False)
    edition.refresh_from_db()
    with pytest.raises(PermissionDenied):
        draft(edition, speaker)


def test_the_call_must_be_open(edition, speaker):
    Edition.objects.filter(pk=edition.pk).update(cfp_opens_at=timezone.now() + timedelta(days=1))
    edition.refresh_from_db()
    with pytest.raises(CallRefused) as refused:
        draft(edition, speaker)
    assert refused.value.code == "not_open"


# --- Editing until the deadline --------------------------------------------------------------


def test_speakers_edit_until_the_deadline_named_on_the_editions_clock(edition, speaker):
    proposal = draft(edition, speaker)
    services.update_proposal(proposal=proposal, actor=speaker, title="A better title")
    assert Proposal.objects.get(pk=proposal.pk).title == "A better title"

    close_the_call(edition)
    with pytest.raises(CallRefused) as refused:
        services.update_proposal(proposal=proposal, actor=speaker, title="Too late")
    assert refused.value.code == "deadline"
    assert "(Europe/Berlin)" in refused.value.messages[0]
    with pytest.raises(CallRefused):
        services.submit_proposal(proposal=proposal, actor=speaker)
    assert Proposal.objects.get(pk=proposal.pk).title == "A better title"


def test_a_submitted_proposal_stays_complete(edition, speaker):
    proposal = draft(edition, speaker, submit=True)
    with pytest.raises(ValidationError) as refused:
        services.update_proposal(proposal=proposal, actor=speaker, abstract="  ")
    assert "abstract" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.update_proposal(proposal=proposal, actor=speaker, state="accepted")


def test_only_speakers_edit_submit_or_withdraw(edition, speaker, committee_member, chair):
    proposal = draft(edition, speaker)
    for actor in (UserFactory(), committee_member, chair):
        with pytest.raises(PermissionDenied):
            services.update_proposal(proposal=proposal, actor=actor, title="Not mine")
        with pytest.raises(PermissionDenied):
            services.submit_proposal(proposal=proposal, actor=actor)
        with pytest.raises(PermissionDenied):
            services.withdraw_proposal(proposal=proposal, actor=actor)


def test_track_changes_stay_in_the_edition(edition, speaker):
    proposal = draft(edition, speaker, submit=True)
    services.update_proposal(
        proposal=proposal, actor=speaker, track=edition.tracks.get(name="Engineering")
    )
    assert Proposal.objects.get(pk=proposal.pk).track.name == "Engineering"
    with pytest.raises(ValidationError):
        services.update_proposal(proposal=proposal, actor=speaker, track=TrackFactory())


# --- Withdrawing and confirming --------------------------------------------------------------


def test_withdrawing_is_final_and_idempotent(edition, speaker):
    proposal = draft(edition, speaker, submit=True)
    services.withdraw_proposal(proposal=proposal, actor=speaker)
    again = services.withdraw_proposal(proposal=proposal, actor=speaker)
    assert again.state == ProposalState.WITHDRAWN
    with pytest.raises(CallRefused):
        services.submit_proposal(proposal=proposal, actor=speaker)
    with pytest.raises(CallRefused):
        services.update_proposal(proposal=proposal, actor=speaker, title="Back")


def test_a_rejected_proposal_is_not_withdrawn(edition):
    proposal = ProposalFactory(edition=edition, state=ProposalState.REJECTED)
    with pytest.raises(CallRefused):
        services.withdraw_proposal(proposal=proposal, actor=proposal.created_by)


def test_speakers_confirm_or_decline_an_accepted_proposal(edition):
    proposal = ProposalFactory(edition=edition, state=ProposalState.ACCEPTED)
    person = proposal.created_by
    confirmed = services.confirm_proposal(proposal=proposal, actor=person)
    assert confirmed.state == ProposalState.CONFIRMED
    assert confirmed.confirmed_at is not None
    assert services.confirm_proposal(proposal=proposal, actor=person).state == "confirmed"

    declined = services.confirm_proposal(proposal=proposal, actor=person, confirm=False)
    assert declined.state == ProposalState.WITHDRAWN


def test_only_an_accepted_proposal_is_confirmed(edition, speaker):
    proposal = draft(edition, speaker, submit=True)
    with pytest.raises(CallRefused) as refused:
        services.confirm_proposal(proposal=proposal, actor=speaker)
    assert refused.value.code == "state"
    accepted = ProposalFactory(edition=edition, state=ProposalState.ACCEPTED)
    with pytest.raises(PermissionDenied):
        services.confirm_proposal(proposal=accepted, actor=speaker)


# --- Co-speakers -----------------------------------------------------------------------------


def test_co_speakers_are_invited_by_mail_with_a_link(edition, speaker, colleague):
    proposal = draft(edition, speaker, co_speakers=["GRACE@example.com"])

    row = ProposalSpeaker.objects.get(proposal=proposal, is_submitter=False)
    assert (row.person, row.status, row.email) == (
        colleague,
        SpeakerStatus.INVITED,
        colleague.email,
    )
    [mail] = mails()
    assert mail.to_email == colleague.email
    assert f"/conference/invitations/{row.token}/" in mail.body_text
    assert "Ada Li" in mail.subject

    again = services.invite_co_speaker(proposal=proposal, actor=speaker, email=colleague.email)
    assert again.pk == row.pk
    assert not again.was_created
    assert len(mails()) == 1


def test_unknown_addresses_and_oneself_are_refused(edition, speaker):
    with pytest.raises(ValidationError) as refused:
        draft(edition, speaker, title="With a stranger", co_speakers=["nobody@example.com"])
    assert "No member has the address nobody@example.com" in refused.value.messages[0]
    assert not Proposal.objects.filter(title="With a stranger").exists()

    proposal = draft(edition, speaker)
    with pytest.raises(ValidationError):
        services.invite_co_speaker(proposal=proposal, actor=speaker, email="not-an-address")
    with pytest.raises(ValidationError):
        services.invite_co_speaker(proposal=proposal, actor=speaker, email=speaker.email)
    with pytest.raises(PermissionDenied):
        services.invite_co_speaker(proposal=proposal, actor=UserFactory(), email="x@example.com")


def test_a_proposal_has_at_most_six_speakers(edition, speaker):
    proposal = draft(edition, speaker)
    for _ in range(services.MAX_SPEAKERS - 1):
        services.invite_co_speaker(proposal=proposal, actor=speaker, email=UserFactory().email)
    with pytest.raises(ValidationError):
        services.invite_co_speaker(proposal=proposal, actor=speaker, email=UserFactory().email)


def test_the_invitee_accepts_signed_in_as_the_address(edition, speaker, colleague):
    proposal = draft(edition, speaker, co_speakers=[colleague.email], submit=True)
    row = ProposalSpeaker.objects.get(proposal=proposal, person=colleague)

    with pytest.raises(PermissionDenied):
        services.respond_to_invitation(speaker=row, actor=UserFactory(), accept=True)
    accepted = services.respond_to_invitation(speaker=row, actor=colleague, accept=True)

    assert accepted.status == SpeakerStatus.ACCEPTED
    assert accepted.responded_at is not None
    # The proposal was already in: the new speaker proposed it too, once.
    services.respond_to_invitation(speaker=row, actor=colleague, accept=True)
    assert proposed(colleague).count() == 1
    services.update_proposal(proposal=proposal, actor=colleague, title="Now also mine")


def test_accepting_before_submission_records_at_submission(edition, speaker, colleague):
    proposal = draft(edition, speaker, co_speakers=[colleague.email])
    row = ProposalSpeaker.objects.get(proposal=proposal, person=colleague)
    services.respond_to_invitation(speaker=row, actor=colleague, accept=True)
    assert not proposed(colleague).exists()

    services.submit_proposal(proposal=proposal, actor=colleague)

    assert proposed(colleague).count() == 1
    assert proposed(speaker).count() == 1
    submitted_mails = [m for m in mails() if "is in" in m.subject]
    assert {m.to_email for m in submitted_mails} == {speaker.email, colleague.email}


def test_declining_and_changing_ones_mind(edition, speaker, colleague):
    proposal = draft(edition, speaker, co_speakers=[colleague.email])
    row = ProposalSpeaker.objects.get(proposal=proposal, person=colleague)
    services.respond_to_invitation(speaker=row, actor=colleague, accept=False)
    assert ProposalSpeaker.objects.get(pk=row.pk).status == SpeakerStatus.DECLINED

    # Invited again: a fresh link and a new mail.
    services.invite_co_speaker(proposal=proposal, actor=speaker, email=colleague.email)
    fresh = ProposalSpeaker.objects.get(pk=row.pk)
    assert fresh.status == SpeakerStatus.INVITED
    assert fresh.token != row.token
    assert len(mails()) == 2


def test_the_submitter_cannot_decline_and_dead_proposals_take_no_answers(
    edition, speaker, colleague
):
    proposal = draft(edition, speaker, co_speakers=[colleague.email])
    submitter_row = ProposalSpeaker.objects.get(proposal=proposal, is_submitter=True)
    with pytest.raises(CallRefused):
        services.respond_to_invitation(speaker=submitter_row, actor=speaker, accept=False)

    services.withdraw_proposal(proposal=proposal, actor=speaker)
    row = ProposalSpeaker.objects.get(proposal=proposal, person=colleague)
    with pytest.raises(CallRefused):
        services.respond_to_invitation(speaker=row, actor=colleague, accept=True)


def test_removing_co_speakers(edition, speaker, colleague):
    proposal = draft(edition, speaker, co_speakers=[colleague.email])
    row = ProposalSpeaker.objects.get(proposal=proposal, person=colleague)
    submitter_row = ProposalSpeaker.objects.get(proposal=proposal, is_submitter=True)

    with pytest.raises(ValidationError):
        services.remove_co_speaker(speaker=submitter_row, actor=speaker)
    with pytest.raises(PermissionDenied):
        services.remove_co_speaker(speaker=row, actor=UserFactory())
    services.remove_co_speaker(speaker=row, actor=speaker)
    assert not ProposalSpeaker.objects.filter(pk=row.pk).exists()


def test_a_co_speaker_may_leave_even_after_the_deadline(edition, speaker, colleague):
    proposal = draft(edition, speaker, co_speakers=[colleague.email])
    row = ProposalSpeaker.objects.get(proposal=proposal, person=colleague)
    services.respond_to_invitation(speaker=row, actor=colleague, accept=True)
    close_the_call(edition)

    with pytest.raises(CallRefused):
        services.invite_co_speaker(proposal=proposal, actor=speaker, email=UserFactory().email)
    services.remove_co_speaker(speaker=row, actor=colleague)
    assert not ProposalSpeaker.objects.filter(pk=row.pk).exists()


def test_research_track_fixture_is_the_editions(edition):
    assert research(edition).edition == edition
