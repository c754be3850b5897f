"""A community's content calendar, for the organizers and managers who plan its cadence."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from practica.communities.models import Community
from practica.communities.permissions import can_manage_community
from practica.events.forms.events import CadenceTargetForm
from practica.events.permissions import can_create_event
from practica.events.queries.planning import content_calendar
from practica.events.services import events as scheduling
from practica.events.views.events import refusal
from practica.events.views.scheduling import forbidden

FIRST_YEAR = 2000
LAST_YEAR = 2100


def _community(slug: str) -> Community:
    return get_object_or_404(Community.objects.select_related("program"), slug=slug)


def _year(request: HttpRequest) -> int:
    """The year asked for in `?year=`, or this year (in the viewer's zone) if none or bad."""
    this_year = timezone.localdate().year
    value = request.GET.get("year", "")
    if value.isdigit() and FIRST_YEAR <= int(value) <= LAST_YEAR:
        return int(value)
    return this_year


def calendar_url(community: Community, year: int | None = None) -> str:
    url = reverse("events:planning", args=[community.slug])
    return f"{url}?year={year}" if year else url


@login_required
@require_GET
def planning_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(slug)
    if not can_create_event(request.user, community):
        return forbidden(
            request, community, _("The content calendar is for the community's organizers.")
        )
    year = _year(request)
    calendar = content_calendar(community, year)
    may_set_target = can_manage_community(request.user, community)
    context = {
        "community": community,
        "calendar": calendar,
        "year": year,
        "previous_year": year - 1 if year > FIRST_YEAR else None,
        "next_year": year + 1 if year < LAST_YEAR else None,
        "this_year": timezone.localdate().year,
        "quarters": [_("Q%(number)s") % {"number": number} for number in range(1, 5)],
        "can_set_target": may_set_target,
        "target_form": CadenceTargetForm(
            initial={"minimum": calendar.target_min, "maximum": calendar.target_max}
        )
        if may_set_target
        else None,
    }
    return render(request, "events/planning_calendar.html", context)


@login_required
@require_POST
def set_cadence_target(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(slug)
    year = _year(request)
    form = CadenceTargetForm(request.POST)
    if not form.is_valid():
        errors = [str(error) for field in form.errors.values() for error in field]
        messages.error(request, " ".join(errors))
        return redirect(calendar_url(community, year))
    try:
        target = scheduling.set_cadence_target(
            community=community,
            actor=request.user,
            minimum=form.cleaned_data["minimum"],
            maximum=form.cleaned_data["maximum"],
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal(error))
    else:
        messages.success(
            request,
            _("The target is now %(low)s to %(high)s events a year.")
            % {"low": target.events_per_year_min, "high": target.events_per_year_max},
        )
    return redirect(calendar_url(community, year))
