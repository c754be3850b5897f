"""Membership plans and their insertion, with one activity-ledger row per join and per leave."""

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType

from practica.communities.models import LeftReason, Membership, MembershipRole, MembershipSource
from practica.core.models import Activity, ActivityKind
from practica.demo.people import PersonPlan

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

BATCH = 1000
_ZONES: dict[str, zoneinfo.ZoneInfo] = {}


@dataclass
class MembershipPlan:
    person: PersonPlan
    community: str  # slug
    joined_at: datetime
    role: str = MembershipRole.MEMBER
    source: str = MembershipSource.ORGANIC
    left_at: datetime | None = None
    left_reason: str = ""


@dataclass
class ActivityPlan:
    """A ledger row besides joins and leaves (role changes, requests), written after insertion."""

    person: PersonPlan
    community: str
    kind: str
    occurred_at: datetime
    data: dict


def working_moment(story: "DemoStory", plan: PersonPlan, day: date) -> datetime:
    """A moment during the person's working day on `day`, in their office's zone, as UTC."""
    zone_name = plan.user.time_zone
    zone = _ZONES.get(zone_name) or _ZONES.setdefault(zone_name, zoneinfo.ZoneInfo(zone_name))
    local = datetime.combine(
        day, time(story.rng.randint(8, 18), story.rng.randrange(60), story.rng.randrange(60))
    )
    return local.replace(tzinfo=zone).astimezone(UTC)


def open_membership(
    story: "DemoStory", plan: PersonPlan, community: str, **fields
) -> MembershipPlan:
    membership = MembershipPlan(person=plan, community=community, **fields)
    plan.memberships[community] = membership
    story.memberships.append(membership)
    return membership


def close_membership(membership: MembershipPlan, moment: datetime, reason: str) -> None:
    if membership.person.keep:
        return
    # Leaving the same working day one joined still leaves the row's dates in order.
    membership.left_at = max(moment, membership.joined_at + timedelta(minutes=5))
    membership.left_reason = reason


def keep_person(plan: PersonPlan) -> None:
    """This person stays: in the company and in every community they joined."""
    plan.keep = True
    plan.left_at = None
    plan.user.left_on = None
    plan.user.is_active = True
    for membership in plan.memberships.values():
        membership.left_at = None
        membership.left_reason = ""


def close_leavers_memberships(story: "DemoStory") -> None:
    """Whoever left the company left every community they were still in, that day."""
    for membership in story.memberships:
        left_company_at = membership.person.left_at
        if left_company_at is None:
            continue
        if membership.left_at is None or membership.left_at > left_company_at:
            membership.left_at = None
            close_membership(membership, left_company_at, LeftReason.LEFT_COMPANY)


def save_memberships(story: "DemoStory") -> None:
    """Insert every membership, then the ledger: `joined` at joined_at, `left` at left_at."""
    rows = [
        Membership(
            community_id=story.communities[plan.community].pk,
            person_id=plan.person.user.pk,
            role=plan.role,
            source=plan.source,
            joined_at=plan.joined_at,
            left_at=plan.left_at,
            left_reason=plan.left_reason,
        )
        for plan in story.memberships
    ]
    Membership.objects.bulk_create(rows, batch_size=BATCH)
    membership_type = ContentType.objects.get_for_model(Membership)

    def membership_event(row: Membership, kind: str, at: datetime, data: dict) -> Activity:
        return Activity(
            kind=kind,
            person_id=row.person_id,
            community_id=row.community_id,
            occurred_at=at,
            subject_type=membership_type,
            subject_id=row.pk,
            data=data,
        )

    ledger: list[Activity] = []
    for row in rows:
        joined = {"source": row.source, "role": row.role}
        ledger.append(membership_event(row, ActivityKind.JOINED, row.joined_at, joined))
        if row.left_at is not None:
            left = {"reason": row.left_reason}
            ledger.append(membership_event(row, ActivityKind.LEFT, row.left_at, left))
    for extra in story.activities:
        ledger.append(
            Activity(
                kind=extra.kind,
                person_id=extra.person.user.pk,
                community_id=story.communities[extra.community].pk,
                occurred_at=extra.occurred_at,
                data=extra.data,
            )
        )
    Activity.objects.bulk_create(ledger, batch_size=BATCH)
    story.counts["memberships"] = len(rows)
    story.counts["activities"] = len(ledger)
    story.counts["left_company"] = sum(r.left_reason == LeftReason.LEFT_COMPANY for r in rows)
