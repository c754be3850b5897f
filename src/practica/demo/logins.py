"""The demo's named accounts: the logins printed at the end, an administrator and a bot."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

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


def _login_people(story: "DemoStory") -> list[tuple[str | None, list[str], dict[str, Any]]]:
    """The people behind the logins, the administrator and the bot, in the order they are
    placed: (team slug, topics, the fields of their account)."""
    return [
        (
            "programs-and-communities",
            ["data-visualization", "a-b-testing"],
            {
                "email": MANAGER_EMAIL,
                "display_name": "Dana Whitfield",
                "role": Role.OTHER,
                "career_level": 7,
                "job_title": "Senior Community Manager, Machine Learning",
                "location": "Redmond",
                "country": "US",
                "time_zone": "America/Los_Angeles",
                "languages": ["English", "Spanish"],
                "hired_on": date(2013, 10, 7),
                "bio": (
                    "Community manager of the Machine Learning community since 2014: events, "
                    "the internal conference, the welcome mail and the numbers behind them. "
                    "Tell me what the community should do next."
                ),
            },
        ),
        (
            "machine-translation",
            ["machine-translation", "large-language-models", "transformers"],
            {
                "email": LEADER_EMAIL,
                "display_name": "Aditi Rao",
                "role": Role.RESEARCHER,
                "career_level": 8,
                "job_title": "Principal Researcher",
                "location": "Bangalore",
                "country": "IN",
                "time_zone": "Asia/Kolkata",
                "languages": ["English", "Hindi", "Kannada"],
                "hired_on": date(2009, 8, 17),
                "bio": (
                    "Principal Researcher on the Machine Translation team in Bangalore. I work "
                    "on multilingual translation for low-resource languages and was on the ML "
                    "list from its first months; now on the leadership team."
                ),
            },
        ),
        (
            "translation-services",
            ["machine-translation", "named-entity-recognition"],
            {
                "email": MEMBER_EMAIL,
                "display_name": "Lukas Becker",
                "role": Role.ENGINEER,
                "career_level": 3,
                "job_title": "Software Engineer II",
                "location": "Berlin",
                "country": "DE",
                "time_zone": "Europe/Berlin",
                "languages": ["German", "English"],
                "hired_on": _member_hired_on(story),
                "bio": (
                    "Software engineer on Translation Services in Berlin, new to the company. I "
                    "build the serving side of our translation models and am learning named "
                    "entity recognition for terminology handling."
                ),
            },
        ),
        (
            "platform-administration",
            [],
            {
                "email": ADMIN_EMAIL,
                "display_name": "Morgan Reyes",
                "role": Role.OTHER,
                "career_level": 6,
                "job_title": "Platform Administrator",
                "location": "Seattle",
                "country": "US",
                "time_zone": "America/Los_Angeles",
                "languages": ["English", "Spanish"],
                "hired_on": date(2016, 5, 2),
                "is_staff": True,
                "is_superuser": True,
                "bio": "I run Practica for the company. Ask me about accounts, access and "
                "integrations.",
            },
        ),
        (
            None,
            [],
            {
                "email": BOT_EMAIL,
                "display_name": "Practica Bot",
                # An unusable password ("!" prefix): nobody signs in as the bot.
                "password": "!demo-system-account",
                "role": Role.OTHER,
                "job_title": "System account",
                "location": "",
                "time_zone": "UTC",
                "hired_on": date(2012, 3, 1),
                "is_system": True,
                "bio": "Sends the welcome mail, digests and reminders on behalf of Practica.",
            },
        ),
    ]


def _member_hired_on(story: "DemoStory") -> date:
    """The member login is new-ish: hired seven months before the demo's today."""
    return story.today - timedelta(days=210)


def plan_demo_logins(story: "DemoStory") -> None:
    """Realistic people behind the demo logins, with the memberships the guided tour needs."""
    placed = {
        fields["email"]: _place(story, team_slug, topics, **fields)
        for team_slug, topics, fields in _login_people(story)
    }
    # When each login joined Machine Learning, in what role and how they found it.
    ml_joins = (
        (MANAGER_EMAIL, date(2014, 2, 3), MembershipRole.MANAGER, MembershipSource.INVITATION),
        (LEADER_EMAIL, date(2012, 4, 23), MembershipRole.LEADER, MembershipSource.ORGANIC),
        (
            MEMBER_EMAIL,
            _member_hired_on(story) + timedelta(days=21),
            MembershipRole.MEMBER,
            MembershipSource.WELCOME_MAIL,
        ),
    )
    for email, day, role, source in ml_joins:
        plan = placed[email]
        open_membership(
            story,
            plan,
            "machine-learning",
            joined_at=working_moment(story, plan, day),
            role=role,
            source=source,
        )
        story.logins[email] = plan
