"""The chair's assignment screens: run settings and a polled progress bar, a run's report
(totals, distribution and load charts, the gap to the upper bound), the proposals with their
reviewers (affinity and its components), a proposal's page with pins, forbids, manual
assignment and its best candidates, a pair's explanation, and the conflicts of interest.

The committee sees the pages; the chair acts (and alone sees the conflicts). An edition the
viewer may not see is a 404; one they see but may not use this way a 403.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from practica.conference.forms.assignment import (
    ConflictFilterForm,
    ManualAssignmentForm,
    PersonForm,
    PinForm,
    RunSettingsForm,
)
from practica.conference.models import (
    IN_REVIEW_STATES,
    AssignmentRun,
    Edition,
    Proposal,
    ReviewAssignment,
    RunStatus,
)
from practica.conference.permissions import can_view_edition, is_chair, is_committee
from practica.conference.queries import assignment as queries
from practica.conference.queries.conflicts import conflict_rows, detect_conflicts, reason_labels
from practica.conference.services import assignment as services
from practica.people.models import User

PAGE_SIZE = 25
CONFLICTS_PAGE_SIZE = 50
POLL_SECONDS = 2


def refusal_text(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You are not allowed to do that.")


def _edition(request: HttpRequest, pk: int, *, chair: bool = False) -> Edition:
    edition = get_object_or_404(Edition.objects.select_related("community"), pk=pk)
    if not can_view_edition(request.user, edition):
        raise Http404
    if not is_committee(request.user, edition):
        raise PermissionDenied(_("The assignment is for the program committee."))
    if chair and not is_chair(request.user, edition):
        raise PermissionDenied(_("Only the edition's chairs assign reviewers."))
    return edition


def _proposal(request: HttpRequest, pk: int, *, chair: bool = False) -> Proposal:
    proposal = get_object_or_404(Proposal.objects.select_related("edition__community"), pk=pk)
    _edition(request, proposal.edition_id, chair=chair)
    if proposal.state not in IN_REVIEW_STATES:
        raise Http404
    return proposal


def _run(request: HttpRequest, pk: int, *, chair: bool = False) -> AssignmentRun:
    run = get_object_or_404(AssignmentRun.objects.select_related("edition__community"), pk=pk)
    _edition(request, run.edition_id, chair=chair)
    return run


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


def _page_context(request: HttpRequest, edition: Edition, form: RunSettingsForm) -> dict:
    shown = queries.shown_run(edition, request.GET.get("run"))
    text = request.GET.get("q", "").strip()[:100]
    short = request.GET.get("short") == "1"
    rows = queries.proposals_in_review(
        edition, text=text, short=edition.reviewers_per_proposal if short else None
    )
    page_obj = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    preview = (
        request.GET.get("view") == "run" and shown is not None and shown.status == RunStatus.DONE
    )
    proposals = list(page_obj.object_list)
    assignments = (
        queries.run_assignments(shown, proposals)
        if preview and shown is not None
        else queries.current_assignments(proposals)
    )
    return {
        "edition": edition,
        "community": edition.community,
        "may_act": is_chair(request.user, edition),
        "form": form,
        "active": queries.active_run(edition),
        "shown": shown,
        "charts": queries.report_charts(shown.report) if shown and shown.report else None,
        "gap_percent": 100 * float((shown.report or {}).get("gap", 0)) if shown else 0,
        "runs": queries.edition_runs(edition).order_by("-created_at")[:8],
        "summary": queries.assignment_summary(edition),
        "page_obj": page_obj,
        "assignments": assignments,
        "preview": preview,
        "q": text,
        "short": short,
        "poll_seconds": POLL_SECONDS,
    }


@login_required
@require_GET
def assignment_page(request: HttpRequest, pk: int) -> HttpResponse:
    edition = _edition(request, pk)
    context = _page_context(request, edition, RunSettingsForm.for_edition(edition))
    return render(request, "conference/assignment/page.html", context)


@login_required
@require_POST
def start_run(request: HttpRequest, pk: int) -> HttpResponse:
    edition = _edition(request, pk, chair=True)
    form = RunSettingsForm.for_edition(edition, request.POST)
    if form.is_valid():
        try:
            run = services.start_assignment_run(
                edition=edition, actor=request.user, **form.cleaned_data
            )
        except ValidationError as refused:
            if hasattr(refused, "error_dict"):
                for name, errors in refused.error_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, refused.messages)
        else:
            # Without a broker the run has already finished here; say what really happened.
            run.refresh_from_db(fields=["status", "error"])
            if run.status == RunStatus.DONE:
                messages.success(request, _("The run is done; its report is below."))
            elif run.status == RunStatus.FAILED:
                messages.error(request, run.error or _("The run failed."))
            else:
                messages.success(request, _("The run is queued; its progress shows below."))
            return redirect(reverse("conference:assignment", args=[edition.pk]))
    context = _page_context(request, edition, form)
    return render(request, "conference/assignment/page.html", context, status=400)


@login_required
@require_GET
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment, polled by htmx; a finished run sends the page to its report."""
    run = _run(request, pk)
    if run.status in (RunStatus.DONE, RunStatus.FAILED) and request.htmx:
        response = HttpResponse(status=204)
        url = reverse("conference:assignment", args=[run.edition_id])
        response["HX-Redirect"] = f"{url}?run={run.pk}"
        return response
    context = {"run": run, "poll_seconds": POLL_SECONDS}
    return render(request, "conference/assignment/progress.html", context)


@login_required
@require_POST
def apply_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk, chair=True)
    try:
        summary = services.apply_assignment_run(run=run, actor=request.user)
    except ValidationError as refused:
        messages.error(request, refusal_text(refused))
    else:
        messages.success(
            request,
            _(
                "Applied: %(created)s new assignments, %(removed)s replaced, %(kept)s kept "
                "(made by hand or with a review started)."
            )
            % summary.__dict__,
        )
        if summary.skipped_conflicts:
            messages.warning(
                request,
                _("%(n)s pairs were left out: they became conflicts of interest since the run.")
                % {"n": summary.skipped_conflicts},
            )
    url = reverse("conference:assignment", args=[run.edition_id])
    return redirect(f"{url}?run={run.pk}")


@login_required
@require_GET
def proposal_assignment(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    edition = proposal.edition
    may_act = is_chair(request.user, edition)
    (assigned,) = queries.current_assignments([proposal])
    conflicts = {}
    if may_act:
        found = detect_conflicts(edition, proposal_ids=[proposal.pk]).by_proposal.get(
            proposal.pk, {}
        )
        labels = reason_labels(found.values())
        names = dict(queries.pool_choices(edition))
        conflicts = {
            names.get(person, str(person)): [labels[reason] for reason in reasons]
            for person, reasons in found.items()
        }
    choices = [
        (person, name)
        for person, name in queries.pool_choices(edition)
        if person not in {reviewer.person_id for reviewer in assigned.reviewers}
    ]
    context = {
        "edition": edition,
        "community": edition.community,
        "proposal": proposal,
        "assigned": assigned,
        "may_act": may_act,
        "conflicts": sorted(conflicts.items()),
        "add_form": ManualAssignmentForm(choices=choices),
        "k": edition.reviewers_per_proposal,
    }
    return render(request, "conference/assignment/proposal.html", context)


@login_required
@require_GET
def proposal_candidates(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    context = {
        "proposal": proposal,
        "edition": proposal.edition,
        "community": proposal.edition.community,
        "candidates": queries.proposal_candidates(proposal),
        "may_act": is_chair(request.user, proposal.edition),
    }
    if request.htmx:
        return render(request, "conference/assignment/candidates.html", context)
    return render(request, "conference/assignment/candidates_page.html", context)


def _pair_action(request: HttpRequest, pk: int, form_class: type, act) -> HttpResponse:
    proposal = _proposal(request, pk, chair=True)
    default = reverse("conference:assignment_proposal", args=[proposal.pk])
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a reviewer from the list."))
        return _back(request, default)
    try:
        message = act(proposal, form.cleaned_data)
    except (ValidationError, PermissionDenied) as refused:
        messages.error(request, refusal_text(refused))
    else:
        messages.success(request, message)
    return _back(request, default)


@login_required
@require_POST
def pin_pair(request: HttpRequest, pk: int) -> HttpResponse:
    def act(proposal: Proposal, data: dict[str, Any]) -> str:
        pin = services.set_pair_pin(
            proposal=proposal, person_id=data["person"], kind=data["kind"], actor=request.user
        )
        return _("Saved: %(kind)s.") % {"kind": pin.get_kind_display().lower()}

    return _pair_action(request, pk, PinForm, act)


@login_required
@require_POST
def unpin_pair(request: HttpRequest, pk: int) -> HttpResponse:
    def act(proposal: Proposal, data: dict[str, Any]) -> str:
        services.remove_pair_pin(proposal=proposal, person_id=data["person"], actor=request.user)
        return _("The pin is lifted: later runs choose freely for this pair.")

    return _pair_action(request, pk, PersonForm, act)


@login_required
@require_POST
def add_assignment(request: HttpRequest, pk: int) -> HttpResponse:
    def act(proposal: Proposal, data: dict[str, Any]) -> str:
        services.add_manual_assignment(
            proposal=proposal, person_id=data["person"], actor=request.user
        )
        return _("The reviewer is assigned.")

    return _pair_action(request, pk, PersonForm, act)


@login_required
@require_POST
def remove_assignment(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        ReviewAssignment.objects.select_related("proposal__edition__community"), pk=pk
    )
    proposal = _proposal(request, assignment.proposal_id, chair=True)
    try:
        services.remove_assignment(assignment=assignment, actor=request.user)
    except (ValidationError, PermissionDenied) as refused:
        messages.error(request, refusal_text(refused))
    else:
        messages.success(request, _("The reviewer is taken off this proposal."))
    return _back(request, reverse("conference:assignment_proposal", args=[proposal.pk]))


@login_required
@require_GET
def pair_explanation(request: HttpRequest, pk: int, person: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    edition = proposal.edition
    member = get_object_or_404(User, pk=person)
    explanation = queries.pair_explanation(proposal, member.pk)
    context = {
        "edition": edition,
        "community": edition.community,
        "proposal": proposal,
        "member": member,
        "explained": explanation.explained,
        "weights": explanation.weights,
        "contributions": explanation.contributions,
        "conflicts": [label for _code, label in explanation.conflicts],
    }
    return render(request, "conference/assignment/explain.html", context)


@login_required
@require_GET
def conflicts_page(request: HttpRequest, pk: int) -> HttpResponse:
    edition = _edition(request, pk, chair=True)
    form = ConflictFilterForm(request.GET or None)
    text, code = "", ""
    if form.is_valid():
        text, code = form.cleaned_data["q"].strip().lower(), form.cleaned_data["code"]
    rows = conflict_rows(edition, code=code)
    if text:
        rows = [
            row
            for row in rows
            if text in row.proposal_title.lower() or text in row.person_name.lower()
        ]
    page_obj = Paginator(rows, CONFLICTS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "edition": edition,
        "community": edition.community,
        "form": form,
        "page_obj": page_obj,
        "filtered": bool(text or code),
    }
    return render(request, "conference/assignment/conflicts.html", context)


routes: list = [
    path("editions/<int:pk>/assignment/", assignment_page, name="assignment"),
    path("editions/<int:pk>/assignment/runs/", start_run, name="assignment_run_start"),
    path("editions/<int:pk>/conflicts/", conflicts_page, name="conflicts"),
    path("assignment-runs/<int:pk>/progress/", run_progress, name="assignment_run_progress"),
    path("assignment-runs/<int:pk>/apply/", apply_run, name="assignment_run_apply"),
    path("proposals/<int:pk>/assignment/", proposal_assignment, name="assignment_proposal"),
    path(
        "proposals/<int:pk>/assignment/candidates/",
        proposal_candidates,
        name="assignment_candidates",
    ),
    path("proposals/<int:pk>/assignment/pin/", pin_pair, name="assignment_pin"),
    path("proposals/<int:pk>/assignment/unpin/", unpin_pair, name="assignment_unpin"),
    path("proposals/<int:pk>/assignment/add/", add_assignment, name="assignment_add"),
    path(
        "proposals/<int:pk>/assignment/explain/<int:person>/",
        pair_explanation,
        name="assignment_explain",
    ),
    path("assignments/<int:pk>/remove/", remove_assignment, name="assignment_remove"),
]
