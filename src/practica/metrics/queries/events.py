"""Events: events held, registrations, check-ins, attendance rate, no-shows, walk-ins and the
cross-org share of attendance, by format and per bucket. From `EventFact` (`event_facts.py`).

Over the events that start in the period (each once): held = how many; registered, checked in,
no-shows, walk-ins = sums. Attendance rate = Σ checked in ÷ Σ registered over the events that
took attendance and had ended by the period's end (or now), n = that Σ registered. Cross-org
share = Σ checked-in attendees whose division differs from the organizer's ÷ Σ checked-in
attendees whose division is known, n = the latter. Not split by org unit or role. No events in
the period: no data (None), not zeros.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.translation import gettext as _

from practica.events.models import EventFormat
from practica.metrics.queries.buckets import Buckets, iso
from practica.metrics.queries.event_facts import PeriodEvent, ended_by, period_events
from practica.metrics.queries.filters import DashboardFilters
from practica.metrics.queries.headlines import (
    count_headline,
    count_point,
    share_headline,
    share_point,
    share_value,
)
from practica.metrics.queries.types import Cell, Chart, Headline, Panel, Series, Table


@dataclass
class EventTotals:
    held: int = 0
    registered: int = 0
    checked_in: int = 0
    measured_registered: int = 0  # at events that took attendance and had ended
    measured_checked_in: int = 0
    no_shows: int = 0
    walk_ins: int = 0
    compared: int = 0
    cross_org: int = 0
    held_by_format: dict[str, int] = field(default_factory=dict)

    def add(self, event: PeriodEvent, ended_before: datetime) -> None:
        self.held += 1
        self.held_by_format[event.format] = self.held_by_format.get(event.format, 0) + 1
        self.registered += event.registered
        self.checked_in += event.checked_in
        self.no_shows += event.no_shows
        self.walk_ins += event.walk_ins
        self.compared += event.attendees_compared
        self.cross_org += event.attendees_cross_org
        if event.took_attendance and event.ends_at <= ended_before:
            self.measured_registered += event.registered
            self.measured_checked_in += event.checked_in


def format_label(value: str) -> str:
    return str(EventFormat(value).label) if value in EventFormat.values else value


@dataclass(frozen=True)
class EventFigures:
    events: list[PeriodEvent]
    period: EventTotals | None  # None: no events in the period
    by_format: dict[str, EventTotals]
    by_bucket: dict[date, EventTotals]


def event_figures(
    filters: DashboardFilters, *, events: list[PeriodEvent] | None = None
) -> EventFigures:
    """`events`: the period's events when the caller has read them already."""
    events = period_events(filters) if events is None else events
    ended_before = ended_by(filters)
    buckets = Buckets(filters.start, filters.end, filters.granularity)
    period = EventTotals()
    by_format: dict[str, EventTotals] = {}
    by_bucket: dict[date, EventTotals] = {start: EventTotals() for start in buckets.starts}
    for event in events:
        period.add(event, ended_before)
        by_format.setdefault(event.format, EventTotals()).add(event, ended_before)
        bucket = buckets.of(event.day)
        if bucket is not None:
            by_bucket[bucket].add(event, ended_before)
    ordered = {k: by_format[k] for k in EventFormat.values if k in by_format}
    ordered.update({k: v for k, v in sorted(by_format.items()) if k not in ordered})
    return EventFigures(
        events=events, period=period if events else None, by_format=ordered, by_bucket=by_bucket
    )


def _headlines(period: EventTotals | None) -> tuple[Headline, ...]:
    p = period
    count = count_headline
    return (
        count("events_held", _("Events held"), p.held if p else None),
        share_headline(
            "attendance_rate",
            _("Attendance rate"),
            p.measured_checked_in if p else None,
            p.measured_registered if p else None,
        ),
        count("no_shows", _("No-shows"), p.no_shows if p else None),
        count("walk_ins", _("Walk-ins"), p.walk_ins if p else None),
        share_headline(
            "cross_org_attendance_share",
            _("Cross-org attendance"),
            p.cross_org if p else None,
            p.compared if p else None,
        ),
    )


def event_headlines(
    filters: DashboardFilters, *, events: list[PeriodEvent] | None = None
) -> tuple[Headline, ...]:
    """Events held, attendance rate, no-shows, walk-ins, cross-org attendance share
    (`events`: the period's events, when read already)."""
    return _headlines(event_figures(filters, events=events).period)


def _totals_cells(totals: EventTotals) -> tuple[Cell, ...]:
    return (
        totals.held,
        totals.registered,
        totals.checked_in,
        share_value(totals.measured_checked_in, totals.measured_registered),
        totals.measured_registered,
        totals.no_shows,
        totals.walk_ins,
        share_value(totals.cross_org, totals.compared),
        totals.compared,
    )


def events_panel(filters: DashboardFilters) -> Panel:
    figures = event_figures(filters)
    has_data = figures.period is not None
    buckets = list(figures.by_bucket.items())
    figure_columns = (
        _("Events held"),
        _("Registered"),
        _("Checked in"),
        _("Attendance rate"),
        _("Registered at events that took attendance"),
        _("No-shows"),
        _("Walk-ins"),
        _("Cross-org share of attendance"),
        _("Attendees whose division is known"),
    )
    format_rows = [
        (format_label(key), *_totals_cells(totals)) for key, totals in figures.by_format.items()
    ]
    if figures.period is not None:
        format_rows.append((_("All formats"), *_totals_cells(figures.period)))
    by_format = Table(
        key="by_format",
        title=_("Events by format"),
        columns=(_("Format"), *figure_columns),
        rows=tuple(format_rows),
    )
    formats = list(figures.by_format)
    by_bucket = Table(
        key="by_period",
        title=_("Events per period"),
        columns=(
            _("Start"),
            *(format_label(key) for key in formats),
            *figure_columns,
        ),
        rows=tuple(
            (
                iso(start),
                *(totals.held_by_format.get(key, 0) for key in formats),
                *_totals_cells(totals),
            )
            for start, totals in buckets
        )
        if has_data
        else (),
    )
    held_series = tuple(
        Series(
            key=key,
            label=format_label(key),
            unit="count",
            points=tuple(
                count_point(start, totals.held_by_format.get(key, 0)) for start, totals in buckets
            ),
        )
        for key in formats
    )
    rate_series = Series(
        key="attendance_rate",
        label=_("Attendance rate"),
        unit="share",
        points=tuple(
            share_point(
                start,
                totals.measured_checked_in if has_data else None,
                totals.measured_registered if has_data else None,
            )
            for start, totals in buckets
        ),
    )
    notes = [
        _(
            "Attendance rate = checked in ÷ registered, over the events that took attendance "
            "and had ended."
        )
    ]
    if filters.is_split:
        notes.append(_("Event figures are not split by org unit or role."))
    return Panel(
        key="events",
        title=_("Events"),
        description=_(
            "Events held, registrations and check-ins, the attendance rate, no-shows, walk-ins "
            "and the share of attendees from another division than the organizer's."
        ),
        headlines=_headlines(figures.period),
        charts=(
            Chart(
                kind="stacked_bar",
                title=_("Events held"),
                description=_("Events held in each period, by format."),
                unit="count",
                series=held_series,
            ),
            Chart(
                kind="line",
                title=_("Attendance rate"),
                description=_(
                    "Checked in ÷ registered in each period, over the events that took attendance."
                ),
                unit="share",
                series=(rate_series,),
            ),
        ),
        tables=(by_format, by_bucket),
        notes=tuple(notes),
    )
