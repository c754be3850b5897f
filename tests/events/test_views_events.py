"""The event screens: the list and its filters, an event's page (times in the viewer's zone,
seats, the online link), the registration buttons, and scheduling/editing/cancelling with clash
warnings — permissions and bad input included."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from practica.communities.models import MembershipRole
from practica.events.models import (
    Event,
    EventHost,
    EventMode,
    EventStatus,
    Registration,
    RegistrationStatus,
    SeatMode,
)
from practica.events.services.registration import register_for_event
from tests.factories.communities import CommunityFactory, MembershipFactory, ProgramFactory
from tests.factories.core import TopicFactory
from tests.factories.events import EventFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db

START = datetime(2030, 3, 5, 16, 0, tzinfo=UTC)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def community():
    return CommunityFactory(name="Machine Learning", slug="machine-learning")


@pytest.fixture
def organizer(community):
    return MembershipFactory(
        community=community, role=MembershipRole.ORGANIZER, person=UserFactory()
    ).person


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


def detail(event):
    return reverse("events:detail", args=[event.pk])


# --- The list ------------------------------------------------------------------------------


def test_the_list_needs_a_signed_in_member(client):
    response = client.get(reverse("events:list"))
    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


def test_the_list_shows_upcoming_published_events_not_drafts(member_client, community):
    EventFactory(title="Transformers from scratch", community=community, starts_at=START)
    EventFactory(title="Secret draft", community=community, status=EventStatus.DRAFT)
    EventFactory(
        title="Last year's talk",
        starts_at=timezone.now() - timedelta(days=30),
        ends_at=timezone.now() - timedelta(days=30, hours=-1),
    )

    response = member_client.get(reverse("events:list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Transformers from scratch" in html
    assert "Secret draft" not in html
    assert "Last year&#x27;s talk" not in html
    assert "10 seats left" in html
    past = member_client.get(reverse("events:list"), {"when": "past"}).content.decode()
    assert "Last year&#x27;s talk" in past
    assert "Transformers from scratch" not in past


def test_the_list_filters_by_community_including_co_hosted_format_topic_and_mine(
    member_client, member, community
):
    other = CommunityFactory(name="Data Engineering")
    topic = TopicFactory(name="Vision")
    hosted = EventFactory(title="Hosted here", community=community, format="talk")
    co_hosted = EventFactory(title="Co-hosted here", community=other, format="hackathon")
    co_hosted.co_hosts.add(community)
    elsewhere = EventFactory(title="Elsewhere", community=other, format="talk")
    elsewhere.topics.add(topic)
    register_for_event(event=elsewhere, person=member)
    url = reverse("events:list")

    by_community = member_client.get(url, {"community": community.slug}).content.decode()
    assert "Hosted here" in by_community
    assert "Co-hosted here" in by_community
    assert "Elsewhere" not in by_community
    by_format = member_client.get(url, {"format": "hackathon"}).content.decode()
    assert "Co-hosted here" in by_format
    assert "Hosted here" not in by_format
    by_topic = member_client.get(url, {"topic": topic.slug}).content.decode()
    assert "Elsewhere" in by_topic
    assert "Hosted here" not in by_topic
    mine = member_client.get(url, {"mine": "on"}).content.decode()
    assert "Elsewhere" in mine
    assert "You are registered" in mine
    assert "Hosted here" not in mine
    assert hosted.pk


def test_bad_filters_are_ignored_with_a_message_never_a_500(member_client, community):
    EventFactory(title="Still listed", community=community)
    response = member_client.get(
        reverse("events:list"), {"community": "nope", "format": "bogus", "topic": "x", "page": "z"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is no such community." in html
    assert "Still listed" in html


def test_the_list_pages_and_htmx_gets_only_the_results(member_client, community):
    for day in range(23):
        EventFactory(community=community, starts_at=START + timedelta(days=day))
    response = member_client.get(reverse("events:list"), {"page": 2}, **HTMX)
    html = response.content.decode()
    assert "<html" not in html
    assert "Showing 21–23 of 23" in html
    assert html.count('<li class="event-row') == 3


def test_an_empty_list_says_so(member_client):
    html = member_client.get(reverse("events:list")).content.decode()
    assert "Nothing scheduled yet" in html
    filtered = member_client.get(reverse("events:list"), {"format": "quiz"}).content.decode()
    assert "No event matches these filters" in filtered


# --- An event's page -----------------------------------------------------------------------


def test_times_are_shown_in_the_viewers_zone_with_the_events_zone_noted(client, community):
    viewer = UserFactory(time_zone="Asia/Shanghai")
    client.force_login(viewer)
    event = EventFactory(
        community=community,
        starts_at=START,
        ends_at=START + timedelta(hours=1),
        time_zone="Europe/Berlin",
    )

    html = client.get(detail(event)).content.decode()

    # 16:00 UTC is 00:00 the next day in Shanghai and 17:00 in Berlin.
    assert "00:00–01:00" in html
    assert "your time (Asia/Shanghai)" in html
    assert "Planned in Europe/Berlin" in html
    assert "17:00–18:00" in html


def test_the_same_zone_says_so_once(client, community):
    viewer = UserFactory(time_zone="Europe/Berlin")
    client.force_login(viewer)
    event = EventFactory(community=community, starts_at=START, time_zone="Europe/Berlin")
    html = client.get(detail(event)).content.decode()
    assert "your time zone and the event&#x27;s" in html
    assert "Planned in" not in html


def test_a_draft_is_hidden_from_members_and_shown_to_its_organizers(
    client, member, organizer, community
):
    draft = EventFactory(community=community, status=EventStatus.DRAFT, title="Draft talk")
    client.force_login(member)
    assert client.get(detail(draft)).status_code == 404
    client.force_login(organizer)
    html = client.get(detail(draft)).content.decode()
    assert "Draft: only organizers see it" in html
    assert "Registration opens when the event is published." in html


def test_the_online_link_is_only_for_people_with_a_seat(member_client, member, community):
    event = EventFactory(community=community, online_url="https://meet.example.com/secret-room")
    assert "secret-room" not in member_client.get(detail(event)).content.decode()
    register_for_event(event=event, person=member)
    assert "secret-room" in member_client.get(detail(event)).content.decode()


def test_the_page_shows_speakers_venue_and_the_calendar_link(member_client, community):
    event = EventFactory(
        community=community,
        mode=EventMode.IN_PERSON,
        venue_room="Room 4",
        venue_building="B2",
        venue_city="Zurich",
    )
    EventHost.objects.create(event=event, guest_name="Grace Guest", guest_affiliation="Acme")
    html = member_client.get(detail(event)).content.decode()
    assert "Room 4, B2, Zurich" in html
    assert "Grace Guest" in html
    assert "Acme" in html
    assert reverse("events:event_ics", args=[event.pk]) in html


# --- Registration buttons ------------------------------------------------------------------


def test_registering_takes_a_seat_and_the_count_drops(member_client, member, community):
    event = EventFactory(community=community, seats=10)
    assert "10 of 10 seats left" in member_client.get(detail(event)).content.decode()

    response = member_client.post(reverse("events:register", args=[event.pk]), {"mode": "online"})

    assert response.status_code == 302
    registration = Registration.objects.get(event=event, person=member)
    assert registration.status == RegistrationStatus.REGISTERED
    html = member_client.get(detail(event)).content.decode()
    assert "9 of 10 seats left" in html
    assert "You are registered" in html
    assert "A confirmation with a calendar invitation is on its way." in html


def test_htmx_registering_returns_the_card_and_a_double_click_is_one_registration(
    member_client, member, community
):
    event = EventFactory(community=community, seats=10)
    url = reverse("events:register", args=[event.pk])

    first = member_client.post(url, {"mode": "online"}, **HTMX).content.decode()
    again = member_client.post(url, {"mode": "online"}, **HTMX).content.decode()

    assert 'id="registration"' in first
    assert "<html" not in first
    assert "9 of 10 seats left" in first
    assert "You are already registered." in again
    assert "9 of 10 seats left" in again
    assert Registration.objects.filter(event=event, person=member).count() == 1


def test_a_full_event_puts_the_member_on_the_waiting_list(member_client, member, community):
    event = EventFactory(community=community, seats=1)
    register_for_event(event=event, person=UserFactory())
    html = member_client.get(detail(event)).content.decode()
    assert "0 of 1 seat left" in html
    assert "Join the waiting list" in html

    card = member_client.post(
        reverse("events:register", args=[event.pk]), {"mode": "online"}, **HTMX
    ).content.decode()

    assert "you are on the waiting list" in card
    assert "You are number 1 in line." in card
    assert "1 on the waiting list" in card


def test_a_full_waiting_list_refuses_with_a_message_and_changes_nothing(
    member_client, member, community
):
    event = EventFactory(community=community, seats=1)
    event.seats.update(waitlist_limit=0)
    register_for_event(event=event, person=UserFactory())
    card = member_client.post(
        reverse("events:register", args=[event.pk]), {"mode": "online"}, **HTMX
    ).content.decode()
    assert "This event is full and its waiting list is full too." in card
    assert not Registration.objects.filter(event=event, person=member).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": EventStatus.CANCELLED}, "This event was cancelled."),
        (
            {"registration_opens_at": START - timedelta(days=1)},
            "Registration opens at",
        ),
        (
            {"registration_closes_at": timezone.now() - timedelta(minutes=1)},
            "Registration for this event has closed.",
        ),
    ],
)
def test_registering_outside_the_window_is_refused(
    member_client, member, community, changes, message
):
    event = EventFactory(community=community, starts_at=START, **changes)
    response = member_client.post(reverse("events:register", args=[event.pk]), {"mode": "online"})
    assert response.status_code == 302
    assert not Registration.objects.filter(event=event, person=member).exists()
    assert message in member_client.get(detail(event)).content.decode()


def test_registering_for_a_draft_is_a_404(member_client, community):
    event = EventFactory(community=community, status=EventStatus.DRAFT)
    response = member_client.post(reverse("events:register", args=[event.pk]), {"mode": "online"})
    assert response.status_code == 404


def test_a_bad_mode_gets_a_clear_message(member_client, member, community):
    event = EventFactory(community=community)
    card = member_client.post(
        reverse("events:register", args=[event.pk]), {"mode": "teleport"}, **HTMX
    ).content.decode()
    assert "Choose in person or online." in card
    in_person = member_client.post(
        reverse("events:register", args=[event.pk]), {"mode": "in_person"}, **HTMX
    ).content.decode()
    assert "This event has no In person seats." in in_person
    assert not Registration.objects.filter(event=event, person=member).exists()


def test_the_buttons_take_post_only(member_client, community):
    event = EventFactory(community=community)
    for name in ("register", "cancel_registration", "confirm_offer", "decline_offer"):
        assert member_client.get(reverse(f"events:{name}", args=[event.pk])).status_code == 405


def test_cancelling_frees_the_seat_and_offers_it_to_the_first_waiting(
    member_client, member, community
):
    event = EventFactory(community=community, seats=1)
    register_for_event(event=event, person=member)
    first = register_for_event(event=event, person=UserFactory())
    second = register_for_event(event=event, person=UserFactory())

    card = member_client.post(
        reverse("events:cancel_registration", args=[event.pk]), **HTMX
    ).content.decode()

    assert "Your registration is cancelled." in card
    assert "Join the waiting list" in card  # the freed seat is held for the offer
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == RegistrationStatus.OFFERED
    assert second.status == RegistrationStatus.WAITLISTED
    assert Registration.objects.get(event=event, person=member).status == "cancelled"


def test_cancelling_without_a_registration_says_so(member_client, community):
    event = EventFactory(community=community)
    card = member_client.post(
        reverse("events:cancel_registration", args=[event.pk]), **HTMX
    ).content.decode()
    assert "You are not registered." in card


def test_an_offered_seat_is_confirmed_or_declined(client, community):
    event = EventFactory(community=community, seats=1)
    holder, waiting, next_waiting = UserFactory(), UserFactory(), UserFactory()
    held = register_for_event(event=event, person=holder)
    register_for_event(event=event, person=waiting)
    register_for_event(event=event, person=next_waiting)
    from practica.events.services.registration import cancel_registration

    cancel_registration(registration=held, actor=holder)
    client.force_login(waiting)
    page = client.get(detail(event)).content.decode()
    assert "A seat is free for you!" in page
    assert "Confirm my seat" in page

    card = client.post(reverse("events:decline_offer", args=[event.pk]), **HTMX).content.decode()

    assert "it goes to the next person waiting" in card
    offered = Registration.objects.get(event=event, person=next_waiting)
    assert offered.status == RegistrationStatus.OFFERED
    client.force_login(next_waiting)
    card = client.post(reverse("events:confirm_offer", args=[event.pk]), **HTMX).content.decode()
    assert "The seat is yours." in card
    offered.refresh_from_db()
    assert offered.status == RegistrationStatus.REGISTERED
    again = client.post(reverse("events:decline_offer", args=[event.pk]), **HTMX).content.decode()
    assert "There is no seat waiting for you to confirm." in again


# --- Scheduling ----------------------------------------------------------------------------


def form_data(**overrides):
    data = {
        "title": "Evaluating LLMs in production",
        "format": "talk",
        "description": "Bring your **evals**.",
        "time_zone": "America/New_York",
        "starts_at": "2030-06-03T18:00",
        "ends_at": "2030-06-03T19:30",
        "mode": "online",
        "online_url": "https://meet.example.com/llm",
        "capacity_online": "100",
        "waitlist_online": "",
        "offer_minutes": "1440",
        "speakers": "",
        "hosts": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_only_organizers_may_open_the_scheduling_form(client, member, organizer, community):
    url = reverse("events:schedule", args=[community.slug])
    client.force_login(member)
    response = client.get(url)
    assert response.status_code == 403
    assert (
        "Only the community&#x27;s organizers can schedule its events." in response.content.decode()
    )
    assert client.post(url, form_data()).status_code == 403
    assert not Event.objects.exists()
    client.force_login(organizer)
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="starts_at"' in page.content.decode()


def test_an_organizer_schedules_a_draft_in_the_events_own_zone(client, organizer, community):
    speaker = UserFactory(email="speaker@example.com")
    client.force_login(organizer)

    response = client.post(
        reverse("events:schedule", args=[community.slug]),
        form_data(speakers="speaker@example.com\nGrace Hopper, Navy"),
    )

    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(event)
    assert event.status == EventStatus.DRAFT
    assert event.time_zone == "America/New_York"
    assert event.starts_at == datetime(2030, 6, 3, 22, 0, tzinfo=UTC)  # EDT is UTC-4
    assert event.ends_at == datetime(2030, 6, 3, 23, 30, tzinfo=UTC)
    assert event.seats.get().capacity == 100
    hosts = list(event.hosts.order_by("position"))
    assert hosts[0].person == speaker
    assert (hosts[1].guest_name, hosts[1].guest_affiliation) == ("Grace Hopper", "Navy")


def test_publish_button_publishes_at_once(client, organizer, community):
    client.force_login(organizer)
    client.post(reverse("events:schedule", args=[community.slug]), {**form_data(), "publish": "1"})
    assert Event.objects.get().status == EventStatus.PUBLISHED


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"ends_at": "2030-06-03T17:00"}, "The event must end after it starts."),
        ({"time_zone": "Mars/Olympus"}, "is not a known time zone."),
        ({"title": ""}, "Give the event a title."),
        ({"starts_at": "tomorrow"}, "Enter a valid date/time."),
        ({"mode": "in_person"}, "Say where the event takes place."),
        ({"capacity_online": "-3"}, "Ensure this value is greater than or equal to 0."),
        ({"speakers": "nobody@example.com"}, "No member has the address nobody@example.com."),
        (
            {"starts_at": "2030-03-10T02:30", "ends_at": "2030-03-10T04:00"},
            "does not exist in America/New_York",
        ),
        (
            {
                "registration_opens_at": "2030-06-02T10:00",
                "registration_closes_at": "2030-06-01T10:00",
            },
            "Registration must close after it opens.",
        ),
    ],
)
def test_bad_input_is_shown_on_the_form_and_nothing_is_created(
    client, organizer, community, overrides, field_message
):
    client.force_login(organizer)
    response = client.post(
        reverse("events:schedule", args=[community.slug]), form_data(**overrides)
    )
    assert response.status_code == 422
    assert field_message in response.content.decode()
    assert not Event.objects.exists()


def test_a_clash_is_shown_before_saving_and_can_be_accepted(client, organizer, community):
    EventFactory(
        title="Already there",
        community=community,
        starts_at=datetime(2030, 6, 3, 22, 30, tzinfo=UTC),
        ends_at=datetime(2030, 6, 3, 23, 30, tzinfo=UTC),
    )
    client.force_login(organizer)
    url = reverse("events:schedule", args=[community.slug])

    warned = client.post(url, form_data())

    html = warned.content.decode()
    assert warned.status_code == 200
    assert "This time clashes with 1 event" in html
    assert "Already there" in html
    assert "same community" in html
    assert Event.objects.count() == 1
    accepted = client.post(url, form_data(accept_clashes="on"))
    assert accepted.status_code == 302
    assert Event.objects.count() == 2


def test_the_live_clash_check_warns_as_times_are_typed(client, organizer, community):
    program = ProgramFactory()
    community.program = program
    community.save()
    sister = CommunityFactory(program=program, name="Sister")
    EventFactory(
        title="Sister's hackathon",
        community=sister,
        starts_at=datetime(2030, 6, 3, 22, 0, tzinfo=UTC),
        ends_at=datetime(2030, 6, 4, 2, 0, tzinfo=UTC),
    )
    client.force_login(organizer)
    url = reverse("events:clash_check", args=[community.slug])

    html = client.get(
        url,
        {
            "time_zone": "America/New_York",
            "starts_at": "2030-06-03T18:00",
            "ends_at": "2030-06-03T19:00",
        },
        **HTMX,
    ).content.decode()
    assert "Sister&#x27;s hackathon" in html
    assert "same program" in html
    half_typed = client.get(url, {"time_zone": "America/New_York", "starts_at": "2030-06"})
    assert half_typed.status_code == 200
    assert "overlap" not in half_typed.content.decode()


def test_members_cannot_use_the_clash_check(member_client, community):
    url = reverse("events:clash_check", args=[community.slug])
    assert member_client.get(url).status_code == 403


def test_editing_shows_the_wall_clock_and_moves_the_event(client, organizer, community):
    event = EventFactory(
        community=community,
        starts_at=START,
        ends_at=START + timedelta(hours=1),
        time_zone="Asia/Tokyo",
    )
    client.force_login(organizer)
    url = reverse("events:edit", args=[event.pk])
    page = client.get(url).content.decode()
    assert 'value="2030-03-06T01:00"' in page  # 16:00 UTC is 01:00 the next day in Tokyo

    response = client.post(
        url,
        form_data(
            time_zone="Asia/Tokyo",
            starts_at="2030-03-06T02:00",
            ends_at="2030-03-06T03:00",
            capacity_online="10",
        ),
    )

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.starts_at == START + timedelta(hours=1)
    assert event.sequence == 1
    assert event.title == "Evaluating LLMs in production"


def test_capacity_below_the_seats_taken_is_refused_on_the_form(client, organizer, community):
    event = EventFactory(community=community, seats=5, starts_at=START)
    for _ in range(3):
        register_for_event(event=event, person=UserFactory())
    client.force_login(organizer)
    response = client.post(
        reverse("events:edit", args=[event.pk]),
        form_data(
            time_zone="UTC",
            starts_at="2030-03-05T16:00",
            ends_at="2030-03-05T17:00",
            capacity_online="2",
        ),
    )
    assert response.status_code == 422
    assert (
        "3 seats are already taken; the capacity can&#x27;t be lower." in response.content.decode()
    )
    assert event.seats.get().capacity == 5


def test_members_cannot_edit_publish_or_cancel(member_client, community):
    event = EventFactory(community=community, status=EventStatus.PUBLISHED)
    assert member_client.get(reverse("events:edit", args=[event.pk])).status_code == 403
    assert member_client.get(reverse("events:cancel", args=[event.pk])).status_code == 403
    assert member_client.post(reverse("events:cancel", args=[event.pk])).status_code == 403
    draft = EventFactory(community=community, status=EventStatus.DRAFT)
    assert member_client.post(reverse("events:publish", args=[draft.pk])).status_code == 404
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED


def test_an_organizer_publishes_and_cancels_with_a_reason(client, organizer, member, community):
    event = EventFactory(community=community, status=EventStatus.DRAFT)
    client.force_login(organizer)
    client.post(reverse("events:publish", args=[event.pk]))
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED
    register_for_event(event=event, person=member)

    confirm = client.get(reverse("events:cancel", args=[event.pk])).content.decode()
    assert "Everyone registered, offered a seat or waiting gets an email" in confirm
    response = client.post(
        reverse("events:cancel", args=[event.pk]), {"reason": "The speaker is ill."}
    )

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED
    assert event.cancellation_reason == "The speaker is ill."
    page = client.get(detail(event)).content.decode()
    assert "This event was cancelled." in page
    assert "The speaker is ill." in page
    edit = client.get(reverse("events:edit", args=[event.pk]))
    assert edit.status_code == 302


def test_a_too_long_reason_is_refused(client, organizer, community):
    event = EventFactory(community=community)
    client.force_login(organizer)
    response = client.post(reverse("events:cancel", args=[event.pk]), {"reason": "x" * 501})
    assert response.status_code == 422
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED


def test_a_hybrid_event_offers_both_modes(member_client, member, community):
    event = EventFactory(
        community=community,
        mode=EventMode.HYBRID,
        venue_city="Berlin",
        seats={SeatMode.IN_PERSON: 2, SeatMode.ONLINE: None},
    )
    html = member_client.get(detail(event)).content.decode()
    assert "2 of 2 seats left" in html
    assert "No seat limit" in html
    member_client.post(reverse("events:register", args=[event.pk]), {"mode": "in_person"})
    assert Registration.objects.get(event=event, person=member).mode == SeatMode.IN_PERSON


def test_a_registrant_is_offered_check_in_during_and_feedback_after(
    member_client, member, community
):
    from tests.factories.events import RegistrationFactory

    now = timezone.now()
    running = EventFactory(
        community=community, starts_at=now - timedelta(minutes=10), ends_at=now + timedelta(hours=1)
    )
    RegistrationFactory(event=running, person=member)
    html = member_client.get(detail(running)).content.decode()
    assert "Check in with the code at the door" in html
    assert reverse("events:self_check_in", args=[running.pk]) in html

    over = EventFactory(
        community=community, starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=2)
    )
    RegistrationFactory(event=over, person=member)
    html = member_client.get(detail(over)).content.decode()
    assert "How was it? Give feedback" in html
    assert "Check in with the code" not in html
    assert "Cancel my registration" not in html  # too late to cancel


def test_materials_and_the_ama_board_are_linked_from_the_page(member_client, community):
    from practica.events.models import EventMaterial

    event = EventFactory(community=community, format="ama")
    EventMaterial.objects.create(
        event=event, kind="slides", title="The slides", url="https://x.example/s"
    )
    html = member_client.get(detail(event)).content.decode()
    assert "Open the question board" in html
    assert reverse("events:ama", args=[event.pk]) in html
    assert "The slides" in html
    assert "https://x.example/s" in html


def test_the_home_page_lists_my_events_and_whats_coming_in_my_communities(
    member_client, member, community
):
    MembershipFactory(community=community, person=member)
    going = EventFactory(community=community, title="I am going")
    register_for_event(event=going, person=member)
    EventFactory(community=community, title="Coming up here")
    EventFactory(title="Another community's talk")
    html = member_client.get(reverse("home")).content.decode()
    assert "You are going" in html
    assert "I am going" in html
    assert "Coming up here" in html
    assert "Another community&#x27;s talk" not in html


def test_the_home_page_without_events_says_where_to_find_them(member_client):
    html = member_client.get(reverse("home")).content.decode()
    assert "No events on your calendar" in html
