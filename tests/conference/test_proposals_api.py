"""The proposals API: mine, the edition's for the committee, one proposal with its
visibility rules, creating, editing, submitting, withdrawing, confirming, and co-speaker
invitations — happy paths and 403/404/409/422."""

from datetime import timedelta

import pytest
from django.utils import timezone

from practica.conference.models import (
    Edition,
    Proposal,
    ProposalSpeaker,
    ProposalState,
    SpeakerStatus,
)
from tests.conference.call_helpers import api_client, call, draft, keynote, mails, research, talk
from tests.events.outbox import outbox_backend  # noqa: F401 — the fixture
from tests.factories.conference import ProposalFactory, ReviewerVolunteerFactory, TrackFactory
from tests.factories.core import TopicFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db, pytest.mark.usefixtures("outbox_backend")]


@pytest.fixture
def speaker(db):
    return UserFactory(email="ada@example.com")


def body(edition, **changes):
    data = {
        "title": "Evaluating retrieval",
        "abstract": "What worked for us.",
        "format_id": talk(edition).pk,
        "track_id": research(edition).pk,
        "topics": [TopicFactory().slug],
    }
    data.update(changes)
    return data


def test_a_member_creates_and_submits_a_proposal(edition, speaker):
    client = api_client(speaker)
    created = call(client, "post", f"/conference/editions/{edition.pk}/proposals", body(edition))
    assert created.status_code == 201, created.json()
    proposal = created.json()
    assert proposal["state"] == "draft"
    assert proposal["is_speaker"] is True
    assert proposal["speakers"][0]["is_submitter"] is True

    submitted = call(client, "post", f"/conference/proposals/{proposal['id']}/submit")
    again = call(client, "post", f"/conference/proposals/{proposal['id']}/submit")
    assert submitted.status_code == again.status_code == 200
    assert submitted.json()["state"] == "submitted"
    assert len(mails()) == 1


def test_submit_at_creation_and_incomplete_is_a_422(edition, speaker):
    client = api_client(speaker)
    url = f"/conference/editions/{edition.pk}/proposals"
    assert call(client, "post", url, body(edition, submit=True)).json()["state"] == "submitted"
    incomplete = call(client, "post", url, body(edition, abstract="", submit=True, title="Empty"))
    assert incomplete.status_code == 422
    assert "abstract" in incomplete.json()["errors"]
    assert not Proposal.objects.filter(title="Empty").exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"format_id": "keynote"}, "format"),
        ({"track_id": "foreign"}, "track_id"),
        ({"topics": ["nope"]}, "topics"),
        ({"co_speakers": ["ghost@example.com"]}, "co_speakers"),
        ({"links": ["ftp://example.com"]}, "links"),
        ({"audience_level": "expert"}, "audience_level"),
    ],
)
def test_bad_proposals_are_a_422_naming_the_field(edition, speaker, changes, field):
    key, value = next(iter(changes.items()))
    if value == "keynote":
        changes = {key: keynote(edition).pk}
    elif value == "foreign":
        changes = {key: TrackFactory().pk}
    response = call(
        api_client(speaker),
        "post",
        f"/conference/editions/{edition.pk}/proposals",
        body(edition, **changes),
    )
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not Proposal.objects.exists()


def test_after_the_deadline_it_is_a_409_naming_the_deadline(edition, speaker):
    proposal = draft(edition, speaker)
    Edition.objects.filter(pk=edition.pk).update(
        cfp_closes_at=timezone.now() - timedelta(minutes=1)
    )
    client = api_client(speaker)

    edited = call(client, "patch", f"/conference/proposals/{proposal.pk}", {"title": "Late"})
    assert edited.status_code == 409
    assert edited.json()["code"] == "deadline"
    assert "Europe/Berlin" in edited.json()["detail"]
    created = call(client, "post", f"/conference/editions/{edition.pk}/proposals", body(edition))
    assert created.status_code == 409


def test_editing_only_what_is_sent(edition, speaker):
    proposal = draft(edition, speaker)
    response = call(
        api_client(speaker),
        "patch",
        f"/conference/proposals/{proposal.pk}",
        {"title": "Sharper", "track_id": None},
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Sharper"
    assert response.json()["track"] is None
    assert response.json()["abstract"] == proposal.abstract


def test_visibility_of_proposals_and_their_speakers(edition, speaker, committee_member):
    submitted = draft(edition, speaker, submit=True)
    hidden_draft = draft(edition, speaker, title="Just a draft")
    reviewer = ReviewerVolunteerFactory(edition=edition).person
    stranger = UserFactory()

    assert (
        call(api_client(stranger), "get", f"/conference/proposals/{submitted.pk}").status_code
        == 404
    )
    assert (
        call(
            api_client(committee_member), "get", f"/conference/proposals/{hidden_draft.pk}"
        ).status_code
        == 404
    )
    seen = call(api_client(reviewer), "get", f"/conference/proposals/{submitted.pk}").json()
    assert seen["speakers"][0]["person"]["id"] == speaker.pk
    assert seen["is_speaker"] is False

    Edition.objects.filter(pk=edition.pk).update(double_blind=True)
    blind = call(api_client(reviewer), "get", f"/conference/proposals/{submitted.pk}").json()
    assert blind["speakers"] is None
    committee = call(api_client(committee_member), "get", f"/conference/proposals/{submitted.pk}")
    assert committee.json()["speakers"][0]["person"]["id"] == speaker.pk
    own = call(api_client(speaker), "get", f"/conference/proposals/{submitted.pk}").json()
    assert own["speakers"] is not None


def test_only_speakers_change_a_proposal(edition, speaker, committee_member):
    proposal = draft(edition, speaker, submit=True)
    client = api_client(committee_member)
    assert (
        call(client, "patch", f"/conference/proposals/{proposal.pk}", {"title": "X"}).status_code
        == 403
    )
    assert call(client, "post", f"/conference/proposals/{proposal.pk}/withdraw").status_code == 403


def test_lists_mine_and_the_committees(edition, speaker, committee_member):
    mine = draft(edition, speaker, title="Mine", submit=True)
    draft(edition, speaker, title="Mine, a draft")
    ProposalFactory(edition=edition, title="Theirs", state=ProposalState.ACCEPTED)

    listed = call(api_client(speaker), "get", "/conference/proposals/mine").json()
    assert {item["title"] for item in listed["items"]} == {"Mine", "Mine, a draft"}

    client = api_client(committee_member)
    url = f"/conference/editions/{edition.pk}/proposals"
    everything = call(client, "get", url).json()
    assert {item["title"] for item in everything["items"]} == {"Mine", "Theirs"}
    accepted = call(client, "get", url, {"state": "accepted"}).json()
    assert [item["title"] for item in accepted["items"]] == ["Theirs"]
    by_track = call(client, "get", url, {"track_id": mine.track_id}).json()
    assert [item["title"] for item in by_track["items"]] == ["Mine"]
    assert call(client, "get", url, {"track_id": 999999}).status_code == 422
    assert call(api_client(speaker), "get", url).status_code == 403


def test_withdraw_and_confirm(edition, speaker):
    proposal = draft(edition, speaker, submit=True)
    client = api_client(speaker)
    refused = call(
        client, "post", f"/conference/proposals/{proposal.pk}/confirmation", {"confirm": True}
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "state"
    withdrawn = call(client, "post", f"/conference/proposals/{proposal.pk}/withdraw")
    assert withdrawn.json()["state"] == "withdrawn"

    accepted = ProposalFactory(edition=edition, state=ProposalState.ACCEPTED)
    confirmed = call(
        api_client(accepted.created_by),
        "post",
        f"/conference/proposals/{accepted.pk}/confirmation",
        {"confirm": True},
    )
    assert confirmed.json()["state"] == "confirmed"


def test_co_speaker_invitations(edition, speaker):
    colleague = UserFactory(email="grace@example.com")
    proposal = draft(edition, speaker, submit=True)
    client = api_client(speaker)
    url = f"/conference/proposals/{proposal.pk}/speakers"

    invited = call(client, "post", url, {"email": "Grace@example.com"})
    assert invited.status_code == 201
    assert invited.json()["status"] == "invited"
    assert call(client, "post", url, {"email": "grace@example.com"}).status_code == 200
    assert call(client, "post", url, {"email": "ghost@example.com"}).status_code == 422

    invitations = call(api_client(colleague), "get", "/conference/invitations/mine").json()
    [invitation] = invitations["items"]
    assert invitation["proposal_title"] == proposal.title
    token = invitation["token"]
    wrong = call(api_client(UserFactory()), "post", f"/conference/invitations/{token}/accept")
    assert wrong.status_code == 403
    accepted = call(api_client(colleague), "post", f"/conference/invitations/{token}/accept")
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    assert (
        call(api_client(colleague), "post", "/conference/invitations/nope/accept").status_code
        == 404
    )

    row = ProposalSpeaker.objects.get(person=colleague)
    submitter = ProposalSpeaker.objects.get(proposal=proposal, is_submitter=True)
    assert call(client, "delete", f"{url}/{submitter.pk}").status_code == 422
    assert call(client, "delete", f"{url}/{row.pk}").json()["id"] == row.pk
    assert not ProposalSpeaker.objects.filter(pk=row.pk).exists()


def test_declining_an_invitation_on_a_withdrawn_proposal_is_a_409(edition, speaker):
    colleague = UserFactory()
    proposal = draft(edition, speaker, co_speakers=[colleague.email])
    row = ProposalSpeaker.objects.get(person=colleague)
    client = api_client(colleague)
    declined = call(client, "post", f"/conference/invitations/{row.token}/decline")
    assert declined.json()["status"] == SpeakerStatus.DECLINED
    call(api_client(speaker), "post", f"/conference/proposals/{proposal.pk}/withdraw")
    late = call(client, "post", f"/conference/invitations/{row.token}/accept")
    assert late.status_code == 409
