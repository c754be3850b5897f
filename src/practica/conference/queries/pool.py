"""Reads about the reviewer pool and bidding: a member's seat in the pool, the proposals a
reviewer may bid on (filtered by their expertise unless they ask for all) with their current
bid, and the pool as the chair sees it (topics, loads, bids and assignments counted)."""

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from practica.conference.models import (
    Bid,
    Edition,
    Proposal,
    ProposalSpeaker,
    ReviewAssignment,
    ReviewerVolunteer,
    SpeakerStatus,
)
from practica.core.models import Topic
from practica.core.queries import topics_with_descendants


def volunteer_of(edition: Edition, person: Any) -> ReviewerVolunteer | None:
    """The person's row in the edition's pool (active or set aside), or None."""
    if person is None or not getattr(person, "is_authenticated", False):
        return None
    return (
        ReviewerVolunteer.objects.filter(edition=edition, person=person)
        .select_related("edition", "edition__community")
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("path")))
        .first()
    )


def biddable_proposals(volunteer: ReviewerVolunteer, *, show_all: bool = False) -> QuerySet:
    """Proposals in the review the volunteer may bid on, with `my_bid` (their level or None)
    and `topic_matches` (how many of the proposal's topics fall in their expertise, sub-topics
    included). By default only those matching their expertise — all when `show_all` or when
    they named no topic. Never their own proposals. Best matches first, then by title."""
    person_id = volunteer.person_id
    own = ProposalSpeaker.objects.filter(person_id=person_id).exclude(status=SpeakerStatus.DECLINED)
    proposals = (
        Proposal.objects.in_review()
        .filter(edition_id=volunteer.edition_id)
        .exclude(pk__in=own.values("proposal_id"))
    )
    expertise = list(volunteer.topics.all())
    if expertise:
        matching = topics_with_descendants(expertise).values("pk")
        proposals = proposals.annotate(
            topic_matches=Count("topics", filter=Q(topics__in=matching), distinct=True)
        )
        if not show_all:
            proposals = proposals.filter(topic_matches__gt=0)
    else:
        proposals = proposals.annotate(topic_matches=Value(0, output_field=IntegerField()))
    bids = Bid.objects.filter(reviewer=volunteer, proposal_id=OuterRef("pk")).values("level")[:1]
    return (
        proposals.annotate(my_bid=Subquery(bids))
        .select_related("format", "track")
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("name")))
        .order_by("-topic_matches", "title", "pk")
    )


def pool_for_chair(edition: Edition, *, active: bool | None = None) -> QuerySet:
    """The edition's volunteers for the chair, first come first: person, expertise, most load,
    `bid_count` and `assigned_count` (proposals of this edition assigned to them). `active`
    filters those in the pool (True) or set aside (False)."""
    assigned = (
        ReviewAssignment.objects.filter(
            reviewer_id=OuterRef("person_id"), proposal__edition_id=edition.pk
        )
        .order_by()
        .values("reviewer_id")
        .annotate(total=Count("pk"))
        .values("total")
    )
    bids = (
        Bid.objects.filter(reviewer_id=OuterRef("pk"))
        .order_by()
        .values("reviewer_id")
        .annotate(total=Count("pk"))
        .values("total")
    )
    volunteers = ReviewerVolunteer.objects.filter(edition=edition)
    if active is not None:
        volunteers = volunteers.filter(is_active=active)
    return (
        volunteers.select_related("person", "person__org_unit")
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("name")))
        .annotate(
            bid_count=Coalesce(Subquery(bids, output_field=IntegerField()), 0),
            assigned_count=Coalesce(Subquery(assigned, output_field=IntegerField()), 0),
        )
        .order_by("volunteered_at", "pk")
    )


def pool_summary(edition: Edition) -> dict[str, int]:
    """Counts for the chair's page: volunteers in the pool and set aside, their total
    capacity (sum of each one's load, capped by the edition's maximum), and bids made."""
    rows = list(
        ReviewerVolunteer.objects.filter(edition=edition).values_list("is_active", "max_load")
    )
    cap = edition.reviewer_max_load
    return {
        "active": sum(1 for is_active, _load in rows if is_active),
        "set_aside": sum(1 for is_active, _load in rows if not is_active),
        "capacity": sum(min(load, cap) for is_active, load in rows if is_active),
        "bids": Bid.objects.filter(reviewer__edition=edition).count(),
    }
