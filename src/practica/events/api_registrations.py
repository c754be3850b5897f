"""Registrations over HTTP: registering (the hot path of a registration rush), the caller's
own registration (cancel, confirm or decline an offered seat), the organizers' registrant
list and waiting list, and the caller's registrations across events.

Part of the events router (`events.api` includes it). A refused step is a 409 with the
refusal's `code` (full, closed, not_open, cancelled, ended, draft, mode, expired, state) and
a `detail` to show; an event the caller may not see is a 404.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from practica.api.fields import Id
from practica.api.pagination import Page
from practica.events.api_access import (
    ERRORS,
    REFUSALS,
    event_registration,
    managed_event,
    refused,
    visible_event,
)
from practica.events.models import Event, Registration
from practica.events.permissions import can_manage_event
from practica.events.queries.events import (
    ACTIVE_STATUSES,
    my_registrations,
    registrants,
    registration_of,
    waiting_list,
)
from practica.events.schemas import (
    MyRegistrationFilters,
    MyRegistrationOut,
    RegisterIn,
    RegistrantFilters,
    RegistrantOut,
    RegistrationOut,
    WaitlistFilters,
)
from practica.events.services import registration as registering
from practica.events.services.registration import RegistrationRefused
from practica.people.models import User

router = Router(tags=["registrations"])


def _registrant(person_id: int) -> User:
    person = User.objects.filter(pk=person_id).first()
    if person is None:
        raise ValidationError({"person_id": _("There is no such member.")})
    return person


def _mine(request: HttpRequest, event: Event) -> Registration:
    registration = registration_of(event, request.auth)
    if registration is None:
        raise HttpError(404, _("You are not registered for this event."))
    registration.event = event
    return registration


# --- Registering ---------------------------------------------------------------------------


@router.post(
    "/events/{event_id}/registrations",
    response={200: RegistrationOut, 201: RegistrationOut, **REFUSALS},
)
def register_for_event(
    request: HttpRequest, event_id: Id, payload: RegisterIn | None = None
) -> Status:
    """Take a seat of `mode`, or a place on its waiting list when the seats are gone.

    Idempotent: 201 when this call made the registration active (`status` registered or
    waitlisted), 200 with the registration as it is for a repeat (a double click, a retried
    request). 409 with `{detail, code}` when refused: `full` (seats and waiting list),
    `not_open`, `closed`, `ended`, `cancelled`, `draft`, `mode` (the event has no such seats).
    Organizers may register another member with `person_id`.
    """
    user = request.auth
    event = visible_event(request, event_id)
    person = user
    if payload is not None and payload.person_id is not None and payload.person_id != user.pk:
        if not can_manage_event(user, event):
            raise PermissionDenied(_("Only organizers can register someone else."))
        person = _registrant(payload.person_id)
    try:
        registration = registering.register_for_event(
            event=event, person=person, mode=payload.mode if payload else None, actor=user
        )
    except RegistrationRefused as refusal:
        return refused(refusal)
    return Status(201 if registration.was_created else 200, registration)


# --- The caller's registration -------------------------------------------------------------


@router.get("/events/{event_id}/registrations/mine", response={200: RegistrationOut, **ERRORS})
def get_my_registration(request: HttpRequest, event_id: Id) -> Registration:
    """The caller's registration for the event in any status; 404 when there is none."""
    return _mine(request, visible_event(request, event_id))


@router.delete("/events/{event_id}/registrations/mine", response={200: RegistrationOut, **REFUSALS})
def cancel_my_registration(request: HttpRequest, event_id: Id) -> Any:
    """Give up the caller's seat, offer or waiting place; the seat goes to the next person
    waiting. Cancelling again changes nothing; once the event is over it is a 409 `ended`."""
    registration = _mine(request, visible_event(request, event_id))
    try:
        return registering.cancel_registration(registration=registration, actor=request.auth)
    except RegistrationRefused as refusal:
        return refused(refusal)


@router.post(
    "/events/{event_id}/registrations/mine/confirm", response={200: RegistrationOut, **REFUSALS}
)
def confirm_my_seat(request: HttpRequest, event_id: Id) -> Any:
    """Take the seat offered from the waiting list. A repeat changes nothing; no offer is a
    409 `state`, an offer that ran out a 409 `expired`."""
    registration = _mine(request, visible_event(request, event_id))
    try:
        return registering.confirm_offered_seat(registration=registration, actor=request.auth)
    except RegistrationRefused as refusal:
        return refused(refusal)


@router.post(
    "/events/{event_id}/registrations/mine/decline", response={200: RegistrationOut, **REFUSALS}
)
def decline_my_seat(request: HttpRequest, event_id: Id) -> Any:
    """Turn down the offered seat: it goes to the next person waiting. No offer: 409 `state`."""
    registration = _mine(request, visible_event(request, event_id))
    try:
        return registering.decline_offered_seat(registration=registration, actor=request.auth)
    except RegistrationRefused as refusal:
        return refused(refusal)


@router.get("/me/registrations", response={200: list[MyRegistrationOut], **ERRORS})
@paginate(Page)
def list_my_registrations(
    request: HttpRequest, filters: Query[MyRegistrationFilters]
) -> QuerySet[Registration]:
    """The caller's seats, offers and waiting places, soonest event first (past ones with
    `past=true`)."""
    return my_registrations(request.auth, upcoming_only=not filters.past)


# --- For organizers ------------------------------------------------------------------------


@router.get("/events/{event_id}/registrations", response={200: list[RegistrantOut], **ERRORS})
@paginate(Page)
def list_registrations(
    request: HttpRequest, event_id: Id, filters: Query[RegistrantFilters]
) -> QuerySet[Registration]:
    """Who registered: by status (registered, offered and waitlisted by default), mode, and
    name or email. Organizers only (403)."""
    event = managed_event(request, event_id)
    statuses = (filters.status,) if filters.status else ACTIVE_STATUSES
    rows = registrants(event, statuses=statuses)
    if filters.mode:
        rows = rows.filter(mode=filters.mode)
    words = filters.q.strip()
    if words:
        rows = rows.filter(
            Q(person__display_name__icontains=words) | Q(person__email__icontains=words)
        )
    return rows


@router.delete(
    "/events/{event_id}/registrations/{registration_id}",
    response={200: RegistrantOut, **REFUSALS},
)
def cancel_registration(request: HttpRequest, event_id: Id, registration_id: Id) -> Any:
    """Cancel a registration: an organizer for anyone, a member only their own (403). The
    freed seat goes to the next person waiting."""
    event = visible_event(request, event_id)
    registration = event_registration(event, registration_id)
    try:
        cancelled = registering.cancel_registration(registration=registration, actor=request.auth)
    except RegistrationRefused as refusal:
        return refused(refusal)
    cancelled.person = registration.person
    return cancelled


@router.get("/events/{event_id}/waitlist", response={200: list[RegistrantOut], **ERRORS})
@paginate(Page)
def list_waitlist(
    request: HttpRequest, event_id: Id, filters: Query[WaitlistFilters]
) -> QuerySet[Registration]:
    """A mode's waiting list, first in line first (the next freed seat is offered to them).
    Organizers only (403); a mode the event does not have is a 422."""
    event = managed_event(request, event_id)
    mode = filters.mode or event.seat_modes[0]
    if mode not in event.seat_modes:
        raise ValidationError({"mode": _("This event has no seats of that kind.")})
    return waiting_list(event, mode)
