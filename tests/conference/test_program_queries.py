"""Reads of the program: each warning, the day grid, unscheduled proposals, agendas with their
clashes, and attendee counts."""

import pytest

from practica.conference.models import AgendaItem, ProposalState
from practica.conference.queries.program import (
    agenda_of,
    attendee_counts,
    edition_days,
    expected_audience,
    program_by_day,
    program_grid,
    program_slots,
    program_warnings,
    unscheduled_proposals,
)
from practica.conference.services.program import add_slot, add_to_agenda, publish_program
from tests.conference.program_helpers import accepted, at, invite, place, raw_slot, room
from tests.factories.conference import RoomFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db


def codes(edition):
    return [warning.code for warning in program_warnings(edition)]


# --- A speaker in two places at once --------------------------------------------------------


def test_a_speaker_in_two_rooms_at_once(edition, chair):
    busy = UserFactory(display_name="Grace Hopper")
    first = place(edition, chair, accepted(edition, created_by=busy), clock="10:00")
    second = place(edition, chair, accepted(edition, speakers=[busy]), clock="10:15",
                   room_name="Room B")  # fmt: skip
    [warning] = program_warnings(edition)
    assert warning.code == "speaker_clash"
    assert warning.severity == "warning"
    assert "Grace Hopper" in warning.message
    assert set(warning.slot_ids) == {first.pk, second.pk}


def test_back_to_back_talks_by_one_speaker_are_fine(edition, chair):
    busy = UserFactory()
    place(edition, chair, accepted(edition, created_by=busy), clock="10:00")
    place(edition, chair, accepted(edition, created_by=busy), clock="10:30", room_name="Room B")
    assert codes(edition) == []


def test_an_invited_co_speaker_who_has_not_accepted_does_not_count(edition, chair):
    maybe = UserFactory()
    place(edition, chair, accepted(edition, created_by=maybe), clock="10:00")
    other = accepted(edition)
    invite(other, maybe)
    place(edition, chair, other, clock="10:00", room_name="Room B")
    assert codes(edition) == []


def test_a_keynote_speaker_giving_a_talk_at_the_same_time(edition, chair):
    executive = UserFactory()
    add_slot(edition=edition, kind="keynote", title="Vision", speaker=executive,
             room=room(edition), starts_at=at(edition, "09:00"), actor=chair)  # fmt: skip
    place(edition, chair, accepted(edition, speakers=[executive]), clock="09:30",
          room_name="Room B")  # fmt: skip
    assert codes(edition) == ["speaker_clash"]


# --- A room smaller than the expected audience ----------------------------------------------


def test_a_room_smaller_than_the_expected_audience(edition, chair):
    place(edition, chair, accepted(edition, expected_audience=100), room_name="Room B")
    [warning] = program_warnings(edition)
    assert warning.code == "room_too_small"
    assert "100" in warning.message
    assert "60" in warning.message


def test_a_big_enough_room_or_unknown_audience_is_fine(edition, chair):
    place(edition, chair, accepted(edition, expected_audience=60), room_name="Room B")
    place(edition, chair, accepted(edition), room_name="Room B", clock="11:00")
    assert codes(edition) == []


def test_agenda_counts_raise_the_expected_audience_once_published(edition, chair):
    closet = RoomFactory(edition=edition, name="Closet", capacity=2, position=3)
    slot = place(edition, chair, accepted(edition, expected_audience=1), room_name=closet.name)
    publish_program(edition=edition, actor=chair)
    assert codes(edition) == []
    for _ in range(3):
        add_to_agenda(slot=slot, person=UserFactory())
    # The larger of the estimate (1) and the agendas (3) wins.
    loaded = program_slots(edition).get(pk=slot.pk)
    assert expected_audience(loaded) == 3
    assert codes(edition) == ["room_too_small"]


def test_rooms_without_seats_or_slots_without_rooms_never_warn(edition, chair):
    RoomFactory(edition=edition, name="Garden", capacity=None, position=4)
    place(edition, chair, accepted(edition, expected_audience=5000), room_name="Garden")
    add_slot(edition=edition, kind="plenary", starts_at=at(edition, "17:00"), actor=chair)
    assert codes(edition) == []


# --- A track clashing with itself -----------------------------------------------------------


def test_two_sessions_of_one_track_at_once(edition, chair):
    place(edition, chair, accepted(edition, track_name="Research"), clock="10:00")
    place(edition, chair, accepted(edition, track_name="Research"), clock="10:20",
          room_name="Room B")  # fmt: skip
    [warning] = program_warnings(edition)
    assert warning.code == "track_clash"
    assert "Research" in warning.message


def test_different_tracks_or_no_track_do_not_clash(edition, chair):
    place(edition, chair, accepted(edition, track_name="Research"), clock="10:00")
    place(edition, chair, accepted(edition, track_name="Engineering"), room_name="Room B")
    place(edition, chair, accepted(edition), clock="11:00")
    place(edition, chair, accepted(edition), clock="11:00", room_name="Room B")
    assert codes(edition) == []


# --- Two slots in one room ------------------------------------------------------------------


def test_two_slots_in_one_room_is_an_error(edition, chair):
    place(edition, chair, accepted(edition), clock="10:00")
    raw_slot(edition, clock="10:10", title="Stray")
    raw_slot(edition, clock="10:05", room_name=None, title="Everywhere")
    warnings = program_warnings(edition)
    assert {warning.code for warning in warnings} == {"room_clash"}
    assert len(warnings) == 3
    assert all(warning.is_error for warning in warnings)


# --- The grid -------------------------------------------------------------------------------


def test_the_grid_has_every_day_rooms_as_columns_and_spans(edition, chair):
    talk = place(edition, chair, accepted(edition), clock="10:00")
    tutorial = place(edition, chair, accepted(edition, format_name="Tutorial"), clock="10:00",
                     room_name="Room B")  # fmt: skip
    lunch = add_slot(edition=edition, kind="break", title="Lunch",
                     starts_at=at(edition, "11:30"), actor=chair)  # fmt: skip
    days = program_grid(edition)
    assert [day.day for day in days] == edition_days(edition)
    first, second = days
    assert [r.name for r in first.rooms] == ["Main hall", "Room B"]
    assert second.rows == []
    # Boundaries 10:00, 10:30, 11:30, 12:00 make three rows.
    assert [row.edition_time for row in first.rows] == ["10:00", "10:30", "11:30"]
    top = first.rows[0].cells
    assert (top[0].slot, top[0].rowspan) == (talk, 1)
    assert (top[1].slot, top[1].rowspan) == (tutorial, 2)
    # Under the talk the main hall is empty; the tutorial's cell covers Room B.
    assert first.rows[1].cells[0].slot is None
    assert first.rows[1].cells[0].room.name == "Main hall"
    assert first.rows[1].cells[1] is None
    lunch_cell = first.rows[2].cells[0]
    assert (lunch_cell.slot, lunch_cell.colspan, lunch_cell.title) == (lunch, 2, "Lunch")
    assert first.rows[2].cells[1] is None


def test_broken_overlaps_show_inside_the_occupying_cell(edition, chair):
    talk = place(edition, chair, accepted(edition), clock="10:00")
    stray = raw_slot(edition, clock="10:10", title="Stray")
    [day, _] = program_grid(edition)
    cell = next(c for row in day.rows for c in row.cells if c and c.slot == talk)
    assert [extra.slot for extra in cell.extras] == [stray]


# --- Unscheduled, agendas, counts -----------------------------------------------------------


def test_unscheduled_lists_accepted_and_confirmed_without_a_slot(edition, chair):
    waiting = accepted(edition, title="B waiting")
    confirmed = accepted(edition, title="A confirmed", state=ProposalState.CONFIRMED)
    accepted(edition, state=ProposalState.SUBMITTED)
    accepted(edition, state=ProposalState.REJECTED)
    place(edition, chair, accepted(edition))
    assert list(unscheduled_proposals(edition)) == [confirmed, waiting]


def test_my_agenda_notes_overlapping_choices(edition, chair):
    member = UserFactory()
    morning = place(edition, chair, accepted(edition), clock="10:00")
    rival = place(edition, chair, accepted(edition), clock="10:15", room_name="Room B")
    later = place(edition, chair, accepted(edition), clock="14:00")
    publish_program(edition=edition, actor=chair)
    for slot in (later, rival, morning):
        add_to_agenda(slot=slot, person=member)
    add_to_agenda(slot=later, person=UserFactory())
    entries = agenda_of(edition, member)
    assert [entry.slot for entry in entries] == [morning, rival, later]
    assert [list(entry.clashes_with) for entry in entries] == [[rival], [morning], []]
    assert attendee_counts(edition) == {morning.pk: 1, rival.pk: 1, later.pk: 2}
    assert AgendaItem.objects.count() == 4


def test_the_program_by_day_marks_my_agenda_and_filters_by_track(edition, chair):
    member = UserFactory()
    research = place(edition, chair, accepted(edition, track_name="Research"), clock="10:00")
    place(edition, chair, accepted(edition, track_name="Engineering"), room_name="Room B")
    keynote = add_slot(edition=edition, kind="keynote", title="Vision", speaker=UserFactory(),
                       starts_at=at(edition, "09:00", day=1), actor=chair)  # fmt: skip
    publish_program(edition=edition, actor=chair)
    add_to_agenda(slot=research, person=member)
    days = program_by_day(edition, person=member)
    assert [len(day.entries) for day in days] == [2, 1]
    assert [entry.in_agenda for entry in days[0].entries] == [True, False]
    only = program_by_day(edition, person=member, track_id=research.track_id)
    assert [[entry.slot for entry in day.entries] for day in only] == [[research], [keynote]]
    assert only[0].entries[0].time_zone == "Europe/Berlin"
