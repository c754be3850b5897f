"""The after-event survey for attendees, and its results for the event's organizers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from practica.events.forms.attendance import FeedbackForm
from practica.events.models import EventStatus, Feedback
from practica.events.permissions import can_manage_event
from practica.events.queries.attendance import feedback_results as results_of
from practica.events.queries.attendance import may_give_feedback
from practica.events.services.feedback import feedback_closes_at, submit_feedback
from practica.events.views.attendance import add_refusal, managed_event, viewable_event


def _survey_state(event, user) -> str:  # type: ignore[no-untyped-def]
    """Why the survey can or cannot be answered now: open, not_started, closed, not_held,
    not_attendee."""
    now = timezone.now()
    if event.status != EventStatus.PUBLISHED:
        return "not_held"
    if now < event.starts_at:
        return "not_started"
    if now > feedback_closes_at(event):
        return "closed"
    if not may_give_feedback(event, user):
        return "not_attendee"
    return "open"


@login_required
@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    event = viewable_event(request, pk)
    state = _survey_state(event, request.user)
    mine = Feedback.objects.filter(event=event, person=request.user).first()
    initial = (
        {
            "satisfaction": mine.satisfaction,
            "would_recommend": mine.would_recommend,
            "comment": mine.comment,
        }
        if mine
        else {}
    )
    form = FeedbackForm(initial=initial)
    status = 200
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if form.is_valid():
            try:
                submit_feedback(event=event, person=request.user, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as refused:
                add_refusal(form, refused)
            else:
                messages.success(request, _("Thank you! Your feedback helps the next event."))
                return redirect(reverse("events:feedback", args=[event.pk]))
        status = 400
    context = {
        "event": event,
        "form": form,
        "state": state,
        "mine": mine,
        "closes_at": feedback_closes_at(event),
        "can_manage": can_manage_event(request.user, event),
    }
    return render(request, "events/feedback_form.html", context, status=status)


@login_required
@require_GET
def feedback_results(request: HttpRequest, pk: int) -> HttpResponse:
    event = managed_event(request, pk)
    context = {
        "event": event,
        "results": results_of(event),
        "requested_at": event.feedback_requested_at,
        "survey_url": request.build_absolute_uri(reverse("events:feedback", args=[event.pk])),
    }
    return render(request, "events/feedback_results.html", context)
