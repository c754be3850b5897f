"""A member's notifications and their Q&A preferences (mail, routing, quiet hours)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practica.discussions import inbox as inbox_queries
from practica.discussions.forms import MarkReadForm, PreferencesForm
from practica.discussions.models import Notification
from practica.discussions.services.notifications import (
    mark_notifications_read,
    mark_thread_notifications_read,
    set_discussion_preferences,
)
from practica.discussions.views.shared import add_refusal, back, page_of, refusal

NOTIFICATIONS_PER_PAGE = 30


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    only_unread = request.GET.get("show") == "unread"
    items = inbox_queries.notifications_for(request.user, unread_only=only_unread)
    context = {
        "page_obj": page_of(request, items, NOTIFICATIONS_PER_PAGE),
        "only_unread": only_unread,
        "unread": inbox_queries.unread_count(request.user),
    }
    return render(request, "discussions/notifications.html", context)


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    """Mark the listed notifications read (`ids`), or all of them when none is listed."""
    form = MarkReadForm(request.POST)
    form.is_valid()
    ids = form.cleaned_data.get("ids") or None
    try:
        mark_notifications_read(person=request.user, ids=ids)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal(error))
    else:
        if ids is None:
            messages.success(request, _("All notifications are marked read."))
    return back(request, reverse("discussions:notifications"))


@login_required
@require_GET
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification to its thread, marking what it said about that thread read."""
    note = get_object_or_404(
        Notification.objects.select_related("thread"), pk=pk, recipient=request.user
    )
    mark_thread_notifications_read(person=request.user, thread=note.thread)
    target = reverse("discussions:thread", args=[note.thread_id])
    return redirect(f"{target}#post-{note.post_id}" if note.post_id else target)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    current = inbox_queries.preferences_for(request.user)
    initial = {
        "email_mode": current.email_mode,
        "routing_opt_out": current.routing_opt_out,
        "quiet_hours_start": current.quiet_hours_start,
        "quiet_hours_end": current.quiet_hours_end,
        "max_open_routed": current.max_open_routed,
    }
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            set_discussion_preferences(person=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("Your preferences are saved."))
            return redirect("discussions:preferences")
    status = 400 if form.errors else 200
    return render(request, "discussions/preferences.html", {"form": form}, status=status)
