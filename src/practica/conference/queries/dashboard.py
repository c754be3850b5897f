"""The program committee's dashboard: one row per proposal in review, with what its submitted
reviews say, filtered and sorted.

Per proposal, from its submitted reviews only (drafts do not count):
- `mean`: the mean of the reviews' weighted scores (each the weighted mean of its criterion
  scores, 1–5, see `services.reviews`); None without a submitted review;
- `spread`: the population standard deviation of those weighted scores, on the same 1–5
  scale (0 with a single review, None with none);
- `recommendation_low` / `recommendation_high`: the lowest and highest recommendation
  (−2 strong reject … +2 strong accept);
- `disagreement`: the recommendations straddle the line (one reviewer recommends rejecting,
  −1 or −2, and another accepting, +1 or +2), or the spread is DISAGREEMENT_SPREAD or more
  (a point on the 1–5 scale: e.g. scores of 2 and 4);
- `mean_confidence`: the mean of the reviewers' confidence (1–5).

Three queries whatever the number of proposals (the proposals with format and track, their
speakers, the review figures of all their assignments), then one pass in Python — no N+1.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q

from practica.conference.models import (
    DECIDED_STATES,
    IN_REVIEW_STATES,
    Edition,
    Proposal,
    ProposalSpeaker,
    ProposalState,
    ReviewAssignment,
    ReviewStatus,
    SpeakerStatus,
)

DISAGREEMENT_SPREAD = 1.0
# The sort keys the dashboard offers; a leading "-" sorts descending.
SORTS = ("-score", "score", "-spread", "spread", "title", "-title", "-reviews", "reviews")
DEFAULT_SORT = "-score"
# The state filter: one of the proposal states in review, or these two groups.
UNDECIDED = "undecided"
DECIDED = "decided"


@dataclass
class DashboardRow:
    proposal: Proposal
    assigned: int = 0
    submitted: int = 0
    mean: float | None = None
    spread: float | None = None
    recommendation_low: int | None = None
    recommendation_high: int | None = None
    disagreement: bool = False
    mean_confidence: float | None = None
    recommendations: list[int] = field(default_factory=list)

    @property
    def is_complete(self) -> bool:
        return self.assigned > 0 and self.submitted >= self.assigned


@dataclass(frozen=True)
class DashboardFilters:
    """Clean filter values (the view's form or the API's query validated them)."""

    track: int | None = None
    topic: int | None = None
    format: int | None = None
    state: str | None = None
    min_score: float | None = None
    disagreement_only: bool = False
    sort: str = DEFAULT_SORT


def _figures(row: DashboardRow, reviews: list[dict[str, Any]]) -> DashboardRow:
    row.assigned = len(reviews)
    submitted = [r for r in reviews if r["review__status"] == ReviewStatus.SUBMITTED]
    row.submitted = len(submitted)
    scores = [
        r["review__weighted_score"] for r in submitted if r["review__weighted_score"] is not None
    ]
    if scores:
        row.mean = statistics.fmean(scores)
        row.spread = statistics.pstdev(scores) if len(scores) > 1 else 0.0
    recommendations = [
        r["review__recommendation"] for r in submitted if r["review__recommendation"] is not None
    ]
    row.recommendations = sorted(recommendations)
    if recommendations:
        row.recommendation_low = min(recommendations)
        row.recommendation_high = max(recommendations)
    confidences = [r["review__confidence"] for r in submitted if r["review__confidence"]]
    if confidences:
        row.mean_confidence = statistics.fmean(confidences)
    straddles = (
        row.recommendation_low is not None
        and row.recommendation_high is not None
        and row.recommendation_low < 0 < row.recommendation_high
    )
    wide = row.spread is not None and row.spread >= DISAGREEMENT_SPREAD - 1e-9
    row.disagreement = straddles or wide
    return row


def _proposals(edition: Edition, filters: DashboardFilters) -> list[Proposal]:
    rows = Proposal.objects.filter(edition=edition, state__in=IN_REVIEW_STATES)
    if filters.track is not None:
        rows = rows.filter(track_id=filters.track)
    if filters.format is not None:
        rows = rows.filter(format_id=filters.format)
    if filters.topic is not None:
        rows = rows.filter(
            pk__in=Proposal.topics.through.objects.filter(topic_id=filters.topic).values(
                "proposal_id"
            )
        )
    if filters.state == UNDECIDED:
        rows = rows.filter(state=ProposalState.SUBMITTED)
    elif filters.state == DECIDED:
        rows = rows.filter(state__in=DECIDED_STATES)
    elif filters.state:
        rows = rows.filter(state=filters.state)
    speakers = ProposalSpeaker.objects.filter(status=SpeakerStatus.ACCEPTED).select_related(
        "person"
    )
    return list(
        rows.select_related("format", "track").prefetch_related(
            Prefetch("speakers", queryset=speakers.order_by("position", "pk"))
        )
    )


def _sort_key(sort: str) -> Any:
    name = sort.lstrip("-")
    descending = sort.startswith("-")

    def key(row: DashboardRow) -> tuple:
        title = row.proposal.title.casefold()
        if name == "title":
            return (title, row.proposal.pk)
        value = {"score": row.mean, "spread": row.spread, "reviews": row.submitted}[name]
        # Rows without a figure go last either way; ties by title.
        if value is None:
            return (1, 0.0, title, row.proposal.pk)
        return (0, -value if descending else value, title, row.proposal.pk)

    return key


def dashboard_rows(edition: Edition, filters: DashboardFilters | None = None) -> list[DashboardRow]:
    """The dashboard's rows for the filters, sorted (see the module docstring for figures).

    `min_score` keeps proposals whose mean is at least that (so none without reviews).
    """
    filters = filters or DashboardFilters()
    proposals = _proposals(edition, filters)
    by_proposal: dict[int, list[dict[str, Any]]] = defaultdict(list)
    figures = ReviewAssignment.objects.filter(
        proposal__edition=edition, proposal__state__in=IN_REVIEW_STATES
    ).values(
        "proposal_id",
        "review__status",
        "review__weighted_score",
        "review__recommendation",
        "review__confidence",
    )
    wanted = {proposal.pk for proposal in proposals}
    for figure in figures:
        if figure["proposal_id"] in wanted:
            by_proposal[figure["proposal_id"]].append(dict(figure))
    rows = [
        _figures(DashboardRow(proposal=proposal), by_proposal[proposal.pk])
        for proposal in proposals
    ]
    if filters.min_score is not None:
        rows = [row for row in rows if row.mean is not None and row.mean >= filters.min_score]
    if filters.disagreement_only:
        rows = [row for row in rows if row.disagreement]
    sort = filters.sort if filters.sort in SORTS else DEFAULT_SORT
    if sort.lstrip("-") == "title" and sort.startswith("-"):
        rows.sort(key=_sort_key("title"), reverse=True)
    else:
        rows.sort(key=_sort_key(sort))
    return rows


@dataclass(frozen=True)
class DecisionSummary:
    """Where the edition's decisions stand: proposals in review, per state, and how many
    decided proposals still wait for their mail (per outcome)."""

    in_review: int
    undecided: int
    by_state: dict[str, int]
    to_mail: dict[str, int]
    reviews_submitted: int
    reviews_assigned: int

    @property
    def to_mail_total(self) -> int:
        return sum(self.to_mail.values())

    @property
    def accepted(self) -> int:
        """Accepted, confirmed by the speakers or not."""
        return self.by_state.get(ProposalState.ACCEPTED, 0) + self.by_state.get(
            ProposalState.CONFIRMED, 0
        )

    @property
    def waitlisted(self) -> int:
        return self.by_state.get(ProposalState.WAITLISTED, 0)

    @property
    def rejected(self) -> int:
        return self.by_state.get(ProposalState.REJECTED, 0)


def decision_summary(edition: Edition) -> DecisionSummary:
    """Counts for the dashboard's header and the bulk-send confirmation (two queries)."""
    states = list(
        Proposal.objects.filter(edition=edition, state__in=IN_REVIEW_STATES).values_list(
            "state", "decision_mailed_at"
        )
    )
    by_state: dict[str, int] = defaultdict(int)
    to_mail: dict[str, int] = defaultdict(int)
    for state, mailed_at in states:
        by_state[state] += 1
        if mailed_at is None and state in (
            ProposalState.ACCEPTED,
            ProposalState.REJECTED,
            ProposalState.WAITLISTED,
        ):
            to_mail[state] += 1
    reviews = ReviewAssignment.objects.filter(
        proposal__edition=edition, proposal__state__in=IN_REVIEW_STATES
    ).aggregate(
        assigned=Count("pk"),
        submitted=Count("pk", filter=Q(review__status=ReviewStatus.SUBMITTED)),
    )
    return DecisionSummary(
        in_review=len(states),
        undecided=by_state.get(ProposalState.SUBMITTED, 0),
        by_state=dict(by_state),
        to_mail=dict(to_mail),
        reviews_submitted=reviews["submitted"] or 0,
        reviews_assigned=reviews["assigned"] or 0,
    )
