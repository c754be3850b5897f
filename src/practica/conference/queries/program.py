"""Reads of an edition's program: its days in the edition's zone, the builder's grid (days ×
rooms × time), the warnings the chair sees before publishing, unscheduled proposals, a member's
agenda and the number of members who put each slot on theirs.

Who counts as a slot's speaker: the accepted speakers (with a member account) of its proposal,
or the member named on a keynote without a proposal.

The expected audience of a slot (for "room smaller than expected audience") is the larger of
the proposal's `expected_audience` and the number of agendas holding the slot: agendas only
exist once the program is published and are a floor (not everyone keeps one), the proposal's
figure is an estimate; whichever is larger wins, so either one alone can raise the warning.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from practica.conference.models import (
    AgendaItem,
    Edition,
    ProgramSlot,
    Proposal,
    ProposalSpeaker,
    ProposalState,
    Room,
    SlotKind,
    SpeakerStatus,
)
from practica.conference.queries.editions import edition_zone

# Proposals the program may show: accepted by the committee, or confirmed by their speakers.
SCHEDULABLE_STATES = (ProposalState.ACCEPTED, ProposalState.CONFIRMED)
# Slot kinds that are everyone's, shown under every track filter.
FOR_EVERYONE = (SlotKind.KEYNOTE, SlotKind.BREAK, SlotKind.PLENARY)
ERROR = "error"
WARNING = "warning"


# --- Time ------------------------------------------------------------------------------------


def edition_days(edition: Edition) -> list[date]:
    """Every day of the edition, first to last."""
    count = (edition.ends_on - edition.starts_on).days + 1
    return [edition.starts_on + timedelta(days=offset) for offset in range(max(count, 0))]


def day_bounds(edition: Edition, day: date) -> tuple[datetime, datetime]:
    """Midnight to midnight of `day` in the edition's zone (aware datetimes)."""
    zone = edition_zone(edition)
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start, end


def local_day(edition: Edition, moment: datetime) -> date:
    """The edition's calendar day at `moment`."""
    return moment.astimezone(edition_zone(edition)).date()


def edition_clock(edition: Edition, moment: datetime) -> str:
    """`Tue 14 Sep 10:00` on the wall clock of the edition's zone (for messages)."""
    return date_format(moment.astimezone(edition_zone(edition)), "D j M H:i")


# --- Slots -----------------------------------------------------------------------------------


def _accepted_speakers() -> Prefetch:
    return Prefetch(
        "proposal__speakers",
        queryset=ProposalSpeaker.objects.filter(
            status=SpeakerStatus.ACCEPTED, person__isnull=False
        ).select_related("person"),
        to_attr="accepted_speakers",
    )


def program_slots(edition: Edition) -> QuerySet[ProgramSlot]:
    """Every slot of the edition in time order, with what screens and warnings read, and
    `attendee_count` (agendas holding it)."""
    return (
        ProgramSlot.objects.filter(edition=edition)
        .select_related("room", "track", "speaker", "proposal__format", "proposal__track")
        .prefetch_related(_accepted_speakers())
        .annotate(attendee_count=Count("agenda_items", distinct=True))
        .order_by("starts_at", "room__position", "pk")
    )


def slot_with_details(slot_id: int) -> ProgramSlot | None:
    """One slot as `program_slots` loads it (edition and community too), or None."""
    return (
        ProgramSlot.objects.filter(pk=slot_id)
        .select_related(
            "edition__community",
            "room",
            "track",
            "speaker",
            "proposal__format",
            "proposal__track",
        )
        .prefetch_related(_accepted_speakers())
        .annotate(attendee_count=Count("agenda_items", distinct=True))
        .first()
    )


def slot_speakers(slot: ProgramSlot) -> list[Any]:
    """The members who speak in `slot` (proposal speakers, or the keynote's member), in order.

    Reads the `accepted_speakers` prefetch of `program_slots` when present.
    """
    people: list[Any] = []
    if slot.proposal_id is not None and slot.proposal is not None:
        rows = getattr(slot.proposal, "accepted_speakers", None)
        if rows is None:
            rows = slot.proposal.speakers.filter(
                status=SpeakerStatus.ACCEPTED, person__isnull=False
            ).select_related("person")
        people.extend(row.person for row in rows)
    if slot.speaker_id is not None and all(p.pk != slot.speaker_id for p in people):
        people.append(slot.speaker)
    return people


def slot_title(slot: ProgramSlot) -> str:
    """What the program calls the slot: its own title, its proposal's, or its kind."""
    if slot.title:
        return slot.title
    if slot.proposal_id is not None and slot.proposal is not None:
        return slot.proposal.title
    return str(SlotKind(slot.kind).label)


def slot_place(slot: ProgramSlot) -> str:
    """The room's name, or "All rooms" for a slot without one."""
    return str(slot.room) if slot.room_id is not None else _("All rooms")


def share_room(first: ProgramSlot, second: ProgramSlot) -> bool:
    """Both slots take the same room; a slot with no room takes every room."""
    return first.room_id is None or second.room_id is None or first.room_id == second.room_id


def overlap(first: ProgramSlot, second: ProgramSlot) -> bool:
    return first.starts_at < second.ends_at and second.starts_at < first.ends_at


def overlapping_pairs(slots: Sequence[ProgramSlot]) -> Iterable[tuple[ProgramSlot, ProgramSlot]]:
    """Every pair of slots whose times overlap (a sweep over the slots in time order)."""
    ordered = sorted(slots, key=lambda slot: (slot.starts_at, slot.pk or 0))
    for index, first in enumerate(ordered):
        for second in ordered[index + 1 :]:
            if second.starts_at >= first.ends_at:
                break
            yield first, second


def room_clashes(
    edition: Edition, *, starts_at: datetime, ends_at: datetime, room: Room | None, exclude: int = 0
) -> list[ProgramSlot]:
    """Slots that would share the room with a slot at these times (no room: every room)."""
    rows = ProgramSlot.objects.filter(
        edition=edition, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).select_related("room", "proposal")
    if room is not None:
        rows = rows.filter(Q(room__isnull=True) | Q(room=room))
    return [slot for slot in rows.order_by("starts_at", "pk") if slot.pk != exclude]


# --- Warnings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramWarning:
    """One thing the chair should look at. `severity` "error" blocks publishing (two slots in
    one room at once); "warning" is shown and may be published over."""

    code: str
    severity: str
    message: str
    slot_ids: tuple[int, ...]

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


def expected_audience(slot: ProgramSlot) -> int:
    """The larger of the proposal's expected audience and the agendas holding the slot."""
    estimate = 0
    if slot.proposal_id is not None and slot.proposal is not None:
        estimate = slot.proposal.expected_audience or 0
    agendas = getattr(slot, "attendee_count", None)
    if agendas is None:
        agendas = slot.agenda_items.count()
    return max(estimate, agendas)


def _named(edition: Edition, slot: ProgramSlot) -> str:
    return _("“%(title)s” (%(place)s, %(when)s)") % {
        "title": slot_title(slot),
        "place": slot_place(slot),
        "when": edition_clock(edition, slot.starts_at),
    }


def _speaker_clashes(edition: Edition, pairs: list[tuple[Any, Any]]) -> list[ProgramWarning]:
    found = []
    speakers: dict[int, list[Any]] = {}
    for first, second in pairs:
        for slot in (first, second):
            if slot.pk not in speakers:
                speakers[slot.pk] = slot_speakers(slot)
        second_ids = {person.pk for person in speakers[second.pk]}
        for person in speakers[first.pk]:
            if person.pk in second_ids:
                found.append(
                    ProgramWarning(
                        code="speaker_clash",
                        severity=WARNING,
                        message=_("%(name)s is in two places at once: %(first)s and %(second)s.")
                        % {
                            "name": person.display_name or person.email,
                            "first": _named(edition, first),
                            "second": _named(edition, second),
                        },
                        slot_ids=(first.pk, second.pk),
                    )
                )
    return found


def _track_clashes(edition: Edition, pairs: list[tuple[Any, Any]]) -> list[ProgramWarning]:
    found = []
    for first, second in pairs:
        if (
            first.kind == SlotKind.SESSION
            and second.kind == SlotKind.SESSION
            and first.track_id is not None
            and first.track_id == second.track_id
        ):
            found.append(
                ProgramWarning(
                    code="track_clash",
                    severity=WARNING,
                    message=_("The %(track)s track clashes with itself: %(first)s and %(second)s.")
                    % {
                        "track": first.track.name,
                        "first": _named(edition, first),
                        "second": _named(edition, second),
                    },
                    slot_ids=(first.pk, second.pk),
                )
            )
    return found


def _room_clashes(edition: Edition, pairs: list[tuple[Any, Any]]) -> list[ProgramWarning]:
    return [
        ProgramWarning(
            code="room_clash",
            severity=ERROR,
            message=_("Two slots in one room at once: %(first)s and %(second)s.")
            % {"first": _named(edition, first), "second": _named(edition, second)},
            slot_ids=(first.pk, second.pk),
        )
        for first, second in pairs
        if share_room(first, second)
    ]


def _small_rooms(edition: Edition, slots: Sequence[ProgramSlot]) -> list[ProgramWarning]:
    found = []
    for slot in slots:
        room = slot.room
        if room is None or room.capacity is None:
            continue
        audience = expected_audience(slot)
        if audience > room.capacity:
            found.append(
                ProgramWarning(
                    code="room_too_small",
                    severity=WARNING,
                    message=_("%(slot)s expects %(audience)s people but %(room)s seats %(seats)s.")
                    % {
                        "slot": _named(edition, slot),
                        "audience": audience,
                        "room": room.name,
                        "seats": room.capacity,
                    },
                    slot_ids=(slot.pk,),
                )
            )
    return found


def program_warnings(
    edition: Edition, slots: Sequence[ProgramSlot] | None = None
) -> list[ProgramWarning]:
    """What the chair should check, errors first: two slots in one room at once (error), a
    speaker in two places at once, a room smaller than the expected audience, a track
    clashing with itself (two overlapping sessions of one track).

    `slots` defaults to `program_slots(edition)`; pass them when already loaded.
    """
    slots = list(program_slots(edition) if slots is None else slots)
    pairs = list(overlapping_pairs(slots))
    return [
        *_room_clashes(edition, pairs),
        *_speaker_clashes(edition, pairs),
        *_small_rooms(edition, slots),
        *_track_clashes(edition, pairs),
    ]


def warnings_by_slot(warnings: Iterable[ProgramWarning]) -> dict[int, list[ProgramWarning]]:
    by_slot: dict[int, list[ProgramWarning]] = defaultdict(list)
    for warning in warnings:
        for slot_id in warning.slot_ids:
            by_slot[slot_id].append(warning)
    return dict(by_slot)


# --- The grid --------------------------------------------------------------------------------


@dataclass
class GridCell:
    """A table cell of the grid: a slot spanning `rowspan` time rows and `colspan` rooms, or
    an empty place (`slot` None) at `room` from `starts_at`. `extras` are slots that overlap
    this one in its room (only in broken data: the services refuse them)."""

    slot: ProgramSlot | None = None
    rowspan: int = 1
    colspan: int = 1
    room: Room | None = None
    starts_at: datetime | None = None
    extras: list["GridCell"] = field(default_factory=list)

    @property
    def title(self) -> str:
        return slot_title(self.slot) if self.slot is not None else ""

    @property
    def speakers(self) -> list[Any]:
        return slot_speakers(self.slot) if self.slot is not None else []

    @property
    def minutes(self) -> int:
        if self.slot is None:
            return 0
        return int((self.slot.ends_at - self.slot.starts_at).total_seconds() // 60)


@dataclass
class GridRow:
    starts_at: datetime
    ends_at: datetime
    edition_time: str
    # None where a cell above or to the left spans over this place.
    cells: list[GridCell | None]


@dataclass
class ProgramDay:
    day: date
    rooms: list[Room | None]
    rows: list[GridRow]
    slots: list[ProgramSlot]


def _day_grid(
    edition: Edition, day: date, rooms: list[Room | None], slots: list[ProgramSlot]
) -> ProgramDay:
    _midnight, end_of_day = day_bounds(edition, day)
    zone = edition_zone(edition)
    moments = sorted(
        {slot.starts_at for slot in slots} | {min(slot.ends_at, end_of_day) for slot in slots}
    )
    row_at = {moment: position for position, moment in enumerate(moments)}
    intervals = list(pairwise(moments))
    column_of = {room.pk: position for position, room in enumerate(rooms) if room is not None}
    taken: list[list[GridCell | None]] = [[None] * len(rooms) for _ in intervals]
    origins: dict[tuple[int, int], GridCell] = {}
    # Room-less slots first at equal times, so a plenary keeps its full row.
    for slot in sorted(slots, key=lambda s: (s.starts_at, s.room_id is not None, s.pk)):
        first, last = row_at[slot.starts_at], row_at[min(slot.ends_at, end_of_day)]
        if slot.room_id is None or slot.room_id not in column_of:
            columns = list(range(len(rooms)))
        else:
            columns = [column_of[slot.room_id]]
        places = [(row, column) for row in range(first, last) for column in columns]
        occupier = next((taken[r][c] for r, c in places if taken[r][c] is not None), None)
        if occupier is not None:
            occupier.extras.append(GridCell(slot=slot))
            continue
        cell = GridCell(slot=slot, rowspan=last - first, colspan=len(columns))
        for row, column in places:
            taken[row][column] = cell
        origins[(first, columns[0])] = cell
    rows = []
    for row, (start, end) in enumerate(intervals):
        cells: list[GridCell | None] = []
        for column, room in enumerate(rooms):
            if taken[row][column] is None:
                cells.append(GridCell(room=room, starts_at=start))
            else:
                cells.append(origins.get((row, column)))
        label = start.astimezone(zone).strftime("%H:%M")
        rows.append(GridRow(starts_at=start, ends_at=end, edition_time=label, cells=cells))
    return ProgramDay(day=day, rooms=rooms, rows=rows, slots=slots)


def program_grid(edition: Edition, slots: Sequence[ProgramSlot] | None = None) -> list[ProgramDay]:
    """The program as one table per day of the edition (days in the edition's zone): rooms
    as columns (one "all rooms" column when the edition has none), rows from one slot
    boundary to the next. Days without slots have no rows."""
    slots = list(program_slots(edition) if slots is None else slots)
    rooms: list[Room | None] = list(edition.rooms.order_by("position", "name"))
    if not rooms:
        rooms = [None]
    by_day: dict[date, list[ProgramSlot]] = defaultdict(list)
    for slot in slots:
        by_day[local_day(edition, slot.starts_at)].append(slot)
    days = edition_days(edition)
    extra_days = sorted(day for day in by_day if day not in days)
    return [_day_grid(edition, day, rooms, by_day.get(day, [])) for day in days + extra_days]


# --- Proposals to place ----------------------------------------------------------------------


def unscheduled_proposals(edition: Edition) -> QuerySet[Proposal]:
    """Accepted or confirmed proposals without a slot yet, by track and title."""
    return (
        Proposal.objects.filter(
            edition=edition, state__in=SCHEDULABLE_STATES, program_slot__isnull=True
        )
        .select_related("format", "track")
        .order_by("track__position", "title", "pk")
    )


# --- Agendas ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaEntry:
    """A slot on a member's agenda; `clashes_with` are the other chosen slots it overlaps."""

    item: AgendaItem
    slot: ProgramSlot
    clashes_with: tuple[ProgramSlot, ...]


def agenda_slot_ids(edition: Edition, person: Any) -> set[int]:
    """The ids of the edition's slots on `person`'s agenda."""
    if not getattr(person, "is_authenticated", False):
        return set()
    return set(
        AgendaItem.objects.filter(person=person, slot__edition=edition).values_list(
            "slot_id", flat=True
        )
    )


def agenda_of(edition: Edition, person: Any) -> list[AgendaEntry]:
    """`person`'s agenda for the edition in time order, each entry with its clashes."""
    slots = {slot.pk: slot for slot in program_slots(edition).filter(agenda_items__person=person)}
    items = AgendaItem.objects.filter(person=person, slot_id__in=slots.keys()).order_by(
        "slot__starts_at", "slot__pk"
    )
    clashes: dict[int, list[ProgramSlot]] = defaultdict(list)
    for first, second in overlapping_pairs(list(slots.values())):
        clashes[first.pk].append(second)
        clashes[second.pk].append(first)
    return [
        AgendaEntry(
            item=item, slot=slots[item.slot_id], clashes_with=tuple(clashes.get(item.slot_id, ()))
        )
        for item in items
    ]


def attendee_counts(edition: Edition) -> dict[int, int]:
    """How many members hold each slot on their agenda (slot id → count; absent is zero)."""
    rows = (
        AgendaItem.objects.filter(slot__edition=edition)
        .values("slot_id")
        .annotate(count=Count("pk"))
        .values_list("slot_id", "count")
    )
    return dict(rows)


# --- The published program -------------------------------------------------------------------


@dataclass
class ProgramEntry:
    """A slot as the program page shows it. Carries `starts_at`, `ends_at` and the edition's
    `time_zone`, so `{% event_when entry %}` (events' time tag) can show it, and whether the
    program is `published` (agendas open with it) without reading each slot's edition."""

    slot: ProgramSlot
    title: str
    place: str
    speakers: list[Any]
    time_zone: str
    in_agenda: bool = False
    published: bool = False

    @property
    def starts_at(self) -> datetime:
        return self.slot.starts_at

    @property
    def ends_at(self) -> datetime:
        return self.slot.ends_at


@dataclass
class ProgramDayEntries:
    day: date
    entries: list[ProgramEntry]


def program_entry(edition: Edition, slot: ProgramSlot, *, in_agenda: bool = False) -> ProgramEntry:
    return ProgramEntry(
        slot=slot,
        title=slot_title(slot),
        place=slot_place(slot),
        speakers=slot_speakers(slot),
        time_zone=edition_zone(edition).key,
        in_agenda=in_agenda,
        published=edition.program_published_at is not None,
    )


def program_by_day(
    edition: Edition, *, person: Any = None, track_id: int | None = None
) -> list[ProgramDayEntries]:
    """The program day by day (the edition's days, in its zone) with `person`'s agenda marks;
    `track_id` keeps that track's sessions plus the slots for everyone (keynotes, breaks,
    plenaries without a track). Days without slots are left out."""
    slots = program_slots(edition)
    if track_id is not None:
        slots = slots.filter(Q(track_id=track_id) | Q(track__isnull=True, kind__in=FOR_EVERYONE))
    chosen = agenda_slot_ids(edition, person)
    by_day: dict[date, list[ProgramEntry]] = defaultdict(list)
    for slot in slots:
        entry = program_entry(edition, slot, in_agenda=slot.pk in chosen)
        by_day[local_day(edition, slot.starts_at)].append(entry)
    return [ProgramDayEntries(day=day, entries=by_day[day]) for day in sorted(by_day)]
