"""The demo step that plans the events, and what past events leave behind (recordings, slides,
notebooks; cost lines); the demo logins' own events: the member attended a few since joining
and holds a seat at one upcoming event, with others still open for the visitor to register."""

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from practica.demo.event_people import Attendance, recount_seats
from practica.demo.events import EventPlan, plan_calendar
from practica.demo.growth import ML
from practica.demo.logins import MEMBER_EMAIL
from practica.events.models import CheckInMethod, CostCategory, EventStatus, MaterialKind, SeatMode
from practica.events.models import EventFormat as F
from practica.events.models import RegistrationStatus as S

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

# (kind, title, chance) by format
MATERIALS: dict[str, tuple[tuple[str, str, float], ...]] = {
    F.TALK: ((MaterialKind.RECORDING, "Recording", 0.85), (MaterialKind.SLIDES, "Slides", 0.7)),
    F.WEBINAR: ((MaterialKind.RECORDING, "Recording", 0.9), (MaterialKind.SLIDES, "Slides", 0.6)),
    F.TUTORIAL: (
        (MaterialKind.RECORDING, "Recording", 0.8),
        (MaterialKind.SLIDES, "Slides", 0.8),
        (MaterialKind.NOTEBOOK, "Tutorial notebook", 0.7),
    ),
    F.HANDS_ON_LAB: (
        (MaterialKind.NOTEBOOK, "Lab notebook", 0.9),
        (MaterialKind.CODE, "Lab repository", 0.6),
        (MaterialKind.SLIDES, "Slides", 0.5),
    ),
    F.AMA: ((MaterialKind.RECORDING, "Recording", 0.85),),
    F.PANEL: ((MaterialKind.RECORDING, "Recording", 0.85),),
    F.KEYNOTE: ((MaterialKind.RECORDING, "Recording", 0.95), (MaterialKind.SLIDES, "Slides", 0.8)),
    F.CHALLENGE: (
        (MaterialKind.CODE, "Starter kit and winning solutions", 0.8),
        (MaterialKind.OTHER, "Final leaderboard", 0.9),
    ),
    F.HACKATHON: ((MaterialKind.CODE, "Projects", 0.7), (MaterialKind.RECORDING, "Demos", 0.5)),
    F.MEETUP: ((MaterialKind.SLIDES, "Lightning talk slides", 0.3),),
    F.STUDY_SESSION: ((MaterialKind.SLIDES, "Notes", 0.4),),
    F.QUIZ: (),
    F.CONFERENCE: (
        (MaterialKind.RECORDING, "Recordings of every session", 1.0),
        (MaterialKind.SLIDES, "Slides and posters", 1.0),
        (MaterialKind.OTHER, "Program", 1.0),
    ),
}
URLS = {
    MaterialKind.RECORDING: "https://video.corp.example.com/communities/{community}/events/{id}",
    MaterialKind.SLIDES: "https://share.corp.example.com/{community}/events/{id}/slides.pdf",
    MaterialKind.NOTEBOOK: "https://notebooks.corp.example.com/{community}/events/{id}/lab.ipynb",
    MaterialKind.CODE: "https://git.corp.example.com/{community}/event-{id}",
    MaterialKind.OTHER: "https://share.corp.example.com/{community}/events/{id}/",
}
# Food per attendee and day, by format (in-person attendees only).
FOOD_PER_HEAD = {
    F.MEETUP: 18, F.HACKATHON: 35, F.QUIZ: 15, F.HANDS_ON_LAB: 12, F.CONFERENCE: 40,
    F.TUTORIAL: 8, F.STUDY_SESSION: 6, F.TALK: 5, F.KEYNOTE: 6, F.PANEL: 5, F.AMA: 5,
}  # fmt: skip
CONFERENCE_COSTS = (
    (CostCategory.VENUE, "Conference centre, two days", 45000),
    (CostCategory.RECORDING, "Recording and streaming of every session", 8000),
    (CostCategory.SWAG, "Badges, T-shirts and poster boards", 12000),
    (CostCategory.SPEAKER, "Travel of invited speakers", 9500),
)


def _money(amount: float) -> Decimal:
    return Decimal(f"{amount:.2f}")


def leave_materials(story: "DemoStory", plan: EventPlan) -> None:
    """Recordings, slides, notebooks: added by the organizer in the days after the event."""
    rng = story.rng
    for kind, title, chance in MATERIALS.get(plan.format, ()):
        if rng.random() >= chance:
            continue
        added = plan.ends_at + timedelta(hours=rng.uniform(2, 72))
        if added < story.now:
            plan.materials.append((kind, title, plan.organizer, added))


def record_costs(story: "DemoStory", plan: EventPlan) -> None:
    """Food for those in the room, recording of the big sessions, guests' travel, prizes."""
    rng = story.rng
    recorded = plan.ends_at + timedelta(days=rng.uniform(1, 10))
    if recorded >= story.now:
        return
    costs = []
    in_room = sum(
        1
        for r in plan.registrations
        if r.mode == SeatMode.IN_PERSON and r.checked_in_at is not None
    )
    days = max(1, (plan.ends_at - plan.starts_at).days + 1)
    if plan.format == F.CONFERENCE:
        costs += [(c, d, _money(a * rng.uniform(0.9, 1.1))) for c, d, a in CONFERENCE_COSTS]
    per_head = FOOD_PER_HEAD.get(plan.format, 0)
    if in_room and per_head and (plan.format not in (F.TALK, F.PANEL, F.AMA) or rng.random() < 0.3):
        what = "Lunch and coffee" if days > 1 else "Food and drinks"
        costs.append(
            (CostCategory.FOOD, what, _money(in_room * per_head * days * rng.uniform(0.85, 1.2)))
        )
    if plan.format in (F.KEYNOTE, F.PANEL, F.AMA) and plan.mode != "online":
        costs.append((CostCategory.RECORDING, "Room recording crew", _money(rng.uniform(400, 900))))
    if plan.format in (F.HACKATHON, F.CHALLENGE):
        costs.append(
            (CostCategory.SWAG, "Prizes for the winning teams", _money(rng.uniform(800, 3000)))
        )
    elif plan.format == F.QUIZ:
        costs.append((CostCategory.SWAG, "Trophy and prizes", _money(rng.uniform(120, 300))))
    if plan.format == F.MEETUP and rng.random() < 0.2:
        costs.append((CostCategory.VENUE, "External venue", _money(rng.uniform(600, 1500))))
    for host in plan.hosts:
        if host.person is None:
            travel = f"Travel of {host.guest_name}"
            costs.append((CostCategory.SPEAKER, travel, _money(rng.uniform(1500, 3800))))
    incurred = plan.starts_at.date()
    plan.costs = [(c, d, a, incurred, plan.organizer, recorded) for c, d, a in costs]


def _open_seat(plan: EventPlan, mode: str) -> bool:
    seat = plan.seats.get(mode)
    return seat is not None and (seat.capacity is None or seat.taken < seat.capacity)


def member_tour(story: "DemoStory", attendance: Attendance, plans: list[EventPlan]) -> None:
    """The member login attended three online sessions since joining (and rated one), and holds
    a seat at one upcoming webinar; other upcoming events stay open to them."""
    member = story.logins.get(MEMBER_EMAIL)
    if member is None or ML not in member.memberships:
        return
    joined, now, rng = member.memberships[ML].joined_at, story.now, story.rng
    mine = {id(plan) for plan in plans for r in plan.registrations if r.person is member}

    def fits(plan: EventPlan) -> bool:
        return (
            plan.community == ML
            and plan.status == EventStatus.PUBLISHED
            and plan.format in (F.WEBINAR, F.TALK, F.TUTORIAL)
            and id(plan) not in mine
            and _open_seat(plan, SeatMode.ONLINE)
            and plan.opens_at > joined
        )

    past = [p for p in plans if fits(p) and p.ends_at < now - timedelta(days=2)]
    for number, plan in enumerate(past[-3:]):
        moment = plan.opens_at + (plan.starts_at - plan.opens_at) * rng.uniform(0.1, 0.9)
        registration = attendance.claim(plan, member, moment, SeatMode.ONLINE)
        if registration is None:
            continue
        registration.reminders_sent = 2
        registration.checked_in_at = plan.starts_at + timedelta(minutes=2)
        registration.check_in_method = CheckInMethod.IMPORT
        if number == 0:
            comment = "Exactly what I needed for the terminology work on my team."
            plan.feedback.append((member, 5, 9, comment, plan.ends_at + timedelta(hours=3)))
    upcoming = [
        p for p in plans if fits(p) and p.opens_at < now - timedelta(days=2) and p.starts_at > now
    ]
    if upcoming:
        plan = upcoming[0]
        registration = attendance.claim(
            plan, member, now - timedelta(days=1, hours=3), SeatMode.ONLINE
        )
        if registration is not None and registration.status != S.REGISTERED:
            plan.registrations.remove(registration)


def plan_events(story: "DemoStory") -> None:
    """The calendar, who came to each event and what each left behind, into `story.events`."""
    plans = plan_calendar(story)
    attendance = Attendance(story)
    for plan in plans:
        attendance.fill(plan)
    member_tour(story, attendance, plans)
    for plan in plans:
        recount_seats(plan)
        attendance.after(plan)
        if plan.status == EventStatus.PUBLISHED and plan.ends_at < story.now:
            leave_materials(story, plan)
            record_costs(story, plan)
    story.events = plans
