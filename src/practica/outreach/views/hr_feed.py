"""The HR feed screens (staff only): past imports and the upload, the preview with its column
mapping, applying, and the report of what changed.

Upload → the import is stored and previewed with the suggested mapping → the staff member
adjusts the mapping (the preview follows) → applies → the report. Rows are shown by kind,
refused rows first, paginated. Applying runs in the background, whatever the file's size:
the import's page shows a progress bar, polled by htmx every `POLL_SECONDS`, until the
import is applied or refused; then the page shows its report.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from practica.outreach.forms.hr_feed import HrMappingForm, HrUploadForm
from practica.outreach.hr_feed.mapping import ColumnMapping
from practica.outreach.hr_feed.plan import CHANGING_KINDS, Plan, RowKind
from practica.outreach.hr_feed.progress import apply_progress, polled_import
from practica.outreach.hr_feed.report import (
    applied_summary,
    kind_counts,
    recent_hr_imports,
    rows_of_kind,
    shown_rows,
    stored_plan,
)
from practica.outreach.models import HrImport, HrImportStatus
from practica.outreach.permissions import can_manage_provisioning
from practica.outreach.services.hr_imports import (
    preview_hr_import,
    remap_hr_import,
    start_hr_import_apply,
    suggest_column_mapping,
)

ROWS_PER_PAGE = 50
IMPORTS_PER_PAGE = 25
POLL_SECONDS = 2


def _require_staff(request: HttpRequest) -> None:
    if not can_manage_provisioning(request.user):
        raise PermissionDenied(_("The HR feed is for staff members."))


def _hr_import(request: HttpRequest, pk: int) -> HrImport:
    _require_staff(request)
    return get_object_or_404(HrImport.objects.select_related("uploaded_by"), pk=pk)


def _list_page(request: HttpRequest, form: HrUploadForm, status: int = 200) -> HttpResponse:
    page_obj = Paginator(recent_hr_imports(), IMPORTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page_obj": page_obj}
    return render(request, "outreach/hr_feed/list.html", context, status=status)


@login_required
@require_GET
def hr_import_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    return _list_page(request, HrUploadForm())


@login_required
@require_POST
def hr_import_upload(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    form = HrUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            mapping = suggest_column_mapping(content)
            mapping.full_snapshot = form.cleaned_data["full_snapshot"]
            hr_import = preview_hr_import(
                file_name=upload.name,
                content=content,
                column_mapping=mapping.to_json(),
                effective_on=form.cleaned_data["effective_on"],
                actor=request.user,
            )
        except ValidationError as refused:
            form.add_error("file", refused.messages)
        else:
            return redirect(reverse("outreach:hr_import", args=[hr_import.pk]))
    return _list_page(request, form, status=400)


def _rows_page(request: HttpRequest, plan: Plan) -> dict:
    counts = plan.counts
    default = "refused" if counts[RowKind.REFUSED] else ""
    kind = request.GET.get("kind", default)
    if kind == "all":
        kind = ""
    elif kind not in RowKind.values and kind != "changes":
        kind = default
    rows = rows_of_kind(plan, kind)
    page_obj = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return {
        "kind": kind,
        "kinds": [count for count in kind_counts(plan) if count.count],
        "changing_count": sum(counts[kind] for kind in CHANGING_KINDS),
        "page_obj": page_obj,
        "rows": shown_rows(list(page_obj.object_list)),
    }


@login_required
@require_GET
def hr_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    hr_import = _hr_import(request, pk)
    progress = apply_progress(hr_import)
    if progress is not None and progress.in_flight:
        context = {"hr_import": hr_import, "progress": progress, "poll_seconds": POLL_SECONDS}
        return render(request, "outreach/hr_feed/applying.html", context)
    plan = stored_plan(hr_import)
    context: dict = {"hr_import": hr_import, "plan": plan, "progress": progress}
    if plan is not None:
        context.update(_rows_page(request, plan))
    if hr_import.status == HrImportStatus.PREVIEWED:
        context["mapping_form"] = HrMappingForm.for_import(
            headers=plan.headers if plan else [],
            mapping=ColumnMapping.from_json(hr_import.column_mapping),
            effective_on=hr_import.effective_on,
        )
        return render(request, "outreach/hr_feed/preview.html", context)
    context["applied"] = applied_summary(hr_import)
    return render(request, "outreach/hr_feed/report.html", context)


@login_required
@require_POST
def hr_import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    hr_import = _hr_import(request, pk)
    plan = stored_plan(hr_import)
    if hr_import.status != HrImportStatus.PREVIEWED:
        messages.error(request, _("This import is finished; upload the file again to redo it."))
        return redirect(reverse("outreach:hr_import", args=[hr_import.pk]))
    progress = apply_progress(hr_import)
    if progress is not None and progress.in_flight:
        messages.error(request, _("This import is being applied; its page shows the progress."))
        return redirect(reverse("outreach:hr_import", args=[hr_import.pk]))
    form = HrMappingForm(request.POST, headers=plan.headers if plan else [])
    if form.is_valid():
        try:
            remap_hr_import(
                hr_import=hr_import,
                column_mapping=form.mapping_json(),
                effective_on=form.cleaned_data["effective_on"],
                actor=request.user,
            )
        except ValidationError as refused:
            form.add_error(None, refused.messages)
        else:
            messages.success(request, _("The preview follows the new column mapping."))
            return redirect(reverse("outreach:hr_import", args=[hr_import.pk]))
    context: dict = {"hr_import": hr_import, "plan": plan, "mapping_form": form}
    if plan is not None:
        context.update(_rows_page(request, plan))
    return render(request, "outreach/hr_feed/preview.html", context, status=400)


@login_required
@require_POST
def hr_import_apply(request: HttpRequest, pk: int) -> HttpResponse:
    hr_import = _hr_import(request, pk)
    try:
        hr_import = start_hr_import_apply(hr_import=hr_import, actor=request.user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        # Without a broker it has already run here; say what really happened.
        progress = apply_progress(hr_import)
        if hr_import.status == HrImportStatus.APPLIED:
            messages.success(request, _("The import is applied; what it changed is below."))
        elif hr_import.status == HrImportStatus.FAILED:
            messages.error(
                request,
                _("The file was not applied; nothing was changed. The rows it refused are below."),
            )
        elif progress is not None and not progress.in_flight:
            messages.error(request, progress.error or _("Applying stopped; apply again."))
        else:
            messages.success(
                request, _("The import is being applied in the background; its progress is below.")
            )
    return redirect(reverse("outreach:hr_import", args=[hr_import.pk]))


@login_required
@require_GET
def hr_import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment, polled by htmx; once the apply has ended, htmx is sent to the
    import's page (its report, or the preview with what stopped it)."""
    _require_staff(request)
    hr_import = polled_import(pk)
    if hr_import is None:
        raise Http404
    progress = apply_progress(hr_import)
    if (progress is None or not progress.in_flight) and request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("outreach:hr_import", args=[hr_import.pk])
        return response
    context = {"hr_import": hr_import, "progress": progress, "poll_seconds": POLL_SECONDS}
    return render(request, "outreach/hr_feed/_progress.html", context)


routes = [
    path("provisioning/hr-imports/", hr_import_list, name="hr_imports"),
    path("provisioning/hr-imports/upload/", hr_import_upload, name="hr_import_upload"),
    path("provisioning/hr-imports/<int:pk>/", hr_import_detail, name="hr_import"),
    path("provisioning/hr-imports/<int:pk>/mapping/", hr_import_mapping, name="hr_import_mapping"),
    path("provisioning/hr-imports/<int:pk>/apply/", hr_import_apply, name="hr_import_apply"),
    path(
        "provisioning/hr-imports/<int:pk>/progress/",
        hr_import_progress,
        name="hr_import_progress",
    ),
]
