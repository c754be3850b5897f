"""Materials of an event (recordings, slides, notebooks by link) and the library of past
content, searchable by topic, format, kind of material and text."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practica.events.forms.attendance import LibraryFilterForm, MaterialForm
from practica.events.models import EventMaterial
from practica.events.permissions import can_manage_event
from practica.events.queries import attendance as queries
from practica.events.services import materials
from practica.events.views.attendance import add_refusal, refusal, viewable_event

LIBRARY_PER_PAGE = 20


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    form = LibraryFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    events = queries.library(
        text=data.get("q", ""),
        topic=data.get("topic"),
        format=data.get("format", ""),
        kind=data.get("kind", ""),
    )
    page_obj = Paginator(events, LIBRARY_PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page_obj": page_obj, "filtered": any(data.values())}
    if request.htmx and request.htmx.target == "library-results":
        return render(request, "events/library_results.html", context)
    return render(request, "events/library.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def event_materials(request: HttpRequest, pk: int) -> HttpResponse:
    event = viewable_event(request, pk)
    can_manage = can_manage_event(request.user, event)
    form = MaterialForm()
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("Only the event's organizers and hosts can add materials."))
        form = MaterialForm(request.POST)
        if form.is_valid():
            try:
                material = materials.add_material(
                    event=event, actor=request.user, **form.cleaned_data
                )
            except (ValidationError, PermissionDenied) as refused:
                add_refusal(form, refused)
            else:
                messages.success(
                    request,
                    _("“%(title)s” is attached to the event.")
                    % {"title": material.title or material.get_kind_display()},
                )
                return redirect(reverse("events:materials", args=[event.pk]))
    context = {
        "event": event,
        "materials": event.materials.select_related("added_by").order_by("kind", "pk"),
        "form": form if can_manage else None,
        "can_manage": can_manage,
    }
    return render(
        request, "events/library_materials.html", context, status=400 if form.errors else 200
    )


@login_required
@require_POST
def remove_material(request: HttpRequest, pk: int) -> HttpResponse:
    material = get_object_or_404(EventMaterial.objects.select_related("event"), pk=pk)
    event = viewable_event(request, material.event_id)
    try:
        materials.remove_material(material=material, actor=request.user)
    except (ValidationError, PermissionDenied) as refused:
        messages.error(request, refusal(refused))
    else:
        messages.success(request, _("The material is removed."))
    return redirect(reverse("events:materials", args=[event.pk]))
