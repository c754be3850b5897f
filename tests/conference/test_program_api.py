"""The program API: the program (published, or the committee's preview), the chair's slots,
warnings, publishing, my agenda and a slot's calendar file — happy paths and 403/404/409/422."""

import icalendar
import pytest
from django.test import Client

from practica.conference.models import ProgramSlot
from practica.conference.services.program import add_slot, add_to_agenda, publish_program
from practica.core.models import Activity
from tests.api.clients import API, session_client, token_client
from tests.conference.program_helpers import accepted, at, place, raw_slot, room
from tests.factories.conference import EditionFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db


def call(client, method, path, data=None):
    if method == "get":
        return client.get(f"{API}{path}", data or {})
    return getattr(client, method)(f"{API}{path}", data or {}, content_type="application/json")


@pytest.fixture
def as_chair(chair):
    return token_client(chair)


@pytest.fixture
def member(db):
    return UserFactory()


@pytest.fixture
def as_member(member):
    return token_client(member)


def slot_body(edition, proposal, clock="10:00", **extra):
    return {
        "kind": "session",
        "proposal_id": proposal.pk,
        "room_id": room(edition).pk,
        "starts_at": at(edition, clock).isoformat(),
        **extra,
    }


# --- The program ----------------------------------------------------------------------------


def test_the_program_waits_for_publication_except_for_the_committee(
    edition, chair, committee_member, as_member
):
    place(edition, chair, accepted(edition, title="Graphs"))
    path = f"/conference/editions/{edition.pk}/program"
    hidden = call(as_member, "get", path)
    assert hidden.status_code == 404
    assert hidden.json() == {"detail": "The program is not published yet."}
    preview = call(token_client(committee_member), "get", path)
    assert preview.status_code == 200
    assert preview.json()["published_at"] is None
    publish_program(edition=edition, actor=chair)
    body = call(as_member, "get", path).json()
    assert body["time_zone"] == "Europe/Berlin"
    [slot] = body["slots"]
    assert slot["title"] == "Graphs"
    assert slot["room"]["name"] == "Main hall"
    assert slot["minutes"] == 30
    assert slot["sequence"] == 0
    assert slot["speakers"][0]["display_name"]
    assert slot["calendar_url"].endswith(f"/conference/program/slots/{slot['id']}/session.ics")


def test_an_unknown_or_unannounced_edition_is_404(edition, as_member):
    hidden = EditionFactory(community=edition.community, is_published=False)
    for edition_id in (hidden.pk, 999999):
        assert (
            call(as_member, "get", f"/conference/editions/{edition_id}/program").status_code == 404
        )


def test_anonymous_callers_are_401(edition):
    response = Client().get(f"{API}/conference/editions/{edition.pk}/program")
    assert response.status_code == 401


# --- Slots ----------------------------------------------------------------------------------


def test_the_chair_places_a_session(edition, as_chair):
    proposal = accepted(edition, format_name="Tutorial", track_name="Research")
    response = call(as_chair, "post", f"/conference/editions/{edition.pk}/program/slots",
                    slot_body(edition, proposal))  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["minutes"], body["track"]["name"]) == ("session", 90, "Research")
    assert body["proposal"]["id"] == proposal.pk
    assert ProgramSlot.objects.filter(pk=body["id"]).exists()


def test_a_keynote_and_a_break_over_the_api(edition, as_chair):
    speaker = UserFactory()
    path = f"/conference/editions/{edition.pk}/program/slots"
    keynote = call(as_chair, "post", path, {
        "kind": "keynote", "title": "Vision", "speaker_id": speaker.pk,
        "starts_at": at(edition, "09:00").isoformat(),
    })  # fmt: skip
    assert keynote.status_code == 201, keynote.content
    assert keynote.json()["room"] is None
    assert keynote.json()["speakers"] == [{"id": speaker.pk, "display_name": speaker.display_name}]
    lunch = call(as_chair, "post", path, {
        "kind": "break", "title": "Lunch", "minutes": 60,
        "starts_at": at(edition, "12:00").isoformat(),
    })  # fmt: skip
    assert lunch.json()["minutes"] == 60


def test_placing_is_the_chairs(edition, committee_member):
    proposal = accepted(edition)
    response = call(token_client(committee_member), "post",
                    f"/conference/editions/{edition.pk}/program/slots",
                    slot_body(edition, proposal))  # fmt: skip
    assert response.status_code == 403
    assert not ProgramSlot.objects.exists()


def test_a_double_booked_room_is_409(edition, chair, as_chair):
    place(edition, chair, accepted(edition, title="First"))
    response = call(as_chair, "post", f"/conference/editions/{edition.pk}/program/slots",
                    slot_body(edition, accepted(edition), clock="10:15"))  # fmt: skip
    assert response.status_code == 409
    assert response.json()["code"] == "room_taken"
    assert "First" in response.json()["detail"]


@pytest.mark.parametrize(("change", "field"), [
    ({"starts_at": "2001-01-01T10:00:00+00:00"}, "starts_at"),
    ({"starts_at": "2030-01-01T10:00:00"}, "starts_at"),
    ({"minutes": 3}, "minutes"),
    ({"kind": "party"}, "kind"),
    ({"room_id": 999999}, "room_id"),
    ({"surprise": 1}, "surprise"),
])  # fmt: skip
def test_bad_input_is_422_naming_the_field(edition, as_chair, change, field):
    body = {**slot_body(edition, accepted(edition)), **change}
    response = call(as_chair, "post", f"/conference/editions/{edition.pk}/program/slots", body)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]


def test_a_rejected_proposal_is_422(edition, as_chair):
    proposal = accepted(edition, state="rejected")
    response = call(as_chair, "post", f"/conference/editions/{edition.pk}/program/slots",
                    slot_body(edition, proposal))  # fmt: skip
    assert response.status_code == 422
    assert "proposal" in response.json()["errors"]


def test_moving_raises_the_sequence_and_a_clash_is_409(edition, chair, as_chair):
    place(edition, chair, accepted(edition), clock="14:00")
    slot = place(edition, chair, accepted(edition))
    path = f"/conference/program/slots/{slot.pk}"
    moved = call(as_chair, "patch", path, {"starts_at": at(edition, "11:00").isoformat()})
    assert moved.status_code == 200, moved.content
    assert (moved.json()["sequence"], moved.json()["room"]["name"]) == (1, "Main hall")
    to_b = call(as_chair, "patch", path, {"room_id": room(edition, "Room B").pk, "minutes": 40})
    assert (to_b.json()["room"]["name"], to_b.json()["minutes"]) == ("Room B", 40)
    back = {"room_id": room(edition).pk, "starts_at": at(edition, "14:10").isoformat()}
    clash = call(as_chair, "patch", path, back)
    assert clash.status_code == 409
    assert call(as_chair, "patch", path, {"room_id": None}).status_code == 422


def test_removing_a_slot_answers_it(edition, chair, as_chair, committee_member):
    slot = place(edition, chair, accepted(edition, title="Gone"))
    path = f"/conference/program/slots/{slot.pk}"
    assert call(token_client(committee_member), "delete", path).status_code == 403
    response = call(as_chair, "delete", path)
    assert response.status_code == 200
    assert response.json()["title"] == "Gone"
    assert call(as_chair, "get", path).status_code == 404


# --- Warnings, unscheduled, publishing ------------------------------------------------------


def test_warnings_are_for_the_committee(edition, chair, committee_member, as_member):
    place(edition, chair, accepted(edition, track_name="Research"))
    place(edition, chair, accepted(edition, track_name="Research"), room_name="Room B")
    path = f"/conference/editions/{edition.pk}/program/warnings"
    assert call(as_member, "get", path).status_code == 403
    [warning] = call(token_client(committee_member), "get", path).json()
    assert warning["code"] == "track_clash"
    assert warning["severity"] == "warning"
    assert len(warning["slot_ids"]) == 2


def test_unscheduled_proposals_are_paginated(edition, chair, as_chair, as_member):
    for _ in range(3):
        accepted(edition)
    place(edition, chair, accepted(edition))
    path = f"/conference/editions/{edition.pk}/program/unscheduled"
    body = call(as_chair, "get", path, {"limit": 2}).json()
    assert body["count"] == 3
    assert len(body["items"]) == 2
    assert call(as_member, "get", path).status_code == 403


def test_publishing_is_idempotent_in_the_ledger(edition, chair, as_chair, as_member):
    place(edition, chair, accepted(edition, speakers=[UserFactory()]))
    add_slot(edition=edition, kind="keynote", title="Vision", speaker=UserFactory(),
             starts_at=at(edition, "09:00"), actor=chair)  # fmt: skip
    path = f"/conference/editions/{edition.pk}/program/publish"
    assert call(as_member, "post", path).status_code == 403
    first = call(as_chair, "post", path)
    assert first.status_code == 200, first.content
    assert (first.json()["presented"], first.json()["keynoted"]) == (2, 1)
    again = call(as_chair, "post", path).json()
    assert (again["presented"], again["keynoted"]) == (0, 0)
    assert again["published_at"] == first.json()["published_at"]
    assert Activity.objects.filter(kind__in=["presented", "keynoted"]).count() == 3
    hidden = call(as_chair, "post", f"/conference/editions/{edition.pk}/program/unpublish")
    assert hidden.json()["published_at"] is None


def test_publishing_a_clash_is_409_and_empty_is_422(edition, chair, as_chair):
    path = f"/conference/editions/{edition.pk}/program/publish"
    assert call(as_chair, "post", path).status_code == 422
    place(edition, chair, accepted(edition))
    raw_slot(edition, clock="10:10", title="Stray")
    response = call(as_chair, "post", path)
    assert response.status_code == 409
    assert response.json()["code"] == "program_errors"


# --- My agenda and calendars ----------------------------------------------------------------


def test_my_agenda_add_list_remove(edition, chair, member, as_member):
    one = place(edition, chair, accepted(edition))
    two = place(edition, chair, accepted(edition), room_name="Room B")
    agenda = f"/conference/program/slots/{one.pk}/agenda"
    assert call(as_member, "put", agenda).status_code == 404  # not published yet
    publish_program(edition=edition, actor=chair)
    added = call(as_member, "put", agenda)
    assert added.status_code == 201, added.content
    assert call(as_member, "put", agenda).status_code == 200
    add_to_agenda(slot=two, person=member)
    listed = call(as_member, "get", f"/conference/editions/{edition.pk}/agenda").json()
    assert [item["slot"]["id"] for item in listed] == [one.pk, two.pk]
    assert listed[0]["clashes_with"] == [two.pk]
    assert listed[0]["slot"]["attendees"] == 1
    removed = call(as_member, "delete", agenda)
    assert removed.json() == {"slot_id": one.pk, "removed": True}
    assert call(as_member, "delete", agenda).json()["removed"] is False


def test_a_break_on_the_agenda_is_422(edition, chair, as_member):
    lunch = add_slot(edition=edition, kind="break", starts_at=at(edition, "12:00"), actor=chair)
    publish_program(edition=edition, actor=chair)
    response = call(as_member, "put", f"/conference/program/slots/{lunch.pk}/agenda")
    assert response.status_code == 422


def test_a_slots_calendar_file(edition, chair, member):
    slot = place(edition, chair, accepted(edition, title="Graphs"))
    publish_program(edition=edition, actor=chair)
    response = session_client(member).get(f"{API}/conference/program/slots/{slot.pk}/calendar")
    assert response.status_code == 200
    body = response.json()
    assert body["filename"] == f"session-{slot.pk}.ics"
    assert body["content_type"] == "text/calendar"
    [vevent] = icalendar.Calendar.from_ical(body["ics"]).walk("VEVENT")
    assert str(vevent["uid"]).startswith(str(slot.uid))
    assert str(vevent["summary"]) == "Graphs"
