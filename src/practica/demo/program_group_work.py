"""What a demo group did: threads and meetings of its community taken into it, its ledger rows
marked as the services mark them, and the health alerts the daily check would have raised.

A group here is a `GroupWork`: its saved row's id, its members' stints, and what it took. The
threads and events are the story's own (`story.threads`, `story.events`), so a group's
conversations and meetings are real ones with their posts, hosts and registrations; taking one
sets `Thread.group` / `Event.group`, and its ledger rows get `data["group"]` (the rows the
services write for a group's threads, posts and events: asked, discussed, answered, replied,
accepted; hosted, presented, registered, attended).
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db import connection

from practica.communities.models import (
    Group,
    GroupHealthAlert,
    GroupHealthAlertKind,
    GroupMembership,
    GroupRole,
)
from practica.core.models import Activity, ActivityKind
from practica.demo.discussions import ThreadPlan
from practica.demo.events import EventPlan
from practica.demo.people import PersonPlan
from practica.demo.program_people import next_nightly_check
from practica.discussions.models import Post, Thread
from practica.events.models import Event, EventStatus

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

BATCH = 500
# The rows the services mark with a group: about its threads and posts, about its events.
GROUP_KINDS = (
    ActivityKind.ASKED,
    ActivityKind.DISCUSSED,
    ActivityKind.ANSWERED,
    ActivityKind.REPLIED,
    ActivityKind.ACCEPTED,
    ActivityKind.HOSTED,
    ActivityKind.PRESENTED,
    ActivityKind.REGISTERED,
    ActivityKind.ATTENDED,
)


@dataclass
class Stint:
    person: PersonPlan
    role: str
    joined_at: datetime
    left_at: datetime | None = None
    saved: bool = True  # False: added by this step, inserted with the others

    def covers(self, moment: datetime) -> bool:
        return self.joined_at <= moment and (self.left_at is None or moment < self.left_at)


@dataclass
class GroupWork:
    id: int
    slug: str
    community: str
    created_at: datetime
    idle_after_days: int
    founder: PersonPlan
    archived: bool = False
    stints: list[Stint] = field(default_factory=list)
    threads: list[ThreadPlan] = field(default_factory=list)
    events: list[EventPlan] = field(default_factory=list)
    activity: list[datetime] = field(default_factory=list)  # when its ledger rows happened

    def stints_of(self, person: PersonPlan) -> list[Stint]:
        return [s for s in self.stints if s.person is person]


def sample_recent(rng: random.Random, items: list, count: int, recent: int = 3) -> list:
    """`count` of `items` (oldest first) at random, always with the `recent` newest."""
    if len(items) <= count:
        return list(items)
    newest = items[-recent:] if recent else []
    rest = rng.sample(items[: len(items) - len(newest)], count - len(newest))
    chosen = {id(item) for item in [*rest, *newest]}
    return [item for item in items if id(item) in chosen]


def _author_stint(
    rng: random.Random, group: GroupWork, author: PersonPlan, at: datetime, stay_only: bool
) -> bool:
    """True when `author` is in the group at `at`, adding a stint if they never were in it."""
    stints = group.stints_of(author)
    if stints:
        return any(s.covers(at) for s in stints)
    membership = author.memberships.get(group.community)
    if membership is None or author.user.is_system or not membership.joined_at < at:
        return False
    left = membership.left_at
    if left is not None and (stay_only or left <= at):
        return False
    earliest = max(group.created_at, membership.joined_at) + timedelta(minutes=5)
    if earliest >= at:
        return False
    joined = max(earliest, at - timedelta(days=rng.uniform(2, 40)))
    group.stints.append(Stint(author, GroupRole.MEMBER, joined, left, saved=False))
    return True


def take_threads(
    rng: random.Random,
    group: GroupWork,
    candidates: list[ThreadPlan],
    count: int,
    *,
    stay_only: bool = False,
) -> None:
    """Take up to `count` of `candidates` (oldest first) whose author is or becomes a member."""
    before = len(group.stints)
    eligible = [
        t for t in candidates if _author_stint(rng, group, t.author, t.created_at, stay_only)
    ]
    group.threads = sample_recent(rng, eligible, count)
    # Stints added for authors none of whose threads was taken are dropped again.
    authors = {id(t.author) for t in group.threads}
    added = group.stints[before:]
    group.stints[before:] = [s for s in added if id(s.person) in authors]


def thread_candidates(
    story: "DemoStory",
    community: str,
    *,
    topics: tuple[str, ...],
    start: datetime,
    until: datetime,
    taken: set[int],
) -> list[ThreadPlan]:
    wanted = set(topics)
    return [
        t
        for t in story.threads
        if t.community == community
        and start <= t.created_at < until
        and wanted.intersection(t.topics)
        and t.id not in taken
    ]


def event_candidates(
    story: "DemoStory",
    community: str,
    *,
    topics: tuple[str, ...],
    start: datetime,
    until: datetime,
    formats: tuple[str, ...],
    taken: set[int],
) -> list[EventPlan]:
    wanted = set(topics)
    return [
        e
        for e in story.events
        if e.community == community
        and e.series is None
        and e.status == EventStatus.PUBLISHED
        and e.format in formats
        and start <= e.starts_at < until
        and wanted.intersection(e.topics)
        and e.id not in taken
    ]


def _moments(group: GroupWork) -> set[datetime]:
    """When the ledger rows about the group's threads and events happened (a superset: the
    rows are then matched by their subject)."""
    moments: set[datetime] = set()
    for t in group.threads:
        moments.update(p.created_at for p in t.posts)
        moments.update(at for at in (t.created_at, t.accepted_at) if at is not None)
    for e in group.events:
        moments.update((e.starts_at, e.ends_at))
        for r in e.registrations:
            moments.update(at for at in (r.registered_at, r.offered_at, r.checked_in_at) if at)
    return moments


def _tag(group: GroupWork, types: dict[type, int]) -> None:
    """Mark the ledger rows about the group's threads, posts and events as the group's, and
    remember when they happened. Rows are found by the (kind, time) index, then by subject."""
    wanted = {(types[Thread], t.id) for t in group.threads}
    wanted |= {(types[Post], p.id) for t in group.threads for p in t.posts if not p.is_opening}
    wanted |= {(types[Event], e.id) for e in group.events}
    moments = sorted(_moments(group))
    ids = []
    for start in range(0, len(moments), BATCH):
        rows = Activity.objects.filter(
            kind__in=GROUP_KINDS, occurred_at__in=moments[start : start + BATCH]
        ).values_list("pk", "subject_type_id", "subject_id", "occurred_at")
        for pk, type_id, subject_id, occurred_at in rows:
            if (type_id, subject_id) in wanted:
                ids.append(pk)
                group.activity.append(occurred_at)
    _set_group(ids, group.id)


def _set_group(ids: list[int], group_id: int) -> None:
    """`data["group"] = group_id` on the rows, in place (one statement per batch)."""
    table = connection.ops.quote_name(Activity._meta.db_table)
    if connection.vendor == "postgresql":
        value = "COALESCE(data, '{}'::jsonb) || jsonb_build_object('group', %s::bigint)"
    else:
        value = "json_set(COALESCE(data, '{}'), '$.group', %s)"
    with connection.cursor() as cursor:
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} SET data = {value} WHERE id IN ({marks})",  # noqa: S608
                [group_id, *chunk],
            )


def save_work(story: "DemoStory", groups: list[GroupWork]) -> None:
    """Stints added, threads and events taken, ledger rows marked, ORGANIZED_GROUP rows."""
    types = ContentType.objects.get_for_models(Thread, Post, Event, Group)
    type_ids = {model: content_type.pk for model, content_type in types.items()}
    GroupMembership.objects.bulk_create(
        [
            GroupMembership(
                group_id=g.id,
                person_id=s.person.user.pk,
                role=s.role,
                joined_at=s.joined_at,
                left_at=s.left_at,
            )
            for g in groups
            for s in g.stints
            if not s.saved
        ],
        batch_size=BATCH,
    )
    ledger = []
    for g in groups:
        Thread.objects.filter(pk__in=[t.id for t in g.threads]).update(group_id=g.id)
        Event.objects.filter(pk__in=[e.id for e in g.events]).update(group_id=g.id)
        _tag(g, type_ids)
        ledger.append(
            Activity(
                kind=ActivityKind.ORGANIZED_GROUP,
                person_id=g.founder.user.pk,
                community_id=story.communities[g.community].pk,
                occurred_at=g.created_at,
                subject_type=types[Group],
                subject_id=g.id,
                data={"group": g.id},
            )
        )
        g.activity.append(g.created_at)
    Activity.objects.bulk_create(ledger)


def _last_change(group: GroupWork, now: datetime) -> datetime:
    moments = [at for at in group.activity if at <= now]
    for s in group.stints:
        moments += [at for at in (s.joined_at, s.left_at) if at is not None and at <= now]
    return max(moments)


def _grant_reports(groups: list[GroupWork]) -> None:
    """Grants reported for a group are its activity too (their rows carry the group)."""
    by_id = {g.id: g for g in groups}
    rows = Activity.objects.filter(kind=ActivityKind.RAN_GRANT_ACTIVITY)
    for data, occurred_at in rows.values_list("data", "occurred_at"):
        group = by_id.get(int((data or {}).get("group") or 0))
        if group is not None:
            group.activity.append(occurred_at)


def save_health_alerts(story: "DemoStory", groups: list[GroupWork]) -> int:
    """The open alerts the daily check would hold today: idle groups, groups without an active
    owner (the managers were told the night each was raised)."""
    now = story.now
    _grant_reports(groups)
    alerts: list[GroupHealthAlert] = []
    for g in groups:
        if g.archived:
            continue
        owners = [s for s in g.stints if s.role == GroupRole.OWNER]
        if not any(s.left_at is None and s.person.left_at is None for s in owners):
            gone = max((s.left_at or s.person.left_at or g.created_at) for s in owners)
            told = next_nightly_check(gone)
            if told < now:
                alerts.append(_alert(g, GroupHealthAlertKind.NO_ACTIVE_OWNER, told))
        idle_since = _last_change(g, now) + timedelta(days=g.idle_after_days)
        if idle_since < now:
            alerts.append(_alert(g, GroupHealthAlertKind.IDLE, next_nightly_check(idle_since)))
    raised = [a for a in alerts if a.raised_at < now]
    GroupHealthAlert.objects.bulk_create(raised)
    return len(raised)


def _alert(group: GroupWork, kind: str, raised: datetime) -> GroupHealthAlert:
    return GroupHealthAlert(
        group_id=group.id,
        kind=kind,
        raised_at=raised,
        notified_at=raised + timedelta(minutes=2),
    )
