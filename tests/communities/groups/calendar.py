"""A fake calendar source for the group tests: it serves the entries a test gives it."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from practica.communities.calendar_sources import CalendarEntry


@dataclass
class FakeMeetings:
    """A calendar source serving the entries the test gives it (hosted by their community)."""

    key: str = "fake-meetings"
    given: list[CalendarEntry] = field(default_factory=list)

    def entries(self, *, community_ids, starts, ends):
        wanted = set(community_ids)
        return [
            entry
            for entry in self.given
            if entry.community_id in wanted and entry.starts_at < ends and entry.ends_at > starts
        ]

    def add(self, *, group, title, starts_in, hours=1, community_id=None, **extra):
        starts = timezone.now() + starts_in
        entry = CalendarEntry(
            source=self.key,
            object_id=len(self.given) + 1,
            title=title,
            starts_at=starts,
            ends_at=starts + timedelta(hours=hours),
            community_id=community_id or group.community_id,
            group_id=group.pk if group else None,
            **extra,
        )
        self.given.append(entry)
        return entry
