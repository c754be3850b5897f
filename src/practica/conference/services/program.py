"""Writes of the program: placing sessions, keynotes, breaks and plenaries into rooms and
times, moving and removing them, publishing the program, and members' personal agendas.

Rules every slot keeps:
- it starts on one of the edition's days and ends by midnight of that day, in the edition's
  time zone, and lasts 5 minutes to 8 hours;
- it never shares a room with another slot at the same time; a slot without a room (a
  plenary, a keynote or a break for everyone) takes every room;
- a session shows an accepted or confirmed proposal of the edition, in a room, once (one slot
  per proposal); its length defaults to the proposal's format; a proposal of keynote format is
  always placed as a keynote;
- a keynote shows such a keynote proposal, or a title and the member who speaks.

Program changes are the chair's (`is_chair`); each is audited. Writes to an edition's program
lock the edition row (`select_for_update`), so two chairs placing into one room at once cannot
both pass the clash check. A move raises the slot's `sequence` (its calendar entry's SEQUENCE).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.conference.models import (
    DEFAULT_SESSION_MINUTES,
    AgendaItem,
    Edition,
    ProgramSlot,
    Proposal,
    Room,
    SessionKind,
    SlotKind,
    Track,
)
from practica.conference.permissions import can_view_program, is_chair
from practica.conference.queries.editions import edition_zone
from practica.conference.queries.program import (
    SCHEDULABLE_STATES,
    ProgramWarning,
    day_bounds,
    edition_clock,
    edition_days,
    local_day,
    program_slots,
    program_warnings,
    room_clashes,
    slot_place,
    slot_speakers,
    slot_title,
)
from practica.core.models import Activity, ActivityKind
from practica.core.services import record_activity, record_audit
from practica.people.permissions import is_signed_in

MIN_MINUTES = 5
MAX_MINUTES = 480
MAX_TITLE = ProgramSlot._meta.get_field("title").max_length or 200
# Lengths of slots that have no proposal to take one from.
DEFAULT_MINUTES = {
    SlotKind.BREAK: 30,
    SlotKind.PLENARY: 30,
    SlotKind.KEYNOTE: DEFAULT_SESSION_MINUTES[SessionKind.KEYNOTE],
}


class Unchanged(Enum):
    """`move_slot(room=KEEP)`: leave the room as it is (None means "every room")."""

    KEEP = "keep"


KEEP = Unchanged.KEEP


class ProgramConflict(ValidationError):  # noqa: N818 — a refusal, not a fault
    """The change clashes with the program as it is; `.code` says how: `room_taken` (another
    slot in the room at that time), `already_scheduled` (the proposal has its slot),
    `program_errors` (publishing a program that has such clashes)."""

    def __init__(self, messages: str | list[str], code: str) -> None:
        if isinstance(messages, str):
            super().__init__(messages, code=code)
        else:
            super().__init__([ValidationError(message, code=code) for message in messages])
        self.code = code


@dataclass(frozen=True)
class PublishResult:
    """What publishing did: activity rows recorded now, and the warnings published over."""

    published_at: datetime
    presented: int
    keynoted: int
    warnings: list[ProgramWarning]


@dataclass(frozen=True)
class AgendaChange:
    item: AgendaItem
    created: bool


# --- Checks ----------------------------------------------------------------------------------


def _require_chair(actor: Any, edition: Edition) -> None:
    if not is_chair(actor, edition):
        raise PermissionDenied(_("Only the edition's chairs can change the program."))


def _lock(edition: Edition) -> None:
    Edition.objects.select_for_update().filter(pk=edition.pk).first()


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


def _check_minutes(minutes: int) -> int:
    if not isinstance(minutes, int) or not MIN_MINUTES <= minutes <= MAX_MINUTES:
        limits = {"low": MIN_MINUTES, "high": MAX_MINUTES}
        raise _invalid("minutes", _("A slot lasts %(low)s to %(high)s minutes.") % limits)
    return minutes


def _check_times(edition: Edition, starts_at: datetime, ends_at: datetime) -> None:
    """Within the edition's days, ending by midnight of the day it starts (edition's zone)."""
    if timezone.is_naive(starts_at):
        raise _invalid("starts_at", _("Give the start with its time zone."))
    zone = edition_zone(edition)
    day = local_day(edition, starts_at)
    days = edition_days(edition)
    if day not in days:
        message = _(
            "The edition runs from %(first)s to %(last)s (%(zone)s); this slot starts on %(day)s."
        ) % {"first": edition.starts_on, "last": edition.ends_on, "zone": zone.key, "day": day}
        raise _invalid("starts_at", message)
    _midnight, end_of_day = day_bounds(edition, day)
    if ends_at > end_of_day:
        message = _("A slot must end by midnight of the day it starts (%(zone)s).")
        raise _invalid("minutes", message % {"zone": zone.key})


def _check_room(edition: Edition, room: Room | None) -> None:
    if room is not None and room.edition_id != edition.pk:
        raise _invalid("room", _("That room belongs to another edition."))


def _check_free(
    edition: Edition, *, starts_at: datetime, ends_at: datetime, room: Room | None, exclude: int = 0
) -> None:
    clashes = room_clashes(
        edition, starts_at=starts_at, ends_at=ends_at, room=room, exclude=exclude
    )
    if clashes:
        other = clashes[0]
        raise ProgramConflict(
            _(
                "%(place)s is taken then: “%(title)s” runs %(start)s–%(end)s. Pick another "
                "room or time, or move that slot first."
            )
            % {
                "place": slot_place(other) if room is None else str(room),
                "title": slot_title(other),
                "start": edition_clock(edition, other.starts_at),
                "end": other.ends_at.astimezone(edition_zone(edition)).strftime("%H:%M"),
            },
            "room_taken",
        )


def _check_proposal(edition: Edition, proposal: Proposal) -> None:
    if proposal.edition_id != edition.pk:
        raise _invalid("proposal", _("That proposal was made to another edition."))
    if proposal.state not in SCHEDULABLE_STATES:
        message = _(
            "Only accepted or confirmed proposals go into the program; this one is %(state)s."
        )
        raise _invalid("proposal", message % {"state": proposal.get_state_display().lower()})
    existing = ProgramSlot.objects.filter(proposal=proposal).first()
    if existing is not None:
        raise ProgramConflict(
            _("“%(title)s” is already in the program (%(place)s, %(when)s); move that slot.")
            % {
                "title": proposal.title,
                "place": slot_place(existing),
                "when": edition_clock(edition, existing.starts_at),
            },
            "already_scheduled",
        )


def _check_track(edition: Edition, track: Track | None) -> None:
    if track is not None and track.edition_id != edition.pk:
        raise _invalid("track", _("That track belongs to another edition."))


def _keynote_minutes(edition: Edition) -> int:
    keynote_format = edition.formats.filter(kind=SessionKind.KEYNOTE).order_by("minutes").first()
    return keynote_format.minutes if keynote_format else DEFAULT_MINUTES[SlotKind.KEYNOTE]


def _slot_fields(
    *,
    edition: Edition,
    kind: str,
    proposal: Proposal | None,
    title: str,
    speaker: Any,
    room: Room | None,
    track: Track | None,
) -> dict[str, Any]:
    """The slot's kind, title, speaker, track and default length, checked for its kind."""
    if kind not in SlotKind.values:
        raise _invalid("kind", _("Choose a session, keynote, break or plenary."))
    title = (title or "").strip()
    if len(title) > MAX_TITLE:
        message = _("A title has at most %(count)s characters.") % {"count": MAX_TITLE}
        raise _invalid("title", message)
    if proposal is not None:
        _check_proposal(edition, proposal)
        is_keynote_format = proposal.format.kind == SessionKind.KEYNOTE
        if kind == SlotKind.KEYNOTE and not is_keynote_format:
            message = _("Only a proposal of keynote format can be placed as a keynote.")
            raise _invalid("proposal", message)
        if kind not in (SlotKind.SESSION, SlotKind.KEYNOTE):
            raise _invalid("proposal", _("Breaks and plenaries show no proposal."))
        if speaker is not None:
            message = _("The proposal's speakers speak; leave the speaker empty.")
            raise _invalid("speaker", message)
        kind = SlotKind.KEYNOTE if is_keynote_format else SlotKind.SESSION
        if kind == SlotKind.SESSION and room is None:
            raise _invalid("room", _("Choose the room of the session."))
        return {
            "kind": kind,
            "title": "",
            "speaker": None,
            "track": track or proposal.track,
            "minutes": proposal.format.minutes,
        }
    if kind == SlotKind.SESSION:
        raise _invalid("proposal", _("Choose the accepted proposal to place."))
    if kind == SlotKind.KEYNOTE:
        if not title:
            raise _invalid("title", _("Give the keynote a title."))
        if speaker is None or not speaker.is_active:
            raise _invalid("speaker", _("Choose the member who gives the keynote."))
        return {
            "kind": kind,
            "title": title,
            "speaker": speaker,
            "track": track,
            "minutes": _keynote_minutes(edition),
        }
    if speaker is not None:
        raise _invalid("speaker", _("Breaks and plenaries have no speaker."))
    return {
        "kind": kind,
        "title": title,
        "speaker": None,
        "track": track,
        "minutes": DEFAULT_MINUTES[SlotKind(kind)],
    }


def _audit(actor: Any, action: str, slot: ProgramSlot, **data: Any) -> None:
    record_audit(
        actor_id=actor.pk,
        action=action,
        target=slot,
        community_id=slot.edition.community_id,
        data={"edition_id": slot.edition_id, "kind": slot.kind, **data},
    )


# --- Slots -----------------------------------------------------------------------------------


def add_slot(
    *,
    edition: Edition,
    kind: str,
    starts_at: datetime,
    actor: Any,
    room: Room | None = None,
    proposal: Proposal | None = None,
    title: str = "",
    speaker: Any = None,
    track: Track | None = None,
    minutes: int | None = None,
) -> ProgramSlot:
    """Place a slot into the program (the chair only).

    A session takes an accepted or confirmed `proposal` and a `room`; a keynote a keynote
    proposal, or a `title` and a member `speaker`; a break or plenary an optional `title`.
    No `room`: every room. `minutes` defaults to the proposal's format (keynote format, 45,
    or 30 for breaks and plenaries). Refused with a `ProgramConflict` when the room is taken
    then or the proposal already has its slot. Locks the edition row.
    """
    _require_chair(actor, edition)
    _check_room(edition, room)
    _check_track(edition, track)
    with transaction.atomic():
        _lock(edition)
        fields = _slot_fields(
            edition=edition,
            kind=kind,
            proposal=proposal,
            title=title,
            speaker=speaker,
            room=room,
            track=track,
        )
        default_minutes = fields.pop("minutes")
        length = _check_minutes(minutes if minutes is not None else default_minutes)
        ends_at = starts_at + timedelta(minutes=length)
        _check_times(edition, starts_at, ends_at)
        _check_free(edition, starts_at=starts_at, ends_at=ends_at, room=room)
        slot = ProgramSlot.objects.create(
            edition=edition,
            proposal=proposal,
            room=room,
            starts_at=starts_at,
            ends_at=ends_at,
            **fields,
        )
        _audit(
            actor,
            "conference.slot_added",
            slot,
            proposal_id=slot.proposal_id,
            room_id=slot.room_id,
            starts_at=starts_at.isoformat(),
            minutes=length,
        )
    return slot


def move_slot(
    *,
    slot: ProgramSlot,
    actor: Any,
    starts_at: datetime | None = None,
    room: Room | Literal[Unchanged.KEEP] | None = KEEP,
    minutes: int | None = None,
) -> ProgramSlot:
    """Move a slot to another time and/or room, or change its length (the chair only).

    `room=None` makes it take every room (not for sessions); `KEEP` leaves it. Any real
    change raises `sequence` so calendar clients replace the entry; a move to where the slot
    already is changes nothing. Locks the edition row, then the slot row.
    """
    edition = slot.edition
    _require_chair(actor, edition)
    new_room = slot.room if room is KEEP else room
    _check_room(edition, new_room)
    if new_room is None and slot.kind == SlotKind.SESSION:
        raise _invalid("room", _("A session needs a room."))
    with transaction.atomic():
        _lock(edition)
        current = ProgramSlot.objects.select_for_update().get(pk=slot.pk)
        length = int((current.ends_at - current.starts_at).total_seconds() // 60)
        length = _check_minutes(minutes if minutes is not None else length)
        new_start = starts_at or current.starts_at
        new_end = new_start + timedelta(minutes=length)
        new_room_id = new_room.pk if new_room is not None else None
        if (new_start, new_end, new_room_id) == (
            current.starts_at,
            current.ends_at,
            current.room_id,
        ):
            return current
        _check_times(edition, new_start, new_end)
        _check_free(
            edition, starts_at=new_start, ends_at=new_end, room=new_room, exclude=current.pk
        )
        before = {
            "starts_at": current.starts_at.isoformat(),
            "ends_at": current.ends_at.isoformat(),
            "room_id": current.room_id,
        }
        current.starts_at, current.ends_at, current.room = new_start, new_end, new_room
        current.sequence += 1
        current.save(update_fields=["starts_at", "ends_at", "room", "sequence"])
        current.edition = edition
        _audit(
            actor,
            "conference.slot_moved",
            current,
            before=before,
            after={
                "starts_at": new_start.isoformat(),
                "ends_at": new_end.isoformat(),
                "room_id": new_room_id,
            },
            sequence=current.sequence,
        )
    return current


def remove_slot(*, slot: ProgramSlot, actor: Any) -> None:
    """Take a slot out of the program (the chair only); its proposal becomes unscheduled and
    the agendas holding it lose it. Activity rows already recorded stay (the ledger is
    append-only). Locks the edition row."""
    edition = slot.edition
    _require_chair(actor, edition)
    with transaction.atomic():
        _lock(edition)
        _audit(
            actor,
            "conference.slot_removed",
            slot,
            proposal_id=slot.proposal_id,
            title=slot_title(slot),
            starts_at=slot.starts_at.isoformat(),
            room_id=slot.room_id,
        )
        ProgramSlot.objects.filter(pk=slot.pk).delete()


# --- Publishing ------------------------------------------------------------------------------


Recorded = set[tuple[str, int, int]]


def _recorded(edition: Edition, slot_ids: list[int]) -> tuple[Recorded, Recorded]:
    """Activity already recorded for the edition's slots: (kind, person, slot) and (kind,
    person, proposal) — the second so a session removed and placed again counts once."""
    rows = Activity.objects.filter(
        Q(subject_id__in=slot_ids) | Q(data__edition_id=edition.pk),
        kind__in=[ActivityKind.PRESENTED, ActivityKind.KEYNOTED],
        subject_type__app_label="conference",
        subject_type__model="programslot",
    )
    by_slot: Recorded = set()
    by_proposal: Recorded = set()
    for kind, person_id, subject_id, data in rows.values_list(
        "kind", "person_id", "subject_id", "data"
    ):
        if subject_id in slot_ids:
            by_slot.add((kind, person_id, subject_id))
        proposal_id = (data or {}).get("proposal_id")
        if proposal_id:
            by_proposal.add((kind, person_id, int(proposal_id)))
    return by_slot, by_proposal


def _record_speakers(edition: Edition, slots: list[ProgramSlot]) -> tuple[int, int]:
    """PRESENTED for the speakers of each session, KEYNOTED for each keynote's, once per
    speaker and slot (and per speaker and proposal); dated at the slot's start."""
    by_slot, by_proposal = _recorded(edition, [slot.pk for slot in slots])
    counts = {ActivityKind.PRESENTED: 0, ActivityKind.KEYNOTED: 0}
    for slot in slots:
        if slot.kind == SlotKind.SESSION:
            kind = ActivityKind.PRESENTED
        elif slot.kind == SlotKind.KEYNOTE:
            kind = ActivityKind.KEYNOTED
        else:
            continue
        for person in slot_speakers(slot):
            if (kind, person.pk, slot.pk) in by_slot:
                continue
            if slot.proposal_id and (kind, person.pk, slot.proposal_id) in by_proposal:
                continue
            record_activity(
                kind=kind,
                person_id=person.pk,
                community_id=edition.community_id,
                subject=slot,
                occurred_at=slot.starts_at,
                data={
                    "edition_id": edition.pk,
                    "proposal_id": slot.proposal_id,
                    "title": slot_title(slot),
                },
            )
            by_slot.add((kind, person.pk, slot.pk))
            if slot.proposal_id:
                by_proposal.add((kind, person.pk, slot.proposal_id))
            counts[kind] += 1
    return counts[ActivityKind.PRESENTED], counts[ActivityKind.KEYNOTED]


def publish_program(*, edition: Edition, actor: Any) -> PublishResult:
    """Publish the program to every member (the chair only), or publish it again after edits.

    Refused while two slots share a room at once (`ProgramConflict`, code `program_errors`)
    or when the program is empty; other warnings are returned for the screen to show and do
    not stop publishing. Records PRESENTED for each accepted speaker of a session and
    KEYNOTED for each keynote speaker, once per speaker and slot, so publishing again only
    adds rows for what is new. Keeps the first publication time. Locks the edition row.
    """
    _require_chair(actor, edition)
    with transaction.atomic():
        _lock(edition)
        edition.refresh_from_db(fields=["program_published_at"])
        slots = list(program_slots(edition))
        if not slots:
            raise ValidationError(_("Place at least one slot before publishing the program."))
        warnings = program_warnings(edition, slots)
        errors = [warning.message for warning in warnings if warning.is_error]
        if errors:
            raise ProgramConflict(
                [_("The program cannot be published while slots share a room:"), *errors],
                "program_errors",
            )
        first_time = edition.program_published_at is None
        if first_time:
            edition.program_published_at = timezone.now()
            edition.save(update_fields=["program_published_at", "updated_at"])
        presented, keynoted = _record_speakers(edition, slots)
        record_audit(
            actor_id=actor.pk,
            action="conference.program_published",
            target=edition,
            community_id=edition.community_id,
            data={
                "first_time": first_time,
                "slots": len(slots),
                "warnings": len(warnings),
                "presented": presented,
                "keynoted": keynoted,
            },
        )
    assert edition.program_published_at is not None
    return PublishResult(
        published_at=edition.program_published_at,
        presented=presented,
        keynoted=keynoted,
        warnings=warnings,
    )


def unpublish_program(*, edition: Edition, actor: Any) -> Edition:
    """Hide the program from members again (the committee still sees it). Activity rows
    stay; agendas stay and come back with the program. Unpublishing twice changes nothing."""
    _require_chair(actor, edition)
    with transaction.atomic():
        _lock(edition)
        edition.refresh_from_db(fields=["program_published_at"])
        if edition.program_published_at is None:
            return edition
        edition.program_published_at = None
        edition.save(update_fields=["program_published_at", "updated_at"])
        record_audit(
            actor_id=actor.pk,
            action="conference.program_unpublished",
            target=edition,
            community_id=edition.community_id,
        )
    return edition


# --- Personal agendas ------------------------------------------------------------------------


def add_to_agenda(*, slot: ProgramSlot, person: Any) -> AgendaChange:
    """Put a session, keynote or plenary of a published program on `person`'s agenda.
    Adding it again changes nothing (`created` False). Overlaps are allowed: the agenda
    page notes them."""
    edition = slot.edition
    if not is_signed_in(person) or not can_view_program(person, edition):
        raise PermissionDenied(_("You cannot see this program."))
    if edition.program_published_at is None:
        raise ValidationError(_("The program is not published yet; agendas open with it."))
    if slot.kind == SlotKind.BREAK:
        raise ValidationError(_("Breaks are for everyone: there is no need to add them."))
    with transaction.atomic():
        item, created = AgendaItem.objects.get_or_create(person=person, slot=slot)
    return AgendaChange(item=item, created=created)


def remove_from_agenda(*, slot: ProgramSlot, person: Any) -> bool:
    """Take a slot off `person`'s agenda; True when it was there."""
    if not is_signed_in(person):
        raise PermissionDenied(_("Sign in to keep an agenda."))
    with transaction.atomic():
        deleted, _rows = AgendaItem.objects.filter(person=person, slot=slot).delete()
    return deleted > 0
