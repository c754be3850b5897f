"""Active and engaged members, from the activity ledger (`core.Activity`).

Active = distinct members (at `as_of`) with at least one qualifying activity in the community
in the trailing 28 days. Qualifying = anything the member did, which leaves out rows about
being in the community (joined, left, asked to join, role changed), profile edits (not
activity in a community) and being routed a question (something done to them, not by them).
Engaged = the same with only the contributing kinds: posted (asked, started a discussion,
replied), answered, presented (or keynoted) and reviewed.
"""

from datetime import datetime
from decimal import Decimal

from django.db.models import QuerySet

from practica.core.models import Activity, ActivityKind
from practica.metrics.definitions.figures import count_value
from practica.metrics.definitions.population import COUNTED_PERSON, is_member_at
from practica.metrics.definitions.windows import trailing_start

ACTIVE_DAYS = 28
NOT_QUALIFYING = (
    ActivityKind.JOINED,
    ActivityKind.LEFT,
    ActivityKind.REQUESTED_TO_JOIN,
    ActivityKind.ROLE_CHANGED,
    ActivityKind.PROFILE_UPDATED,
    ActivityKind.ROUTED,
)
ENGAGED_KINDS = (
    ActivityKind.ASKED,
    ActivityKind.DISCUSSED,
    ActivityKind.REPLIED,
    ActivityKind.ANSWERED,
    ActivityKind.PRESENTED,
    ActivityKind.KEYNOTED,
    ActivityKind.REVIEWED,
)


def _qualifying_activity(community_id: int, as_of: datetime) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(
            COUNTED_PERSON,
            community_id=community_id,
            occurred_at__gt=trailing_start(as_of, days=ACTIVE_DAYS),
            occurred_at__lte=as_of,
        )
        .exclude(kind__in=NOT_QUALIFYING)
        .filter(is_member_at(community_id, as_of))
    )


def active_members(community_id: int, as_of: datetime) -> Decimal:
    """Distinct members at `as_of` with a qualifying activity in the community in
    `(as_of - 28 days, as_of]`."""
    rows = _qualifying_activity(community_id, as_of)
    return count_value(rows.values("person_id").distinct().count())


def engaged_members(community_id: int, as_of: datetime) -> Decimal:
    """Distinct members at `as_of` who posted, answered, presented or reviewed in the community
    in `(as_of - 28 days, as_of]`."""
    rows = _qualifying_activity(community_id, as_of).filter(kind__in=ENGAGED_KINDS)
    return count_value(rows.values("person_id").distinct().count())
