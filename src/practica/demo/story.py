"""The demo's story as a list of steps; `run_demo` plays them in one transaction.

Each capability adds its step to `STEPS` (Q&A, events, the conference…), reading what earlier
steps left on the `DemoStory`: people, communities, memberships, the seeded random generator.
Steps plan first and insert in bulk: no service calls, no per-row saves.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property

from django.contrib.auth.hashers import make_password
from django.db import transaction
from faker import Faker

from practica.communities.models import Community, Program
from practica.core.models import Topic
from practica.demo.communities import (
    plan_leadership_circle,
    plan_ml_leadership,
    plan_sister_communities,
    save_communities,
)
from practica.demo.conference import plan_conference, plan_conference_events
from practica.demo.discussions import plan_discussions
from practica.demo.event_extras import plan_events
from practica.demo.event_saving import save_events
from practica.demo.growth import ML, plan_ml_growth
from practica.demo.lists import save_mailing_lists
from practica.demo.locations import NAME_LOCALES
from practica.demo.logins import ADMIN_EMAIL, DEMO_PASSWORD, LOGIN_EMAILS, plan_demo_logins
from practica.demo.memberships import ActivityPlan, MembershipPlan, close_leavers_memberships
from practica.demo.metrics_collaboration import keep_answers_closer_to_home_early_on
from practica.demo.metrics_pulses import save_pulses
from practica.demo.metrics_rollups import build_rollups
from practica.demo.org_chart import Team, build_org_chart
from practica.demo.outreach import plan_outreach_people, save_outreach
from practica.demo.people import PersonPlan, plan_wider_company
from practica.demo.program_budget import save_budgets_and_grants
from practica.demo.program_groups import save_program_groups
from practica.demo.program_ladder import save_ladder
from practica.demo.program_strategy import save_strategy_and_maturity
from practica.demo.qa_saving import save_ledger_and_index, save_threads_and_posts
from practica.demo.roster import save_people
from practica.demo.topics import build_topics
from practica.people.models import OrgUnit, User

DEFAULT_MEMBERS = 7000
DEFAULT_SEED = 2012
EARLIEST_PRESENT = date(2021, 1, 1)


@dataclass
class DemoStory:
    """What the steps share: the knobs, the seeded generators, and everything planned so far."""

    members: int
    seed: int
    today: date
    rng: random.Random
    faker: Faker
    password_hash: str
    topics: dict[str, Topic] = field(default_factory=dict)
    divisions: dict[str, OrgUnit] = field(default_factory=dict)
    teams_by_division: dict[str, list[Team]] = field(default_factory=dict)
    teams_by_slug: dict[str, Team] = field(default_factory=dict)
    people: list[PersonPlan] = field(default_factory=list)
    emails: set[str] = field(default_factory=set)
    logins: dict[str, PersonPlan] = field(default_factory=dict)
    memberships: list[MembershipPlan] = field(default_factory=list)
    activities: list[ActivityPlan] = field(default_factory=list)
    communities: dict[str, Community] = field(default_factory=dict)
    program: Program | None = None
    ml_founder: PersonPlan | None = None
    ml_sponsor: PersonPlan | None = None
    circle_requests: list[tuple[PersonPlan, datetime]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    name_pools: dict = field(default_factory=dict)
    threads: list = field(default_factory=list)  # discussions.ThreadPlan, oldest first
    proudest_moment: object = None  # the ThreadPlan of a principal's question a new grad answered
    events: list = field(default_factory=list)  # demo.events.EventPlan, by start
    editions: list = field(default_factory=list)  # demo.conference_plans.EditionPlan, oldest first
    outreach: object = None  # demo.outreach.OutreachPlan, from its first step on

    @cached_property
    def now(self) -> datetime:
        """The story's present: midnight UTC at the start of `today`; everything happened before."""
        return datetime(self.today.year, self.today.month, self.today.day, tzinfo=UTC)


@dataclass(frozen=True)
class Step:
    label: str
    run: Callable[[DemoStory], None]


STEPS: list[Step] = [
    Step("Topic taxonomy", build_topics),
    Step("Org chart", build_org_chart),
    Step("Machine Learning grows from a 2012 email list", plan_ml_growth),
    Step("The rest of the company", plan_wider_company),
    Step("Demo logins", plan_demo_logins),
    Step("2014: sponsor, manager and leadership team", plan_ml_leadership),
    Step("Sister communities in the program", plan_sister_communities),
    Step("ML Leadership Circle", plan_leadership_circle),
    Step(
        "Employee numbers; welcome-mail joiners; group founders who leave",
        plan_outreach_people,
    ),
    Step("Leavers of the company close their memberships", close_leavers_memberships),
    Step("Saving people, managers and expertise", save_people),
    Step("Saving communities, memberships and the activity ledger", save_communities),
    Step("Years of questions and answers", plan_discussions),
    Step("Answers cross the org chart more each year", keep_answers_closer_to_home_early_on),
    Step("Saving threads, posts and votes", save_threads_and_posts),
    Step("Q&A ledger, routing and the search index", save_ledger_and_index),
    Step(
        "Mailing lists: delivery choices, the list archive, the moderation queue",
        save_mailing_lists,
    ),
    Step("Years of events: 50–60 a year since 2014, the 2014 conferences' rush", plan_events),
    Step("Conference editions since 2014 on the calendar", plan_conference_events),
    Step("Saving events, registrations, feedback and their ledger", save_events),
    Step(
        "The conference: proposals, reviews, decisions and programs; the edition under review",
        plan_conference,
    ),
    Step(
        "Monthly welcome mail since 2014, non-member hires, affiliations, groups, continuity, "
        "the HR feed",
        save_outreach,
    ),
    Step("Budgets and grants by fiscal year", save_budgets_and_grants),
    Step("Grassroots groups across the program; the program office", save_program_groups),
    Step("The strategy since 2014 and the maturity self-assessments", save_strategy_and_maturity),
    Step("The contributor ladder and the opportunities board", save_ladder),
    Step("NPS pulses every six months since 2015", save_pulses),
    Step("The dashboards' rollups", build_rollups),
]


def demo_exists() -> bool:
    return (
        User.objects.filter(email=ADMIN_EMAIL).exists()
        or Community.objects.filter(slug=ML).exists()
    )


def new_story(*, members: int, seed: int, today: date) -> DemoStory:
    if members < 1:
        raise ValueError("The demo needs at least one member.")
    if today < EARLIEST_PRESENT:
        raise ValueError(f"The story's present must be {EARLIEST_PRESENT} or later.")
    faker = Faker(NAME_LOCALES)
    faker.seed_instance(seed)
    story = DemoStory(
        members=members,
        seed=seed,
        today=today,
        rng=random.Random(seed),
        faker=faker,
        # One hash for every demo account: hashing per account would dominate the run time.
        password_hash=make_password(DEMO_PASSWORD),
    )
    story.emails.update(LOGIN_EMAILS)
    return story


def run_demo(
    *,
    members: int = DEFAULT_MEMBERS,
    seed: int = DEFAULT_SEED,
    today: date | None = None,
    on_step: Callable[[Step, int], None] | None = None,
) -> DemoStory:
    """Generate the demo into the current database in one transaction; returns the story.

    `on_step(step, index)` is called before each step (for a progress bar). Raises ValueError
    for a non-positive `members`. The caller checks `demo_exists()` first.
    """
    story = new_story(members=members, seed=seed, today=today or datetime.now(UTC).date())
    with transaction.atomic():
        for index, step in enumerate(STEPS):
            if on_step is not None:
                on_step(step, index)
            step.run(story)
    story.counts["people"] = len(story.people)
    story.counts["ml_members"] = members
    return story
