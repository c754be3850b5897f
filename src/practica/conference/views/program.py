"""Conference screens: the chair's program builder, the published program, my agenda and the
program's calendar files.

The builder is one page whose workspace (warnings, day grids, the forms) is swapped by htmx
after each change; without JavaScript every form posts and redirects back. Times are shown in
the viewer's zone with the edition's zone noted; the builder's forms ask for the edition's
wall clock.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practica.conference.forms.program import (
    BreakForm,
    KeynoteForm,
    MoveSlotForm,
    PlaceProposalForm,
    SlotTimeForm,
)
from practica.conference.models import Edition, ProgramSlot, SlotKind
from practica.conference.permissions import can_view_edition, can_view_program, is_chair
from practica.conference.program_calendar import program_calendar
from practica.conference.queries import program as queries
from practica.conference.services import program as services

UNSCHEDULED_PER_PAGE = 20
# Where a service's field names land on the builder's forms.
FORM_FIELDS = {"starts_at": "day", "ends_at": "minutes"}


# --- Loading and wording --------------------------------------------------------------------


def _edition(request: HttpRequest, edition_id: int) -> Edition:
    """The edition if the viewer may see it; a 404 otherwise (unannounced ones stay hidden)."""
    edition = get_object_or_404(Edition.objects.select_related("community"), pk=edition_id)
    if not can_view_edition(request.user, edition):
        raise Http404
    return edition


def _chaired(request: HttpRequest, edition_id: int) -> Edition:
    edition = _edition(request, edition_id)
    if not is_chair(request.user, edition):
        raise PermissionDenied(_("Only the edition's chairs can build the program."))
    return edition


def _slot(request: HttpRequest, slot_id: int) -> ProgramSlot:
    """The slot if the viewer may see its program; 404 otherwise."""
    slot = queries.slot_with_details(slot_id)
    if slot is None or not can_view_program(request.user, slot.edition):
        raise Http404
    return slot


def _refusal(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You are not allowed to do that.")


def _show_refusal(form: SlotTimeForm, error: ValidationError | PermissionDenied) -> None:
    """A service's refusal beside the field it is about, else at the top of the form."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for key, errors in error.error_dict.items():
            name = FORM_FIELDS.get(key, key)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, _refusal(error))


def _zone_note(edition: Edition) -> dict[str, Any]:
    viewer = timezone.get_current_timezone()
    zone = queries.edition_zone(edition)
    return {
        "edition_zone": zone.key.replace("_", " "),
        "viewer_zone": str(getattr(viewer, "key", viewer)).replace("_", " "),
        "same_zone": getattr(viewer, "key", None) == zone.key,
    }


# --- The builder ----------------------------------------------------------------------------


def _prefill(request: HttpRequest) -> dict[str, str]:
    """An empty grid cell's link carries its room, day and time into the placing form."""
    return {key: request.GET[key][:20] for key in ("room", "day", "time") if key in request.GET}


def _builder_context(
    request: HttpRequest, edition: Edition, notice: str = "", **forms: Any
) -> dict[str, Any]:
    slots = list(queries.program_slots(edition))
    warnings = queries.program_warnings(edition, slots)
    unscheduled = Paginator(queries.unscheduled_proposals(edition), UNSCHEDULED_PER_PAGE)
    prefill = _prefill(request)
    return {
        "edition": edition,
        "days": queries.program_grid(edition, slots),
        "slot_count": len(slots),
        "warnings": warnings,
        "error_count": sum(1 for warning in warnings if warning.is_error),
        "flagged": queries.warnings_by_slot(warnings),
        "unscheduled_page": unscheduled.get_page(request.GET.get("page")),
        "place_form": forms.get("place_form")
        or PlaceProposalForm(edition=edition, prefix="place", initial=prefill),
        "keynote_form": forms.get("keynote_form") or KeynoteForm(edition=edition, prefix="keynote"),
        "break_form": forms.get("break_form") or BreakForm(edition=edition, prefix="break"),
        "move_form": forms.get("move_form"),
        "moving": forms.get("moving"),
        "moving_entry": queries.program_entry(edition, forms["moving"])
        if forms.get("moving")
        else None,
        "notice": notice,
        **_zone_note(edition),
    }


def _builder_response(
    request: HttpRequest, edition: Edition, *, notice: str = "", **forms: Any
) -> HttpResponse:
    context = _builder_context(request, edition, notice=notice, **forms)
    if request.htmx:
        return render(request, "conference/program/builder_workspace.html", context)
    return render(request, "conference/program/builder.html", context)


def _done(request: HttpRequest, edition: Edition, notice: str) -> HttpResponse:
    if request.htmx:
        return _builder_response(request, edition, notice=notice)
    messages.success(request, notice)
    return redirect(reverse("conference:program_builder", args=[edition.pk]))


@login_required
@require_GET
def program_builder(request: HttpRequest, edition_id: int) -> HttpResponse:
    edition = _chaired(request, edition_id)
    return render(request, "conference/program/builder.html", _builder_context(request, edition))


@login_required
@require_POST
def place_proposal(request: HttpRequest, edition_id: int) -> HttpResponse:
    edition = _chaired(request, edition_id)
    form = PlaceProposalForm(request.POST, edition=edition, prefix="place")
    if form.is_valid():
        data = form.cleaned_data
        try:
            slot = services.add_slot(
                edition=edition,
                kind=SlotKind.SESSION,
                proposal=data["proposal"],
                room=data["room"],
                starts_at=data["starts_at"],
                minutes=data["minutes"],
                actor=request.user,
            )
        except (ValidationError, PermissionDenied) as refused:
            _show_refusal(form, refused)
        else:
            title = queries.slot_title(slot)
            return _done(request, edition, _("“%(title)s” is placed.") % {"title": title})
    return _builder_response(request, edition, place_form=form)


@login_required
@require_POST
def add_keynote(request: HttpRequest, edition_id: int) -> HttpResponse:
    edition = _chaired(request, edition_id)
    form = KeynoteForm(request.POST, edition=edition, prefix="keynote")
    if form.is_valid():
        data = form.cleaned_data
        try:
            slot = services.add_slot(
                edition=edition,
                kind=SlotKind.KEYNOTE,
                proposal=data["proposal"],
                title="" if data["proposal"] else data["title"],
                speaker=None if data["proposal"] else data["speaker"],
                room=data["room"],
                starts_at=data["starts_at"],
                minutes=data["minutes"],
                actor=request.user,
            )
        except (ValidationError, PermissionDenied) as refused:
            _show_refusal(form, refused)
        else:
            title = queries.slot_title(slot)
            return _done(request, edition, _("Keynote “%(title)s” is placed.") % {"title": title})
    return _builder_response(request, edition, keynote_form=form)


@login_required
@require_POST
def add_break(request: HttpRequest, edition_id: int) -> HttpResponse:
    edition = _chaired(request, edition_id)
    form = BreakForm(request.POST, edition=edition, prefix="break")
    if form.is_valid():
        data = form.cleaned_data
        try:
            slot = services.add_slot(
                edition=edition,
                kind=data["kind"],
                title=data["title"],
                room=data["room"],
                starts_at=data["starts_at"],
                minutes=data["minutes"],
                actor=request.user,
            )
        except (ValidationError, PermissionDenied) as refused:
            _show_refusal(form, refused)
        else:
            label = queries.slot_title(slot)
            return _done(request, edition, _("“%(title)s” is placed.") % {"title": label})
    return _builder_response(request, edition, break_form=form)


def _move_form(slot: ProgramSlot, data: Any = None) -> MoveSlotForm:
    edition = slot.edition
    local = slot.starts_at.astimezone(queries.edition_zone(edition))
    minutes = int((slot.ends_at - slot.starts_at).total_seconds() // 60)
    return MoveSlotForm(
        data,
        edition=edition,
        session=slot.kind == SlotKind.SESSION,
        prefix="move",
        initial={
            "room": slot.room_id,
            "day": local.date().isoformat(),
            "time": local.strftime("%H:%M"),
            "minutes": minutes,
        },
    )


def _slot_editor(request: HttpRequest, slot: ProgramSlot, form: MoveSlotForm) -> HttpResponse:
    context = {
        "edition": slot.edition,
        "moving": slot,
        "moving_entry": queries.program_entry(slot.edition, slot),
        "move_form": form,
    }
    if request.htmx:
        return render(request, "conference/program/slot_editor.html", context)
    return render(request, "conference/program/slot_page.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def slot_editor(request: HttpRequest, slot_id: int) -> HttpResponse:
    """GET: the chair's panel to move or remove a slot; POST: move it."""
    slot = _slot(request, slot_id)
    edition = slot.edition
    if not is_chair(request.user, edition):
        raise PermissionDenied(_("Only the edition's chairs can build the program."))
    if request.method == "GET":
        return _slot_editor(request, slot, _move_form(slot))
    form = _move_form(slot, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.move_slot(
                slot=slot,
                actor=request.user,
                starts_at=data["starts_at"],
                room=data["room"],
                minutes=data["minutes"],
            )
        except (ValidationError, PermissionDenied) as refused:
            _show_refusal(form, refused)
        else:
            title = queries.slot_title(slot)
            return _done(request, edition, _("“%(title)s” is moved.") % {"title": title})
    if request.htmx:
        return _builder_response(request, edition, move_form=form, moving=slot)
    return _slot_editor(request, slot, form)


@login_required
@require_POST
def remove_slot(request: HttpRequest, slot_id: int) -> HttpResponse:
    slot = _slot(request, slot_id)
    edition = slot.edition
    title = queries.slot_title(slot)
    services.remove_slot(slot=slot, actor=request.user)
    return _done(request, edition, _("“%(title)s” is out of the program.") % {"title": title})


@login_required
@require_POST
def publish_program(request: HttpRequest, edition_id: int) -> HttpResponse:
    edition = _chaired(request, edition_id)
    try:
        result = services.publish_program(edition=edition, actor=request.user)
    except ValidationError as refused:
        messages.error(request, _refusal(refused))
    else:
        messages.success(
            request,
            _(
                "The program is published. Recorded now: %(presented)s speaker(s) presenting, "
                "%(keynoted)s keynote speaker(s)."
            )
            % {"presented": result.presented, "keynoted": result.keynoted},
        )
        if result.warnings:
            messages.warning(
                request,
                _("Published with %(count)s warning(s): see the warnings panel.")
                % {"count": len(result.warnings)},
            )
    return redirect(reverse("conference:program_builder", args=[edition.pk]))


@login_required
@require_POST
def unpublish_program(request: HttpRequest, edition_id: int) -> HttpResponse:
    edition = _chaired(request, edition_id)
    services.unpublish_program(edition=edition, actor=request.user)
    messages.success(request, _("The program is hidden again; only the committee sees it."))
    return redirect(reverse("conference:program_builder", args=[edition.pk]))


# --- The published program and my agenda ------------------------------------------------------


def _track_filter(request: HttpRequest, edition: Edition) -> Any:
    value = request.GET.get("track", "")
    if not value.isdigit():
        return None
    return edition.tracks.filter(pk=int(value)).first()


@login_required
@require_GET
def program_page(request: HttpRequest, edition_id: int) -> HttpResponse:
    edition = _edition(request, edition_id)
    visible = can_view_program(request.user, edition)
    track = _track_filter(request, edition) if visible else None
    context = {
        "edition": edition,
        "visible": visible,
        "is_chair": is_chair(request.user, edition),
        "tracks": list(edition.tracks.all()),
        "track": track,
        "days": queries.program_by_day(
            edition, person=request.user, track_id=track.pk if track else None
        )
        if visible
        else [],
        **_zone_note(edition),
    }
    return render(request, "conference/program/program.html", context)


@login_required
@require_POST
def agenda_toggle(request: HttpRequest, slot_id: int) -> HttpResponse:
    """Add the slot to my agenda (`action=add`) or take it off (`action=remove`)."""
    slot = _slot(request, slot_id)
    error = ""
    try:
        if request.POST.get("action") == "remove":
            services.remove_from_agenda(slot=slot, person=request.user)
        else:
            services.add_to_agenda(slot=slot, person=request.user)
    except ValidationError as refused:
        error = _refusal(refused)
    target = request.POST.get("next", "")
    if target not in ("agenda", "program"):
        target = "program"
    if request.htmx:
        in_agenda = slot.pk in queries.agenda_slot_ids(slot.edition, request.user)
        context = {
            "entry": queries.program_entry(slot.edition, slot, in_agenda=in_agenda),
            "agenda_error": error,
            "back": target,
        }
        return render(request, "conference/program/agenda_button.html", context)
    if error:
        messages.error(request, error)
    name = "conference:my_agenda" if target == "agenda" else "conference:program"
    return redirect(f"{reverse(name, args=[slot.edition_id])}#slot-{slot.pk}")


@login_required
@require_GET
def my_agenda(request: HttpRequest, edition_id: int) -> HttpResponse:
    edition = _edition(request, edition_id)
    entries = (
        queries.agenda_of(edition, request.user) if can_view_program(request.user, edition) else []
    )
    rows = [
        {
            "entry": queries.program_entry(edition, entry.slot, in_agenda=True),
            "clashes_with": [queries.slot_title(other) for other in entry.clashes_with],
        }
        for entry in entries
    ]
    context = {
        "edition": edition,
        "visible": can_view_program(request.user, edition),
        "rows": rows,
        "clash_count": sum(1 for row in rows if row["clashes_with"]),
        **_zone_note(edition),
    }
    return render(request, "conference/program/agenda.html", context)


# --- Calendars ------------------------------------------------------------------------------


def _ics_response(content: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_required
@require_GET
def slot_calendar(request: HttpRequest, slot_id: int) -> HttpResponse:
    """One session (or keynote, break, plenary) as an .ics file."""
    slot = _slot(request, slot_id)
    return _ics_response(program_calendar(slot.edition, [slot]), f"session-{slot.pk}.ics")


@login_required
@require_GET
def my_agenda_calendar(request: HttpRequest, edition_id: int) -> HttpResponse:
    """My agenda of the edition as one .ics file."""
    edition = _edition(request, edition_id)
    if not can_view_program(request.user, edition):
        raise Http404
    slots = [entry.slot for entry in queries.agenda_of(edition, request.user)]
    name = _("My agenda · %(edition)s") % {"edition": edition.name}
    return _ics_response(program_calendar(edition, slots, name=name), f"agenda-{edition.pk}.ics")


routes = [
    path("editions/<int:edition_id>/program/", program_page, name="program"),
    path("editions/<int:edition_id>/program/builder/", program_builder, name="program_builder"),
    path("editions/<int:edition_id>/program/builder/place/", place_proposal, name="program_place"),
    path("editions/<int:edition_id>/program/builder/keynote/", add_keynote, name="program_keynote"),
    path("editions/<int:edition_id>/program/builder/break/", add_break, name="program_break"),
    path("editions/<int:edition_id>/program/publish/", publish_program, name="program_publish"),
    path(
        "editions/<int:edition_id>/program/unpublish/",
        unpublish_program,
        name="program_unpublish",
    ),
    path("editions/<int:edition_id>/agenda/", my_agenda, name="my_agenda"),
    path("editions/<int:edition_id>/agenda.ics", my_agenda_calendar, name="my_agenda_calendar"),
    path("program/slots/<int:slot_id>/", slot_editor, name="program_slot"),
    path("program/slots/<int:slot_id>/remove/", remove_slot, name="program_slot_remove"),
    path("program/slots/<int:slot_id>/agenda/", agenda_toggle, name="agenda_toggle"),
    path("program/slots/<int:slot_id>/session.ics", slot_calendar, name="program_slot_calendar"),
]
