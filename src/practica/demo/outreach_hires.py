"""The company's data-science hires who never joined the community, and everyone's dated
affiliations.

Each month the welcome segment (hired the month before, a data-science, applied-science or
machine-learning-engineering title, not a member) should match the audience `outreach` planned
for that month's run; the people the demo already has who match are counted, and new hires
make up the rest. They are ordinary employees — a team, an office, a manager, an employee
number — but no memberships and no activity, so every other figure of the demo stays as it was.
They go in as tuples (`practica.core.bulk`) with one unusable password hash: they sign in with
the company's identity provider.

Everyone then gets an `Affiliation` from their hiring day (closed on the day they left); a
handful of people transferred between teams and have two, the first of them through the HR
import of the present month (`outreach_groups`).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models.base import ModelState

from practica.core.bulk import first_id, insert_rows, reset_sequences
from practica.demo.growth import ML
from practica.demo.locations import OFFICES
from practica.demo.org_chart import DIVISION_OFFICES, Team
from practica.demo.outreach import (
    TITLE_RE,
    OutreachPlan,
    add_months,
    mail_moment,
    month_start,
    start_day,
    welcome_title,
)
from practica.demo.people import (
    EMAIL_DOMAIN,
    ROLE_DIVISIONS,
    PersonPlan,
    date_at,
    email_local_part,
    job_title,
    languages_for,
    person_name,
    weighted,
)
from practica.people.models import Affiliation, Role, User

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

HIRE_ROLES = ((Role.DATA_SCIENTIST, 50), (Role.APPLIED_SCIENTIST, 20), (Role.ENGINEER, 30))
NEW_HIRE_LEVELS = (18, 20, 20, 16, 12, 9, 5)  # career levels 1–7
TENURE_MEAN_YEARS = 5.5
MIN_TENURE = timedelta(days=90)
TRANSFERS = 6
USER_COLUMNS = (
    "id", "password", "is_superuser", "email", "display_name", "org_unit_id", "manager_id",
    "role", "career_level", "job_title", "location", "country", "time_zone", "languages", "bio",
    "employee_number", "hired_on", "left_on", "preferred_language", "is_active", "is_staff",
    "is_system", "is_placeholder", "date_joined",
)  # fmt: skip


_USER_DEFAULTS: dict[str, object] = {}


def light_user(**values: object) -> User:
    """An unsaved User with `values`, built without `Model.__init__` (ten thousand of them
    cost a second that way): every field's attribute is set, so none is read from the
    database, and the row goes in as a tuple."""
    if not _USER_DEFAULTS:
        for model_field in User._meta.concrete_fields:
            default = model_field.get_default() if model_field.has_default() else None
            _USER_DEFAULTS[model_field.attname] = default
    user = User.__new__(User)
    user.__dict__.update(_USER_DEFAULTS)
    user.__dict__.update(values)
    user._state = ModelState()
    return user


@dataclass
class Transfer:
    """A move to the person's current team, title and manager on `on`, from these."""

    person: PersonPlan
    on: date
    org_unit_id: int | None
    job_title: str
    manager_id: int | None


def team_managers(story: "DemoStory") -> dict[int, PersonPlan]:
    """Who a newcomer of each team reports to: the team's lead, or the nearest one above who
    is still at the company (id(team) → plan)."""
    heads = {
        team.division_key: plan
        for team in story.teams_by_slug.values()
        for plan in team.people
        if plan.tier == 0 and plan.left_at is None
    }
    managers: dict[int, PersonPlan] = {}
    for team in story.teams_by_slug.values():
        lead = next((p.manager_plan for p in team.people if p.tier == 3 and p.manager_plan), None)
        lead = lead or next((p for p in team.people if p.tier == 2), None)
        while lead is not None and lead.left_at is not None:
            lead = lead.manager_plan
        lead = lead or heads.get(team.division_key) or story.ml_sponsor
        if lead is not None:
            managers[id(team)] = lead
    return managers


def _mail_time_match(person: PersonPlan, period: date, future: bool) -> bool:
    """Whether the run of `period` (or today's segment, for a run to come) matches them."""
    user = person.user
    if user.is_system or not TITLE_RE.search(user.job_title or ""):
        return False
    membership = person.memberships.get(ML)
    if future:
        return person.left_at is None and (membership is None or membership.left_at is not None)
    moment = mail_moment(period, user.time_zone)
    if person.left_at is not None and person.left_at <= moment:
        return False
    return membership is None or not (
        membership.joined_at <= moment
        and (membership.left_at is None or membership.left_at > moment)
    )


def _hires_needed(story: "DemoStory", plan: OutreachPlan) -> list[tuple[date, int]]:
    """(hiring month, how many new non-member hires it needs), from December 2013 on."""
    by_month: dict[date, list[PersonPlan]] = {}
    first = add_months(plan.periods[0], -1) if plan.periods else month_start(story.today)
    for person in story.people:
        hired = person.user.hired_on
        if hired is not None and hired >= first:
            by_month.setdefault(month_start(hired), []).append(person)
    needed = []
    last_run = plan.periods[-1] if plan.periods else first
    month, this_month = first, month_start(story.today)
    while month <= this_month:
        period = add_months(month, 1)
        target = plan.audience.get(period, 0)
        if month == this_month:
            target = round(target * (story.today.day - 1) / 30)
        future = period > last_run
        existing = sum(_mail_time_match(p, period, future) for p in by_month.get(month, []))
        needed.append((month, max(0, target - existing)))
        month = period
    return needed


_LOCAL_PARTS: dict[tuple[str, str], str] = {}


def _unique_email(story: "DemoStory", first: str, last: str) -> str:
    """`people.unique_email`, with each name's local part worked out once."""
    local = _LOCAL_PARTS.get((first, last))
    if local is None:
        local = _LOCAL_PARTS[first, last] = email_local_part(first, last)
    candidate, n = f"{local}@{EMAIL_DOMAIN}", 1
    while candidate in story.emails:
        n += 1
        candidate = f"{local}{n}@{EMAIL_DOMAIN}"
    story.emails.add(candidate)
    return candidate


def _new_hire(
    story: "DemoStory", plan: OutreachPlan, month: date, managers: dict[int, PersonPlan]
) -> PersonPlan | None:
    rng = plan.rng
    hired = start_day(rng, month)
    if hired >= story.today:
        return None
    role = weighted(story, HIRE_ROLES)
    division = weighted(story, ROLE_DIVISIONS[role])
    team: Team = rng.choice(story.teams_by_division[division])
    city = weighted(story, DIVISION_OFFICES[division])
    office = OFFICES[city]
    locale = weighted(story, office.locales)
    first, last = person_name(story, locale)
    level = rng.choices(range(1, 8), NEW_HIRE_LEVELS)[0]
    manager = managers.get(id(team))
    user = light_user(
        email=_unique_email(story, first, last),
        display_name=f"{first} {last}",
        role=role,
        career_level=level,
        job_title=welcome_title(role, level),
        location=city,
        country=office.country,
        time_zone=office.time_zone,
        languages=languages_for(story, locale, city),
        hired_on=hired,
        date_joined=date_at(hired) + timedelta(hours=rng.randint(8, 17)),
        org_unit_id=team.unit.pk,
        manager_id=manager.user.pk if manager else None,
        employee_number=plan.next_number(hired),
    )
    person = PersonPlan(user=user, team=team)
    leaves = hired + max(
        MIN_TENURE, timedelta(days=rng.expovariate(1 / (TENURE_MEAN_YEARS * 365.25)))
    )
    if leaves < story.today:
        user.left_on, user.is_active = leaves, False
        person.left_at = date_at(leaves) + timedelta(hours=17)
    return person


def _save_hires(story: "DemoStory", hires: list[PersonPlan], password: str, dt, js) -> None:
    next_id = first_id(User)
    for person in hires:
        person.user.id, next_id = next_id, next_id + 1
    rows = (
        (u.id, password, False, u.email, u.display_name, u.org_unit_id, u.manager_id, u.role,
         u.career_level, u.job_title, u.location, u.country, u.time_zone, js(u.languages), "",
         u.employee_number, u.hired_on.isoformat(), u.left_on.isoformat() if u.left_on else None,
         "", u.is_active, False, False, False, dt(u.date_joined))
        for u in (person.user for person in hires)
    )  # fmt: skip
    insert_rows(User, USER_COLUMNS, rows)
    reset_sequences(User)


def _transfers(
    story: "DemoStory", plan: OutreachPlan, managers: dict[int, PersonPlan], first_on: date
) -> list[Transfer]:
    """A handful of people who moved teams; the first moved on `first_on` (the HR import)."""
    rng = plan.rng
    settled = story.today - timedelta(days=4 * 365)
    people = sorted(
        (
            p
            for p in story.people
            if p.left_at is None
            and p.team is not None
            and not p.keep
            and not p.user.is_system
            and p.user.hired_on is not None
            and p.user.hired_on <= settled
            and p.user.manager_id is not None
            and p.tier == 3
            # Not someone the welcome segment matched: their title then is their title now.
            and not TITLE_RE.search(p.user.job_title or "")
        ),
        key=lambda p: p.user.email,
    )
    transfers = []
    for number, person in enumerate(rng.sample(people, min(TRANSFERS, len(people)))):
        user = person.user
        teams = [
            t for t in story.teams_by_division[person.team.division_key] if t is not person.team
        ]
        previous = rng.choice(teams or list(story.teams_by_slug.values()))
        boss = managers.get(id(previous))
        if number == 0:
            on = first_on
        else:
            span = (story.today - timedelta(days=400) - user.hired_on).days
            on = user.hired_on + timedelta(days=int(span * rng.uniform(0.35, 0.95)))
        title = job_title(user.role, max(1, (user.career_level or 1) - 2))
        transfers.append(
            Transfer(
                person=person,
                on=on,
                org_unit_id=previous.unit.pk,
                job_title=title,
                manager_id=boss.user.pk if boss is not None and boss is not person else None,
            )
        )
    return transfers


def _save_affiliations(story: "DemoStory", transfers: list[Transfer]) -> int:
    moved = {id(transfer.person): transfer for transfer in transfers}

    def rows():
        for person in story.people:
            user = person.user
            if user.is_system or user.hired_on is None:
                continue
            until = user.left_on.isoformat() if user.left_on else None
            start = user.hired_on.isoformat()
            transfer = moved.get(id(person))
            if transfer is not None:
                on = transfer.on.isoformat()
                yield (user.id, transfer.org_unit_id, transfer.job_title, transfer.manager_id,
                       start, on)  # fmt: skip
                start = on
            yield user.id, user.org_unit_id, user.job_title or "", user.manager_id, start, until

    columns = ("person_id", "org_unit_id", "job_title", "manager_id", "valid_from", "valid_to")
    return insert_rows(Affiliation, columns, rows())


def save_hires_and_affiliations(story: "DemoStory", plan: OutreachPlan) -> list[Transfer]:
    """Insert the non-member hires (they join `story.people`) and every affiliation; returns
    the transfers, the first of them the HR import's."""
    from practica.core.bulk import adapters

    dt, js = adapters()
    managers = team_managers(story)
    hires = []
    for month, count in _hires_needed(story, plan):
        for _ in range(count):
            person = _new_hire(story, plan, month, managers)
            if person is not None:
                hires.append(person)
    password = "!" + "".join(plan.rng.choice("0123456789abcdef") for _ in range(40))
    _save_hires(story, hires, password, dt, js)
    plan.hires = hires
    story.people.extend(hires)
    leaver = plan.pending_leaver
    first_on = leaver.user.left_on if leaver is not None else story.today - timedelta(days=7)
    transfers = _transfers(story, plan, managers, first_on)
    story.counts["affiliations"] = _save_affiliations(story, transfers)
    story.counts["non_member_hires"] = len(hires)
    return transfers
