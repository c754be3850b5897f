"""One calendar for all the communities of a program, with clash detection across them.

Entries come from every registered `CalendarSource` (`communities.calendar_sources`: events
register theirs; groups' meetings are events with a `group_id`). Communities cannot import the
apps that keep the entries, so this module only reads the registry.

A clash is two entries of different communities overlapping in time where neither community
co-hosts the other's entry: sister communities should not schedule on top of each other. Both
entries are flagged, and the clash is listed once.
"""

from __future__ import annotations

import calendar as stdlib_calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.communities.calendar_sources import CalendarEntry, calendar_sources
from practica.communities.models import Community, Group, Program

# The longest window one request may ask for (the API answers 422 beyond it).
MAX_WINDOW_DAYS = 366
# How many colours tell communities apart on the calendar; more communities reuse them,
# always beside the community's name, so colour is never the only cue.
PALETTE_SIZE = 8
OUTSIDE_COLOUR = -1
# The directory shows each community's next entries within this horizon.
UPCOMING_DAYS = 90
UPCOMING_PER_COMMUNITY = 3


@dataclass(frozen=True)
class CommunityLabel:
    """How a community is shown on the program's calendar and dashboard."""

    id: int
    name: str
    slug: str
    colour: int  # 0..PALETTE_SIZE-1 for the program's communities, OUTSIDE_COLOUR otherwise

    @property
    def in_program(self) -> bool:
        return self.colour != OUTSIDE_COLOUR


@dataclass(frozen=True)
class GroupLabel:
    """The grassroots group an entry is a meeting of."""

    id: int
    name: str
    slug: str
    community_slug: str


@dataclass(eq=False)
class ProgramEntry:
    """A calendar entry with its hosts named, and the entries it clashes with."""

    entry: CalendarEntry
    host: CommunityLabel
    co_hosts: list[CommunityLabel]
    group: GroupLabel | None = None
    clashes_with: list[ProgramEntry] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.entry.source}-{self.entry.object_id}"

    @property
    def is_clash(self) -> bool:
        return bool(self.clashes_with)

    @property
    def is_co_hosted(self) -> bool:
        return bool(self.co_hosts)

    @property
    def hosts(self) -> list[CommunityLabel]:
        return [self.host, *self.co_hosts]

    @property
    def host_names(self) -> str:
        """Every hosting community's name, the host first: "Machine Learning, AI"."""
        return ", ".join(host.name for host in self.hosts)

    def involves(self, community_id: int) -> bool:
        return community_id == self.entry.community_id or community_id in self.entry.co_host_ids


@dataclass(frozen=True)
class Clash:
    """Two entries of different communities on top of each other (the earlier one first)."""

    first: ProgramEntry
    second: ProgramEntry

    @property
    def overlap_starts(self) -> datetime:
        return max(self.first.entry.starts_at, self.second.entry.starts_at)

    @property
    def overlap_ends(self) -> datetime:
        return min(self.first.entry.ends_at, self.second.entry.ends_at)


@dataclass(frozen=True)
class ProgramCalendar:
    """The program's entries in [starts, ends), those of `community` only when it is given;
    `clashes` are the clashes involving a shown entry."""

    program: Program
    starts: datetime
    ends: datetime
    communities: list[CommunityLabel]
    community: CommunityLabel | None
    entries: list[ProgramEntry]
    clashes: list[Clash]


@dataclass(frozen=True)
class CalendarDay:
    day: date
    in_month: bool
    is_today: bool
    entries: list[ProgramEntry]


def validate_window(starts: datetime, ends: datetime) -> None:
    """Refuse an inverted, empty or too long window (ValidationError naming `end`)."""
    if ends <= starts:
        raise ValidationError({"end": _("The end must be after the start.")})
    if ends - starts > timedelta(days=MAX_WINDOW_DAYS):
        raise ValidationError(
            {"end": _("Ask for at most %(days)s days at a time.") % {"days": MAX_WINDOW_DAYS}}
        )


def community_labels(program: Program) -> list[CommunityLabel]:
    """The program's communities by name, each with its colour."""
    communities = Community.objects.filter(program=program).order_by("name", "pk")
    return [
        CommunityLabel(id=pk, name=name, slug=slug, colour=index % PALETTE_SIZE)
        for index, (pk, name, slug) in enumerate(communities.values_list("id", "name", "slug"))
    ]


def collect_entries(
    *, community_ids: Iterable[int], starts: datetime, ends: datetime
) -> list[CalendarEntry]:
    """Every source's entries hosted or co-hosted by the communities, overlapping
    [starts, ends), once each, by start then title."""
    ids = list(community_ids)
    if not ids:
        return []
    found: dict[tuple[str, int], CalendarEntry] = {}
    for source in calendar_sources():
        for entry in source.entries(community_ids=ids, starts=starts, ends=ends):
            if entry.starts_at < ends and entry.ends_at > starts:
                found.setdefault((entry.source, entry.object_id), entry)
    return sorted(found.values(), key=lambda entry: (entry.starts_at, entry.title, entry.object_id))


def entries_clash(first: CalendarEntry, second: CalendarEntry) -> bool:
    """Whether two entries clash: different hosting communities, overlapping in time, and
    neither community co-hosting the other's entry."""
    if first.community_id == second.community_id:
        return False
    if first.community_id in second.co_host_ids or second.community_id in first.co_host_ids:
        return False
    return first.starts_at < second.ends_at and second.starts_at < first.ends_at


def find_clashes(entries: Sequence[CalendarEntry]) -> list[tuple[int, int]]:
    """The index pairs (earlier start first) of the clashing entries, found by one sweep in
    start order: each entry is compared only with those still running when it starts."""
    order = sorted(range(len(entries)), key=lambda index: entries[index].starts_at)
    running: list[int] = []
    pairs: list[tuple[int, int]] = []
    for index in order:
        entry = entries[index]
        running = [other for other in running if entries[other].ends_at > entry.starts_at]
        pairs.extend((other, index) for other in running if entries_clash(entries[other], entry))
        running.append(index)
    return pairs


def _labels_for(
    entries: Sequence[CalendarEntry], known: dict[int, CommunityLabel]
) -> dict[int, CommunityLabel]:
    """`known` plus labels for the communities outside the program that host or co-host."""
    wanted = {entry.community_id for entry in entries}
    wanted.update(pk for entry in entries for pk in entry.co_host_ids)
    missing = wanted - set(known)
    labels = dict(known)
    if missing:
        for pk, name, slug in Community.objects.filter(pk__in=missing).values_list(
            "id", "name", "slug"
        ):
            labels[pk] = CommunityLabel(id=pk, name=name, slug=slug, colour=OUTSIDE_COLOUR)
    return labels


def _group_labels(entries: Sequence[CalendarEntry]) -> dict[int, GroupLabel]:
    """The groups whose meetings are among the entries (one query, none without meetings)."""
    ids = {entry.group_id for entry in entries if entry.group_id is not None}
    if not ids:
        return {}
    return {
        pk: GroupLabel(id=pk, name=name, slug=slug, community_slug=community_slug)
        for pk, name, slug, community_slug in Group.objects.filter(pk__in=ids).values_list(
            "id", "name", "slug", "community__slug"
        )
    }


def _program_entries(
    entries: Sequence[CalendarEntry], labels: dict[int, CommunityLabel]
) -> tuple[list[ProgramEntry], list[tuple[int, int]]]:
    """The entries with their hosts named and their clashes linked, and the clashing pairs."""

    def label(pk: int) -> CommunityLabel:
        # A community deleted since the source read it: still show the entry.
        return labels.get(pk) or CommunityLabel(id=pk, name="—", slug="", colour=OUTSIDE_COLOUR)

    groups = _group_labels(entries)
    program_entries = [
        ProgramEntry(
            entry=entry,
            group=groups.get(entry.group_id) if entry.group_id is not None else None,
            host=label(entry.community_id),
            co_hosts=sorted(
                (label(pk) for pk in entry.co_host_ids if pk != entry.community_id),
                key=lambda co_host: co_host.name,
            ),
        )
        for entry in entries
    ]
    pairs = find_clashes(entries)
    for first, second in pairs:
        program_entries[first].clashes_with.append(program_entries[second])
        program_entries[second].clashes_with.append(program_entries[first])
    return program_entries, pairs


def program_calendar(
    program: Program,
    *,
    starts: datetime,
    ends: datetime,
    community: Community | None = None,
) -> ProgramCalendar:
    """The program's calendar over [starts, ends): every entry of its communities, clashes
    flagged (found among all the program's entries, so a filtered view still shows a clash
    with a community filtered out). Raises ValidationError for a bad window."""
    validate_window(starts, ends)
    labels = community_labels(program)
    by_id = {label.id: label for label in labels}
    entries = collect_entries(community_ids=by_id, starts=starts, ends=ends)
    program_entries, pairs = _program_entries(entries, _labels_for(entries, by_id))
    shown = (
        [item for item in program_entries if item.involves(community.pk)]
        if community is not None
        else program_entries
    )
    shown_ids = {id(item) for item in shown}
    clashes = [
        Clash(first=program_entries[first], second=program_entries[second])
        for first, second in pairs
        if id(program_entries[first]) in shown_ids or id(program_entries[second]) in shown_ids
    ]
    clashes.sort(key=lambda clash: (clash.overlap_starts, clash.first.entry.title))
    return ProgramCalendar(
        program=program,
        starts=starts,
        ends=ends,
        communities=labels,
        community=by_id.get(community.pk) if community is not None else None,
        entries=shown,
        clashes=clashes,
    )


def month_window(year: int, month: int, zone: tzinfo) -> tuple[datetime, datetime]:
    """The month as [first midnight, next month's first midnight) in `zone`, aware."""
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return (
        timezone.make_aware(datetime.combine(first, time.min), zone),
        timezone.make_aware(datetime.combine(following, time.min), zone),
    )


def month_weeks(
    calendar: ProgramCalendar,
    *,
    year: int,
    month: int,
    zone: tzinfo,
    first_weekday: int = 0,
    today: date | None = None,
) -> list[list[CalendarDay]]:
    """The month as weeks of days (starting on `first_weekday`, 0 = Monday), each day with
    the entries overlapping it in `zone`; days of the neighbouring months fill the weeks."""
    weeks = stdlib_calendar.Calendar(firstweekday=first_weekday).monthdatescalendar(year, month)
    today = today or timezone.localdate(timezone=zone)
    spans = [
        (
            item,
            timezone.localtime(item.entry.starts_at, zone).date(),
            # An entry ending at midnight does not reach into the next day.
            (timezone.localtime(item.entry.ends_at, zone) - timedelta(microseconds=1)).date(),
        )
        for item in calendar.entries
    ]
    return [
        [
            CalendarDay(
                day=day,
                in_month=day.month == month,
                is_today=day == today,
                entries=[item for item, first, last in spans if first <= day <= last],
            )
            for day in week
        ]
        for week in weeks
    ]


def upcoming_by_community(
    program: Program,
    *,
    now: datetime,
    days: int = UPCOMING_DAYS,
    per_community: int = UPCOMING_PER_COMMUNITY,
) -> dict[int, list[ProgramEntry]]:
    """Each program community's next entries (hosted or co-hosted, not yet ended) within
    `days`, at most `per_community` each."""
    labels = community_labels(program)
    by_id = {label.id: label for label in labels}
    entries = collect_entries(community_ids=by_id, starts=now, ends=now + timedelta(days=days))
    upcoming: dict[int, list[ProgramEntry]] = {label.id: [] for label in labels}
    program_entries, _pairs = _program_entries(entries, _labels_for(entries, by_id))
    for item in program_entries:
        for host in item.hosts:
            if host.id in upcoming and len(upcoming[host.id]) < per_community:
                upcoming[host.id].append(item)
    return upcoming
