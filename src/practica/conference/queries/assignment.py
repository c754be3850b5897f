"""Reads of the assignment screens and API: runs, the assignments of a page of proposals with
their reviewers and pins, a run's proposed pairs, a proposal's best candidates, and the
report's charts as plain geometry (the templates draw SVG from it, no script)."""

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from django.db.models import Count, Q, QuerySet

from practica.conference.models import (
    IN_REVIEW_STATES,
    AssignmentPin,
    AssignmentRun,
    Edition,
    PinKind,
    Proposal,
    ReviewAssignment,
    ReviewerVolunteer,
    RunStatus,
)
from practica.people.models import User

CANDIDATES_SHOWN = 15
CHART_WIDTH = 640
CHART_HEIGHT = 150


def edition_runs(edition: Edition) -> QuerySet[AssignmentRun]:
    return AssignmentRun.objects.filter(edition=edition).select_related("started_by")


def active_run(edition: Edition) -> AssignmentRun | None:
    """The run queued or computing now, if any."""
    return (
        edition_runs(edition)
        .filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING])
        .order_by("-created_at")
        .first()
    )


def shown_run(edition: Edition, run_id: str | int | None) -> AssignmentRun | None:
    """The run asked for (by id, of this edition), else the latest finished one."""
    runs = edition_runs(edition)
    if run_id and str(run_id).isdigit():
        found = runs.filter(pk=int(run_id)).first()
        if found is not None:
            return found
    return (
        runs.filter(status__in=[RunStatus.DONE, RunStatus.FAILED]).order_by("-created_at").first()
    )


def proposals_in_review(edition: Edition, *, text: str = "", short: int | None = None):
    """The edition's proposals in review by title; `short`: only those with fewer reviewers."""
    rows = Proposal.objects.filter(edition=edition, state__in=IN_REVIEW_STATES).annotate(
        reviewer_count=Count("assignments", distinct=True)
    )
    for word in text.split()[:8]:
        rows = rows.filter(title__icontains=word)
    if short is not None:
        rows = rows.filter(reviewer_count__lt=short)
    return rows.order_by("title", "pk")


@dataclass
class AssignedReviewer:
    assignment_id: int | None
    person_id: int
    name: str
    affinity: float
    detail: dict[str, Any]
    source: str = ""
    review_started: bool = False
    pin: str = ""


@dataclass
class ProposalAssignments:
    proposal: Proposal
    reviewers: list[AssignedReviewer] = field(default_factory=list)
    pins: dict[int, str] = field(default_factory=dict)  # person id → pin kind
    pinned_names: dict[int, str] = field(default_factory=dict)

    @property
    def total_affinity(self) -> float:
        return sum(reviewer.affinity for reviewer in self.reviewers)

    @property
    def pin_rows(self) -> list[tuple[int, str, str]]:
        """(person id, name, kind) of the proposal's pins and forbids, by name."""
        rows = [
            (person, self.pinned_names.get(person, ""), kind) for person, kind in self.pins.items()
        ]
        return sorted(rows, key=lambda row: row[1].lower())


def _pins(proposal_ids: list[int]) -> tuple[dict[int, dict[int, str]], dict[int, str]]:
    pins: dict[int, dict[int, str]] = defaultdict(dict)
    rows = AssignmentPin.objects.filter(proposal_id__in=proposal_ids).values_list(
        "proposal_id", "person_id", "kind", "person__display_name"
    )
    names = {}
    for proposal_id, person_id, kind, name in rows:
        pins[proposal_id][person_id] = kind
        names[person_id] = name
    return pins, names


def current_assignments(proposals: list[Proposal]) -> list[ProposalAssignments]:
    """The reviewers of each proposal now (ReviewAssignment rows), with pins: three queries."""
    ids = [proposal.pk for proposal in proposals]
    pins, pin_names = _pins(ids)
    by_proposal: dict[int, list[AssignedReviewer]] = defaultdict(list)
    rows = (
        ReviewAssignment.objects.filter(proposal_id__in=ids)
        .annotate(started=Count("review"))
        .values_list(
            "pk",
            "proposal_id",
            "reviewer_id",
            "reviewer__display_name",
            "affinity",
            "affinity_detail",
            "source",
            "started",
        )
        .order_by("-affinity", "reviewer__display_name")
    )
    for pk, proposal_id, person_id, name, affinity, detail, source, started in rows:
        by_proposal[proposal_id].append(
            AssignedReviewer(
                assignment_id=pk,
                person_id=person_id,
                name=name,
                affinity=affinity,
                detail=detail or {},
                source=source,
                review_started=bool(started),
                pin=pins.get(proposal_id, {}).get(person_id, ""),
            )
        )
    return [
        ProposalAssignments(
            proposal=proposal,
            reviewers=by_proposal.get(proposal.pk, []),
            pins=pins.get(proposal.pk, {}),
            pinned_names={person: pin_names[person] for person in pins.get(proposal.pk, {})},
        )
        for proposal in proposals
    ]


def run_assignments(run: AssignmentRun, proposals: list[Proposal]) -> list[ProposalAssignments]:
    """What a run proposes for these proposals (before or after it is applied)."""
    ids = {proposal.pk for proposal in proposals}
    pairs = [pair for pair in run.pairs if int(pair[0]) in ids]
    names = dict(
        User.objects.filter(pk__in={int(pair[1]) for pair in pairs}).values_list(
            "pk", "display_name"
        )
    )
    pins, pin_names = _pins(list(ids))
    by_proposal: dict[int, list[AssignedReviewer]] = defaultdict(list)
    for pair in pairs:
        proposal_id, person_id = int(pair[0]), int(pair[1])
        by_proposal[proposal_id].append(
            AssignedReviewer(
                assignment_id=None,
                person_id=person_id,
                name=names.get(person_id, ""),
                affinity=float(pair[2]),
                detail=pair[3] if len(pair) > 3 else {},
                pin=pins.get(proposal_id, {}).get(person_id, ""),
            )
        )
    for reviewers in by_proposal.values():
        reviewers.sort(key=lambda reviewer: -reviewer.affinity)
    return [
        ProposalAssignments(
            proposal=proposal,
            reviewers=by_proposal.get(proposal.pk, []),
            pins=pins.get(proposal.pk, {}),
            pinned_names={person: pin_names[person] for person in pins.get(proposal.pk, {})},
        )
        for proposal in proposals
    ]


def edition_assignments(edition: Edition) -> QuerySet[ReviewAssignment]:
    """Every assignment of the edition's proposals, for the committee (API list)."""
    return (
        ReviewAssignment.objects.filter(proposal__edition=edition)
        .select_related("reviewer", "proposal")
        .annotate(started=Count("review"))
        .order_by("proposal__title", "proposal_id", "-affinity", "pk")
    )


def edition_pins(edition: Edition) -> QuerySet[AssignmentPin]:
    return (
        AssignmentPin.objects.filter(proposal__edition=edition)
        .select_related("person", "proposal")
        .order_by("proposal__title", "proposal_id", "person__display_name")
    )


def assignment_summary(edition: Edition) -> dict[str, int]:
    """How far the edition's assignment is: proposals, pairs, proposals below k, pins."""
    k = edition.reviewers_per_proposal
    rows = proposals_in_review(edition)
    return {
        "proposals": rows.count(),
        "pairs": ReviewAssignment.objects.filter(
            proposal__edition=edition, proposal__state__in=IN_REVIEW_STATES
        ).count(),
        "short": rows.filter(reviewer_count__lt=k).count(),
        "reviewers": ReviewerVolunteer.objects.filter(edition=edition, is_active=True).count(),
        "pins": AssignmentPin.objects.filter(proposal__edition=edition, kind=PinKind.PIN).count(),
        "forbids": AssignmentPin.objects.filter(
            proposal__edition=edition, kind=PinKind.FORBID
        ).count(),
    }


@dataclass
class Candidate:
    person_id: int
    name: str
    detail: dict[str, Any]
    assigned: bool
    pin: str


def proposal_candidates(proposal: Proposal, limit: int = CANDIDATES_SHOWN) -> list[Candidate]:
    """The pool's best reviewers for one proposal by affinity, without conflicts (the
    TF-IDF fitted on the whole edition, as in a run)."""
    from practica.conference.assignment.affinity import compute_affinity, load_affinity_inputs
    from practica.conference.queries.conflicts import detect_conflicts

    edition = proposal.edition
    pool = list(
        ReviewerVolunteer.objects.filter(edition=edition, is_active=True).values_list(
            "person_id", flat=True
        )
    )
    if not pool or proposal.state not in IN_REVIEW_STATES:
        return []
    matrix = compute_affinity(load_affinity_inputs(edition, pool))
    row = matrix.proposal_ids.index(proposal.pk)
    conflicted = detect_conflicts(edition, proposal_ids=[proposal.pk]).by_proposal.get(
        proposal.pk, {}
    )
    order = sorted(
        (j for j, person in enumerate(matrix.reviewer_ids) if person not in conflicted),
        key=lambda j: -matrix.score[row, j],
    )[:limit]
    people = [matrix.reviewer_ids[j] for j in order]
    names = dict(User.objects.filter(pk__in=people).values_list("pk", "display_name"))
    assigned = set(
        ReviewAssignment.objects.filter(proposal=proposal).values_list("reviewer_id", flat=True)
    )
    pins, _names = _pins([proposal.pk])
    return [
        Candidate(
            person_id=matrix.reviewer_ids[j],
            name=names.get(matrix.reviewer_ids[j], ""),
            detail=matrix.detail(row, j),
            assigned=matrix.reviewer_ids[j] in assigned,
            pin=pins.get(proposal.pk, {}).get(matrix.reviewer_ids[j], ""),
        )
        for j in order
    ]


def pool_choices(edition: Edition) -> list[tuple[int, str]]:
    """(person id, name) of the active pool, by name, for the "assign by hand" list."""
    return list(
        ReviewerVolunteer.objects.filter(edition=edition, is_active=True)
        .order_by("person__display_name")
        .values_list("person_id", "person__display_name")
    )


# --- Charts ------------------------------------------------------------------------------------


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    count: int
    label: str

    @property
    def center(self) -> float:
        return round(self.x + self.width / 2, 2)

    @property
    def count_y(self) -> float:
        return round(self.y - 5, 2)


@dataclass
class Tick:
    x: float
    text: str
    anchor: str = "middle"


@dataclass
class Chart:
    bars: list[Bar]
    ticks: list[Tick]
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT


def _bars(values: list[int], labels: list[str]) -> list[Bar]:
    tallest = max(values) if values else 0
    width = CHART_WIDTH / max(len(values), 1)
    bars = []
    for index, count in enumerate(values):
        height = CHART_HEIGHT * count / tallest if tallest else 0
        bars.append(
            Bar(
                x=round(index * width + 1, 2),
                y=round(CHART_HEIGHT - height, 2),
                width=round(width - 2, 2),
                height=round(height, 2),
                count=count,
                label=labels[index],
            )
        )
    return bars


def histogram_chart(edges: list[float], counts: list[int]) -> Chart:
    """Bars of a histogram in a CHART_WIDTH × CHART_HEIGHT box (y grows downwards), with the
    bin edges as ticks (every other one when there are many)."""
    labels = [f"{low:.2f}–{high:.2f}" for low, high in pairwise(edges)]
    bars = _bars(counts, labels)
    step = 1 if len(edges) <= 6 else 2
    width = CHART_WIDTH / max(len(counts), 1)
    ticks = [
        Tick(
            x=round(i * width, 2),
            text=f"{edges[i]:.2f}",
            anchor="start" if i == 0 else "end" if i == len(edges) - 1 else "middle",
        )
        for i in range(0, len(edges), step)
    ]
    if edges and (len(edges) - 1) % step:
        ticks.append(Tick(x=CHART_WIDTH, text=f"{edges[-1]:.2f}", anchor="end"))
    return Chart(bars=bars, ticks=ticks)


def load_chart(counts: dict[str, int]) -> Chart:
    """One bar per load (0, 1, 2, …, the largest): how many reviewers have it."""
    largest = max((int(load) for load in counts), default=-1)
    values = [counts.get(str(load), 0) for load in range(largest + 1)]
    bars = _bars(values, [str(load) for load in range(largest + 1)])
    return Chart(bars=bars, ticks=[Tick(x=bar.center, text=bar.label) for bar in bars])


def report_charts(report: dict[str, Any]) -> dict[str, Chart]:
    """The geometry of a run report's two charts (per-proposal affinity, reviewer loads)."""
    histogram = report.get("histogram") or {}
    return {
        "affinity": histogram_chart(histogram.get("edges", []), histogram.get("counts", [])),
        "load": load_chart((report.get("load") or {}).get("counts", {})),
    }


def has_assignments(edition: Edition) -> bool:
    return ReviewAssignment.objects.filter(
        Q(proposal__edition=edition), proposal__state__in=IN_REVIEW_STATES
    ).exists()


@dataclass
class PairExplanation:
    """Why a member fits a proposal, for the chair: `explained` is `affinity.explain_pair`'s
    (components, score, shared words, matched topics), `contributions` each component's share
    of the score after its weight, `conflicts` the conflict reasons with their labels."""

    explained: dict[str, Any]
    weights: Any
    contributions: dict[str, float]
    conflicts: list[tuple[str, str]]


def pair_explanation(proposal: Proposal, person_id: int) -> PairExplanation:
    """How `person_id` fits `proposal` and whether a conflict keeps them off it."""
    # scikit-learn loads on the first explanation, not when the web process starts.
    from practica.conference.assignment.affinity import WEIGHTS, explain_pair
    from practica.conference.queries.conflicts import detect_conflicts, reason_labels

    edition = proposal.edition
    explained = explain_pair(edition, proposal, person_id)
    found = detect_conflicts(edition, person_ids=[person_id], proposal_ids=[proposal.pk]).reasons(
        proposal.pk, person_id
    )
    labels = reason_labels([found])
    text = WEIGHTS.text * explained["text"]
    topic = WEIGHTS.topic * explained["topic"]
    return PairExplanation(
        explained=explained,
        weights=WEIGHTS,
        contributions={"text": text, "topic": topic, "bid": explained["score"] - text - topic},
        conflicts=[(reason.code, labels[reason]) for reason in found],
    )
