"""Outreach screens: a community's segments, the rule editor with its live count, a segment's
page with the people it matches (paginated, as on any day), and deleting one.

The editor works without JavaScript (a plain POST saves; "Add a rule" posts and comes back
with one more row); with htmx, every change posts the rows to `segment_count` and the count
and the first matches are swapped in. Managers of the community only (staff too).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practica.communities.models import Community
from practica.outreach.forms.segments import (
    ReferenceDateForm,
    RuleFormSet,
    SegmentForm,
    rule_rows,
)
from practica.outreach.managed import managed_community, managed_segment
from practica.outreach.models import Segment
from practica.outreach.queries.segments import (
    rule_label,
    segment_count,
    segment_preview,
    segments_of,
)
from practica.outreach.services import segments as services
from practica.outreach.views.refusals import add_refusal, refusal

PEOPLE_PER_PAGE = 25
LIVE_PREVIEW = 10
RULES_PREFIX = "rules"
NEW_SEGMENT_ROWS = [
    {"field": "hired_on", "op": "in_previous_month", "value": ""},
    {"field": "membership", "op": "not_member", "value": ""},
]


def segment_url(segment: Segment) -> str:
    return reverse("outreach:segment_detail", args=[segment.pk])


# --- The list --------------------------------------------------------------------------------


@login_required
@require_GET
def segment_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = managed_community(request.user, slug)
    segments = list(segments_of(community.pk))
    for segment in segments:
        segment.rule_labels = [rule_label(rule) for rule in segment.rules or []]
    return render(
        request,
        "outreach/segments/list.html",
        {"community": community, "segments": segments},
    )


# --- The editor -----------------------------------------------------------------------------


def _with_extra_row(data: QueryDict) -> QueryDict:
    """The posted rows with one more, empty (the "Add a rule" button)."""
    copy = data.copy()
    total = int(copy.get(f"{RULES_PREFIX}-TOTAL_FORMS") or 0)
    copy[f"{RULES_PREFIX}-TOTAL_FORMS"] = str(total + 1)
    return copy


def _editor(
    request: HttpRequest,
    community: Community,
    segment: Segment | None,
    form: SegmentForm,
    rules: Any,
    *,
    rules_error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "community": community,
        "segment": segment,
        "form": form,
        "rules": rules,
        "rules_error": rules_error,
        "live": _live_context(community, rules) if rules.is_bound else None,
    }
    return render(request, "outreach/segments/form.html", context, status=status)


def _save(request: HttpRequest, community: Community, segment: Segment | None) -> HttpResponse:
    if "add_rule" in request.POST:
        form = SegmentForm(request.POST)
        rules = RuleFormSet(_with_extra_row(request.POST), prefix=RULES_PREFIX)
        form.is_valid()
        rules.is_valid()
        return _editor(request, community, segment, form, rules)
    form = SegmentForm(request.POST)
    rules = RuleFormSet(request.POST, prefix=RULES_PREFIX)
    if form.is_valid() and rules.is_valid():
        values = form.cleaned_data
        try:
            if segment is None:
                saved = services.create_segment(
                    community=community,
                    actor=request.user,
                    name=values["name"],
                    description=values["description"],
                    rules=rules.rules(),
                )
            else:
                saved = services.update_segment(
                    segment=segment,
                    actor=request.user,
                    name=values["name"],
                    description=values["description"],
                    rules=rules.rules(),
                )
        except ValidationError as error:
            # The rules' problems stand above the rows, the rest beside the form's fields.
            rules_errors = error.error_dict.pop("rules", []) if hasattr(error, "error_dict") else []
            add_refusal(form, error)
            rules_error = " ".join(ValidationError(rules_errors).messages)
            return _editor(
                request, community, segment, form, rules, rules_error=rules_error, status=422
            )
        messages.success(
            request,
            _("The segment “%(name)s” is saved.") % {"name": saved.name},
        )
        return redirect(segment_url(saved))
    return _editor(request, community, segment, form, rules, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def segment_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = managed_community(request.user, slug)
    if request.method == "POST":
        return _save(request, community, None)
    return _editor(
        request,
        community,
        None,
        SegmentForm(),
        RuleFormSet(initial=NEW_SEGMENT_ROWS, prefix=RULES_PREFIX),
    )


@login_required
@require_http_methods(["GET", "POST"])
def segment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    segment = managed_segment(request.user, pk)
    if request.method == "POST":
        return _save(request, segment.community, segment)
    form = SegmentForm(initial={"name": segment.name, "description": segment.description})
    rules = RuleFormSet(initial=rule_rows(segment.rules), prefix=RULES_PREFIX)
    return _editor(request, segment.community, segment, form, rules)


def _live_context(community: Community, rules: Any) -> dict[str, Any]:
    """The live count and first matches of the posted rows, or why they cannot be counted."""
    if not rules.is_valid():
        problems = [
            _("Rule %(number)d: %(problem)s")
            % {
                "number": number,
                "problem": " ".join(str(m) for errors in form.errors.values() for m in errors),
            }
            for number, form in enumerate(rules.forms, start=1)
            if form.errors
        ]
        return {"problems": problems or [" ".join(rules.non_form_errors())]}
    chosen = rules.rules()
    if not chosen:
        return {"problems": [_("Add at least one rule.")]}
    draft = Segment(community=community, rules=chosen)
    return {
        "count": segment_count(draft),
        "people": list(segment_preview(draft)[:LIVE_PREVIEW]),
        "today": timezone.localdate(),
    }


@login_required
@require_POST
def segment_count_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The live count of the editor's rows (htmx): a fragment, never a redirect."""
    community = managed_community(request.user, slug)
    rules = RuleFormSet(request.POST, prefix=RULES_PREFIX)
    return render(
        request, "outreach/segments/_live_count.html", {"live": _live_context(community, rules)}
    )


# --- A segment's page -----------------------------------------------------------------------


@login_required
@require_GET
def segment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    segment = managed_segment(request.user, pk)
    date_form = ReferenceDateForm(request.GET or None)
    on = None
    if date_form.is_bound and date_form.is_valid():
        on = date_form.cleaned_data.get("on")
    reference = on or timezone.localdate()
    people = segment_preview(segment, reference_date=reference)
    page_obj = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "community": segment.community,
        "segment": segment,
        "rule_labels": [rule_label(rule) for rule in segment.rules or []],
        "date_form": date_form,
        "reference": reference,
        "page_obj": page_obj,
        "campaigns": list(segment.campaigns.order_by("name").only("id", "name", "is_active")),
    }
    template = "outreach/segments/detail.html"
    if request.htmx and not request.htmx.boosted:
        template = f"{template}#people"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def segment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    segment = managed_segment(request.user, pk)
    community = segment.community
    if request.method == "GET":
        return render(
            request,
            "outreach/segments/delete.html",
            {"community": community, "segment": segment},
        )
    try:
        services.delete_segment(segment=segment, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal(error))
        return redirect(segment_url(segment))
    messages.success(request, _("The segment “%(name)s” is deleted.") % {"name": segment.name})
    return redirect(reverse("outreach:segments", args=[community.slug]))


routes = [
    path("communities/<slug:slug>/segments/", segment_list, name="segments"),
    path("communities/<slug:slug>/segments/new/", segment_create, name="segment_create"),
    path("communities/<slug:slug>/segments/count/", segment_count_view, name="segment_count"),
    path("segments/<int:pk>/", segment_detail, name="segment_detail"),
    path("segments/<int:pk>/edit/", segment_edit, name="segment_edit"),
    path("segments/<int:pk>/delete/", segment_delete, name="segment_delete"),
]
