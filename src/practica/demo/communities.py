"""The communities of the story: Machine Learning, its sister Artificial Intelligence community in
the company-wide program, and smaller ones; who leads them, who joined when."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from practica.communities.models import (
    Access,
    Community,
    LeftReason,
    MembershipRequest,
    MembershipRole,
    MembershipSource,
    Program,
)
from practica.core.models import ActivityKind
from practica.demo.growth import ML
from practica.demo.logins import MANAGER_EMAIL, MEMBER_EMAIL
from practica.demo.memberships import (
    ActivityPlan,
    MembershipPlan,
    close_membership,
    keep_person,
    open_membership,
    save_memberships,
    working_moment,
)
from practica.demo.people import PersonPlan, date_at, new_person
from practica.people.models import Role

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

PROGRAM_NAME = "Communities of Practice"
PROGRAM_STARTED = date(2016, 1, 11)
LEADERSHIP_FORMED = date(2014, 3, 3)
ML_LEADERS = 8
AI, DATA_ENGINEERING, RESPONSIBLE_AI, CIRCLE = (
    "artificial-intelligence",
    "data-engineering",
    "responsible-ai",
    "ml-leadership-circle",
)


@dataclass(frozen=True)
class CommunitySpec:
    slug: str
    name: str
    founded: date
    description: str
    mission: str
    topics: tuple[str, ...]
    access: str = Access.OPEN


COMMUNITIES: tuple[CommunitySpec, ...] = (
    CommunitySpec(
        ML,
        "Machine Learning",
        date(2012, 3, 12),
        "Started in 2012 as an email list of a few researchers, grown by word of mouth into the "
        "company's largest community of practice: questions answered by the people who know, "
        "50–60 events a year and a twice-yearly internal conference.",
        "Help everyone who builds with machine learning at the company learn faster, find the "
        "practitioner who knows, and ship better models.",
        (
            "machine-learning",
            "deep-learning",
            "natural-language-processing",
            "computer-vision",
            "reinforcement-learning",
            "statistics",
            "mlops",
        ),
    ),
    CommunitySpec(
        AI,
        "Artificial Intelligence",
        date(2016, 4, 18),
        "The sister community of Machine Learning, formed in 2016 in the Communities of Practice "
        "program: AI products, agents, speech and vision in practice.",
        "Connect the people building AI into products, from research to the field.",
        ("large-language-models", "dialogue-systems", "speech", "computer-vision"),
    ),
    CommunitySpec(
        DATA_ENGINEERING,
        "Data Engineering",
        date(2015, 6, 1),
        "Pipelines, lakes, streams and data quality: the people who make the data that models "
        "learn from.",
        "Make reliable data easy to produce and to find across the company.",
        (
            "data-engineering",
            "data-pipelines",
            "stream-processing",
            "data-quality",
            "feature-stores",
        ),
    ),
    CommunitySpec(
        RESPONSIBLE_AI,
        "Responsible AI",
        date(2018, 9, 10),
        "Fairness, interpretability, privacy and safety in the systems we ship.",
        "Every model the company ships is reviewed for fairness, privacy and safety.",
        ("responsible-ai", "fairness", "interpretability", "differential-privacy", "ai-safety"),
    ),
    CommunitySpec(
        CIRCLE,
        "ML Leadership Circle",
        date(2017, 1, 16),
        "A closed circle of the Machine Learning community's leaders, organizers and senior "
        "practitioners: strategy, the conference program committee, the budget.",
        "Steer the Machine Learning community's strategy and measure it honestly.",
        ("machine-learning", "mlops"),
        Access.CLOSED,
    ),
)


def _current(story: "DemoStory", slug: str) -> list[MembershipPlan]:
    return [m for m in story.memberships if m.community == slug and m.left_at is None]


def _give_role(story: "DemoStory", membership: MembershipPlan, role: str, since: date) -> None:
    membership.role = role
    keep_person(membership.person)
    moment = max(working_moment(story, membership.person, since), membership.joined_at)
    if moment > membership.joined_at:
        story.activities.append(
            ActivityPlan(
                membership.person,
                membership.community,
                ActivityKind.ROLE_CHANGED,
                moment,
                {"role": role},
            )
        )


def _level(membership: MembershipPlan) -> int:
    return membership.person.user.career_level or 0


def plan_ml_leadership(story: "DemoStory") -> None:
    """2014: an executive sponsor, a community manager (a demo login) and a leadership team of
    the founder and early members; organizers who run the reading groups and events."""
    rng = story.rng
    sponsor = new_person(
        story, role=Role.ENGINEER, hired_on=date(2004, 6, 14), division="cloud-ai", city="Redmond"
    )
    sponsor.tier, sponsor.user.career_level = 0, 10
    sponsor.user.job_title = "Corporate Vice President, Cloud & AI Platform"
    keep_person(sponsor)
    open_membership(
        story,
        sponsor,
        ML,
        joined_at=working_moment(story, sponsor, date(2014, 1, 20)),
        role=MembershipRole.EXECUTIVE_SPONSOR,
        source=MembershipSource.INVITATION,
    )
    ml = [m for m in story.memberships if m.community == ML]
    founder = story.ml_founder.memberships[ML]
    _give_role(story, founder, MembershipRole.LEADER, LEADERSHIP_FORMED)
    early = sorted(
        (
            m
            for m in ml
            if m.role == MembershipRole.MEMBER
            and m.joined_at < date_at(date(2014, 1, 1))
            and m.person.role in {Role.RESEARCHER, Role.APPLIED_SCIENTIST, Role.ENGINEER}
        ),
        key=_level,
        reverse=True,
    )
    for membership in early[: ML_LEADERS - 2]:
        _give_role(story, membership, MembershipRole.LEADER, LEADERSHIP_FORMED)
    pool = [
        m
        for m in ml
        if m.role == MembershipRole.MEMBER
        and m.left_at is None
        and m.joined_at < date_at(date(2019, 1, 1))
    ]
    for membership in rng.sample(pool, min(len(pool), max(3, round(story.members / 600)))):
        since = max(LEADERSHIP_FORMED, membership.joined_at.date() + timedelta(days=90))
        _give_role(story, membership, MembershipRole.ORGANIZER, since)
    story.ml_sponsor = sponsor


def _plan_members(
    story: "DemoStory",
    spec: CommunitySpec,
    share: float,
    chance: Callable[[PersonPlan], float],
    exclude: frozenset[str] = frozenset(),
) -> None:
    """People join between the community's founding (or their hiring) and their leaving."""
    rng = story.rng
    founded_at = date_at(spec.founded)
    candidates = [
        p
        for p in story.people
        if not p.user.is_system and p.user.email not in exclude and spec.slug not in p.memberships
    ]
    rng.shuffle(candidates)
    target, current = round(share * story.members), 0
    for plan in candidates:
        if current >= target:
            break
        if rng.random() >= chance(plan):
            continue
        start = max(founded_at, date_at(plan.user.hired_on))
        end = plan.left_at or story.now
        if end - start < timedelta(days=3):
            continue
        day = (start + (end - start) * rng.random()).date()
        joined_at = working_moment(story, plan, day)
        if not start < joined_at < end:
            continue
        source = MembershipSource.ORGANIC
        if day.year >= 2015 and (day - plan.user.hired_on).days < 60:
            source = MembershipSource.WELCOME_MAIL
        elif rng.random() < 0.15:
            source = MembershipSource.INVITATION
        membership = open_membership(story, plan, spec.slug, joined_at=joined_at, source=source)
        if plan.left_at is not None:
            close_membership(membership, plan.left_at, LeftReason.LEFT_COMPANY)
        elif rng.random() < 0.08:
            left = working_moment(
                story, plan, (joined_at + (story.now - joined_at) * rng.random()).date()
            )
            if left < story.now:
                close_membership(membership, left, LeftReason.LEFT_COMMUNITY)
        current += membership.left_at is None


def _staff_community(
    story: "DemoStory", slug: str, leaders: int, organizers: int, sponsor: PersonPlan | None = None
) -> None:
    founded = next(spec.founded for spec in COMMUNITIES if spec.slug == slug)
    current = [m for m in _current(story, slug) if m.person.user.email not in story.logins]
    if not current:
        return
    managers = [
        m for m in current if m.person.role in {Role.OTHER, Role.PRODUCT_MANAGER}
    ] or current
    _give_role(story, story.rng.choice(managers), MembershipRole.MANAGER, founded)
    ranked = sorted(
        (m for m in current if m.role == MembershipRole.MEMBER), key=_level, reverse=True
    )
    for membership in ranked[:leaders]:
        _give_role(story, membership, MembershipRole.LEADER, founded)
    rest = [m for m in current if m.role == MembershipRole.MEMBER]
    for membership in story.rng.sample(rest, min(organizers, len(rest))):
        _give_role(story, membership, MembershipRole.ORGANIZER, founded + timedelta(days=180))
    if sponsor is not None and slug in sponsor.memberships:
        _give_role(story, sponsor.memberships[slug], MembershipRole.EXECUTIVE_SPONSOR, founded)
    elif sponsor is not None:
        joined = max(date_at(founded), date_at(sponsor.user.hired_on)) + timedelta(hours=17)
        open_membership(
            story,
            sponsor,
            slug,
            joined_at=joined,
            role=MembershipRole.EXECUTIVE_SPONSOR,
            source=MembershipSource.INVITATION,
        )


def plan_sister_communities(story: "DemoStory") -> None:
    """Artificial Intelligence (2016, same program), Data Engineering, Responsible AI."""
    by_slug = {spec.slug: spec for spec in COMMUNITIES}
    ai_sponsor = new_person(
        story, role=Role.RESEARCHER, hired_on=date(2001, 9, 3), division="research", city="Redmond"
    )
    ai_sponsor.tier, ai_sponsor.user.career_level = 0, 10
    ai_sponsor.user.job_title = "Corporate Vice President, Research"
    keep_person(ai_sponsor)

    def ai_chance(plan: PersonPlan) -> float:
        in_ml = plan.memberships.get(ML)
        if in_ml is None:
            return 0.35
        return 0.55 if in_ml.left_at is None else 0.3

    def data_chance(plan: PersonPlan) -> float:
        if plan.role not in {Role.ENGINEER, Role.DATA_SCIENTIST}:
            return 0.04
        return 0.9 if ML not in plan.memberships else 0.25

    def responsible_chance(plan: PersonPlan) -> float:
        focus = plan.team is not None and plan.team.group.name == "Responsible AI Research"
        return 1.0 if focus else 0.2

    _plan_members(story, by_slug[AI], 0.35, ai_chance)
    _plan_members(story, by_slug[DATA_ENGINEERING], 0.12, data_chance)
    _plan_members(
        story, by_slug[RESPONSIBLE_AI], 0.06, responsible_chance, exclude=frozenset({MEMBER_EMAIL})
    )
    _staff_community(story, AI, leaders=5, organizers=3, sponsor=ai_sponsor)
    _staff_community(story, DATA_ENGINEERING, leaders=3, organizers=2)
    _staff_community(story, RESPONSIBLE_AI, leaders=3, organizers=1)


def plan_leadership_circle(story: "DemoStory") -> None:
    """The closed circle: the ML community's leadership, then senior members, up to a cap."""
    founded = date_at(date(2017, 1, 16))
    cap = max(12, round(story.members / 200))
    ml_current = _current(story, ML)
    leadership = [m for m in ml_current if m.role != MembershipRole.MEMBER]
    seniors = sorted(
        (
            m
            for m in ml_current
            if m.role == MembershipRole.MEMBER
            and _level(m) >= 8
            and m.person.user.email != MEMBER_EMAIL
        ),
        key=_level,
        reverse=True,
    )
    for ml_membership in [*leadership, *seniors][:cap]:
        plan = ml_membership.person
        start = max(founded, ml_membership.joined_at)
        day = (start + timedelta(days=story.rng.randint(1, 120))).date()
        role = ml_membership.role
        if plan.user.email == MANAGER_EMAIL:
            role = MembershipRole.MANAGER
        elif role == MembershipRole.ORGANIZER:
            role = MembershipRole.MEMBER
        joined_at = working_moment(story, plan, min(day, story.today - timedelta(days=1)))
        open_membership(
            story, plan, CIRCLE, joined_at=joined_at, role=role, source=MembershipSource.INVITATION
        )
        keep_person(plan)
    waiting = [m.person for m in seniors[cap:]][:3] or [
        m.person
        for m in ml_current
        if CIRCLE not in m.person.memberships and m.person.user.email != MEMBER_EMAIL
    ][:3]
    for days_ago, plan in enumerate(waiting, start=2):
        asked_at = working_moment(story, plan, story.today - timedelta(days=days_ago))
        story.circle_requests.append((plan, asked_at))
        story.activities.append(
            ActivityPlan(plan, CIRCLE, ActivityKind.REQUESTED_TO_JOIN, asked_at, {})
        )


def save_communities(story: "DemoStory") -> None:
    """The program, the communities with their topics, memberships, ledger and open requests."""
    program = Program.objects.create(
        name=PROGRAM_NAME,
        slug="communities-of-practice",
        description="The company-wide program that funds, staffs and measures its communities of "
        "practice, started in 2016 when Machine Learning and Artificial Intelligence joined it.",
        created_at=date_at(PROGRAM_STARTED),
    )
    rows = [
        Community(
            name=spec.name,
            slug=spec.slug,
            description=spec.description,
            mission=spec.mission,
            access=spec.access,
            program=program,
            founded_on=spec.founded,
            created_at=date_at(spec.founded),
        )
        for spec in COMMUNITIES
    ]
    Community.objects.bulk_create(rows)
    topics = Community.topics.through
    topics.objects.bulk_create(
        [
            topics(community_id=row.pk, topic_id=story.topics[slug].pk)
            for spec, row in zip(COMMUNITIES, rows, strict=True)
            for slug in spec.topics
        ]
    )
    story.communities.update({row.slug: row for row in rows})
    story.program = program
    save_memberships(story)
    MembershipRequest.objects.bulk_create(
        [
            MembershipRequest(
                community=story.communities[CIRCLE],
                person_id=plan.user.pk,
                message="I lead a team that ships ML models and would like to help shape the "
                "community's strategy.",
                created_at=asked_at,
            )
            for plan, asked_at in story.circle_requests
        ]
    )
