"""The program committee's screens: the dashboard (every proposal in review with its mean,
spread and disagreement flag, filtered and sorted, with the chair's decision buttons), the
decision mail texts with a preview, and the bulk send with its count and confirmation.

The dashboard is for the committee; deciding, the mail texts and sending are the chair's.
An edition the viewer may not see is a 404; one they see but may not use this way a 403.
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
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practica.conference.forms.decisions import (
    UNDECIDE,
    DashboardFilterForm,
    DecisionForm,
    DecisionTemplateForm,
    PreviewForm,
    SendDecisionMailsForm,
)
from practica.conference.models import IN_REVIEW_STATES, DecisionOutcome, Edition, Proposal
from practica.conference.permissions import can_decide, can_view_edition, is_committee
from practica.conference.queries.dashboard import (
    DISAGREEMENT_SPREAD,
    dashboard_rows,
    decision_summary,
)
from practica.conference.services import decisions as decision_services
from practica.conference.services.reviews import review_deadline_text
from practica.conference.views.reviews import refusal_text

PAGE_SIZE = 50
# The preview's proposal list; beyond it, the dashboard's per-row preview links serve.
MAX_PREVIEW_CHOICES = 1000


def _edition(request: HttpRequest, pk: int) -> Edition:
    edition = get_object_or_404(Edition.objects.select_related("community"), pk=pk)
    if not can_view_edition(request.user, edition):
        raise Http404
    return edition


def committee_edition(request: HttpRequest, pk: int) -> Edition:
    edition = _edition(request, pk)
    if not is_committee(request.user, edition):
        raise PermissionDenied(_("The committee dashboard is for the program committee."))
    return edition


def chaired_edition(request: HttpRequest, pk: int) -> Edition:
    edition = _edition(request, pk)
    if not can_decide(request.user, edition):
        raise PermissionDenied(_("Only the edition's chair decides and sends the decision mails."))
    return edition


def dashboard_url(edition: Edition) -> str:
    return reverse("conference:dashboard", args=[edition.pk])


@login_required
@require_GET
def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """Every proposal in review with its figures; filters and sort from the query string."""
    edition = committee_edition(request, pk)
    form = DashboardFilterForm(request.GET or None, edition=edition)
    filters = form.filters() if request.GET else DashboardFilterForm(edition=edition).filters()
    rows = dashboard_rows(edition, filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "edition": edition,
        "form": form,
        "filters": filters,
        "page_obj": page,
        "summary": decision_summary(edition),
        "may_decide": can_decide(request.user, edition),
        "outcomes": [
            (DecisionOutcome.ACCEPTED, _("Accept")),
            (DecisionOutcome.WAITLISTED, _("Waitlist")),
            (DecisionOutcome.REJECTED, _("Reject")),
        ],
        "deadline": review_deadline_text(edition),
        "threshold": DISAGREEMENT_SPREAD,
        "here": request.get_full_path(),
        "sort_links": _sort_links(request, filters.sort),
    }
    return render(request, "conference/decisions/dashboard.html", context)


def _sort_links(request: HttpRequest, current: str) -> dict[str, dict[str, str]]:
    """Per sortable column: the link that sorts by it (toggling the direction when it is
    the current sort) and the aria-sort value."""
    links = {}
    for name, first in (("title", "title"), ("score", "-score"), ("spread", "-spread")):
        query = request.GET.copy()
        query.pop("page", None)
        if current.lstrip("-") == name:
            query["sort"] = current[1:] if current.startswith("-") else f"-{current}"
            state = "descending" if current.startswith("-") else "ascending"
        else:
            query["sort"] = first
            state = "none"
        links[name] = {"url": f"?{query.urlencode()}", "aria": state}
    return links


def _safe_next(request: HttpRequest, target: str, fallback: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The chair's decision on one proposal (or taking it back), then back to the dashboard."""
    proposal = get_object_or_404(Proposal.objects.select_related("edition__community"), pk=pk)
    edition = chaired_edition(request, proposal.edition_id)
    proposal.edition = edition
    form = DecisionForm(request.POST)
    fallback = dashboard_url(edition)
    if not form.is_valid():
        messages.error(request, _("Choose accept, reject or waitlist."))
        return redirect(fallback)
    target = _safe_next(request, form.cleaned_data.get("next", ""), fallback)
    outcome = form.cleaned_data["outcome"]
    try:
        if outcome == UNDECIDE:
            decision_services.undecide(proposal=proposal, actor=request.user)
            note = _("“%(title)s” is undecided again.")
        else:
            decision_services.decide(proposal=proposal, outcome=outcome, actor=request.user)
            note = _("“%(title)s”: %(outcome)s.")
    except (ValidationError, PermissionDenied) as refused:
        messages.error(request, refusal_text(refused))
    else:
        label = DecisionOutcome(outcome).label if outcome != UNDECIDE else ""
        messages.success(request, note % {"title": proposal.title, "outcome": label})
    return redirect(target)


@login_required
@require_http_methods(["GET", "POST"])
def decision_templates(request: HttpRequest, pk: int) -> HttpResponse:
    """The three decision mails' texts; POST saves one (named by `outcome`)."""
    edition = chaired_edition(request, pk)
    templates = decision_services.ensure_decision_templates(edition)
    forms: dict[str, DecisionTemplateForm] = {
        outcome: DecisionTemplateForm(
            prefix=outcome,
            initial={"subject": templates[outcome].subject, "body": templates[outcome].body},
        )
        for outcome in DecisionOutcome.values
    }
    status = 200
    if request.method == "POST":
        outcome = request.POST.get("outcome", "")
        if outcome not in forms:
            messages.error(request, _("Choose which mail to change."))
            return redirect("conference:decision_templates", pk=edition.pk)
        form = DecisionTemplateForm(request.POST, prefix=outcome)
        forms[outcome] = form
        if form.is_valid():
            try:
                decision_services.update_decision_template(
                    edition=edition, outcome=outcome, actor=request.user, **form.cleaned_data
                )
            except (ValidationError, PermissionDenied) as refused:
                _add_refusal(form, refused)
            else:
                messages.success(
                    request,
                    _("The “%(outcome)s” mail is saved.")
                    % {"outcome": DecisionOutcome(outcome).label},
                )
                return redirect(
                    f"{reverse('conference:decision_templates', args=[edition.pk])}#mail-{outcome}"
                )
        status = 400
    sections = [
        {"outcome": value, "label": label, "form": forms[value]}
        for value, label in DecisionOutcome.choices
    ]
    in_review = (
        Proposal.objects.filter(edition=edition, state__in=IN_REVIEW_STATES)
        .order_by("title")
        .only("pk", "title", "state")[:MAX_PREVIEW_CHOICES]
    )
    context = {
        "edition": edition,
        "sections": sections,
        "proposals": in_review,
        "preview_form": PreviewForm(),
    }
    return render(request, "conference/decisions/templates.html", context, status=status)


def _add_refusal(form: Any, error: ValidationError | PermissionDenied) -> None:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, refusal_text(error))


@login_required
@require_GET
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The decision mail a proposal's speakers would get (`?proposal=&outcome=`)."""
    edition = chaired_edition(request, pk)
    form = PreviewForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("Choose a proposal to preview its mail."))
        return redirect("conference:decision_templates", pk=edition.pk)
    proposal = get_object_or_404(
        Proposal.objects.select_related("format", "track"),
        pk=form.cleaned_data["proposal"],
        edition=edition,
    )
    proposal.edition = edition
    error = ""
    mail = None
    try:
        mail = decision_services.preview_decision_mail(
            proposal=proposal, actor=request.user, outcome=form.cleaned_data.get("outcome") or None
        )
    except (ValidationError, PermissionDenied) as refused:
        error = refusal_text(refused)
    context = {
        "edition": edition,
        "proposal": proposal,
        "mail": mail,
        "error": error,
        "outcomes": DecisionOutcome.choices,
    }
    return render(
        request, "conference/decisions/preview.html", context, status=400 if error else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def send_mails(request: HttpRequest, pk: int) -> HttpResponse:
    """How many decision mails would go, per outcome; POST (confirmed) sends them."""
    edition = chaired_edition(request, pk)
    summary = decision_summary(edition)
    form = SendDecisionMailsForm(initial={"expected": summary.to_mail_total})
    status = 200
    stale = ""
    if request.method == "POST":
        form = SendDecisionMailsForm(request.POST)
        if form.is_valid():
            if form.cleaned_data["expected"] != summary.to_mail_total:
                stale = _(
                    "The decisions changed since this page was opened: check the new count "
                    "and confirm again."
                )
                form = SendDecisionMailsForm(initial={"expected": summary.to_mail_total})
            else:
                try:
                    report = decision_services.send_decision_mails(
                        edition=edition, actor=request.user
                    )
                except (ValidationError, PermissionDenied) as refused:
                    form.add_error(None, refusal_text(refused))
                else:
                    told = ngettext(
                        "The decision on %(count)d proposal is on its way.",
                        "The decisions on %(count)d proposals are on their way.",
                        report.proposals,
                    ) % {"count": report.proposals}
                    queued = ngettext(
                        "%(count)d mail queued.", "%(count)d mails queued.", report.mails
                    ) % {"count": report.mails}
                    messages.success(request, f"{told} {queued}")
                    return redirect(dashboard_url(edition))
        status = 400
    context = {
        "edition": edition,
        "summary": summary,
        "form": form,
        "stale": stale,
        "outcomes": [
            (label, summary.to_mail.get(value, 0)) for value, label in DecisionOutcome.choices
        ],
    }
    return render(request, "conference/decisions/send.html", context, status=status)


routes: list = [
    path("editions/<int:pk>/dashboard/", dashboard, name="dashboard"),
    path("proposals/<int:pk>/decision/", decide, name="decide"),
    path("editions/<int:pk>/decision-mails/", decision_templates, name="decision_templates"),
    path("editions/<int:pk>/decision-mails/preview/", preview, name="decision_preview"),
    path("editions/<int:pk>/decision-mails/send/", send_mails, name="decision_send"),
]
