"""Assigning reviewers to proposals: runs of the solver as background jobs, applying a run,
the chair's pins and forbids, and manual assignments.

- `start_assignment_run` (chair): checks the settings and the counts a run can never get
  past (no proposals, no reviewers, k × proposals above the pool's capacity, least loads
  above the reviews needed), creates a queued AssignmentRun and enqueues the task on commit.
  One run of an edition at a time (the edition row is locked while checking); a run that
  reported nothing for `STALE_AFTER` is marked failed so another can start.
- `run_assignment` (the task): loads the problem (`assignment.edition_problem`), solves it
  (`assignment.solver`), writing the progress to the run row in its own short transactions
  as it goes, so the page polls it; stores the report and the pairs
  ([proposal id, person id, affinity, components]) or marks the run failed with a readable
  message (what to change, for infeasible settings).
- `apply_assignment_run` (chair, one transaction, the run row locked): replaces the
  solver-made assignments whose review has not started by the run's pairs; keeps manual
  assignments and every assignment with a review; skips run pairs that became conflicts.
  On commit, each reviewer with new pairs gets one mail listing them (`mails.assignment`).
- `set_pair_pin` / `remove_pair_pin`: "always assign" (refused for a conflict, with the
  reason) or "never assign" one reviewer × proposal pair, for later runs.
- `add_manual_assignment` (refused for conflicts, with the reason, and for forbidden pairs) /
  `remove_assignment` (refused once the review is started). An added reviewer is mailed.
Every change is audited.
"""

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Least
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from practica.conference.mails.assignment import mail_manual_assignment, mail_run_assignments
from practica.conference.models import (
    IN_REVIEW_STATES,
    AssignmentMode,
    AssignmentPin,
    AssignmentRun,
    AssignmentSource,
    Edition,
    PinKind,
    Proposal,
    ReviewAssignment,
    ReviewerVolunteer,
    RunStatus,
)
from practica.conference.permissions import is_chair
from practica.conference.queries.conflicts import detect_conflicts, reason_labels
from practica.core.services import record_audit

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=30)
MAX_PER_PROPOSAL = 10
MAX_LOAD = 50
WEAKEST_SHOWN = 5
ACTIVE_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class AssignmentRefused(ValidationError):  # noqa: N818 — a refusal, not a fault
    """A step refused for the state things are in (the API answers 409). `.code`: running,
    not_done, applied, assigned, review_started."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code=code)


def _require_chair(actor: Any, edition: Edition) -> None:
    if not is_chair(actor, edition):
        raise PermissionDenied(_("Only the edition's chairs assign reviewers."))


def _whole(value: Any, field: str, low: int, high: int, message: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError({field: message})
    return value


def clean_run_settings(
    edition: Edition,
    *,
    mode: str,
    reviewers_per_proposal: int | None,
    min_load: int | None,
    max_load: int | None,
    cross_division: bool,
) -> dict[str, Any]:
    """The run's parameters, the edition's defaults filling what is not given."""
    if mode not in AssignmentMode.values:
        raise ValidationError({"mode": _("Choose highest total affinity or fairness.")})
    k = _whole(
        edition.reviewers_per_proposal
        if reviewers_per_proposal is None
        else reviewers_per_proposal,
        "reviewers_per_proposal",
        1,
        MAX_PER_PROPOSAL,
        _("Give between 1 and %(n)s reviewers per proposal.") % {"n": MAX_PER_PROPOSAL},
    )
    most = _whole(
        edition.reviewer_max_load if max_load is None else max_load,
        "max_load",
        1,
        MAX_LOAD,
        _("Give the most proposals per reviewer, between 1 and %(n)s.") % {"n": MAX_LOAD},
    )
    least = _whole(
        edition.reviewer_min_load if min_load is None else min_load,
        "min_load",
        0,
        MAX_LOAD,
        _("Give the fewest proposals per reviewer, between 0 and %(n)s.") % {"n": MAX_LOAD},
    )
    if least > most:
        raise ValidationError(
            {"min_load": _("The fewest proposals per reviewer must not be above the most.")}
        )
    return {
        "mode": mode,
        "reviewers_per_proposal": k,
        "min_load": least,
        "max_load": most,
        "cross_division": bool(cross_division),
    }


def _check_counts(edition: Edition, parameters: dict[str, Any]) -> dict[str, int]:
    """Refuse settings no run can meet, from counts alone (the run checks the rest)."""
    proposals = Proposal.objects.filter(edition=edition, state__in=IN_REVIEW_STATES).count()
    pool = ReviewerVolunteer.objects.filter(edition=edition, is_active=True)
    reviewers = pool.count()
    if proposals == 0:
        raise ValidationError(_("There are no submitted proposals to assign yet."))
    if reviewers == 0:
        raise ValidationError(_("The reviewer pool is empty: invite members to volunteer first."))
    k, most, least = (
        parameters["reviewers_per_proposal"],
        parameters["max_load"],
        parameters["min_load"],
    )
    capacity = pool.aggregate(total=Sum(Least("max_load", most)))["total"] or 0
    if k > reviewers:
        raise ValidationError(
            {
                "reviewers_per_proposal": _(
                    "There are only %(reviewers)s reviewers in the pool, fewer than the "
                    "%(k)s each proposal needs: lower the reviewers per proposal or add "
                    "reviewers."
                )
                % {"reviewers": reviewers, "k": k}
            }
        )
    if k * proposals > capacity:
        raise ValidationError(
            {
                "reviewers_per_proposal": _(
                    "%(k)s reviewers for each of %(proposals)s proposals need %(needed)s "
                    "reviews, but the pool can take at most %(capacity)s (each reviewer's "
                    "most, capped at %(most)s): lower the reviewers per proposal, raise the "
                    "most proposals per reviewer, or add reviewers."
                )
                % {
                    "k": k,
                    "proposals": proposals,
                    "needed": k * proposals,
                    "capacity": capacity,
                    "most": most,
                }
            }
        )
    if least * reviewers > k * proposals:
        raise ValidationError(
            {
                "min_load": _(
                    "%(reviewers)s reviewers with at least %(least)s proposals each need "
                    "%(total)s reviews, more than the %(needed)s there are: lower the fewest "
                    "proposals per reviewer."
                )
                % {
                    "reviewers": reviewers,
                    "least": least,
                    "total": least * reviewers,
                    "needed": k * proposals,
                }
            }
        )
    return {"proposals": proposals, "reviewers": reviewers, "capacity": capacity}


def _fail_stale_runs(edition: Edition) -> None:
    cutoff = timezone.now() - STALE_AFTER
    AssignmentRun.objects.filter(
        edition=edition, status__in=ACTIVE_STATUSES, updated_at__lt=cutoff
    ).update(
        status=RunStatus.FAILED,
        error=_("The run stopped reporting progress (its worker was stopped): start another."),
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )


def start_assignment_run(
    *,
    edition: Edition,
    actor: Any,
    mode: str = AssignmentMode.MAX_AFFINITY,
    reviewers_per_proposal: int | None = None,
    min_load: int | None = None,
    max_load: int | None = None,
    cross_division: bool = True,
) -> AssignmentRun:
    """Queue a run with these settings (the edition's defaults for those not given).

    Locks the edition row, so two chairs pressing "Run" at once start one run.
    """
    _require_chair(actor, edition)
    parameters = clean_run_settings(
        edition,
        mode=mode,
        reviewers_per_proposal=reviewers_per_proposal,
        min_load=min_load,
        max_load=max_load,
        cross_division=cross_division,
    )
    with transaction.atomic():
        Edition.objects.select_for_update().filter(pk=edition.pk).first()
        _fail_stale_runs(edition)
        if AssignmentRun.objects.filter(edition=edition, status__in=ACTIVE_STATUSES).exists():
            raise AssignmentRefused(
                _("A run of this edition is already in progress: wait for it to finish."),
                "running",
            )
        counts = _check_counts(edition, parameters)
        run = AssignmentRun.objects.create(
            edition=edition,
            mode=parameters["mode"],
            parameters=parameters,
            started_by=actor,
            progress_message=_("Waiting for a worker"),
        )
        record_audit(
            actor_id=actor.pk,
            action="conference.assignment_run_started",
            target=run,
            community_id=edition.community_id,
            data={**parameters, **counts},
        )
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    from practica.conference.tasks import run_assignment_task

    run_assignment_task.delay(run_id)


def _progress(run_id: int, percent: int, message: str) -> None:
    """Written at once in its own statement (no transaction is open in the task)."""
    AssignmentRun.objects.filter(pk=run_id).update(
        progress=max(0, min(100, percent)),
        progress_message=message[:200],
        updated_at=timezone.now(),
    )


def run_assignment(run_id: int) -> AssignmentRun | None:
    """Compute a queued run (the task's body); None when it was not queued any more. Speaks
    the language of the chair who started it."""
    started_by = (
        AssignmentRun.objects.filter(pk=run_id)
        .values_list("started_by__preferred_language", flat=True)
        .first()
    )
    with translation.override(started_by or settings.LANGUAGE_CODE):
        return _run_assignment(run_id)


def _run_assignment(run_id: int) -> AssignmentRun | None:
    from practica.conference.assignment.edition_problem import build_edition_problem
    from practica.conference.assignment.messages import infeasible_message, step_text
    from practica.conference.assignment.solver import InfeasibleAssignment, solve_assignment

    now = timezone.now()
    claimed = AssignmentRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING,
        started_at=now,
        progress=1,
        progress_message=_("Starting"),
        updated_at=now,
    )
    if not claimed:
        return None
    run = AssignmentRun.objects.select_related("edition").get(pk=run_id)
    started = time.perf_counter()
    titles: list[str] = []
    names: list[str] = []
    try:
        problem = build_edition_problem(
            run.edition,
            run.parameters,
            lambda percent, message: _progress(run_id, percent, message),
        )
        titles, names = problem.proposal_titles, problem.reviewer_names
        prepared_seconds = time.perf_counter() - started
        result = solve_assignment(
            problem.affinity.score,
            k=problem.k,
            max_load=problem.max_load,
            min_load=problem.min_load,
            conflicts=problem.conflicts,
            forbidden=problem.forbidden,
            pinned=problem.pinned,
            outsider=problem.outsider,
            mode=run.parameters.get("mode", AssignmentMode.MAX_AFFINITY),
            progress=lambda fraction, step, values: _progress(
                run_id, 55 + int(40 * fraction), step_text(step, values)
            ),
        )
    except InfeasibleAssignment as infeasible:
        return _finish(run_id, error=infeasible_message(infeasible.problems, titles, names))
    except Exception:
        logger.exception("Assignment run %s failed", run_id)
        return _finish(
            run_id,
            error=_(
                "The run failed unexpectedly. Try again; if it fails again, tell the "
                "administrators (run %(id)s)."
            )
            % {"id": run_id},
        )
    pairs = [
        [
            problem.proposal_ids[int(i)],
            problem.reviewer_ids[int(j)],
            round(float(value), 6),
            problem.affinity.detail(int(i), int(j)),
        ]
        for (i, j), value in zip(result.pairs, result.affinities, strict=True)
    ]
    order = result.proposal_affinity.argsort(kind="stable")[:WEAKEST_SHOWN]
    report = {
        **result.report,
        **problem.notes,
        "weakest": [
            {
                "proposal_id": problem.proposal_ids[int(i)],
                "title": problem.proposal_titles[int(i)],
                "affinity": round(float(result.proposal_affinity[int(i)]), 6),
            }
            for i in order
        ],
        "affinity_seconds": round(prepared_seconds, 3),
        "seconds": round(time.perf_counter() - started, 3),
    }
    return _finish(run_id, report=report, pairs=pairs)


def _finish(
    run_id: int,
    *,
    error: str = "",
    report: dict[str, Any] | None = None,
    pairs: list[list[Any]] | None = None,
) -> AssignmentRun:
    now = timezone.now()
    AssignmentRun.objects.filter(pk=run_id).update(
        status=RunStatus.FAILED if error else RunStatus.DONE,
        progress=100,
        progress_message=_("Failed") if error else _("Done"),
        error=error,
        report=report or {},
        pairs=pairs or [],
        finished_at=now,
        updated_at=now,
    )
    return AssignmentRun.objects.get(pk=run_id)


@dataclass(frozen=True)
class AppliedRun:
    created: int
    removed: int
    kept: int
    skipped_conflicts: int


def apply_assignment_run(*, run: AssignmentRun, actor: Any) -> AppliedRun:
    """Make a finished run's pairs the edition's assignments (see the module docstring).

    Locks the run row: applying twice at once applies once.
    """
    edition = run.edition
    _require_chair(actor, edition)
    with transaction.atomic():
        run = AssignmentRun.objects.select_for_update().get(pk=run.pk)
        if run.status != RunStatus.DONE:
            raise AssignmentRefused(_("Only a finished run can be applied."), "not_done")
        if run.applied_at is not None:
            raise AssignmentRefused(_("This run is applied already."), "applied")
        in_review = set(
            Proposal.objects.filter(edition=edition, state__in=IN_REVIEW_STATES).values_list(
                "pk", flat=True
            )
        )
        existing = ReviewAssignment.objects.filter(proposal__edition=edition)
        before = set(existing.values_list("proposal_id", "reviewer_id"))
        replaceable = existing.filter(source=AssignmentSource.SOLVER, review__isnull=True)
        removed = replaceable.count()
        replaceable.delete()
        kept = set(existing.values_list("proposal_id", "reviewer_id"))
        people = {int(pair[1]) for pair in run.pairs}
        conflicts = detect_conflicts(edition, person_ids=people).pairs() if people else set()
        now = timezone.now()
        rows, skipped = [], 0
        for pair in run.pairs:
            proposal_id, person_id, affinity = int(pair[0]), int(pair[1]), float(pair[2])
            if (proposal_id, person_id) in kept or proposal_id not in in_review:
                continue
            if (proposal_id, person_id) in conflicts:
                skipped += 1
                continue
            rows.append(
                ReviewAssignment(
                    proposal_id=proposal_id,
                    reviewer_id=person_id,
                    run=run,
                    source=AssignmentSource.SOLVER,
                    affinity=affinity,
                    affinity_detail=pair[3] if len(pair) > 3 else {},
                    assigned_at=now,
                )
            )
        ReviewAssignment.objects.bulk_create(rows, batch_size=1000)
        # Only pairs the reviewer did not have before are news to them (a re-run recreates some).
        new_pairs = {(row.proposal_id, row.reviewer_id) for row in rows} - before
        # In the same transaction, like every outbox mail: told iff the assignments are made.
        mail_run_assignments(run_id=run.pk, new_pairs=new_pairs)
        run.applied_at = now
        run.save(update_fields=["applied_at", "updated_at"])
        summary = AppliedRun(
            created=len(rows), removed=removed, kept=len(kept), skipped_conflicts=skipped
        )
        record_audit(
            actor_id=actor.pk,
            action="conference.assignment_run_applied",
            target=run,
            community_id=edition.community_id,
            data=summary.__dict__,
        )
    return summary


# --- One pair at a time ---------------------------------------------------------------------


def _check_pair(proposal: Proposal, person_id: int, actor: Any) -> None:
    _require_chair(actor, proposal.edition)
    if proposal.state not in IN_REVIEW_STATES:
        raise ValidationError(_("Only proposals in review get reviewers."))
    in_pool = ReviewerVolunteer.objects.filter(
        edition_id=proposal.edition_id, person_id=person_id, is_active=True
    ).exists()
    if not in_pool:
        raise ValidationError({"person": _("This member is not in the edition's reviewer pool.")})


def _refuse_conflict(proposal: Proposal, person_id: int, action: str) -> None:
    found = detect_conflicts(proposal.edition, person_ids=[person_id], proposal_ids=[proposal.pk])
    reasons = found.reasons(proposal.pk, person_id)
    if reasons:
        labels = reason_labels([reasons])
        raise ValidationError(
            {
                "person": _("%(action)s refused: a conflict of interest (%(reasons)s).")
                % {"action": action, "reasons": "; ".join(labels[r] for r in reasons)}
            }
        )


def set_pair_pin(*, proposal: Proposal, person_id: int, kind: str, actor: Any) -> AssignmentPin:
    """Always (pin) or never (forbid) assign this reviewer to this proposal in later runs.
    A pin on a conflicted pair is refused with the reason; a forbid is always accepted."""
    if kind not in PinKind.values:
        raise ValidationError({"kind": _("Choose “always assign” or “never assign”.")})
    _check_pair(proposal, person_id, actor)
    if kind == PinKind.PIN:
        _refuse_conflict(proposal, person_id, _("Pinning"))
    with transaction.atomic():
        pin, _created = AssignmentPin.objects.update_or_create(
            proposal=proposal,
            person_id=person_id,
            defaults={"kind": kind, "set_by": actor, "set_at": timezone.now()},
        )
        record_audit(
            actor_id=actor.pk,
            action="conference.assignment_pair_pinned",
            target=proposal,
            community_id=proposal.edition.community_id,
            data={"person_id": person_id, "kind": kind},
        )
    return pin


def remove_pair_pin(*, proposal: Proposal, person_id: int, actor: Any) -> bool:
    """Drop the chair's pin or forbid of the pair; False when there was none."""
    _require_chair(actor, proposal.edition)
    with transaction.atomic():
        deleted, _rows = AssignmentPin.objects.filter(
            proposal=proposal, person_id=person_id
        ).delete()
        if deleted:
            record_audit(
                actor_id=actor.pk,
                action="conference.assignment_pair_unpinned",
                target=proposal,
                community_id=proposal.edition.community_id,
                data={"person_id": person_id},
            )
    return bool(deleted)


def add_manual_assignment(*, proposal: Proposal, person_id: int, actor: Any) -> ReviewAssignment:
    """Assign a reviewer of the pool by hand; refused for a conflict of interest (with the
    reason), a forbidden pair, or a pair already assigned. The affinity and its components
    are computed for the pair (before the transaction: it reads the edition's texts)."""
    from practica.conference.assignment.affinity import explain_pair

    _check_pair(proposal, person_id, actor)
    _refuse_conflict(proposal, person_id, _("Assigning"))
    if AssignmentPin.objects.filter(
        proposal=proposal, person_id=person_id, kind=PinKind.FORBID
    ).exists():
        raise ValidationError({"person": _("This pair is marked “never assign”: lift that first.")})
    explained = explain_pair(proposal.edition, proposal, person_id)
    with transaction.atomic():
        if ReviewAssignment.objects.filter(proposal=proposal, reviewer_id=person_id).exists():
            raise AssignmentRefused(_("This reviewer is assigned to it already."), "assigned")
        assignment = ReviewAssignment.objects.create(
            proposal=proposal,
            reviewer_id=person_id,
            source=AssignmentSource.MANUAL,
            affinity=explained["score"],
            affinity_detail={key: explained[key] for key in ("text", "topic", "bid", "score")},
        )
        record_audit(
            actor_id=actor.pk,
            action="conference.assignment_added",
            target=proposal,
            community_id=proposal.edition.community_id,
            data={"person_id": person_id},
        )
        mail_manual_assignment(assignment_id=assignment.pk)
    return assignment


def remove_assignment(*, assignment: ReviewAssignment, actor: Any) -> None:
    """Take a reviewer off a proposal; refused once they started the review (it would be lost)."""
    proposal = assignment.proposal
    _require_chair(actor, proposal.edition)
    with transaction.atomic():
        locked = ReviewAssignment.objects.select_for_update().filter(pk=assignment.pk).first()
        if locked is None:
            return
        if ReviewAssignment.objects.filter(pk=locked.pk, review__isnull=False).exists():
            raise AssignmentRefused(
                _("This reviewer has started the review; it cannot be taken off any more."),
                "review_started",
            )
        locked.delete()
        record_audit(
            actor_id=actor.pk,
            action="conference.assignment_removed",
            target=proposal,
            community_id=proposal.edition.community_id,
            data={"person_id": assignment.reviewer_id},
        )
