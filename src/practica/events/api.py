"""Events over HTTP: the list members filter, one event's page, and scheduling for organizers
(create, edit, publish, cancel, hosts and speakers, seats per mode, the cadence target).

Every check is a predicate of `events.permissions`, every write a service of
`events.services`, exactly as on the web pages. Registrations, attendance, AMA questions and
calendar feeds are in the `api_*` modules, included here.
"""

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from practica.api.fields import Id, Slug
from practica.api.pagination import Page
from practica.communities.models import Community, Group
from practica.core.markdown import render_markdown
from practica.core.models import Topic
from practica.events.api_access import ERRORS, managed_event, visible_event
from practica.events.api_ama import router as ama_router
from practica.events.api_attendance import router as attendance_router
from practica.events.api_calendar import router as calendar_router
from practica.events.api_content import router as content_router
from practica.events.api_groups import router as groups_router
from practica.events.api_registrations import router as registrations_router
from practica.events.models import (
    Event,
    EventHost,
    EventSeries,
    Registration,
    SeatMode,
)
from practica.events.permissions import (
    can_create_event,
    can_manage_event,
    can_register,
    can_see_online_link,
)
from practica.events.queries.events import find_events, registration_of, seat_summary
from practica.events.queries.group_meetings import may_organize_meetings
from practica.events.queries.planning import cadence_target
from practica.events.schemas import (
    CadenceIn,
    CadenceOut,
    CancelIn,
    CapacityIn,
    EventCreateIn,
    EventDetailOut,
    EventFilters,
    EventOut,
    EventUpdateIn,
    HostIn,
    HostOut,
    HostsIn,
    SeatOut,
)
from practica.events.services import events as scheduling
from practica.events.services.events import HostSpec
from practica.events.services.registration import change_capacity
from practica.people.models import User

router = Router(tags=["events"])
router.add_router("", registrations_router)
router.add_router("", attendance_router)
router.add_router("", ama_router)
router.add_router("", content_router)
router.add_router("", calendar_router)
router.add_router("", groups_router)


# --- Lookups -------------------------------------------------------------------------------


def _with_relations(events: QuerySet[Event]) -> QuerySet[Event]:
    return events.select_related("community", "series", "group").prefetch_related(
        Prefetch("topics", queryset=Topic.objects.order_by("name")),
        Prefetch("co_hosts", queryset=Community.objects.order_by("name")),
    )


def _by_slugs(model: Any, slugs: Sequence[str], field: str, message: str) -> list[Any]:
    """The rows with these slugs, in order; any unknown slug is a 422 on `field`."""
    slugs = list(dict.fromkeys(slugs))
    found = {row.slug: row for row in model.objects.filter(slug__in=slugs)}
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        raise ValidationError({field: message % {"slugs": ", ".join(missing)}})
    return [found[slug] for slug in slugs]


def _topics(slugs: Sequence[str]) -> list[Topic]:
    return _by_slugs(Topic, slugs, "topics", _("Unknown topics: %(slugs)s"))


def _co_hosts(slugs: Sequence[str]) -> list[Community]:
    return _by_slugs(Community, slugs, "co_hosts", _("Unknown communities: %(slugs)s"))


def _series(series_id: int | None) -> EventSeries | None:
    if series_id is None:
        return None
    series = EventSeries.objects.filter(pk=series_id).first()
    if series is None:
        raise ValidationError({"series_id": _("There is no such series.")})
    return series


def _group(community: Community, slug: str | None) -> Group | None:
    """The community's group with this slug; unknown is a 422 on `group`."""
    if slug is None:
        return None
    group = Group.objects.filter(community=community, slug=slug).first()
    if group is None:
        raise ValidationError({"group": _("%(name)s has no such group.") % {"name": community}})
    return group


def _host_specs(hosts: Sequence[HostIn]) -> list[HostSpec]:
    """Hosts as the service takes them; unknown members and nameless guests are a 422."""
    ids = {host.person_id for host in hosts if host.person_id is not None}
    people = {person.pk: person for person in User.objects.filter(pk__in=ids, is_active=True)}
    specs = []
    for host in hosts:
        if host.person_id is not None and host.person_id not in people:
            raise ValidationError({"hosts": _("There is no member with id %s.") % host.person_id})
        if host.person_id is None and not host.guest_name.strip():
            raise ValidationError({"hosts": _("Each speaker is a member or a named guest.")})
        specs.append(
            HostSpec(
                person=people.get(host.person_id) if host.person_id is not None else None,
                guest_name=host.guest_name,
                guest_affiliation=host.guest_affiliation,
                role=host.role,
            )
        )
    return specs


def _event_detail(request: HttpRequest, event_id: int) -> Event:
    """The event (re-read) with its hosts, seats, the caller's registration and abilities."""
    user = request.auth
    event = visible_event(request, event_id, _with_relations(Event.objects.all()))
    event.host_list = list(EventHost.objects.filter(event_id=event.pk).select_related("person"))
    event.seat_list = seat_summary(event)
    registration = registration_of(event, user)
    manages = can_manage_event(user, event)
    event.my_registration = registration
    event.my_status = registration.status if registration else None
    event.can_manage = manages
    event.can_register = can_register(user, event)
    event.description_html = render_markdown(event.description)
    shown_url = event.online_url if can_see_online_link(user, event, registration) else None
    event.shown_online_url = shown_url or None
    event.shown_check_in_code = event.check_in_code if manages else None
    return event


# --- The list and one event ----------------------------------------------------------------


@router.get("/events", response={200: list[EventOut], **ERRORS})
@paginate(Page)
def list_events(request: HttpRequest, filters: Query[EventFilters]) -> QuerySet[Event]:
    """Events the caller may see: upcoming ones soonest first by default. Filter by community
    (hosting or co-hosting), format, mode, topic (sub-topics included), status, words in the
    title, or the caller's own registrations. Unknown community or topic slugs are a 422."""
    user = request.auth
    community = topic = None
    if filters.community:
        [community] = _by_slugs(
            Community, [filters.community], "community", _("There is no community “%(slugs)s”.")
        )
    if filters.topic:
        [topic] = _by_slugs(Topic, [filters.topic], "topic", _("There is no topic “%(slugs)s”."))
    events = find_events(
        viewer=user,
        community=community,
        topic=topic,
        event_format=filters.format or "",
        mode=filters.mode or "",
        status=filters.status or "",
        text=filters.q,
        registered_only=bool(filters.registered),
        when=filters.when or "",
    )
    own = Registration.objects.filter(event_id=OuterRef("pk"), person_id=user.pk)
    return (
        events.select_related("community", "series", "group")
        .prefetch_related(
            Prefetch("topics", queryset=Topic.objects.order_by("name")),
            Prefetch("co_hosts", queryset=Community.objects.order_by("name")),
        )
        .annotate(my_status=Subquery(own.values("status")[:1]))
    )


@router.get("/events/{event_id}", response={200: EventDetailOut, **ERRORS})
def get_event(request: HttpRequest, event_id: Id) -> Event:
    """One event with its hosts and speakers, seats per mode, the caller's registration and
    what the caller may do. The online link shows to registrants and organizers only."""
    return _event_detail(request, event_id)


# --- Scheduling ----------------------------------------------------------------------------


@router.post("/communities/{slug}/events", response={201: EventDetailOut, **ERRORS})
def create_event(request: HttpRequest, slug: Slug, payload: EventCreateIn) -> Status:
    """Schedule an event of the community: a draft (seen by its organizers only) unless
    `publish`. The community's organizers, leaders and managers only (403); a meeting of one
    of its groups (`group`) also the group's owners. Clashes are not refused: check them first
    with `check_event_clashes`."""
    user = request.auth
    community = get_object_or_404(Community, slug=slug)
    group = _group(community, payload.group)
    if not (may_organize_meetings(user, group) if group else can_create_event(user, community)):
        raise PermissionDenied(_("Only the community's organizers can schedule events."))
    topics = _topics(payload.topics)
    co_hosts = _co_hosts(payload.co_hosts)
    series = _series(payload.series_id)
    event = scheduling.create_event(
        community=community,
        actor=user,
        title=payload.title,
        description=payload.description,
        format=payload.format,
        mode=payload.mode,
        topics=topics,
        co_hosts=co_hosts,
        series=series,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        time_zone=payload.time_zone,
        venue_room=payload.venue_room,
        venue_building=payload.venue_building,
        venue_city=payload.venue_city,
        online_url=payload.online_url,
        capacities={str(mode): value for mode, value in payload.capacities.items()},
        waitlist_limits={str(mode): value for mode, value in payload.waitlist_limits.items()},
        registration_opens_at=payload.registration_opens_at,
        registration_closes_at=payload.registration_closes_at,
        anonymous_questions=payload.anonymous_questions,
        offer_minutes=payload.offer_minutes,
        hosts=_host_specs(payload.hosts),
        publish=payload.publish,
        group=group,
    )
    return Status(201, _event_detail(request, event.pk))


@router.patch("/events/{event_id}", response={200: EventDetailOut, **ERRORS})
def update_event(request: HttpRequest, event_id: Id, payload: EventUpdateIn) -> Event:
    """Change an event: only the fields sent. A new time, zone, mode or place raises the
    calendar SEQUENCE and mails everyone registered. A capacity below the seats taken, an end
    before the start or an unknown time zone is a 422. Organizers only."""
    event = managed_event(request, event_id)
    changes: dict[str, Any] = payload.model_dump(exclude_unset=True)
    if "topics" in changes:
        changes["topics"] = _topics(changes["topics"])
    if "co_hosts" in changes:
        changes["co_hosts"] = _co_hosts(changes["co_hosts"])
    if "series_id" in changes:
        changes["series"] = _series(changes.pop("series_id"))
    if "group" in changes:
        changes["group"] = _group(event.community, changes["group"])
    for name in ("capacities", "waitlist_limits"):
        if name in changes:
            changes[name] = {str(mode): value for mode, value in changes[name].items()}
    scheduling.update_event(event=event, actor=request.auth, **changes)
    return _event_detail(request, event_id)


@router.post("/events/{event_id}/publish", response={200: EventDetailOut, **ERRORS})
def publish_event(request: HttpRequest, event_id: Id) -> Event:
    """Publish a draft: members see it and may register (within its window). Publishing a
    published event changes nothing; a cancelled or past one is a 422. Organizers only."""
    event = managed_event(request, event_id)
    scheduling.publish_event(event=event, actor=request.auth)
    return _event_detail(request, event_id)


@router.post("/events/{event_id}/cancel", response={200: EventDetailOut, **ERRORS})
def cancel_event(request: HttpRequest, event_id: Id, payload: CancelIn | None = None) -> Event:
    """Cancel the event, with a reason told to everyone registered or waiting (by mail, with
    a calendar cancellation). Registrations are kept as they were. Organizers only."""
    event = managed_event(request, event_id)
    scheduling.cancel_event(
        event=event, actor=request.auth, reason=payload.reason if payload else ""
    )
    return _event_detail(request, event_id)


@router.put("/events/{event_id}/hosts", response={200: list[HostOut], **ERRORS})
def set_event_hosts(request: HttpRequest, event_id: Id, payload: HostsIn) -> list[EventHost]:
    """Replace the hosts, speakers and moderators, in order: members by `person_id`, guests
    by `guest_name`. Organizers only."""
    event = managed_event(request, event_id)
    scheduling.set_event_hosts(event=event, actor=request.auth, hosts=_host_specs(payload.hosts))
    return list(EventHost.objects.filter(event_id=event.pk).select_related("person"))


# --- Seats ---------------------------------------------------------------------------------


@router.get("/events/{event_id}/seats", response={200: list[SeatOut], **ERRORS})
def list_event_seats(request: HttpRequest, event_id: Id) -> list[Any]:
    """Seats per mode: capacity, taken, available and the waiting list's length."""
    return seat_summary(visible_event(request, event_id))


@router.put("/events/{event_id}/seats/{mode}", response={200: SeatOut, **ERRORS})
def change_event_seats(
    request: HttpRequest, event_id: Id, mode: SeatMode, payload: CapacityIn
) -> Any:
    """Set a mode's capacity (null: unlimited) and, if sent, its waiting-list limit. Below
    the seats taken is a 422; more seats go to the waiting list at once. Organizers only."""
    event = managed_event(request, event_id)
    if mode not in event.seat_modes:
        raise ValidationError({"mode": _("This event has no seats of that kind.")})
    extra = {}
    if "waitlist_limit" in payload.model_fields_set:
        extra["waitlist_limit"] = payload.waitlist_limit
    change_capacity(event=event, actor=request.auth, mode=mode, capacity=payload.capacity, **extra)
    return next(seats for seats in seat_summary(event) if seats.mode == mode)


# --- Cadence -------------------------------------------------------------------------------


def _cadence(community: Community) -> dict[str, Any]:
    minimum, maximum, is_set = cadence_target(community)
    return {"minimum": minimum, "maximum": maximum, "is_set": is_set}


@router.get(
    "/communities/{slug}/event-cadence", response={200: CadenceOut, **ERRORS}, tags=["planning"]
)
def get_cadence_target(request: HttpRequest, slug: Slug) -> dict[str, Any]:
    """How many events a year the community aims for (50–60 unless it set its own)."""
    return _cadence(get_object_or_404(Community, slug=slug))


@router.put(
    "/communities/{slug}/event-cadence", response={200: CadenceOut, **ERRORS}, tags=["planning"]
)
def set_cadence_target(request: HttpRequest, slug: Slug, payload: CadenceIn) -> dict[str, Any]:
    """Set the community's target of events a year. Its managers only (403)."""
    community = get_object_or_404(Community, slug=slug)
    scheduling.set_cadence_target(
        community=community, actor=request.auth, minimum=payload.minimum, maximum=payload.maximum
    )
    return _cadence(community)
