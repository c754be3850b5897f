"""The welcome mail's joiners at their first events: the mail lists the community's next talks,
and many who join register for one within their first weeks; some come back in their second
month.

This runs once everything else is saved, so it knows each joiner's real ledger: whoever has
an activity in the 30 days after joining counts for the funnel's "first activity" as they
are. The others register for one of the community's talks then with the chance the year's
target asks for, and always when they were active in their second month but not in their
first (so the funnel's steps nest: everyone active in the second month was active in the
first). Of those active in the first month, some register again in their second.

A registration is what `register_for_event` would have written for an online seat of a
published talk, webinar, tutorial, panel, AMA or keynote whose registration was open: the row,
the seat count, the REGISTERED ledger row and, for a past event, most often the check-in from
the meeting's attendee list and its ATTENDED row.
"""

from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db.models import DateTimeField, ExpressionWrapper, F

from practica.core.bulk import adapters, insert_rows
from practica.core.models import Activity, ActivityKind
from practica.demo.growth import ML
from practica.demo.memberships import MembershipPlan
from practica.demo.qa_saving import ACTIVITY_COLUMNS
from practica.events.models import (
    CheckInMethod,
    Event,
    EventFormat,
    EventSeats,
    EventStatus,
    Registration,
    RegistrationStatus,
    SeatMode,
)

if TYPE_CHECKING:
    from random import Random

    from practica.demo.outreach import OutreachPlan
    from practica.demo.story import DemoStory

FIRST_WINDOW = timedelta(days=30)
SECOND_WINDOW = timedelta(days=60)
WELCOMING_FORMATS = (
    EventFormat.TALK,
    EventFormat.WEBINAR,
    EventFormat.TUTORIAL,
    EventFormat.PANEL,
    EventFormat.AMA,
    EventFormat.KEYNOTE,
)
NOT_ACTIVITY = (ActivityKind.JOINED, ActivityKind.LEFT, ActivityKind.PROFILE_UPDATED)
ONLINE_ATTENDANCE = 0.6
REGISTRATION_COLUMNS = (
    "event_id", "person_id", "mode", "status", "registered_at", "waitlist_position",
    "offered_at", "offer_expires_at", "cancelled_at", "checked_in_at", "check_in_method",
    "reminders_sent",
)  # fmt: skip


def first_month_target(year: int) -> float:
    """The share of a year's joiners active in their first 30 days: a little more each year."""
    return min(0.66, 0.55 + 0.01 * (year - 2014))


def second_month_target(year: int) -> float:
    return min(0.5, 0.4 + 0.008 * (year - 2014))


@dataclass
class Talk:
    id: int
    starts_at: datetime
    ends_at: datetime
    opens_at: datetime
    closes_at: datetime | None
    capacity: int | None
    taken: int


@dataclass
class Joiner:
    person_id: int
    joined_at: datetime
    until: datetime  # leaving the community (or the company), else the story's present
    first: bool = False  # an activity in [joined, joined + 30 days)
    second: bool = False  # … in [joined + 30 days, joined + 60 days)


def _joiners(story: "DemoStory", plan: "OutreachPlan") -> list[Joiner]:
    found = []
    for membership in plan.joiner_plans:
        membership: MembershipPlan
        until = min(membership.left_at or story.now, story.now)
        found.append(Joiner(membership.person.user.id, membership.joined_at, until))
    return found


def _mark_activity(campaign_id: int, joiners: list[Joiner]) -> None:
    """Which joiners the ledger already shows active in each window (one query)."""
    by_person = {joiner.person_id: joiner for joiner in joiners}
    joined = F("person__campaign_mails__joined_at")
    rows = (
        Activity.objects.filter(
            person__campaign_mails__campaign_id=campaign_id,
            person__campaign_mails__joined_at__isnull=False,
            occurred_at__gte=joined,
            occurred_at__lt=ExpressionWrapper(joined + SECOND_WINDOW, output_field=DateTimeField()),
        )
        .exclude(kind__in=NOT_ACTIVITY)
        .values_list("person_id", "occurred_at")
    )
    for person_id, at in rows:
        joiner = by_person.get(person_id)
        if joiner is None:
            continue
        if at - joiner.joined_at < FIRST_WINDOW:
            joiner.first = True
        else:
            joiner.second = True


def _talks(story: "DemoStory") -> list[Talk]:
    rows = EventSeats.objects.filter(
        event__community=story.communities[ML],
        event__status=EventStatus.PUBLISHED,
        event__format__in=WELCOMING_FORMATS,
        mode=SeatMode.ONLINE,
    ).values_list(
        "event_id",
        "event__starts_at",
        "event__ends_at",
        "event__registration_opens_at",
        "event__created_at",
        "event__registration_closes_at",
        "capacity",
        "taken",
    )
    talks = [
        Talk(pk, starts, ends, opens or created, closes, capacity, taken)
        for pk, starts, ends, opens, created, closes, capacity, taken in rows
    ]
    return sorted(talks, key=lambda talk: (talk.starts_at, talk.id))


class _Calendar:
    def __init__(self, talks: list[Talk], taken: set[tuple[int, int]]) -> None:
        self.talks = talks
        self.starts = [talk.starts_at for talk in talks]
        self.taken = taken  # (event id, person id) already registered

    def pick(self, rng: "Random", person_id: int, moment: datetime, until: datetime) -> Talk | None:
        """A talk open for registration at `moment`, starting within the next 40 days and
        before `until`, with an online seat free; the sooner ones most often."""
        low = bisect_right(self.starts, moment + timedelta(hours=2))
        high = bisect_left(self.starts, min(until, moment + timedelta(days=40)))
        open_ = [
            talk
            for talk in self.talks[low:high]
            if talk.opens_at <= moment
            and (talk.closes_at is None or moment < talk.closes_at)
            and (talk.capacity is None or talk.taken < talk.capacity)
            and (talk.id, person_id) not in self.taken
        ]
        if not open_:
            return None
        return open_[min(int(rng.expovariate(1.0)), len(open_) - 1)]


def add_first_steps(story: "DemoStory", plan: "OutreachPlan", campaign_id: int) -> int:
    """Register joiners for their first talks (see the module's docstring); returns how
    many registrations were added."""
    rng = plan.rng
    joiners = _joiners(story, plan)
    if not joiners:
        return 0
    _mark_activity(campaign_id, joiners)
    talks = _talks(story)
    taken = set(
        Registration.objects.filter(
            event__community=story.communities[ML],
            person__campaign_mails__campaign_id=campaign_id,
            person__campaign_mails__joined_at__isnull=False,
        ).values_list("event_id", "person_id")
    )
    calendar = _Calendar(talks, taken)
    added: list[tuple[Talk, int, datetime]] = []

    def register(joiner: Joiner, start: datetime, span: timedelta, tries: int = 1) -> bool:
        for attempt in range(tries):
            if attempt == 0:
                delay = min(rng.expovariate(1 / (4 * 86400)), span.total_seconds() * 0.9)
            else:  # later in the window: other talks are open by then
                delay = span.total_seconds() * attempt / tries
            moment = start + max(timedelta(minutes=10), timedelta(seconds=delay))
            if moment >= joiner.until:
                return False
            talk = calendar.pick(rng, joiner.person_id, moment, joiner.until)
            if talk is not None:
                talk.taken += 1
                calendar.taken.add((talk.id, joiner.person_id))
                added.append((talk, joiner.person_id, moment))
                return True
        return False

    by_year: dict[int, list[Joiner]] = {}
    for joiner in joiners:
        by_year.setdefault(joiner.joined_at.year, []).append(joiner)
    for year, people in sorted(by_year.items()):
        # Those active in the second month but not the first always get a first step, so
        # the funnel nests; then as many more as the year's target asks.
        for joiner in people:
            if joiner.second and not joiner.first:
                joiner.first = register(joiner, joiner.joined_at, FIRST_WINDOW, tries=5)
        idle = [j for j in people if not j.first]
        missing = first_month_target(year) * len(people) - (len(people) - len(idle))
        chance = max(0.0, missing / len(idle)) if idle else 0.0
        for joiner in idle:
            if rng.random() < chance:
                joiner.first = register(joiner, joiner.joined_at, FIRST_WINDOW)
        once = [j for j in people if j.first and not j.second]
        missing = second_month_target(year) * len(people) - sum(j.second for j in people)
        chance = max(0.0, missing / len(once)) if once else 0.0
        for joiner in once:
            if rng.random() < chance:
                joiner.second = register(
                    joiner, joiner.joined_at + FIRST_WINDOW, SECOND_WINDOW - FIRST_WINDOW
                )
    _save(story, rng, added)
    return len(added)


def _save(story: "DemoStory", rng: "Random", added: list[tuple[Talk, int, datetime]]) -> None:
    if not added:
        return
    dt, js = adapters()
    now = story.now
    registrations, ledger = [], []
    event_type = ContentType.objects.get_for_model(Event).pk
    ml = story.communities[ML].pk
    for talk, person_id, moment in added:
        checked_in = None
        if talk.starts_at < now and rng.random() < ONLINE_ATTENDANCE:
            checked_in = talk.starts_at + timedelta(minutes=rng.uniform(0, 10))
        reminders = (talk.starts_at - timedelta(days=1), talk.starts_at - timedelta(hours=1))
        registrations.append(
            (talk.id, person_id, SeatMode.ONLINE, RegistrationStatus.REGISTERED, dt(moment),
             None, None, None, None, dt(checked_in),
             CheckInMethod.IMPORT if checked_in else "", sum(moment <= r < now for r in reminders))
        )  # fmt: skip
        ledger.append(
            (ActivityKind.REGISTERED, person_id, ml, dt(moment), event_type, talk.id, None,
             js({"mode": SeatMode.ONLINE}))
        )  # fmt: skip
        if checked_in is not None:
            ledger.append(
                (ActivityKind.ATTENDED, person_id, ml, dt(min(checked_in, talk.ends_at)),
                 event_type, talk.id, None, js({"method": CheckInMethod.IMPORT}))
            )  # fmt: skip
    insert_rows(Registration, REGISTRATION_COLUMNS, registrations)
    insert_rows(Activity, ACTIVITY_COLUMNS, ledger)
    # The seat counts, one statement per number of seats taken.
    by_count: dict[int, list[int]] = {}
    for event_id, count in Counter(talk.id for talk, _p, _m in added).items():
        by_count.setdefault(count, []).append(event_id)
    for count, event_ids in sorted(by_count.items()):
        EventSeats.objects.filter(event_id__in=sorted(event_ids), mode=SeatMode.ONLINE).update(
            taken=F("taken") + count
        )
    story.counts["activities"] = story.counts.get("activities", 0) + len(ledger)
