"""Check-in screens: the organizers' list at the door (search, check in, admit), walk-ins,
importing an online meeting's attendee list, closing the attendance, and members' self
check-in with the event's code.

The helpers at the top (loading an event the viewer may see or manage, wording refusals) are
shared by the other after-event views (`library`, `feedback`, `ama`, `costs`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practica.events.forms.attendance import (
    AttendeeImportForm,
    CheckInSearchForm,
    SelfCheckInForm,
    WalkInForm,
)
from practica.events.models import Event, EventStatus, Registration
from practica.events.permissions import can_manage_event, can_view_event
from practica.events.queries.attendance import attendance_summary, check_in_list
from practica.events.queries.events import registration_of
from practica.events.services import attendance
from practica.people.models import User

CHECK_IN_PER_PAGE = 50


# --- shared by the after-event views ----------------------------------------------------------


def refusal(error: ValidationError | PermissionDenied) -> str:
    """The human sentence inside a service's refusal."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You are not allowed to do that.")


def add_refusal(form: object, error: ValidationError | PermissionDenied) -> None:
    """Show a service's refusal on a form: per field where the form has that field."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)  # type: ignore[attr-defined]
    else:
        form.add_error(None, refusal(error))  # type: ignore[attr-defined]


def viewable_event(request: HttpRequest, pk: int) -> Event:
    """The event, if the viewer may see it; a 404 otherwise (drafts do not admit to existing)."""
    event = get_object_or_404(Event.objects.select_related("community"), pk=pk)
    if not can_view_event(request.user, event):
        raise Http404
    return event


def managed_event(request: HttpRequest, pk: int) -> Event:
    """The event, if the viewer organizes or hosts it; 403 for other members."""
    event = viewable_event(request, pk)
    if not can_manage_event(request.user, event):
        raise PermissionDenied(_("Only the event's organizers and hosts can open this page."))
    return event


def event_url(event: Event) -> str:
    return reverse("events:detail", args=[event.pk])


def back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Redirect to the safe `next` the form carried, or to `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


def self_check_in_url(request: HttpRequest, event: Event) -> str:
    """The address to show at the door (members open it and type, or it carries, the code)."""
    path = reverse("events:self_check_in", args=[event.pk])
    return request.build_absolute_uri(f"{path}?code={event.check_in_code}")


# --- the organizers' check-in list ------------------------------------------------------------


def _check_in_state(event: Event) -> str:
    now = timezone.now()
    if event.status != EventStatus.PUBLISHED:
        return "closed"
    if now < attendance.check_in_opens_at(event):
        return "not_yet"
    return "open"


@login_required
@require_GET
def checkin_list(request: HttpRequest, pk: int) -> HttpResponse:
    event = managed_event(request, pk)
    form = CheckInSearchForm(request.GET or None)
    text, status = "", ""
    if form.is_valid():
        text, status = form.cleaned_data["q"], form.cleaned_data["status"]
    rows = check_in_list(event, text=text, status=status)
    page_obj = Paginator(rows, CHECK_IN_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "event": event,
        "form": form,
        "page_obj": page_obj,
        "filtered": bool(text or status),
        "state": _check_in_state(event),
        "opens_at": attendance.check_in_opens_at(event),
    }
    if request.htmx and request.htmx.target == "checkin-results":
        return render(request, "events/checkin_rows.html", context)
    context.update(
        summary=attendance_summary(event),
        walk_in_form=WalkInForm(event=event),
        self_url=self_check_in_url(request, event),
        is_started=timezone.now() >= event.starts_at,
    )
    return render(request, "events/checkin_list.html", context)


@login_required
@require_POST
def check_in(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    """Check a registrant in (holding a seat) or admit them (waitlisted: takes a seat)."""
    event = managed_event(request, pk)
    registration = get_object_or_404(
        Registration.objects.select_related("person", "event"), pk=registration_pk, event=event
    )
    error = ""
    try:
        if registration.holds_seat:
            registration = attendance.check_in(registration=registration, actor=request.user)
        else:
            registration = attendance.record_walk_in(
                event=event, person=registration.person, actor=request.user, mode=registration.mode
            )
    except (ValidationError, PermissionDenied) as refused:
        error = refusal(refused)
    if request.htmx:
        registration.refresh_from_db()
        context = {"event": event, "registration": registration, "row_error": error}
        return render(request, "events/checkin_row.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request, _("%(name)s is checked in.") % {"name": registration.person.display_name}
        )
    return back(request, reverse("events:checkin", args=[event.pk]))


@login_required
@require_POST
def walk_in(request: HttpRequest, pk: int) -> HttpResponse:
    event = managed_event(request, pk)
    form = WalkInForm(request.POST, event=event)
    target = reverse("events:checkin", args=[event.pk])
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(target)
    person = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
    if person is None:
        messages.error(
            request,
            _("No member has the email %(email)s.") % {"email": form.cleaned_data["email"]},
        )
        return redirect(target)
    try:
        attendance.record_walk_in(
            event=event,
            person=person,
            actor=request.user,
            mode=form.cleaned_data.get("mode") or None,
        )
    except (ValidationError, PermissionDenied) as refused:
        messages.error(request, refusal(refused))
    else:
        messages.success(request, _("%(name)s is checked in.") % {"name": person.display_name})
    return redirect(target)


@login_required
@require_http_methods(["GET", "POST"])
def checkin_import(request: HttpRequest, pk: int) -> HttpResponse:
    event = managed_event(request, pk)
    report = None
    if request.method == "POST":
        form = AttendeeImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                report = attendance.import_attendees_csv(
                    event=event, actor=request.user, csv_text=form.cleaned_data["csv_text"]
                )
            except (ValidationError, PermissionDenied) as refused:
                add_refusal(form, refused)
            else:
                form = AttendeeImportForm()
    else:
        form = AttendeeImportForm()
    context = {"event": event, "form": form, "report": report, "state": _check_in_state(event)}
    return render(request, "events/checkin_import.html", context)


@login_required
@require_POST
def close_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    event = managed_event(request, pk)
    try:
        closed = attendance.close_attendance(event=event, actor=request.user)
    except (ValidationError, PermissionDenied) as refused:
        messages.error(request, refusal(refused))
    else:
        messages.success(
            request,
            _("Attendance closed: %(hosted)s host(s) and %(presented)s speaker(s) newly recorded.")
            % {"hosted": closed.hosted, "presented": closed.presented},
        )
    return redirect(reverse("events:checkin", args=[event.pk]))


# --- self check-in ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def self_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    event = viewable_event(request, pk)
    registration = registration_of(event, request.user)
    done = registration is not None and registration.checked_in_at is not None
    if request.method == "POST" and not done:
        form = SelfCheckInForm(request.POST)
        if form.is_valid():
            try:
                registration = attendance.self_check_in(
                    event=event, person=request.user, code=form.cleaned_data["code"]
                )
            except (ValidationError, PermissionDenied) as refused:
                add_refusal(form, refused)
            else:
                messages.success(request, _("You are checked in. Enjoy the event!"))
                return redirect(reverse("events:self_check_in", args=[event.pk]))
    else:
        form = SelfCheckInForm(initial={"code": request.GET.get("code", "")[:20]})
    context = {
        "event": event,
        "form": form,
        "registration": registration,
        "done": done,
        "state": _check_in_state(event),
        "opens_at": attendance.check_in_opens_at(event),
        "is_over": timezone.now() > event.ends_at,
    }
    return render(request, "events/checkin_self.html", context)
