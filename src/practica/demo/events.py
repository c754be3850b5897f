"""Years of events: 50–60 a year for Machine Learning since 2014, fewer for its sisters.

Each community keeps its series (the monthly talk, the quarterly leadership AMA, a weekly study
group, quiz nights, a hackathon and a challenge a year, …) and fills the rest of its yearly
cadence with talks, webinars, tutorials, labs, panels, keynotes and meetups. 2014 has the
community's first two conferences, 1,000 seats each, gone within hours of registration
opening. The calendar runs a few weeks past the story's present: those events are open for
registration (one lab is already full, with a waiting list; one keynote opens in a few days).

Planning only: `practica.demo.event_people` fills in who came, `event_saving` inserts it all.
"""

import uuid
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from practica.communities.models import MembershipRole
from practica.demo import event_catalogue as catalogue
from practica.demo.communities import AI, CIRCLE, COMMUNITIES, RESPONSIBLE_AI
from practica.demo.event_catalogue import FORMATS, SERIES, SeriesSpec
from practica.demo.growth import ML
from practica.demo.logins import LEADER_EMAIL, MANAGER_EMAIL
from practica.demo.people import PersonPlan
from practica.events.models import EventFormat as F
from practica.events.models import EventMode, EventStatus, SeatMode

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

HORIZON = timedelta(days=70)  # how far past the present the calendar is published
EARLIEST_ML_EVENT = date(2014, 2, 10)
FIRST_EVENTS_AFTER_FOUNDING = timedelta(days=60)
CANCELLED_SHARE = 0.015
HOSTING_ROLES = (MembershipRole.MANAGER, MembershipRole.LEADER, MembershipRole.ORGANIZER)
LOCAL_HOURS = (9, 10, 11, 13, 14, 16)
_ZONES: dict[str, zoneinfo.ZoneInfo] = {}


@dataclass(slots=True, eq=False)
class SeatPlan:
    mode: str
    capacity: int | None
    waitlist_limit: int | None
    taken: int = 0
    waitlisted: int = 0
    last_waitlist_position: int = 0


@dataclass(slots=True, eq=False)
class HostPlan:
    person: PersonPlan | None
    role: str
    guest_name: str = ""
    guest_affiliation: str = ""


@dataclass(slots=True, eq=False)
class EventPlan:
    community: str
    format: str
    title: str
    topics: list[str]
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    mode: str
    organizer: PersonPlan
    created_at: datetime
    series: str | None = None
    co_hosts: list[str] = field(default_factory=list)
    description: str = ""
    venue_room: str = ""
    venue_building: str = ""
    venue_city: str = ""
    online_url: str = ""
    registration_opens_at: datetime | None = None
    status: str = EventStatus.PUBLISHED
    cancellation_reason: str = ""
    anonymous_questions: bool = False
    offer_minutes: int = 1440
    sequence: int = 0
    uid: uuid.UUID | None = None
    check_in_code: str = ""
    demand: int | None = None  # registrants wanted, if not drawn from the format's interest
    rush_hours: float | None = None  # a registration rush: seats gone within these hours
    seats: dict[str, SeatPlan] = field(default_factory=dict)
    hosts: list[HostPlan] = field(default_factory=list)
    registrations: list = field(default_factory=list)  # event_people.RegistrationPlan
    feedback: list = field(default_factory=list)
    materials: list = field(default_factory=list)
    questions: list = field(default_factory=list)
    costs: list = field(default_factory=list)
    id: int = 0  # allocated when saved

    @property
    def opens_at(self) -> datetime:
        """When members could first register: the set opening, else when it was published."""
        return self.registration_opens_at or self.created_at

    @property
    def speakers(self) -> list[PersonPlan]:
        return [h.person for h in self.hosts if h.person is not None and h.role == "speaker"]


def local_moment(day: date, hour: int, minute: int, zone_name: str) -> datetime:
    zone = _ZONES.get(zone_name) or _ZONES.setdefault(zone_name, zoneinfo.ZoneInfo(zone_name))
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def _weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _series_days(story: "DemoStory", spec: SeriesSpec, year: int) -> list[date]:
    """The days a series meets in `year`, by its cadence."""
    rng = story.rng
    if spec.cadence == "monthly":
        months = [m for m in range(1, 13) if m not in (8, 12)] + [12]
        months = sorted(rng.sample(months, spec.count)) if spec.count < 12 else months
        return [_weekday_on_or_after(date(year, m, 8), 1) for m in months]  # 2nd Tuesday
    if spec.cadence == "quarterly":
        return [_weekday_on_or_after(date(year, m, 15), 3) for m in (2, 5, 8, 11)][: spec.count]
    if spec.cadence == "weekly":
        start = _weekday_on_or_after(date(year, 9, rng.randint(8, 20)), 2)
        return [start + timedelta(weeks=n) for n in range(spec.count)]
    if spec.count >= 6:  # every other month
        return [_weekday_on_or_after(date(year, m, rng.randint(5, 20)), 3) for m in range(2, 13, 2)]
    months = {1: [rng.choice((4, 5, 10))], 2: [6, 12]}.get(spec.count, [3, 6, 9, 12])
    return [
        _weekday_on_or_after(date(year, m, rng.randint(3, 14)), rng.randint(1, 3)) for m in months
    ]


def _free_days(story: "DemoStory", year: int, count: int) -> list[date]:
    """Working days (Monday to Thursday) spread over the year, away from the winter break."""
    start, end = date(year, 1, 8), date(year, 12, 17)
    span = (end - start).days
    days = []
    for _ in range(count):
        day = start + timedelta(days=story.rng.randrange(span))
        days.append(day - timedelta(days=max(0, day.weekday() - 3)))
    return sorted(days)


class Planner:
    """What planning the calendar needs to look up quickly: topics, organizers, executives."""

    def __init__(self, story: "DemoStory") -> None:
        self.story = story
        self.rng = story.rng
        roots = {spec.slug: spec.topics for spec in COMMUNITIES}
        self.topics: dict[str, list[str]] = {}
        for slug, root_slugs in roots.items():
            paths = [story.topics[s].path for s in root_slugs if s in story.topics]
            self.topics[slug] = [
                t.slug for t in story.topics.values() if any(t.path.startswith(p) for p in paths)
            ] or list(story.topics)
        self.hosting: dict[str, list] = {slug: [] for slug in roots}
        for membership in story.memberships:
            if membership.role in HOSTING_ROLES and membership.left_at is None:
                self.hosting[membership.community].append(membership)
        self.manager = story.logins.get(MANAGER_EMAIL)
        self.leader = story.logins.get(LEADER_EMAIL)
        self.executives = [
            p
            for p in story.people
            if (p.user.career_level or 0) >= 9 and not p.user.is_system and p.user.job_title
        ]
        self.experts: dict[str, list[PersonPlan]] = {}
        for membership in story.memberships:
            person = membership.person
            if (person.user.career_level or 0) >= 4 and membership.left_at is None:
                self.experts.setdefault(membership.community, []).append(person)
        self.uuid_bits = self.rng.getrandbits

    def organizer(self, community: str, at: datetime) -> PersonPlan:
        if community == ML and self.manager is not None and self.rng.random() < 0.45:
            joined = self.manager.memberships[ML].joined_at
            if joined <= at:
                return self.manager
        ready = [m for m in self.hosting[community] if m.joined_at <= at] or self.hosting[community]
        if not ready:
            return self.manager or self.story.people[0]
        return self.rng.choice(ready).person

    def topic_choice(self, community: str) -> list[str]:
        pool = self.topics[community]
        chosen = [self.rng.choice(pool)]
        if self.rng.random() < 0.35:
            other = self.rng.choice(pool)
            if other not in chosen:
                chosen.append(other)
        return chosen

    def speaker(
        self, community: str, topics: list[str], at: datetime, taken: set[int]
    ) -> PersonPlan | None:
        """A member who knows one of the topics, a member at `at`; else any senior member."""
        pool = self.experts.get(community) or self.experts.get(ML, [])
        if not pool:
            return None
        fallback = None
        for _ in range(40):
            person = pool[self.rng.randrange(len(pool))]
            membership = person.memberships.get(community)
            if id(person) in taken or membership is None or membership.joined_at > at:
                continue
            if any(t in person.topics for t in topics):
                return person
            fallback = fallback or person
        return fallback

    def executive(self, at: datetime, taken: set[int]) -> PersonPlan | None:
        day = at.date()
        ready = [
            p
            for p in self.executives
            if p.user.hired_on <= day
            and (p.left_at is None or p.left_at > at)
            and id(p) not in taken
        ]
        return self.rng.choice(ready) if ready else None

    def new_uid(self) -> uuid.UUID:
        return uuid.UUID(int=self.uuid_bits(128), version=4)

    def check_in_code(self) -> str:
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        return "".join(alphabet[self.rng.randrange(len(alphabet))] for _ in range(6))


def _pick(rng, pairs: tuple[tuple[str, int], ...]) -> str:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def _topic_name(story: "DemoStory", slug: str) -> str:
    return story.topics[slug].name


def _describe(planner: Planner, plan: EventPlan) -> str:
    rng, story = planner.rng, planner.story
    topic = _topic_name(story, plan.topics[0])
    opening = catalogue.DESCRIPTION_OPENINGS[plan.format].format(topic=topic)
    parts = [opening, rng.choice(catalogue.DESCRIPTION_MIDDLES)]
    if plan.speakers:
        names = ", ".join(p.user.display_name for p in plan.speakers)
        parts.append(f"**Speakers:** {names}.")
    parts.append(rng.choice(catalogue.DESCRIPTION_CLOSINGS))
    return "\n\n".join(parts)


def _place(planner: Planner, plan: EventPlan) -> None:
    """Venue by the organizer's office for in-person seats, a meeting link for online ones."""
    rng = planner.rng
    if plan.mode != EventMode.ONLINE:
        city = plan.organizer.user.location or "Redmond"
        building, rooms = catalogue.VENUES.get(city, catalogue.GENERIC_VENUE)
        plan.venue_city, plan.venue_building, plan.venue_room = city, building, rng.choice(rooms)
    if plan.mode != EventMode.IN_PERSON:
        plan.online_url = f"https://meet.corp.example.com/j/{rng.randrange(10**9, 10**10)}"


def _seats(planner: Planner, plan: EventPlan) -> None:
    spec = FORMATS[plan.format]
    rng = planner.rng
    for mode in (SeatMode.IN_PERSON, SeatMode.ONLINE):
        if mode == SeatMode.IN_PERSON and plan.mode == EventMode.ONLINE:
            continue
        if mode == SeatMode.ONLINE and plan.mode == EventMode.IN_PERSON:
            continue
        if mode == SeatMode.IN_PERSON:
            low, high = spec.in_person_seats
            capacity: int | None = rng.randint(low, high) // 2 * 2 if high else None
        else:
            capacity = spec.online_seats
        plan.seats[mode] = SeatPlan(mode, capacity, spec.waitlist_limit)


def _hosts(planner: Planner, plan: EventPlan) -> None:
    """The organizer hosts; speakers by format (members who know the topic, executives for
    AMAs, some guests); panels get a moderator."""
    rng, spec = planner.rng, FORMATS[plan.format]
    plan.hosts.append(HostPlan(plan.organizer, "host"))
    taken = {id(plan.organizer)}
    if plan.format == F.AMA:
        executive = planner.executive(plan.starts_at, taken)
        if executive is not None:
            plan.hosts.append(HostPlan(executive, "speaker"))
        return
    count = rng.randint(*spec.speakers)
    leader = planner.leader
    if (
        count
        and leader is not None
        and id(leader) not in taken
        and plan.community == ML
        and any(planner.story.topics[t].path.startswith("/natural-language-processing/")
                for t in plan.topics)
        and rng.random() < 0.25
    ):  # fmt: skip
        plan.hosts.append(HostPlan(leader, "speaker"))
        taken.add(id(leader))
        count -= 1
    for _ in range(count):
        guest = plan.format in (F.KEYNOTE, F.PANEL, F.TALK) and rng.random() < 0.15
        person = (
            None if guest else planner.speaker(plan.community, plan.topics, plan.starts_at, taken)
        )
        if person is None:
            name, affiliation = rng.choice(catalogue.GUESTS)
            if any(h.guest_name == name for h in plan.hosts):
                continue
            plan.hosts.append(HostPlan(None, "speaker", name, affiliation))
        else:
            taken.add(id(person))
            plan.hosts.append(HostPlan(person, "speaker"))
    if plan.format == F.PANEL:
        moderator = planner.organizer(plan.community, plan.starts_at)
        if id(moderator) not in taken:
            plan.hosts.append(HostPlan(moderator, "moderator"))


def _title(planner: Planner, plan: EventPlan, series: SeriesSpec | None, number: int) -> str:
    story, rng = planner.story, planner.rng
    topic = _topic_name(story, plan.topics[0])
    if series is not None and series.title_pattern:
        chapter = catalogue.STUDY_CHAPTERS[(number - 1) % len(catalogue.STUDY_CHAPTERS)]
        strategy = catalogue.STRATEGY_TOPICS[(number - 1) % len(catalogue.STRATEGY_TOPICS)]
        subject = strategy if series.community == CIRCLE else topic
        return series.title_pattern.format(n=number, topic=subject, chapter=chapter)
    speakers = [h for h in plan.hosts if h.role == "speaker"]
    speaker = speaker_name = ""
    if speakers:
        first = speakers[0]
        person = first.person
        speaker_name = person.user.display_name if person else first.guest_name
        speaker = f"{speaker_name}, {person.user.job_title}" if person else speaker_name
    pattern = rng.choice(FORMATS[plan.format].titles)
    if "{speaker}" in pattern and not speaker:
        pattern = "Ask me anything: {topic}"
    return pattern.format(
        topic=topic,
        year=plan.starts_at.year,
        speaker=speaker,
        speaker_name=speaker_name,
        season=catalogue.SEASONS[plan.starts_at.month],
        city=plan.venue_city or "Redmond",
    )[:200]


def plan_event(
    planner: Planner,
    *,
    community: str,
    format: str,
    day: date,
    series: SeriesSpec | None = None,
    number: int = 1,
    topics: list[str] | None = None,
) -> EventPlan:
    """One event on `day` of `format`, hosted by an organizer of `community`."""
    rng, spec = planner.rng, FORMATS[format]
    noon = datetime.combine(day, time(12), tzinfo=UTC)
    organizer = planner.organizer(community, noon)
    zone = organizer.user.time_zone or "UTC"
    hour = rng.choice((8, 16)) if format == F.WEBINAR else rng.choice(LOCAL_HOURS)
    if format in (F.MEETUP, F.QUIZ):
        hour = rng.choice((16, 17))
    starts_at = local_moment(day, hour, rng.choice((0, 0, 30)), zone)
    minutes = rng.randint(*spec.minutes) // 15 * 15 or spec.minutes[0]
    lead = timedelta(days=rng.randint(14, 42))
    plan = EventPlan(
        community=community,
        format=format,
        title="",
        topics=topics or planner.topic_choice(community),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        time_zone=zone,
        mode=_pick(rng, spec.modes),
        organizer=organizer,
        created_at=starts_at - lead - timedelta(days=rng.randint(0, 10)),
        series=series.key if series else None,
        uid=planner.new_uid(),
        check_in_code=planner.check_in_code(),
    )
    if plan.created_at > planner.story.now:  # announced already: it is on the calendar
        plan.created_at = planner.story.now - timedelta(days=rng.randint(3, 20))
    if rng.random() < 0.3:
        plan.registration_opens_at = local_moment((starts_at - lead).date(), 9, 0, zone)
        plan.created_at = min(plan.created_at, plan.registration_opens_at - timedelta(days=1))
    if format == F.AMA:
        plan.anonymous_questions = rng.random() < 0.5
    if (community == AI and rng.random() < 0.2) or (
        community == RESPONSIBLE_AI and rng.random() < 0.3
    ):
        plan.co_hosts.append(ML)
    _place(planner, plan)
    _seats(planner, plan)
    _hosts(planner, plan)
    plan.title = _title(planner, plan, series, number)
    plan.description = _describe(planner, plan)
    return plan


def _plan_year(
    planner: Planner, community: str, year: int, first_day: date, last: datetime
) -> list[EventPlan]:
    rng = planner.rng
    low, high = catalogue.CADENCE[community]
    wanted = rng.randint(low, high)
    slots: list[tuple[date, str, SeriesSpec | None, int]] = []
    for spec in SERIES:
        if spec.community != community or year < spec.since:
            continue
        days = _series_days(planner.story, spec, year)
        slots.extend((day, spec.format, spec, n) for n, day in enumerate(days, start=1))
    if community == ML and year == 2014:
        wanted -= len(catalogue.CONFERENCES_2014)
    free = max(0, wanted - len(slots))
    mix = catalogue.FREE_MIX[community]
    slots.extend((day, _pick(rng, mix), None, 1) for day in _free_days(planner.story, year, free))
    plans = []
    for day, format, spec, number in sorted(slots, key=lambda slot: slot[0]):
        if day < first_day:
            continue
        topics = ["deep-learning"] if spec is not None and spec.key == "study-group" else None
        plan = plan_event(planner, community=community, format=format, day=day, series=spec,
                          number=number, topics=topics)  # fmt: skip
        if plan.starts_at >= last:
            continue
        plans.append(plan)
    return plans


def _conferences(planner: Planner) -> list[EventPlan]:
    """The two 2014 conferences: 1,000 seats (fewer in a smaller demo), gone within hours."""
    story, rng = planner.story, planner.rng
    seats = conference_seats(story.members)
    plans = []
    for title, month, day, city, (open_month, open_day) in catalogue.CONFERENCES_2014:
        zone = "America/Los_Angeles"
        starts_at = local_moment(date(2014, month, day), 9, 0, zone)
        opens_at = local_moment(date(2014, open_month, open_day), 9, 0, zone)
        organizer = planner.manager or planner.organizer(ML, opens_at)
        plan = EventPlan(
            community=ML, format=F.CONFERENCE, title=title, topics=["machine-learning", "mlops"],
            starts_at=starts_at, ends_at=starts_at + timedelta(days=1, hours=8), time_zone=zone,
            mode=EventMode.IN_PERSON, organizer=organizer, created_at=opens_at - timedelta(days=14),
            description=catalogue.CONFERENCE_DESCRIPTION, venue_city=city,
            venue_building=catalogue.CONFERENCE_VENUE[0], venue_room=catalogue.CONFERENCE_VENUE[1],
            registration_opens_at=opens_at, uid=planner.new_uid(),
            check_in_code=planner.check_in_code(), rush_hours=rng.uniform(2.5, 4.0),
        )  # fmt: skip
        waitlist = round(seats * catalogue.CONFERENCE_WAITLIST / catalogue.CONFERENCE_SEATS)
        plan.seats[SeatMode.IN_PERSON] = SeatPlan(SeatMode.IN_PERSON, seats, waitlist)
        plan.demand = seats + waitlist
        plan.hosts.append(HostPlan(organizer, "host"))
        founder = story.ml_founder
        if founder is not None and founder is not organizer:
            plan.hosts.append(HostPlan(founder, "host"))
        if story.ml_sponsor is not None:
            plan.hosts.append(HostPlan(story.ml_sponsor, "speaker"))
        plans.append(plan)
    return plans


def conference_seats(members: int) -> int:
    """1,000 seats for the full-size community; in proportion for a smaller demo."""
    share = min(1.0, members / catalogue.DEFAULT_MEMBERS)
    return max(10, round(catalogue.CONFERENCE_SEATS * share))


def _showcase(planner: Planner, now: datetime) -> list[EventPlan]:
    """Two upcoming events the tour shows: a lab already full with a waiting list, and a
    keynote whose registration opens in a few days (the next rush)."""
    story = planner.story
    llms = ["large-language-models"]
    lab_day, keynote_day = (now + timedelta(days=9)).date(), (now + timedelta(days=33)).date()
    lab = plan_event(planner, community=ML, format=F.HANDS_ON_LAB, day=lab_day, topics=llms)
    lab.title = "Hands-on lab: fine-tuning large language models on the GPU cluster"
    lab.mode = EventMode.IN_PERSON
    lab.seats = {SeatMode.IN_PERSON: SeatPlan(SeatMode.IN_PERSON, 30, 25)}
    lab.online_url = ""
    lab.registration_opens_at = None
    lab.created_at = now - timedelta(days=20)
    lab.demand = 44
    keynote = plan_event(planner, community=ML, format=F.KEYNOTE, day=keynote_day, topics=llms)
    keynote.registration_opens_at = local_moment(
        (now + timedelta(days=3)).date(), 9, 0, keynote.time_zone
    )
    keynote.created_at = now - timedelta(days=6)
    if story.ml_sponsor is not None:
        keynote.hosts = [HostPlan(keynote.organizer, "host"), HostPlan(story.ml_sponsor, "speaker")]
        keynote.title = f"Keynote: {story.ml_sponsor.user.display_name} on large language models"
        keynote.description = _describe(planner, keynote)
    return [lab, keynote]


def plan_calendar(story: "DemoStory") -> list[EventPlan]:
    """Every community's events from its first year to a few weeks past the present."""
    planner = Planner(story)
    last = story.now + HORIZON
    plans: list[EventPlan] = []
    for spec in COMMUNITIES:
        first_day = max(spec.founded + FIRST_EVENTS_AFTER_FOUNDING, EARLIEST_ML_EVENT)
        for year in range(first_day.year, last.year + 1):
            plans.extend(_plan_year(planner, spec.slug, year, first_day, last))
    plans.extend(_conferences(planner))
    plans.extend(_showcase(planner, story.now))
    rng = story.rng
    for plan in plans:
        if (
            plan.starts_at < story.now
            and plan.format != F.CONFERENCE
            and rng.random() < CANCELLED_SHARE
        ):
            plan.status = EventStatus.CANCELLED
            plan.cancellation_reason = rng.choice(catalogue.CANCELLATION_REASONS)
            plan.sequence = 1
        elif rng.random() < 0.04:
            plan.sequence = rng.randint(1, 2)  # moved once or twice
    for plan in plans:  # one host row per member, as the unique constraint wants
        seen: set[int] = set()
        plan.hosts = [
            h for h in plan.hosts
            if h.person is None or (id(h.person) not in seen and not seen.add(id(h.person)))
        ]  # fmt: skip
    plans.sort(key=lambda plan: plan.starts_at)
    return plans
