"""How a grassroots group is doing, and the daily check that tells managers when one is not.

A group's activity is what the ledger says about it — `core.Activity` rows of its community
whose `data` carries `{"group": <id>}` (threads and posts in the group, its meetings, people
taking it on) — plus its membership changes (people joining and leaving). From that:

- **active / idle**: idle when nothing happened for `Group.idle_after_days`; a group with no
  activity at all counts from the day it was founded.
- **single point of failure**: over the last 90 days' ledger rows (at least 5 of them), one
  person produced more than 60 %. Joining and leaving are not counted here: they are not
  something a person produces for the group.
- **no active owner**: none of its current owners is an active colleague (every owner left
  the company or was deactivated — their rows may still be open until someone hands over).

`check_group_health` (the daily beat task) raises a `GroupHealthAlert` for an idle group and
for a group with no active owner, resolves it when that is no longer true (or the group is
archived), and mails the community's managers and leaders once per alert.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, Max, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from practica.communities.models import (
    Group,
    GroupHealthAlert,
    GroupHealthAlertKind,
    GroupMembership,
    GroupRole,
)
from practica.communities.permissions import MANAGING_ROLES
from practica.communities.queries import active_people_with_roles
from practica.core.models import Activity
from practica.core.outgoing_mail import render_templated_mail
from practica.people.models import User

SPOF_WINDOW = timedelta(days=90)
SPOF_SHARE = Decimal("0.6")
SPOF_MIN_ACTIVITIES = 5
CHECK_BATCH = 500

ACTIVE = "active"
IDLE = "idle"
ARCHIVED = "archived"
STATE_LABELS = {ACTIVE: _("Active"), IDLE: _("Idle"), ARCHIVED: _("Archived")}


@dataclass(frozen=True)
class GroupHealth:
    """One group's health as of `as_of`. `recent_activity` counts the ledger rows of the
    last 90 days; `top_contributor_share` is the largest one person's share of them."""

    group_id: int
    as_of: datetime
    state: str
    last_activity_at: datetime | None
    idle_after_days: int
    recent_activity: int = 0
    top_contributor: User | None = None
    top_contributor_count: int = 0
    owner_count: int = 0
    active_owner_count: int = 0
    open_alerts: tuple[str, ...] = field(default=())

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def is_idle(self) -> bool:
        return self.state == IDLE

    @property
    def top_contributor_share(self) -> Decimal | None:
        if not self.recent_activity:
            return None
        share = Decimal(self.top_contributor_count) / Decimal(self.recent_activity)
        return share.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def top_contributor_percent(self) -> int | None:
        share = self.top_contributor_share
        return None if share is None else int(share * 100)

    @property
    def single_point_of_failure(self) -> bool:
        return (
            self.state != ARCHIVED
            and self.recent_activity >= SPOF_MIN_ACTIVITIES
            and Decimal(self.top_contributor_count) > SPOF_SHARE * self.recent_activity
        )

    @property
    def needs_attention(self) -> bool:
        """Idle, without an active owner, or depending on one person."""
        return self.is_idle or self.no_active_owner or self.single_point_of_failure

    @property
    def no_active_owner(self) -> bool:
        return self.state != ARCHIVED and self.active_owner_count == 0

    @property
    def days_quiet(self) -> int | None:
        """Whole days since the last activity (None when there was none)."""
        if self.last_activity_at is None:
            return None
        return max((self.as_of - self.last_activity_at).days, 0)


def _latest(*moments: datetime | None) -> datetime | None:
    present = [moment for moment in moments if moment is not None]
    return max(present) if present else None


def group_ledger(groups: Sequence[Group]) -> QuerySet[Activity]:
    """The ledger rows about these groups: rows of their communities carrying
    `data.group` = one of their ids."""
    return Activity.objects.filter(
        community_id__in={group.community_id for group in groups},
        data__group__in=[group.pk for group in groups],
    ).order_by()


def _last_rows(ledger: QuerySet[Any]) -> dict[int, datetime]:
    """The latest `occurred_at` per `group_key` of an annotated ledger query."""
    return dict(
        ledger.values("group_key")
        .annotate(last=Max("occurred_at"))
        .values_list("group_key", "last")
    )


def groups_health(
    groups: Iterable[Group], *, now: datetime | None = None
) -> dict[int, GroupHealth]:
    """The health of each group, by id, as of `now` — in six queries whatever the number of
    groups (seven when some were quiet for their whole idle period); pass a page of them, not
    every group in the company."""
    groups = list(groups)
    if not groups:
        return {}
    now = now or timezone.now()
    ids = [group.pk for group in groups]
    ledger = (
        group_ledger(groups)
        .filter(occurred_at__lte=now)
        .annotate(group_key=Cast(KeyTextTransform("group", "data"), IntegerField()))
    )
    # The latest row within the longest idle period first (an index range of the ledger);
    # only the groups quiet for all of it are looked up in their whole history.
    window = timedelta(days=max([group.idle_after_days for group in groups], default=0))
    last_ledger = _last_rows(ledger.filter(occurred_at__gt=now - max(window, SPOF_WINDOW)))
    quiet = [pk for pk in ids if pk not in last_ledger]
    if quiet:
        last_ledger.update(_last_rows(ledger.filter(data__group__in=quiet)))
    per_person: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for group_key, person_id, count in (
        ledger.filter(occurred_at__gt=now - SPOF_WINDOW)
        .values("group_key", "person_id")
        .annotate(count=Count("id"))
        .values_list("group_key", "person_id", "count")
    ):
        per_person[group_key].append((count, person_id))
    changes = {
        row["group_id"]: _latest(row["joined"], row["left"])
        for row in GroupMembership.objects.filter(group_id__in=ids)
        .values("group_id")
        .annotate(
            joined=Max("joined_at", filter=Q(joined_at__lte=now)),
            left=Max("left_at", filter=Q(left_at__lte=now)),
        )
        .order_by()
    }
    today = timezone.localdate(now)
    still_here = Q(person__is_active=True, person__is_placeholder=False) & (
        Q(person__left_on__isnull=True) | Q(person__left_on__gt=today)
    )
    owners = {
        row["group_id"]: (row["owners"], row["active"])
        for row in GroupMembership.objects.filter(
            group_id__in=ids, role=GroupRole.OWNER, left_at__isnull=True
        )
        .values("group_id")
        .annotate(owners=Count("id"), active=Count("id", filter=still_here))
        .order_by()
    }
    alerts: dict[int, list[str]] = defaultdict(list)
    for group_id, kind in GroupHealthAlert.objects.filter(
        group_id__in=ids, resolved_at__isnull=True
    ).values_list("group_id", "kind"):
        alerts[group_id].append(kind)
    tops = {key: max(counts) for key, counts in per_person.items()}
    people = User.objects.in_bulk([person_id for _count, person_id in tops.values()])

    found = {}
    for group in groups:
        last = _latest(last_ledger.get(group.pk), changes.get(group.pk))
        if group.is_archived:
            state = ARCHIVED
        else:
            quiet_since = last or group.created_at
            state = IDLE if now - quiet_since > timedelta(days=group.idle_after_days) else ACTIVE
        top_count, top_id = tops.get(group.pk, (0, None))
        owner_count, active_owners = owners.get(group.pk, (0, 0))
        found[group.pk] = GroupHealth(
            group_id=group.pk,
            as_of=now,
            state=state,
            last_activity_at=last,
            idle_after_days=group.idle_after_days,
            recent_activity=sum(count for count, _person in per_person.get(group.pk, [])),
            top_contributor=people.get(top_id) if top_id is not None else None,
            top_contributor_count=top_count,
            owner_count=owner_count,
            active_owner_count=active_owners,
            open_alerts=tuple(sorted(alerts.get(group.pk, []))),
        )
    return found


def group_health(group: Group, *, now: datetime | None = None) -> GroupHealth:
    """One group's health as of `now` (see `groups_health`)."""
    return groups_health([group], now=now)[group.pk]


def recent_group_activity(group: Group, *, limit: int = 10) -> list[Activity]:
    """The latest ledger rows about the group, newest first, with their people."""
    return list(
        group_ledger([group]).select_related("person").order_by("-occurred_at", "-pk")[:limit]
    )


# --- The daily check --------------------------------------------------------------------------


def _alert_wanted(health: GroupHealth) -> dict[str, bool]:
    return {
        GroupHealthAlertKind.IDLE: health.is_idle,
        GroupHealthAlertKind.NO_ACTIVE_OWNER: health.no_active_owner,
    }


def _managers_of(community_id: int, cache: dict[int, list[User]]) -> list[User]:
    if community_id not in cache:
        cache[community_id] = list(active_people_with_roles(community_id, MANAGING_ROLES))
    return cache[community_id]


def _tell_managers(
    alert: GroupHealthAlert, group: Group, health: GroupHealth, managers: list[User], now: datetime
) -> None:
    """Mail each manager about the alert, once (the outbox key names the alert and the
    manager), and mark it told. With nobody to tell, it stays untold and the next run tries
    again."""
    if not managers:
        return
    group_url = settings.SITE_URL + reverse(
        "communities:group", args=[group.community.slug, group.slug]
    )
    for manager in managers:
        render_templated_mail(
            to=manager.email,
            template_prefix="communities/mail/group_health_alert",
            context={
                "alert": alert,
                "group": group,
                "community": group.community,
                "health": health,
                "manager": manager,
                "group_url": group_url,
                "idle": alert.kind == GroupHealthAlertKind.IDLE,
            },
            idempotency_key=f"group-health-alert-{alert.pk}-to-{manager.pk}",
            language=manager.preferred_language or None,
        ).send()
    alert.notified_at = now
    alert.save(update_fields=["notified_at"])


def _apply_health(group: Group, health: GroupHealth, now: datetime, managers: list[User]) -> int:
    """Raise and resolve the group's alerts to match its health; tell the managers of every
    open alert not told yet. One transaction, holding the group row's lock. Returns how
    many alerts were raised."""
    raised = 0
    with transaction.atomic():
        Group.objects.select_for_update().filter(pk=group.pk).first()
        open_alerts = {
            alert.kind: alert
            for alert in GroupHealthAlert.objects.filter(group=group, resolved_at__isnull=True)
        }
        for kind, wanted in _alert_wanted(health).items():
            alert = open_alerts.get(kind)
            if wanted and alert is None:
                try:
                    with transaction.atomic():
                        open_alerts[kind] = GroupHealthAlert.objects.create(
                            group=group, kind=kind, raised_at=now
                        )
                except IntegrityError:
                    # A concurrent check raised it first: that one is the alert.
                    continue
                raised += 1
            elif not wanted and alert is not None:
                alert.resolved_at = now
                alert.save(update_fields=["resolved_at"])
                del open_alerts[kind]
        for alert in open_alerts.values():
            if alert.notified_at is None:
                _tell_managers(alert, group, health, managers, now)
    return raised


def check_group_health(*, now: datetime | None = None) -> int:
    """Raise (and resolve) group health alerts for every group that is not archived, telling
    each community's managers and leaders once per alert by mail; resolve the open alerts of
    archived groups. Idempotent: a second run raises and mails nothing new.

    Each group is its own transaction (locking its row), so one group's trouble does not
    undo the others'. Returns how many alerts were raised.
    """
    now = now or timezone.now()
    GroupHealthAlert.objects.filter(
        resolved_at__isnull=True, group__archived_at__isnull=False
    ).update(resolved_at=now)
    live = Group.objects.filter(archived_at__isnull=True).select_related("community").order_by("pk")
    managers: dict[int, list[User]] = {}
    raised = 0
    last_pk = 0
    while True:
        batch = list(live.filter(pk__gt=last_pk)[:CHECK_BATCH])
        if not batch:
            return raised
        health = groups_health(batch, now=now)
        for group in batch:
            raised += _apply_health(
                group, health[group.pk], now, _managers_of(group.community_id, managers)
            )
        last_pk = batch[-1].pk
