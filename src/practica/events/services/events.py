"""Scheduling events: create, edit, publish, cancel; hosts and speakers; cadence targets;
who owns an event series.

Each function is one transaction. Edits lock the event row (`select_for_update`) so that two
organizers saving at once cannot both read the same `sequence` and hand calendar clients two
different versions under one number. Seats per mode are `EventSeats` rows, created here and
changed through `registration.change_capacity` (which takes the seat lock).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.communities.models import Community, Group
from practica.communities.permissions import can_manage_community
from practica.core.models import Topic
from practica.core.services import record_audit
from practica.events import mails
from practica.events.models import (
    CadenceTarget,
    Event,
    EventFormat,
    EventHost,
    EventMode,
    EventSeats,
    EventSeries,
    EventStatus,
    SpeakerRole,
)
from practica.events.permissions import can_create_event, can_manage_event
from practica.events.queries.events import registrations_to_tell
from practica.events.services.group_events import check_event_group, check_event_leaves_group
from practica.events.services.registration import change_capacity

MAX_TITLE = Event._meta.get_field("title").max_length or 200
MAX_DESCRIPTION = Event._meta.get_field("description").max_length or 20000
MAX_CAPACITY = 1_000_000
# Changes calendar clients must see: they raise the iCalendar SEQUENCE and are mailed.
SCHEDULE_FIELDS = frozenset(
    {"starts_at", "ends_at", "time_zone", "mode", "venue_room", "venue_building", "venue_city"}
)
EDITABLE_FIELDS = SCHEDULE_FIELDS | {
    "title",
    "description",
    "format",
    "online_url",
    "registration_opens_at",
    "registration_closes_at",
    "anonymous_questions",
    "offer_minutes",
    "series",
}
RELATION_FIELDS = frozenset(
    {"topics", "co_hosts", "capacities", "waitlist_limits", "hosts", "group"}
)


@cache
def _known_time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def validate_time_zone(name: str) -> str:
    """The IANA zone name, or a `ValidationError` naming the field."""
    name = (name or "").strip()
    if name not in _known_time_zones():
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(
                {
                    "time_zone": _("“%(zone)s” is not a time zone (e.g. Europe/Berlin).")
                    % {"zone": name}
                }
            ) from None
    return name


def _clean_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Validate the scalar fields of an event as they will be saved; raise a field dict."""
    errors: dict[str, str] = {}
    title = " ".join(str(values.get("title", "")).split())
    if not title:
        errors["title"] = _("An event needs a title.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("Keep the title under %(max)s characters.") % {"max": MAX_TITLE}
    values["title"] = title
    if len(values.get("description", "")) > MAX_DESCRIPTION:
        errors["description"] = _("The description is too long.")
    if values.get("format") not in EventFormat.values:
        errors["format"] = _("Choose a format from the list.")
    if values.get("mode") not in EventMode.values:
        errors["mode"] = _("Choose in person, online or hybrid.")
    starts_at, ends_at = values.get("starts_at"), values.get("ends_at")
    if not isinstance(starts_at, datetime) or not isinstance(ends_at, datetime):
        errors["starts_at"] = _("Give the start and end times.")
    elif timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        errors["starts_at"] = _("Start and end times need a time zone.")
    elif ends_at <= starts_at:
        errors["ends_at"] = _("The event must end after it starts.")
    try:
        values["time_zone"] = validate_time_zone(values.get("time_zone", ""))
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    opens, closes = values.get("registration_opens_at"), values.get("registration_closes_at")
    if opens and closes and closes <= opens:
        errors["registration_closes_at"] = _("Registration must close after it opens.")
    if opens and isinstance(ends_at, datetime) and opens >= ends_at:
        errors["registration_opens_at"] = _("Registration must open before the event ends.")
    offer_minutes = values.get("offer_minutes", 1440)
    if not isinstance(offer_minutes, int) or not 5 <= offer_minutes <= 60 * 24 * 14:
        errors["offer_minutes"] = _("Give between 5 minutes and 14 days to confirm a seat.")
    if values.get("mode") in (EventMode.IN_PERSON, EventMode.HYBRID) and not (
        values.get("venue_city") or values.get("venue_building") or values.get("venue_room")
    ):
        errors["venue_city"] = _("Say where the event takes place.")
    if errors:
        raise ValidationError(errors)
    return values


def _clean_capacities(
    capacities: Mapping[str, int | None] | None, modes: Sequence[str], field: str
) -> dict[str, int | None]:
    cleaned: dict[str, int | None] = {}
    for mode, value in (capacities or {}).items():
        if mode not in modes:
            continue  # a capacity for a mode the event does not have is ignored
        if value is not None and (not isinstance(value, int) or not 0 <= value <= MAX_CAPACITY):
            raise ValidationError({field: _("A capacity is a whole number from 0 up.")})
        cleaned[mode] = value
    return cleaned


def _check_communities(community: Community, co_hosts: Iterable[Community]) -> list[Community]:
    return [other for other in dict.fromkeys(co_hosts) if other.pk != community.pk]


def create_event(
    *,
    community: Community,
    actor: Any,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    time_zone: str,
    format: str = EventFormat.TALK,
    mode: str = EventMode.ONLINE,
    description: str = "",
    topics: Iterable[Topic] = (),
    co_hosts: Iterable[Community] = (),
    series: Any = None,
    venue_room: str = "",
    venue_building: str = "",
    venue_city: str = "",
    online_url: str = "",
    capacities: Mapping[str, int | None] | None = None,
    waitlist_limits: Mapping[str, int | None] | None = None,
    registration_opens_at: datetime | None = None,
    registration_closes_at: datetime | None = None,
    anonymous_questions: bool = False,
    offer_minutes: int = 1440,
    hosts: Sequence["HostSpec"] = (),
    publish: bool = False,
    group: Group | None = None,
) -> Event:
    """Schedule an event of `community` (a draft unless `publish`), with one seat row per mode.

    Organizers, leaders and managers of the community only; a meeting of `group` (one of the
    community's grassroots groups) may also be scheduled by the group's owners
    (`group_events.check_event_group`). Capacities per seat mode default to unlimited;
    `hosts` are set as by `set_event_hosts`, in the same transaction. Clashes are warnings
    for the screen (`queries.planning.clashing_events`), not errors here.
    """
    if group is not None:
        check_event_group(actor=actor, community=community, group=group)
    elif not can_create_event(actor, community):
        raise PermissionDenied(_("Only the community's organizers can schedule events."))
    values = _clean_fields(
        {
            "title": title,
            "description": description.strip(),
            "format": format,
            "mode": mode,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "time_zone": time_zone,
            "venue_room": venue_room.strip(),
            "venue_building": venue_building.strip(),
            "venue_city": venue_city.strip(),
            "online_url": online_url.strip(),
            "registration_opens_at": registration_opens_at,
            "registration_closes_at": registration_closes_at,
            "anonymous_questions": anonymous_questions,
            "offer_minutes": offer_minutes,
        }
    )
    if series is not None and series.community_id != community.pk:
        raise ValidationError({"series": _("The series belongs to another community.")})
    probe = Event(mode=mode)
    seat_capacities = _clean_capacities(capacities, probe.seat_modes, "capacities")
    limits = _clean_capacities(waitlist_limits, probe.seat_modes, "waitlist_limits")
    with transaction.atomic():
        event = Event.objects.create(
            community=community,
            group=group,
            series=series,
            created_by=actor,
            status=EventStatus.PUBLISHED if publish else EventStatus.DRAFT,
            **values,
        )
        event.topics.set(list(topics))
        event.co_hosts.set(_check_communities(community, co_hosts))
        EventSeats.objects.bulk_create(
            EventSeats(
                event=event,
                mode=seat_mode,
                capacity=seat_capacities.get(seat_mode),
                waitlist_limit=limits.get(seat_mode),
            )
            for seat_mode in event.seat_modes
        )
        if hosts:
            set_event_hosts(event=event, actor=actor, hosts=hosts)
        record_audit(
            actor_id=actor.pk,
            action="events.event_created",
            target=event,
            community_id=community.pk,
            data={"published": publish, **({"group": group.pk} if group else {})},
        )
    return event


def update_event(*, event: Event, actor: Any, **changes: Any) -> Event:
    """Change an event's fields (the names of `create_event`), topics, co-hosts, capacities or
    hosts (as `set_event_hosts`), all in one transaction.

    A change of time, zone, mode or place raises the iCalendar `sequence` and, for a
    published event, mails everyone registered or waiting (with the updated invitation).
    Switching mode adds the seat rows the new mode needs; a mode that people hold seats in
    can't be removed. Capacities go through `change_capacity` (refused below seats taken).
    `group` makes it a meeting of that group (checked as in `create_event`) or, None, no
    group's (a community event: its organizers only, not the group's owners). Organizers
    only. Locks the event row.
    """
    if not can_manage_event(actor, event):
        raise PermissionDenied(_("Only the event's organizers can edit it."))
    unknown = set(changes) - EDITABLE_FIELDS - RELATION_FIELDS
    if unknown:
        raise ValidationError(_("These can't be changed: %(names)s") % {"names": sorted(unknown)})
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(_("A cancelled event can't be edited."))
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        values = {name: getattr(event, name) for name in EDITABLE_FIELDS if name != "series"}
        values.update({k: v for k, v in changes.items() if k in EDITABLE_FIELDS - {"series"}})
        values = _clean_fields(values)
        if "series" in changes:
            series = changes["series"]
            if series is not None and series.community_id != event.community_id:
                raise ValidationError({"series": _("The series belongs to another community.")})
            event.series = series
        if "group" in changes:
            group = changes["group"]
            if group is not None and group.pk != event.group_id:
                check_event_group(actor=actor, community=event.community, group=group)
            if group is None and event.group_id is not None:
                check_event_leaves_group(actor=actor, community=event.community)
            event.group = group
        previous = {
            name: getattr(event, name)
            for name in SCHEDULE_FIELDS
            if values[name] != getattr(event, name)
        }
        moved = bool(previous)
        for name, value in values.items():
            setattr(event, name, value)
        _sync_seat_rows(event)
        if moved:
            event.sequence += 1
            # A moved event deserves fresh reminders at its new time.
            event.day_reminder_sent_at = None
            event.hour_reminder_sent_at = None
        event.save()
        if "topics" in changes:
            event.topics.set(list(changes["topics"]))
        if "co_hosts" in changes:
            event.co_hosts.set(_check_communities(event.community, changes["co_hosts"]))
        if "hosts" in changes:
            set_event_hosts(event=event, actor=actor, hosts=changes["hosts"])
        for mode, capacity in _clean_capacities(
            changes.get("capacities"), event.seat_modes, "capacities"
        ).items():
            change_capacity(event=event, actor=actor, mode=mode, capacity=capacity)
        for mode, limit in _clean_capacities(
            changes.get("waitlist_limits"), event.seat_modes, "waitlist_limits"
        ).items():
            seats = event.seats.get(mode=mode)
            change_capacity(
                event=event, actor=actor, mode=mode, capacity=seats.capacity, waitlist_limit=limit
            )
        record_audit(
            actor_id=actor.pk,
            action="events.event_updated",
            target=event,
            community_id=event.community_id,
            data={"fields": sorted(changes), "sequence": event.sequence},
        )
        if moved and event.status == EventStatus.PUBLISHED:
            mails.mail_event_changed(event, registrations_to_tell(event), previous=previous)
    return event


def _sync_seat_rows(event: Event) -> None:
    """Give the event a seat row for each of its modes; drop unused rows of a dropped mode."""
    rows = {seats.mode: seats for seats in EventSeats.objects.filter(event_id=event.pk)}
    for mode, seats in rows.items():
        if mode in event.seat_modes:
            continue
        if seats.taken or seats.waitlisted:
            raise ValidationError(
                {"mode": _("People are registered for the seats this change would remove.")}
            )
        seats.delete()
    EventSeats.objects.bulk_create(
        EventSeats(event=event, mode=mode) for mode in event.seat_modes if mode not in rows
    )


def publish_event(*, event: Event, actor: Any) -> Event:
    """Make a draft visible to members and open to registration (within its window)."""
    if not can_manage_event(actor, event):
        raise PermissionDenied(_("Only the event's organizers can publish it."))
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if event.status == EventStatus.CANCELLED:
            raise ValidationError(_("A cancelled event can't be published again."))
        if event.status == EventStatus.PUBLISHED:
            return event
        if event.ends_at <= timezone.now():
            raise ValidationError(_("This event is already over; it can't be published."))
        event.status = EventStatus.PUBLISHED
        event.save(update_fields=["status", "updated_at"])
        record_audit(
            actor_id=actor.pk,
            action="events.event_published",
            target=event,
            community_id=event.community_id,
        )
    return event


def cancel_event(*, event: Event, actor: Any, reason: str = "") -> Event:
    """Cancel an event: calendars get STATUS:CANCELLED (sequence up) and everyone registered,
    offered a seat or waiting gets a cancellation mail. Registrations are kept as they were, for
    the record. Idempotent on a cancelled event. Organizers only. Locks the event row."""
    if not can_manage_event(actor, event):
        raise PermissionDenied(_("Only the event's organizers can cancel it."))
    reason = " ".join(reason.split())
    if len(reason) > 500:
        raise ValidationError({"reason": _("Keep the reason under 500 characters.")})
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if event.status == EventStatus.CANCELLED:
            return event
        was_published = event.status == EventStatus.PUBLISHED
        event.status = EventStatus.CANCELLED
        event.cancellation_reason = reason
        event.sequence += 1
        event.save(update_fields=["status", "cancellation_reason", "sequence", "updated_at"])
        record_audit(
            actor_id=actor.pk,
            action="events.event_cancelled",
            target=event,
            community_id=event.community_id,
            data={"reason": reason},
        )
        if was_published:
            mails.mail_event_cancelled(event, registrations_to_tell(event))
    return event


@dataclass(frozen=True)
class HostSpec:
    """A host or speaker to set: a member, or a guest by name."""

    person: Any = None
    guest_name: str = ""
    guest_affiliation: str = ""
    role: str = SpeakerRole.SPEAKER


def set_event_hosts(*, event: Event, actor: Any, hosts: Sequence[HostSpec]) -> list[EventHost]:
    """Replace the event's hosts and speakers, in the given order. Organizers only."""
    if not can_manage_event(actor, event):
        raise PermissionDenied(_("Only the event's organizers can change its speakers."))
    rows: list[EventHost] = []
    seen: set[int] = set()
    for position, spec in enumerate(hosts):
        guest_name = " ".join(spec.guest_name.split())[:160]
        if spec.role not in SpeakerRole.values:
            raise ValidationError({"hosts": _("Choose host, speaker or moderator.")})
        if spec.person is None and not guest_name:
            raise ValidationError({"hosts": _("Each speaker is a member or a named guest.")})
        if spec.person is not None:
            if spec.person.pk in seen:
                continue
            seen.add(spec.person.pk)
        rows.append(
            EventHost(
                event=event,
                person=spec.person,
                guest_name="" if spec.person is not None else guest_name,
                guest_affiliation=spec.guest_affiliation.strip()[:160],
                role=spec.role,
                position=position,
            )
        )
    with transaction.atomic():
        EventHost.objects.filter(event_id=event.pk).delete()
        created = EventHost.objects.bulk_create(rows)
        record_audit(
            actor_id=actor.pk,
            action="events.hosts_set",
            target=event,
            community_id=event.community_id,
            data={"count": len(created)},
        )
    event.__dict__.pop("_prefetched_objects_cache", None)
    actor.__dict__.pop("_hosted_events", None)
    return created


def set_cadence_target(
    *, community: Community, actor: Any, minimum: int, maximum: int
) -> CadenceTarget:
    """Set how many events a year the community aims for. Its managers only."""
    if not can_manage_community(actor, community):
        raise PermissionDenied(_("Only the community's managers can set its target."))
    if not isinstance(minimum, int) or not isinstance(maximum, int) or minimum < 0:
        raise ValidationError({"minimum": _("Give whole numbers of events a year.")})
    if maximum < minimum or maximum > 1000:
        raise ValidationError(
            {"maximum": _("The most must be at least the least, and at most 1000.")}
        )
    with transaction.atomic():
        target, _created = CadenceTarget.objects.update_or_create(
            community=community,
            defaults={"events_per_year_min": minimum, "events_per_year_max": maximum},
        )
        record_audit(
            actor_id=actor.pk,
            action="events.cadence_target_set",
            target=target,
            community_id=community.pk,
            data={"minimum": minimum, "maximum": maximum},
        )
    return target


def set_series_owner(*, series: EventSeries, owner: Any, actor: Any) -> EventSeries:
    """Make `owner` (an active colleague) the one who runs the series, e.g. when its owner
    leaves the company. The community's managers only; locks the series row."""
    if not can_manage_community(actor, series.community):
        raise PermissionDenied(_("Only the community's managers can change who runs a series."))
    if owner is None or not owner.is_active or owner.is_placeholder or owner.is_system:
        raise ValidationError({"owner": _("Choose an active colleague to run the series.")})
    with transaction.atomic():
        locked = EventSeries.objects.select_for_update().get(pk=series.pk)
        previous = locked.owner_id
        if previous == owner.pk:
            return locked
        locked.owner = owner
        locked.save(update_fields=["owner", "updated_at"])
        record_audit(
            actor_id=actor.pk,
            action="events.series_owner_set",
            target=locked,
            community_id=locked.community_id,
            data={"from": previous, "to": owner.pk},
        )
    return locked
