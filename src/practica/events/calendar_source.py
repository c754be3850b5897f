"""Events on the program calendar and the groups' calendars, through the registry of
`communities.calendar_sources` (communities cannot import events; events register this source
from `EventsConfig.ready()`).

An entry is a published event (not a draft, not cancelled) hosted or co-hosted by one of the
communities asked about, overlapping the window; a group's meeting carries its `group_id`.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from practica.communities import calendar_sources
from practica.events.models import Event, EventMode, EventStatus


def _location(event: Event) -> str:
    venue = ", ".join(
        part for part in (event.venue_room, event.venue_building, event.venue_city) if part
    )
    if event.mode == EventMode.ONLINE or not venue:
        return str(_("Online"))
    return venue if event.mode == EventMode.IN_PERSON else f"{venue} · {_('online too')}"


class EventCalendarSource:
    """The `event` calendar source."""

    key = "event"

    def entries(
        self, *, community_ids: Iterable[int], starts: datetime, ends: datetime
    ) -> list[calendar_sources.CalendarEntry]:
        """Published events hosted or co-hosted by any of `community_ids` that overlap
        [starts, ends), soonest first. Two queries whatever the window."""
        ids = list(community_ids)
        if not ids or ends <= starts:
            return []
        matching = Event.objects.filter(
            Q(community_id__in=ids) | Q(co_hosts__in=ids),
            status=EventStatus.PUBLISHED,
            starts_at__lt=ends,
            ends_at__gt=starts,
        ).values("pk")
        events = list(Event.objects.filter(pk__in=matching).order_by("starts_at", "pk"))
        co_hosts: dict[int, list[int]] = defaultdict(list)
        for event_id, community_id in (
            Event.co_hosts.through.objects.filter(event_id__in=[event.pk for event in events])
            .order_by("community_id")
            .values_list("event_id", "community_id")
        ):
            co_hosts[event_id].append(community_id)
        return [
            calendar_sources.CalendarEntry(
                source=self.key,
                object_id=event.pk,
                title=event.title,
                starts_at=event.starts_at,
                ends_at=event.ends_at,
                community_id=event.community_id,
                co_host_ids=tuple(co_hosts[event.pk]),
                group_id=event.group_id,
                url=reverse("events:detail", args=[event.pk]),
                kind_label=str(event.get_format_display()),
                location=_location(event),
                extra={"mode": event.mode, "time_zone": event.time_zone},
            )
            for event in events
        ]


def register_event_calendar_source() -> None:
    calendar_sources.register_calendar_source(EventCalendarSource())
