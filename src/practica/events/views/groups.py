"""A grassroots group's calendar: its upcoming and past meetings, the feed to subscribe to,
and (for its owners and the community's organizers) the way to schedule the next one."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from practica.communities.group_permissions import can_view_group
from practica.communities.models import Community, Group
from practica.events.permissions import can_schedule_for_group
from practica.events.queries.group_meetings import group_meetings
from practica.events.services.calendar_feeds import live_calendar_token

PAST_PER_PAGE = 20


@login_required
@require_GET
def group_calendar(request: HttpRequest, community: str, group: str) -> HttpResponse:
    found_community = get_object_or_404(Community.objects.select_related("program"), slug=community)
    found = get_object_or_404(Group, community=found_community, slug=group)
    found.community = found_community
    if not can_view_group(request.user, found):
        reason = _("%(name)s is closed: its groups are for its members.") % {
            "name": found_community.name
        }
        context = {"community": found_community, "reason": reason}
        return render(request, "events/event_forbidden.html", context, status=403)
    meetings = group_meetings(found, request.user)
    token = live_calendar_token(request.user)
    feed_url = ""
    if token is not None:
        feed_url = request.build_absolute_uri(
            reverse(
                "events:feed_group",
                kwargs={"secret": token.secret, "community": community, "group": found.slug},
            )
        )
    context = {
        "community": found_community,
        "group": found,
        "upcoming": meetings.upcoming,
        "past_page": Paginator(meetings.past, PAST_PER_PAGE).get_page(request.GET.get("page")),
        "held_last_year": meetings.held_last_year,
        "can_schedule": can_schedule_for_group(request.user, found),
        "feed_url": feed_url,
        "webcal_url": "webcal://" + feed_url.split("://", 1)[1] if feed_url else "",
    }
    return render(request, "events/group_calendar.html", context)
