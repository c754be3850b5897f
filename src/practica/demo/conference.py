"""The demo's conference: every edition since spring 2014, twice a year, and the one under
review today.

Two steps of the story: `plan_conference_events` (before the events are saved) puts each
edition's conference event on the calendar (`conference_calendar`); `plan_conference` plans
each edition in turn — tracks, formats, rooms, review form and committee
(`conference_setup`), proposals and speakers (`conference_proposals`), the reviewer pool and
assignments (`conference_pool`), reviews (`conference_reviews`), decisions and the program
(`conference_program`) — and saves it in bulk (`conference_saving`).

The edition under review gets its assignments from the real solver: its rows are saved first
(proposals, pool, bids, declared conflicts, the chair's pins), then an assignment run is
computed by `services.assignment.run_assignment` and applied by `apply_assignment_run` as
the chair would, and its reviews are planned on the assignments it made. Should the run fail,
the topic-match assignment of the finished editions stands in (said in `story.counts`).
"""

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError

from practica.conference.models import (
    AssignmentMode,
    AssignmentRun,
    Edition,
    ProposalComment,
    Review,
    ReviewAssignment,
    ReviewScore,
    RunStatus,
)
from practica.core.bulk import adapters, reset_sequences
from practica.core.models import AuditLogEntry
from practica.demo.conference_calendar import plan_conference_events
from practica.demo.conference_plans import AssignmentPlan, EditionPlan
from practica.demo.conference_pool import (
    Conflicts,
    assign_by_topics,
    co_speakers,
    plan_bids_and_conflicts,
    plan_pool,
)
from practica.demo.conference_program import decide_and_schedule
from practica.demo.conference_proposals import plan_proposals
from practica.demo.conference_reviews import plan_discussion, plan_reviews
from practica.demo.conference_saving import (
    save_assignments_and_reviews,
    save_editions,
    save_ledger,
)
from practica.demo.conference_setup import ConferencePlanner, set_up_edition
from practica.people.models import User

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

__all__ = ["plan_conference", "plan_conference_events"]

logger = logging.getLogger(__name__)


def _plan_edition(
    planner: ConferencePlanner, edition: EditionPlan, history: list[dict[int, set[int]]]
) -> Conflicts:
    """Plan one edition; returns its conflicts (co-speakers of this edition and the two
    before, with `history` the co-speakers of every earlier edition)."""
    set_up_edition(planner, edition)
    plan_proposals(planner, edition)
    conflicts = Conflicts([*history[-2:], co_speakers(edition)])
    plan_pool(planner, edition)
    if edition.is_current:
        plan_bids_and_conflicts(planner, edition, conflicts)
        return conflicts
    assign_by_topics(planner, edition, conflicts)
    plan_reviews(planner, edition)
    decide_and_schedule(planner, edition)
    plan_discussion(planner, edition, until=edition.decisions_due_at)
    return conflicts


def _finish_by_topics(planner: ConferencePlanner, edition: EditionPlan, conflicts) -> None:
    assign_by_topics(planner, edition, conflicts)
    plan_reviews(planner, edition)
    plan_discussion(planner, edition, until=planner.now)


def _run_solver(planner: ConferencePlanner, edition: EditionPlan) -> AssignmentRun | None:
    """A max-affinity run of the saved edition, computed now and applied by the chair; None
    (nothing changed) when it failed. Its times are moved to the story's: the run finished
    the evening before reviewing opened."""
    from practica.conference.services.assignment import (
        apply_assignment_run,
        clean_run_settings,
        run_assignment,
    )

    row = Edition.objects.get(pk=edition.id)
    chair = User.objects.get(pk=edition.chair.user.pk) if edition.chair else None
    if chair is None:
        return None
    parameters = clean_run_settings(
        row,
        mode=AssignmentMode.MAX_AFFINITY,
        reviewers_per_proposal=None,
        min_load=None,
        max_load=None,
        cross_division=True,
    )
    queued = AssignmentRun.objects.create(
        edition=row, mode=parameters["mode"], parameters=parameters, started_by=chair
    )
    run = run_assignment(queued.pk)
    try:
        if run is None or run.status != RunStatus.DONE:
            raise ValidationError(run.error if run else "The run was not computed.")
        apply_assignment_run(run=run, actor=chair)
    except (ValidationError, PermissionDenied) as refused:
        logger.warning("The demo's assignment run failed, topics assign instead: %s", refused)
        AssignmentRun.objects.filter(pk=queued.pk).delete()
        return None
    started = edition.review_opens_at - timedelta(hours=16)
    seconds = float(run.report.get("seconds", 1.0))
    finished = started + timedelta(seconds=max(1.0, seconds))
    applied = finished + timedelta(minutes=planner.rng.uniform(10, 50))
    AssignmentRun.objects.filter(pk=run.pk).update(
        created_at=started - timedelta(seconds=2),
        started_at=started,
        finished_at=finished,
        applied_at=applied,
        updated_at=applied,
    )
    ReviewAssignment.objects.filter(run=run).update(assigned_at=applied)
    AuditLogEntry.objects.filter(
        target_id=run.pk, action__startswith="conference.assignment_run"
    ).update(created_at=applied)
    return AssignmentRun.objects.get(pk=run.pk)


def _take_assignments(edition: EditionPlan, applied: datetime | None) -> None:
    """The saved assignments of the edition as plans (with their ids: not saved again)."""
    proposals = {p.id: p for p in edition.proposals}
    reviewers = {v.person.user.pk: v for v in edition.reviewers}
    rows = ReviewAssignment.objects.filter(proposal__edition_id=edition.id).values_list(
        "id", "proposal_id", "reviewer_id", "source", "affinity", "affinity_detail", "assigned_at"
    )
    for pk, proposal_id, person_id, source, affinity, detail, assigned_at in rows.order_by("pk"):
        volunteer = reviewers.get(person_id)
        proposal = proposals.get(proposal_id)
        if volunteer is None or proposal is None:
            continue
        plan = AssignmentPlan(volunteer, affinity, detail or {}, applied or assigned_at, source)
        plan.id = pk
        volunteer.load += 1
        proposal.assignments.append(plan)


def plan_conference(story: "DemoStory") -> None:
    """Plan and save every edition (see the module's docstring); the ledger last."""
    planner = ConferencePlanner(story)
    editions: list[EditionPlan] = story.editions
    history: list[dict[int, set[int]]] = []
    current, current_conflicts = None, None
    for edition in editions:
        conflicts = _plan_edition(planner, edition, history)
        if edition.is_current:
            current, current_conflicts = edition, conflicts
        history.append(co_speakers(edition))
    save_editions(story, editions)
    story.counts["assignment_solver"] = 0
    if current is not None:
        run = None
        try:
            run = _run_solver(planner, current)
        except ImportError:  # a build without the solver service
            run = None
        if run is not None:
            _take_assignments(current, run.applied_at)
            plan_reviews(planner, current)
            plan_discussion(planner, current, until=planner.now)
            story.counts["assignment_solver"] = 1
        else:
            _finish_by_topics(planner, current, current_conflicts)
        dt, js = adapters()
        save_assignments_and_reviews([current], dt, js)
        reset_sequences(ReviewAssignment, Review, ReviewScore, ProposalComment)
    rows = save_ledger(story, editions)
    story.counts["editions"] = len(editions)
    story.counts["proposals"] = sum(len(e.proposals) for e in editions)
    story.counts["activities"] = story.counts.get("activities", 0) + rows
