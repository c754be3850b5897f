"""The demo's outreach story: the company's people records, the monthly welcome mail since 2014,
grassroots groups whose founders left, and the provisioning log.

Two steps of the story (see `story.STEPS`):

1. `plan_outreach_people`, before the people are saved: the welcome mail's joiners are chosen
   among the members the growth curve already has (a data scientist, applied scientist or
   machine-learning engineer who joined Machine Learning in the weeks after a month's first
   Monday), so the curve stays as it was: they are hired the month before, titled to match the
   segment, and their membership's source becomes the welcome mail (an unchosen "welcome mail"
   membership becomes organic: every one of them has its recipient row; the member login's
   stays as its tour tells it). Two founders of grassroots groups leave the company (one days
   ago, one months ago), and everyone gets an employee number ("E", the hiring year's two
   digits, a four-digit sequence).
2. `save_outreach`, last: the new hires who never joined (`outreach_hires`, about 1.2–1.5 times
   the community's size over twelve years), everyone's dated affiliations, the segment,
   campaign, runs, recipients and their outbox mail, bounces and opt-outs
   (`outreach_campaigns`, `outreach_mail`), the joiners' first events (`outreach_events`),
   member invitations (`outreach_invitations`), the groups and both continuity alerts
   (`outreach_groups`), an HR import and a SCIM token (`outreach_provisioning`).

The first step draws from a generator of its own, seeded from the demo's seed, so the shared
generator's sequence (and everything later steps plan with it) is what it was; the last step
draws from both. Same seed, same data (but for the SCIM token's secret, random on purpose).
"""

import functools
import gc
import math
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from practica.communities.models import MembershipRole, MembershipSource
from practica.demo.growth import ML
from practica.demo.memberships import MembershipPlan
from practica.demo.people import PersonPlan, date_at, job_title, leave_company
from practica.events.templatetags.event_times import zone_named
from practica.outreach.campaign_schedule import due_moment, month_start
from practica.people.models import Role

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

FIRST_PERIOD = date(2014, 1, 1)  # the first run of the monthly welcome mail
TITLE_PATTERN = "data scientist|applied scientist|machine learning engineer"
TITLE_RE = re.compile(TITLE_PATTERN, re.IGNORECASE)
MAIL_HOUR = 9  # the first Monday of the month, 09:00 in the recipient's zone
JOINER_ROLES = frozenset({Role.DATA_SCIENTIST, Role.APPLIED_SCIENTIST, Role.ENGINEER})
MAX_JOINER_LEVEL = 7
MIN_JOIN_DELAY = timedelta(minutes=10)
JOIN_DELAY_DAYS = 9.0  # most join in the first days after the mail
MLE_TITLES = (
    "Machine Learning Engineer",
    "Machine Learning Engineer II",
    "Senior Machine Learning Engineer",
    "Principal Machine Learning Engineer",
)
# Welcome-mail audience (the segment's monthly matches) per month, as a share of --members,
# before the year's and the month's hiring pace: ~2.1 × members over twelve years.
AUDIENCE_SHARE = 0.0148
HIRING_BY_YEAR = {
    2013: 0.7, 2014: 0.7, 2015: 0.8, 2016: 0.9, 2017: 1.0, 2018: 1.1, 2019: 1.15, 2020: 0.85,
    2021: 1.25, 2022: 1.3, 2023: 0.8, 2024: 0.95, 2025: 1.0,
}  # fmt: skip
# By the month people were hired in (graduates arrive in the summer; December is quiet).
HIRING_BY_MONTH = (1.1, 1.0, 1.0, 0.9, 0.9, 1.1, 1.2, 1.2, 1.1, 1.0, 0.8, 0.7)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class WelcomeSchedule:
    """The campaign's schedule (`campaign_schedule.Schedule`): the first Monday, 09:00."""

    weekday: int = 0
    week_of_month: int = 1
    local_hour: int = MAIL_HOUR


@functools.cache
def mail_moment(period: date, zone: str) -> datetime:
    """When the run of `period` is due for someone in `zone`, as the sender computes it."""
    return due_moment(WelcomeSchedule(), period, zone)


def local_moment(day: date, hour: int, minute: int, zone: str) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone_named(zone)).astimezone(UTC)


def conversion(year: int) -> float:
    """The share of a month's mailed new hires who join: a little better every year."""
    return 0.27 + 0.005 * (min(max(year, 2014), 2026) - 2014)


def welcome_title(role: str, level: int) -> str:
    """A title of the role's ladder that the welcome segment's pattern matches."""
    band = (0, 0, 1, 1, 2, 3, 3, 3, 3, 3)[min(max(level, 1), 10) - 1]
    if role == Role.ENGINEER:
        return MLE_TITLES[band]
    title = job_title(role, min(level, MAX_JOINER_LEVEL))
    return title if TITLE_RE.search(title) else job_title(role, 1)


_WORKDAYS: dict[date, tuple[list[date], list[date]]] = {}


def start_day(rng: random.Random, month: date) -> date:
    """A hiring day in `month`: most start on a Monday, the rest on another weekday."""
    days = _WORKDAYS.get(month)
    if days is None:
        count = (add_months(month, 1) - month).days
        weekdays = [month + timedelta(days=n) for n in range(count)]
        weekdays = [day for day in weekdays if day.weekday() < 5]
        days = _WORKDAYS[month] = ([day for day in weekdays if day.weekday() == 0], weekdays)
    mondays, weekdays = days
    return rng.choice(mondays if rng.random() < 0.7 else weekdays)


@dataclass
class OutreachPlan:
    """What the outreach steps share (kept on `story.outreach`)."""

    rng: random.Random
    periods: list[date]  # the months with a run, 2014-01 to the month before the present
    audience: dict[date, int] = field(default_factory=dict)  # run month → segment matches
    joiners: dict[int, date] = field(default_factory=dict)  # id(MembershipPlan) → run month
    joiner_plans: list[MembershipPlan] = field(default_factory=list)
    pending_leaver: PersonPlan | None = None  # left days ago; the open continuity alert
    handed_leaver: PersonPlan | None = None  # left months ago; their group was handed over
    numbers: dict[int, int] = field(default_factory=dict)  # hiring year → last sequence
    hires: list[PersonPlan] = field(default_factory=list)  # the non-member new hires

    def next_number(self, hired_on: date) -> str:
        sequence = self.numbers.get(hired_on.year, 0) + 1
        self.numbers[hired_on.year] = sequence
        return f"E{hired_on.year % 100:02d}{sequence:04d}"


def audience_target(story: "DemoStory", rng: random.Random, period: date) -> int:
    """How many of the company's new hires the segment matches for the run of `period`."""
    hired = add_months(period, -1)
    pace = HIRING_BY_YEAR.get(hired.year, 1.0) * HIRING_BY_MONTH[hired.month - 1]
    return max(0, round(story.members * AUDIENCE_SHARE * pace * rng.uniform(0.85, 1.15)))


# --- Step 1: before the people are saved --------------------------------------------------------


def _reusable(story: "DemoStory", membership: MembershipPlan) -> bool:
    person = membership.person
    user = person.user
    return (
        membership.community == ML
        and membership.role == MembershipRole.MEMBER
        and membership.source in (MembershipSource.ORGANIC, MembershipSource.WELCOME_MAIL)
        and not person.keep
        and not user.is_system
        and user.email not in story.logins
        and person.role in JOINER_ROLES
        and (user.career_level or 1) <= MAX_JOINER_LEVEL
        and (person.left_at is None or person.left_at > membership.joined_at + timedelta(days=1))
    )


def _candidates(
    story: "DemoStory", periods: set[date]
) -> dict[date, list[tuple[float, MembershipPlan]]]:
    """Reusable ML memberships by the run whose mail came last before they joined, with the
    days between mail and joining."""
    found: dict[date, list[tuple[float, MembershipPlan]]] = {}
    for membership in story.memberships:
        if membership.community != ML or not _reusable(story, membership):
            continue
        zone = membership.person.user.time_zone
        joined = membership.joined_at
        period = month_start(joined.date())
        if joined < mail_moment(period, zone) + MIN_JOIN_DELAY:
            period = add_months(period, -1)
        if period not in periods:
            continue
        start = date_at(period)
        others = (m for m in membership.person.memberships.values() if m is not membership)
        if any(other.joined_at < start for other in others):
            continue  # they were in another community before this month: not a new hire
        delay = (joined - mail_moment(period, zone)).total_seconds() / 86400
        found.setdefault(period, []).append((delay, membership))
    return found


def _choose_joiners(story: "DemoStory", plan: OutreachPlan) -> None:
    rng = plan.rng
    found = _candidates(story, set(plan.periods))
    for period in plan.periods:
        target = plan.audience[period]
        rate = conversion(period.year) * rng.uniform(0.9, 1.1)
        wanted = round(target * rate)
        pool = sorted(found.get(period, []), key=lambda pair: (pair[0], pair[1].person.user.email))
        # Weighted sampling without replacement, favouring those who joined soon after the mail.
        keyed = sorted(
            pool,
            key=lambda pair: rng.random() ** (1 / (math.exp(-pair[0] / JOIN_DELAY_DAYS) + 0.02)),
            reverse=True,
        )
        chosen = [membership for _delay, membership in keyed[:wanted]]
        if 0 < len(chosen) < wanted:
            plan.audience[period] = max(len(chosen), round(len(chosen) / rate))
        hired_in = add_months(period, -1)
        for membership in sorted(chosen, key=lambda m: m.joined_at):
            user = membership.person.user
            hired = start_day(rng, hired_in)
            user.hired_on = hired
            user.date_joined = date_at(hired) + timedelta(hours=rng.randint(8, 17))
            user.job_title = welcome_title(user.role, user.career_level or 1)
            membership.source = MembershipSource.WELCOME_MAIL
            plan.joiners[id(membership)] = period
            plan.joiner_plans.append(membership)
    for membership in story.memberships:
        if (
            membership.community == ML
            and membership.source == MembershipSource.WELCOME_MAIL
            and id(membership) not in plan.joiners
            and membership.person.user.email not in story.logins
        ):
            membership.source = MembershipSource.ORGANIC


def _founder_candidates(story: "DemoStory", plan: OutreachPlan) -> list[PersonPlan]:
    """Plain, senior-enough ML members who could run a reading or study group."""
    people = []
    for person in story.people:
        membership = person.memberships.get(ML)
        if (
            membership is None
            or membership.role != MembershipRole.MEMBER
            or person.keep
            or person.user.is_system
            or person.user.email in story.logins
            or id(membership) in plan.joiners
            or person.role not in (Role.RESEARCHER, Role.APPLIED_SCIENTIST, Role.ENGINEER)
            or (person.user.career_level or 1) < 4
        ):
            continue
        people.append(person)
    return people


def _leaver(
    story: "DemoStory",
    plan: OutreachPlan,
    candidates: list[PersonPlan],
    *,
    days_ago: tuple[int, int],
    member_days: int,
) -> PersonPlan | None:
    """A group founder who left the company `days_ago` (a range) ago: one who did, else one
    made to leave then (before anything after that day is planned for them)."""
    rng, now = plan.rng, story.now
    earliest, latest = now - timedelta(days=days_ago[1]), now - timedelta(days=days_ago[0])
    taken = {id(plan.pending_leaver), id(plan.handed_leaver)}
    left = [
        person
        for person in candidates
        if person.left_at is not None
        and earliest <= person.left_at <= latest
        and person.memberships[ML].left_at == person.left_at
        and person.left_at - person.memberships[ML].joined_at > timedelta(days=member_days)
        and id(person) not in taken
    ]
    if left:
        return rng.choice(sorted(left, key=lambda p: p.user.email))
    day = (now - timedelta(days=rng.randint(*days_ago))).date()
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    staying = []
    for person in candidates:
        moment = local_moment(day, 17, rng.randrange(60), person.user.time_zone)
        latest_join = max(m.joined_at for m in person.memberships.values())
        if (
            person.left_at is None
            and person.memberships[ML].left_at is None
            and moment - person.memberships[ML].joined_at > timedelta(days=member_days)
            and latest_join < moment - timedelta(days=1)
            and id(person) not in taken
        ):
            staying.append((person, moment))
    if not staying:
        return None
    person, moment = rng.choice(sorted(staying, key=lambda pair: pair[0].user.email))
    leave_company(person, moment)
    return person


def _number_everyone(story: "DemoStory", plan: OutreachPlan) -> None:
    people = [p for p in story.people if not p.user.is_system and p.user.hired_on is not None]
    for person in sorted(people, key=lambda p: (p.user.hired_on, p.user.email)):
        person.user.employee_number = plan.next_number(person.user.hired_on)


def plan_outreach_people(story: "DemoStory") -> None:
    """Step 1 (see the module's docstring): welcome-mail joiners, leaving founders, numbers."""
    last = add_months(month_start(story.today), -1)
    periods = []
    month = FIRST_PERIOD
    while month <= last:
        periods.append(month)
        month = add_months(month, 1)
    plan = OutreachPlan(rng=random.Random(f"practica-demo-outreach-{story.seed}"), periods=periods)
    story.outreach = plan
    for period in [*periods, add_months(last, 1), add_months(last, 2)]:
        plan.audience[period] = audience_target(story, plan.rng, period)
    _choose_joiners(story, plan)
    founders = _founder_candidates(story, plan)
    plan.pending_leaver = _leaver(story, plan, founders, days_ago=(4, 12), member_days=400)
    plan.handed_leaver = _leaver(story, plan, founders, days_ago=(120, 330), member_days=540)
    _number_everyone(story, plan)


# --- Step 2 -------------------------------------------------------------------------------------


def save_outreach(story: "DemoStory") -> None:
    """Step 2: hires, affiliations, campaigns, first steps, invitations, groups, continuity,
    provisioning."""
    from practica.demo.outreach_campaigns import save_campaigns
    from practica.demo.outreach_events import add_first_steps
    from practica.demo.outreach_groups import save_groups_and_provisioning
    from practica.demo.outreach_hires import save_hires_and_affiliations
    from practica.demo.outreach_invitations import save_invitations

    plan: OutreachPlan = story.outreach
    gc.freeze()  # what earlier steps left is not garbage: collections skip it (a third faster)
    try:
        transfers = save_hires_and_affiliations(story, plan)
        campaign = save_campaigns(story, plan)
        story.counts["first_steps"] = add_first_steps(story, plan, campaign.pk)
        save_invitations(story, plan)
        save_groups_and_provisioning(story, plan, transfers)
    finally:
        gc.unfreeze()
