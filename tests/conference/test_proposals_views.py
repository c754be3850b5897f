"""The proposal screens: proposing (draft or submit), a proposal's page and who sees it and
its speakers, editing until the deadline, withdrawing, confirming, co-speakers and the
invitation page, my proposals, and the committee's list with its filters."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from practica.conference.models import (
    Edition,
    Proposal,
    ProposalSpeaker,
    ProposalState,
    SpeakerStatus,
)
from tests.conference.call_helpers import draft, keynote, mails, research, talk
from tests.events.outbox import outbox_backend  # noqa: F401 — the fixture
from tests.factories.conference import ProposalFactory, ReviewerVolunteerFactory
from tests.factories.core import TopicFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outbox_backend")]


def signed_in(client, user):
    client.force_login(user)
    return client


def detail(proposal):
    return reverse("conference:proposal_detail", args=[proposal.pk])


@pytest.fixture
def speaker(db):
    return UserFactory(display_name="Ada Li", email="ada@example.com")


@pytest.fixture
def topic(db):
    return TopicFactory(name="Retrieval")


def proposal_form(edition, topic, **changes):
    data = {
        "title": "Retrieval that works",
        "format": str(talk(edition).pk),
        "track": str(research(edition).pk),
        "abstract": "We evaluated five retrievers on our own questions.",
        "topics": [str(topic.pk)],
        "audience_level": "intermediate",
        "links": "https://example.com/slides\n",
        "co_speakers": "",
    }
    data.update(changes)
    return data


# --- Proposing --------------------------------------------------------------------------------


def test_a_member_submits_a_proposal_from_the_form(client, edition, speaker, topic):
    client = signed_in(client, speaker)
    url = reverse("conference:proposal_create", args=[edition.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert "Keynote" not in form.text  # by invitation: not offered
    assert f'value="{topic.pk}"' in form.text  # the edition names no topics: the whole tree

    response = client.post(url, {**proposal_form(edition, topic), "submit": "1"})

    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response.url == detail(proposal)
    assert proposal.state == ProposalState.SUBMITTED
    assert proposal.links == ["https://example.com/slides"]
    assert [mail.to_email for mail in mails()] == [speaker.email]


def test_a_draft_may_be_incomplete_but_not_a_submission(client, edition, speaker, topic):
    client = signed_in(client, speaker)
    url = reverse("conference:proposal_create", args=[edition.pk])
    data = proposal_form(edition, topic, abstract="", topics=[])

    refused = client.post(url, {**data, "submit": "1"})
    assert refused.status_code == 422
    assert "Write an abstract" in refused.text
    assert not Proposal.objects.exists()

    saved = client.post(url, data)
    assert saved.status_code == 302
    assert Proposal.objects.get().state == ProposalState.DRAFT


def test_a_closed_format_or_unknown_co_speaker_is_refused_beside_the_field(
    client, edition, speaker, topic
):
    client = signed_in(client, speaker)
    url = reverse("conference:proposal_create", args=[edition.pk])
    closed = client.post(url, proposal_form(edition, topic, format=str(keynote(edition).pk)))
    assert closed.status_code == 422
    assert "Choose one of this edition" in closed.text

    stranger = client.post(url, proposal_form(edition, topic, co_speakers="ghost@example.com"))
    assert stranger.status_code == 422
    assert "No member has the address ghost@example.com" in stranger.text
    assert not Proposal.objects.exists()


def test_after_the_deadline_the_form_says_so_and_refuses(client, edition, speaker, topic):
    Edition.objects.filter(pk=edition.pk).update(cfp_closes_at=timezone.now() - timedelta(hours=1))
    client = signed_in(client, speaker)
    response = client.post(
        reverse("conference:proposal_create", args=[edition.pk]), proposal_form(edition, topic)
    )
    assert response.status_code == 422
    assert "The deadline for proposals" in response.text
    assert "(Europe/Berlin)" in response.text
    assert not Proposal.objects.exists()


# --- A proposal's page ------------------------------------------------------------------------


def test_the_speaker_sees_their_draft_and_others_do_not(client, edition, speaker, committee_member):
    proposal = draft(edition, speaker)
    page = signed_in(client, speaker).get(detail(proposal))
    assert page.status_code == 200
    assert "This is a draft" in page.text
    assert reverse("conference:proposal_submit", args=[proposal.pk]) in page.text

    for viewer in (UserFactory(), committee_member):
        assert signed_in(client, viewer).get(detail(proposal)).status_code == 404


def test_reviewers_see_submitted_proposals_and_speakers_unless_double_blind(client, edition):
    proposal = ProposalFactory(edition=edition, created_by=UserFactory(display_name="Hidden Name"))
    reviewer = ReviewerVolunteerFactory(edition=edition).person
    client = signed_in(client, reviewer)

    assert "Hidden Name" in client.get(detail(proposal)).text
    Edition.objects.filter(pk=edition.pk).update(double_blind=True)
    page = client.get(detail(proposal))
    assert page.status_code == 200
    assert "Hidden Name" not in page.text
    assert "double-blind" in page.text
    assert signed_in(client, UserFactory()).get(detail(proposal)).status_code == 404


def test_the_committee_sees_speakers_under_double_blind(client, edition, committee_member):
    Edition.objects.filter(pk=edition.pk).update(double_blind=True)
    proposal = ProposalFactory(edition=edition, created_by=UserFactory(display_name="Named One"))
    assert "Named One" in signed_in(client, committee_member).get(detail(proposal)).text


def test_submit_edit_and_withdraw_from_the_page(client, edition, speaker, topic):
    proposal = draft(edition, speaker)
    client = signed_in(client, speaker)
    client.post(reverse("conference:proposal_submit", args=[proposal.pk]))
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.SUBMITTED

    edit = reverse("conference:proposal_edit", args=[proposal.pk])
    assert client.get(edit).status_code == 200
    response = client.post(edit, proposal_form(edition, topic, title="Sharper title"))
    assert response.status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).title == "Sharper title"

    withdraw = reverse("conference:proposal_withdraw", args=[proposal.pk])
    assert "Withdraw" in client.get(withdraw).text
    client.post(withdraw)
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.WITHDRAWN


def test_editing_after_the_deadline_is_refused_with_the_deadline(client, edition, speaker, topic):
    proposal = draft(edition, speaker, submit=True)
    Edition.objects.filter(pk=edition.pk).update(cfp_closes_at=timezone.now() - timedelta(hours=1))
    response = signed_in(client, speaker).post(
        reverse("conference:proposal_edit", args=[proposal.pk]),
        proposal_form(edition, topic, title="Too late"),
    )
    assert response.status_code == 422
    assert "can no longer be changed" in response.text
    assert Proposal.objects.get(pk=proposal.pk).title != "Too late"


def test_only_speakers_edit(client, edition, speaker, committee_member):
    proposal = draft(edition, speaker, submit=True)
    response = signed_in(client, committee_member).get(
        reverse("conference:proposal_edit", args=[proposal.pk])
    )
    assert response.status_code == 403


def test_accepted_speakers_confirm_on_the_page(client, edition):
    proposal = ProposalFactory(edition=edition, state=ProposalState.ACCEPTED)
    client = signed_in(client, proposal.created_by)
    assert "Confirm: I will present" in client.get(detail(proposal)).text
    client.post(reverse("conference:proposal_confirm", args=[proposal.pk]), {"confirm": "1"})
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.CONFIRMED


# --- Co-speakers ------------------------------------------------------------------------------


def test_inviting_accepting_and_leaving(client, edition, speaker):
    colleague = UserFactory(email="grace@example.com")
    proposal = draft(edition, speaker, submit=True)
    client = signed_in(client, speaker)
    response = client.post(
        reverse("conference:speaker_invite", args=[proposal.pk]), {"email": "grace@example.com"}
    )
    assert response.status_code == 302
    row = ProposalSpeaker.objects.get(proposal=proposal, person=colleague)
    invitation = reverse("conference:invitation", args=[row.token])
    assert invitation in mails()[-1].body_text

    # Someone else following the link is told whom it is for.
    other = signed_in(client, UserFactory()).get(invitation)
    assert "Sign in with that address" in other.text
    signed_in(client, UserFactory()).post(invitation, {"answer": "accept"})
    assert ProposalSpeaker.objects.get(pk=row.pk).status == SpeakerStatus.INVITED

    client = signed_in(client, colleague)
    assert "Accept" in client.get(invitation).text
    accepted = client.post(invitation, {"answer": "accept"})
    assert accepted.url == detail(proposal)
    assert ProposalSpeaker.objects.get(pk=row.pk).status == SpeakerStatus.ACCEPTED
    assert client.get(detail(proposal)).status_code == 200

    client.post(reverse("conference:speaker_remove", args=[proposal.pk, row.pk]))
    assert not ProposalSpeaker.objects.filter(pk=row.pk).exists()


def test_an_unknown_address_is_shown_beside_the_invite_field(client, edition, speaker):
    proposal = draft(edition, speaker)
    response = signed_in(client, speaker).post(
        reverse("conference:speaker_invite", args=[proposal.pk]), {"email": "ghost@example.com"}
    )
    assert response.status_code == 422
    assert "No member has the address ghost@example.com" in response.text


def test_an_unknown_invitation_is_not_found(client):
    response = signed_in(client, UserFactory()).get(reverse("conference:invitation", args=["nope"]))
    assert response.status_code == 404


# --- Lists ------------------------------------------------------------------------------------


def test_my_proposals_lists_mine_and_invitations_waiting(client, edition, speaker):
    mine = draft(edition, speaker, title="Mine")
    other_speaker = UserFactory()
    ProposalFactory(edition=edition, title="Not mine")
    invited = draft(edition, other_speaker, title="Come along", co_speakers=[speaker.email])

    page = signed_in(client, speaker).get(reverse("conference:my_proposals"))

    assert mine.title in page.text
    assert "Not mine" not in page.text
    assert "Invitations waiting for your answer" in page.text
    assert invited.title in page.text


def test_my_proposals_empty(client):
    page = signed_in(client, UserFactory()).get(reverse("conference:my_proposals"))
    assert "No proposals yet" in page.text


def test_the_committee_lists_filters_and_pages_the_proposals(client, edition, committee_member):
    research_track = research(edition)
    ProposalFactory(edition=edition, title="Alpha retrieval", track=research_track)
    ProposalFactory(edition=edition, title="Beta serving", state=ProposalState.ACCEPTED)
    ProposalFactory(edition=edition, title="Gamma draft", state=ProposalState.DRAFT)
    for number in range(30):
        ProposalFactory(edition=edition, title=f"Filler {number}")
    client = signed_in(client, committee_member)
    url = reverse("conference:edition_proposals", args=[edition.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert "32 proposals" in page.text
    assert "Gamma draft" not in page.text
    assert "?page=2" in page.text

    filtered = client.get(url, {"track": research_track.pk, "q": "retrieval"})
    assert "1 proposal" in filtered.text
    assert "Alpha retrieval" in filtered.text

    accepted = client.get(url, {"state": "accepted"}, HTTP_HX_REQUEST="true")
    assert "Beta serving" in accepted.text
    assert "<header" not in accepted.text  # only the results region

    bad = client.get(url, {"state": "bogus", "track": "99999"})
    assert bad.status_code == 200


def test_the_proposal_list_is_the_committees(client, edition):
    reviewer = ReviewerVolunteerFactory(edition=edition).person
    response = signed_in(client, reviewer).get(
        reverse("conference:edition_proposals", args=[edition.pk])
    )
    assert response.status_code == 403
