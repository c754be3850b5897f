"""The list of events, an event's page, and the registration buttons on it.

The registration card (`events/event_registration.html`) is its own fragment: the buttons post
with htmx and get the card back re-rendered, seat counts and all; a plain POST gets a message
and a redirect to the event, so every button works without JavaScript.
"""

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from practica.core.markdown import render_markdown
from practica.events.forms.events import WHEN_PAST, WHEN_UPCOMING, EventFilterForm, SeatModeForm
from practica.events.models import (
    Event,
    EventHost,
    EventSeats,
    EventStatus,
    Registration,
    RegistrationStatus,
    SpeakerRole,
)
from practica.events.permissions import (
    can_create_event,
    can_manage_event,
    can_register,
    can_see_online_link,
    can_view_event,
)
from practica.events.queries.attendance import may_give_feedback
from practica.events.queries.events import (
    ACTIVE_STATUSES,
    find_events,
    registration_of,
    seat_summary,
    waitlist_rank,
)
from practica.events.services import registration as registering
from practica.events.services.attendance import check_in_opens_at
from practica.events.templatetags.event_times import zone_label, zone_named

EVENTS_PER_PAGE = 20


def refusal(error: ValidationError | PermissionDenied) -> str:
    """The human sentence inside a service's refusal."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You are not allowed to do that.")


def event_or_404(request: HttpRequest, pk: int) -> Event:
    """The event, if the viewer may see it; a 404 otherwise (drafts do not admit to existing)."""
    event = get_object_or_404(
        Event.objects.select_related("community", "community__program", "series"), pk=pk
    )
    if not can_view_event(request.user, event):
        raise Http404
    return event


def event_url(event: Event) -> str:
    return reverse("events:detail", args=[event.pk])


# --- The list ------------------------------------------------------------------------------


def listed_events(
    *, user: Any, filters: dict[str, Any], now: datetime | None = None
) -> QuerySet[Event]:
    """What the list shows for `filters` (see `EventFilterForm`): published and cancelled
    events, upcoming soonest first or past latest first, with the seat rows and the viewer's
    registration (as `my_registrations`) prefetched."""
    events = find_events(
        viewer=user,
        community=filters.get("community"),
        topic=filters.get("topic"),
        event_format=filters.get("format") or "",
        registered_only=bool(filters.get("mine")),
        include_drafts=False,
        when=WHEN_PAST if filters.get("when") == WHEN_PAST else WHEN_UPCOMING,
        now=now,
    )
    return events.select_related("community").prefetch_related(
        "topics",
        Prefetch("seats", queryset=EventSeats.objects.order_by("mode")),
        Prefetch(
            "registrations",
            queryset=Registration.objects.filter(person_id=user.pk),
            to_attr="my_registrations",
        ),
    )


def _results_template(request: HttpRequest, template: str) -> str:
    """htmx live filtering swaps only the results; a full (or boosted) request gets the page."""
    if request.htmx and not request.htmx.boosted:
        return f"{template}#results"
    return template


@login_required
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    form = EventFilterForm(request.GET or None)
    filters = form.filters()
    events = listed_events(user=request.user, filters=filters)
    page_obj = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    page_obj.object_list = list(page_obj.object_list)
    for event in page_obj.object_list:
        found = event.my_registrations
        event.my_registration = found[0] if found else None
        seats = list(event.seats.all())
        event.seats_left = (
            None
            if any(row.capacity is None for row in seats)
            else sum(row.available or 0 for row in seats)
        )
    community = filters.get("community")
    context = {
        "form": form,
        "page_obj": page_obj,
        "filtered": bool({key for key in filters if key != "when"}),
        "past": filters.get("when") == WHEN_PAST,
        "list_url": request.path,
        "community": community,
        "can_schedule": community is not None and can_create_event(request.user, community),
    }
    return render(request, _results_template(request, "events/event_list.html"), context)


# --- An event's page -----------------------------------------------------------------------


def registration_context(
    request: HttpRequest, event: Event, *, note: str = "", error: str = ""
) -> dict[str, Any]:
    """What the registration card shows the viewer: the seats of each mode, their own
    registration and its state, whether (and why not) they can register now."""
    user = request.user
    registration = registration_of(event, user)
    seats = seat_summary(event)
    now = timezone.now()
    closed_reason = closed_code = ""
    if event.status == EventStatus.PUBLISHED:
        try:
            registering.check_registration_open(event, mode=event.seat_modes[0], now=now)
        except registering.RegistrationRefused as refused:
            closed_reason, closed_code = refusal(refused), refused.code or ""
    holds_place = registration is not None and registration.status in ACTIVE_STATUSES
    has_seat = (
        registration is not None
        and registration.status == RegistrationStatus.REGISTERED
        and event.status == EventStatus.PUBLISHED
    )
    return {
        "event": event,
        "seats": seats,
        "registration": registration,
        "holds_place": holds_place,
        "waitlist_place": waitlist_rank(registration) or None if holds_place else None,
        "may_register": can_register(user, event) and not closed_reason and not holds_place,
        "closed_reason": closed_reason,
        "closed_code": closed_code,
        "mode_form": SeatModeForm(),
        # A hybrid event suggests the first mode with a free seat.
        "default_mode": next(
            (row.mode for row in seats if not row.is_full),
            seats[0].mode if seats else event.seat_modes[0],
        ),
        "is_hybrid": len(event.seat_modes) > 1,
        "registration_opens_at": event.registration_opens_at,
        # At the door: a registrant not checked in yet may check themselves in with the code.
        "check_in_open": has_seat
        and registration.checked_in_at is None
        and check_in_opens_at(event) <= now < event.ends_at,
        "feedback_open": has_seat and event.ends_at <= now and may_give_feedback(event, user),
        "note": note,
        "error": error,
        "can_see_link": event.online_url
        and event.status != EventStatus.CANCELLED
        and can_see_online_link(user, event, registration),
    }


def _speakers(event: Event) -> dict[str, list[EventHost]]:
    hosts = list(event.hosts.select_related("person").order_by("position", "pk"))
    return {
        "hosts": [host for host in hosts if host.role != SpeakerRole.SPEAKER],
        "speakers": [host for host in hosts if host.role == SpeakerRole.SPEAKER],
    }


@login_required
@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_or_404(request, pk)
    may_manage = can_manage_event(request.user, event)
    context = {
        **registration_context(request, event),
        **_speakers(event),
        "description_html": mark_safe(render_markdown(event.description))  # noqa: S308 — sanitized
        if event.description
        else "",
        "topics": list(event.topics.all()),
        "materials": list(event.materials.order_by("kind", "pk")),
        "co_hosts": list(event.co_hosts.order_by("name")),
        "can_manage": may_manage,
        # A group's owner organizes its meetings, not the community's content calendar.
        "can_plan": may_manage and can_create_event(request.user, event.community),
        "event_zone": zone_label(zone_named(event.time_zone)),
        "venue": ", ".join(
            part for part in (event.venue_room, event.venue_building, event.venue_city) if part
        ),
        "is_over": event.ends_at <= timezone.now(),
    }
    if may_manage:
        context["registered_count"] = Registration.objects.filter(
            event_id=event.pk, status__in=ACTIVE_STATUSES
        ).count()
    return render(request, "events/event_detail.html", context)


# --- Registration buttons ------------------------------------------------------------------


def _registration_response(
    request: HttpRequest, event: Event, *, note: str = "", error: str = ""
) -> HttpResponse:
    if request.htmx:
        context = registration_context(request, event, note=note, error=error)
        return render(request, "events/event_registration.html", context)
    (messages.error if error else messages.success)(request, error or note)
    return redirect(event_url(event))


def _registered_note(registration: Registration) -> str:
    if getattr(registration, "was_created", True) is False:
        return {
            RegistrationStatus.REGISTERED: _("You are already registered."),
            RegistrationStatus.OFFERED: _("A seat is already waiting for you to confirm."),
            RegistrationStatus.WAITLISTED: _("You are already on the waiting list."),
        }.get(registration.status, _("You are already registered."))
    if registration.status == RegistrationStatus.WAITLISTED:
        return _(
            "The event is full, so you are on the waiting list. If a seat frees up, we will "
            "email you and hold it for you for a while."
        )
    return _("You are registered. A confirmation with a calendar invitation is on its way.")


@login_required
@require_POST
def register(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_or_404(request, pk)
    form = SeatModeForm(request.POST)
    if not form.is_valid():
        return _registration_response(request, event, error=" ".join(form.errors["mode"]))
    try:
        registration = registering.register_for_event(
            event=event, person=request.user, mode=form.cleaned_data["mode"] or None
        )
    except (ValidationError, PermissionDenied) as error:
        return _registration_response(request, event, error=refusal(error))
    return _registration_response(request, event, note=_registered_note(registration))


@login_required
@require_POST
def cancel_registration(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_or_404(request, pk)
    registration = registration_of(event, request.user)
    if registration is None or registration.status not in ACTIVE_STATUSES:
        return _registration_response(request, event, error=_("You are not registered."))
    was_waiting = registration.status == RegistrationStatus.WAITLISTED
    try:
        registering.cancel_registration(registration=registration, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        return _registration_response(request, event, error=refusal(error))
    note = (
        _("You left the waiting list.")
        if was_waiting
        else _("Your registration is cancelled. Thank you for freeing the seat for someone else.")
    )
    return _registration_response(request, event, note=note)


@login_required
@require_POST
def confirm_offer(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_or_404(request, pk)
    registration = registration_of(event, request.user)
    if registration is None:
        return _registration_response(request, event, error=_("You are not registered."))
    try:
        registering.confirm_offered_seat(registration=registration, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        return _registration_response(request, event, error=refusal(error))
    return _registration_response(request, event, note=_("The seat is yours. See you there!"))


@login_required
@require_POST
def decline_offer(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_or_404(request, pk)
    registration = registration_of(event, request.user)
    if registration is None:
        return _registration_response(request, event, error=_("You are not registered."))
    try:
        registering.decline_offered_seat(registration=registration, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        return _registration_response(request, event, error=refusal(error))
    return _registration_response(
        request, event, note=_("You declined the seat; it goes to the next person waiting.")
    )
