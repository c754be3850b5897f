"""Incremental rollups: bring each community's rows up to date with what changed since its
last build, recomputing only from the earliest day a change touches.

What counts as a change since `RollupState.built_at` (and the ledger watermark
`last_activity_id`): a ledger row with a larger id (joining, leaving and every action record
one), a stint that began or ended since, an affiliation starting or ending on or after the
last built day, a question thread asked, first answered or accepted since or with a post
written since, an event edited, registered for, checked in at or given feedback since (or
that ended since: its no-shows become known). A role change (the role segments use today's
role for every day) or a community never built means a full rebuild of that community.
Days past `built_through` are always built (the nightly part). Changes that leave no
timestamp (a thread hidden by a moderator, a stint edited in the admin) wait for the next
full rebuild (`practica metrics rebuild`).
"""

import logging
from datetime import date, datetime

from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from practica.communities.models import Community, Membership
from practica.core.models import Activity, ActivityKind
from practica.discussions.models import Post, Thread
from practica.events.models import Event, Feedback, Registration
from practica.metrics.definitions.events import community_events
from practica.metrics.models import RollupState
from practica.metrics.rollups.build import (
    FactScope,
    LedgerBusyError,
    build_community,
    ledger_watermark,
)
from practica.metrics.rollups.calendar import site_zone
from practica.people.models import Affiliation

logger = logging.getLogger(__name__)


def update_rollups() -> int:
    """Update every community's rollups from the earliest day changed since its last build;
    returns how many communities were updated.

    Idempotent (a second run finds nothing new) and safe to run concurrently: each
    community's update holds `select_for_update` on its RollupState row for the whole
    update, so two workers never update one community at once, and the second one reads
    the watermark the first one left."""
    updated = 0
    for community_id, slug in Community.objects.order_by("pk").values_list("pk", "slug"):
        RollupState.objects.get_or_create(community_id=community_id)
        # Read before the community's transaction, so the ledger's lock is held for one query
        # (see `ledger_watermark`). A watermark older than another worker's is only cautious.
        try:
            watermark = ledger_watermark()
        except LedgerBusyError:
            logger.warning("Rollups of %s wait: the activity ledger is busy.", slug)
            continue
        with transaction.atomic():
            state = RollupState.objects.select_for_update().get(community_id=community_id)
            if _update_community(state, slug, watermark):
                updated += 1
    return updated


def _update_community(state: RollupState, slug: str, watermark: int) -> bool:
    community_id = state.community_id
    now = timezone.now()
    today = timezone.localdate(now, site_zone())
    if state.built_at is None or state.built_through is None:
        build_community(community_id, slug=slug, watermark=watermark)
        return True
    since = state.built_at
    if Activity.objects.filter(
        community_id=community_id, pk__gt=state.last_activity_id, kind=ActivityKind.ROLE_CHANGED
    ).exists():
        build_community(community_id, slug=slug, watermark=watermark)
        return True
    from_day = _earliest_changed_day(state, since, now)
    if from_day is not None and from_day > today:
        from_day = None  # a change dated after today: its days are built when they come
    if state.built_through < today:
        extend_from = date.fromordinal(state.built_through.toordinal() + 1)
        from_day = extend_from if from_day is None else min(from_day, extend_from)
    facts = _touched_facts(community_id, (since, now))
    if from_day is None and facts is None:
        return False
    build_community(
        community_id,
        slug=slug,
        from_day=from_day,
        facts=facts,
        series=from_day is not None,  # only facts changed: the days stand
        watermark=watermark,
    )
    return True


def _local_day(moment: datetime | None) -> date | None:
    return None if moment is None else timezone.localdate(moment, site_zone())


def _earliest_changed_day(state: RollupState, since: datetime, now: datetime) -> date | None:
    """The earliest day a change since `since` (up to `now`: rows dated later are already
    in the days built, which run to the end of today) touches; None when none does."""
    span = (since, now)
    community_id = state.community_id
    candidates: list[date | None] = [
        _local_day(
            Activity.objects.filter(
                community_id=community_id, pk__gt=state.last_activity_id
            ).aggregate(first=Min("occurred_at"))["first"]
        )
    ]
    stints = Membership.objects.filter(community_id=community_id)
    candidates.append(
        _local_day(stints.filter(joined_at__range=span).aggregate(first=Min("joined_at"))["first"])
    )
    candidates.append(
        _local_day(stints.filter(left_at__range=span).aggregate(first=Min("left_at"))["first"])
    )
    members = stints.values("person_id")
    built_through = state.built_through
    today = timezone.localdate(now, site_zone())
    moves = Affiliation.objects.filter(person_id__in=members)
    moved_in = moves.filter(valid_from__range=(built_through, today))
    moved_out = moves.filter(valid_to__range=(built_through, today))
    candidates.append(moved_in.aggregate(first=Min("valid_from"))["first"])
    candidates.append(moved_out.aggregate(first=Min("valid_to"))["first"])
    days = [day for day in candidates if day is not None]
    return min(days) if days else None


def _touched_facts(community_id: int, span: tuple[datetime, datetime]) -> FactScope | None:
    """The questions and events whose facts may have changed in `span` (the last build to
    now); None if none."""
    threads = Thread.objects.filter(community_id=community_id).filter(
        Q(created_at__range=span)
        | Q(first_response_at__range=span)
        | Q(accepted_at__range=span)
        | Q(pk__in=Post.objects.filter(created_at__range=span).values("thread_id"))
    )
    thread_ids = list(threads.values_list("pk", flat=True))
    events = community_events(community_id).values("pk")
    registrations = Registration.objects.filter(
        Q(registered_at__range=span)
        | Q(checked_in_at__range=span)
        | Q(cancelled_at__range=span)
        | Q(offered_at__range=span)
    )
    event_ids = list(
        Event.objects.filter(pk__in=events)
        .filter(
            Q(updated_at__range=span)
            | Q(ends_at__range=span)  # ended since: its no-shows are known now
            | Q(pk__in=registrations.values("event_id"))
            | Q(pk__in=Feedback.objects.filter(submitted_at__range=span).values("event_id"))
        )
        .values_list("pk", flat=True)
    )
    # Events no longer published (cancelled, unpublished) leave their facts: edited since.
    event_ids += list(
        Event.objects.filter(updated_at__range=span)
        .exclude(pk__in=events)
        .values_list("pk", flat=True)
    )
    if not thread_ids and not event_ids:
        return None
    return FactScope(thread_ids=thread_ids, event_ids=event_ids)
