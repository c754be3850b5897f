"""What goes on a program's calendar, from whichever app keeps it.

The program calendar (one calendar for all the communities of a program, with clash detection)
lives in communities, which cannot import events. Events register a calendar source here from
their `AppConfig.ready()`, and the calendar reads every source. This module imports no other
app: it is only the registry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class CalendarEntry:
    """One thing on the calendar: an event, a group's meeting, a conference day."""

    source: str  # the source's key, e.g. "event"
    object_id: int
    title: str
    starts_at: datetime  # aware, UTC
    ends_at: datetime
    community_id: int  # the hosting community
    co_host_ids: tuple[int, ...] = ()  # communities co-hosting it: never a clash with them
    group_id: int | None = None
    url: str = ""
    kind_label: str = ""  # e.g. "Webinar", "Reading group"
    location: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@runtime_checkable
class CalendarSource(Protocol):
    key: str

    def entries(
        self, *, community_ids: Iterable[int], starts: datetime, ends: datetime
    ) -> list[CalendarEntry]:
        """Entries hosted or co-hosted by any of `community_ids` overlapping [starts, ends)."""
        ...


_SOURCES: dict[str, CalendarSource] = {}


def register_calendar_source(source: CalendarSource) -> None:
    _SOURCES[source.key] = source


def calendar_sources() -> list[CalendarSource]:
    return list(_SOURCES.values())
