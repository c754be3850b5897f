"""The events API: the list, one event, scheduling (create, edit, publish, cancel), hosts,
seats and the cadence target. Registrations are in test_api_registrations.py."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from practica.communities.models import MembershipRole
from practica.events.models import (
    CadenceTarget,
    Event,
    EventHost,
    EventMode,
    EventSeats,
    EventStatus,
    RegistrationStatus,
    SeatMode,
)
from practica.mail.models import OutboundMessage
from tests.api.clients import API
from tests.events.api_helpers import call, client_for
from tests.events.outbox import (
    outbox_backend,  # noqa: F401 — a fixture
    register_and_mail,
)
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.core import TopicFactory
from tests.factories.events import EventFactory, RegistrationFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


@pytest.fixture
def community():
    return CommunityFactory(name="Machine Learning")


def new_event(**changes):
    starts = timezone.now() + timedelta(days=10)
    return {
        "title": "Scaling laws, explained",
        "description": "We read **the** paper.",
        "format": "talk",
        "mode": "online",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1)).isoformat(),
        "time_zone": "Europe/Berlin",
        "online_url": "https://meet.example.com/scaling",
        **changes,
    }


def create(client, community, **changes):
    return call(client, "post", f"/communities/{community.slug}/events", new_event(**changes))


# --- Creating ------------------------------------------------------------------------------


def test_an_organizer_schedules_a_draft_with_topics_hosts_and_capacities(community, organizer):
    nlp = TopicFactory(name="NLP")
    speaker = UserFactory(display_name="Ada Speaker")
    partner = CommunityFactory(name="Data Engineering")

    response = create(
        client_for(organizer),
        community,
        mode="hybrid",
        venue_city="Zurich",
        venue_room="Auditorium",
        topics=["nlp"],
        co_hosts=[partner.slug],
        capacities={"in_person": 40, "online": None},
        waitlist_limits={"in_person": 10},
        hosts=[
            {"person_id": speaker.pk, "role": "speaker"},
            {"guest_name": "Grace Guest", "guest_affiliation": "ETH", "role": "host"},
        ],
    )

    assert response.status_code == 201, response.content
    body = response.json()
    event = Event.objects.get(pk=body["id"])
    assert event.status == EventStatus.DRAFT
    assert event.created_by == organizer
    assert body["status"] == "draft"
    assert body["community"]["slug"] == community.slug
    assert body["co_hosts"] == [{"id": partner.pk, "slug": partner.slug, "name": partner.name}]
    assert body["topics"] == [{"id": nlp.pk, "slug": "nlp", "name": "NLP"}]
    assert body["time_zone"] == "Europe/Berlin"
    assert "<strong>the</strong>" in body["description_html"]
    assert [host["role"] for host in body["hosts"]] == ["speaker", "host"]
    assert body["hosts"][0]["person"]["display_name"] == "Ada Speaker"
    assert body["hosts"][1]["guest_name"] == "Grace Guest"
    seats = {seat["mode"]: seat for seat in body["seats"]}
    assert seats["in_person"]["capacity"] == 40
    assert seats["in_person"]["waitlist_limit"] == 10
    assert seats["online"]["capacity"] is None
    assert body["can_manage"] is True
    assert body["check_in_code"] == event.check_in_code
    assert body["online_url"] == "https://meet.example.com/scaling"
    assert body["uid"] == str(event.uid)


def test_publish_at_once(community, organizer):
    response = create(client_for(organizer), community, publish=True)

    assert response.status_code == 201
    assert response.json()["status"] == "published"


def test_a_member_may_not_schedule_events(community, member):
    MembershipFactory(community=community, person=member)

    response = create(client_for(member), community)

    assert response.status_code == 403
    assert not Event.objects.exists()


def test_an_unknown_community_is_404(organizer):
    response = create(client_for(organizer), CommunityFactory.build(slug="nowhere"))

    assert response.status_code == 404


def _later(hours):
    return (timezone.now() + timedelta(days=10, hours=hours)).isoformat()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_at": _later(-2)}, "ends_at"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"starts_at": "2030-01-01T10:00:00"}, "starts_at"),
        ({"starts_at": "next tuesday"}, "starts_at"),
        ({"format": "barbecue"}, "format"),
        ({"mode": "telepathy"}, "mode"),
        ({"title": ""}, "title"),
        ({"title": "t" * 201}, "title"),
        ({"title": "nul\x00byte"}, "title"),
        ({"topics": ["no-such-topic"]}, "topics"),
        ({"co_hosts": ["no-such-community"]}, "co_hosts"),
        ({"capacities": {"online": -1}}, "capacities.online"),
        ({"capacities": {"online": "many"}}, "capacities.online"),
        ({"capacities": {"underwater": 3}}, "capacities.underwater.[key]"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
        ({"mode": "in_person"}, "venue_city"),
        ({"offer_minutes": 1}, "offer_minutes"),
        ({"series_id": 999_999}, "series_id"),
        ({"hosts": [{"person_id": 999_999}]}, "hosts"),
        ({"hosts": [{"guest_name": "  "}]}, "hosts"),
        ({"hosts": [{"role": "dj", "guest_name": "X"}]}, "hosts.0.role"),
        (
            {"registration_closes_at": _later(-300), "registration_opens_at": _later(-200)},
            "registration_closes_at",
        ),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_creates_nothing(
    community, organizer, changes, field
):
    response = create(client_for(organizer), community, **changes)

    assert response.status_code == 422, response.content
    assert field in response.json()["errors"], response.json()
    assert not Event.objects.exists()


def test_a_body_that_is_not_json_is_a_422(community, organizer):
    response = client_for(organizer).post(
        f"{API}/communities/{community.slug}/events", "{not json", content_type="application/json"
    )

    assert response.status_code in (400, 422)
    assert not Event.objects.exists()


# --- Seeing --------------------------------------------------------------------------------


def test_anonymous_callers_get_401():
    event = EventFactory()
    anonymous = Client()

    assert anonymous.get(f"{API}/events").status_code == 401
    assert anonymous.get(f"{API}/events/{event.pk}").status_code == 401
    assert anonymous.post(f"{API}/events/{event.pk}/registrations").status_code == 401


def test_a_draft_is_not_found_for_members_and_shown_to_its_organizers(community, organizer, member):
    draft = EventFactory(community=community, status=EventStatus.DRAFT)

    assert call(client_for(member), "get", f"/events/{draft.pk}").status_code == 404
    assert draft.pk not in [
        e["id"] for e in call(client_for(member), "get", "/events").json()["items"]
    ]
    assert call(client_for(organizer), "get", f"/events/{draft.pk}").status_code == 200
    listed = call(client_for(organizer), "get", "/events").json()["items"]
    assert draft.pk in [event["id"] for event in listed]


def test_a_draft_is_shown_to_its_hosts_and_co_hosting_managers(community):
    draft = EventFactory(community=community, status=EventStatus.DRAFT)
    host = UserFactory()
    EventHost.objects.create(event=draft, person=host)
    partner = CommunityFactory()
    draft.co_hosts.add(partner)
    partner_manager = MembershipFactory(community=partner, role=MembershipRole.MANAGER).person

    for who in (host, partner_manager):
        listed = call(client_for(who), "get", "/events").json()["items"]
        assert [event["id"] for event in listed] == [draft.pk]


def test_unknown_and_forged_ids(member):
    client = client_for(member)

    assert call(client, "get", "/events/999999").status_code == 404
    assert call(client, "get", "/events/0").status_code == 422
    assert call(client, "get", f"/events/{2**64}").status_code == 422
    assert call(client, "get", "/events/abc").status_code == 422


def test_the_online_link_is_for_registrants_and_organizers(community, organizer, member):
    event = EventFactory(community=community, online_url="https://meet.example.com/secret")

    assert call(client_for(member), "get", f"/events/{event.pk}").json()["online_url"] is None
    assert call(client_for(member), "get", f"/events/{event.pk}").json()["check_in_code"] is None
    register_and_mail(event=event, person=member)
    body = call(client_for(member), "get", f"/events/{event.pk}").json()
    assert body["online_url"] == "https://meet.example.com/secret"
    assert body["my_registration"]["status"] == "registered"
    assert body["can_manage"] is False
    assert call(client_for(organizer), "get", f"/events/{event.pk}").json()["online_url"]


def test_a_waitlisted_member_does_not_get_the_link(member):
    event = EventFactory(online_url="https://meet.example.com/secret")
    RegistrationFactory(event=event, person=member, status=RegistrationStatus.WAITLISTED)

    assert call(client_for(member), "get", f"/events/{event.pk}").json()["online_url"] is None


def test_list_filters(community, member):
    now = timezone.now()
    nlp = TopicFactory(name="NLP")
    translation = TopicFactory(name="Translation", parent=nlp)
    other = CommunityFactory()
    talk = EventFactory(
        community=community, title="Transformers talk", starts_at=now + timedelta(days=1)
    )
    talk.topics.add(translation)
    lab = EventFactory(community=other, format="hands_on_lab", starts_at=now + timedelta(days=2))
    lab.co_hosts.add(community)
    past = EventFactory(community=community, starts_at=now - timedelta(days=30))
    EventFactory(community=other, starts_at=now + timedelta(days=3))
    register_and_mail(event=lab, person=member)
    client = client_for(member)

    def ids(**query):
        response = call(client, "get", "/events", query)
        assert response.status_code == 200, response.content
        return [event["id"] for event in response.json()["items"]]

    assert ids(community=community.slug) == [talk.pk, lab.pk]
    assert ids(format="hands_on_lab") == [lab.pk]
    assert ids(topic="nlp") == [talk.pk]
    assert ids(q="transformers") == [talk.pk]
    assert ids(registered="true") == [lab.pk]
    statuses = {e["id"]: e["my_status"] for e in call(client, "get", "/events").json()["items"]}
    assert statuses[lab.pk] == "registered"
    assert statuses[talk.pk] is None
    assert ids(when="past") == [past.pk]
    assert len(ids(when="all")) == 4
    assert call(client, "get", "/events", {"community": "nowhere"}).status_code == 422
    assert call(client, "get", "/events", {"topic": "nowhere"}).status_code == 422
    assert call(client, "get", "/events", {"when": "someday"}).status_code == 422
    assert call(client, "get", "/events", {"limit": 1000}).status_code == 422


def test_the_list_does_not_query_per_event(member, django_assert_max_num_queries):
    topic = TopicFactory()
    for _n in range(6):
        event = EventFactory()
        event.topics.add(topic)
        event.co_hosts.add(CommunityFactory())
    client = client_for(member)
    call(client, "get", "/me")

    # token, roles, count, page, topics, co-hosts
    with django_assert_max_num_queries(7):
        response = call(client, "get", "/events")

    assert response.json()["count"] == 6


# --- Editing -------------------------------------------------------------------------------


@pytest.mark.usefixtures("outbox_backend")
def test_moving_an_event_raises_the_sequence_and_mails_registrants(community, organizer, member):
    event = EventFactory(community=community)
    register_and_mail(event=event, person=member)
    starts = event.starts_at + timedelta(days=1)

    response = call(
        client_for(organizer),
        "patch",
        f"/events/{event.pk}",
        {"starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=2)).isoformat()},
    )

    assert response.status_code == 200, response.content
    event.refresh_from_db()
    assert event.starts_at == starts
    assert response.json()["sequence"] == event.sequence == 1
    assert OutboundMessage.objects.filter(to_email=member.email).count() == 2


def test_only_the_fields_sent_change(community, organizer):
    event = EventFactory(community=community, title="Old", description="Kept")
    topic = TopicFactory()

    response = call(
        client_for(organizer),
        "patch",
        f"/events/{event.pk}",
        {"title": "New", "topics": [topic.slug], "capacities": {"online": 99}},
    )

    assert response.status_code == 200, response.content
    event.refresh_from_db()
    assert (event.title, event.description) == ("New", "Kept")
    assert list(event.topics.all()) == [topic]
    assert EventSeats.objects.get(event=event).capacity == 99
    assert event.sequence == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": None}, "title"),
        ({"time_zone": "Nowhere/City"}, "time_zone"),
        ({"capacities": {"online": 1}}, "capacity"),
        ({"starts_at": "2100-01-01T00:00:00+00:00"}, "ends_at"),
        ({"mode": "in_person"}, "venue_city"),
        ({"status": "published"}, "status"),
    ],
)
def test_bad_edits_are_a_422_and_change_nothing(community, organizer, changes, field):
    event = EventFactory(community=community, title="Same", seats=5)
    RegistrationFactory.create_batch(2, event=event)
    EventSeats.objects.filter(event=event).update(taken=2)

    response = call(client_for(organizer), "patch", f"/events/{event.pk}", changes)

    assert response.status_code == 422, response.content
    assert field in response.json()["errors"], response.json()
    event.refresh_from_db()
    assert (event.title, event.mode, event.sequence) == ("Same", EventMode.ONLINE, 0)
    assert EventSeats.objects.get(event=event).capacity == 5


def test_members_may_not_edit_publish_or_cancel(community, member):
    event = EventFactory(community=community, title="Same")
    client = client_for(member)

    assert call(client, "patch", f"/events/{event.pk}", {"title": "Mine"}).status_code == 403
    assert call(client, "post", f"/events/{event.pk}/publish").status_code == 403
    assert call(client, "post", f"/events/{event.pk}/cancel").status_code == 403
    assert call(client, "put", f"/events/{event.pk}/hosts", {"hosts": []}).status_code == 403
    assert (
        call(client, "put", f"/events/{event.pk}/seats/online", {"capacity": 1}).status_code == 403
    )
    event.refresh_from_db()
    assert (event.title, event.status) == ("Same", EventStatus.PUBLISHED)


def test_someone_elses_draft_cannot_be_edited_or_published_by_guessing_its_id(member):
    draft = EventFactory(status=EventStatus.DRAFT)
    client = client_for(member)

    assert call(client, "patch", f"/events/{draft.pk}", {"title": "x"}).status_code == 404
    assert call(client, "post", f"/events/{draft.pk}/publish").status_code == 404
    assert call(client, "post", f"/events/{draft.pk}/registrations").status_code == 404
    draft.refresh_from_db()
    assert draft.status == EventStatus.DRAFT


def test_publish_a_draft(community, organizer):
    draft = EventFactory(community=community, status=EventStatus.DRAFT)

    response = call(client_for(organizer), "post", f"/events/{draft.pk}/publish")

    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert call(client_for(organizer), "post", f"/events/{draft.pk}/publish").status_code == 200


@pytest.mark.usefixtures("outbox_backend")
def test_cancel_tells_registrants_and_a_cancelled_event_cannot_be_published(
    community, organizer, member
):
    event = EventFactory(community=community)
    register_and_mail(event=event, person=member)
    client = client_for(organizer)

    response = call(client, "post", f"/events/{event.pk}/cancel", {"reason": "Speaker ill"})

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancellation_reason"] == "Speaker ill"
    assert OutboundMessage.objects.filter(to_email=member.email).count() == 2
    assert call(client, "post", f"/events/{event.pk}/cancel").status_code == 200
    assert call(client, "post", f"/events/{event.pk}/publish").status_code == 422
    assert call(client, "patch", f"/events/{event.pk}", {"title": "Back"}).status_code == 422
    too_long = call(client, "post", f"/events/{event.pk}/cancel", {"reason": "x" * 501})
    assert too_long.status_code == 422


def test_replace_hosts(community, organizer):
    event = EventFactory(community=community)
    EventHost.objects.create(event=event, guest_name="Old")
    speaker = UserFactory()

    response = call(
        client_for(organizer),
        "put",
        f"/events/{event.pk}/hosts",
        {"hosts": [{"person_id": speaker.pk, "role": "moderator"}, {"guest_name": "Guest"}]},
    )

    assert response.status_code == 200, response.content
    assert [(h["person"] and h["person"]["id"], h["role"]) for h in response.json()] == [
        (speaker.pk, "moderator"),
        (None, "speaker"),
    ]
    assert EventHost.objects.filter(event=event).count() == 2


# --- Seats ---------------------------------------------------------------------------------


def test_seats_and_changing_capacity(community, organizer, member):
    event = EventFactory(community=community, seats=1)
    register_and_mail(event=event, person=UserFactory())
    waiting = register_and_mail(event=event, person=member)
    assert waiting.status == RegistrationStatus.WAITLISTED
    client = client_for(organizer)

    seats = call(client_for(member), "get", f"/events/{event.pk}/seats").json()
    assert seats == [
        {
            "mode": "online",
            "capacity": 1,
            "taken": 1,
            "available": 0,
            "waitlisted": 1,
            "waitlist_limit": None,
            "is_full": True,
            "waitlist_full": False,
        }
    ]

    response = call(client, "put", f"/events/{event.pk}/seats/online", {"capacity": 2})

    assert response.status_code == 200, response.content
    assert response.json()["capacity"] == 2
    assert response.json()["waitlisted"] == 0
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.OFFERED

    below = call(client, "put", f"/events/{event.pk}/seats/online", {"capacity": 1})
    assert below.status_code == 422
    assert "capacity" in below.json()["errors"]
    assert (
        call(client, "put", f"/events/{event.pk}/seats/in_person", {"capacity": 1}).status_code
        == 422
    )
    assert (
        call(client, "put", f"/events/{event.pk}/seats/floor", {"capacity": 1}).status_code == 422
    )
    assert (
        call(client, "put", f"/events/{event.pk}/seats/online", {"capacity": -5}).status_code == 422
    )
    unlimited = call(client, "put", f"/events/{event.pk}/seats/online", {"capacity": None})
    assert unlimited.json()["capacity"] is None
    assert EventSeats.objects.get(event=event, mode=SeatMode.ONLINE).capacity is None


def test_the_waitlist_limit_changes_only_when_sent(community, organizer):
    event = EventFactory(community=community, seats=3)
    EventSeats.objects.filter(event=event).update(waitlist_limit=4)
    client = client_for(organizer)

    call(client, "put", f"/events/{event.pk}/seats/online", {"capacity": 5})
    assert EventSeats.objects.get(event=event).waitlist_limit == 4
    call(client, "put", f"/events/{event.pk}/seats/online", {"capacity": 5, "waitlist_limit": None})
    assert EventSeats.objects.get(event=event).waitlist_limit is None


# --- Cadence -------------------------------------------------------------------------------


def test_cadence_target_defaults_and_is_set_by_managers(community, member):
    manager = MembershipFactory(community=community, role=MembershipRole.MANAGER).person
    path = f"/communities/{community.slug}/event-cadence"

    assert call(client_for(member), "get", path).json() == {
        "minimum": 50,
        "maximum": 60,
        "is_set": False,
    }
    response = call(client_for(manager), "put", path, {"minimum": 10, "maximum": 12})
    assert response.status_code == 200
    assert response.json() == {"minimum": 10, "maximum": 12, "is_set": True}
    assert call(client_for(member), "put", path, {"minimum": 1, "maximum": 2}).status_code == 403
    bad = call(client_for(manager), "put", path, {"minimum": 12, "maximum": 10})
    assert bad.status_code == 422
    assert call(client_for(manager), "put", path, {"minimum": "x", "maximum": 2}).status_code == 422
    assert CadenceTarget.objects.get(community=community).events_per_year_min == 10
