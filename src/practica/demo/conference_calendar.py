"""The conference's editions on the calendar: twice a year since 2014 (spring and autumn), the
last ones before the story's present finished, and the next one announced, its call closed a
few days ago and its review under way.

Each edition is an event of format "conference" (registration, waiting list, calendar), as
`services.editions.create_edition` makes it. The 2014 editions are the events demo's two 2014
conferences; later ones are planned here, before the events are saved, so they get seats,
registrations (recent editions), check-ins, feedback, materials and costs from the events
demo. The community plans 50–60 events a year with the conference among them (as in 2014),
so each later edition takes the place of one free-slot event of its year.
"""

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from practica.demo import conference_catalogue as catalogue
from practica.demo.conference_plans import EditionPlan
from practica.demo.event_catalogue import CONFERENCE_SEATS, CONFERENCE_VENUE, CONFERENCE_WAITLIST
from practica.demo.event_extras import leave_materials, record_costs
from practica.demo.event_people import Attendance, recount_seats
from practica.demo.events import EventPlan, HostPlan, SeatPlan, conference_seats, local_moment
from practica.demo.growth import ML
from practica.demo.logins import MANAGER_EMAIL
from practica.events.models import EventFormat as F
from practica.events.models import EventMode, EventStatus, SeatMode

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

CURRENT_LEAD = timedelta(days=70)  # the announced edition is at least this far off
REGISTRATION_YEARS = 3  # editions of the last years get registrations (the rest: seats only)
# Free-slot formats a conference may take the place of.
REPLACEABLE = (F.TALK, F.WEBINAR, F.MEETUP, F.TUTORIAL, F.HANDS_ON_LAB, F.PANEL)


def _tuesday_on_or_after(day: date) -> date:
    return day + timedelta(days=(1 - day.weekday()) % 7)


def _seasonal_start(season: str, year: int) -> date:
    month, day = catalogue.SEASON_DAYS[season]
    return _tuesday_on_or_after(date(year, month, day))


def _end_of_day(day: date) -> datetime:
    return local_moment(day, 23, 59, catalogue.ZONE)


def _past_edition(season: str, year: int, first: bool) -> EditionPlan:
    """A finished edition: call, review, decisions and program before its two days. The
    first one (spring 2014, the community's first year with a manager) ran on a short call."""
    starts = _seasonal_start(season, year)
    call_weeks, open_weeks, review_days, decide_days, program_days = (
        (10, 4, 14, 5, 7) if first else (16, 6, 18, 7, 14)
    )
    cfp_opens = local_moment(starts - timedelta(weeks=call_weeks), 9, 0, catalogue.ZONE)
    cfp_closes = _end_of_day((cfp_opens + timedelta(weeks=open_weeks)).date())
    review_opens = local_moment(cfp_closes.date() + timedelta(days=2), 9, 0, catalogue.ZONE)
    review_closes = _end_of_day(review_opens.date() + timedelta(days=review_days))
    decisions = local_moment(review_closes.date() + timedelta(days=decide_days), 17, 0,
                             catalogue.ZONE)  # fmt: skip
    return EditionPlan(
        season=season,
        year=year,
        starts_on=starts,
        ends_on=starts + timedelta(days=1),
        cfp_opens_at=cfp_opens,
        cfp_closes_at=cfp_closes,
        review_opens_at=review_opens,
        review_closes_at=review_closes,
        decisions_due_at=decisions,
        program_published_at=decisions + timedelta(days=program_days, hours=-1),
        created_at=cfp_opens - timedelta(days=12),
        online=year in catalogue.ONLINE_YEARS,
        double_blind=year >= 2019,
    )


def _current_edition(season: str, year: int, now: datetime) -> EditionPlan:
    """The announced edition: its call closed four days ago, reviewing opened the day after
    and runs three more weeks; decisions ten days later."""
    starts = max(_seasonal_start(season, year), _tuesday_on_or_after((now + CURRENT_LEAD).date()))
    today = now.date()
    cfp_opens = local_moment(today - timedelta(days=60), 9, 0, catalogue.ZONE)
    cfp_closes = _end_of_day(today - timedelta(days=5))
    review_opens = local_moment(today - timedelta(days=3), 9, 0, catalogue.ZONE)
    review_closes = _end_of_day(today + timedelta(days=21))
    return EditionPlan(
        season=season,
        year=year,
        starts_on=starts,
        ends_on=starts + timedelta(days=1),
        cfp_opens_at=cfp_opens,
        cfp_closes_at=cfp_closes,
        review_opens_at=review_opens,
        review_closes_at=review_closes,
        decisions_due_at=local_moment(today + timedelta(days=31), 17, 0, catalogue.ZONE),
        created_at=cfp_opens - timedelta(days=12),
        is_current=True,
        double_blind=True,
        max_load=10,
    )


def plan_editions(now: datetime) -> list[EditionPlan]:
    """Every edition from spring 2014 to the announced one, oldest first."""
    editions: list[EditionPlan] = []
    today = now.date()
    year = catalogue.FIRST_YEAR
    while True:
        for season in ("Spring", "Autumn"):
            starts = _seasonal_start(season, year)
            if starts + timedelta(days=1) < today:
                editions.append(_past_edition(season, year, first=not editions))
            else:
                editions.append(_current_edition(season, year, now))
                return editions
        year += 1


def _new_uid(story: "DemoStory") -> uuid.UUID:
    return uuid.UUID(int=story.rng.getrandbits(128), version=4)


def _check_in_code(story: "DemoStory") -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(alphabet[story.rng.randrange(len(alphabet))] for _ in range(6))


def _event(story: "DemoStory", edition: EditionPlan) -> EventPlan:
    """The edition's conference event: 09:00 on the first day to 18:00 on the last, as the
    editions service makes it; registration opens once the program is out."""
    organizer = story.logins.get(MANAGER_EMAIL) or story.people[0]
    zone = catalogue.ZONE
    starts_at = local_moment(edition.starts_on, 9, 0, zone)
    if edition.is_current:
        opens_on = edition.starts_on - timedelta(weeks=8)
    else:
        assert edition.program_published_at is not None
        opens_on = edition.program_published_at.date() + timedelta(days=3)
    plan = EventPlan(
        community=ML,
        format=F.CONFERENCE,
        title=f"{story.communities[ML].name} conference: {edition.name}",
        topics=["machine-learning", "mlops"],
        starts_at=starts_at,
        ends_at=local_moment(edition.ends_on, 18, 0, zone),
        time_zone=zone,
        mode=EventMode.ONLINE if edition.online else EventMode.IN_PERSON,
        organizer=organizer,
        created_at=edition.created_at,
        description=_description(story, edition),
        registration_opens_at=local_moment(opens_on, 9, 0, zone),
        uid=_new_uid(story),
        check_in_code=_check_in_code(story),
        rush_hours=story.rng.uniform(1.0, 6.0),
    )
    seats = conference_seats(story.members)
    waitlist = round(seats * CONFERENCE_WAITLIST / CONFERENCE_SEATS)
    if edition.online:
        plan.online_url = f"https://meet.corp.example.com/j/{story.rng.randrange(10**9, 10**10)}"
        plan.seats[SeatMode.ONLINE] = SeatPlan(SeatMode.ONLINE, 2 * seats, None)
        plan.demand = round(2 * seats * story.rng.uniform(0.8, 0.95))
    else:
        plan.venue_city = "Redmond"
        plan.venue_building, plan.venue_room = CONFERENCE_VENUE
        plan.seats[SeatMode.IN_PERSON] = SeatPlan(SeatMode.IN_PERSON, seats, waitlist)
        plan.demand = seats + round(waitlist * story.rng.uniform(0.5, 1.0))
    plan.hosts.append(HostPlan(organizer, "host"))
    return plan


def _description(story: "DemoStory", edition: EditionPlan) -> str:
    return catalogue.DESCRIPTION.format(
        community=story.communities[ML].name,
        season=edition.season.lower(),
        year=edition.year,
        posters=" and posters" if edition.year > catalogue.FIRST_YEAR else "",
    )


def _make_room(story: "DemoStory", edition: EditionPlan, events: list[EventPlan]) -> None:
    """Take one past free-slot Machine Learning event of the edition's year off the calendar,
    the one nearest the conference (no demo login took part in it)."""
    logins = {id(plan) for plan in story.logins.values()}
    middle = datetime.combine(edition.starts_on, time(12), tzinfo=UTC)
    candidates = [
        plan
        for plan in events
        if plan.community == ML
        and plan.series is None
        and plan.format in REPLACEABLE
        and plan.status == EventStatus.PUBLISHED
        and plan.starts_at.year == edition.year
        and plan.ends_at < story.now  # never one still on the calendar ahead
        and not any(id(r.person) in logins for r in plan.registrations)
        and not any(h.person is not None and id(h.person) in logins for h in plan.hosts)
    ]
    if candidates:
        events.remove(min(candidates, key=lambda plan: abs(plan.starts_at - middle)))


def plan_conference_events(story: "DemoStory") -> None:
    """Plan the editions and put their conference events on the calendar (before the events
    are saved): the 2014 ones are the events demo's conferences."""
    editions = plan_editions(story.now)
    events: list[EventPlan] = story.events
    conferences_2014 = sorted(
        (plan for plan in events if plan.format == F.CONFERENCE and plan.community == ML),
        key=lambda plan: plan.starts_at,
    )
    attendance: Attendance | None = None
    recent = story.today.year - REGISTRATION_YEARS
    added = []
    for edition in editions:
        if edition.year == catalogue.FIRST_YEAR and conferences_2014:
            edition.event = conferences_2014.pop(0)
            edition.starts_on = edition.event.starts_at.astimezone(UTC).date()
            edition.ends_on = edition.starts_on + timedelta(days=1)
            continue
        event = edition.event = _event(story, edition)
        added.append(event)
        if edition.is_current:
            continue
        _make_room(story, edition, events)
        if edition.year >= recent:
            attendance = attendance or Attendance(story)
            attendance.fill(event)
            recount_seats(event)
            attendance.after(event)
        leave_materials(story, event)
        record_costs(story, event)
    events.extend(added)
    events.sort(key=lambda plan: plan.starts_at)
    story.editions = editions
