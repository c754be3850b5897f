"""The program's services: placing, moving and removing slots, publishing (with its activity
rows), and personal agendas — with bad input and permissions."""

from datetime import UTC, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from practica.conference.models import AgendaItem, ProgramSlot, ProposalState, SlotKind
from practica.conference.services.program import (
    ProgramConflict,
    add_slot,
    add_to_agenda,
    move_slot,
    publish_program,
    remove_from_agenda,
    remove_slot,
    unpublish_program,
)
from practica.core.models import Activity, ActivityKind, AuditLogEntry
from tests.conference.program_helpers import accepted, at, invite, place, raw_slot, room
from tests.factories.conference import CommitteeMemberFactory, EditionFactory, RoomFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db


# --- Placing sessions -----------------------------------------------------------------------


def test_a_session_takes_its_formats_length_and_track(edition, chair):
    proposal = accepted(edition, format_name="Tutorial", track_name="Research")
    slot = place(edition, chair, proposal, clock="09:00")
    assert slot.kind == SlotKind.SESSION
    assert slot.ends_at - slot.starts_at == timedelta(minutes=90)
    assert slot.track.name == "Research"
    assert slot.sequence == 0
    assert slot.title == ""
    assert AuditLogEntry.objects.filter(action="conference.slot_added", target_id=slot.pk).exists()


def test_minutes_override_the_formats_length(edition, chair):
    slot = place(edition, chair, accepted(edition), minutes=45)
    assert slot.ends_at - slot.starts_at == timedelta(minutes=45)


def test_a_confirmed_proposal_can_be_placed(edition, chair):
    slot = place(edition, chair, accepted(edition, state=ProposalState.CONFIRMED))
    assert slot.pk


@pytest.mark.parametrize(
    "state", [ProposalState.SUBMITTED, ProposalState.REJECTED, ProposalState.WITHDRAWN,
              ProposalState.WAITLISTED, ProposalState.DRAFT],
)  # fmt: skip
def test_only_accepted_or_confirmed_proposals_are_placed(edition, chair, state):
    proposal = accepted(edition, state=state)
    with pytest.raises(ValidationError) as refused:
        place(edition, chair, proposal)
    assert "proposal" in refused.value.message_dict
    assert "accepted or confirmed" in refused.value.message_dict["proposal"][0]
    assert not ProgramSlot.objects.exists()


def test_a_proposal_of_another_edition_is_refused(edition, chair):
    other = EditionFactory(community=edition.community)
    proposal = accepted(edition)
    proposal.edition = other
    proposal.save()
    with pytest.raises(ValidationError) as refused:
        place(edition, chair, proposal)
    assert "another edition" in refused.value.message_dict["proposal"][0]


@pytest.mark.parametrize("day", [-1, 2, 30])
def test_a_slot_outside_the_editions_days_is_refused(edition, chair, day):
    with pytest.raises(ValidationError) as refused:
        place(edition, chair, accepted(edition), day=day)
    message = refused.value.message_dict["starts_at"][0]
    assert edition.starts_on.isoformat() in message
    assert edition.ends_on.isoformat() in message
    assert not ProgramSlot.objects.exists()


def test_the_days_are_the_editions_zone_not_utc(edition, chair):
    # 00:30 on the first day in Berlin is still the day before in UTC: it is allowed.
    slot = place(edition, chair, accepted(edition), clock="00:30")
    assert slot.starts_at.astimezone(UTC).date() == edition.starts_on - timedelta(days=1)


def test_a_slot_must_end_by_midnight(edition, chair):
    with pytest.raises(ValidationError) as refused:
        place(edition, chair, accepted(edition, format_name="Tutorial"), clock="23:00", day=1)
    assert "midnight" in refused.value.message_dict["minutes"][0]


def test_a_naive_start_is_refused(edition, chair):
    with pytest.raises(ValidationError) as refused:
        add_slot(
            edition=edition,
            kind="session",
            proposal=accepted(edition),
            room=room(edition),
            starts_at=at(edition, "10:00").replace(tzinfo=None),
            actor=chair,
        )
    assert "starts_at" in refused.value.message_dict


@pytest.mark.parametrize("minutes", [0, 4, 481])
def test_lengths_out_of_bounds_are_refused(edition, chair, minutes):
    with pytest.raises(ValidationError) as refused:
        place(edition, chair, accepted(edition), minutes=minutes)
    assert "minutes" in refused.value.message_dict


def test_a_session_needs_a_room(edition, chair):
    with pytest.raises(ValidationError) as refused:
        add_slot(
            edition=edition,
            kind="session",
            proposal=accepted(edition),
            starts_at=at(edition, "10:00"),
            actor=chair,
        )
    assert "room" in refused.value.message_dict


def test_a_session_needs_a_proposal(edition, chair):
    with pytest.raises(ValidationError) as refused:
        add_slot(
            edition=edition,
            kind="session",
            room=room(edition),
            starts_at=at(edition, "10:00"),
            actor=chair,
        )
    assert "proposal" in refused.value.message_dict


def test_a_room_of_another_edition_is_refused(edition, chair):
    elsewhere = RoomFactory(edition=EditionFactory(community=edition.community))
    with pytest.raises(ValidationError) as refused:
        add_slot(
            edition=edition,
            kind="session",
            proposal=accepted(edition),
            room=elsewhere,
            starts_at=at(edition, "10:00"),
            actor=chair,
        )
    assert "room" in refused.value.message_dict


def test_an_unknown_kind_is_refused(edition, chair):
    with pytest.raises(ValidationError) as refused:
        add_slot(edition=edition, kind="party", starts_at=at(edition, "10:00"), actor=chair)
    assert "kind" in refused.value.message_dict


# --- Double booking -------------------------------------------------------------------------


def test_a_double_booked_room_is_refused_with_what_is_there(edition, chair):
    place(edition, chair, accepted(edition, title="Serving LLMs"), clock="10:00")
    with pytest.raises(ProgramConflict) as refused:
        place(edition, chair, accepted(edition), clock="10:15")
    assert refused.value.code == "room_taken"
    assert "Serving LLMs" in refused.value.messages[0]
    assert ProgramSlot.objects.count() == 1


def test_back_to_back_and_other_rooms_are_fine(edition, chair):
    place(edition, chair, accepted(edition), clock="10:00")
    place(edition, chair, accepted(edition), clock="10:30")
    place(edition, chair, accepted(edition), clock="10:00", room_name="Room B")
    assert ProgramSlot.objects.count() == 3


def test_a_break_for_every_room_takes_every_room(edition, chair):
    add_slot(edition=edition, kind="break", title="Lunch", starts_at=at(edition, "12:00"),
             minutes=60, actor=chair)  # fmt: skip
    with pytest.raises(ProgramConflict) as refused:
        place(edition, chair, accepted(edition), clock="12:30", room_name="Room B")
    assert "Lunch" in refused.value.messages[0]
    place(edition, chair, accepted(edition), clock="13:00", room_name="Room B")
    with pytest.raises(ProgramConflict):
        add_slot(edition=edition, kind="plenary", starts_at=at(edition, "13:15"), actor=chair)


def test_a_proposal_gets_one_slot(edition, chair):
    proposal = accepted(edition)
    place(edition, chair, proposal, clock="10:00")
    with pytest.raises(ProgramConflict) as refused:
        place(edition, chair, proposal, clock="14:00", room_name="Room B")
    assert refused.value.code == "already_scheduled"


# --- Keynotes, breaks and plenaries ---------------------------------------------------------


def test_a_keynote_with_a_title_and_a_member(edition, chair):
    speaker = UserFactory()
    slot = add_slot(edition=edition, kind="keynote", title="The next ten years",
                    speaker=speaker, starts_at=at(edition, "09:00"), actor=chair)  # fmt: skip
    assert slot.room is None
    assert slot.speaker == speaker
    # The edition's keynote format is 45 minutes.
    assert slot.ends_at - slot.starts_at == timedelta(minutes=45)


@pytest.mark.parametrize(("title", "with_speaker", "field"), [
    ("", True, "title"), ("Vision", False, "speaker"),
])  # fmt: skip
def test_a_keynote_without_proposal_needs_title_and_speaker(
    edition, chair, title, with_speaker, field
):
    with pytest.raises(ValidationError) as refused:
        add_slot(edition=edition, kind="keynote", title=title,
                 speaker=UserFactory() if with_speaker else None,
                 starts_at=at(edition, "09:00"), actor=chair)  # fmt: skip
    assert field in refused.value.message_dict


def test_a_keynote_format_proposal_is_always_a_keynote(edition, chair):
    proposal = accepted(edition, format_name="Keynote")
    slot = add_slot(edition=edition, kind="session", proposal=proposal,
                    starts_at=at(edition, "09:00"), actor=chair)  # fmt: skip
    assert slot.kind == SlotKind.KEYNOTE
    assert slot.room is None


def test_a_talk_cannot_be_a_keynote(edition, chair):
    with pytest.raises(ValidationError) as refused:
        add_slot(edition=edition, kind="keynote", proposal=accepted(edition),
                 starts_at=at(edition, "09:00"), actor=chair)  # fmt: skip
    assert "keynote format" in refused.value.message_dict["proposal"][0]


def test_a_break_lasts_thirty_minutes_by_default_and_has_no_speaker(edition, chair):
    slot = add_slot(edition=edition, kind="break", starts_at=at(edition, "15:00"), actor=chair)
    assert slot.ends_at - slot.starts_at == timedelta(minutes=30)
    with pytest.raises(ValidationError) as refused:
        add_slot(edition=edition, kind="break", speaker=UserFactory(),
                 starts_at=at(edition, "16:00"), actor=chair)  # fmt: skip
    assert "speaker" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        add_slot(edition=edition, kind="plenary", proposal=accepted(edition),
                 starts_at=at(edition, "17:00"), actor=chair)  # fmt: skip
    assert "proposal" in refused.value.message_dict


# --- Permissions ----------------------------------------------------------------------------


def test_only_chairs_change_the_program(edition, chair, committee_member):
    proposal = accepted(edition)
    for outsider in (committee_member, UserFactory(), AnonymousUser()):
        with pytest.raises(PermissionDenied):
            place(edition, outsider, proposal)
    slot = place(edition, chair, proposal)
    with pytest.raises(PermissionDenied):
        move_slot(slot=slot, actor=committee_member, starts_at=at(edition, "11:00"))
    with pytest.raises(PermissionDenied):
        remove_slot(slot=slot, actor=committee_member)
    with pytest.raises(PermissionDenied):
        publish_program(edition=edition, actor=committee_member)
    with pytest.raises(PermissionDenied):
        unpublish_program(edition=edition, actor=committee_member)


def test_a_committee_chair_seat_is_enough(edition):
    seated = CommitteeMemberFactory(edition=edition, is_chair=True).person
    assert place(edition, seated, accepted(edition)).pk


# --- Moving and removing --------------------------------------------------------------------


def test_each_move_raises_the_sequence(edition, chair):
    slot = place(edition, chair, accepted(edition))
    slot = move_slot(slot=slot, actor=chair, starts_at=at(edition, "11:00"))
    assert slot.sequence == 1
    assert slot.ends_at - slot.starts_at == timedelta(minutes=30)
    slot = move_slot(slot=slot, actor=chair, room=room(edition, "Room B"))
    assert slot.sequence == 2
    assert slot.room.name == "Room B"
    slot = move_slot(slot=slot, actor=chair, minutes=40)
    assert (slot.sequence, slot.ends_at - slot.starts_at) == (3, timedelta(minutes=40))
    assert AuditLogEntry.objects.filter(action="conference.slot_moved").count() == 3


def test_moving_to_where_it_is_changes_nothing(edition, chair):
    slot = place(edition, chair, accepted(edition))
    same = move_slot(slot=slot, actor=chair, starts_at=slot.starts_at, room=slot.room)
    assert same.sequence == 0


def test_a_move_into_a_taken_room_is_refused_and_changes_nothing(edition, chair):
    place(edition, chair, accepted(edition), clock="11:00")
    slot = place(edition, chair, accepted(edition), clock="10:00")
    with pytest.raises(ProgramConflict):
        move_slot(slot=slot, actor=chair, starts_at=at(edition, "11:10"))
    slot.refresh_from_db()
    assert (slot.starts_at, slot.sequence) == (at(edition, "10:00"), 0)


def test_a_slot_can_grow_into_its_own_time(edition, chair):
    slot = place(edition, chair, accepted(edition), clock="10:00")
    assert move_slot(slot=slot, actor=chair, starts_at=at(edition, "10:10")).sequence == 1


def test_a_move_outside_the_days_is_refused(edition, chair):
    slot = place(edition, chair, accepted(edition))
    with pytest.raises(ValidationError):
        move_slot(slot=slot, actor=chair, starts_at=at(edition, "10:00", day=5))


def test_a_session_keeps_a_room(edition, chair):
    slot = place(edition, chair, accepted(edition))
    with pytest.raises(ValidationError) as refused:
        move_slot(slot=slot, actor=chair, room=None)
    assert "room" in refused.value.message_dict


def test_a_break_can_be_moved_to_every_room(edition, chair):
    slot = add_slot(edition=edition, kind="break", room=room(edition),
                    starts_at=at(edition, "15:00"), actor=chair)  # fmt: skip
    assert move_slot(slot=slot, actor=chair, room=None).room is None


def test_removing_a_slot_frees_the_proposal_and_clears_agendas(edition, chair):
    proposal = accepted(edition)
    slot = place(edition, chair, proposal)
    publish_program(edition=edition, actor=chair)
    add_to_agenda(slot=slot, person=UserFactory())
    remove_slot(slot=slot, actor=chair)
    assert not ProgramSlot.objects.exists()
    assert not AgendaItem.objects.exists()
    assert AuditLogEntry.objects.filter(action="conference.slot_removed").exists()
    assert place(edition, chair, proposal, clock="14:00").pk


# --- Publishing -----------------------------------------------------------------------------


def _activity(kind):
    return list(Activity.objects.filter(kind=kind).values_list("person_id", "subject_id"))


def test_publishing_records_presented_and_keynoted_once(edition, chair):
    co_speaker, invited, keynoter = UserFactory(), UserFactory(), UserFactory()
    proposal = accepted(edition, speakers=[co_speaker])
    invite(proposal, invited)
    session = place(edition, chair, proposal)
    keynote = add_slot(edition=edition, kind="keynote", title="Opening keynote",
                       speaker=keynoter, starts_at=at(edition, "09:00"), actor=chair)  # fmt: skip
    add_slot(edition=edition, kind="break", starts_at=at(edition, "12:00"), actor=chair)

    result = publish_program(edition=edition, actor=chair)

    edition.refresh_from_db()
    assert edition.program_published_at == result.published_at
    assert (result.presented, result.keynoted) == (2, 1)
    assert sorted(_activity(ActivityKind.PRESENTED)) == sorted(
        [(proposal.created_by_id, session.pk), (co_speaker.pk, session.pk)]
    )
    assert _activity(ActivityKind.KEYNOTED) == [(keynoter.pk, keynote.pk)]
    row = Activity.objects.get(kind=ActivityKind.KEYNOTED)
    assert row.community_id == edition.community_id
    assert row.occurred_at == keynote.starts_at

    again = publish_program(edition=edition, actor=chair)
    assert (again.presented, again.keynoted) == (0, 0)
    assert again.published_at == result.published_at
    assert Activity.objects.filter(kind__in=["presented", "keynoted"]).count() == 3


def test_publishing_again_records_only_whats_new(edition, chair):
    place(edition, chair, accepted(edition))
    publish_program(edition=edition, actor=chair)
    newcomer = accepted(edition)
    place(edition, chair, newcomer, clock="11:00")
    result = publish_program(edition=edition, actor=chair)
    assert result.presented == 1
    assert _activity(ActivityKind.PRESENTED)[0][0] == newcomer.created_by_id


def test_a_session_placed_again_is_not_counted_twice(edition, chair):
    proposal = accepted(edition)
    place(edition, chair, proposal)
    publish_program(edition=edition, actor=chair)
    remove_slot(slot=proposal.program_slot, actor=chair)
    place(edition, chair, proposal, clock="15:00")
    assert publish_program(edition=edition, actor=chair).presented == 0
    assert Activity.objects.filter(kind=ActivityKind.PRESENTED).count() == 1


def test_publishing_over_warnings_is_allowed_and_shows_them(edition, chair):
    place(edition, chair, accepted(edition, track_name="Research"))
    place(edition, chair, accepted(edition, track_name="Research"), room_name="Room B")
    result = publish_program(edition=edition, actor=chair)
    assert [warning.code for warning in result.warnings] == ["track_clash"]


def test_publishing_a_room_clash_is_refused(edition, chair):
    place(edition, chair, accepted(edition))
    raw_slot(edition, clock="10:10", title="Stray")
    with pytest.raises(ProgramConflict) as refused:
        publish_program(edition=edition, actor=chair)
    assert refused.value.code == "program_errors"
    assert "Stray" in " ".join(refused.value.messages)
    edition.refresh_from_db()
    assert edition.program_published_at is None
    assert not Activity.objects.filter(kind=ActivityKind.PRESENTED).exists()


def test_an_empty_program_is_not_published(edition, chair):
    with pytest.raises(ValidationError):
        publish_program(edition=edition, actor=chair)
    edition.refresh_from_db()
    assert edition.program_published_at is None


def test_unpublishing_hides_the_program_and_keeps_the_ledger(edition, chair):
    place(edition, chair, accepted(edition))
    publish_program(edition=edition, actor=chair)
    unpublish_program(edition=edition, actor=chair)
    edition.refresh_from_db()
    assert edition.program_published_at is None
    assert Activity.objects.filter(kind=ActivityKind.PRESENTED).count() == 1
    unpublish_program(edition=edition, actor=chair)
    assert AuditLogEntry.objects.filter(action="conference.program_unpublished").count() == 1


# --- Agendas --------------------------------------------------------------------------------


def test_agendas_open_with_the_published_program(edition, chair):
    member = UserFactory()
    slot = place(edition, chair, accepted(edition))
    with pytest.raises(PermissionDenied):
        add_to_agenda(slot=slot, person=member)
    with pytest.raises(ValidationError):
        # The committee sees the preview, but agendas wait for the publication.
        add_to_agenda(slot=slot, person=chair)
    publish_program(edition=edition, actor=chair)
    assert add_to_agenda(slot=slot, person=member).created
    assert not add_to_agenda(slot=slot, person=member).created
    assert AgendaItem.objects.filter(person=member).count() == 1
    assert remove_from_agenda(slot=slot, person=member)
    assert not remove_from_agenda(slot=slot, person=member)


def test_breaks_do_not_go_on_agendas(edition, chair):
    lunch = add_slot(edition=edition, kind="break", starts_at=at(edition, "12:00"), actor=chair)
    publish_program(edition=edition, actor=chair)
    with pytest.raises(ValidationError):
        add_to_agenda(slot=lunch, person=UserFactory())


def test_anonymous_visitors_keep_no_agenda(edition, chair):
    slot = place(edition, chair, accepted(edition))
    publish_program(edition=edition, actor=chair)
    with pytest.raises(PermissionDenied):
        add_to_agenda(slot=slot, person=AnonymousUser())
    with pytest.raises(PermissionDenied):
        remove_from_agenda(slot=slot, person=AnonymousUser())
