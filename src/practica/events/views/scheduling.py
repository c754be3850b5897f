"""Scheduling an event, editing it, publishing and cancelling it — for its organizers.

Saving an event that overlaps another event with the same audience (same community, a shared
co-host, the same program) first shows the clashes and asks the organizer to confirm; the
form also checks live (htmx) as the times are typed.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practica.communities.models import Community
from practica.events.forms.events import (
    CancelEventForm,
    EventForm,
    clash_co_hosts,
    clash_window,
)
from practica.events.models import Event, EventStatus, SeatMode
from practica.events.permissions import can_create_event, can_manage_event, can_schedule_in
from practica.events.queries.planning import Clash, clashes_for
from practica.events.services import events as scheduling
from practica.events.views.events import event_or_404, event_url, refusal


def forbidden(request: HttpRequest, community: Community, reason: str) -> HttpResponse:
    context = {"community": community, "reason": reason}
    return render(request, "events/event_forbidden.html", context, status=403)


def add_refusal(form: Any, error: ValidationError | PermissionDenied, *, modes: list[str]) -> None:
    """Show a service's refusal on the form: per field where the form has that field; a
    capacity refusal under the seats field of the mode (when there is only one)."""
    if not (isinstance(error, ValidationError) and hasattr(error, "error_dict")):
        form.add_error(None, refusal(error))
        return
    for field, field_errors in error.error_dict.items():
        name: str | None = field
        if field in {"capacity", "capacities"}:
            name = f"capacity_{modes[0]}" if len(modes) == 1 else None
        elif field in {"waitlist_limit", "waitlist_limits"}:
            name = f"waitlist_{modes[0]}" if len(modes) == 1 else None
        form.add_error(name if name in form.fields else None, field_errors)


def _clashes(
    form: EventForm, community: Community, event: Event | None, viewer: Any
) -> list[Clash]:
    schedule = form.cleaned_data["schedule"]
    return clashes_for(
        community,
        schedule["starts_at"],
        schedule["ends_at"],
        exclude=event,
        co_hosts=schedule["co_hosts"],
        viewer=viewer,
    )


def _form_page(
    request: HttpRequest,
    form: EventForm,
    *,
    community: Community,
    event: Event | None,
    clashes: list[Clash] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "community": community,
        "event": event,
        "clashes": clashes or [],
        "seat_modes": SeatMode.choices,
        "can_plan": can_create_event(request.user, community),
    }
    return render(request, "events/event_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def schedule_event(request: HttpRequest, slug: str) -> HttpResponse:
    community = get_object_or_404(Community.objects.select_related("program"), slug=slug)
    if not can_schedule_in(request.user, community):  # organizers, and its groups' owners
        return forbidden(
            request, community, _("Only the community's organizers can schedule its events.")
        )
    if request.method == "GET":
        initial = {"time_zone": request.user.time_zone, "group": request.GET.get("group")}
        form = EventForm(community=community, user=request.user, initial=initial)
        return _form_page(request, form, community=community, event=None)
    form = EventForm(request.POST, community=community, user=request.user)
    if not form.is_valid():
        return _form_page(request, form, community=community, event=None, status=422)
    clashes = _clashes(form, community, None, request.user)
    if clashes and not form.cleaned_data["accept_clashes"]:
        return _form_page(request, form, community=community, event=None, clashes=clashes)
    schedule = form.cleaned_data["schedule"]
    publish = "publish" in request.POST
    try:
        event = scheduling.create_event(
            community=community,
            actor=request.user,
            publish=publish,
            hosts=form.cleaned_data["host_specs"],
            **schedule,
        )
    except (ValidationError, PermissionDenied) as error:
        modes = Event(mode=schedule["mode"]).seat_modes
        add_refusal(form, error, modes=modes)
        return _form_page(request, form, community=community, event=None, status=422)
    messages.success(
        request,
        _("The event is published: members can register now.")
        if publish
        else _("The event is saved as a draft: only organizers see it until you publish it."),
    )
    return redirect(event_url(event))


def _changes(form: EventForm, event: Event) -> dict[str, Any]:
    """The service arguments for what the form changed; capacities only for changed modes."""
    schedule = dict(form.cleaned_data["schedule"])
    group = schedule["group"]
    if (group.pk if group is not None else None) == event.group_id:
        del schedule["group"]  # unchanged: not a change to check, audit or save
    seats = {row.mode: row for row in event.seats.all()}
    for key, attribute in (("capacities", "capacity"), ("waitlist_limits", "waitlist_limit")):
        schedule[key] = {
            mode: value
            for mode, value in schedule[key].items()
            if mode not in seats or getattr(seats[mode], attribute) != value
        }
    return schedule


def _hosts_changed(form: EventForm, event: Event) -> bool:
    initial = EventForm.initial_for(event)
    return any(
        form.cleaned_data.get(name, "").strip() != initial[name].strip()
        for name in ("hosts", "speakers")
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_event(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_or_404(request, pk)
    community = event.community
    if not can_manage_event(request.user, event):
        return forbidden(request, community, _("Only the event's organizers can edit it."))
    if event.status == EventStatus.CANCELLED:
        messages.error(request, _("A cancelled event can't be edited."))
        return redirect(event_url(event))
    if request.method == "GET":
        initial = EventForm.initial_for(event)
        form = EventForm(community=community, event=event, user=request.user, initial=initial)
        return _form_page(request, form, community=community, event=event)
    form = EventForm(request.POST, community=community, event=event, user=request.user)
    if not form.is_valid():
        return _form_page(request, form, community=community, event=event, status=422)
    clashes = _clashes(form, community, event, request.user)
    if clashes and not form.cleaned_data["accept_clashes"]:
        return _form_page(request, form, community=community, event=event, clashes=clashes)
    changes = _changes(form, event)
    if _hosts_changed(form, event):
        changes["hosts"] = form.cleaned_data["host_specs"]
    try:
        event = scheduling.update_event(event=event, actor=request.user, **changes)
    except (ValidationError, PermissionDenied) as error:
        modes = [*changes["capacities"], *changes["waitlist_limits"]] or event.seat_modes
        add_refusal(form, error, modes=list(dict.fromkeys(modes)))
        return _form_page(request, form, community=community, event=event, status=422)
    messages.success(request, _("The event is saved."))
    return redirect(event_url(event))


@login_required
@require_POST
def publish_event(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_or_404(request, pk)
    try:
        scheduling.publish_event(event=event, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal(error))
    else:
        messages.success(request, _("The event is published: members can register now."))
    return redirect(event_url(event))


@login_required
@require_http_methods(["GET", "POST"])
def cancel_event(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation and a reason; POST cancels."""
    event = event_or_404(request, pk)
    if not can_manage_event(request.user, event):
        return forbidden(request, event.community, _("Only the event's organizers can cancel it."))
    if event.status == EventStatus.CANCELLED:
        messages.info(request, _("This event is already cancelled."))
        return redirect(event_url(event))
    form = CancelEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            scheduling.cancel_event(
                event=event, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, refusal(error))
        else:
            messages.success(
                request, _("The event is cancelled. Everyone registered is told by email.")
            )
            return redirect(event_url(event))
    status = 422 if form.errors else 200
    return render(
        request, "events/event_cancel.html", {"event": event, "form": form}, status=status
    )


@login_required
@require_GET
def clash_check(request: HttpRequest, slug: str) -> HttpResponse:
    """The clash warning for the times being typed on the event form (htmx, live)."""
    community = get_object_or_404(Community.objects.select_related("program"), slug=slug)
    pk = request.GET.get("event", "")
    event = None
    if pk.isdigit() and len(pk) < 12:
        event = Event.objects.filter(pk=pk, community=community).first()
    allowed = can_manage_event(request.user, event) if event else False
    if not allowed and not can_schedule_in(request.user, community):
        raise PermissionDenied
    window = clash_window(request.GET)
    clashes: list[Clash] = []
    if window is not None:
        clashes = clashes_for(
            community,
            *window,
            exclude=event,
            co_hosts=clash_co_hosts(request.GET, community),
            viewer=request.user,
        )
    return render(request, "events/event_clashes.html", {"clashes": clashes, "live": True})
