"""Who came to the demo's events: registrations and waiting lists, cancellations and offered
seats, check-ins and walk-ins, reminders, feedback and AMA questions with their votes.

Registrants are members of the hosting community (and some of a co-host's) at the time, drawn
with a preference for people who list one of the event's topics; the 2014 conferences draw on
the whole company. Seats are handed out in arrival order exactly as `register_for_event`
would: a seat while one is free, else a waiting-list place while the list has room, else
nothing. Cancellations free seats that go to the first person waiting, who confirms (or lets
the offer expire, and the next person gets it). The seat counters are those rows' counts.
"""

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import TYPE_CHECKING

from practica.demo import event_catalogue as catalogue
from practica.demo.event_catalogue import FORMATS
from practica.demo.events import EventPlan, SeatPlan
from practica.demo.growth import ML
from practica.demo.people import PersonPlan, date_at
from practica.events.models import CheckInMethod, EventStatus, QuestionStatus, SeatMode
from practica.events.models import EventFormat as F
from practica.events.models import RegistrationStatus as S

if TYPE_CHECKING:
    from random import Random

    from practica.demo.story import DemoStory

FAR = datetime.max.replace(tzinfo=UTC)
MIN_OFFER = timedelta(minutes=5)
CANCEL_SHARE = 0.07
ATTEND_SHARE = {SeatMode.IN_PERSON: 0.78, SeatMode.ONLINE: 0.55}
FEEDBACK_SHARE = 0.28
HOLDING = (S.REGISTERED, S.OFFERED)


@dataclass(slots=True, eq=False)
class RegistrationPlan:
    person: PersonPlan
    mode: str
    status: str
    registered_at: datetime
    # When it got its seat (the ledger's REGISTERED row): when it registered, or when a seat
    # was offered from the waiting list (saved as offered_at).
    seat_at: datetime | None = None
    waitlist_position: int | None = None
    offered_at: datetime | None = None
    offer_expires_at: datetime | None = None
    cancelled_at: datetime | None = None
    checked_in_at: datetime | None = None
    check_in_method: str = ""
    reminders_sent: int = 0


@dataclass(slots=True, eq=False)
class QuestionPlan:
    author: PersonPlan
    text: str
    asked_at: datetime
    is_anonymous: bool = False
    status: str = QuestionStatus.OPEN
    answered_at: datetime | None = None
    votes: list[tuple[PersonPlan, datetime]] = field(default_factory=list)
    id: int = 0


class MemberPool:
    """People ordered by when they joined, to draw those who were there at a moment."""

    def __init__(self, entries: list[tuple[datetime, datetime | None, PersonPlan]]) -> None:
        entries.sort(key=lambda entry: entry[0])
        self.joined = [entry[0] for entry in entries]
        self.left = [entry[1] or FAR for entry in entries]
        self.people = [entry[2] for entry in entries]
        self.left_sorted = sorted(moment for moment in self.left if moment is not FAR)

    def active(self, at: datetime) -> int:
        return bisect_right(self.joined, at) - bisect_right(self.left_sorted, at)

    def draw(
        self,
        rng: "Random",
        at: datetime,
        count: int,
        exclude: set[int],
        prefer: Callable[[PersonPlan], bool] | None = None,
    ) -> list[PersonPlan]:
        """Up to `count` different people there at `at`, not in `exclude` (ids), favouring
        those `prefer` likes (the others are taken half as often)."""
        prefix = bisect_right(self.joined, at)
        active = prefix - bisect_right(self.left_sorted, at)
        count = min(count, active - len(exclude))
        if count <= 0:
            return []
        left, people = self.left, self.people
        if count * 3 >= active:
            present = [
                people[i] for i in range(prefix) if left[i] > at and id(people[i]) not in exclude
            ]
            rng.shuffle(present)
            return present[:count]
        chosen: list[PersonPlan] = []
        seen = set(exclude)
        tries = count * 20
        while len(chosen) < count and tries:
            tries -= 1
            index = rng.randrange(prefix)
            person = people[index]
            if left[index] <= at or id(person) in seen:
                continue
            if prefer is not None and not prefer(person) and rng.random() < 0.5:
                continue
            seen.add(id(person))
            chosen.append(person)
        return chosen


def member_pools(
    story: "DemoStory",
) -> tuple[dict[str, MemberPool], dict[tuple[str, str], MemberPool]]:
    """Each community's members, and its members who list a topic, by (community, topic)."""
    entries: dict[str, list] = {}
    by_topic: dict[tuple[str, str], list] = {}
    for membership in story.memberships:
        entry = (membership.joined_at, membership.left_at, membership.person)
        entries.setdefault(membership.community, []).append(entry)
        for topic in membership.person.topics:
            by_topic.setdefault((membership.community, topic), []).append(entry)
    return (
        {slug: MemberPool(rows) for slug, rows in entries.items()},
        {key: MemberPool(rows) for key, rows in by_topic.items()},
    )


def company_pool(story: "DemoStory") -> MemberPool:
    return MemberPool(
        [
            (date_at(p.user.hired_on), p.left_at, p)
            for p in story.people
            if not p.user.is_system and p.user.hired_on is not None
        ]
    )


_CUMULATIVE: dict[int, tuple[tuple, list[float], float]] = {}


def _weighted(rng: "Random", pairs: tuple[tuple[int, int], ...]) -> int:
    """A value of (value, weight) pairs; the cumulative weights are worked out once."""
    cached = _CUMULATIVE.get(id(pairs))
    if cached is None:
        values, weights = zip(*pairs, strict=True)
        cumulative = list(accumulate(weights))
        cached = _CUMULATIVE[id(pairs)] = (values, cumulative, cumulative[-1])
    values, cumulative, total = cached
    return values[bisect_right(cumulative, rng.random() * total)]


class Attendance:
    """Fills the planned events with people; `fill` each event, then `tour` for the logins."""

    def __init__(self, story: "DemoStory") -> None:
        self.story = story
        self.rng = story.rng
        self.now = story.now
        self.pools, self.topic_pools = member_pools(story)
        self.company = company_pool(story)

    # --- registrations -------------------------------------------------------------------
    def fill(self, plan: EventPlan) -> None:
        rng = self.rng
        exclude = {id(h.person) for h in plan.hosts if h.person is not None}
        if plan.format == F.CONFERENCE:
            people = self._conference_crowd(plan, exclude)
            times = self._rush_times(plan, len(people))
        else:
            pool = self.pools.get(plan.community)
            if pool is None:
                return
            demand = plan.demand
            if demand is None:
                low, high = FORMATS[plan.format].interest
                active = pool.active(plan.starts_at)
                for co_host in plan.co_hosts:
                    active += 0.3 * self.pools[co_host].active(plan.starts_at)
                demand = round(active * rng.uniform(low, high))
            people = self._audience(plan, plan.community, demand, exclude)
            for co_host in plan.co_hosts:
                seen = exclude | {id(p) for p in people}
                extra = round(len(people) * 0.25)
                people += self._audience(plan, co_host, extra, seen)
            times = self._arrival_times(plan, len(people))
        limit = min(self.now, plan.starts_at)
        conference = plan.format == F.CONFERENCE
        arrivals = []
        for arrived, person in zip(times, people, strict=True):
            joined = None if conference else person.memberships.get(plan.community)
            if joined is not None and joined.joined_at > arrived:  # they came once they joined
                arrived = joined.joined_at + timedelta(minutes=rng.randint(5, 600))  # noqa: PLW2901
            if arrived < limit:
                arrivals.append((arrived, person))
        arrivals.sort(key=lambda pair: pair[0])
        for arrived, person in arrivals:
            self.claim(plan, person, arrived, self._mode_for(plan, person))
        self._cancellations(plan)
        if plan.status == EventStatus.PUBLISHED and plan.starts_at <= self.now:
            self._check_ins(plan)
        self._reminders(plan)

    def _audience(
        self, plan: EventPlan, community: str, count: int, exclude: set[int]
    ) -> list[PersonPlan]:
        """`count` members of `community` at the event; a quarter of them, where there are
        enough, members who list its first topic (people come for what they work on)."""
        rng, at = self.rng, plan.starts_at
        keen: list[PersonPlan] = []
        experts = self.topic_pools.get((community, plan.topics[0]))
        if experts is not None:
            keen = experts.draw(rng, at, min(count // 4, experts.active(at) // 2), exclude)
        seen = exclude | {id(p) for p in keen} if keen else exclude
        return keen + self.pools[community].draw(rng, at, count - len(keen), seen)

    def _conference_crowd(self, plan: EventPlan, exclude: set[int]) -> list[PersonPlan]:
        """The whole company could come; members of the ML community came most."""
        opens, ends = plan.opens_at, plan.ends_at

        def member(person: PersonPlan) -> bool:
            membership = person.memberships.get(ML)
            return membership is not None and membership.joined_at <= opens

        crowd = self.company.draw(self.rng, opens, plan.demand or 0, exclude, member)
        return [p for p in crowd if p.left_at is None or p.left_at > ends]

    def _rush_times(self, plan: EventPlan, count: int) -> list[datetime]:
        """Seats go within `rush_hours` of opening, most in the first minutes; the waiting list
        keeps filling for hours after."""
        rng, opens = self.rng, plan.opens_at
        seats = sum(seat.capacity or 0 for seat in plan.seats.values())
        rush = (plan.rush_hours or 3.0) * 3600
        times = [
            opens + timedelta(seconds=rush * rng.random() ** 1.7) for _ in range(min(seats, count))
        ]
        times += [
            opens + timedelta(seconds=rush + rng.expovariate(1 / (5 * 3600)))
            for _ in range(count - len(times))
        ]
        return times

    def _arrival_times(self, plan: EventPlan, count: int) -> list[datetime]:
        """Many register when the event is announced, the rest spread until it starts."""
        rng, opens = self.rng, plan.opens_at
        end = plan.starts_at if plan.demand is None else min(plan.starts_at, self.now)
        span = max(60.0, (end - opens).total_seconds())
        times = []
        for _ in range(count):
            if rng.random() < 0.45:
                offset = min(span * 0.999, rng.expovariate(1 / (2 * 86400)))
            else:
                offset = span * rng.random()
            times.append(opens + timedelta(seconds=offset))
        return times

    def _mode_for(self, plan: EventPlan, person: PersonPlan) -> str:
        if len(plan.seats) == 1:
            return next(iter(plan.seats))
        local = person.user.location == plan.venue_city
        return (
            SeatMode.IN_PERSON if self.rng.random() < (0.5 if local else 0.05) else SeatMode.ONLINE
        )

    def claim(
        self, plan: EventPlan, person: PersonPlan, moment: datetime, mode: str
    ) -> RegistrationPlan | None:
        """A seat if one is free, else a waiting-list place, else nothing (refused)."""
        seat = plan.seats[mode]
        if seat.capacity is None or seat.taken < seat.capacity:
            seat.taken += 1
            registration = RegistrationPlan(person, mode, S.REGISTERED, moment, seat_at=moment)
        elif seat.waitlist_limit is None or seat.waitlisted < seat.waitlist_limit:
            seat.waitlisted += 1
            seat.last_waitlist_position += 1
            registration = RegistrationPlan(
                person, mode, S.WAITLISTED, moment, waitlist_position=seat.last_waitlist_position
            )
        else:
            return None
        plan.registrations.append(registration)
        return registration

    def _cancellations(self, plan: EventPlan) -> None:
        rng, limit = self.rng, min(self.now, plan.starts_at)
        cancelling = []
        for registration in plan.registrations:
            if registration.status == S.REGISTERED and rng.random() < CANCEL_SHARE:
                moment = (
                    registration.registered_at + (limit - registration.registered_at) * rng.random()
                )
                if moment < limit:
                    cancelling.append((moment, registration))
        queues = {
            mode: [r for r in plan.registrations if r.mode == mode and r.status == S.WAITLISTED]
            for mode in plan.seats
        }
        for moment, registration in sorted(cancelling, key=lambda pair: pair[0]):
            registration.status = S.CANCELLED
            registration.cancelled_at = moment
            seat = plan.seats[registration.mode]
            seat.taken -= 1
            self._offer(plan, seat, queues[registration.mode], moment)

    def _offer(
        self, plan: EventPlan, seat: SeatPlan, queue: list[RegistrationPlan], moment: datetime
    ) -> None:
        """The freed seat goes to the first person waiting; an expired offer to the next."""
        rng = self.rng
        while queue and (seat.capacity is None or seat.taken < seat.capacity):
            first = queue[0]
            if moment >= plan.starts_at:
                return
            queue.pop(0)
            seat.waitlisted -= 1
            first.waitlist_position = None
            if first.registered_at >= moment:  # the seat was free when they came: no waiting
                first.status, first.seat_at = S.REGISTERED, first.registered_at
                seat.taken += 1
                continue
            first.offered_at = moment
            expires = min(moment + timedelta(minutes=plan.offer_minutes), plan.starts_at)
            if expires - moment < MIN_OFFER:
                first.status, first.seat_at = S.REGISTERED, moment
            elif expires > self.now:
                first.status, first.offer_expires_at = S.OFFERED, expires
            elif rng.random() < 0.85:
                first.status, first.seat_at = S.REGISTERED, moment  # confirmed at once
            else:
                first.status, first.offer_expires_at = S.EXPIRED, expires
                moment = expires
                continue
            seat.taken += 1

    # --- the day itself ------------------------------------------------------------------
    def _check_ins(self, plan: EventPlan) -> None:
        rng, starts = self.rng, plan.starts_at
        share = 0.9 if plan.format == F.CONFERENCE else None
        in_person = 0
        for registration in plan.registrations:
            if registration.status != S.REGISTERED:
                continue
            if rng.random() >= (share or ATTEND_SHARE[registration.mode]):
                continue
            if registration.mode == SeatMode.IN_PERSON:
                in_person += 1
                registration.checked_in_at = starts + timedelta(minutes=rng.uniform(-20, 15))
                registration.check_in_method = (
                    CheckInMethod.ORGANIZER if rng.random() < 0.55 else CheckInMethod.SELF
                )
            else:
                registration.checked_in_at = starts + timedelta(minutes=rng.uniform(0, 10))
                registration.check_in_method = CheckInMethod.IMPORT
        seat = plan.seats.get(SeatMode.IN_PERSON)
        pool = self.pools.get(plan.community)
        if seat is None or pool is None or plan.format == F.CONFERENCE or not in_person:
            return
        walk_ins = round(in_person * rng.uniform(0, 0.06))
        if seat.capacity is not None:
            walk_ins = min(walk_ins, seat.capacity - seat.taken)
        if walk_ins <= 0:
            return
        here = {id(r.person) for r in plan.registrations} | {
            id(h.person) for h in plan.hosts if h.person is not None
        }
        for person in pool.draw(rng, starts, walk_ins, here):
            moment = starts + timedelta(minutes=rng.uniform(-5, 20))
            seat.taken += 1
            plan.registrations.append(
                RegistrationPlan(
                    person, SeatMode.IN_PERSON, S.REGISTERED, moment,
                    checked_in_at=moment, check_in_method=CheckInMethod.WALK_IN,
                )
            )  # fmt: skip

    def _reminders(self, plan: EventPlan) -> None:
        """The day-before and hour-before reminders reached whoever held a seat by then."""
        if plan.status != EventStatus.PUBLISHED:
            return
        sent = [
            moment
            for moment in (plan.starts_at - timedelta(days=1), plan.starts_at - timedelta(hours=1))
            if moment < self.now
        ]
        if not sent:
            return
        for registration in plan.registrations:
            held = registration.seat_at
            if held is not None and registration.status in HOLDING:
                registration.reminders_sent = sum(held <= moment for moment in sent)

    # --- after ---------------------------------------------------------------------------
    def after(self, plan: EventPlan) -> None:
        """Feedback from attendees and the AMA board (costs and materials: event_extras)."""
        if plan.status != EventStatus.PUBLISHED:
            return
        if plan.format == F.AMA:
            self._ama_board(plan)
        if plan.ends_at > self.now:
            return
        rng = self.rng
        share = 0.45 if plan.format == F.CONFERENCE else FEEDBACK_SHARE
        latest = min(self.now, plan.ends_at + timedelta(days=29))
        answered = {id(person) for person, *_rest in plan.feedback}
        for registration in plan.registrations:
            if registration.checked_in_at is None or rng.random() >= share:
                continue
            if id(registration.person) in answered:
                continue
            submitted = plan.ends_at + timedelta(seconds=rng.expovariate(1 / (20 * 3600)))
            if submitted >= latest:
                continue
            recommend = _weighted(rng, catalogue.RECOMMEND) if rng.random() < 0.75 else None
            comment = rng.choice(catalogue.FEEDBACK_COMMENTS) if rng.random() < 0.3 else ""
            satisfaction = _weighted(rng, catalogue.SATISFACTION)
            plan.feedback.append((registration.person, satisfaction, recommend, comment, submitted))

    def _ama_board(self, plan: EventPlan) -> None:
        rng = self.rng
        present = [r for r in plan.registrations if r.status in (*HOLDING, S.WAITLISTED)]
        if len(present) < 4:
            return
        until = min(plan.ends_at, self.now)
        count = min(len(present) // 3, rng.randint(8, 24))
        if plan.starts_at > self.now:  # still collecting questions
            count = max(1, count // 2)
        voters = [r.person for r in present]
        topic = self.story.topics[plan.topics[0]].name
        for registration in rng.sample(present, count):
            start = max(registration.registered_at, plan.opens_at)
            asked = start + (until - start) * rng.random()
            text = rng.choice(catalogue.AMA_QUESTIONS).format(topic=topic)
            question = QuestionPlan(
                registration.person, text, asked,
                is_anonymous=plan.anonymous_questions and rng.random() < 0.35,
            )  # fmt: skip
            wanted = min(
                len(voters) - 1, int(rng.expovariate(1 / 7)) + int(rng.random() < 0.1) * 25
            )
            for voter in rng.sample(voters, min(len(voters), wanted + 1)):
                if voter is not registration.person and len(question.votes) < wanted:
                    question.votes.append((voter, asked + (until - asked) * rng.random()))
            plan.questions.append(question)
        if plan.ends_at <= self.now:
            ranked = sorted(plan.questions, key=lambda q: (-len(q.votes), q.asked_at))
            for minute, question in enumerate(ranked[: rng.randint(5, 10)], start=1):
                question.status = QuestionStatus.ANSWERED
                question.answered_at = plan.starts_at + timedelta(minutes=4 * minute)
            if len(ranked) > 10 and rng.random() < 0.3:
                ranked[-1].status = QuestionStatus.HIDDEN


def recount_seats(plan: EventPlan) -> None:
    """The counters as `register_for_event` keeps them: seats held and places waiting."""
    for seat in plan.seats.values():
        seat.taken = seat.waitlisted = 0
    for registration in plan.registrations:
        seat = plan.seats[registration.mode]
        if registration.status in HOLDING:
            seat.taken += 1
        elif registration.status == S.WAITLISTED:
            seat.waitlisted += 1
