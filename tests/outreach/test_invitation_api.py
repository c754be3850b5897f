"""Invitations over the API: per-address results with 201 / 400 / 409, 403 for non-members,
422 for a malformed request, the caller's list with statuses, withdrawing (404 for others'
invitations, 409 for a joined one)."""

import pytest
from django.test import Client
from django.utils import timezone

from practica.outreach.models import Invitation
from tests.api.clients import API, session_client, token_client
from tests.events.outbox import outbox_backend, sent_mails  # noqa: F401 — the fixture
from tests.factories.communities import MembershipFactory
from tests.factories.outreach import InvitationFactory, OptedOutAddressFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db, pytest.mark.usefixtures("outbox_backend")]


@pytest.fixture
def inviter(community):
    return MembershipFactory(community=community).person


def invite(client, community, emails, message=""):
    return client.post(
        f"{API}/outreach/communities/{community.slug}/invitations",
        {"emails": emails, "message": message},
        content_type="application/json",
    )


def test_inviting_answers_a_result_per_address(community, inviter):
    member = MembershipFactory(community=community).person
    response = invite(
        token_client(inviter),
        community,
        ["grace@example.com", "nope", member.email, "GRACE@example.com"],
        "Come along",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["invited"] == 1
    assert body["refused"] == 2
    assert body["detail"] == "1 of 3 addresses invited."
    invitation = Invitation.objects.get()
    assert body["results"] == [
        {
            "email": "grace@example.com",
            "invited": True,
            "invitation_id": invitation.pk,
            "code": "",
            "message": "",
        },
        {
            "email": "nope",
            "invited": False,
            "invitation_id": None,
            "code": "invalid_address",
            "message": "“nope” is not an email address.",
        },
        {
            "email": member.email,
            "invited": False,
            "invitation_id": None,
            "code": "already_member",
            "message": f"{member.email} is already a member of {community.name}.",
        },
    ]
    [mail] = sent_mails()
    assert mail.to == "grace@example.com"
    assert "Come along" in mail.text
    assert "/outreach/join/" in mail.text


def test_nothing_invited_for_conflicts_is_a_409(community, inviter):
    InvitationFactory(community=community, email="pending@example.com")
    OptedOutAddressFactory(email="quiet@example.com")
    UserFactory(email="gone@example.com", is_active=False)
    response = invite(
        token_client(inviter),
        community,
        ["pending@example.com", "quiet@example.com", "gone@example.com", "bad"],
    )
    assert response.status_code == 409
    codes = [result["code"] for result in response.json()["results"]]
    assert codes == ["already_invited", "not_invitable", "not_invitable", "invalid_address"]
    assert sent_mails() == []


def test_the_daily_allowance_is_a_409(community, inviter, settings):
    settings.OUTREACH_INVITATIONS_PER_DAY = 1
    client = token_client(inviter)
    assert invite(client, community, ["a@example.com"]).status_code == 201
    response = invite(client, community, ["b@example.com"])
    assert response.status_code == 409
    assert response.json()["results"][0]["code"] == "daily_limit"


def test_only_malformed_addresses_is_a_400(community, inviter):
    response = invite(token_client(inviter), community, ["bad", "also bad@", ""])
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "0 of 3 addresses invited."
    assert {result["code"] for result in body["results"]} == {"invalid_address"}


@pytest.mark.parametrize(
    "payload",
    [
        {"emails": []},
        {"emails": [f"c{n}@example.com" for n in range(51)]},
        {"emails": ["a@example.com"], "message": "x" * 2001},
        {"emails": "a@example.com"},
        {"emails": ["a\x00@example.com"]},
        {},
    ],
)
def test_a_malformed_request_is_a_422(community, inviter, payload):
    response = token_client(inviter).post(
        f"{API}/outreach/communities/{community.slug}/invitations",
        payload,
        content_type="application/json",
    )
    assert response.status_code == 422, response.json()
    assert response.json()["errors"]
    assert not Invitation.objects.exists()


def test_non_members_get_a_403_strangers_a_401(community, member):
    response = invite(token_client(member), community, ["a@example.com"])
    assert response.status_code == 403
    assert "Only members of" in response.json()["detail"]
    assert invite(Client(), community, ["a@example.com"]).status_code == 401
    assert not Invitation.objects.exists()


def test_an_unknown_community_is_a_404(inviter):
    response = token_client(inviter).post(
        f"{API}/outreach/communities/no-such-community/invitations",
        {"emails": ["a@example.com"]},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_listing_my_invitations_with_their_status(community, inviter):
    now = timezone.now()
    invitee = UserFactory(display_name="Grace Hopper")
    InvitationFactory(
        community=community,
        inviter=inviter,
        email=invitee.email,
        invitee=invitee,
        clicked_at=now,
        joined_at=now,
    )
    InvitationFactory(community=community, inviter=inviter, email="p@example.com")
    InvitationFactory(community=community, email="someone-elses@example.com")
    response = session_client(inviter).get(f"{API}/outreach/invitations/mine")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    pending, joined = body["items"]
    assert pending["email"] == "p@example.com"
    assert pending["status"] == "pending"
    assert pending["invitee"] is None
    assert pending["community"] == {"slug": community.slug, "name": community.name}
    assert joined["status"] == "joined"
    assert joined["invitee"] == {"id": invitee.pk, "display_name": "Grace Hopper"}


def test_withdrawing(community, inviter):
    invitation = InvitationFactory(community=community, inviter=inviter, email="x@example.com")
    client = token_client(inviter)
    response = client.post(f"{API}/outreach/invitations/{invitation.pk}/withdraw")
    assert response.status_code == 200
    assert response.json()["email"] == "x@example.com"
    assert response.json()["status"] == "pending"
    assert not Invitation.objects.exists()
    again = client.post(f"{API}/outreach/invitations/{invitation.pk}/withdraw")
    assert again.status_code == 404


def test_withdrawing_anothers_invitation_is_a_404(community, inviter, manager):
    invitation = InvitationFactory(community=community, inviter=inviter)
    response = token_client(manager).post(f"{API}/outreach/invitations/{invitation.pk}/withdraw")
    assert response.status_code == 404
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_withdrawing_a_joined_invitation_is_a_409(community, inviter):
    invitation = InvitationFactory(community=community, inviter=inviter, joined_at=timezone.now())
    response = token_client(inviter).post(f"{API}/outreach/invitations/{invitation.pk}/withdraw")
    assert response.status_code == 409
    assert response.json()["code"] == "joined"
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_a_huge_id_is_a_422_not_a_500(inviter):
    response = token_client(inviter).post(f"{API}/outreach/invitations/{2**64}/withdraw")
    assert response.status_code == 422
