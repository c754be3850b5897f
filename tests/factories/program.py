"""Factories and fakes for the program of communities: a program with its office and
communities, calendar entries and a calendar source that serves them, and target metrics."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import factory

from practica.communities.calendar_sources import CalendarEntry
from practica.communities.models import Program
from practica.communities.target_metrics import TargetMetric
from tests.factories.communities import ProgramFactory


class OfficeProgramFactory(ProgramFactory):
    """A program; `office=[people]` seats them in its office."""

    class Meta:
        model = Program
        skip_postgeneration_save = True

    description = "Sister communities serving members together."

    @factory.post_generation
    def office(self, create, extracted, **kwargs):
        if create and extracted:
            self.office.set(extracted)


_ids = iter(range(1, 10**9))


def make_entry(
    community,
    starts_at: datetime,
    *,
    hours: float = 1,
    title: str = "",
    co_hosts: Iterable = (),
    source: str = "fake",
    object_id: int | None = None,
    group_id: int | None = None,
    url: str = "",
    kind_label: str = "Talk",
    location: str = "",
) -> CalendarEntry:
    """A calendar entry hosted by `community` (a Community or its id), lasting `hours`."""
    number = object_id if object_id is not None else next(_ids)
    return CalendarEntry(
        source=source,
        object_id=number,
        title=title or f"Entry {number}",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        community_id=getattr(community, "pk", community),
        co_host_ids=tuple(getattr(co_host, "pk", co_host) for co_host in co_hosts),
        group_id=group_id,
        url=url,
        kind_label=kind_label,
        location=location,
    )


@dataclass
class FakeCalendarSource:
    """A calendar source over a list of entries, answering like a real one: the entries hosted
    or co-hosted by the communities asked about, overlapping the window. It records the
    communities it was asked about."""

    key: str = "fake"
    items: list[CalendarEntry] = field(default_factory=list)
    asked: list[set[int]] = field(default_factory=list)

    def add(self, *entries: CalendarEntry) -> None:
        self.items.extend(entries)

    def entries(
        self, *, community_ids: Iterable[int], starts: datetime, ends: datetime
    ) -> list[CalendarEntry]:
        ids = set(community_ids)
        self.asked.append(ids)
        return [
            entry
            for entry in self.items
            if (entry.community_id in ids or ids & set(entry.co_host_ids))
            and entry.starts_at < ends
            and entry.ends_at > starts
        ]


def fake_metric(
    key: str,
    values: dict[int, Decimal | None] | Callable[[int, datetime], Decimal | None],
    *,
    unit: str = "count",
    better: str = "higher",
    label: str = "",
) -> TargetMetric:
    """A target metric answering from `values` (community id → value; missing → None) or
    computing with the callable."""
    compute = values if callable(values) else (lambda pk, _as_of: values.get(pk))
    return TargetMetric(
        key=key,
        label=label or key.replace("_", " ").capitalize(),
        description=f"The {key} of the community.",
        unit=unit,  # type: ignore[arg-type]
        better=better,  # type: ignore[arg-type]
        compute=compute,
    )
