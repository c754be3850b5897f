"""Strategy screens that write: start a draft, the draft editor, approve, discard. The community
manager only (staff too).

The editor works without JavaScript: one form holds the texts (one statement per line) and
three sets of rows (audience, targets, leaders); "Add a row" posts and comes back with one
more empty row in that section, keeping everything typed so far; "Save the draft" validates
every section and saves them together, or shows each problem beside its section.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from practica.communities.models import Community, StrategyVersion
from practica.communities.strategy import services
from practica.communities.strategy.comparison import compare_versions
from practica.communities.strategy.forms import (
    ApproveForm,
    AudienceFormSet,
    DraftTextForm,
    LeaderFormSet,
    TargetFormSet,
    audience_initial,
    leaders_initial,
    targets_initial,
)
from practica.communities.strategy.permissions import can_edit_strategy
from practica.communities.strategy.queries import (
    current_strategy,
    leadership_candidates,
    strategy_draft,
)
from practica.communities.strategy.views import (
    TEMPLATES,
    manager_only,
)
from practica.communities.target_metrics import target_metric_choices
from practica.communities.view_guards import community_or_404, refusal_text

# Each row section: its formset class, its prefix and the button that adds a row.
SECTIONS = {
    "audience": (AudienceFormSet, "audience"),
    "targets": (TargetFormSet, "targets"),
    "leaders": (LeaderFormSet, "leaders"),
}


def _strategy_url(community: Community) -> str:
    return reverse("communities:strategy", args=[community.slug])


def _edit_url(community: Community) -> str:
    return reverse("communities:strategy_edit", args=[community.slug])


def _draft_or_redirect(
    request: HttpRequest, community: Community
) -> StrategyVersion | HttpResponse:
    """The draft, or a redirect to the strategy page saying there is none."""
    draft = strategy_draft(community)
    if draft is None:
        messages.info(request, _("There is no draft: start one from the strategy page."))
        return redirect(_strategy_url(community))
    return draft


@login_required
@require_POST
def strategy_start(request: HttpRequest, slug: str) -> HttpResponse:
    """Start the next draft (a copy of the current strategy) and open the editor."""
    community = community_or_404(slug)
    if not can_edit_strategy(request.user, community):
        return manager_only(request, community)
    if strategy_draft(community) is not None:
        messages.info(request, _("A draft exists already: here it is."))
        return redirect(_edit_url(community))
    try:
        draft = services.start_strategy_draft(community=community, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
        return redirect(_strategy_url(community))
    messages.success(
        request, _("Draft version %(n)d started. Edit it, then approve it.") % {"n": draft.number}
    )
    return redirect(_edit_url(community))


def _with_extra_row(data: QueryDict, prefix: str) -> QueryDict:
    copy = data.copy()
    total = int(copy.get(f"{prefix}-TOTAL_FORMS") or 0)
    copy[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
    return copy


def _editor(
    request: HttpRequest,
    community: Community,
    draft: StrategyVersion,
    text_form: DraftTextForm,
    formsets: dict[str, Any],
    *,
    section_errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "community": community,
        "draft": draft,
        "form": text_form,
        "audience": formsets["audience"],
        "targets": formsets["targets"],
        "leaders": formsets["leaders"],
        "section_errors": section_errors or {},
        "candidates": leadership_candidates(community),
        "has_metrics": bool(target_metric_choices()),
    }
    return render(request, TEMPLATES + "edit.html", context, status=status)


def _bound_formsets(data: QueryDict, adding: str | None) -> dict[str, Any]:
    formsets = {}
    for name, (formset_class, prefix) in SECTIONS.items():
        posted = _with_extra_row(data, prefix) if name == adding else data
        formsets[name] = formset_class(posted, prefix=prefix)
    return formsets


def _save(request: HttpRequest, community: Community, draft: StrategyVersion) -> HttpResponse:
    adding = next((name for name in SECTIONS if f"add_{name}" in request.POST), None)
    text_form = DraftTextForm(request.POST)
    formsets = _bound_formsets(request.POST, adding)
    # Every form validates (no short cut), so each section shows its own problems.
    checks = [text_form.is_valid()] + [formset.is_valid() for formset in formsets.values()]
    valid = all(checks)
    if adding is not None or not valid:
        return _editor(
            request, community, draft, text_form, formsets, status=200 if adding else 422
        )
    values = text_form.cleaned_data
    try:
        services.edit_strategy_draft(
            draft=draft,
            actor=request.user,
            summary=values["summary"],
            goals=values["goals"],
            scenarios=values["scenarios"],
            principles=values["principles"],
            change_note=values["change_note"],
            audience=formsets["audience"].rows(),
            targets=formsets["targets"].rows(),
            leaders=formsets["leaders"].rows(),
        )
    except PermissionDenied:
        return manager_only(request, community)
    except ValidationError as error:
        problems = error.message_dict if hasattr(error, "error_dict") else {"other": error.messages}
        for field in ("summary", "goals", "scenarios", "principles", "change_note"):
            for message in problems.pop(field, []):
                text_form.add_error(field, message)
        return _editor(
            request, community, draft, text_form, formsets, section_errors=problems, status=422
        )
    messages.success(request, _("The draft is saved."))
    return redirect(_edit_url(community))


@login_required
@require_http_methods(["GET", "POST"])
def strategy_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """The draft editor (GET shows the draft; POST saves it or adds a row)."""
    community = community_or_404(slug)
    if not can_edit_strategy(request.user, community):
        return manager_only(request, community)
    draft = _draft_or_redirect(request, community)
    if isinstance(draft, HttpResponse):
        return draft
    if request.method == "POST":
        return _save(request, community, draft)
    formsets = {
        "audience": AudienceFormSet(initial=audience_initial(draft), prefix="audience"),
        "targets": TargetFormSet(initial=targets_initial(draft), prefix="targets"),
        "leaders": LeaderFormSet(initial=leaders_initial(draft), prefix="leaders"),
    }
    # An empty section starts with one row to fill in.
    for formset in formsets.values():
        if not formset.initial:
            formset.extra = 1
    return _editor(request, community, draft, DraftTextForm.for_draft(draft), formsets)


@login_required
@require_http_methods(["GET", "POST"])
def strategy_approve(request: HttpRequest, slug: str) -> HttpResponse:
    """GET shows what the draft changes from the current strategy and asks for the approval
    note; POST approves it."""
    community = community_or_404(slug)
    if not can_edit_strategy(request.user, community):
        return manager_only(request, community)
    draft = _draft_or_redirect(request, community)
    if isinstance(draft, HttpResponse):
        return draft
    form = ApproveForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.approve_strategy_draft(
                    draft=draft,
                    actor=request.user,
                    approval_note=form.cleaned_data["approval_note"],
                )
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, refusal_text(error))
            else:
                messages.success(
                    request,
                    _("Version %(n)d is approved: it is now the community's strategy.")
                    % {"n": draft.number},
                )
                return redirect(_strategy_url(community))
        status = 422
    current = current_strategy(community)
    context = {
        "community": community,
        "draft": draft,
        "form": form,
        "comparison": compare_versions(current, draft) if current else None,
    }
    return render(request, TEMPLATES + "approve.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def strategy_discard(request: HttpRequest, slug: str) -> HttpResponse:
    """GET asks for confirmation; POST deletes the draft."""
    community = community_or_404(slug)
    if not can_edit_strategy(request.user, community):
        return manager_only(request, community)
    draft = _draft_or_redirect(request, community)
    if isinstance(draft, HttpResponse):
        return draft
    if request.method == "GET":
        return render(request, TEMPLATES + "discard.html", {"community": community, "draft": draft})
    try:
        services.discard_strategy_draft(draft=draft, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("The draft is discarded."))
    return redirect(_strategy_url(community))
