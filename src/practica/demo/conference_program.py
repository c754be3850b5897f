"""Decisions and the published program of a finished edition.

The committee takes the proposals best mean weighted score first and accepts each one the
program has room for: a session goes into its track's hall (one hall per track, so a track
never clashes with itself), in the time block with the most room left where none of its
speakers is speaking elsewhere; posters go to the boards in the foyer over lunch on day two.
About 40% are accepted (more in the first years, when there were fewer proposals), the next
ones waitlisted, the rest rejected; so every accepted proposal is in the program. Decisions
are mailed in one batch; most accepted speakers confirm within days.

Each day opens with a keynote in the main hall by an executive or one of the community's
leaders (the executive sponsor gave the first ones); coffee and lunch breaks and the opening
and closing span every room.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from practica.communities.models import MembershipRole
from practica.conference.models import ProposalState, SlotKind
from practica.demo import conference_catalogue as catalogue
from practica.demo.conference_plans import EditionPlan, ProposalPlan, RoomPlan, SlotPlan
from practica.demo.conference_setup import ConferencePlanner
from practica.demo.events import local_moment
from practica.demo.people import PersonPlan

# (day, start, end) in the edition's zone, as (hour, minute); day 0 or 1.
BLOCKS = (
    (0, (10, 30), (12, 30)),
    (0, (13, 30), (15, 0)),
    (0, (15, 30), (17, 30)),
    (1, (9, 45), (12, 30)),
    (1, (13, 30), (15, 0)),
    (1, (15, 30), (17, 0)),
)
POSTERS = (1, (12, 30), (13, 30))
KEYNOTE_TIMES = ((0, (9, 15), (10, 0)), (1, (9, 0), (9, 45)))
BREAKS = (
    (SlotKind.PLENARY, "Opening", 0, (9, 0), (9, 15)),
    (SlotKind.BREAK, "Coffee", 0, (10, 0), (10, 30)),
    (SlotKind.BREAK, "Lunch", 0, (12, 30), (13, 30)),
    (SlotKind.BREAK, "Coffee", 0, (15, 0), (15, 30)),
    (SlotKind.BREAK, "Coffee", 1, (15, 0), (15, 30)),
    (SlotKind.PLENARY, "Closing and thanks", 1, (17, 0), (17, 30)),
)
CONFIRMED_SHARE = 0.93


@dataclass(slots=True, eq=False)
class Block:
    room: RoomPlan
    starts_at: datetime
    ends_at: datetime
    cursor: datetime = field(init=False)

    def __post_init__(self) -> None:
        self.cursor = self.starts_at

    @property
    def left(self) -> float:
        return (self.ends_at - self.cursor).total_seconds() / 60


def _moment(edition: EditionPlan, day: int, at: tuple[int, int]) -> datetime:
    when: date = edition.starts_on + timedelta(days=day)
    return local_moment(when, at[0], at[1], catalogue.ZONE)


def _uid(planner: ConferencePlanner) -> uuid.UUID:
    return uuid.UUID(int=planner.rng.getrandbits(128), version=4)


class Schedule:
    """The program being built: free time per hall and block, and who speaks when."""

    def __init__(self, planner: ConferencePlanner, edition: EditionPlan) -> None:
        self.planner, self.edition = planner, edition
        halls = [room for room in edition.rooms if not room.name.startswith("Poster board")]
        self.boards = [room for room in edition.rooms if room.name.startswith("Poster board")]
        self.hall_of = {id(track): halls[n % len(halls)] for n, track in enumerate(edition.tracks)}
        self.blocks: dict[int, list[Block]] = {
            id(room): [
                Block(room, _moment(edition, day, start), _moment(edition, day, end))
                for day, start, end in BLOCKS
            ]
            for room in halls
        }
        self.busy: dict[int, list[tuple[datetime, datetime]]] = {}

    def _free(self, people: list[PersonPlan], start: datetime, end: datetime) -> bool:
        return all(end <= s or e <= start for p in people for s, e in self.busy.get(id(p), ()))

    def place(self, proposal: ProposalPlan) -> SlotPlan | None:
        people = proposal.accepted_people
        if proposal.format.kind == "poster":
            if not self.boards:
                return None
            start, end = _moment(self.edition, *POSTERS[:2]), _moment(self.edition, 1, POSTERS[2])
            if not self._free(people, start, end):
                return None
            room, track = self.boards.pop(0), None  # no track: posters stand side by side
        else:
            room = self.hall_of[id(proposal.track)]
            minutes = proposal.format.minutes
            blocks = sorted(self.blocks[id(room)], key=lambda b: -b.left)
            chosen = None
            for block in blocks:
                if block.left < minutes:
                    break
                end = block.cursor + timedelta(minutes=minutes)
                if self._free(people, block.cursor, end):
                    chosen = block
                    break
            if chosen is None:
                return None
            start, end = chosen.cursor, chosen.cursor + timedelta(minutes=minutes)
            chosen.cursor = end
            track = proposal.track
        for person in people:
            self.busy.setdefault(id(person), []).append((start, end))
        return SlotPlan(SlotKind.SESSION, start, end, _uid(self.planner), proposal=proposal,
                        room=room, track=track)  # fmt: skip


def _acceptance_rate(edition: EditionPlan) -> float:
    elapsed = edition.year - catalogue.FIRST_YEAR + (0.5 if edition.season == "Autumn" else 0)
    return 0.62 - 0.22 * min(1.0, elapsed / 8)


def _keynote_speakers(planner: ConferencePlanner, edition: EditionPlan) -> list[PersonPlan]:
    """The executive sponsor opened the first editions; otherwise an executive on day one and
    a leader of the community (or another executive) on day two."""
    at = _moment(edition, 0, (9, 0))
    sponsor = planner.story.ml_sponsor
    taken: set[int] = set()
    first = None
    if sponsor is not None and (edition.year == catalogue.FIRST_YEAR or planner.rng.random() < 0.3):
        first = sponsor if sponsor.left_at is None or sponsor.left_at > at else None
    first = first or planner.executive(at, taken)
    speakers = [first] if first is not None else []
    taken |= {id(p) for p in speakers}
    leaders = [
        m.person
        for m in planner.stewards
        if m.role == MembershipRole.LEADER and planner.is_member(m.person, at)
        and id(m.person) not in taken
    ]  # fmt: skip
    second = planner.rng.choice(leaders) if leaders and planner.rng.random() < 0.5 else None
    second = second or planner.executive(at, taken)
    if second is not None:
        speakers.append(second)
    return speakers


def _fixed_slots(planner: ConferencePlanner, edition: EditionPlan) -> list[SlotPlan]:
    slots = []
    main = edition.rooms[0]
    for speaker, (day, start, end) in zip(
        _keynote_speakers(planner, edition), KEYNOTE_TIMES, strict=False
    ):
        topics = [t for t in speaker.topics if t in planner.paths] or ["machine-learning"]
        title = planner.writer.keynote(year=edition.year, topic=planner.rng.choice(topics))
        slots.append(
            SlotPlan(SlotKind.KEYNOTE, _moment(edition, day, start), _moment(edition, day, end),
                     _uid(planner), title=title, speaker=speaker, room=main)
        )  # fmt: skip
    for kind, title, day, start, end in BREAKS:
        slots.append(
            SlotPlan(kind, _moment(edition, day, start), _moment(edition, day, end),
                     _uid(planner), title=title)
        )  # fmt: skip
    return slots


def decide_and_schedule(planner: ConferencePlanner, edition: EditionPlan) -> None:
    """Decide every proposal in review and lay out the program (see the module's docstring)."""
    rng = planner.rng
    chair = edition.chair
    in_review = [p for p in edition.proposals if p.state == ProposalState.SUBMITTED]
    for proposal in in_review:
        proposal.quality += rng.gauss(0, 0.05)  # ties broken by what the committee discussed
    ranked = sorted(in_review, key=lambda p: -(p.mean_score() or 3 + p.quality) - 0.01 * p.quality)
    target = round(len(ranked) * _acceptance_rate(edition))
    waitlist = max(1, round(len(ranked) * 0.1))
    schedule = Schedule(planner, edition)
    slots = _fixed_slots(planner, edition)
    accepted = 0
    waiting = 0
    decided = edition.decisions_due_at - timedelta(hours=rng.uniform(2, 60))
    mailed = edition.decisions_due_at + timedelta(hours=rng.uniform(1, 20))
    for proposal in ranked:
        slot = schedule.place(proposal) if accepted < target else None
        if slot is not None:
            accepted += 1
            slots.append(slot)
            room = slot.room
            assert room is not None
            proposal.expected_audience = round(room.capacity * rng.uniform(0.35, 0.85))
            if rng.random() < CONFIRMED_SHARE:
                proposal.state = ProposalState.CONFIRMED
                proposal.confirmed_at = mailed + timedelta(hours=rng.uniform(2, 140))
            else:
                proposal.state = ProposalState.ACCEPTED
        elif waiting < waitlist:
            waiting += 1
            proposal.state = ProposalState.WAITLISTED
        else:
            proposal.state = ProposalState.REJECTED
        proposal.decided_at = decided + timedelta(minutes=rng.uniform(0, 90))
        proposal.decision_mailed_at = mailed + timedelta(seconds=rng.uniform(0, 300))
        proposal.updated_at = proposal.confirmed_at or proposal.decision_mailed_at
    edition.slots = sorted(slots, key=lambda s: (s.starts_at, s.room.position if s.room else -1))
    if chair is None and edition.committee:
        edition.committee[0].is_chair = True
