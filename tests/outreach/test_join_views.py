"""Joining from a signed link and opting out: the click counted once, one-click joining with
the link's source, closed communities, tampered and expired links, deactivated people."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from practica.communities.models import (
    Access,
    Membership,
    MembershipRequest,
    MembershipSource,
    RequestStatus,
)
from practica.outreach.join_links import (
    JoinTicket,
    join_token,
    join_url_for_community,
    opt_out_token,
)
from practica.outreach.models import OutreachOptOut
from practica.outreach.services.joining import (
    join_from_link,
    opt_out_of_outreach,
    record_join_click,
)
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.outreach import CampaignFactory, CampaignRecipientFactory, InvitationFactory
from tests.factories.people import UserFactory
from tests.outreach.test_join_links import signed_days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def recipient(community):
    return CampaignRecipientFactory(campaign=CampaignFactory(community=community))


def join_path(ticket):
    return reverse("outreach:join", args=[join_token(ticket)])


def ticket_of(recipient):
    return JoinTicket("campaign", recipient.pk)


# --- The services -------------------------------------------------------------------------------


def test_the_first_click_is_recorded_once(recipient):
    record_join_click(ticket=ticket_of(recipient))
    recipient.refresh_from_db()
    first = recipient.clicked_at
    assert first is not None
    record_join_click(ticket=ticket_of(recipient))
    recipient.refresh_from_db()
    assert recipient.clicked_at == first


def test_joining_from_a_welcome_mail(recipient, community):
    membership = join_from_link(ticket=ticket_of(recipient), person=recipient.person)
    assert (membership.community, membership.source) == (community, MembershipSource.WELCOME_MAIL)
    recipient.refresh_from_db()
    assert recipient.joined_at == membership.joined_at
    assert recipient.clicked_at == membership.joined_at  # the page was skipped
    again = join_from_link(ticket=ticket_of(recipient), person=recipient.person)
    assert again == membership
    assert Membership.objects.filter(community=community, person=recipient.person).count() == 1


def test_someone_else_may_join_with_a_forwarded_link_without_counting_as_joined(recipient):
    colleague = UserFactory()
    membership = join_from_link(ticket=ticket_of(recipient), person=colleague)
    assert membership.person == colleague
    recipient.refresh_from_db()
    assert recipient.joined_at is None


def test_an_invitation_link_joins_with_source_invitation_and_records_the_invitee(community):
    person = UserFactory(email="colleague@example.com")
    invitation = InvitationFactory(community=community, email="Colleague@Example.com")
    membership = join_from_link(ticket=JoinTicket("invitation", invitation.pk), person=person)
    assert membership.source == MembershipSource.INVITATION
    invitation.refresh_from_db()
    assert invitation.joined_at == membership.joined_at
    assert invitation.invitee == person


def test_a_closed_community_gets_a_join_request(recipient, community):
    community.access = Access.CLOSED
    community.save()
    result = join_from_link(ticket=ticket_of(recipient), person=recipient.person)
    assert isinstance(result, MembershipRequest)
    assert result.status == RequestStatus.PENDING
    assert not Membership.objects.filter(community=community, person=recipient.person).exists()
    recipient.refresh_from_db()
    assert recipient.joined_at is None


def test_deactivated_people_cannot_join(recipient):
    recipient.person.is_active = False
    recipient.person.save()
    with pytest.raises(PermissionDenied):
        join_from_link(ticket=ticket_of(recipient), person=recipient.person)
    assert not Membership.objects.filter(person=recipient.person).exists()


def test_opting_out_is_idempotent_and_case_blind():
    person = UserFactory(email="ada@example.com")
    first = opt_out_of_outreach(email="  ADA@example.com ")
    assert (first.email, first.person) == ("ada@example.com", person)
    assert opt_out_of_outreach(email="ada@example.com") == first
    assert OutreachOptOut.objects.count() == 1


def test_opting_out_a_bad_address_is_refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        opt_out_of_outreach(email="not an address")
    assert not OutreachOptOut.objects.exists()


# --- The join page ------------------------------------------------------------------------------


def test_the_page_records_the_click_and_offers_one_button(client, recipient, community):
    client.force_login(recipient.person)
    response = client.get(join_path(ticket_of(recipient)))
    assert response.status_code == 200
    assert f"Join {community.name}" in response.content.decode()
    recipient.refresh_from_db()
    first = recipient.clicked_at
    assert first is not None
    client.get(join_path(ticket_of(recipient)))
    recipient.refresh_from_db()
    assert recipient.clicked_at == first
    assert not Membership.objects.filter(community=community, person=recipient.person).exists()


def test_one_click_joins_and_lands_on_the_community(client, recipient, community):
    client.force_login(recipient.person)
    response = client.post(join_path(ticket_of(recipient)))
    assert response.status_code == 302
    assert response["Location"] == reverse("communities:detail", args=[community.slug])
    membership = Membership.objects.get(community=community, person=recipient.person)
    assert membership.source == MembershipSource.WELCOME_MAIL
    recipient.refresh_from_db()
    assert recipient.joined_at is not None


def test_signed_out_visitors_are_sent_to_sign_in_and_back(client, recipient):
    path = join_path(ticket_of(recipient))
    page = client.get(path)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Sign in to join" in body
    assert "/people/sign-in/?next=%2Foutreach%2Fjoin%2F" in body
    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:login"))
    assert "next=" in response["Location"]
    recipient.refresh_from_db()
    assert recipient.clicked_at is not None  # the visit counts as the click


def test_a_member_is_told_so(client, recipient, community):
    MembershipFactory(community=community, person=recipient.person)
    client.force_login(recipient.person)
    assert "already a member" in client.get(join_path(ticket_of(recipient))).content.decode()


def test_a_closed_community_asks_to_join(client, recipient, community):
    community.access = Access.CLOSED
    community.save()
    client.force_login(recipient.person)
    assert (
        f"Ask to join {community.name}"
        in client.get(join_path(ticket_of(recipient))).content.decode()
    )
    response = client.post(join_path(ticket_of(recipient)), follow=True)
    assert "your request to join went to its managers" in response.content.decode()
    assert MembershipRequest.objects.filter(
        community=community, person=recipient.person, status=RequestStatus.PENDING
    ).exists()
    assert "waiting for a manager" in client.get(join_path(ticket_of(recipient))).content.decode()


def test_a_deactivated_addressee_is_refused_politely(client, recipient):
    recipient.person.is_active = False
    recipient.person.save()
    response = client.get(join_path(ticket_of(recipient)))
    assert response.status_code == 200
    body = response.content.decode()
    assert "no longer active" in body
    assert "Sign in to join" not in body


def test_a_tampered_link_is_a_400_page_with_a_way_on(client, recipient):
    token = join_token(ticket_of(recipient))
    response = client.get(reverse("outreach:join", args=["c999" + token[token.index(":") :]]))
    assert response.status_code == 400
    body = response.content.decode()
    assert "This link is not valid" in body
    assert reverse("communities:list") in body
    assert client.post(reverse("outreach:join", args=["garbage"])).status_code == 400


def test_an_expired_link_is_a_410_page_pointing_at_the_community(client, recipient, community):
    token = signed_days_ago(f"c{recipient.pk}", 61)
    response = client.get(reverse("outreach:join", args=[token]))
    assert response.status_code == 410
    body = response.content.decode()
    assert "This link has expired" in body
    assert reverse("communities:detail", args=[community.slug]) in body
    recipient.refresh_from_db()
    assert recipient.clicked_at is None
    client.force_login(recipient.person)
    assert client.post(reverse("outreach:join", args=[token])).status_code == 410
    assert not Membership.objects.filter(person=recipient.person).exists()


def test_a_link_whose_row_is_gone_is_a_410(client, recipient):
    path = join_path(ticket_of(recipient))
    recipient.delete()
    assert client.get(path).status_code == 410


def test_a_preview_link_joins_without_a_recipient(client, community):
    person = UserFactory()
    client.force_login(person)
    path = join_url_for_community(community.pk).split("testserver")[-1]
    path = path[path.index("/outreach/") :]
    client.post(path)
    assert Membership.objects.get(community=community, person=person).source == "organic"


# --- Opting out -----------------------------------------------------------------------------------


def test_opting_out_asks_first_then_records(client):
    path = reverse("outreach:opt_out", args=[opt_out_token("ada@example.com")])
    page = client.get(path)
    assert page.status_code == 200
    assert "ada@example.com" in page.content.decode()
    assert not OutreachOptOut.objects.exists()
    done = client.post(path)
    assert done.status_code == 200
    assert "no more outreach mail" in done.content.decode()
    assert OutreachOptOut.objects.get().email == "ada@example.com"
    assert client.post(path).status_code == 200  # again: nothing new
    assert OutreachOptOut.objects.count() == 1
    assert "already opted out" in client.get(path).content.decode()


def test_mail_clients_one_click_post_needs_no_csrf_token(recipient):
    from django.test import Client

    path = reverse("outreach:opt_out", args=[opt_out_token(recipient.email)])
    response = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert OutreachOptOut.objects.get().person == recipient.person


def test_a_tampered_opt_out_link_is_a_400(client):
    token = opt_out_token("ada@example.com")
    response = client.post(reverse("outreach:opt_out", args=[token[:-3] + "xyz"]))
    assert response.status_code == 400
    assert not OutreachOptOut.objects.exists()


def test_the_pages_need_no_community_membership(client):
    community = CommunityFactory()
    path = reverse("outreach:join", args=[join_token(JoinTicket("community", community.pk))])
    assert community.name in client.get(path).content.decode()
