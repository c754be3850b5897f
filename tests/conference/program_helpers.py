"""Small helpers shared by the program tests (test_program_*.py): moments on the edition's
wall clock, the fixture edition's rooms, formats and tracks by name, accepted proposals and
placing them through the service."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from practica.conference.models import ProgramSlot, ProposalSpeaker, ProposalState, SpeakerStatus
from practica.conference.services.program import add_slot
from tests.factories.conference import ProposalFactory


def at(edition, clock: str, day: int = 0) -> datetime:
    """`clock` (HH:MM) on the edition's `day` (0 = first), in the edition's zone."""
    return datetime.combine(
        edition.starts_on + timedelta(days=day),
        time.fromisoformat(clock),
        tzinfo=ZoneInfo(edition.time_zone),
    )


def room(edition, name="Main hall"):
    return edition.rooms.get(name=name)


def session_format(edition, name="Talk"):
    return edition.formats.get(name=name)


def track(edition, name):
    return edition.tracks.get(name=name)


def accepted(edition, *, format_name="Talk", track_name=None, state=ProposalState.ACCEPTED, **kw):
    """An accepted proposal of the fixture edition (its submitter is an accepted speaker)."""
    return ProposalFactory(
        edition=edition,
        format=session_format(edition, format_name),
        track=track(edition, track_name) if track_name else None,
        state=state,
        **kw,
    )


def invite(proposal, person):
    """A co-speaker invited but who has not accepted yet."""
    return ProposalSpeaker.objects.create(
        proposal=proposal, person=person, email=person.email, status=SpeakerStatus.INVITED
    )


def place(edition, chair, proposal, *, room_name="Main hall", clock="10:00", day=0, **kw):
    return add_slot(
        edition=edition,
        kind="session",
        proposal=proposal,
        room=room(edition, room_name),
        starts_at=at(edition, clock, day),
        actor=chair,
        **kw,
    )


def raw_slot(edition, *, clock="10:00", minutes=30, day=0, room_name="Main hall", **kw):
    """A slot written straight to the table, past the service's checks (as broken data)."""
    starts_at = at(edition, clock, day)
    return ProgramSlot.objects.create(
        edition=edition,
        kind=kw.pop("kind", "break"),
        room=room(edition, room_name) if room_name else None,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        **kw,
    )
