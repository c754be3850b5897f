"""Machine Learning's budgets since 2014 and the small grants its members asked for.

One budget per fiscal year (`practica.budget.fiscal_years`), in US dollars, with a line for
every category. Its lines are planned around what the year really cost: the community's
events' own cost lines (which the budget counts as spent), the expenses recorded against it
(the conference app and printing and the captions of each edition's talks, linked to the
conference's event; stickers and T-shirts, library books, the strategy day's room), and the
grants. One year's hackathon ran a day longer and its catering took the food line past plan,
with the manager's reason for the override; one expense was entered twice and voided; the
present year holds a deposit committed for an upcoming event.

Grants since 2015: most approved and reported, some approved in part (with the manager's
reason), a few declined or withdrawn; the present year has approved grants not yet reported
(committing the grants line) and applications waiting for the manager, one of them the
member login's. Reported grants write the grantee's RAN_GRANT_ACTIVITY ledger row (with the
group, for a group's grant), and every decision its audit entry, as the services do.
"""

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from django.db.models.functions import Coalesce

from practica.budget.fiscal_years import fiscal_year_of, fiscal_year_period
from practica.budget.models import (
    Budget,
    BudgetCategory,
    BudgetLine,
    Expense,
    ExpenseStatus,
    Grant,
    GrantStatus,
)
from practica.budget.queries.standing import EVENT_COST_CATEGORY
from practica.communities.models import Group, GroupMembership
from practica.core.models import Activity, ActivityKind, AuditLogEntry
from practica.demo import program_budget_texts as texts
from practica.demo.events import EventPlan
from practica.demo.growth import ML
from practica.demo.logins import MEMBER_EMAIL
from practica.demo.people import PersonPlan
from practica.demo.program_groups import ML_STYLES
from practica.demo.program_people import Roster, manager, on_day, person_by_id, program_rng
from practica.events.models import EventFormat, EventMode, EventStatus

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

CURRENCY = "USD"
FIRST_BUDGET_DAY = date(2014, 1, 1)
FIRST_GRANT_DAY = date(2015, 3, 1)
OVERSPEND_YEAR = 2019
CENT = Decimal("0.01")
MINIMUM_LINE: dict[str, int] = {
    BudgetCategory.VENUE: 2000, BudgetCategory.FOOD: 1000, BudgetCategory.RECORDING: 1000,
    BudgetCategory.CONFERENCE: 4000, BudgetCategory.SWAG: 1500, BudgetCategory.GRANTS: 3000,
    BudgetCategory.OTHER: 2000,
}  # fmt: skip


@dataclass
class ExpensePlan:
    category: str
    description: str
    amount: Decimal
    incurred_on: date
    status: str = ExpenseStatus.SPENT
    event: EventPlan | None = None
    override_reason: str = ""
    void_reason: str = ""


@dataclass
class GrantPlan:
    applicant: PersonPlan
    title: str
    purpose: str
    amount_requested: Decimal
    activity_on: date
    applied_at: datetime
    status: str = GrantStatus.SUBMITTED
    decision: str = ""  # approved, partly_approved or declined, once decided
    group_id: int | None = None
    amount_approved: Decimal | None = None
    decided_at: datetime | None = None
    decision_reason: str = ""
    outcome: str = ""
    amount_spent: Decimal | None = None
    reported_at: datetime | None = None
    withdrawn_at: datetime | None = None


@dataclass
class YearPlan:
    fiscal_year: int
    starts_on: date
    ends_on: date
    event_costs: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    expenses: list[ExpensePlan] = field(default_factory=list)
    grants: list[GrantPlan] = field(default_factory=list)
    planned: dict[str, Decimal] = field(default_factory=dict)

    def holds(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


def money(amount: float) -> Decimal:
    return Decimal(str(amount)).quantize(CENT)


def round_to(amount: float, step: int) -> Decimal:
    return Decimal(math.ceil(amount / step) * step).quantize(CENT)


def _years(story: "DemoStory") -> list[YearPlan]:
    first, last = fiscal_year_of(FIRST_BUDGET_DAY), fiscal_year_of(story.today)
    return [YearPlan(year, *fiscal_year_period(year)) for year in range(first, last + 1)]


def _event_costs(story: "DemoStory", years: list[YearPlan]) -> None:
    """What the community's events' cost lines put on each year, by budget category."""
    for event in story.events:
        if event.community != ML:
            continue
        for category, _what, amount, incurred, _by, _at in event.costs:
            year = next((y for y in years if y.holds(incurred)), None)
            if year is not None:
                year.event_costs[EVENT_COST_CATEGORY[category]] += amount


def _ml_events(story: "DemoStory", year: YearPlan, formats: tuple[str, ...]) -> list[EventPlan]:
    return [
        e
        for e in story.events
        if e.community == ML
        and e.format in formats
        and e.status == EventStatus.PUBLISHED
        and year.holds(e.starts_at.date())
    ]


def _plan_expenses(story: "DemoStory", rng: random.Random, years: list[YearPlan]) -> None:
    today = story.today
    for year in years:
        for event in _ml_events(story, year, (EventFormat.CONFERENCE,)):
            if event.ends_at >= story.now:
                continue
            for category, pattern, low, high in texts.CONFERENCE_EXPENSES:
                day = event.starts_at.date() - timedelta(days=rng.randint(5, 12))
                if category == BudgetCategory.RECORDING:
                    day = event.ends_at.date() + timedelta(days=rng.randint(10, 25))
                day = min(max(day, year.starts_on), year.ends_on, today - timedelta(days=1))
                year.expenses.append(
                    ExpensePlan(category, pattern.format(event=event.title),
                                money(rng.uniform(low, high)), day, event=event)
                )  # fmt: skip
        for n, (category, description, low, high) in enumerate(texts.YEARLY_EXPENSES):
            day = year.starts_on + timedelta(days=35 + 90 * n + rng.randint(0, 20))
            if day < today and year.holds(day):
                amount = money(rng.uniform(low, high))
                year.expenses.append(ExpensePlan(category, description, amount, day))
    _overspend(story, rng, years)
    _duplicate(years)
    _deposit(story, rng, years[-1])


def _overspend(story: "DemoStory", rng: random.Random, years: list[YearPlan]) -> None:
    year = next((y for y in years if y.fiscal_year == OVERSPEND_YEAR), None)
    if year is None or year.ends_on >= story.today:
        return
    hackathons = _ml_events(story, year, (EventFormat.HACKATHON,))
    event = hackathons[0] if hackathons else None
    day = event.ends_at.date() if event else year.starts_on + timedelta(days=200)
    category, description, reason = texts.OVERSPEND
    amount = money(rng.uniform(1800, 3200))
    year.expenses.append(
        ExpensePlan(category, description, amount, day, event=event, override_reason=reason)
    )


def _duplicate(years: list[YearPlan]) -> None:
    """Last year's stickers were entered twice; the copy was voided the next day."""
    if len(years) < 2:
        return
    year = years[-2]
    original = next((e for e in year.expenses if e.category == BudgetCategory.SWAG), None)
    if original is not None:
        year.expenses.append(
            ExpensePlan(original.category, original.description, original.amount,
                        original.incurred_on, void_reason=texts.VOID_REASON)
        )  # fmt: skip


def _deposit(story: "DemoStory", rng: random.Random, year: YearPlan) -> None:
    """A venue deposit committed for the next in-person event of this fiscal year."""
    upcoming = [
        e
        for e in _ml_events(story, year, tuple(EventFormat))
        if e.starts_at > story.now and e.mode != EventMode.ONLINE
    ]
    if upcoming:
        event = upcoming[0]
        year.expenses.append(
            ExpensePlan(BudgetCategory.VENUE, f"Venue deposit: {event.title}",
                        money(rng.uniform(600, 1500)), event.starts_at.date(),
                        status=ExpenseStatus.COMMITTED, event=event)
        )  # fmt: skip


def _group_stints(story: "DemoStory") -> dict[int, list[tuple[PersonPlan, datetime, datetime]]]:
    """The thriving groups' members: group id → (person, joined, left or the end of time)."""
    people = person_by_id(story)
    thriving = [slug for slug, style in ML_STYLES.items() if style.thriving]
    rows = GroupMembership.objects.filter(
        group__community=story.communities[ML], group__slug__in=thriving
    ).order_by("group_id", "joined_at", "pk")
    end = datetime.max.replace(tzinfo=story.now.tzinfo)
    stints: dict[int, list[tuple[PersonPlan, datetime, datetime]]] = defaultdict(list)
    for group_id, person_id, joined, left in rows.values_list(
        "group_id", "person_id", "joined_at", "left_at"
    ):
        stints[group_id].append((people[person_id], joined, left or end))
    return stints


def _grant(
    story: "DemoStory",
    rng: random.Random,
    activity_on: date,
    *,
    roster: Roster,
    groups: dict[int, list[tuple[PersonPlan, datetime, datetime]]],
    group_names: dict[int, str],
    applied: datetime | None = None,
) -> GrantPlan | None:
    applied = applied or on_day(
        activity_on - timedelta(days=rng.randint(20, 60)), rng.randint(8, 17)
    )
    if applied >= story.now:  # an activity coming soon: asked in the last days
        applied = story.now - timedelta(days=rng.uniform(0.5, 6))
    idea = rng.choice(texts.GRANT_IDEAS)
    applicant, group_id = None, None
    if idea.for_group:
        for candidate in sorted(groups):
            present = [p for p, joined, left in groups[candidate] if joined < applied < left]
            if present:
                applicant, group_id = rng.choice(present), candidate
                break
        if applicant is None:
            idea = texts.GRANT_IDEAS[2]
    if applicant is None:
        staff = manager(story)
        members = [m.person for m in roster.at(applied) if m.person is not staff]
        if not members:
            return None
        applicant = rng.choice(members)
    words = {
        "group": group_names.get(group_id or 0, ""),
        "topic": rng.choice(texts.GRANT_TOPICS),
        "city": applicant.user.location or "Redmond",
    }
    return GrantPlan(
        applicant,
        idea.title.format(**words),
        idea.purpose.format(**words),
        round_to(rng.uniform(idea.low, idea.high), 10),
        activity_on,
        applied,
        group_id=group_id,
    )


def _decide(story: "DemoStory", rng: random.Random, grant: GrantPlan, outcome: float) -> None:
    """Approve (in full or in part), decline or see it withdrawn; report what took place."""
    decided = grant.applied_at + timedelta(days=rng.uniform(1, 9))  # never 10 days or more
    if decided >= story.now:
        return
    if outcome < 0.08:
        grant.status, grant.withdrawn_at = GrantStatus.WITHDRAWN, decided
        return
    grant.decided_at = decided
    if outcome < 0.2:
        grant.status = grant.decision = GrantStatus.DECLINED
        grant.decision_reason = rng.choice(texts.DECLINE_REASONS)
        return
    grant.amount_approved = grant.amount_requested
    grant.status = grant.decision = GrantStatus.APPROVED
    if outcome < 0.36:
        grant.status = grant.decision = GrantStatus.PARTLY_APPROVED
        grant.amount_approved = round_to(float(grant.amount_requested) * rng.uniform(0.5, 0.8), 10)
        grant.decision_reason = rng.choice(texts.PARTLY_REASONS)
    reported = on_day(grant.activity_on + timedelta(days=rng.randint(2, 25)), rng.randint(8, 18))
    if reported < story.now:
        grant.status = GrantStatus.REPORTED
        grant.reported_at = reported
        grant.outcome = rng.choice(texts.OUTCOMES)
        grant.amount_spent = money(float(grant.amount_approved) * rng.uniform(0.75, 1.0))


def _plan_grants(story: "DemoStory", rng: random.Random, years: list[YearPlan]) -> None:
    groups = _group_stints(story)
    names = dict(Group.objects.filter(pk__in=list(groups)).values_list("pk", "name"))
    today, roster = story.today, Roster(story, ML)
    for year in years:
        start = max(year.starts_on, FIRST_GRANT_DAY)
        end = min(year.ends_on, today + timedelta(days=75))
        if end <= start + timedelta(days=30):
            continue
        days = sorted(
            start + timedelta(days=rng.randint(20, (end - start).days))
            for _ in range(rng.randint(3, 6))
        )
        for day in days:
            grant = _grant(story, rng, day, roster=roster, groups=groups, group_names=names)
            if grant is None:
                continue
            _decide(story, rng, grant, rng.random())
            year.grants.append(grant)
    _coming_grants(story, rng, years[-1], roster=roster, groups=groups, group_names=names)
    _member_login_grant(story, years[-1])


# Decided in the last weeks for activities still to come: approved, partly, declined.
COMING_OUTCOMES = (0.9, 0.3, 0.15)


def _coming_grants(
    story: "DemoStory",
    rng: random.Random,
    year: YearPlan,
    *,
    roster: Roster,
    groups: dict[int, list[tuple[PersonPlan, datetime, datetime]]],
    group_names: dict[int, str],
) -> None:
    """The manager's latest decisions, on activities of the coming weeks: one approved, one
    approved in part, one declined (so this year's grants line has commitments)."""
    for outcome in COMING_OUTCOMES:
        day = story.today + timedelta(days=rng.randint(12, 45))
        if not year.holds(day):
            return
        applied = story.now - timedelta(days=rng.uniform(12, 20))
        grant = _grant(
            story, rng, day, roster=roster, groups=groups, group_names=group_names, applied=applied
        )
        if grant is None:
            return
        _decide(story, rng, grant, outcome)
        year.grants.append(grant)


def _member_login_grant(story: "DemoStory", year: YearPlan) -> None:
    """The member login asked three days ago; the manager has not decided yet."""
    day = min(story.today + timedelta(days=30), year.ends_on)
    if day <= story.today:
        return
    year.grants.append(
        GrantPlan(
            story.logins[MEMBER_EMAIL],
            "Books for a named-entity recognition reading circle",
            "Four of us on Translation Services want to read a book on information extraction "
            "together over lunch; the books stay in the community library afterwards.",
            Decimal("240.00"),
            day,
            story.now - timedelta(days=3, hours=5),
        )
    )


def _plan_lines(story: "DemoStory", rng: random.Random, years: list[YearPlan]) -> None:
    """Each line planned a little above what its category took (the present year: above
    last year's); the overspent year's food line just below what its catering needed."""
    previous: dict[str, Decimal] = {}
    for year in years:
        used: dict[str, Decimal] = defaultdict(Decimal, year.event_costs)
        for expense in year.expenses:
            if not expense.void_reason and not expense.override_reason:
                used[expense.category] += expense.amount
        for grant in year.grants:
            used[BudgetCategory.GRANTS] += grant.amount_spent or grant.amount_approved or 0
        current = year.ends_on >= story.today
        for category in BudgetCategory.values:
            basis = max(used[category], previous.get(category, Decimal(0)) if current else 0)
            planned = round_to(float(basis) * rng.uniform(1.08, 1.35), 500)
            year.planned[category] = max(planned, Decimal(MINIMUM_LINE[category]))
        for expense in year.expenses:
            if expense.override_reason:
                over = float(expense.amount) * rng.uniform(0.3, 0.6)
                room = float(used[expense.category]) + float(expense.amount) - over
                year.planned[expense.category] = round_to(room, 100)
        previous = used


def _save_budgets(story: "DemoStory", years: list[YearPlan], by: int) -> list[Budget]:
    ml = story.communities[ML].pk
    budgets = Budget.objects.bulk_create(
        [
            Budget(
                community_id=ml,
                fiscal_year=y.fiscal_year,
                starts_on=y.starts_on,
                ends_on=y.ends_on,
                currency=CURRENCY,
                note="Agreed with the executive sponsor with the year's strategy review.",
                created_by_id=by,
                created_at=on_day(y.starts_on - timedelta(days=21), 16),
            )
            for y in years
        ]
    )
    Budget.objects.filter(pk__in=[b.pk for b in budgets]).update(updated_at=F("created_at"))
    BudgetLine.objects.bulk_create(
        BudgetLine(budget_id=b.pk, category=category, planned=planned)
        for y, b in zip(years, budgets, strict=True)
        for category, planned in y.planned.items()
    )
    return budgets


def _save_expenses(
    story: "DemoStory", years: list[YearPlan], budgets: list[Budget], by: int
) -> list[AuditLogEntry]:
    rows, plans = [], []
    for y, budget in zip(years, budgets, strict=True):
        for e in y.expenses:
            recorded = min(on_day(e.incurred_on, 17), story.now - timedelta(hours=2))
            voided = recorded + timedelta(days=1) if e.void_reason else None
            rows.append(
                Expense(
                    budget_id=budget.pk, category=e.category, description=e.description[:200],
                    amount=e.amount, status=e.status, incurred_on=e.incurred_on,
                    event_id=e.event.id if e.event else None, override_reason=e.override_reason,
                    recorded_by_id=by, recorded_at=recorded, voided_at=voided,
                    voided_by_id=by if voided else None, void_reason=e.void_reason,
                )
            )  # fmt: skip
            plans.append(e)
    Expense.objects.bulk_create(rows)
    expense_type = ContentType.objects.get_for_model(Expense)
    budget_type = ContentType.objects.get_for_model(Budget)
    ml = story.communities[ML].pk
    audit = []
    for row in rows:
        data = {"expense": row.pk, "amount": str(row.amount), "category": row.category,
                "currency": CURRENCY}  # fmt: skip
        audit.append(AuditLogEntry(actor_id=by, action="budget.expense_recorded",
                                   target_type=expense_type, target_id=row.pk, community_id=ml,
                                   created_at=row.recorded_at, data=data))  # fmt: skip
        if row.override_reason:
            audit.append(AuditLogEntry(actor_id=by, action="budget.overspend_overridden",
                                       target_type=expense_type, target_id=row.pk,
                                       community_id=ml, created_at=row.recorded_at,
                                       data={**data, "reason": row.override_reason}))  # fmt: skip
        if row.voided_at:
            audit.append(AuditLogEntry(actor_id=by, action="budget.expense_voided",
                                       target_type=budget_type, target_id=row.budget_id,
                                       community_id=ml, created_at=row.voided_at,
                                       data={**data, "reason": row.void_reason}))  # fmt: skip
    return audit


def _save_grants(
    story: "DemoStory", years: list[YearPlan], budgets: list[Budget], by: int
) -> list[AuditLogEntry]:
    ml = story.communities[ML].pk
    rows = []
    plans = [(g, b) for y, b in zip(years, budgets, strict=True) for g in y.grants]
    for g, budget in plans:
        committed = g.amount_approved is not None
        rows.append(
            Grant(
                community_id=ml, budget_id=budget.pk if committed else None,
                applicant_id=g.applicant.user.pk, group_id=g.group_id, title=g.title[:200],
                purpose=g.purpose, amount_requested=g.amount_requested, currency=CURRENCY,
                activity_on=g.activity_on, status=g.status, amount_approved=g.amount_approved,
                decided_by_id=by if g.decided_at else None, decided_at=g.decided_at,
                decision_reason=g.decision_reason, outcome=g.outcome,
                amount_spent=g.amount_spent, reported_at=g.reported_at, created_at=g.applied_at,
            )
        )  # fmt: skip
    Grant.objects.bulk_create(rows)
    Grant.objects.filter(community_id=ml).update(
        updated_at=Coalesce("reported_at", "decided_at", "created_at")
    )
    grant_type = ContentType.objects.get_for_model(Grant)
    ledger, audit = [], []
    for row, (g, _budget) in zip(rows, plans, strict=True):
        if g.withdrawn_at is not None:
            audit.append(AuditLogEntry(actor_id=g.applicant.user.pk, target_id=row.pk,
                                       action="budget.grant_withdrawn", target_type=grant_type,
                                       community_id=ml, created_at=g.withdrawn_at))  # fmt: skip
        if g.decided_at is not None:
            data: dict[str, object] = {
                "amount_requested": str(g.amount_requested),
                "reason": g.decision_reason,
            }
            if g.amount_approved is not None:
                data |= {"amount_approved": str(g.amount_approved), "currency": CURRENCY,
                         "budget": row.budget_id}  # fmt: skip
            audit.append(AuditLogEntry(actor_id=by, action=f"budget.grant_{g.decision}",
                                       target_type=grant_type, target_id=row.pk,
                                       community_id=ml, created_at=g.decided_at,
                                       data=data))  # fmt: skip
        if g.reported_at is not None:
            done = {"grant": row.pk} | ({"group": g.group_id} if g.group_id else {})
            ledger.append(Activity(kind=ActivityKind.RAN_GRANT_ACTIVITY, data=done,
                                   person_id=g.applicant.user.pk, community_id=ml,
                                   occurred_at=g.reported_at, subject_type=grant_type,
                                   subject_id=row.pk))  # fmt: skip
    Activity.objects.bulk_create(ledger)
    story.counts["grants"] = len(rows)
    return audit


def save_budgets_and_grants(story: "DemoStory") -> None:
    """Step: Machine Learning's budgets, expenses and grants (see the module's docstring)."""
    rng = program_rng(story, "budget")
    years = _years(story)
    _event_costs(story, years)
    _plan_expenses(story, rng, years)
    _plan_grants(story, rng, years)
    _plan_lines(story, rng, years)
    by = manager(story).user.pk
    budgets = _save_budgets(story, years, by)
    audit = [
        AuditLogEntry(
            actor_id=by,
            action="budget.created",
            target_type=ContentType.objects.get_for_model(Budget),
            target_id=b.pk,
            community_id=b.community_id,
            created_at=b.created_at,
            data={"fiscal_year": b.fiscal_year, "currency": b.currency},
        )
        for b in budgets
    ]
    audit += _save_expenses(story, years, budgets, by)
    audit += _save_grants(story, years, budgets, by)
    AuditLogEntry.objects.bulk_create(audit)
    story.counts["budgets"] = len(budgets)
