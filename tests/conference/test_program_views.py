"""The program's screens through the Django test client: the chair's builder (full pages and
htmx swaps), the published program, my agenda and the calendar files."""

import icalendar
import pytest
from django.urls import reverse

from practica.conference.models import AgendaItem, ProgramSlot, SlotKind
from practica.conference.services.program import add_slot, add_to_agenda, publish_program
from tests.conference.program_helpers import accepted, at, place, raw_slot, room
from tests.factories.conference import EditionFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, *args):
    return reverse(f"conference:{name}", args=args)


@pytest.fixture
def chair_client(client, chair):
    client.force_login(chair)
    return client


@pytest.fixture
def member(db):
    return UserFactory(display_name="Member Meyer")


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


def place_data(edition, proposal, *, room_name="Main hall", day=0, clock="10:00", minutes=""):
    return {
        "place-proposal": proposal.pk,
        "place-room": room(edition, room_name).pk,
        "place-day": (edition.starts_on if day == 0 else edition.ends_on).isoformat(),
        "place-time": clock,
        "place-minutes": minutes,
    }


# --- Who may open the builder ---------------------------------------------------------------


def test_the_builder_is_the_chairs(client, edition, chair, committee_member, member):
    builder = url("program_builder", edition.pk)
    assert client.get(builder).status_code == 302  # to the sign-in page
    client.force_login(member)
    assert client.get(builder).status_code == 403
    client.force_login(committee_member)
    assert client.get(builder).status_code == 403
    client.force_login(chair)
    response = client.get(builder)
    assert response.status_code == 200
    assert "Program builder" in response.text


def test_an_unannounced_editions_program_is_not_found(client, edition, member):
    hidden = EditionFactory(community=edition.community, is_published=False)
    client.force_login(member)
    assert client.get(url("program", hidden.pk)).status_code == 404
    assert client.get(url("program_builder", hidden.pk)).status_code == 404
    assert client.get(url("program", 999999)).status_code == 404


def test_the_builder_shows_the_grid_warnings_and_proposals_to_place(chair_client, edition, chair):
    place(edition, chair, accepted(edition, title="Serving LLMs", track_name="Research"))
    place(edition, chair, accepted(edition, title="Feature stores", track_name="Research"),
          room_name="Room B")  # fmt: skip
    accepted(edition, title="Waiting for a room")
    response = chair_client.get(url("program_builder", edition.pk))
    text = response.text
    assert "Serving LLMs" in text
    assert "Feature stores" in text
    assert "The Research track clashes with itself" in text
    assert "Waiting for a room" in text
    assert 'class="table program-grid"' in text
    assert text.count("<caption") == 1  # the second day has nothing yet
    assert "Nothing placed on this day yet" in text


def test_an_empty_cell_prefills_the_placing_form(chair_client, edition):
    proposal = accepted(edition)
    main = room(edition)
    response = chair_client.get(
        url("program_builder", edition.pk),
        {"room": main.pk, "day": edition.starts_on.isoformat(), "time": "14:00"},
    )
    form = response.context["place_form"]
    assert form.initial == {"room": str(main.pk), "day": edition.starts_on.isoformat(),
                            "time": "14:00"}  # fmt: skip
    assert proposal in form.fields["proposal"].queryset


# --- Placing, moving, removing --------------------------------------------------------------


def test_placing_a_proposal_without_htmx_redirects(chair_client, edition):
    proposal = accepted(edition, title="Serving LLMs")
    response = chair_client.post(url("program_place", edition.pk), place_data(edition, proposal))
    assert response.status_code == 302
    slot = ProgramSlot.objects.get(proposal=proposal)
    assert slot.starts_at == at(edition, "10:00")
    followed = chair_client.get(response.url)
    assert "“Serving LLMs” is placed." in followed.text


def test_placing_with_htmx_swaps_the_workspace(chair_client, edition):
    proposal = accepted(edition, title="Serving LLMs")
    response = chair_client.post(
        url("program_place", edition.pk), place_data(edition, proposal), **HTMX
    )
    assert response.status_code == 200
    assert 'id="program-workspace"' in response.text
    assert "<html" not in response.text
    assert "“Serving LLMs” is placed." in response.text


def test_a_taken_room_is_shown_beside_the_form_and_nothing_changes(chair_client, edition, chair):
    place(edition, chair, accepted(edition, title="First come"))
    late = accepted(edition)
    response = chair_client.post(
        url("program_place", edition.pk), place_data(edition, late, clock="10:15"), **HTMX
    )
    assert response.status_code == 200
    assert "Main hall · Building 1 is taken then" in response.text
    assert "First come" in response.text
    assert not ProgramSlot.objects.filter(proposal=late).exists()


def test_bad_input_is_shown_per_field(chair_client, edition):
    proposal = accepted(edition)
    data = place_data(edition, proposal, minutes="2")
    data["place-day"] = "2001-01-01"
    response = chair_client.post(url("program_place", edition.pk), data)
    assert response.status_code == 200
    errors = response.context["place_form"].errors
    assert set(errors) == {"day", "minutes"}
    assert not ProgramSlot.objects.exists()


def test_a_keynote_and_a_break(chair_client, edition):
    speaker = UserFactory(email="ceo@example.com")
    day = edition.starts_on.isoformat()
    response = chair_client.post(url("program_keynote", edition.pk), {
        "keynote-title": "The next decade", "keynote-speaker": "CEO@example.com",
        "keynote-room": "", "keynote-day": day, "keynote-time": "09:00",
    })  # fmt: skip
    assert response.status_code == 302
    keynote = ProgramSlot.objects.get(kind=SlotKind.KEYNOTE)
    assert (keynote.speaker, keynote.room) == (speaker, None)
    response = chair_client.post(url("program_break", edition.pk), {
        "break-kind": "break", "break-title": "Lunch", "break-day": day,
        "break-time": "12:00", "break-minutes": "60",
    }, **HTMX)  # fmt: skip
    assert response.status_code == 200
    assert ProgramSlot.objects.get(kind=SlotKind.BREAK).title == "Lunch"


def test_a_keynote_needs_a_known_member(chair_client, edition):
    response = chair_client.post(url("program_keynote", edition.pk), {
        "keynote-title": "Vision", "keynote-speaker": "nobody@example.com",
        "keynote-day": edition.starts_on.isoformat(), "keynote-time": "09:00",
    })  # fmt: skip
    assert response.status_code == 200
    assert "speaker" in response.context["keynote_form"].errors
    assert not ProgramSlot.objects.exists()


def test_the_slot_editor_moves_a_slot(chair_client, edition, chair):
    slot = place(edition, chair, accepted(edition, title="Serving LLMs"))
    editor = chair_client.get(url("program_slot", slot.pk), **HTMX)
    assert editor.status_code == 200
    assert "<html" not in editor.text
    assert 'value="10:00"' in editor.text
    page = chair_client.get(url("program_slot", slot.pk))
    assert "<html" in page.text
    response = chair_client.post(url("program_slot", slot.pk), {
        "move-room": room(edition, "Room B").pk, "move-day": edition.ends_on.isoformat(),
        "move-time": "14:30", "move-minutes": "30",
    }, **HTMX)  # fmt: skip
    assert response.status_code == 200
    assert "“Serving LLMs” is moved." in response.text
    slot.refresh_from_db()
    assert (slot.starts_at, slot.room.name, slot.sequence) == (
        at(edition, "14:30", day=1),
        "Room B",
        1,
    )


def test_a_refused_move_keeps_the_editor_open(chair_client, edition, chair):
    place(edition, chair, accepted(edition, title="Occupant"), clock="14:00")
    slot = place(edition, chair, accepted(edition))
    response = chair_client.post(url("program_slot", slot.pk), {
        "move-room": room(edition).pk, "move-day": edition.starts_on.isoformat(),
        "move-time": "14:10", "move-minutes": "30",
    }, **HTMX)  # fmt: skip
    assert "Occupant" in response.text
    assert 'id="slot-editor-title"' in response.text
    slot.refresh_from_db()
    assert slot.sequence == 0


def test_only_chairs_edit_and_remove_slots(client, edition, chair, committee_member):
    slot = place(edition, chair, accepted(edition))
    client.force_login(committee_member)
    assert client.get(url("program_slot", slot.pk)).status_code == 403
    assert client.post(url("program_slot_remove", slot.pk)).status_code == 403
    assert ProgramSlot.objects.filter(pk=slot.pk).exists()


def test_removing_a_slot(chair_client, edition, chair):
    slot = place(edition, chair, accepted(edition, title="Gone soon"))
    response = chair_client.post(url("program_slot_remove", slot.pk), **HTMX)
    assert "“Gone soon” is out of the program." in response.text
    assert not ProgramSlot.objects.exists()


# --- Publishing -----------------------------------------------------------------------------


def test_publishing_from_the_builder(chair_client, edition, chair):
    place(edition, chair, accepted(edition, track_name="Research"))
    place(edition, chair, accepted(edition, track_name="Research"), room_name="Room B")
    response = chair_client.post(url("program_publish", edition.pk), follow=True)
    edition.refresh_from_db()
    assert edition.program_published_at is not None
    text = response.text
    assert "The program is published" in text
    assert "Published with 1 warning(s)" in text
    response = chair_client.post(url("program_unpublish", edition.pk), follow=True)
    edition.refresh_from_db()
    assert edition.program_published_at is None
    assert "hidden again" in response.text


def test_a_room_clash_blocks_publishing_with_a_message(chair_client, edition, chair):
    place(edition, chair, accepted(edition))
    raw_slot(edition, clock="10:10", title="Stray")
    response = chair_client.post(url("program_publish", edition.pk), follow=True)
    assert "cannot be published" in response.text
    edition.refresh_from_db()
    assert edition.program_published_at is None


# --- The published program and my agenda ----------------------------------------------------


def test_members_wait_for_the_publication(member_client, edition, chair):
    place(edition, chair, accepted(edition, title="Secret talk"))
    response = member_client.get(url("program", edition.pk))
    assert response.status_code == 200
    assert "The program is not published yet" in response.text
    assert "Secret talk" not in response.text


def test_the_committee_sees_a_preview(client, edition, chair, committee_member):
    place(edition, chair, accepted(edition, title="Preview talk"))
    client.force_login(committee_member)
    response = client.get(url("program", edition.pk))
    assert "Preview talk" in response.text
    assert "only the program committee sees this preview" in response.text
    assert "Add to my agenda" not in response.text


def test_the_published_program_by_day_with_tracks(member_client, edition, chair):
    speaker = UserFactory(display_name="Ada Lovelace")
    place(edition, chair, accepted(edition, title="Graphs", created_by=speaker,
                                   track_name="Research"))  # fmt: skip
    place(edition, chair, accepted(edition, title="Pipelines", track_name="Engineering"),
          room_name="Room B", day=1)  # fmt: skip
    add_slot(edition=edition, kind="break", title="Lunch", starts_at=at(edition, "12:00"),
             actor=chair)  # fmt: skip
    publish_program(edition=edition, actor=chair)
    response = member_client.get(url("program", edition.pk))
    text = response.text
    assert "Graphs" in text
    assert "Pipelines" in text
    assert "Ada Lovelace" in text
    assert text.count('class="section program-day"') == 2
    assert "Add to my agenda" in text
    assert "Europe/Berlin" in text
    research = edition.tracks.get(name="Research")
    filtered = member_client.get(url("program", edition.pk), {"track": research.pk}).text
    assert "Graphs" in filtered
    assert "Pipelines" not in filtered
    assert "Lunch" in filtered


def test_times_are_in_the_viewers_zone_with_the_editions_noted(client, edition, chair):
    place(edition, chair, accepted(edition, title="Graphs"), clock="10:00")
    publish_program(edition=edition, actor=chair)
    client.force_login(UserFactory(time_zone="America/New_York"))
    text = client.get(url("program", edition.pk)).text
    assert "Times in your time zone (America/New York)" in text
    assert "04:00–04:30" in text or "05:00–05:30" in text  # EDT or EST
    assert "10:00–10:30 in Europe/Berlin" in text


def test_the_agenda_button_swaps_itself(member_client, member, edition, chair):
    slot = place(edition, chair, accepted(edition, title="Graphs"))
    publish_program(edition=edition, actor=chair)
    toggle = url("agenda_toggle", slot.pk)
    response = member_client.post(toggle, {"action": "add"}, **HTMX)
    assert "On my agenda" in response.text
    assert "<html" not in response.text
    assert AgendaItem.objects.filter(person=member, slot=slot).exists()
    response = member_client.post(toggle, {"action": "remove", "next": "agenda"})
    assert response.status_code == 302
    assert response.url.startswith(url("my_agenda", edition.pk))
    assert not AgendaItem.objects.exists()


def test_the_agenda_button_refuses_breaks_in_place(member_client, edition, chair):
    lunch = add_slot(edition=edition, kind="break", starts_at=at(edition, "12:00"), actor=chair)
    publish_program(edition=edition, actor=chair)
    response = member_client.post(url("agenda_toggle", lunch.pk), {"action": "add"}, **HTMX)
    assert "Breaks are for everyone" in response.text


def test_my_agenda_page_notes_clashes(member_client, member, edition, chair):
    one = place(edition, chair, accepted(edition, title="Graphs"))
    two = place(edition, chair, accepted(edition, title="Pipelines"), room_name="Room B")
    publish_program(edition=edition, actor=chair)
    empty = member_client.get(url("my_agenda", edition.pk))
    assert "Your agenda is empty" in empty.text
    add_to_agenda(slot=one, person=member)
    add_to_agenda(slot=two, person=member)
    text = member_client.get(url("my_agenda", edition.pk)).text
    assert "Overlaps with Pipelines on your agenda." in text
    assert "Overlaps with Graphs on your agenda." in text
    assert "overlap" in text.lower()


def test_my_agenda_before_publication(member_client, edition):
    response = member_client.get(url("my_agenda", edition.pk))
    assert "The program is not published yet" in response.text


# --- Calendar files -------------------------------------------------------------------------


def test_a_sessions_calendar_file(member_client, member, edition, chair):
    slot = place(edition, chair, accepted(edition, title="Graphs"))
    calendar_url = url("program_slot_calendar", slot.pk)
    assert member_client.get(calendar_url).status_code == 404  # not published yet
    publish_program(edition=edition, actor=chair)
    response = member_client.get(calendar_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    [vevent] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(vevent["summary"]) == "Graphs"
    add_to_agenda(slot=slot, person=member)
    agenda = member_client.get(url("my_agenda_calendar", edition.pk))
    calendar = icalendar.Calendar.from_ical(agenda.content)
    assert len(calendar.walk("VEVENT")) == 1
    assert "My agenda" in str(calendar["x-wr-calname"])
