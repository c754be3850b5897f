"""The "Invite colleagues" page (per-address results, refusals, permissions), "My
invitations" with each one's status, and withdrawing from the page."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from practica.outreach.models import Invitation
from tests.events.outbox import outbox_backend, sent_mails  # noqa: F401 — the fixture
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.outreach import InvitationFactory, OptedOutAddressFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db, pytest.mark.usefixtures("outbox_backend")]


@pytest.fixture
def inviter(community):
    return MembershipFactory(community=community).person


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def invite_url(community):
    return reverse("outreach:invite", args=[community.slug])


def test_a_member_sees_the_form_and_their_allowance(community, inviter):
    response = client_for(inviter).get(invite_url(community))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="emails"' in html
    assert 'name="message"' in html
    assert "You can send 25 more invitations today." in html


def test_inviting_several_addresses_shows_a_result_for_each(community, inviter):
    member = MembershipFactory(community=community).person
    OptedOutAddressFactory(email="quiet@example.com")
    response = client_for(inviter).post(
        invite_url(community),
        {
            "emails": f"grace@example.com\nnot-an-address\n{member.email}\nquiet@example.com\n",
            "message": "Join us!",
        },
    )
    assert response.status_code == 200
    results = response.context["results"]
    assert [(result.email, result.invited) for result in results] == [
        ("grace@example.com", True),
        ("not-an-address", False),
        (member.email, False),
        ("quiet@example.com", False),
    ]
    html = response.content.decode()
    assert "1 of 4 invited." in html
    assert "“not-an-address” is not an email address." in html
    assert "is already a member of" in html
    assert "This address can&#x27;t be invited." in html
    # The refused addresses and the note stay in the form, to be corrected.
    form = response.context["form"]
    assert form.initial["emails"].splitlines() == [
        "not-an-address",
        member.email,
        "quiet@example.com",
    ]
    assert form.initial["message"] == "Join us!"
    assert Invitation.objects.get().email == "grace@example.com"
    [mail] = sent_mails()
    assert "Join us!" in mail.text


def test_all_invited_leaves_an_empty_form(community, inviter):
    response = client_for(inviter).post(
        invite_url(community), {"emails": "a@example.com, b@example.com", "message": "Hi"}
    )
    assert response.status_code == 200
    assert response.context["form"].initial == {"emails": "", "message": ""}
    assert "2 of 2 invited." in response.content.decode()
    assert Invitation.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"emails": ""}, "emails"),
        ({"emails": "\n , ;\n"}, "emails"),
        ({"emails": "\n".join(f"c{n}@example.com" for n in range(51))}, "emails"),
        ({"emails": "a@example.com", "message": "x" * 2001}, "message"),
    ],
)
def test_bad_input_is_a_422_with_the_message_by_the_field(community, inviter, data, field):
    response = client_for(inviter).post(invite_url(community), data)
    assert response.status_code == 422
    assert response.context["form"].errors[field]
    assert not Invitation.objects.exists()
    assert sent_mails() == []


def test_non_members_are_refused_and_strangers_sent_to_sign_in(community, member):
    assert client_for(member).get(invite_url(community)).status_code == 403
    response = client_for(member).post(invite_url(community), {"emails": "a@example.com"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()
    anonymous = Client().get(invite_url(community))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("people:login"))


def test_an_unknown_community_is_a_404(inviter):
    response = client_for(inviter).get(reverse("outreach:invite", args=["no-such-community"]))
    assert response.status_code == 404


def test_the_allowance_spent_disables_the_button(community, inviter, settings):
    settings.OUTREACH_INVITATIONS_PER_DAY = 1
    client = client_for(inviter)
    client.post(invite_url(community), {"emails": "a@example.com"})
    response = client.post(invite_url(community), {"emails": "b@example.com"})
    [result] = response.context["results"]
    assert result.code == "daily_limit"
    html = response.content.decode()
    assert "You can send 0 more invitations today." in html
    assert "disabled" in html


# --- My invitations ---------------------------------------------------------------------------


def test_my_invitations_with_their_status(community, inviter):
    now = timezone.now()
    InvitationFactory(community=community, inviter=inviter, email="pending@example.com")
    InvitationFactory(
        community=community, inviter=inviter, email="clicked@example.com", clicked_at=now
    )
    InvitationFactory(
        community=community,
        inviter=inviter,
        email="joined@example.com",
        clicked_at=now,
        joined_at=now,
    )
    InvitationFactory(
        community=community,
        inviter=inviter,
        email="expired@example.com",
        created_at=now - dt.timedelta(days=61),
    )
    InvitationFactory(community=community, email="someone-elses@example.com")
    response = client_for(inviter).get(reverse("outreach:my_invitations"))
    assert response.status_code == 200
    statuses = {invitation.email: invitation.status for invitation in response.context["page_obj"]}
    assert statuses == {
        "pending@example.com": "pending",
        "clicked@example.com": "clicked",
        "joined@example.com": "joined",
        "expired@example.com": "expired",
    }
    html = response.content.decode()
    for label in ("Pending", "Clicked", "Joined", "Expired"):
        assert f">{label}</span>" in html
    # Withdraw buttons for all but the joined one.
    assert html.count("/withdraw/") == 3
    assert f"Invite to {community.name}" in html


def test_my_invitations_empty(member):
    response = client_for(member).get(reverse("outreach:my_invitations"))
    assert response.status_code == 200
    assert "No invitations yet" in response.content.decode()


def test_my_invitations_read_a_bounded_number_of_queries(
    community, inviter, django_assert_max_num_queries
):
    for number in range(20):
        InvitationFactory(
            community=CommunityFactory() if number % 2 else community,
            inviter=inviter,
            invitee=UserFactory() if number % 3 else None,
        )
    client = client_for(inviter)
    client.get(reverse("outreach:my_invitations"))
    with django_assert_max_num_queries(10):
        assert client.get(reverse("outreach:my_invitations")).status_code == 200


# --- Withdrawing ------------------------------------------------------------------------------


def test_withdrawing_from_the_page(community, inviter):
    invitation = InvitationFactory(community=community, inviter=inviter, email="x@example.com")
    response = client_for(inviter).post(
        reverse("outreach:invitation_withdraw", args=[invitation.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("outreach:my_invitations")
    assert "The invitation to x@example.com is withdrawn" in response.content.decode()
    assert not Invitation.objects.exists()


def test_withdrawing_returns_to_a_local_page_only(community, inviter):
    first = InvitationFactory(community=community, inviter=inviter)
    second = InvitationFactory(community=community, inviter=inviter)
    client = client_for(inviter)
    back = client.post(
        reverse("outreach:invitation_withdraw", args=[first.pk]), {"next": invite_url(community)}
    )
    assert back["Location"] == invite_url(community)
    away = client.post(
        reverse("outreach:invitation_withdraw", args=[second.pk]),
        {"next": "https://evil.example.com/"},
    )
    assert away["Location"] == reverse("outreach:my_invitations")


def test_another_members_invitation_is_a_404(community, inviter):
    invitation = InvitationFactory(community=community)
    response = client_for(inviter).post(
        reverse("outreach:invitation_withdraw", args=[invitation.pk])
    )
    assert response.status_code == 404
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_a_joined_invitation_stays_with_a_message(community, inviter):
    invitation = InvitationFactory(
        community=community, inviter=inviter, email="in@example.com", joined_at=timezone.now()
    )
    response = client_for(inviter).post(
        reverse("outreach:invitation_withdraw", args=[invitation.pk]), follow=True
    )
    assert "in@example.com has joined with this invitation" in response.content.decode()
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_withdrawing_needs_a_post(community, inviter):
    invitation = InvitationFactory(community=community, inviter=inviter)
    response = client_for(inviter).get(
        reverse("outreach:invitation_withdraw", args=[invitation.pk])
    )
    assert response.status_code == 405
    assert Invitation.objects.filter(pk=invitation.pk).exists()
