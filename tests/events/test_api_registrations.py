"""The registrations API: registering (201 / 200 repeat / 409 refusals / 404 invisible), the
caller's registration (cancel, confirm or decline an offer), organizers' lists and the
waiting list."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from practica.events.models import (
    EventMode,
    EventSeats,
    EventStatus,
    Registration,
    RegistrationStatus,
    SeatMode,
)
from practica.events.services.registration import register_for_event
from tests.api.clients import API
from tests.events.api_helpers import call, client_for
from tests.factories.events import EventFactory, RegistrationFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def register(user, event, **body):
    return call(client_for(user), "post", f"/events/{event.pk}/registrations", body or None)


def seats_of(event, mode=SeatMode.ONLINE):
    return EventSeats.objects.get(event=event, mode=mode)


# --- Registering ---------------------------------------------------------------------------


def test_register_is_201_and_a_repeat_is_200_with_the_same_registration(member):
    event = EventFactory(seats=5)

    first = register(member, event, mode="online")
    again = register(member, event, mode="online")

    assert first.status_code == 201, first.content
    body = first.json()
    assert body["status"] == "registered"
    assert body["mode"] == "online"
    assert body["event_id"] == event.pk
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert Registration.objects.filter(event=event).count() == 1
    assert seats_of(event).taken == 1


def test_without_a_body_the_events_first_mode_is_taken(member):
    event = EventFactory(mode=EventMode.HYBRID, venue_city="Zurich", seats=3)

    response = call(client_for(member), "post", f"/events/{event.pk}/registrations")

    assert response.status_code == 201, response.content
    assert response.json()["mode"] == "in_person"


def test_a_full_event_puts_people_on_the_waiting_list_then_refuses_with_409(member):
    event = EventFactory(seats=1)
    EventSeats.objects.filter(event=event).update(waitlist_limit=1)
    register(UserFactory(), event)

    waiting = register(member, event)
    refused = register(UserFactory(), event)

    assert waiting.status_code == 201
    assert waiting.json()["status"] == "waitlisted"
    assert waiting.json()["waitlist_position"] == 1
    assert refused.status_code == 409
    assert refused.json()["code"] == "full"
    assert "full" in refused.json()["detail"]
    assert Registration.objects.filter(event=event).count() == 2


def _now():
    return timezone.now()


@pytest.mark.parametrize(
    ("event_kwargs", "code"),
    [
        ({"registration_opens_at": _now() + timedelta(days=1)}, "not_open"),
        ({"registration_closes_at": _now() - timedelta(minutes=1)}, "closed"),
        ({"status": EventStatus.CANCELLED}, "cancelled"),
        (
            {"starts_at": _now() - timedelta(hours=3), "ends_at": _now() - timedelta(hours=2)},
            "ended",
        ),
    ],
)
def test_refusals_are_409_with_a_code_and_change_nothing(member, event_kwargs, code):
    event = EventFactory(**event_kwargs)

    response = register(member, event)

    assert response.status_code == 409, response.content
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert not Registration.objects.exists()
    assert seats_of(event).taken == 0


def test_a_mode_the_event_does_not_have_is_409_and_an_unknown_mode_is_422(member):
    event = EventFactory(mode=EventMode.ONLINE)

    wrong_mode = register(member, event, mode="in_person")
    nonsense = register(member, event, mode="underwater")

    assert wrong_mode.status_code == 409
    assert wrong_mode.json()["code"] == "mode"
    assert nonsense.status_code == 422
    assert "mode" in nonsense.json()["errors"]
    assert register(member, event, extra=1).status_code == 422
    assert not Registration.objects.exists()


def test_a_draft_is_404_for_members_and_409_for_its_organizers(community, organizer, member):
    draft = EventFactory(community=community, status=EventStatus.DRAFT)

    assert register(member, draft).status_code == 404
    response = register(organizer, draft)
    assert response.status_code == 409
    assert response.json()["code"] == "draft"
    assert register(member, EventFactory.build(pk=999_999)).status_code == 404
    assert not Registration.objects.exists()


def test_an_organizer_registers_someone_else(community, organizer, member):
    event = EventFactory(community=community)

    response = register(organizer, event, person_id=member.pk)

    assert response.status_code == 201, response.content
    assert Registration.objects.get(event=event).person == member


def test_a_member_may_not_register_someone_else(member):
    event = EventFactory()
    other = UserFactory()

    assert register(member, event, person_id=other.pk).status_code == 403
    assert register(member, event, person_id=999_999).status_code == 403
    assert not Registration.objects.exists()


def test_an_organizer_registering_an_unknown_person_is_422(community, organizer):
    event = EventFactory(community=community)

    response = register(organizer, event, person_id=999_999)

    assert response.status_code == 422
    assert "person_id" in response.json()["errors"]


def test_registering_is_lean(member, django_assert_max_num_queries):
    event = EventFactory(seats=5)
    client = client_for(member)
    call(client, "get", "/me")  # the token's last use is written once a minute, not here
    path = f"/events/{event.pk}/registrations"

    # token, event, existing registration, seat lock, seat count, insert, the ledger row (and
    # its content type, cached after the first), savepoint and release. The confirmation mail
    # is rendered by a worker, not here.
    with django_assert_max_num_queries(10):
        assert call(client, "post", path, {"mode": "online"}).status_code == 201
    # A repeat: token, event, the seats read with the person's registration id, that row (a
    # rush's attempts are mostly new people, who skip the last one).
    with django_assert_max_num_queries(4):
        assert call(client, "post", path, {"mode": "online"}).status_code == 200


# --- The caller's registration -------------------------------------------------------------


def test_my_registration_is_404_until_registered(member):
    event = EventFactory()
    client = client_for(member)

    missing = call(client, "get", f"/events/{event.pk}/registrations/mine")
    assert missing.status_code == 404
    assert missing.json()["detail"]
    register(member, event)
    assert call(client, "get", f"/events/{event.pk}/registrations/mine").json()["status"] == (
        "registered"
    )


def test_cancelling_frees_the_seat_for_the_first_on_the_waiting_list(member):
    event = EventFactory(seats=1)
    register(member, event)
    first_waiting = UserFactory()
    register(first_waiting, event)
    register(UserFactory(), event)
    client = client_for(member)

    response = call(client, "delete", f"/events/{event.pk}/registrations/mine")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    promoted = Registration.objects.get(event=event, person=first_waiting)
    assert promoted.status == RegistrationStatus.OFFERED
    assert seats_of(event).taken == 1
    again = call(client, "delete", f"/events/{event.pk}/registrations/mine")
    assert again.status_code == 200
    assert again.json()["status"] == "cancelled"


def test_cancelling_without_a_registration_is_404(member):
    event = EventFactory()

    response = call(client_for(member), "delete", f"/events/{event.pk}/registrations/mine")

    assert response.status_code == 404


def test_cancelling_after_the_event_is_409_ended(member):
    past = EventFactory(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=2)
    )
    RegistrationFactory(event=past, person=member)

    response = call(client_for(member), "delete", f"/events/{past.pk}/registrations/mine")

    assert response.status_code == 409
    assert response.json()["code"] == "ended"


def test_confirm_and_decline_an_offered_seat(member):
    event = EventFactory(seats=1)
    holder = UserFactory()
    register(holder, event)
    register(member, event)
    other = UserFactory()
    register(other, event)
    client = client_for(member)
    # No offer yet: refused with the state code.
    not_yet = call(client, "post", f"/events/{event.pk}/registrations/mine/confirm")
    assert not_yet.status_code == 409
    assert not_yet.json()["code"] == "state"

    call(client_for(holder), "delete", f"/events/{event.pk}/registrations/mine")
    confirmed = call(client, "post", f"/events/{event.pk}/registrations/mine/confirm")

    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["status"] == "registered"
    again = call(client, "post", f"/events/{event.pk}/registrations/mine/confirm")
    assert again.status_code == 200

    declined_too_late = call(client, "post", f"/events/{event.pk}/registrations/mine/decline")
    assert declined_too_late.status_code == 409
    assert declined_too_late.json()["code"] == "state"


def test_declining_passes_the_seat_on(member):
    event = EventFactory(seats=1)
    holder = UserFactory()
    register(holder, event)
    register(member, event)
    next_in_line = UserFactory()
    register(next_in_line, event)
    call(client_for(holder), "delete", f"/events/{event.pk}/registrations/mine")

    response = call(client_for(member), "post", f"/events/{event.pk}/registrations/mine/decline")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert Registration.objects.get(person=next_in_line).status == RegistrationStatus.OFFERED


def test_an_expired_offer_cannot_be_confirmed(member):
    event = EventFactory(seats=1)
    RegistrationFactory(
        event=event,
        person=member,
        status=RegistrationStatus.OFFERED,
        offer_expires_at=timezone.now() - timedelta(minutes=1),
    )
    EventSeats.objects.filter(event=event).update(taken=1)

    response = call(client_for(member), "post", f"/events/{event.pk}/registrations/mine/confirm")

    assert response.status_code == 409
    assert response.json()["code"] == "expired"


def test_my_registrations(member):
    soon = EventFactory(starts_at=timezone.now() + timedelta(days=1), title="Soon")
    later = EventFactory(starts_at=timezone.now() + timedelta(days=9), title="Later")
    past = EventFactory(
        starts_at=timezone.now() - timedelta(days=3), ends_at=timezone.now() - timedelta(days=2)
    )
    for event in (later, soon):
        register(member, event)
    RegistrationFactory(event=past, person=member)
    cancelled = EventFactory()
    RegistrationFactory(event=cancelled, person=member, status=RegistrationStatus.CANCELLED)
    client = client_for(member)

    upcoming = call(client, "get", "/me/registrations").json()
    everything = call(client, "get", "/me/registrations", {"past": "true"}).json()

    assert [item["event"]["title"] for item in upcoming["items"]] == ["Soon", "Later"]
    assert upcoming["count"] == 2
    assert everything["count"] == 3


# --- Organizers ----------------------------------------------------------------------------


def test_organizers_list_registrations_with_search_and_filters(community, organizer, member):
    event = EventFactory(community=community, seats=1)
    ada = UserFactory(display_name="Ada Lovelace")
    register_for_event(event=event, person=ada)
    register_for_event(event=event, person=UserFactory(display_name="Bob Waiting"))
    client = client_for(organizer)

    everyone = call(client, "get", f"/events/{event.pk}/registrations").json()
    found = call(client, "get", f"/events/{event.pk}/registrations", {"q": "lovelace"}).json()
    waiting = call(
        client, "get", f"/events/{event.pk}/registrations", {"status": "waitlisted"}
    ).json()

    assert everyone["count"] == 2
    assert [item["person"]["id"] for item in found["items"]] == [ada.pk]
    assert found["items"][0]["person"]["email"] == ada.email
    assert [item["person"]["display_name"] for item in waiting["items"]] == ["Bob Waiting"]
    assert call(client_for(member), "get", f"/events/{event.pk}/registrations").status_code == 403
    bad = call(client, "get", f"/events/{event.pk}/registrations", {"status": "maybe"})
    assert bad.status_code == 422


def test_the_waiting_list_in_order(community, organizer, member):
    event = EventFactory(community=community, seats=1)
    register_for_event(event=event, person=UserFactory())
    first, second = UserFactory(), UserFactory()
    register_for_event(event=event, person=first)
    register_for_event(event=event, person=second)
    client = client_for(organizer)

    response = call(client, "get", f"/events/{event.pk}/waitlist")

    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["person"]["id"] for item in items] == [first.pk, second.pk]
    assert [item["waitlist_position"] for item in items] == [1, 2]
    wrong_mode = call(client, "get", f"/events/{event.pk}/waitlist", {"mode": "in_person"})
    assert wrong_mode.status_code == 422
    assert call(client_for(member), "get", f"/events/{event.pk}/waitlist").status_code == 403


def test_cancelling_someone_elses_registration(community, organizer, member):
    event = EventFactory(community=community)
    victim = register_for_event(event=event, person=UserFactory())
    path = f"/events/{event.pk}/registrations/{victim.pk}"

    refused = call(client_for(member), "delete", path)
    assert refused.status_code == 403
    victim.refresh_from_db()
    assert victim.status == RegistrationStatus.REGISTERED

    response = call(client_for(organizer), "delete", path)
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["person"]["id"] == victim.person_id


def test_a_member_may_cancel_their_own_registration_by_id(member):
    event = EventFactory()
    mine = register_for_event(event=event, person=member)

    response = call(client_for(member), "delete", f"/events/{event.pk}/registrations/{mine.pk}")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_a_registration_id_of_another_event_is_404(community, organizer):
    event = EventFactory(community=community)
    elsewhere = register_for_event(event=EventFactory(), person=UserFactory())

    response = call(
        client_for(organizer), "delete", f"/events/{event.pk}/registrations/{elsewhere.pk}"
    )

    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == RegistrationStatus.REGISTERED


def test_a_browser_session_needs_the_csrf_token_to_register(member):
    event = EventFactory()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    path = f"{API}/events/{event.pk}/registrations"

    refused = browser.post(path, {"mode": "online"}, content_type="application/json")
    browser.get("/")  # sets the CSRF cookie, as loading any page does
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(
        path, {"mode": "online"}, content_type="application/json", headers={"X-CSRFToken": token}
    )

    assert refused.status_code == 403
    assert accepted.status_code == 201, accepted.content
