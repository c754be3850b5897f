"""An edition's assignment problem as the solver's arrays: what a run reads from the database.

- rows: the edition's proposals in review (by id);
- columns: its active reviewers, plus anyone holding a pair that is kept (below) while no
  longer in the pool (they get no new pairs: their most load is what they keep);
- kept pairs (fixed, like pins): assignments the chair made by hand and assignments whose
  review was started — applying a run never removes them, so the run plans around them;
- the chair's pins (always assign) and forbids (never assign); a pin that has become a
  conflict of interest is ignored and said in the report;
- k per proposal: the run's k, or more when a proposal already keeps more; most load per
  reviewer: the smaller of the run's and the volunteer's own, or more when they keep more;
  least load: the run's, capped by their most;
- outsider[p, r]: the reviewer's division (their org unit's top-level unit of kind
  division, else its root) is known and differs from every speaker's division.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Q
from django.utils.translation import gettext as _

from practica.conference.assignment.affinity import (
    AffinityMatrix,
    compute_affinity,
    load_affinity_inputs,
)
from practica.conference.models import (
    IN_REVIEW_STATES,
    AssignmentPin,
    AssignmentSource,
    Edition,
    PinKind,
    Proposal,
    ProposalSpeaker,
    ReviewAssignment,
    ReviewerVolunteer,
    SpeakerStatus,
)
from practica.conference.queries.conflicts import detect_conflicts
from practica.core.models import TREE_PATH_SEPARATOR
from practica.people.models import OrgUnit, OrgUnitKind, User

Say = Callable[[int, str], None]


@dataclass
class EditionProblem:
    proposal_ids: list[int]
    proposal_titles: list[str]
    reviewer_ids: list[int]
    reviewer_names: list[str]
    affinity: AffinityMatrix
    k: np.ndarray
    max_load: np.ndarray
    min_load: np.ndarray
    conflicts: np.ndarray
    forbidden: np.ndarray
    pinned: list[tuple[int, int]]
    outsider: np.ndarray | None
    notes: dict[str, Any] = field(default_factory=dict)


def division_of_units() -> dict[int, int]:
    """Each org unit's division: its nearest ancestor-or-self of kind division, else its root."""
    units = list(OrgUnit.objects.values_list("pk", "path", "kind"))
    by_path = {path: (pk, kind) for pk, path, kind in units}
    divisions: dict[int, int] = {}
    for pk, path, _kind in units:
        slugs = [slug for slug in path.split(TREE_PATH_SEPARATOR) if slug]
        chain = [
            by_path.get(TREE_PATH_SEPARATOR.join(["", *slugs[: i + 1], ""]))
            for i in range(len(slugs))
        ]
        found = [node for node in chain if node is not None]
        division = next((node for node in reversed(found) if node[1] == OrgUnitKind.DIVISION), None)
        divisions[pk] = (division or (found[0] if found else (pk, "")))[0]
    return divisions


def person_divisions(person_ids: set[int]) -> dict[int, int]:
    units = dict(
        User.objects.filter(pk__in=person_ids, org_unit__isnull=False).values_list(
            "pk", "org_unit_id"
        )
    )
    if not units:
        return {}
    division = division_of_units()
    return {person: division[unit] for person, unit in units.items() if unit in division}


def outsider_matrix(
    proposal_ids: list[int], reviewer_ids: list[int], edition: Edition
) -> np.ndarray:
    speakers: dict[int, set[int]] = defaultdict(set)
    rows = (
        ProposalSpeaker.objects.filter(proposal_id__in=proposal_ids, person__isnull=False)
        .exclude(status=SpeakerStatus.DECLINED)
        .values_list("proposal_id", "person_id")
    )
    for proposal, person in rows:
        speakers[proposal].add(person)
    everyone = set(reviewer_ids).union(*speakers.values()) if speakers else set(reviewer_ids)
    divisions = person_divisions(everyone)
    reviewer_division = np.array([divisions.get(r, -1) for r in reviewer_ids], dtype=np.int64)
    outsider = np.zeros((len(proposal_ids), len(reviewer_ids)), dtype=bool)
    known = reviewer_division >= 0
    for i, proposal in enumerate(proposal_ids):
        own = [divisions[s] for s in speakers.get(proposal, ()) if s in divisions]
        outsider[i] = known & ~np.isin(reviewer_division, own)
    return outsider


def build_edition_problem(edition: Edition, parameters: dict[str, Any], say: Say) -> EditionProblem:
    """Read everything a run needs and lay it out for `solve_assignment`."""
    say(5, _("Loading proposals and reviewers"))
    proposals = list(
        Proposal.objects.filter(edition=edition, state__in=IN_REVIEW_STATES)
        .order_by("pk")
        .values_list("pk", "title")
    )
    proposal_ids = [pk for pk, _title in proposals]
    pool = dict(
        ReviewerVolunteer.objects.filter(edition=edition, is_active=True).values_list(
            "person_id", "max_load"
        )
    )
    kept = list(
        ReviewAssignment.objects.filter(proposal_id__in=proposal_ids)
        .filter(Q(source=AssignmentSource.MANUAL) | Q(review__isnull=False))
        .values_list("proposal_id", "reviewer_id")
    )
    pins = list(
        AssignmentPin.objects.filter(proposal_id__in=proposal_ids).values_list(
            "proposal_id", "person_id", "kind"
        )
    )
    reviewer_ids = sorted(set(pool) | {person for _p, person in kept})
    say(10, _("Finding conflicts of interest"))
    conflicts = detect_conflicts(edition, person_ids=reviewer_ids)
    say(20, _("Reading the reviewers' texts"))
    inputs = load_affinity_inputs(edition, reviewer_ids, proposal_ids=proposal_ids)
    say(35, _("Computing text similarity and topic overlap"))
    affinity = compute_affinity(inputs)
    say(50, _("Laying out the constraints"))
    row = {p: i for i, p in enumerate(inputs.proposal_ids)}
    column = {r: j for j, r in enumerate(inputs.reviewer_ids)}
    shape = (len(row), len(column))
    conflict_mask = np.zeros(shape, dtype=bool)
    for p, person in conflicts.pairs():
        if p in row and person in column:
            conflict_mask[row[p], column[person]] = True
    fixed: set[tuple[int, int]] = {(row[p], column[r]) for p, r in kept}
    kept_conflicts = [pair for pair in fixed if conflict_mask[pair]]
    for pair in kept_conflicts:
        conflict_mask[pair] = False  # kept whatever: applying never removes it
    forbidden = np.zeros(shape, dtype=bool)
    ignored_pins = 0
    for p, person, kind in pins:
        if person not in column:
            ignored_pins += 1
            continue
        pair = (row[p], column[person])
        if kind == PinKind.FORBID:
            if pair not in fixed:
                forbidden[pair] = True
        elif conflict_mask[pair]:
            ignored_pins += 1
        else:
            fixed.add(pair)
    pinned = sorted(fixed)
    fixed_per_proposal = np.zeros(shape[0], dtype=np.int64)
    fixed_per_reviewer = np.zeros(shape[1], dtype=np.int64)
    for i, j in pinned:
        fixed_per_proposal[i] += 1
        fixed_per_reviewer[j] += 1
    k = int(parameters["reviewers_per_proposal"])
    most = np.array(
        [min(int(parameters["max_load"]), pool.get(r, 0)) for r in inputs.reviewer_ids],
        dtype=np.int64,
    )
    most = np.maximum(most, fixed_per_reviewer)
    least = np.minimum(
        np.where(np.isin(inputs.reviewer_ids, list(pool)), int(parameters["min_load"]), 0), most
    )
    outsider = None
    if parameters.get("cross_division", True):
        outsider = outsider_matrix(inputs.proposal_ids, inputs.reviewer_ids, edition)
    names = dict(User.objects.filter(pk__in=inputs.reviewer_ids).values_list("pk", "display_name"))
    return EditionProblem(
        proposal_ids=inputs.proposal_ids,
        proposal_titles=[dict(proposals)[pk] for pk in inputs.proposal_ids],
        reviewer_ids=inputs.reviewer_ids,
        reviewer_names=[names.get(r, str(r)) for r in inputs.reviewer_ids],
        affinity=affinity,
        k=np.maximum(np.full(shape[0], k, dtype=np.int64), fixed_per_proposal),
        max_load=most,
        min_load=least,
        conflicts=conflict_mask,
        forbidden=forbidden,
        pinned=pinned,
        outsider=outsider,
        notes={
            "conflicts": len(conflicts),
            "kept_pairs": len(kept),
            "kept_conflicts": len(kept_conflicts),
            "pins": sum(1 for _p, _r, kind in pins if kind == PinKind.PIN),
            "forbids": sum(1 for _p, _r, kind in pins if kind == PinKind.FORBID),
            "ignored_pins": ignored_pins,
            "above_k": int((fixed_per_proposal > k).sum()),
        },
    )
