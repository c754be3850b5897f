"""The program's one calendar: a month grid or a list, filtered by community, with the month's
clashes between communities; and the same entries as an .ics download.

Months are the viewer's: their time zone decides where a day starts. A bad month or community
in the query is shown on the form with a 400, never a 500.
"""

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from practica.communities.program.calendar_feed import program_calendar_ics
from practica.communities.program.calendar_queries import (
    ProgramEntry,
    month_weeks,
    month_window,
    program_calendar,
)
from practica.communities.program.forms import (
    FEED_DAYS_AHEAD,
    FEED_DAYS_BEFORE,
    FIRST_YEAR,
    LAST_YEAR,
    CalendarFilterForm,
    FeedFilterForm,
)
from practica.communities.program.permissions import can_view_program
from practica.communities.program.views import forbidden, program_context, program_or_404


def _neighbour(month: date, step: int) -> date | None:
    """The first day of the month `step` months away, within the years the form accepts."""
    index = month.year * 12 + month.month - 1 + step
    year, month_number = divmod(index, 12)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    return date(year, month_number + 1, 1)


def _first_weekday() -> int:
    """The locale's first day of the week, as Python's calendar counts (0 = Monday); Django's
    FIRST_DAY_OF_WEEK counts from Sunday."""
    return (int(get_format("FIRST_DAY_OF_WEEK")) - 1) % 7


@login_required
@require_GET
def program_calendar_page(request: HttpRequest, slug: str) -> HttpResponse:
    program = program_or_404(slug)
    if not can_view_program(request.user, program):
        return forbidden(request, program, _("Sign in to see the program's calendar."))
    form = CalendarFilterForm(request.GET or None, program=program)
    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    context: dict[str, Any] = {**program_context(request, program, "calendar"), "form": form}
    if form.is_bound and not form.is_valid():
        return render(request, "communities/program/calendar.html", context, status=400)
    data = form.cleaned_data if form.is_bound else {}
    month = data.get("month") or today.replace(day=1)
    view = data.get("view") or "month"
    starts, ends = month_window(month.year, month.month, zone)
    calendar = program_calendar(program, starts=starts, ends=ends, community=data.get("community"))
    context.update(
        calendar=calendar,
        month=month,
        view=view,
        this_month=today.replace(day=1),
        previous_month=_neighbour(month, -1),
        next_month=_neighbour(month, 1),
        community_slug=calendar.community.slug if calendar.community else "",
    )
    if view == "list":
        page_obj = Paginator(calendar.entries, settings.PRACTICA_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        days: dict[date, list[ProgramEntry]] = {}
        for item in page_obj.object_list:
            days.setdefault(timezone.localtime(item.entry.starts_at, zone).date(), []).append(item)
        context.update(page_obj=page_obj, list_days=list(days.items()))
    else:
        weeks = month_weeks(
            calendar,
            year=month.year,
            month=month.month,
            zone=zone,
            first_weekday=_first_weekday(),
            today=today,
        )
        context.update(weeks=weeks, weekdays=[day.day for day in weeks[0]])
    return render(request, "communities/program/calendar.html", context)


@login_required
@require_GET
def program_calendar_feed(request: HttpRequest, slug: str) -> HttpResponse:
    """The program's entries from FEED_DAYS_BEFORE days ago to `days` ahead (180 by default),
    of one community when `community` is given, as an .ics file."""
    program = program_or_404(slug)
    if not can_view_program(request.user, program):
        return forbidden(request, program, _("Sign in to see the program's calendar."))
    form = FeedFilterForm(request.GET or None, program=program)
    if form.is_bound and not form.is_valid():
        message = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    data = form.cleaned_data if form.is_bound else {}
    now = timezone.now()
    calendar = program_calendar(
        program,
        starts=now - timedelta(days=FEED_DAYS_BEFORE),
        ends=now + timedelta(days=data.get("days") or FEED_DAYS_AHEAD),
        community=data.get("community"),
    )
    response = HttpResponse(program_calendar_ics(calendar), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="{program.slug}.ics"'
    return response
