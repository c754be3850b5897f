"""The iCalendar we produce, parsed back with `icalendar`: every field a calendar client uses."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.urls import reverse
from django.utils import translation

from practica.events.calendar import (
    CalendarEntry,
    Invitee,
    Method,
    Participation,
    build_calendar,
    event_uid,
    invitation,
)
from practica.events.models import EventHost, EventMode, EventStatus
from tests.factories.communities import CommunityFactory
from tests.factories.core import TopicFactory
from tests.factories.events import EventFactory, RegistrationFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def parse(text: str) -> icalendar.Calendar:
    assert "\r\n" in text, "RFC 5545 lines end in CRLF"
    return icalendar.Calendar.from_ical(text)


def only_event(calendar: icalendar.Calendar) -> icalendar.Event:
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


@pytest.fixture
def berlin_event(settings):
    settings.SITE_URL = "https://practica.example.com"
    community = CommunityFactory(name="Machine Learning")
    event = EventFactory(
        title="Transformers in production",
        description="We look at **serving** large models.",
        community=community,
        # 09:30 in Berlin on a summer day (CEST, +02:00): 07:30 UTC.
        starts_at=datetime(2031, 6, 12, 7, 30, tzinfo=UTC),
        ends_at=datetime(2031, 6, 12, 9, 0, tzinfo=UTC),
        time_zone="Europe/Berlin",
        mode=EventMode.HYBRID,
        venue_room="Room 4.12",
        venue_building="Tower B",
        venue_city="Berlin",
        online_url="https://meet.example.com/secret-room",
    )
    event.topics.add(TopicFactory(name="Deep learning"))
    EventHost.objects.create(event=event, person=UserFactory(display_name="Ada Host"), role="host")
    EventHost.objects.create(
        event=event, guest_name="Grace Guest", guest_affiliation="Univ", role="speaker", position=1
    )
    return event


def test_a_published_event_has_every_field_a_client_needs(berlin_event):
    calendar = parse(build_calendar([CalendarEntry(event=berlin_event, show_online_link=True)]))
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//Practica//Events//EN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    vevent = only_event(calendar)
    assert str(vevent["UID"]) == f"{berlin_event.uid}@practica.example.com"
    assert vevent.decoded("SEQUENCE") == 0
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert str(vevent["TRANSP"]) == "OPAQUE"
    assert str(vevent["SUMMARY"]) == "Transformers in production"
    assert vevent.decoded("DTSTAMP").tzinfo is not None
    # Times in the organizer's zone, with TZID, meaning the same instants as stored.
    assert vevent["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert vevent["DTEND"].params["TZID"] == "Europe/Berlin"
    start = vevent.decoded("DTSTART")
    assert (start.hour, start.minute) == (9, 30)
    assert utc(start) == berlin_event.starts_at
    assert utc(vevent.decoded("DTEND")) == berlin_event.ends_at
    assert str(vevent["URL"]) == f"https://practica.example.com/events/{berlin_event.pk}/"
    assert str(vevent["LOCATION"]) == (
        "Room 4.12, Tower B, Berlin · https://meet.example.com/secret-room"
    )
    description = str(vevent["DESCRIPTION"])
    assert "We look at **serving** large models." in description
    assert "Ada Host, Grace Guest (Univ)" in description
    assert "https://meet.example.com/secret-room" in description
    assert "Machine Learning" in description
    organizer = vevent["ORGANIZER"]
    assert str(organizer).lower().startswith("mailto:")
    assert organizer.params["CN"] == "Machine Learning"
    categories = [str(c) for c in vevent["CATEGORIES"].cats]
    assert categories == ["Talk", "Deep learning"]
    assert "ATTENDEE" not in vevent


def test_the_vtimezone_itself_gives_the_right_offsets(berlin_event):
    """A client that does not know the zone by name builds it from the VTIMEZONE: check that
    doing so (not looking up the TZID) puts the event at the stored instant, in summer and in
    winter, and that the zone's transitions are the real ones."""
    winter = EventFactory(
        community=berlin_event.community,
        starts_at=datetime(2031, 1, 15, 17, 0, tzinfo=UTC),  # 18:00 CET (+01:00)
        ends_at=datetime(2031, 1, 15, 18, 0, tzinfo=UTC),
        time_zone="Europe/Berlin",
    )
    calendar = parse(build_calendar([CalendarEntry(berlin_event), CalendarEntry(winter)]))
    timezones = calendar.walk("VTIMEZONE")
    assert [str(tz["TZID"]) for tz in timezones] == ["Europe/Berlin"]
    from_definition = timezones[0].to_tz(lookup_tzid=False)
    for vevent, event in zip(calendar.walk("VEVENT"), (berlin_event, winter), strict=True):
        naive = vevent["DTSTART"].dt.replace(tzinfo=None)
        assert naive.replace(tzinfo=from_definition).astimezone(UTC) == event.starts_at

    # 2031's switches: to summer time on 30 March at 02:00, back on 26 October at 03:00.
    def offset(*wall_clock: int) -> timedelta:
        return datetime(*wall_clock, tzinfo=from_definition).utcoffset()

    assert offset(2031, 3, 30, 1, 59) == timedelta(hours=1)
    assert offset(2031, 3, 30, 3, 1) == timedelta(hours=2)
    assert offset(2031, 10, 26, 1, 59) == timedelta(hours=2)
    assert offset(2031, 10, 26, 3, 1) == timedelta(hours=1)


def test_each_zone_gets_one_vtimezone_and_utc_needs_none(berlin_event):
    tokyo = EventFactory(time_zone="Asia/Tokyo")
    in_utc = EventFactory(time_zone="UTC")
    calendar = parse(build_calendar([CalendarEntry(e) for e in (berlin_event, tokyo, in_utc)]))
    assert sorted(str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")) == [
        "Asia/Tokyo",
        "Europe/Berlin",
    ]
    by_uid = {str(v["UID"]): v for v in calendar.walk("VEVENT")}
    utc_event = by_uid[event_uid(in_utc)]
    assert "TZID" not in utc_event["DTSTART"].params
    assert utc_event["DTSTART"].to_ical().endswith(b"Z")
    assert utc_event.decoded("DTSTART") == in_utc.starts_at.replace(microsecond=0)
    tokyo_start = by_uid[event_uid(tokyo)].decoded("DTSTART")
    assert tokyo_start.utcoffset() == timedelta(hours=9)


def test_uid_is_stable_and_sequence_follows_the_event(berlin_event):
    first = only_event(parse(build_calendar([CalendarEntry(berlin_event)])))
    berlin_event.sequence = 3
    berlin_event.title = "Transformers in production (moved)"
    berlin_event.save()
    second = only_event(parse(build_calendar([CalendarEntry(berlin_event)])))
    assert str(first["UID"]) == str(second["UID"])
    assert second.decoded("SEQUENCE") == 3


def test_a_cancelled_event_says_so_in_status_title_and_description(berlin_event):
    berlin_event.status = EventStatus.CANCELLED
    berlin_event.cancellation_reason = "The speaker is ill."
    berlin_event.sequence = 1
    vevent = only_event(parse(build_calendar([CalendarEntry(berlin_event, True)])))
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert str(vevent["SUMMARY"]) == "Cancelled: Transformers in production"
    assert "The speaker is ill." in str(vevent["DESCRIPTION"])
    assert "secret-room" not in str(vevent["DESCRIPTION"])
    assert vevent.decoded("SEQUENCE") == 1
    assert str(vevent["TRANSP"]) == "TRANSPARENT"


def test_the_online_link_is_only_there_when_asked_for(berlin_event):
    text = build_calendar([CalendarEntry(berlin_event, show_online_link=False)])
    assert "secret-room" not in text
    vevent = only_event(parse(text))
    assert str(vevent["LOCATION"]) == "Room 4.12, Tower B, Berlin · Online"
    assert "shown to registered participants" in str(vevent["DESCRIPTION"])


def test_online_and_in_person_locations():
    online = EventFactory(mode=EventMode.ONLINE, online_url="https://meet.example.com/x")
    in_person = EventFactory(mode=EventMode.IN_PERSON, venue_city="Shanghai", online_url="")
    calendar = parse(
        build_calendar([CalendarEntry(online, show_online_link=True), CalendarEntry(in_person)])
    )
    by_uid = {str(v["UID"]): v for v in calendar.walk("VEVENT")}
    assert str(by_uid[event_uid(online)]["LOCATION"]) == "https://meet.example.com/x"
    assert str(by_uid[event_uid(in_person)]["LOCATION"]) == "Shanghai"


def test_a_waiting_list_place_is_tentative_free_time(berlin_event):
    vevent = only_event(parse(build_calendar([CalendarEntry(berlin_event, tentative=True)])))
    assert str(vevent["STATUS"]) == "TENTATIVE"
    assert str(vevent["TRANSP"]) == "TRANSPARENT"
    assert "waiting list" in str(vevent["DESCRIPTION"])


def test_a_feed_is_named_and_asks_to_be_refreshed(berlin_event):
    calendar = parse(build_calendar([CalendarEntry(berlin_event)], name="My events"))
    assert str(calendar["X-WR-CALNAME"]) == "My events"
    assert str(calendar["NAME"]) == "My events"
    assert calendar.decoded("REFRESH-INTERVAL") == timedelta(hours=1)
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"


def test_an_empty_feed_is_still_a_valid_calendar():
    calendar = parse(build_calendar([], name="Nothing"))
    assert calendar.walk("VEVENT") == []
    assert str(calendar["METHOD"]) == "PUBLISH"


def test_an_invitation_addresses_the_recipient(berlin_event):
    filename, content, mimetype = invitation(
        berlin_event,
        invitee=Invitee(email="ada@example.com", name="Ada", participation=Participation.ACCEPTED),
        show_online_link=True,
    )
    assert filename == "invite.ics"
    assert mimetype == "text/calendar; method=REQUEST"
    calendar = parse(content)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert "REFRESH-INTERVAL" not in calendar
    vevent = only_event(calendar)
    attendee = vevent["ATTENDEE"]
    assert str(attendee) == "mailto:ada@example.com"
    assert attendee.params["CN"] == "Ada"
    assert attendee.params["PARTSTAT"] == "ACCEPTED"
    assert attendee.params["RSVP"] == "FALSE"
    assert str(vevent["STATUS"]) == "CONFIRMED"


def test_a_cancel_invitation_cancels(berlin_event):
    _name, content, mimetype = invitation(
        berlin_event, invitee=Invitee(email="ada@example.com"), method=Method.CANCEL
    )
    assert mimetype == "text/calendar; method=CANCEL"
    calendar = parse(content)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(only_event(calendar)["STATUS"]) == "CANCELLED"


def test_texts_follow_the_active_language(berlin_event):
    berlin_event.status = EventStatus.CANCELLED
    with translation.override("zh-hans"):
        text = build_calendar([CalendarEntry(berlin_event)])
    with translation.override("en"):
        english = build_calendar([CalendarEntry(berlin_event)])
    assert "Cancelled: Transformers" in english
    # Without a translation catalogue entry the text may stay English; either way it parses.
    assert parse(text).walk("VEVENT")


def test_special_characters_survive_the_round_trip():
    event = EventFactory(
        title="Q&A; commas, semicolons; and “quotes” — 中文",
        description="Line one\nLine two, with a comma; and a semicolon\\ backslash",
    )
    vevent = only_event(parse(build_calendar([CalendarEntry(event)])))
    assert str(vevent["SUMMARY"]) == event.title
    assert event.description in str(vevent["DESCRIPTION"])


# --- The per-event download ------------------------------------------------------------------


def test_a_member_downloads_an_event(client, berlin_event):
    member = UserFactory()
    client.force_login(member)
    response = client.get(reverse("events:event_ics", args=[berlin_event.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    vevent = only_event(parse(response.content.decode()))
    assert str(vevent["UID"]) == event_uid(berlin_event)
    assert "secret-room" not in response.content.decode()


def test_a_registrant_download_has_the_online_link(client, berlin_event):
    registration = RegistrationFactory(event=berlin_event)
    client.force_login(registration.person)
    response = client.get(reverse("events:event_ics", args=[berlin_event.pk]))
    assert "https://meet.example.com/secret-room" in response.content.decode()


def test_a_waitlisted_member_download_has_no_online_link(client, berlin_event):
    registration = RegistrationFactory(event=berlin_event, status="waitlisted")
    client.force_login(registration.person)
    response = client.get(reverse("events:event_ics", args=[berlin_event.pk]))
    assert "secret-room" not in response.content.decode()


def test_drafts_and_unknown_events_are_404_and_anonymous_is_sent_to_sign_in(client):
    draft = EventFactory(status=EventStatus.DRAFT)
    client.force_login(UserFactory())
    assert client.get(reverse("events:event_ics", args=[draft.pk])).status_code == 404
    assert client.get(reverse("events:event_ics", args=[draft.pk + 999])).status_code == 404
    client.logout()
    published = EventFactory()
    response = client.get(reverse("events:event_ics", args=[published.pk]))
    assert response.status_code == 302
    assert "sign-in" in response["Location"]


def test_post_to_the_download_is_refused(client, berlin_event):
    client.force_login(UserFactory())
    response = client.post(reverse("events:event_ics", args=[berlin_event.pk]))
    assert response.status_code == 405
