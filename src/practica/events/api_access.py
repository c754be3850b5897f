"""Lookups shared by the events API's routers: the event the caller may see or organize, and
registration refusals as 409 answers.

An event the caller may not see (another organizer's draft, an unknown id) is a 404, so a
draft's existence is not revealed; one they see but may not organize is a 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Status

from practica.api.errors import error_responses
from practica.core.row_lookups import instance_by_pk
from practica.events.models import Event, Registration
from practica.events.permissions import can_manage_event, can_view_event
from practica.events.schemas import RefusalOut
from practica.events.services.registration import RegistrationRefused

ERRORS = error_responses(401, 403, 404, 422)
# Registration answers: 409 carries the refusal's `code` next to its `detail`.
REFUSALS = {**ERRORS, 409: RefusalOut}


def visible_event(request: HttpRequest, event_id: int, rows: QuerySet | None = None) -> Event:
    """The event if the caller may see it; otherwise not found. One query for a published one.

    Without `rows`, the event is read by a statement prepared once (`core.row_lookups`): every
    registration in a rush starts here.
    """
    if rows is None:
        event = instance_by_pk(Event, event_id)
        if event is None:
            raise Http404
    else:
        event = get_object_or_404(rows, pk=event_id)
    if not can_view_event(request.auth, event):
        raise Http404
    return event


def managed_event(request: HttpRequest, event_id: int, rows: QuerySet | None = None) -> Event:
    """The event if the caller organizes it; a visible event they don't organize is a 403."""
    event = visible_event(request, event_id, rows)
    if not can_manage_event(request.auth, event):
        raise PermissionDenied(_("Only the event's organizers can do this."))
    return event


def event_registration(event: Event, registration_id: int) -> Registration:
    """A registration of this event (any other id, including another event's, is not found)."""
    registration = get_object_or_404(
        Registration.objects.select_related("person"), pk=registration_id, event_id=event.pk
    )
    registration.event = event
    return registration


def refused(refusal: RegistrationRefused) -> Status:
    """The 409 answer to a refused registration step: `{"detail": ..., "code": ...}`."""
    return Status(409, {"detail": refusal.messages[0], "code": refusal.code or "refused"})
