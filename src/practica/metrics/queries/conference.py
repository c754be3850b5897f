"""Conference: the filtered communities' editions whose first day is in the period, with their
proposals, acceptance rate and reviews per reviewer. Read from the conference's tables (small:
a few editions a year), three queries whatever the number of editions.

Per edition: proposals = proposals in review (submitted, not drafts, not withdrawn); decided =
accepted, confirmed, rejected or waitlisted; accepted = accepted or confirmed; acceptance rate
= accepted ÷ decided (n = decided); reviews = submitted reviews; reviewers = distinct people
with a submitted review; reviews per reviewer = reviews ÷ reviewers. Over several editions
the counts are summed and the rates recomputed from the sums (a reviewer of two editions
counts in each).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count
from django.utils.translation import gettext as _

from practica.conference.models import (
    DECIDED_STATES,
    IN_REVIEW_STATES,
    Edition,
    Proposal,
    ProposalState,
    Review,
    ReviewStatus,
)
from practica.metrics.queries.buckets import Buckets, iso
from practica.metrics.queries.filters import DashboardFilters
from practica.metrics.queries.headlines import (
    count_point,
    ratio_value,
    share_headline,
    share_value,
)
from practica.metrics.queries.types import Chart, Headline, Panel, Series, Table

ACCEPTED = (ProposalState.ACCEPTED, ProposalState.CONFIRMED)


@dataclass
class EditionFigures:
    name: str = ""
    community: str = ""
    starts_on: date | None = None
    proposals: int = 0
    decided: int = 0
    accepted: int = 0
    reviews: int = 0
    reviewers: int = 0

    def add(self, other: "EditionFigures") -> None:
        for name in ("proposals", "decided", "accepted", "reviews", "reviewers"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def edition_figures(filters: DashboardFilters) -> list[EditionFigures]:
    """The editions starting in the period, by first day (three queries)."""
    editions = {
        row["pk"]: EditionFigures(
            name=row["name"], community=row["community__name"], starts_on=row["starts_on"]
        )
        for row in Edition.objects.filter(
            community_id__in=filters.community_ids,
            starts_on__gte=filters.start,
            starts_on__lte=filters.end,
        )
        .order_by("starts_on", "pk")
        .values("pk", "name", "community__name", "starts_on")
    }
    if not editions:
        return []
    states = (
        Proposal.objects.filter(edition_id__in=editions, state__in=IN_REVIEW_STATES)
        .order_by()
        .values_list("edition_id", "state")
        .annotate(total=Count("pk"))
    )
    for edition_id, state, total in states:
        figures = editions[edition_id]
        figures.proposals += total
        if state in DECIDED_STATES:
            figures.decided += total
        if state in ACCEPTED:
            figures.accepted += total
    reviews = (
        Review.objects.filter(
            status=ReviewStatus.SUBMITTED, assignment__proposal__edition_id__in=editions
        )
        .order_by()
        .values_list("assignment__proposal__edition_id")
        .annotate(reviews=Count("pk"), reviewers=Count("assignment__reviewer_id", distinct=True))
    )
    for edition_id, review_count, reviewer_count in reviews:
        editions[edition_id].reviews = review_count
        editions[edition_id].reviewers = reviewer_count
    return list(editions.values())


def conference_panel(filters: DashboardFilters) -> Panel:
    editions = edition_figures(filters)
    has_data = bool(editions)
    total = EditionFigures()
    for edition in editions:
        total.add(edition)
    buckets = Buckets(filters.start, filters.end, filters.granularity)
    per_bucket = {start: EditionFigures() for start in buckets.starts}
    for edition in editions:
        bucket = buckets.of(edition.starts_on) if edition.starts_on else None
        if bucket is not None:
            per_bucket[bucket].add(edition)

    def count(key: str, label: str, value: int) -> Headline:
        return Headline(
            key=key, label=label, unit="count", value=Decimal(value) if has_data else None
        )

    headlines = (
        count("editions", _("Conference editions"), len(editions)),
        count("proposals", _("Proposals"), total.proposals),
        share_headline(
            "acceptance_rate",
            _("Acceptance rate"),
            total.accepted if has_data else None,
            total.decided if has_data else None,
        ),
        Headline(
            key="reviews_per_reviewer",
            label=_("Reviews per reviewer"),
            unit="ratio",
            value=ratio_value(total.reviews, total.reviewers),
            n=total.reviewers if has_data else None,
        ),
    )
    columns = (
        _("Proposals"),
        _("Decided"),
        _("Accepted"),
        _("Acceptance rate"),
        _("Reviews"),
        _("Reviewers"),
        _("Reviews per reviewer"),
    )

    def cells(figures: EditionFigures) -> tuple[int | Decimal | None, ...]:
        return (
            figures.proposals,
            figures.decided,
            figures.accepted,
            share_value(figures.accepted, figures.decided),
            figures.reviews,
            figures.reviewers,
            ratio_value(figures.reviews, figures.reviewers),
        )

    editions_table = Table(
        key="editions",
        title=_("Conference editions"),
        columns=(_("Edition"), _("Community"), _("First day"), *columns),
        rows=tuple(
            (e.name, e.community, e.starts_on.isoformat() if e.starts_on else None, *cells(e))
            for e in editions
        ),
    )
    bucket_table = Table(
        key="by_period",
        title=_("Proposals per period"),
        columns=(_("Start"), *columns),
        rows=tuple((iso(start), *cells(figures)) for start, figures in per_bucket.items())
        if has_data
        else (),
    )
    series = tuple(
        Series(
            key=key,
            label=label,
            unit="count",
            points=tuple(
                count_point(start, getattr(figures, key) if has_data else None)
                for start, figures in per_bucket.items()
            ),
        )
        for key, label in (("proposals", _("Proposals")), ("accepted", _("Accepted")))
    )
    notes = []
    if filters.is_split:
        notes.append(_("Conference figures are not split by org unit or role."))
    return Panel(
        key="conference",
        title=_("Conference"),
        description=_(
            "The conference editions that start in the period: proposals, the share accepted "
            "of those decided, and reviews per reviewer."
        ),
        headlines=headlines,
        charts=(
            Chart(
                kind="bar",
                title=_("Proposals and acceptances"),
                description=_(
                    "Proposals and accepted proposals of the editions starting in each period."
                ),
                unit="count",
                series=series,
            ),
        ),
        tables=(editions_table, bucket_table),
        notes=tuple(notes),
    )
