"""The demo's named accounts: the logins printed at the end, an administrator and a bot."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from practica.communities.models import MembershipRole, MembershipSource
from practica.demo.memberships import keep_person, open_membership, working_moment
from practica.demo.people import PersonPlan, date_at
from practica.people.models import Role, User

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

DEMO_PASSWORD = "practica-demo"  # noqa: S105 — the published password of a demo
MANAGER_EMAIL = "manager@practica.example"
LEADER_EMAIL = "leader@practica.example"
MEMBER_EMAIL = "member@practica.example"
ADMIN_EMAIL = "admin@practica.example"
BOT_EMAIL = "practica-bot@practica.example"
LOGIN_EMAILS = (MANAGER_EMAIL, LEADER_EMAIL, MEMBER_EMAIL, ADMIN_EMAIL, BOT_EMAIL)


@dataclass(frozen=True)
class DemoLogin:
    email: str
    what: str


DEMO_LOGINS = (
    DemoLogin(MANAGER_EMAIL, "community manager of Machine Learning and the ML Leadership Circle"),
    DemoLogin(LEADER_EMAIL, "leader of Machine Learning, a member since 2012"),
    DemoLogin(MEMBER_EMAIL, "a new-ish engineer; not yet in Responsible AI"),
    DemoLogin(ADMIN_EMAIL, "platform administrator (Django admin)"),
)


def _place(story: "DemoStory", team_slug: str | None, topics: list[str], **fields) -> PersonPlan:
    team = story.teams_by_slug[team_slug] if team_slug else None
    hired_on: date = fields["hired_on"]
    fields.setdefault("password", story.password_hash)
    user = User(
        org_unit=team.unit if team else None,
        date_joined=date_at(hired_on) + timedelta(hours=16),
        **fields,
    )
    plan = PersonPlan(user=user, team=team, topics=topics)
    story.people.append(plan)
    if team is not None:
        team.people.append(plan)
    keep_person(plan)
    return plan


def plan_demo_logins(story: "DemoStory") -> None:
    """Realistic people behind the demo logins, with the memberships the guided tour needs."""
    manager = _place(
        story,
        "programs-and-communities",
        ["data-visualization", "a-b-testing"],
        email=MANAGER_EMAIL,
        display_name="Dana Whitfield",
        role=Role.OTHER,
        career_level=7,
        job_title="Senior Community Manager, Machine Learning",
        location="Redmond",
        country="US",
        time_zone="America/Los_Angeles",
        languages=["English", "Spanish"],
        hired_on=date(2013, 10, 7),
        bio=(
            "Community manager of the Machine Learning community since 2014: events, the "
            "internal conference, the welcome mail and the numbers behind them. Tell me what "
            "the community should do next."
        ),
    )
    leader = _place(
        story,
        "machine-translation",
        ["machine-translation", "large-language-models", "transformers"],
        email=LEADER_EMAIL,
        display_name="Aditi Rao",
        role=Role.RESEARCHER,
        career_level=8,
        job_title="Principal Researcher",
        location="Bangalore",
        country="IN",
        time_zone="Asia/Kolkata",
        languages=["English", "Hindi", "Kannada"],
        hired_on=date(2009, 8, 17),
        bio=(
            "Principal Researcher on the Machine Translation team in Bangalore. I work on "
            "multilingual translation for low-resource languages and was on the ML list from "
            "its first months; now on the leadership team."
        ),
    )
    hired = story.today - timedelta(days=210)
    member = _place(
        story,
        "translation-services",
        ["machine-translation", "named-entity-recognition"],
        email=MEMBER_EMAIL,
        display_name="Lukas Becker",
        role=Role.ENGINEER,
        career_level=3,
        job_title="Software Engineer II",
        location="Berlin",
        country="DE",
        time_zone="Europe/Berlin",
        languages=["German", "English"],
        hired_on=hired,
        bio=(
            "Software engineer on Translation Services in Berlin, new to the company. I build "
            "the serving side of our translation models and am learning named entity "
            "recognition for terminology handling."
        ),
    )
    _place(
        story,
        "platform-administration",
        [],
        email=ADMIN_EMAIL,
        display_name="Morgan Reyes",
        role=Role.OTHER,
        career_level=6,
        job_title="Platform Administrator",
        location="Seattle",
        country="US",
        time_zone="America/Los_Angeles",
        languages=["English", "Spanish"],
        hired_on=date(2016, 5, 2),
        is_staff=True,
        is_superuser=True,
        bio="I run Practica for the company. Ask me about accounts, access and integrations.",
    )
    _place(
        story,
        None,
        [],
        email=BOT_EMAIL,
        display_name="Practica Bot",
        # An unusable password ("!" prefix): nobody signs in as the bot.
        password="!demo-system-account",  # noqa: S106
        role=Role.OTHER,
        job_title="System account",
        location="",
        time_zone="UTC",
        hired_on=date(2012, 3, 1),
        is_system=True,
        bio="Sends the welcome mail, digests and reminders on behalf of Practica.",
    )
    ml = "machine-learning"
    open_membership(
        story,
        manager,
        ml,
        joined_at=working_moment(story, manager, date(2014, 2, 3)),
        role=MembershipRole.MANAGER,
        source=MembershipSource.INVITATION,
    )
    open_membership(
        story,
        leader,
        ml,
        joined_at=working_moment(story, leader, date(2012, 4, 23)),
        role=MembershipRole.LEADER,
    )
    open_membership(
        story,
        member,
        ml,
        joined_at=working_moment(story, member, hired + timedelta(days=21)),
        source=MembershipSource.WELCOME_MAIL,
    )
    story.logins.update({MANAGER_EMAIL: manager, LEADER_EMAIL: leader, MEMBER_EMAIL: member})
