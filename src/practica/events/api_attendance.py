"""Attendance and feedback over HTTP: the organizers' check-in list, checking registrants in,
walk-ins, an online meeting's attendee list, closing attendance; self check-in with the
event's code; the after-event survey and its results.

Part of the events router (`events.api` includes it); writes go through
`events.services.attendance` and `events.services.feedback`, as on the check-in pages.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.pagination import paginate

from practica.api.fields import Id
from practica.api.pagination import Page
from practica.events.api_access import (
    ERRORS,
    event_registration,
    managed_event,
    visible_event,
)
from practica.events.models import Event, Feedback, Registration
from practica.events.queries.attendance import attendance_summary, check_in_list, feedback_results
from practica.events.schemas import RegistrantOut, RegistrationOut
from practica.events.schemas_attendance import (
    AttendanceClosedOut,
    AttendanceOut,
    AttendeeImportIn,
    AttendeeImportOut,
    CheckInFilters,
    FeedbackIn,
    FeedbackOut,
    FeedbackResultsOut,
    SelfCheckInIn,
    WalkInIn,
)
from practica.events.services.attendance import (
    check_in,
    close_attendance,
    import_attendees_csv,
    record_walk_in,
    self_check_in,
)
from practica.events.services.feedback import submit_feedback
from practica.people.models import User

router = Router(tags=["attendance"])


def _with_person(registration: Registration, person: User) -> Registration:
    registration.person = person
    return registration


# --- Organizers ----------------------------------------------------------------------------


@router.get("/events/{event_id}/check-ins", response={200: list[RegistrantOut], **ERRORS})
@paginate(Page)
def list_check_ins(
    request: HttpRequest, event_id: Id, filters: Query[CheckInFilters]
) -> QuerySet[Registration]:
    """The list at the door, by name: everyone holding a seat or waiting. Search by name or
    email; narrow to checked in, not yet checked in, or waitlisted. Organizers only (403)."""
    event = managed_event(request, event_id)
    return check_in_list(event, text=filters.q, status=filters.status or "")


@router.get("/events/{event_id}/attendance", response={200: AttendanceOut, **ERRORS})
def get_attendance(request: HttpRequest, event_id: Id) -> Any:
    """How many hold a seat, how many checked in (by method), walk-ins and the rate."""
    return attendance_summary(managed_event(request, event_id))


@router.post(
    "/events/{event_id}/registrations/{registration_id}/check-in",
    response={200: RegistrantOut, **ERRORS},
)
def check_in_registrant(request: HttpRequest, event_id: Id, registration_id: Id) -> Registration:
    """Check in a registrant holding a seat (from an hour before the start). Checking in
    twice changes nothing; someone without a seat is a 422 (admit them as a walk-in)."""
    event = managed_event(request, event_id)
    registration = event_registration(event, registration_id)
    checked = check_in(registration=registration, actor=request.auth)
    return _with_person(checked, registration.person)


@router.post("/events/{event_id}/walk-ins", response={200: RegistrantOut, **ERRORS})
def admit_walk_in(request: HttpRequest, event_id: Id, payload: WalkInIn) -> Registration:
    """Admit a member at the door, registered or not; a full mode gets one more seat.
    Idempotent. Organizers only."""
    event = managed_event(request, event_id)
    person = User.objects.filter(pk=payload.person_id).first()
    if person is None:
        raise ValidationError({"person_id": _("There is no such member.")})
    registration = record_walk_in(event=event, person=person, actor=request.auth, mode=payload.mode)
    return _with_person(registration, person)


@router.post("/events/{event_id}/attendees/import", response={200: AttendeeImportOut, **ERRORS})
def import_attendees(request: HttpRequest, event_id: Id, payload: AttendeeImportIn) -> Any:
    """Check in everyone an online meeting's attendee list (CSV) names, found by the email
    column. The answer reports who was checked in or admitted, unknown emails and unreadable
    rows; a file without an email column is a 422. Organizers only."""
    event = managed_event(request, event_id)
    return import_attendees_csv(event=event, actor=request.auth, csv_text=payload.csv)


@router.post("/events/{event_id}/attendance/close", response={200: AttendanceClosedOut, **ERRORS})
def close_event_attendance(request: HttpRequest, event_id: Id) -> Any:
    """Record that the member hosts hosted and the member speakers presented (once each).
    Only once the event has started. Organizers only."""
    event = managed_event(request, event_id)
    return close_attendance(event=event, actor=request.auth)


# --- Members -------------------------------------------------------------------------------


@router.post("/events/{event_id}/check-in", response={200: RegistrationOut, **ERRORS})
def check_in_myself(request: HttpRequest, event_id: Id, payload: SelfCheckInIn) -> Registration:
    """Check oneself in with the code shown at the event (from an hour before the start to
    the end). A wrong code is a 422 on `code` and changes nothing; without a seat one is
    given if free, otherwise ask an organizer (422)."""
    event = visible_event(request, event_id)
    return self_check_in(event=event, person=request.auth, code=payload.code)


def _my_feedback(event: Event, person: User) -> Feedback:
    feedback = Feedback.objects.filter(event_id=event.pk, person_id=person.pk).first()
    if feedback is None:
        raise HttpError(404, _("You have not answered this event's survey."))
    return feedback


@router.get(
    "/events/{event_id}/feedback/mine", response={200: FeedbackOut, **ERRORS}, tags=["feedback"]
)
def get_my_feedback(request: HttpRequest, event_id: Id) -> Feedback:
    """The caller's answer to the event's survey; 404 if they have not answered."""
    return _my_feedback(visible_event(request, event_id), request.auth)


@router.put(
    "/events/{event_id}/feedback/mine", response={200: FeedbackOut, **ERRORS}, tags=["feedback"]
)
def give_feedback(request: HttpRequest, event_id: Id, payload: FeedbackIn) -> Feedback:
    """Answer the survey (or change the answer): satisfaction 1–5, optionally 0–10 for
    recommending the community and a comment. Attendees only (403), from the start until 30
    days after the end (422)."""
    event = visible_event(request, event_id)
    return submit_feedback(
        event=event,
        person=request.auth,
        satisfaction=payload.satisfaction,
        would_recommend=payload.would_recommend,
        comment=payload.comment,
    )


@router.get(
    "/events/{event_id}/feedback", response={200: FeedbackResultsOut, **ERRORS}, tags=["feedback"]
)
def get_feedback_results(request: HttpRequest, event_id: Id) -> Any:
    """The survey's results: response rate, average and distribution of satisfaction, the
    net promoter score and the comments (without names). Organizers only (403)."""
    return feedback_results(managed_event(request, event_id))
