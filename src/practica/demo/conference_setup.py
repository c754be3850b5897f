"""What every edition is planned with: who could take part when (`ConferencePlanner`), and an
edition's tracks, session formats, rooms, review form and program committee."""

import math
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from practica.communities.models import MembershipRole
from practica.demo import conference_catalogue as catalogue
from practica.demo.communities import COMMUNITIES
from practica.demo.conference_plans import (
    CriterionPlan,
    EditionPlan,
    FormatPlan,
    RoomPlan,
    SeatPlan,
    TrackPlan,
)
from practica.demo.conference_texts import new_writer
from practica.demo.event_people import MemberPool, member_pools
from practica.demo.growth import ML
from practica.demo.logins import LEADER_EMAIL, MANAGER_EMAIL, MEMBER_EMAIL
from practica.demo.people import PersonPlan

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

# The conference is as big as in the story once the community has this many members; a
# smaller demo (the tests') gets a conference in proportion.
FULL_SIZE_MEMBERS = 2000
COMMITTEE_ROLES = (MembershipRole.LEADER, MembershipRole.ORGANIZER)


class ConferencePlanner:
    """Pools of the community's members over time, topic look-ups, and the people with a part
    to play (the manager chairs; executives and leaders give keynotes)."""

    def __init__(self, story: "DemoStory") -> None:
        self.story = story
        self.rng = story.rng
        self.now = story.now
        self.scale = min(1.0, story.members / FULL_SIZE_MEMBERS)
        pools, topic_pools = member_pools(story)
        self.pool: MemberPool = pools[ML]
        self.topic_pools: dict[str, MemberPool] = {
            topic: pool for (community, topic), pool in topic_pools.items() if community == ML
        }
        self.writer = new_writer(story.rng, story.topics)
        self.paths = {slug: topic.path for slug, topic in story.topics.items()}
        by_path = {path: slug for slug, path in self.paths.items()}
        # Each topic with its ancestors, nearest first.
        self.lineage: dict[str, list[str]] = {}
        for slug, path in self.paths.items():
            parts = path.strip("/").split("/")
            self.lineage[slug] = [
                by_path["/" + "/".join(parts[:n]) + "/"] for n in range(len(parts), 0, -1)
            ]
        roots = next(spec.topics for spec in COMMUNITIES if spec.slug == ML)
        self.community_topics = [
            slug
            for slug, path in self.paths.items()
            if any(self.lineage[slug][-1] == root or slug == root for root in roots)
        ] or list(self.paths)
        self.manager = story.logins.get(MANAGER_EMAIL)
        self.leader = story.logins.get(LEADER_EMAIL)
        self.member = story.logins.get(MEMBER_EMAIL)
        self.stewards = [
            m for m in story.memberships if m.community == ML and m.role in COMMITTEE_ROLES
        ]
        self.executives = [
            p
            for p in story.people
            if (p.user.career_level or 0) >= 9 and not p.user.is_system and p.user.job_title
        ]
        self.seniors = [
            m
            for m in story.memberships
            if m.community == ML and (m.person.user.career_level or 0) >= 6 and m.person.topics
        ]

    def sized(self, full: float, least: int = 1) -> int:
        return max(least, round(full * self.scale))

    def is_member(self, person: PersonPlan, at: datetime) -> bool:
        membership = person.memberships.get(ML)
        return (
            membership is not None
            and membership.joined_at <= at
            and (membership.left_at is None or membership.left_at > at)
        )

    def division(self, person: PersonPlan) -> str:
        return person.team.division_key if person.team is not None else ""

    def executive(self, at: datetime, taken: set[int]) -> PersonPlan | None:
        day = at.date()
        ready = [
            p
            for p in self.executives
            if p.user.hired_on is not None
            and p.user.hired_on <= day
            and (p.left_at is None or p.left_at > at)
            and id(p) not in taken
        ]
        return self.rng.choice(ready) if ready else None


def _tracks(year: int) -> list[TrackPlan]:
    specs = [spec for spec in catalogue.TRACKS if spec.since <= year <= spec.until]
    return [
        TrackPlan(spec.name, spec.description, spec.topics, position)
        for position, spec in enumerate(specs)
    ]


def track_for(planner: ConferencePlanner, edition: EditionPlan, topic: str) -> TrackPlan:
    """The track of the nearest ancestor-or-self of `topic` a track names; a later track wins
    over an earlier one naming the same topic (it was split off to take it)."""
    for slug in planner.lineage.get(topic, [topic]):
        for track in reversed(edition.tracks):
            if slug in track.topics:
                return track
    return edition.tracks[0]


def _formats(year: int, online: bool) -> list[FormatPlan]:
    """The formats of the year; no posters online (there is no foyer to stand in)."""
    return [
        FormatPlan(spec.kind, spec.name, spec.minutes, spec.open_for_proposals, spec.weight)
        for spec in catalogue.FORMATS
        if spec.since <= year and not (online and spec.kind == "poster")
    ]


def _rooms(edition: EditionPlan) -> list[RoomPlan]:
    """A hall (online: a stage) per track, the biggest first; poster boards in the foyer."""
    count = len(edition.tracks)
    if edition.online:
        rooms = [
            RoomPlan(name, catalogue.ONLINE_VENUE, 2000 if n == 0 else 500, n)
            for n, name in enumerate(catalogue.STAGES[:count])
        ]
    else:
        rooms = [
            RoomPlan(name, catalogue.VENUE, seats, n)
            for n, (name, seats) in enumerate(catalogue.HALLS[:count])
        ]
    if not edition.online and any(f.kind == "poster" for f in edition.formats):
        rooms += [
            RoomPlan(f"Poster board {n}", catalogue.POSTER_VENUE, 40, count + n)
            for n in range(1, catalogue.POSTER_BOARDS + 1)
        ]
    return rooms


def _criteria(year: int) -> list[CriterionPlan]:
    specs = [spec for spec in catalogue.CRITERIA if spec[3] <= year]
    return [
        CriterionPlan(name, description, Decimal(weight), position)
        for position, (name, description, weight, _since) in enumerate(specs)
    ]


def _committee(planner: ConferencePlanner, edition: EditionPlan) -> list[SeatPlan]:
    """The manager chairs; the leader login, leaders and organizers and a few senior
    practitioners who were members when the call opened sit on the committee."""
    rng, at = planner.rng, edition.cfp_opens_at
    seated: list[PersonPlan] = []
    for person in (planner.manager, planner.leader):
        if person is not None and planner.is_member(person, at):
            seated.append(person)
    wanted = 4 + math.ceil(5 * planner.scale) + (1 if edition.year >= 2019 else 0)
    stewards = [m.person for m in planner.stewards if planner.is_member(m.person, at)]
    rng.shuffle(stewards)
    seniors = planner.seniors
    picks = [rng.choice(seniors).person for _ in range(20 * wanted)] if seniors else []
    for person in stewards[: wanted // 2] + picks:
        if len(seated) >= wanted:
            break
        if person not in seated and planner.is_member(person, at):
            seated.append(person)
    seats = []
    for person in seated:
        added = at - timedelta(days=rng.uniform(3, 20))
        seats.append(SeatPlan(person, person is seated[0], added))
    return seats


def set_up_edition(planner: ConferencePlanner, edition: EditionPlan) -> None:
    """Tracks, formats, rooms, criteria and committee for the edition's year."""
    edition.tracks = _tracks(edition.year)
    edition.formats = _formats(edition.year, edition.online)
    edition.rooms = _rooms(edition)
    edition.criteria = _criteria(edition.year)
    edition.committee = _committee(planner, edition)
