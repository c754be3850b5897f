"""Demo people: names that fit their office, roles, levels, titles, bios, expertise, managers.

A person is planned first (a `PersonPlan` wrapping an unsaved `User`) so the story can decide
memberships and leaving dates; `save_people` then inserts everyone in a few bulk statements.
"""

import itertools
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from practica.demo.locations import (
    EXTRA_LANGUAGES,
    HEBREW_FIRST_NAMES,
    HEBREW_LAST_NAMES,
    INDIAN_LANGUAGES,
    NATIVE_LANGUAGE,
    OFFICES,
)
from practica.demo.org_chart import DIVISION_OFFICES, Team
from practica.people.models import Role, User

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

EMAIL_DOMAIN = "practica.example"
EARLIEST_HIRE = date(1998, 1, 1)

# Which divisions hire each role (weights).
ROLE_DIVISIONS: dict[str, tuple[tuple[str, int], ...]] = {
    Role.RESEARCHER: (("research", 90), ("cloud-ai", 5), ("devices", 5)),
    Role.APPLIED_SCIENTIST: (
        ("research", 25),
        ("cloud-ai", 35),
        ("devices", 20),
        ("business-apps", 20),
    ),
    Role.ENGINEER: (
        ("cloud-ai", 40),
        ("devices", 25),
        ("business-apps", 25),
        ("research", 5),
        ("operations", 5),
    ),
    Role.DATA_SCIENTIST: (
        ("business-apps", 35),
        ("operations", 35),
        ("cloud-ai", 20),
        ("devices", 5),
        ("sales-field", 5),
    ),
    Role.PRODUCT_MANAGER: (
        ("cloud-ai", 35),
        ("business-apps", 35),
        ("devices", 20),
        ("research", 10),
    ),
    Role.FIELD: (("sales-field", 100),),
    Role.OTHER: (("operations", 60), ("research", 15), ("cloud-ai", 10), ("sales-field", 15)),
}

# Job title ladders, indexed by career-level band (see `job_title`).
TITLES: dict[str, tuple[str, ...]] = {
    Role.RESEARCHER: (
        "Research Associate",
        "Researcher",
        "Senior Researcher",
        "Principal Researcher",
        "Partner Research Manager",
        "Distinguished Scientist",
    ),
    Role.ENGINEER: (
        "Software Engineer",
        "Software Engineer II",
        "Senior Software Engineer",
        "Principal Software Engineer",
        "Partner Software Engineer",
        "Distinguished Engineer",
    ),
    Role.DATA_SCIENTIST: (
        "Data Scientist",
        "Data Scientist II",
        "Senior Data Scientist",
        "Principal Data Scientist",
        "Director of Data Science",
        "Vice President, Data Science",
    ),
    Role.APPLIED_SCIENTIST: (
        "Applied Scientist",
        "Applied Scientist II",
        "Senior Applied Scientist",
        "Principal Applied Scientist",
        "Partner Applied Science Manager",
        "Distinguished Applied Scientist",
    ),
    Role.PRODUCT_MANAGER: (
        "Product Manager",
        "Product Manager II",
        "Senior Product Manager",
        "Principal Product Manager",
        "Group Product Manager",
        "Vice President, Product",
    ),
    Role.FIELD: (
        "Solutions Engineer",
        "Cloud Solution Architect",
        "Senior Cloud Solution Architect",
        "Principal Technical Specialist",
        "Director, AI Solutions",
        "Vice President, Field Engineering",
    ),
    Role.OTHER: (
        "Program Coordinator",
        "Program Manager",
        "Senior Program Manager",
        "Principal Program Manager",
        "Director of Programs",
        "Corporate Vice President",
    ),
}
LEVEL_WEIGHTS = (4, 10, 16, 20, 18, 13, 9, 6, 3, 1)
# General topics a role tends to list besides its team's.
ROLE_TOPICS: dict[str, tuple[str, ...]] = {
    Role.RESEARCHER: ("deep-learning", "transformers", "generative-models", "bayesian-inference"),
    Role.APPLIED_SCIENTIST: (
        "deep-learning",
        "supervised-learning",
        "transformers",
        "model-compression",
    ),
    Role.ENGINEER: ("model-deployment", "distributed-training", "data-pipelines", "gpu-computing"),
    Role.DATA_SCIENTIST: (
        "statistics",
        "a-b-testing",
        "causal-inference",
        "forecasting",
        "clustering",
    ),
    Role.PRODUCT_MANAGER: ("large-language-models", "responsible-ai", "recommender-systems"),
    Role.FIELD: ("large-language-models", "model-deployment"),
    Role.OTHER: ("data-visualization", "statistics"),
}
BIO_OPENINGS = (
    "{title} on the {team} team in {city}.",
    "I'm a {title_lower} in {city}, on the {team} team.",
    "{title}, {team} ({city}).",
    "Based in {city}; {title_lower} on the {team} team.",
)
BIO_BODIES = (
    " I work on {topics}.",
    " My work is mostly {topics}.",
    " Happy to talk about {topics}.",
    " Ask me about {topics}; I answer faster on the list than by mail.",
    " Lately: {topics}. Always glad to review a design doc.",
)
_ASCII_FOLD = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i"}
)


@dataclass
class PersonPlan:
    """A person before insertion, with what the story needs to know about them."""

    user: User
    team: Team | None
    topics: list[str] = field(default_factory=list)
    tier: int = 3  # 0 division head, 1 group head, 2 team lead, 3 everyone else
    keep: bool = False  # never leaves the company (leaders, demo logins)
    manager_plan: "PersonPlan | None" = None
    memberships: dict = field(default_factory=dict)  # community slug → MembershipPlan
    left_at: datetime | None = None  # when they left the company

    @property
    def role(self) -> str:
        return self.user.role


_CUMULATIVE: dict[int, tuple[tuple[str, ...], list[float]]] = {}


def weighted(story: "DemoStory", pairs: tuple[tuple[str, int], ...]) -> str:
    """A value drawn from (value, weight) pairs; the pairs are constants, so their cumulative
    weights are computed once."""
    cached = _CUMULATIVE.get(id(pairs))
    if cached is None:
        values, weights = zip(*pairs, strict=True)
        cached = _CUMULATIVE[id(pairs)] = (values, list(itertools.accumulate(weights)))
    return story.rng.choices(cached[0], cum_weights=cached[1])[0]


@dataclass(frozen=True)
class NamePool:
    values: tuple[str, ...]
    cum_weights: list[float] | None  # None: equally likely

    def draw(self, rng: random.Random) -> str:
        if self.cum_weights is None:
            return self.values[rng.randrange(len(self.values))]
        return rng.choices(self.values, cum_weights=self.cum_weights)[0]


def _name_pool(story: "DemoStory", locale: str, attribute: str, method: str) -> NamePool:
    """Faker's own name list for the locale, with its frequency weights where it has them;
    when a locale builds names some other way, a seeded sample of Faker's names."""
    key = f"{locale}:{attribute}"
    if key in story.name_pools:
        return story.name_pools[key]
    provider = story.faker[locale].provider("faker.providers.person")
    source = getattr(provider, attribute, ())
    if isinstance(source, dict) and len(source) > 20:
        pool = NamePool(tuple(source), list(itertools.accumulate(source.values())))
    elif isinstance(source, (tuple, list)) and len(source) > 20:
        pool = NamePool(tuple(source), None)
    else:
        generate = getattr(story.faker[locale], method)
        pool = NamePool(tuple(generate() for _ in range(300)), None)
    story.name_pools[key] = pool
    return pool


def email_local_part(first: str, last: str) -> str:
    text = f"{first}.{last}".lower().translate(_ASCII_FOLD).replace(" ", "-")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(char for char in text if char.isalnum() or char in ".-").strip(".-") or "person"


def unique_email(story: "DemoStory", first: str, last: str) -> str:
    local = email_local_part(first, last)
    candidate, n = f"{local}@{EMAIL_DOMAIN}", 1
    while candidate in story.emails:
        n += 1
        candidate = f"{local}{n}@{EMAIL_DOMAIN}"
    story.emails.add(candidate)
    return candidate


def person_name(story: "DemoStory", locale: str) -> tuple[str, str]:
    female = story.rng.random() < 0.45
    if locale == "he_IL":
        gender = "female" if female else "male"
        return story.rng.choice(HEBREW_FIRST_NAMES[gender]), story.rng.choice(HEBREW_LAST_NAMES)
    if locale in {"zh_CN", "ja_JP"}:
        # A company directory shows the romanised name, given name first.
        first = _name_pool(story, locale, "first_romanized_names", "first_romanized_name")
        last = _name_pool(story, locale, "last_romanized_names", "last_romanized_name")
    else:
        gender = "female" if female else "male"
        first = _name_pool(story, locale, f"first_names_{gender}", f"first_name_{gender}")
        last = _name_pool(story, locale, "last_names", "last_name")
    return first.draw(story.rng), last.draw(story.rng)


def languages_for(story: "DemoStory", locale: str, city: str) -> list[str]:
    native = NATIVE_LANGUAGE[locale]
    local = OFFICES[city].local_language
    spoken = [native] if native == "English" else [native, "English"]
    if locale == "en_IN":
        spoken.append(story.rng.choice(INDIAN_LANGUAGES))
    if local not in spoken and story.rng.random() < 0.6:
        spoken.append(local)
    if story.rng.random() < 0.12:
        extra = story.rng.choice(EXTRA_LANGUAGES)
        if extra not in spoken:
            spoken.append(extra)
    # People in English-speaking offices usually list English first.
    if local == "English" and "English" in spoken:
        spoken.remove("English")
        spoken.insert(0, "English")
    return spoken


def job_title(role: str, level: int) -> str:
    band = (0, 0, 1, 1, 2, 3, 3, 4, 4, 5)[level - 1]
    return TITLES[role][band]


def pick_topics(story: "DemoStory", role: str, team: Team | None) -> list[str]:
    pool = list(team.topics) if team else []
    chosen = [topic for topic in pool if story.rng.random() < 0.8]
    count = story.rng.choice((0, 1, 1, 2)) if role != Role.FIELD else story.rng.choice((0, 0, 1))
    for topic in story.rng.sample(ROLE_TOPICS[role], min(count, len(ROLE_TOPICS[role]))):
        if topic not in chosen:
            chosen.append(topic)
    return chosen[:4]


def date_at(moment: date) -> datetime:
    """Midnight UTC at the start of `moment`."""
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)


def new_person(
    story: "DemoStory",
    *,
    role: str,
    hired_on: date,
    division: str | None = None,
    team: Team | None = None,
    city: str | None = None,
) -> PersonPlan:
    """Plan a person of `role` hired on `hired_on`, placed in a team and office that fit."""
    rng = story.rng
    division = division or (team.division_key if team else weighted(story, ROLE_DIVISIONS[role]))
    team = team or rng.choice(story.teams_by_division[division])
    city = city or weighted(story, DIVISION_OFFICES[division])
    office = OFFICES[city]
    locale = weighted(story, office.locales)
    first, last = person_name(story, locale)
    level = rng.choices(range(1, 11), LEVEL_WEIGHTS)[0]
    # Long-tenured people tend to be more senior.
    years = (story.today - hired_on).days / 365.25
    if years > 8 and level < 8:
        level += 1
    elif years < 2 and level > 1:
        level -= 1
    user = User(
        email=unique_email(story, first, last),
        display_name=f"{first} {last}",
        password=story.password_hash,
        role=role,
        career_level=level,
        location=city,
        country=office.country,
        time_zone=office.time_zone,
        languages=languages_for(story, locale, city),
        hired_on=max(hired_on, EARLIEST_HIRE),
        date_joined=date_at(max(hired_on, EARLIEST_HIRE)) + timedelta(hours=rng.randint(8, 17)),
        org_unit=team.unit,
    )
    plan = PersonPlan(user=user, team=team, topics=pick_topics(story, role, team))
    story.people.append(plan)
    team.people.append(plan)
    return plan


def leave_company(plan: PersonPlan, moment: datetime) -> None:
    if plan.keep:
        return
    plan.left_at = moment
    plan.user.left_on = moment.date()
    plan.user.is_active = False


def plan_wider_company(story: "DemoStory") -> None:
    """People who never joined the ML community: the rest of the company the sister
    communities (Data Engineering above all) draw from."""
    rng = story.rng
    mix = (
        (Role.ENGINEER, 40),
        (Role.DATA_SCIENTIST, 20),
        (Role.FIELD, 12),
        (Role.PRODUCT_MANAGER, 10),
        (Role.OTHER, 10),
        (Role.APPLIED_SCIENTIST, 8),
    )
    span = (story.today - date(2004, 1, 1)).days
    for _ in range(round(story.members * 0.18)):
        hired = date(2004, 1, 1) + timedelta(days=rng.randrange(span))
        plan = new_person(story, role=weighted(story, mix), hired_on=hired)
        tenure = timedelta(days=rng.expovariate(1 / (11 * 365.25)))
        if hired + tenure < story.today:
            leave_company(plan, date_at(hired + tenure) + timedelta(hours=17))
