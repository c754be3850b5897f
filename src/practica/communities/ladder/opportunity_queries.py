"""Reads of the opportunities board: the calls with their volunteers counted, one call's
volunteers, and a member's own offers. A call is *open* while its status is open and its
closing day (if any) has not passed, *expired* when the day has passed, *closed* when closed."""

from datetime import date
from typing import Literal

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from practica.communities.models import (
    Community,
    Opportunity,
    OpportunityStatus,
    Volunteer,
    VolunteerStatus,
)

BoardState = Literal["open", "closed", "all"]

_LIVE = (VolunteerStatus.OFFERED, VolunteerStatus.ACCEPTED)


def opportunity_state(opportunity: Opportunity, today: date | None = None) -> str:
    """`open`, `expired` (past its closing day, not closed by hand) or `closed`."""
    if opportunity.status == OpportunityStatus.CLOSED:
        return "closed"
    today = today or timezone.localdate()
    if opportunity.closes_on is not None and opportunity.closes_on < today:
        return "expired"
    return "open"


def _taking_offers(today: date) -> Q:
    return Q(status=OpportunityStatus.OPEN) & (Q(closes_on__isnull=True) | Q(closes_on__gte=today))


def with_volunteer_counts(opportunities: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
    """Each call with `accepted_count` and `offered_count` (offers awaiting an answer)."""
    return opportunities.annotate(
        accepted_count=Count("volunteers", filter=Q(volunteers__status=VolunteerStatus.ACCEPTED)),
        offered_count=Count("volunteers", filter=Q(volunteers__status=VolunteerStatus.OFFERED)),
    )


def board(
    community: Community, *, state: BoardState = "open", today: date | None = None
) -> QuerySet[Opportunity]:
    """The community's calls with their counts: `open` ones (closing soonest first, then the
    newest), `closed` ones (closed or expired, the latest first), or `all` (open first)."""
    today = today or timezone.localdate()
    calls = with_volunteer_counts(
        Opportunity.objects.filter(community=community).select_related("created_by")
    )
    if state == "open":
        return calls.filter(_taking_offers(today)).order_by("closes_on", "-created_at", "-pk")
    if state == "closed":
        return calls.exclude(_taking_offers(today)).order_by(
            "-closed_at", "-closes_on", "-created_at", "-pk"
        )
    return calls.order_by("status", "closes_on", "-created_at", "-pk")


def volunteers_of(opportunity: Opportunity) -> QuerySet[Volunteer]:
    """Everyone who offered, awaiting an answer first, then accepted, then the rest, each
    group in the order they offered."""
    order = {
        VolunteerStatus.OFFERED: 0,
        VolunteerStatus.ACCEPTED: 1,
        VolunteerStatus.DECLINED: 2,
        VolunteerStatus.WITHDRAWN: 3,
    }
    rank = Case(
        *(When(status=status, then=Value(rank)) for status, rank in order.items()),
        output_field=IntegerField(),
    )
    return (
        Volunteer.objects.filter(opportunity=opportunity)
        .select_related("person", "person__org_unit", "decided_by")
        .annotate(rank=rank)
        .order_by("rank", "offered_at", "pk")
    )


def live_offer_of(opportunity: Opportunity, person_id: int) -> Volunteer | None:
    """The person's offer that still stands (awaiting an answer or accepted), if any."""
    return Volunteer.objects.filter(
        opportunity=opportunity, person_id=person_id, status__in=_LIVE
    ).first()


def latest_offer_of(opportunity: Opportunity, person_id: int) -> Volunteer | None:
    """The person's latest offer for the call, whatever became of it."""
    return (
        Volunteer.objects.filter(opportunity=opportunity, person_id=person_id)
        .order_by("-offered_at", "-pk")
        .first()
    )


def offers_of(community: Community, person_id: int) -> QuerySet[Volunteer]:
    """The person's offers on the community's board, newest first."""
    return (
        Volunteer.objects.filter(opportunity__community=community, person_id=person_id)
        .select_related("opportunity")
        .order_by("-offered_at", "-pk")
    )
