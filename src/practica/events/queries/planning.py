"""Reads behind a manager's content calendar: the year by month, the count against the cadence
target, the format and topic mix per quarter, the weeks with nothing on; and the clash check
run when an event is scheduled.

An event belongs to the day, week and month of its own wall clock (`Event.time_zone`): a
Tuesday-evening talk in Shanghai is a Tuesday talk, whatever the manager's zone.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.communities.models import Community
from practica.events.models import CadenceTarget, Event, EventFormat, EventStatus
from practica.events.permissions import can_view_event
from practica.events.templatetags.event_times import zone_named

# Shown when a community has not set its own (the model's defaults).
DEFAULT_TARGET = (
    CadenceTarget._meta.get_field("events_per_year_min").default,
    CadenceTarget._meta.get_field("events_per_year_max").default,
)
TOPICS_SHOWN = 12

CLASH_SAME_COMMUNITY = "community"
CLASH_SHARED_HOST = "co_host"
CLASH_SAME_PROGRAM = "program"


# --- Clashes -------------------------------------------------------------------------------


def _pk(value: Event | int) -> int:
    return value if isinstance(value, int) else value.pk


def clashing_events(
    community: Community,
    starts_at: datetime,
    ends_at: datetime,
    exclude: Event | int | None = None,
    *,
    co_hosts: Iterable[Community] = (),
) -> QuerySet[Event]:
    """Events, drafts included, that overlap [starts_at, ends_at) and share an audience with
    an event hosted by `community` (and co-hosted by `co_hosts`): hosted or co-hosted by one
    of those communities, or hosted or co-hosted by a sister community (one of the
    communities of their programs), so sister communities do not schedule on top of each
    other. Cancelled events never clash; `exclude` (the event being edited) is left out."""
    hosts = [community, *co_hosts]
    host_ids = {host.pk for host in hosts}
    program_ids = {host.program_id for host in hosts if host.program_id}
    audience = Q(community_id__in=host_ids) | Q(co_hosts__in=host_ids)
    if program_ids:
        sisters = Community.objects.filter(program_id__in=program_ids).values("pk")
        audience |= Q(community_id__in=sisters) | Q(co_hosts__in=sisters)
    found = (
        Event.objects.exclude(status=EventStatus.CANCELLED)
        .filter(starts_at__lt=ends_at, ends_at__gt=starts_at)
        .filter(audience)
    )
    if exclude is not None:
        found = found.exclude(pk=_pk(exclude))
    ids = found.values("pk")
    return Event.objects.filter(pk__in=ids).select_related("community").order_by("starts_at")


@dataclass(frozen=True)
class Clash:
    event: Event
    reason: str
    # A draft the viewer may not see (another community's): it clashes all the same, but
    # its title is not shown to them.
    title_hidden: bool = False

    @property
    def shown_title(self) -> str:
        if self.title_hidden:
            return _("A draft event of %(community)s") % {"community": self.event.community.name}
        return self.event.title

    @property
    def reason_label(self) -> str:
        return {
            CLASH_SAME_COMMUNITY: _("same community"),
            CLASH_SHARED_HOST: _("a shared host community"),
            CLASH_SAME_PROGRAM: _("same program"),
        }[self.reason]


def clashes_for(
    community: Community,
    starts_at: datetime,
    ends_at: datetime,
    exclude: Event | int | None = None,
    *,
    co_hosts: Iterable[Community] = (),
    viewer: Any = None,
) -> list[Clash]:
    """`clashing_events` with the reason each one clashes: the same community, a host
    community shared with it (co-hosted together), or a sister community in the same program
    that does not co-host it. With a `viewer`, drafts they may not see keep their titles
    hidden (`Clash.shown_title`)."""
    co_hosts = list(co_hosts)
    host_ids = {community.pk, *(host.pk for host in co_hosts)}
    events = clashing_events(community, starts_at, ends_at, exclude, co_hosts=co_hosts)
    clashes = []
    for event in events.prefetch_related("co_hosts"):
        if event.community_id == community.pk:
            reason = CLASH_SAME_COMMUNITY
        elif event.community_id in host_ids or host_ids & {c.pk for c in event.co_hosts.all()}:
            reason = CLASH_SHARED_HOST
        else:
            reason = CLASH_SAME_PROGRAM
        hidden = viewer is not None and not can_view_event(viewer, event)
        clashes.append(Clash(event=event, reason=reason, title_hidden=hidden))
    return clashes


# --- The content calendar ------------------------------------------------------------------


@dataclass
class PlannedEvent:
    event: Event
    # Naive, on the event's own wall clock: templates' `date` filter shows it as it is.
    local_start: datetime
    topics: list[Any]
    co_hosted: bool

    @property
    def counts(self) -> bool:
        return self.event.status != EventStatus.CANCELLED


@dataclass
class MonthPlan:
    first_day: date
    events: list[PlannedEvent] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(1 for planned in self.events if planned.counts)


@dataclass
class MixRow:
    label: str
    per_quarter: list[int]

    @property
    def total(self) -> int:
        return sum(self.per_quarter)


@dataclass(frozen=True)
class Week:
    monday: date
    count: int
    is_past: bool

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)


@dataclass(frozen=True)
class Gap:
    """Consecutive weeks with nothing on."""

    first_monday: date
    last_sunday: date
    weeks: int
    is_past: bool


@dataclass
class ContentCalendar:
    community: Community
    year: int
    months: list[MonthPlan]
    target_min: int
    target_max: int
    has_own_target: bool
    published: int
    drafts: int
    cancelled: int
    held_so_far: int
    expected_so_far: int | None
    quarter_totals: list[int]
    format_mix: list[MixRow]
    formats_missing: list[str]
    topic_mix: list[MixRow]
    weeks: list[Week]
    gaps: list[Gap]

    @property
    def planned(self) -> int:
        return self.published + self.drafts

    @property
    def standing(self) -> str:
        """ "below", "within" or "above" the target range, by what is planned."""
        if self.planned < self.target_min:
            return "below"
        return "above" if self.planned > self.target_max else "within"

    @property
    def still_needed(self) -> int:
        return max(self.target_min - self.planned, 0)

    @property
    def target_percent(self) -> int:
        """How far the planned count is towards the minimum, capped at 100 for the bar."""
        return min(round(100 * self.planned / self.target_min), 100) if self.target_min else 100

    @property
    def gap_weeks(self) -> int:
        return sum(gap.weeks for gap in self.gaps)

    @property
    def upcoming_gap_weeks(self) -> int:
        return sum(gap.weeks for gap in self.gaps if not gap.is_past)


def cadence_target(community: Community) -> tuple[int, int, bool]:
    """(at least, at most, whether the community set its own) events a year."""
    row = CadenceTarget.objects.filter(community=community).first()
    if row is None:
        return (*DEFAULT_TARGET, False)
    return row.events_per_year_min, row.events_per_year_max, True


def _quarter(day: date) -> int:
    return (day.month - 1) // 3


def _weeks_of(year: int) -> list[date]:
    """The Mondays of the weeks that touch `year`, from the one holding 1 January (counting
    only this year's events, so the first and last weeks may be short)."""
    monday = date(year, 1, 1)
    monday -= timedelta(days=monday.weekday())
    mondays = []
    while monday <= date(year, 12, 31):
        mondays.append(monday)
        monday += timedelta(days=7)
    return mondays


def _mix(counter: dict[str, list[int]]) -> list[MixRow]:
    rows = [MixRow(label=label, per_quarter=quarters) for label, quarters in counter.items()]
    return sorted(rows, key=lambda row: (-row.total, row.label))


def _gaps(weeks: list[Week]) -> list[Gap]:
    gaps: list[Gap] = []
    run: list[Week] = []
    for week in [*weeks, None]:
        if week is not None and week.count == 0:
            run.append(week)
            continue
        if run:
            gaps.append(
                Gap(
                    first_monday=run[0].monday,
                    last_sunday=run[-1].sunday,
                    weeks=len(run),
                    is_past=run[-1].is_past,
                )
            )
            run = []
    return gaps


def content_calendar(
    community: Community, year: int, *, now: datetime | None = None
) -> ContentCalendar:
    """The community's year: every event it hosts or co-hosts whose local start falls in
    `year` (drafts included, cancelled ones shown but not counted), month by month; the count
    against its cadence target and, for the current year, against the pace the target asks
    for by today; the mix of formats and topics per quarter; and the weeks with no event."""
    now = now or timezone.now()
    # A day either side: an event's local date may be in `year` while its UTC instant is not.
    window_start = datetime(year, 1, 1, tzinfo=UTC) - timedelta(days=1)
    window_end = datetime(year + 1, 1, 1, tzinfo=UTC) + timedelta(days=1)
    hosted = Q(community=community) | Q(co_hosts=community)
    ids = Event.objects.filter(hosted, starts_at__gte=window_start, starts_at__lt=window_end)
    events = (
        Event.objects.filter(pk__in=ids.values("pk"))
        .select_related("community", "series")
        .prefetch_related("topics")
        .order_by("starts_at", "pk")
    )
    months = [MonthPlan(first_day=date(year, month, 1)) for month in range(1, 13)]
    formats: dict[str, list[int]] = {}
    topics: dict[str, list[int]] = {}
    per_week: Counter[date] = Counter()
    quarter_totals = [0, 0, 0, 0]
    published = drafts = cancelled = held = 0
    format_labels = dict(EventFormat.choices)
    for event in events:
        local = event.starts_at.astimezone(zone_named(event.time_zone))
        if local.year != year:
            continue
        topic_list = sorted(event.topics.all(), key=lambda topic: topic.name)
        planned = PlannedEvent(
            event=event,
            local_start=local.replace(tzinfo=None),
            topics=topic_list,
            co_hosted=event.community_id != community.pk,
        )
        months[local.month - 1].events.append(planned)
        if not planned.counts:
            cancelled += 1
            continue
        if event.status == EventStatus.DRAFT:
            drafts += 1
        else:
            published += 1
            if event.ends_at <= now:
                held += 1
        quarter = _quarter(local.date())
        quarter_totals[quarter] += 1
        label = str(format_labels.get(event.format, event.format))
        formats.setdefault(label, [0, 0, 0, 0])[quarter] += 1
        for topic_name in [topic.name for topic in topic_list] or [_("No topic")]:
            topics.setdefault(topic_name, [0, 0, 0, 0])[quarter] += 1
        local_day = local.date()
        per_week[local_day - timedelta(days=local_day.weekday())] += 1

    target_min, target_max, has_own = cadence_target(community)
    today = timezone.localtime(now).date()
    weeks = [
        Week(monday=monday, count=per_week[monday], is_past=monday + timedelta(days=6) < today)
        for monday in _weeks_of(year)
    ]
    expected = None
    if year == today.year:
        elapsed = (today - date(year, 1, 1)).days / (date(year + 1, 1, 1) - date(year, 1, 1)).days
        expected = int(target_min * elapsed)
    topic_rows = _mix(topics)
    if len(topic_rows) > TOPICS_SHOWN:
        rest = topic_rows[TOPICS_SHOWN - 1 :]
        others = [sum(row.per_quarter[q] for row in rest) for q in range(4)]
        topic_rows = [*topic_rows[: TOPICS_SHOWN - 1], MixRow(_("Other topics"), others)]
    format_rows = _mix(formats)
    present = {row.label for row in format_rows}
    return ContentCalendar(
        community=community,
        year=year,
        months=months,
        target_min=target_min,
        target_max=target_max,
        has_own_target=has_own,
        published=published,
        drafts=drafts,
        cancelled=cancelled,
        held_so_far=held,
        expected_so_far=expected,
        quarter_totals=quarter_totals,
        format_mix=format_rows,
        formats_missing=[
            str(label) for label in format_labels.values() if str(label) not in present
        ],
        topic_mix=topic_rows,
        weeks=weeks,
        gaps=_gaps(weeks),
    )
