"""The opportunities board's screens: the board, a call, its forms and every button, with
who may press which."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from practica.communities.models import (
    Opportunity,
    OpportunityStatus,
    Volunteer,
    VolunteerStatus,
)
from practica.core.models import Activity, ActivityKind
from tests.events.outbox import sent_mails
from tests.factories.ladder import OpportunityFactory, VolunteerFactory

pytestmark = pytest.mark.django_db


def url(name, community, *args):
    return reverse(f"communities:{name}", args=[community.slug, *args])


def test_the_board_lists_open_calls_with_my_offer(client, community, alice):
    mine = OpportunityFactory(community=community, title="Speakers wanted", seats=3)
    VolunteerFactory(opportunity=mine, person=alice)
    OpportunityFactory(community=community, title="Hosts wanted")
    OpportunityFactory(community=community, title="Old call", status=OpportunityStatus.CLOSED)
    client.force_login(alice)

    response = client.get(url("opportunities", community))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Speakers wanted" in page
    assert "Hosts wanted" in page
    assert "Old call" not in page
    assert "You volunteered" in page
    assert "0 of 3 places taken" in page
    assert "Open a call" not in page  # members do not run the board
    closed = client.get(url("opportunities", community), {"state": "closed"})
    assert [call.title for call in closed.context["page_obj"]] == ["Old call"]
    # An unknown state falls back to the open calls.
    assert client.get(url("opportunities", community), {"state": "x"}).context["state"] == "open"


def test_an_empty_board_invites_the_runners_to_open_a_call(client, community, organizer, alice):
    client.force_login(alice)
    assert "No open calls right now" in client.get(url("opportunities", community)).content.decode()
    client.force_login(organizer)
    page = client.get(url("opportunities", community)).content.decode()
    assert page.count("Open a call") >= 2


def test_an_organizer_opens_and_edits_a_call(client, community, organizer):
    client.force_login(organizer)
    assert client.get(url("opportunities_new", community)).status_code == 200
    closes = (timezone.localdate() + timedelta(days=20)).isoformat()

    response = client.post(
        url("opportunities_new", community),
        {
            "kind": "organizers",
            "title": "Organizers for a study group on RL",
            "description": "Two hours a month.",
            "seats": "2",
            "closes_on": closes,
        },
    )

    call = Opportunity.objects.get()
    assert response.status_code == 302
    assert response.url == url("opportunities_detail", community, call.pk)
    assert (call.kind, call.seats, call.closes_on.isoformat()) == ("organizers", 2, closes)
    edit = client.get(url("opportunities_edit", community, call.pk))
    assert 'value="Organizers for a study group on RL"' in edit.content.decode()
    client.post(
        url("opportunities_edit", community, call.pk),
        {"kind": "organizers", "title": "RL study group organizers", "seats": ""},
    )
    call.refresh_from_db()
    assert (call.title, call.seats, call.closes_on) == ("RL study group organizers", None, None)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "organizers", "title": ""}, "This field is required"),
        ({"kind": "wizards", "title": "x"}, "Select a valid choice"),
        ({"kind": "hosts", "title": "x", "seats": "-1"}, "greater than or equal to 1"),
        ({"kind": "hosts", "title": "x", "seats": "99999"}, "less than or equal to 1000"),
        ({"kind": "hosts", "title": "x", "closes_on": "2000-01-01"}, "cannot be in the past"),
        ({"kind": "hosts", "title": "x", "closes_on": "someday"}, "Enter a valid date"),
    ],
)
def test_bad_calls_are_shown_back(client, community, manager, data, message):
    client.force_login(manager)

    response = client.post(url("opportunities_new", community), data)

    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Opportunity.objects.exists()


def test_members_do_not_run_the_board(client, community, alice):
    call = OpportunityFactory(community=community)
    offer = VolunteerFactory(opportunity=call)
    client.force_login(alice)

    for method, name, args in [
        ("get", "opportunities_new", []),
        ("post", "opportunities_new", []),
        ("get", "opportunities_edit", [call.pk]),
        ("post", "opportunities_close", [call.pk]),
        ("post", "opportunities_accept", [call.pk, offer.pk]),
        ("post", "opportunities_decline", [call.pk, offer.pk]),
    ]:
        assert getattr(client, method)(url(name, community, *args)).status_code == 403, name
    call.refresh_from_db()
    assert call.status == OpportunityStatus.OPEN
    assert Volunteer.objects.get(pk=offer.pk).status == VolunteerStatus.OFFERED


@pytest.mark.usefixtures("outbox_backend")
def test_a_member_volunteers_and_withdraws(client, community, organizer, alice):
    call = OpportunityFactory(community=community, created_by=organizer)
    client.force_login(alice)
    page = client.get(url("opportunities_detail", community, call.pk)).content.decode()
    assert "A word to the organizers" in page
    assert "Volunteers" not in page  # the list of volunteers is for the runners

    response = client.post(
        url("opportunities_volunteer", community, call.pk), {"message": "Count me in"}, follow=True
    )

    assert "The organizers will answer you by mail" in response.content.decode()
    assert "You volunteered" in response.content.decode()
    assert Volunteer.objects.get(person=alice).message == "Count me in"
    assert len(sent_mails(to_email=organizer.email)) == 1

    withdrawn = client.post(url("opportunities_withdraw", community, call.pk), follow=True)
    assert "Your offer was withdrawn" in withdrawn.content.decode()
    assert Volunteer.objects.get(person=alice).status == VolunteerStatus.WITHDRAWN
    again = client.post(url("opportunities_withdraw", community, call.pk), follow=True)
    assert "You have no offer to withdraw" in again.content.decode()


def test_volunteering_refusals_are_explained(client, community, outsider, alice):
    closed = OpportunityFactory(community=community, status=OpportunityStatus.CLOSED)
    client.force_login(alice)
    response = client.post(url("opportunities_volunteer", community, closed.pk), follow=True)
    assert "takes no more volunteers" in response.content.decode()
    long = client.post(
        url("opportunities_volunteer", community, OpportunityFactory(community=community).pk),
        {"message": "m" * 1001},
    )
    assert long.status_code == 422
    assert "at most 1000 characters" in long.content.decode()

    client.force_login(outsider)
    call = OpportunityFactory(community=community)
    page = client.get(url("opportunities_detail", community, call.pk)).content.decode()
    assert "to volunteer" in page
    joined = client.post(url("opportunities_volunteer", community, call.pk), follow=True)
    assert "Join Machine Learning to volunteer" in joined.content.decode()
    assert not Volunteer.objects.exists()


@pytest.mark.usefixtures("outbox_backend")
def test_the_organizer_accepts_and_declines(client, community, organizer, alice, bob):
    call = OpportunityFactory(community=community, seats=1)
    first = VolunteerFactory(opportunity=call, person=alice, message="I know the topic")
    second = VolunteerFactory(opportunity=call, person=bob)
    client.force_login(organizer)
    page = client.get(url("opportunities_detail", community, call.pk)).content.decode()
    assert "I know the topic" in page

    accepted = client.post(
        url("opportunities_accept", community, call.pk, first.pk), {"note": "Welcome"}, follow=True
    )
    assert "Alice Answerer is accepted" in accepted.content.decode()
    assert Activity.objects.filter(kind=ActivityKind.VOLUNTEERED, person=alice).exists()
    full = client.post(url("opportunities_accept", community, call.pk, second.pk), follow=True)
    assert "All 1 places of this call are taken" in full.content.decode()
    declined = client.post(
        url("opportunities_decline", community, call.pk, second.pk), {"note": "Next time"}
    )
    assert declined.status_code == 302
    assert Volunteer.objects.get(pk=second.pk).status == VolunteerStatus.DECLINED
    assert "Next time" in sent_mails(to_email=bob.email)[0].text
    too_long = client.post(
        url("opportunities_decline", community, call.pk, first.pk), {"note": "n" * 501}, follow=True
    )
    assert "at most 500 characters" in too_long.content.decode()


def test_closing_a_call(client, community, manager):
    call = OpportunityFactory(community=community)
    client.force_login(manager)

    response = client.post(url("opportunities_close", community, call.pk), follow=True)

    assert "takes no more volunteers" in response.content.decode()
    call.refresh_from_db()
    assert call.status == OpportunityStatus.CLOSED
    assert "Close the call" not in response.content.decode()


def test_an_expired_call_says_so(client, community, alice):
    call = OpportunityFactory(
        community=community, closes_on=timezone.localdate() - timedelta(days=2)
    )
    client.force_login(alice)

    page = client.get(url("opportunities_detail", community, call.pk)).content.decode()

    assert "Past its closing day" in page
    assert "A word to the organizers" not in page


def test_a_call_of_another_community_is_not_found(client, community, alice):
    client.force_login(alice)
    other = OpportunityFactory()

    assert client.get(url("opportunities_detail", community, other.pk)).status_code == 404
