"""Grassroots groups of Machine Learning, the founders who left, and the provisioning log.

Four groups: a reading group and a study group whose founders left the company, a
sub-community and a study group run by organizers. The study group's founder left months ago
and the community manager handed it to a member the next days (a resolved continuity alert);
the reading group's founder left days ago, with a monthly series of paper sessions to their
name: their alert is raised by the continuity service itself (`raise_continuity_alerts`, the
one service call of the demo's outreach) and waits for the manager.

That leaver came through the present month's HR import, with the month's joiners and a
transfer (`outreach_provisioning`).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType

from practica.communities.models import (
    Group,
    GroupKind,
    GroupMembership,
    GroupRole,
    MembershipRole,
)
from practica.core.models import AuditLogEntry
from practica.demo.growth import ML
from practica.demo.logins import MANAGER_EMAIL
from practica.demo.memberships import MembershipPlan
from practica.demo.outreach import OutreachPlan
from practica.demo.outreach_hires import Transfer
from practica.demo.outreach_provisioning import hr_import_of_the_month, leaver_change, save_token
from practica.demo.people import PersonPlan
from practica.events.models import EventSeries, SeriesCadence
from practica.mail.models import MessageStatus, OutboundMessage
from practica.outreach.models import (
    ChangeKind,
    ChangeSource,
    ContinuityAlert,
    ContinuityItem,
    PersonChange,
)
from practica.people.models import User

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

PENDING, HANDED, ORGANIZER = "pending", "handed", "organizer"


@dataclass(frozen=True)
class GroupSpec:
    slug: str
    name: str
    kind: str
    description: str
    founder: str  # PENDING, HANDED or ORGANIZER


GROUPS = (
    GroupSpec(
        "rl-reading-group",
        "Reinforcement learning reading group",
        GroupKind.READING,
        "One reinforcement-learning paper every month, read before and picked apart together: "
        "offline RL, RLHF, bandits in production. Newcomers welcome; bring questions.",
        PENDING,
    ),
    GroupSpec(
        "causal-inference-study-group",
        "Causal inference study group",
        GroupKind.STUDY,
        "Working through a causal-inference textbook a chapter a fortnight, with notebooks on "
        "our own experiment data between sessions.",
        HANDED,
    ),
    GroupSpec(
        "llm-practitioners",
        "LLM practitioners",
        GroupKind.SUB_COMMUNITY,
        "For everyone shipping large language models in products: evaluation, serving costs, "
        "prompt and retrieval patterns, and what went wrong in production.",
        ORGANIZER,
    ),
    GroupSpec(
        "bayesian-methods-study-group",
        "Bayesian methods study group",
        GroupKind.STUDY,
        "Probabilistic programming and Bayesian workflow for applied problems, one case study "
        "at a time.",
        ORGANIZER,
    ),
)
SERIES_TITLE = "Reinforcement learning paper sessions"
SERIES_DESCRIPTION = (
    "The reading group's monthly session: one paper, presented by a volunteer in twenty "
    "minutes, then discussed."
)
HR_HEADERS = (
    "Employee ID", "Work Email", "First Name", "Last Name", "Job Title", "Department",
    "Manager ID", "Hire Date", "Termination Date", "Status", "Country", "Location", "Time Zone",
)  # fmt: skip
HR_FIELDS = (
    "employee_number", "email", "first_name", "last_name", "job_title", "org_unit",
    "manager_employee_number", "hired_on", "left_on", "status", "country", "location",
    "time_zone",
)  # fmt: skip


@dataclass
class GroupPlan:
    spec: GroupSpec
    founder: PersonPlan
    created_at: datetime
    rows: list = field(default_factory=list)  # (person, role, joined_at, left_at)
    successor: PersonPlan | None = None  # who took the group over from a leaver
    raised: datetime | None = None
    handed: datetime | None = None
    id: int = 0


def _plan_group(
    story: "DemoStory",
    plan: OutreachPlan,
    spec: GroupSpec,
    founder: PersonPlan,
    ml: list[MembershipPlan],
) -> GroupPlan:
    rng, now = plan.rng, story.now
    joined = founder.memberships[ML].joined_at
    end = founder.left_at or now
    earliest = joined + timedelta(days=30)
    latest = max(earliest, end - timedelta(days=300))
    created = earliest + (latest - earliest) * rng.uniform(0.4, 1.0)
    group = GroupPlan(spec, founder, created, rows=[(founder, GroupRole.OWNER, created, None)])
    size = min(40, max(5, round(story.members * 0.004)))
    seen = {id(founder)}
    for _ in range(size * 40):
        if len(group.rows) > size:
            break
        membership = ml[rng.randrange(len(ml))]
        person = membership.person
        if (
            id(person) in seen
            or person.user.is_system
            or (membership.left_at or now) - max(membership.joined_at, created)
            <= timedelta(days=14)
        ):
            continue
        seen.add(id(person))
        start = max(membership.joined_at, created)
        stop = membership.left_at or now
        at = start + (stop - start) * rng.uniform(0.0, 0.7)
        left = membership.left_at
        if left is None and rng.random() < 0.12:
            left = at + (now - at) * rng.uniform(0.2, 0.9)
        group.rows.append((person, GroupRole.MEMBER, at, left))
    return group


def _founders(story: "DemoStory", plan: OutreachPlan) -> dict[str, list[PersonPlan]]:
    organizers = sorted(
        (
            m.person
            for m in story.memberships
            if m.community == ML
            and m.role == MembershipRole.ORGANIZER
            and m.left_at is None
            and m.person.left_at is None
        ),
        key=lambda p: p.user.email,
    )
    return {
        PENDING: [plan.pending_leaver] if plan.pending_leaver else [],
        HANDED: [plan.handed_leaver] if plan.handed_leaver else [],
        ORGANIZER: organizers,
    }


def _save_groups(story: "DemoStory", groups: list[GroupPlan]) -> None:
    ml = story.communities[ML].pk
    rows = [
        Group(
            community_id=ml,
            name=g.spec.name,
            slug=g.spec.slug,
            kind=g.spec.kind,
            description=g.spec.description,
            created_at=g.created_at,
        )
        for g in groups
    ]
    Group.objects.bulk_create(rows)
    for group, row in zip(groups, rows, strict=True):
        group.id = row.pk
        Group.objects.filter(pk=row.pk).update(updated_at=group.created_at)
    GroupMembership.objects.bulk_create(
        GroupMembership(
            group_id=g.id, person_id=person.user.pk, role=role, joined_at=at, left_at=left
        )
        for g in groups
        for person, role, at, left in g.rows
    )


def _hand_over(story: "DemoStory", plan: OutreachPlan, group: GroupPlan) -> None:
    """The founder left months ago; the manager handed the group to a member two days on."""
    rng, leaver = plan.rng, group.founder
    left_at = leaver.left_at
    raised = left_at + timedelta(minutes=rng.uniform(30, 240))
    handed = raised + timedelta(days=2, hours=rng.uniform(0, 6))
    members = [
        (i, row)
        for i, row in enumerate(group.rows)
        if row[1] == GroupRole.MEMBER
        and row[2] < raised
        and row[3] is None
        and row[0].left_at is None
    ]
    founder_row = group.rows[0]
    group.rows[0] = (founder_row[0], GroupRole.OWNER, founder_row[2], left_at)
    if not members:
        return
    index, (successor, _role, at, _left) = members[rng.randrange(len(members))]
    group.rows[index] = (successor, GroupRole.OWNER, at, None)
    group.successor, group.raised, group.handed = successor, raised, handed


def _resolved_alert(story: "DemoStory", group: GroupPlan, manager_id: int | None) -> None:
    successor = group.successor
    if successor is None or group.raised is None or group.handed is None:
        return
    alert = ContinuityAlert.objects.create(
        community_id=story.communities[ML].pk,
        leaver_id=group.founder.user.pk,
        created_at=group.raised,
        resolved_at=group.handed,
    )
    ContinuityItem.objects.create(
        alert=alert,
        kind="group",
        object_id=group.id,
        label=f"{GroupKind(group.spec.kind).label}: {group.spec.name}",
        handed_to_id=successor.user.pk,
        handed_by_id=manager_id,
        handed_at=group.handed,
    )
    alert_type = ContentType.objects.get_for_model(ContinuityAlert)
    group_type = ContentType.objects.get_for_model(Group)
    ml = story.communities[ML].pk
    leaver, heir = group.founder.user.pk, successor.user.pk
    AuditLogEntry.objects.bulk_create(
        [
            AuditLogEntry(action="continuity.alert_raised", target_type=alert_type,
                          target_id=alert.pk, community_id=ml, created_at=group.raised,
                          data={"leaver": leaver, "items": [["group", group.id]]}),
            AuditLogEntry(actor_id=manager_id, action="group.ownership_handed_over",
                          target_type=group_type, target_id=group.id, community_id=ml,
                          created_at=group.handed,
                          data={"leaver": leaver, "successor": heir, "leaver_row_closed": 0}),
            AuditLogEntry(actor_id=manager_id, action="continuity.alert_resolved",
                          target_type=alert_type, target_id=alert.pk, community_id=ml,
                          created_at=group.handed, data={"leaver": leaver}),
        ]
    )  # fmt: skip


def _pending_alert(story: "DemoStory", group: GroupPlan, raised: datetime) -> int:
    """The series in the leaver's name, then the continuity service's own alert, dated to the
    HR import that reported the leaver; returns how many things it lists."""
    from practica.outreach.services.continuity import raise_continuity_alerts

    leaver = group.founder
    series = EventSeries.objects.create(
        community=story.communities[ML],
        title=SERIES_TITLE,
        description=SERIES_DESCRIPTION,
        cadence=SeriesCadence.MONTHLY,
        owner_id=leaver.user.pk,
        created_at=group.created_at + timedelta(days=12),
    )
    EventSeries.objects.filter(pk=series.pk).update(updated_at=series.created_at)
    alerts = raise_continuity_alerts(leaver=User.objects.get(pk=leaver.user.pk))
    ids = [alert.pk for alert in alerts]
    ContinuityAlert.objects.filter(pk__in=ids).update(created_at=raised)
    AuditLogEntry.objects.filter(
        target_type=ContentType.objects.get_for_model(ContinuityAlert), target_id__in=ids
    ).update(created_at=raised)
    for pk in ids:
        OutboundMessage.objects.filter(
            idempotency_key__startswith=f"continuity-alert-{pk}-"
        ).update(
            created_at=raised,
            next_attempt_at=raised,
            status=MessageStatus.SENT,
            attempts=1,
            sent_at=raised + timedelta(seconds=4),
        )
    GroupMembership.objects.filter(person_id=leaver.user.pk, left_at__isnull=True).update(
        left_at=leaver.left_at
    )
    return ContinuityItem.objects.filter(alert_id__in=ids).count()


def _groups_left(groups: list[GroupPlan], person: PersonPlan) -> list[int]:
    """The groups whose current membership `person` lost on leaving the company."""
    return sorted(
        {
            group.id
            for group in groups
            for someone, _role, _at, left in group.rows
            if someone is person and (left is None or left == person.left_at)
        }
    )


def save_groups_and_provisioning(
    story: "DemoStory", plan: OutreachPlan, transfers: list[Transfer]
) -> None:
    """The groups, both continuity alerts, the HR import with its changes, the SCIM token."""
    founders = _founders(story, plan)
    ml = [m for m in story.memberships if m.community == ML]
    groups: list[GroupPlan] = []
    for spec in GROUPS:
        candidates = founders[spec.founder]
        if not candidates:
            continue
        founder = candidates.pop(plan.rng.randrange(len(candidates)))
        groups.append(_plan_group(story, plan, spec, founder, ml))
    handed = [g for g in groups if g.spec.founder == HANDED]
    for group in handed:
        _hand_over(story, plan, group)
    _save_groups(story, groups)
    manager = next((p.user.pk for p in story.people if p.user.email == MANAGER_EMAIL), None)
    for group in handed:
        _resolved_alert(story, group, manager)
    changes: list[PersonChange] = []
    pending = [g for g in groups if g.spec.founder == PENDING]
    leaver = plan.pending_leaver
    applied = (leaver.left_at if leaver else story.now - timedelta(days=7)) + timedelta(
        minutes=plan.rng.uniform(20, 90)
    )
    _hr, changes = hr_import_of_the_month(story, plan, transfers[0] if transfers else None, applied)
    for group in pending:
        story.counts["continuity_items"] = _pending_alert(story, group, applied)
    if leaver is not None:
        leaving = next(c for c in changes if c.kind == ChangeKind.LEAVER)
        leaving.changes = leaver_change(
            story, leaver, _groups_left(groups, leaver), ChangeSource.HR_FEED, applied
        ).changes
    for group in handed:
        founder = group.founder
        changes.append(
            leaver_change(
                story, founder, _groups_left(groups, founder), ChangeSource.HR_FEED, founder.left_at
            )
        )
    PersonChange.objects.bulk_create(changes)
    save_token(story)
    story.counts["groups"] = len(groups)
