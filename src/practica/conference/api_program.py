"""Conference API: the program — the published program (or the committee's preview), the
chair's slots (place, move, remove), warnings, publishing, the caller's agenda and a slot's
calendar file.

An edition the caller may not see is a 404, and so is a program not yet published to them;
a change only the chair may make is a 403; a clash with the program is a 409 with `code`
(room_taken, already_scheduled, program_errors); bad input is a 422 naming the field.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from practica.api.errors import error_responses
from practica.api.fields import Id
from practica.api.pagination import Page
from practica.conference.models import Edition, ProgramSlot, Proposal, Room, Track
from practica.conference.permissions import (
    can_view_edition,
    can_view_program,
    is_chair,
    is_committee,
)
from practica.conference.program_calendar import program_calendar
from practica.conference.queries import program as queries
from practica.conference.schemas_program import (
    AgendaItemOut,
    AgendaRemovedOut,
    ProgramOut,
    ProgramRefusalOut,
    PublishOut,
    SlotCalendarOut,
    SlotIn,
    SlotMoveIn,
    SlotOut,
    UnscheduledOut,
    WarningOut,
)
from practica.conference.services import program as services
from practica.people.models import User

router = Router(tags=["conference program"])

ERRORS = error_responses(401, 403, 404, 422)
REFUSALS = {**ERRORS, 409: ProgramRefusalOut}


# --- Lookups and shapes ---------------------------------------------------------------------


def _edition(request: HttpRequest, edition_id: int) -> Edition:
    edition = get_object_or_404(Edition.objects.select_related("community"), pk=edition_id)
    if not can_view_edition(request.auth, edition):
        raise Http404
    return edition


def _program_edition(request: HttpRequest, edition_id: int) -> Edition:
    edition = _edition(request, edition_id)
    if not can_view_program(request.auth, edition):
        raise HttpError(404, _("The program is not published yet."))
    return edition


def _committee_edition(request: HttpRequest, edition_id: int) -> Edition:
    edition = _edition(request, edition_id)
    if not is_committee(request.auth, edition):
        raise PermissionDenied(_("Only the program committee sees this."))
    return edition


def _slot(request: HttpRequest, slot_id: int) -> ProgramSlot:
    slot = queries.slot_with_details(slot_id)
    if slot is None or not can_view_edition(request.auth, slot.edition):
        raise Http404
    if not can_view_program(request.auth, slot.edition):
        raise HttpError(404, _("The program is not published yet."))
    return slot


def _refused(conflict: services.ProgramConflict) -> Status:
    return Status(409, {"detail": " ".join(conflict.messages), "code": conflict.code})


def _slot_out(request: HttpRequest, slot: ProgramSlot) -> dict[str, Any]:
    proposal = slot.proposal
    return {
        "id": slot.pk,
        "edition_id": slot.edition_id,
        "kind": slot.kind,
        "title": queries.slot_title(slot),
        "starts_at": slot.starts_at,
        "ends_at": slot.ends_at,
        "minutes": int((slot.ends_at - slot.starts_at).total_seconds() // 60),
        "room": slot.room,
        "track": slot.track,
        "proposal": {
            "id": proposal.pk,
            "title": proposal.title,
            "abstract": proposal.abstract,
            "format": proposal.format.name,
            "state": proposal.state,
        }
        if proposal is not None
        else None,
        "speakers": queries.slot_speakers(slot),
        "uid": slot.uid,
        "sequence": slot.sequence,
        "attendees": getattr(slot, "attendee_count", 0),
        "calendar_url": request.build_absolute_uri(
            reverse("conference:program_slot_calendar", args=[slot.pk])
        ),
    }


def _reloaded(request: HttpRequest, slot_id: int) -> dict[str, Any]:
    slot = queries.slot_with_details(slot_id)
    assert slot is not None
    return _slot_out(request, slot)


def _warning_out(warning: queries.ProgramWarning) -> dict[str, Any]:
    return {
        "code": warning.code,
        "severity": warning.severity,
        "message": warning.message,
        "slot_ids": list(warning.slot_ids),
    }


def _of_edition(model: Any, edition: Edition, pk: int | None, field: str) -> Any:
    """The edition's row `pk` of `model`, None for None; a 422 on `field` otherwise."""
    if pk is None:
        return None
    row = model.objects.filter(pk=pk, edition=edition).first()
    if row is None:
        raise ValidationError(
            {
                field: _("There is no such %(what)s in this edition.")
                % {"what": model._meta.verbose_name}
            }
        )
    return row


# --- The program ----------------------------------------------------------------------------


@router.get("/conference/editions/{edition_id}/program", response={200: ProgramOut, **ERRORS})
def get_program(request: HttpRequest, edition_id: Id) -> dict[str, Any]:
    """The program in time order: every member once published, the committee before."""
    edition = _program_edition(request, edition_id)
    return {
        "edition_id": edition.pk,
        "time_zone": edition.time_zone,
        "published_at": edition.program_published_at,
        "slots": [_slot_out(request, slot) for slot in queries.program_slots(edition)],
    }


@router.get(
    "/conference/editions/{edition_id}/program/warnings",
    response={200: list[WarningOut], **ERRORS},
)
def get_program_warnings(request: HttpRequest, edition_id: Id) -> list[dict[str, Any]]:
    """What the chair should check, errors first (the committee only)."""
    edition = _committee_edition(request, edition_id)
    return [_warning_out(warning) for warning in queries.program_warnings(edition)]


@router.get(
    "/conference/editions/{edition_id}/program/unscheduled",
    response={200: list[UnscheduledOut], **ERRORS},
)
@paginate(Page)
def list_unscheduled_proposals(request: HttpRequest, edition_id: Id) -> list[dict[str, Any]]:
    """Accepted or confirmed proposals without a slot yet (the committee only)."""
    edition = _committee_edition(request, edition_id)
    return [
        {
            "id": proposal.pk,
            "title": proposal.title,
            "format": proposal.format.name,
            "minutes": proposal.format.minutes,
            "track": proposal.track,
            "state": proposal.state,
            "expected_audience": proposal.expected_audience,
        }
        for proposal in queries.unscheduled_proposals(edition)
    ]


@router.post(
    "/conference/editions/{edition_id}/program/publish", response={200: PublishOut, **REFUSALS}
)
def publish_program(request: HttpRequest, edition_id: Id) -> Any:
    """Publish the program, or publish it again after changes (the chair only). The answer
    lists the warnings published over; a room clash is a 409 `program_errors`, an empty
    program a 422. Records PRESENTED/KEYNOTED once per speaker and slot."""
    edition = _edition(request, edition_id)
    try:
        result = services.publish_program(edition=edition, actor=request.auth)
    except services.ProgramConflict as conflict:
        return _refused(conflict)
    return {
        "published_at": result.published_at,
        "presented": result.presented,
        "keynoted": result.keynoted,
        "warnings": [_warning_out(warning) for warning in result.warnings],
    }


@router.post(
    "/conference/editions/{edition_id}/program/unpublish", response={200: PublishOut, **ERRORS}
)
def unpublish_program(request: HttpRequest, edition_id: Id) -> dict[str, Any]:
    """Hide the program from members again (the chair only); unpublishing twice is fine."""
    edition = _edition(request, edition_id)
    services.unpublish_program(edition=edition, actor=request.auth)
    return {"published_at": None}


# --- Slots ----------------------------------------------------------------------------------


@router.post(
    "/conference/editions/{edition_id}/program/slots",
    response={201: SlotOut, **REFUSALS},
)
def add_program_slot(request: HttpRequest, edition_id: Id, payload: SlotIn) -> Status:
    """Place a session, keynote, break or plenary (the chair only)."""
    edition = _edition(request, edition_id)
    if not is_chair(request.auth, edition):
        raise PermissionDenied(_("Only the edition's chairs can change the program."))
    speaker = None
    if payload.speaker_id is not None:
        speaker = User.objects.filter(pk=payload.speaker_id, is_active=True).first()
        if speaker is None:
            raise ValidationError({"speaker_id": _("There is no such active member.")})
    try:
        slot = services.add_slot(
            edition=edition,
            kind=payload.kind,
            starts_at=payload.starts_at,
            minutes=payload.minutes,
            room=_of_edition(Room, edition, payload.room_id, "room_id"),
            proposal=_of_edition(Proposal, edition, payload.proposal_id, "proposal_id"),
            track=_of_edition(Track, edition, payload.track_id, "track_id"),
            title=payload.title,
            speaker=speaker,
            actor=request.auth,
        )
    except services.ProgramConflict as conflict:
        return _refused(conflict)
    return Status(201, _reloaded(request, slot.pk))


@router.get("/conference/program/slots/{slot_id}", response={200: SlotOut, **ERRORS})
def get_program_slot(request: HttpRequest, slot_id: Id) -> dict[str, Any]:
    return _slot_out(request, _slot(request, slot_id))


@router.patch("/conference/program/slots/{slot_id}", response={200: SlotOut, **REFUSALS})
def move_program_slot(request: HttpRequest, slot_id: Id, payload: SlotMoveIn) -> Any:
    """Move a slot (time, room) or change its length (the chair only); its `sequence` goes
    up when anything changed."""
    slot = _slot(request, slot_id)
    room: Any = services.KEEP
    if "room_id" in payload.model_fields_set:
        room = _of_edition(Room, slot.edition, payload.room_id, "room_id")
    try:
        services.move_slot(
            slot=slot,
            actor=request.auth,
            starts_at=payload.starts_at,
            room=room,
            minutes=payload.minutes,
        )
    except services.ProgramConflict as conflict:
        return _refused(conflict)
    return _reloaded(request, slot.pk)


@router.delete("/conference/program/slots/{slot_id}", response={200: SlotOut, **ERRORS})
def remove_program_slot(request: HttpRequest, slot_id: Id) -> dict[str, Any]:
    """Take a slot out of the program (the chair only); the answer is the removed slot."""
    slot = _slot(request, slot_id)
    removed = _slot_out(request, slot)
    services.remove_slot(slot=slot, actor=request.auth)
    return removed


@router.get(
    "/conference/program/slots/{slot_id}/calendar", response={200: SlotCalendarOut, **ERRORS}
)
def get_program_slot_calendar(request: HttpRequest, slot_id: Id) -> dict[str, Any]:
    """The slot's iCalendar text (METHOD:PUBLISH; UID and SEQUENCE the slot's, room,
    speakers), for a client to save as `filename`. Browsers download the same file from
    the slot's `calendar_url`."""
    slot = _slot(request, slot_id)
    return {
        "filename": f"session-{slot.pk}.ics",
        "content_type": "text/calendar",
        "ics": program_calendar(slot.edition, [slot]),
    }


# --- My agenda ------------------------------------------------------------------------------


def _agenda_out(request: HttpRequest, edition: Edition) -> list[dict[str, Any]]:
    return [
        {
            "slot": _slot_out(request, entry.slot),
            "added_at": entry.item.added_at,
            "clashes_with": [other.pk for other in entry.clashes_with],
        }
        for entry in queries.agenda_of(edition, request.auth)
    ]


@router.get(
    "/conference/editions/{edition_id}/agenda", response={200: list[AgendaItemOut], **ERRORS}
)
def get_my_agenda(request: HttpRequest, edition_id: Id) -> list[dict[str, Any]]:
    """The caller's agenda in time order; `clashes_with` names the overlapping choices."""
    edition = _program_edition(request, edition_id)
    return _agenda_out(request, edition)


@router.put(
    "/conference/program/slots/{slot_id}/agenda",
    response={200: AgendaItemOut, 201: AgendaItemOut, **ERRORS},
)
def add_to_my_agenda(request: HttpRequest, slot_id: Id) -> Status:
    """Put the slot on the caller's agenda: 201 when added now, 200 when it already was.
    A break, or a program not published yet, is a 422."""
    slot = _slot(request, slot_id)
    change = services.add_to_agenda(slot=slot, person=request.auth)
    entry = next(row for row in _agenda_out(request, slot.edition) if row["slot"]["id"] == slot.pk)
    return Status(201 if change.created else 200, entry)


@router.delete(
    "/conference/program/slots/{slot_id}/agenda", response={200: AgendaRemovedOut, **ERRORS}
)
def remove_from_my_agenda(request: HttpRequest, slot_id: Id) -> dict[str, Any]:
    """Take the slot off the caller's agenda; removing twice is fine (`removed` false)."""
    slot = _slot(request, slot_id)
    return {
        "slot_id": slot.pk,
        "removed": services.remove_from_agenda(slot=slot, person=request.auth),
    }
