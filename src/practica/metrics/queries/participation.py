"""Participation: per calendar month, the share of active members doing each kind of
activity, and the shape of the membership (core, active, peripheral). From `CommunityMonth`.

Months: every calendar month that overlaps the period, whole (participation is counted per
month, whatever the granularity). Per month, summed over the filtered communities: members at
the month's end, active (a qualifying activity in the month), engaged ("core": posted,
answered, presented or reviewed), peripheral (no qualifying activity), and per kind the
distinct members who did it. Share of a kind = members who did it ÷ active members. The
headlines are the latest month with data.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from practica.core.models import ActivityKind
from practica.metrics.definitions.activity import NOT_QUALIFYING
from practica.metrics.models import CommunityMonth
from practica.metrics.queries.buckets import month_starts
from practica.metrics.queries.filters import DashboardFilters
from practica.metrics.queries.headlines import (
    count_headline,
    count_point,
    share_point,
    share_value,
)
from practica.metrics.queries.types import Chart, Headline, Panel, Series, Table

COUNT_FIELDS = ("members_end", "active", "engaged", "peripheral")


@dataclass
class MonthFigures:
    month: date
    members_end: int = 0
    active: int = 0
    engaged: int = 0
    peripheral: int = 0
    kinds: dict[str, int] = field(default_factory=dict)

    @property
    def active_not_core(self) -> int:
        return self.active - self.engaged


def participation_months(filters: DashboardFilters) -> dict[date, MonthFigures]:
    """The months with data that overlap the period, summed over the communities (one
    query)."""
    rows = CommunityMonth.objects.filter(
        community_id__in=filters.community_ids,
        segment=filters.segment,
        month__gte=filters.start.replace(day=1),
        month__lte=filters.end,
    ).values_list("month", *COUNT_FIELDS, "kind_counts")
    months: dict[date, MonthFigures] = {}
    for month, members_end, active, engaged, peripheral, kind_counts in rows:
        figures = months.setdefault(month, MonthFigures(month=month))
        figures.members_end += members_end
        figures.active += active
        figures.engaged += engaged
        figures.peripheral += peripheral
        for kind, count in (kind_counts or {}).items():
            figures.kinds[kind] = figures.kinds.get(kind, 0) + int(count)
    return months


def _kinds(months: dict[date, MonthFigures]) -> list[str]:
    """The kinds anyone did in these months, in the ledger's order (unknown ones last)."""
    seen = {kind for figures in months.values() for kind, n in figures.kinds.items() if n}
    seen -= set(NOT_QUALIFYING)  # being in the community is not taking part in it
    known = [k for k in ActivityKind.values if k in seen]
    return known + sorted(seen - set(known))


def _kind_label(kind: str) -> str:
    return str(ActivityKind(kind).label) if kind in ActivityKind.values else kind


def _headlines(latest: MonthFigures | None) -> tuple[Headline, ...]:
    note = "" if latest is None else _("in %(month)s") % {"month": latest.month.strftime("%Y-%m")}
    n = None if latest is None else latest.members_end

    def count(key: str, label: str, value: int | None) -> Headline:
        return count_headline(key, label, value, n=n, note=note)

    return (
        count("core_members", _("Core members (engaged)"), latest.engaged if latest else None),
        count("active_members_month", _("Active members"), latest.active if latest else None),
        count(
            "peripheral_members",
            _("Peripheral members"),
            latest.peripheral if latest else None,
        ),
    )


def participation_panel(filters: DashboardFilters) -> Panel:
    months = participation_months(filters)
    calendar = month_starts(filters.start, filters.end)
    latest = months[max(months)] if months else None
    kinds = _kinds(months)
    shape = (
        ("core", _("Core (engaged)"), "engaged"),
        ("active_not_core", _("Active, not core"), "active_not_core"),
        ("peripheral", _("Peripheral"), "peripheral"),
    )
    shape_series = tuple(
        Series(
            key=key,
            label=label,
            unit="count",
            points=tuple(
                count_point(m, getattr(months[m], name) if m in months else None) for m in calendar
            ),
        )
        for key, label, name in shape
    )
    kind_series = tuple(
        Series(
            key=kind,
            label=_kind_label(kind),
            unit="share",
            points=tuple(
                share_point(m, months[m].kinds.get(kind, 0), months[m].active)
                if m in months
                else share_point(m, None, None)
                for m in calendar
            ),
        )
        for kind in kinds
    )
    shape_table = Table(
        key="shape",
        title=_("Core, active and peripheral members per month"),
        columns=(
            _("Month"),
            _("Members at the end"),
            _("Core (engaged)"),
            _("Active, not core"),
            _("Peripheral"),
            _("Active"),
        ),
        rows=tuple(
            (
                m.isoformat(),
                months[m].members_end,
                months[m].engaged,
                months[m].active_not_core,
                months[m].peripheral,
                months[m].active,
            )
            for m in calendar
            if m in months
        ),
    )
    kind_columns = (_("Activity"), _("Members who did it"), _("Active members"), _("Share"))
    kinds_table = Table(
        key="kinds",
        title=_("Share of active members doing each activity, per month"),
        columns=(_("Month"), *kind_columns),
        rows=tuple(
            (
                m.isoformat(),
                _kind_label(kind),
                months[m].kinds.get(kind, 0),
                months[m].active,
                share_value(months[m].kinds.get(kind, 0), months[m].active),
            )
            for m in calendar
            if m in months
            for kind in kinds
        ),
    )
    latest_table = Table(
        key="kinds_latest",
        title=(
            _("Share of active members doing each activity in %(month)s")
            % {"month": latest.month.strftime("%Y-%m")}
            if latest
            else _("Share of active members doing each activity in the latest month")
        ),
        columns=kind_columns,
        rows=tuple(
            (
                _kind_label(kind),
                latest.kinds.get(kind, 0),
                latest.active,
                share_value(latest.kinds.get(kind, 0), latest.active),
            )
            for kind in kinds
        )
        if latest
        else (),
    )
    return Panel(
        key="participation",
        title=_("Participation"),
        description=_(
            "Per calendar month: the share of active members doing each kind of activity, and "
            "the members who are core (engaged), active but not core, or peripheral."
        ),
        headlines=_headlines(latest),
        charts=(
            Chart(
                kind="stacked_bar",
                title=_("Core, active and peripheral members"),
                description=_(
                    "Members at each month's end: core (posted, answered, presented or "
                    "reviewed), active but not core, and peripheral (no activity in the month)."
                ),
                unit="count",
                series=shape_series,
            ),
            Chart(
                kind="line",
                title=_("Share of active members doing each activity"),
                description=_(
                    "For each kind of activity, the members who did it in the month divided by "
                    "the month's active members."
                ),
                unit="share",
                series=kind_series,
            ),
        ),
        tables=(shape_table, latest_table, kinds_table),
        notes=(
            _(
                "Participation is counted per calendar month: the months that overlap the "
                "period are shown whole, whatever the granularity."
            ),
        ),
    )
