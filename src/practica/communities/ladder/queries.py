"""Reads of the contributor ladder: the rungs with how many stand on each, who stands where,
a member's history, and the asks. A member's current rung is their latest step."""

from datetime import datetime
from typing import Any

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from practica.communities.ladder.contributions import (
    CONTRIBUTION_KINDS,
    Counts,
    contribution_rows,
    contributions_of,
)
from practica.communities.models import (
    Community,
    ContributionAsk,
    LadderRung,
    LadderStep,
    Membership,
)
from practica.core.models import Activity


def _latest_step(community_id: int | OuterRef, person: OuterRef) -> QuerySet[LadderStep]:
    return LadderStep.objects.filter(community_id=community_id, person_id=person).order_by(
        "-reached_at", "-pk"
    )


def members_on_ladder(
    community: Community, *, rung_id: int | None = None, unplaced: bool = False, text: str = ""
) -> QuerySet[Membership]:
    """Current members with their current rung (`rung_id`, `rung_name`, `rung_position`,
    `reached_at`; None when not on the ladder), highest rung first, then by name. Filter by
    one rung, or to those not on the ladder (`unplaced`), or by name/email text."""
    latest = _latest_step(community.pk, OuterRef("person_id"))
    members = (
        Membership.objects.current()
        .filter(community=community)
        .select_related("person", "person__org_unit")
        .annotate(
            rung_id=Subquery(latest.values("rung_id")[:1]),
            rung_name=Subquery(latest.values("rung__name")[:1]),
            rung_position=Subquery(latest.values("rung__position")[:1]),
            reached_at=Subquery(latest.values("reached_at")[:1]),
        )
    )
    if rung_id is not None:
        members = members.filter(rung_id=rung_id)
    elif unplaced:
        members = members.filter(rung_id__isnull=True)
    text = (text or "").strip()
    if text:
        members = members.filter(
            Q(person__display_name__icontains=text) | Q(person__email__icontains=text)
        )
    return members.order_by(
        Coalesce("rung_position", Value(0), output_field=IntegerField()).desc(),
        "person__display_name",
        "pk",
    )


def rungs_with_counts(community: Community) -> list[LadderRung]:
    """The community's rungs, bottom first, each with `member_count`: current members whose
    current rung it is. Two queries."""
    rungs = list(LadderRung.objects.filter(community=community).order_by("position"))
    # Any: the plugin cannot see the annotated `rung_id`.
    members: Any = members_on_ladder(community)
    counts = dict(
        members.filter(rung_id__isnull=False)
        .order_by()
        .values("rung_id")
        .annotate(count=Count("pk"))
        .values_list("rung_id", "count")
    )
    for rung in rungs:
        rung.member_count = counts.get(rung.pk, 0)  # type: ignore[attr-defined]
    return rungs


def unplaced_count(community: Community) -> int:
    """Current members not on any rung yet."""
    return members_on_ladder(community, unplaced=True).count()


def current_step(community: Community, person_id: int) -> LadderStep | None:
    """The person's latest step in the community (their current rung), or None."""
    return (
        LadderStep.objects.filter(community=community, person_id=person_id)
        .select_related("rung")
        .order_by("-reached_at", "-pk")
        .first()
    )


def ladder_history(community: Community, person_id: int) -> QuerySet[LadderStep]:
    """Every step the person took in the community, newest first, with who set it."""
    return (
        LadderStep.objects.filter(community=community, person_id=person_id)
        .select_related("rung", "recorded_by")
        .order_by("-reached_at", "-pk")
    )


def contribution_summary(
    community: Community, person_id: int, *, recent_since: datetime
) -> list[tuple[str, str, int, int]]:
    """(key, label, all-time count, count since `recent_since`) for every contribution kind."""
    total: Counts = contributions_of(community_id=community.pk, person_id=person_id)
    recent: Counts = contributions_of(
        community_id=community.pk, person_id=person_id, since=recent_since
    )
    return [
        (key, str(kind.label), total[key], recent[key]) for key, kind in CONTRIBUTION_KINDS.items()
    ]


def recent_contributions(community: Community, person_id: int) -> QuerySet[Activity]:
    """The person's contribution rows in the community, newest first (paginate it)."""
    return contribution_rows(community_id=community.pk, person_id=person_id).select_related(
        "person", "counterpart"
    )


def asks_in(community: Community, *, person_id: int | None = None) -> QuerySet[ContributionAsk]:
    """Requests to contribute in the community, newest first, optionally for one person."""
    asks = ContributionAsk.objects.filter(community=community).select_related(
        "person", "asked_by", "opportunity"
    )
    if person_id is not None:
        asks = asks.filter(person_id=person_id)
    return asks.order_by("-asked_at", "-pk")


def top_rung(community: Community) -> LadderRung | None:
    return LadderRung.objects.filter(community=community).order_by("-position").first()
