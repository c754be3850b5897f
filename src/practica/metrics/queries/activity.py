"""Activity: active and engaged members (trailing 28 days) at the end of each bucket, and
stickiness. From `CommunityDay` only.

A bucket's figures are those of its last rolled-up day (the bucket's last day when the rollups
are up to date). Stickiness at day d = the mean of the daily active members over the 28 days
ending at d (d − 27 … d; a day without rows counts 0) ÷ active members (28 days) at d, i.e.
Σ active_1d ÷ (28 × active_28d): how many of the month's active members come on a given day.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from practica.metrics.definitions.activity import ACTIVE_DAYS
from practica.metrics.queries.buckets import Buckets, iso, last_in_each
from practica.metrics.queries.days import DayFigures, day_totals
from practica.metrics.queries.filters import DashboardFilters
from practica.metrics.queries.headlines import count_headline, count_point, share_value
from practica.metrics.queries.types import Chart, Headline, Panel, Point, Series, Table

FIELDS = ("members", "active_1d", "active_28d", "engaged_28d")
MEAN_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class ActivityFigures:
    """As of one day (`as_of`); all None without data."""

    start: date
    as_of: date | None = None
    members: int | None = None
    active: int | None = None
    engaged: int | None = None
    daily_active_sum: int | None = None  # Σ active_1d over the 28 days ending at `as_of`

    @property
    def stickiness(self) -> Decimal | None:
        if self.daily_active_sum is None or self.active is None:
            return None
        return share_value(self.daily_active_sum, ACTIVE_DAYS * self.active)

    @property
    def mean_daily_active(self) -> Decimal | None:
        if self.daily_active_sum is None:
            return None
        mean = Decimal(self.daily_active_sum) / ACTIVE_DAYS
        return mean.quantize(MEAN_PLACES, rounding=ROUND_HALF_UP)


def _as_of(start: date, day: date | None, days: dict[date, DayFigures]) -> ActivityFigures:
    if day is None:
        return ActivityFigures(start=start)
    figures = days[day]
    window = (day - timedelta(days=offset) for offset in range(ACTIVE_DAYS))
    return ActivityFigures(
        start=start,
        as_of=day,
        members=figures["members"],
        active=figures["active_28d"],
        engaged=figures["engaged_28d"],
        daily_active_sum=sum(days[d]["active_1d"] for d in window if d in days),
    )


def activity_figures(filters: DashboardFilters) -> tuple[ActivityFigures, list[ActivityFigures]]:
    """As of the period's last rolled-up day, and as of each bucket's (one query)."""
    days = day_totals(filters, fields=FIELDS, since=filters.start - timedelta(days=ACTIVE_DAYS - 1))
    in_period = [day for day in days if day >= filters.start]
    buckets = Buckets(filters.start, filters.end, filters.granularity)
    last = last_in_each(in_period, buckets)
    period = _as_of(filters.start, max(in_period, default=None), days)
    return period, [_as_of(start, last.get(start), days) for start in buckets.starts]


def _headlines(period: ActivityFigures) -> tuple[Headline, ...]:
    n = period.members
    return (
        count_headline("active_28d", _("Active members (28 days)"), period.active, n=n),
        count_headline("engaged_28d", _("Engaged members (28 days)"), period.engaged, n=n),
        Headline(
            key="stickiness",
            label=_("Stickiness"),
            unit="share",
            value=period.stickiness,
            n=period.active,
        ),
    )


def activity_headlines(filters: DashboardFilters) -> tuple[Headline, ...]:
    """Active and engaged members (28 days) and stickiness at the end of the period."""
    period, _buckets = activity_figures(filters)
    return _headlines(period)


def activity_panel(filters: DashboardFilters) -> Panel:
    period, buckets = activity_figures(filters)
    counts = (
        Series(
            key="active_28d",
            label=_("Active (28 days)"),
            unit="count",
            points=tuple(count_point(b.start, b.active) for b in buckets),
        ),
        Series(
            key="engaged_28d",
            label=_("Engaged (28 days)"),
            unit="count",
            points=tuple(count_point(b.start, b.engaged) for b in buckets),
        ),
    )
    stickiness = Series(
        key="stickiness",
        label=_("Stickiness"),
        unit="share",
        # n is the active members (28 days), as for the headline, not 28 × them.
        points=tuple(Point(start=b.start, value=b.stickiness, n=b.active) for b in buckets),
    )
    table = Table(
        key="activity",
        title=_("Active and engaged members"),
        columns=(
            _("Start"),
            _("As of"),
            _("Members"),
            _("Active (28 days)"),
            _("Engaged (28 days)"),
            _("Mean daily active (28 days)"),
            _("Stickiness"),
        ),
        rows=tuple(
            (
                iso(b.start),
                None if b.as_of is None else iso(b.as_of),
                b.members,
                b.active,
                b.engaged,
                b.mean_daily_active,
                b.stickiness,
            )
            for b in buckets
        )
        if period.as_of is not None
        else (),
    )
    return Panel(
        key="activity",
        title=_("Activity"),
        description=_(
            "Members with at least one qualifying activity in the trailing 28 days (active), "
            "those who posted, answered, presented or reviewed (engaged), and stickiness: the "
            "mean daily active members over those 28 days divided by the active members."
        ),
        headlines=_headlines(period),
        charts=(
            Chart(
                kind="line",
                title=_("Active and engaged members"),
                description=_("Active and engaged members (28 days) at the end of each period."),
                unit="count",
                series=counts,
            ),
            Chart(
                kind="line",
                title=_("Stickiness"),
                description=_(
                    "Mean daily active members over 28 days divided by the active members, at "
                    "the end of each period."
                ),
                unit="share",
                series=(stickiness,),
            ),
        ),
        tables=(table,),
    )
