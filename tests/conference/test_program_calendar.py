"""The program's iCalendar, parsed back with `icalendar`: a session's entry (UID and SEQUENCE
of its slot, room, speakers, the edition's zone) and a member's agenda."""

import icalendar
import pytest

from practica.conference.program_calendar import program_calendar, slot_uid
from practica.conference.queries.program import slot_with_details
from practica.conference.services.program import add_slot, move_slot, publish_program
from tests.conference.program_helpers import accepted, at, place
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db


def parse(text: str) -> icalendar.Calendar:
    assert "\r\n" in text, "RFC 5545 lines end in CRLF"
    return icalendar.Calendar.from_ical(text)


@pytest.fixture
def session(settings, edition, chair):
    settings.SITE_URL = "https://practica.example.com"
    ada = UserFactory(display_name="Ada Lovelace")
    proposal = accepted(edition, title="Graphs at scale", created_by=ada,
                        speakers=[UserFactory(display_name="Alan Turing")],
                        track_name="Research", abstract="How we shard graphs.")  # fmt: skip
    return place(edition, chair, proposal, clock="10:00")


def test_a_session_is_one_vevent_with_its_slots_uid_and_sequence(edition, chair, session):
    session = move_slot(slot=session, actor=chair, starts_at=at(edition, "11:00"))
    calendar = parse(program_calendar(edition, [slot_with_details(session.pk)]))
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["uid"]) == f"{session.uid}@practica.example.com" == slot_uid(session)
    assert vevent["sequence"] == 1
    assert str(vevent["summary"]) == "Graphs at scale"
    assert str(vevent["location"]) == "Main hall · Building 1"
    start = vevent.decoded("dtstart")
    assert start == at(edition, "11:00")
    assert start.tzinfo.key == "Europe/Berlin"
    assert vevent.decoded("dtend") - start == at(edition, "11:30") - at(edition, "11:00")
    description = str(vevent["description"])
    assert "Ada Lovelace, Alan Turing" in description
    assert "Research" in description
    assert "How we shard graphs." in description
    assert f"/conference/editions/{edition.pk}/program/" in str(vevent["url"])
    # Not published yet: tentative.
    assert str(vevent["status"]) == "TENTATIVE"
    assert calendar.walk("VTIMEZONE")[0]["tzid"] == "Europe/Berlin"
    assert str(calendar["method"]) == "PUBLISH"


def test_a_published_session_is_confirmed(edition, chair, session):
    publish_program(edition=edition, actor=chair)
    edition.refresh_from_db()
    [vevent] = parse(program_calendar(edition, [session])).walk("VEVENT")
    assert str(vevent["status"]) == "CONFIRMED"


def test_a_keynote_for_every_room_and_a_named_agenda(edition, chair, session):
    keynote = add_slot(edition=edition, kind="keynote", title="Vision",
                       speaker=UserFactory(display_name="Sponsor"),
                       starts_at=at(edition, "09:00"), actor=chair)  # fmt: skip
    text = program_calendar(edition, [keynote, session], name="My agenda · Spring")
    calendar = parse(text)
    assert str(calendar["x-wr-calname"]) == "My agenda · Spring"
    first, second = calendar.walk("VEVENT")
    assert str(first["location"]) == "All rooms"
    assert "Speakers: Sponsor" in str(first["description"])
    assert str(second["summary"]) == "Graphs at scale"


def test_a_utc_edition_is_written_in_utc(edition, chair, session):
    edition.time_zone = "UTC"
    [vevent] = parse(program_calendar(edition, [session])).walk("VEVENT")
    assert vevent.decoded("dtstart") == session.starts_at
    assert vevent.decoded("dtstart").utcoffset().total_seconds() == 0
    assert "TZID" not in vevent["dtstart"].params
