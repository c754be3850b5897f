"""A grassroots group's meetings and the clash check over HTTP (part of the events router).

Scheduling a group's meeting is `POST /communities/{slug}/events` with `group` (in
`events.api`); its list is here, with the clash check organizers run before scheduling (the
same check the scheduling form shows as a warning).
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate

from practica.api.fields import Slug
from practica.api.pagination import Page
from practica.communities.group_permissions import can_view_group
from practica.communities.models import Community, Group
from practica.events.api_access import ERRORS
from practica.events.models import Event
from practica.events.permissions import can_manage_event, can_schedule_in
from practica.events.queries.group_meetings import group_events
from practica.events.queries.planning import Clash, clashes_for
from practica.events.schemas import EventOut
from practica.events.schemas_groups import ClashFilters, ClashOut, GroupEventFilters

router = Router(tags=["events"])
MAX_CLASH_WINDOW_DAYS = 31


@router.get("/communities/{slug}/groups/{group}/events", response={200: list[EventOut], **ERRORS})
@paginate(Page)
def list_group_events(
    request: HttpRequest, slug: Slug, group: Slug, filters: Query[GroupEventFilters]
) -> QuerySet[Event]:
    """A grassroots group's meetings: upcoming ones soonest first by default, `past` latest
    first. Drafts only for those who organize them (the group's owners, the community's
    organizers). A closed community's groups are for its members (403)."""
    community = get_object_or_404(Community, slug=slug)
    found = get_object_or_404(Group, community=community, slug=group)
    found.community = community
    if not can_view_group(request.auth, found):
        raise PermissionDenied(_("%(name)s's groups are for its members.") % {"name": community})
    events = group_events(found, request.auth).prefetch_related("co_hosts")
    now = timezone.now()
    if filters.when == "upcoming":
        return events.filter(ends_at__gte=now).order_by("starts_at", "pk")
    if filters.when == "past":
        return events.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
    return events.order_by("starts_at", "pk")


def _clash_out(clash: Clash) -> dict[str, Any]:
    event = {
        "id": clash.event.pk,
        "title": clash.shown_title,
        "starts_at": clash.event.starts_at,
        "ends_at": clash.event.ends_at,
        "status": clash.event.status,
        "community": clash.event.community,
    }
    return {"event": event, "reason": clash.reason, "reason_label": clash.reason_label}


@router.get(
    "/communities/{slug}/event-clashes",
    response={200: list[ClashOut], **ERRORS},
    tags=["planning"],
)
def check_event_clashes(
    request: HttpRequest, slug: Slug, filters: Query[ClashFilters]
) -> list[dict[str, Any]]:
    """Events with the same audience overlapping the planned times: the community's own,
    its co-hosts', and its sister communities' in the same program (unless co-hosted
    together). For those who may schedule in the community (organizers, its groups' owners)
    or organize `event_id`; an end before the start, or a window over 31 days, is a 422."""
    user = request.auth
    community = get_object_or_404(Community.objects.select_related("program"), slug=slug)
    event = None
    if filters.event_id is not None:
        event = Event.objects.filter(pk=filters.event_id, community=community).first()
        if event is None:
            raise Http404
    if not (can_manage_event(user, event) if event else can_schedule_in(user, community)):
        raise PermissionDenied(_("Only the community's organizers can check its schedule."))
    if filters.ends_at <= filters.starts_at:
        raise ValidationError({"ends_at": _("The end must be after the start.")})
    if (filters.ends_at - filters.starts_at).days >= MAX_CLASH_WINDOW_DAYS:
        raise ValidationError({"ends_at": _("Check at most 31 days at a time.")})
    co_hosts = list(Community.objects.filter(slug__in=filters.co_hosts).exclude(pk=community.pk))
    unknown = set(filters.co_hosts) - {host.slug for host in co_hosts} - {community.slug}
    if unknown:
        message = _("Unknown communities: %(slugs)s") % {"slugs": ", ".join(sorted(unknown))}
        raise ValidationError({"co_hosts": message})
    clashes = clashes_for(
        community,
        filters.starts_at,
        filters.ends_at,
        exclude=event,
        co_hosts=co_hosts,
        viewer=user,
    )
    return [_clash_out(clash) for clash in clashes]
