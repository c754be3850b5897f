"""Machine Learning's strategy since 2014 and its yearly maturity self-assessments.

Four approved versions (`program_strategy_texts.VERSIONS`): the first in March 2014, written
with the new leadership team; 2017, on joining the program beside Artificial Intelligence;
2021, online first; and the present one, approved early in the last year whose approval day
has passed. Each is a whole snapshot: summary, goals, "I can…" scenarios, principles, the
audience (org units of the org chart, job titles, a role), targets bound to the metrics
`practica.metrics` registers (a members target scales with --members), and the leadership
team of that day (the sponsor, the manager, the founder and the leaders who were members
then, each with a remit). Older versions are superseded; the manager recorded each approval
for the sponsor's leadership team (audit log as the service writes it). A draft of the next
version waits in the editor, started by the manager a few days ago.

Maturity: one assessment a year since 2014, the eight competencies each at a stage that only
rises over the years, with notes where something changed.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType

from practica.communities.models import (
    MaturityAssessment,
    MaturityScore,
    MembershipRole,
    StrategyAudience,
    StrategyLeader,
    StrategyStatus,
    StrategyTarget,
    StrategyVersion,
)
from practica.core.models import AuditLogEntry
from practica.demo import program_strategy_texts as texts
from practica.demo.growth import ML
from practica.demo.logins import LEADER_EMAIL
from practica.demo.people import PersonPlan
from practica.demo.program_people import (
    STEWARD_ROLES,
    Roster,
    manager,
    on_day,
    program_rng,
)
from practica.people.models import OrgUnit

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

MAX_LEADERS = 8
FIRST_ASSESSMENT = (3, 20)  # (month, day): a week after the first approval


@dataclass
class VersionPlan:
    spec: texts.VersionSpec
    number: int
    created_at: datetime
    approved_at: datetime | None
    status: str
    change_note: str
    goals: list[str]
    row: StrategyVersion | None = None


def _moment(year: int, month_day: tuple[int, int], hour: int) -> datetime:
    return on_day(date(year, *month_day), hour)


def _present_year(today: date, approved: tuple[int, int]) -> int:
    """The last year whose approval day has passed (2022 at the earliest)."""
    year = today.year if date(today.year, *approved) < today else today.year - 1
    return max(2022, year)


def _plan_versions(story: "DemoStory") -> list[VersionPlan]:
    """The approved versions whose approval day has passed, oldest first, then the draft."""
    now, plans = story.now, list[VersionPlan]()
    for spec in texts.VERSIONS:
        year = spec.year or _present_year(story.today, spec.approved)
        approved = _moment(year, spec.approved, 15)
        if approved >= now or (plans and year <= plans[-1].created_at.year):
            continue
        plans.append(
            VersionPlan(spec, len(plans) + 1, _moment(year, spec.created, 10), approved,
                        StrategyStatus.SUPERSEDED, spec.change_note, list(spec.goals))
        )  # fmt: skip
    plans[-1].status = StrategyStatus.APPROVED
    current = plans[-1]
    plans.append(
        VersionPlan(current.spec, current.number + 1, now - timedelta(days=6, hours=3), None,
                    StrategyStatus.DRAFT, texts.DRAFT_NOTE, [*current.goals, texts.DRAFT_GOAL])
    )  # fmt: skip
    return plans


def _target_value(spec: texts.TargetSpec, members: int, draft: bool) -> Decimal:
    if spec.value.startswith("×"):
        wanted = members * float(spec.value[1:])
        step = 50 if wanted >= 500 else 10
        return Decimal(max(step, round(wanted / step) * step))
    if draft and spec.metric_key == "retention_6_months":
        return Decimal(texts.DRAFT_RETENTION)
    return Decimal(spec.value)


def _org_units(story: "DemoStory") -> dict[str, OrgUnit]:
    units = {division.name: division for division in story.divisions.values()}
    for team in story.teams_by_slug.values():
        units.setdefault(team.group.name, team.group)
    return units


def _leaders(story: "DemoStory", roster: Roster, at: datetime) -> list[tuple[PersonPlan, str]]:
    """The sponsor, the manager, the founder and the leaders who were members at `at`."""
    stewards = roster.at(at, STEWARD_ROLES)
    first: dict[str, int] = {MembershipRole.EXECUTIVE_SPONSOR: 0, MembershipRole.MANAGER: 1}
    stewards.sort(key=lambda m: (first.get(m.role, 2), m.person is not story.ml_founder))
    chosen, remits = [], iter(texts.LEADER_REMITS)
    for membership in stewards[:MAX_LEADERS]:
        person = membership.person
        if membership.role == MembershipRole.EXECUTIVE_SPONSOR:
            remit = texts.SPONSOR_REMIT
        elif membership.role == MembershipRole.MANAGER:
            remit = texts.MANAGER_REMIT
        elif person is story.ml_founder:
            remit = texts.FOUNDER_REMIT
        elif person.user.email == LEADER_EMAIL:
            remit = texts.LEADER_REMITS[0]
        else:
            remit = next(remits, texts.LEADER_REMITS[-1])
        chosen.append((person, remit))
    return chosen


def _save_versions(story: "DemoStory", plans: list[VersionPlan]) -> None:
    ml = story.communities[ML].pk
    by = manager(story).user.pk
    rows = StrategyVersion.objects.bulk_create(
        [
            StrategyVersion(
                community_id=ml, number=p.number, status=p.status, summary=p.spec.summary,
                goals=p.goals, scenarios=list(p.spec.scenarios),
                principles=list(p.spec.principles), change_note=p.change_note,
                created_by_id=by, created_at=p.created_at,
                approved_by_id=by if p.approved_at else None, approved_at=p.approved_at,
                approval_note=_approval_note(story, p.approved_at),
            )
            for p in plans
        ]
    )  # fmt: skip
    units = _org_units(story)
    roster = Roster(story, ML)
    audience, targets, leaders = [], [], []
    for plan, row in zip(plans, rows, strict=True):
        plan.row = row
        for n, a in enumerate(plan.spec.audience):
            unit = units.get(a.org_unit)
            audience.append(StrategyAudience(version=row, label=a.label, position=n,
                                             org_unit_id=unit.pk if unit else None, role=a.role,
                                             job_title_contains=a.job_title_contains))  # fmt: skip
        for n, t in enumerate(plan.spec.targets):
            value = _target_value(t, story.members, plan.status == StrategyStatus.DRAFT)
            targets.append(StrategyTarget(version=row, metric_key=t.metric_key, label=t.label,
                                          comparison=t.comparison, target_value=value,
                                          amber_margin_percent=t.amber, position=n))  # fmt: skip
        at = plan.approved_at or story.now
        for n, (person, remit) in enumerate(_leaders(story, roster, at)):
            leaders.append(StrategyLeader(version=row, person_id=person.user.pk, remit=remit,
                                          position=n))  # fmt: skip
    StrategyAudience.objects.bulk_create(audience)
    StrategyTarget.objects.bulk_create(targets)
    StrategyLeader.objects.bulk_create(leaders)
    version_type = ContentType.objects.get_for_model(StrategyVersion)
    audit = []
    for index, plan in enumerate(plans):
        if plan.row is None:
            continue
        row = plan.row
        if plan.approved_at is None:
            audit.append(AuditLogEntry(actor_id=by, action="strategy.draft_started",
                                       target_type=version_type, target_id=row.pk,
                                       community_id=ml, created_at=plan.created_at,
                                       data={"number": row.number}))  # fmt: skip
            continue
        superseded = [plans[index - 1].number] if index else []
        audit.append(AuditLogEntry(actor_id=by, action="strategy.approved",
                                   target_type=version_type, target_id=row.pk, community_id=ml,
                                   created_at=plan.approved_at,
                                   data={"number": row.number, "superseded": superseded,
                                         "note": row.approval_note}))  # fmt: skip
    AuditLogEntry.objects.bulk_create(audit)


def _approval_note(story: "DemoStory", approved_at: datetime | None) -> str:
    if approved_at is None:
        return ""
    sponsor = story.ml_sponsor.user.display_name if story.ml_sponsor else "the sponsor"
    day = f"{approved_at.day} {approved_at:%B %Y}"
    return f"Approved by {sponsor}'s leadership team on {day}."


def _save_maturity(story: "DemoStory", rng: random.Random) -> int:
    ml = story.communities[ML].pk
    by = manager(story).user.pk
    plans = []
    for year in range(2014, story.today.year + 1):
        day = date(year, *FIRST_ASSESSMENT) + timedelta(days=rng.randint(0, 20))
        if day >= story.today:
            break
        plans.append((year, day))
    rows = MaturityAssessment.objects.bulk_create(
        [
            MaturityAssessment(
                community_id=ml, assessed_on=day, assessed_by_id=by,
                note=texts.ASSESSMENT_NOTES.get(year, texts.DEFAULT_ASSESSMENT_NOTE),
                created_at=on_day(day, 16),
            )
            for year, day in plans
        ]
    )  # fmt: skip
    scores = []
    for (year, _day), row in zip(plans, rows, strict=True):
        for competency, (start, rises) in texts.MATURITY.items():
            stage = min(4, start + sum(1 for rise in rises if rise <= year))
            note = texts.MATURITY_NOTES.get((competency, year), "")
            scores.append(MaturityScore(assessment=row, competency=competency, stage=stage,
                                        note=note))  # fmt: skip
    MaturityScore.objects.bulk_create(scores)
    assessment_type = ContentType.objects.get_for_model(MaturityAssessment)
    AuditLogEntry.objects.bulk_create(
        AuditLogEntry(actor_id=by, action="strategy.maturity_recorded",
                      target_type=assessment_type, target_id=row.pk, community_id=ml,
                      created_at=row.created_at,
                      data={"assessed_on": row.assessed_on.isoformat()})
        for row in rows
    )  # fmt: skip
    return len(rows)


def save_strategy_and_maturity(story: "DemoStory") -> None:
    """Step: the strategy's versions, the draft of the next, the maturity assessments."""
    rng = program_rng(story, "strategy")
    plans = _plan_versions(story)
    _save_versions(story, plans)
    story.counts["strategy_versions"] = len(plans)
    story.counts["maturity_assessments"] = _save_maturity(story, rng)
