"""A strategy's targets against the live values of the metrics they are bound to.

Each target names a metric registered in `communities.target_metrics`; its value comes from
`target_metric(key).compute(community_id, as_of)`. Status (see `StrategyTarget`):

- green: the target is met;
- amber: missed by no more than `amber_margin_percent` of the target value;
- red: missed by more;
- no data: the metric has nothing to measure (None), or is no longer registered.

The trend is the metric's value at the end of each of the last six calendar months (UTC month
boundaries before `as_of`, oldest first), for a sparkline beside the live value; those values
are cached for an hour.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from django.core.cache import cache
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from practica.communities.models import StrategyTarget, StrategyVersion, TargetComparison
from practica.communities.target_metrics import TargetMetric, target_metric

TREND_MONTHS = 6
TREND_CACHE_SECONDS = 3600
_NOT_CACHED = object()


class TargetStatus(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NO_DATA = "no_data"


STATUS_LABELS = {
    TargetStatus.GREEN: gettext_lazy("On target"),
    TargetStatus.AMBER: gettext_lazy("Close"),
    TargetStatus.RED: gettext_lazy("Off target"),
    TargetStatus.NO_DATA: gettext_lazy("No data"),
}


def target_status(target: StrategyTarget, value: Decimal | None) -> TargetStatus:
    """Green, amber, red or no data for `value` against `target`."""
    if value is None:
        return TargetStatus.NO_DATA
    goal = target.target_value
    miss = value - goal if target.comparison == TargetComparison.AT_MOST else goal - value
    if miss <= 0:
        return TargetStatus.GREEN
    if miss <= abs(goal) * Decimal(target.amber_margin_percent) / 100:
        return TargetStatus.AMBER
    return TargetStatus.RED


def month_ends(as_of: datetime, count: int = TREND_MONTHS) -> list[datetime]:
    """The last `count` month boundaries at or before `as_of` (each the first instant of a
    month in UTC, i.e. the end of the month before), oldest first."""
    moment = as_of.astimezone(UTC)
    year, month = moment.year, moment.month
    ends = []
    for _step in range(count):
        ends.append(datetime(year, month, 1, tzinfo=UTC))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(ends))


def _rounded(value: Decimal, places: int) -> Decimal:
    # number_format cuts digits off; round half up first, as people expect.
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_metric_value(value: Decimal | None, unit: str) -> str:
    """A value as people read it: a share as a percentage, hours with one decimal."""
    if value is None:
        return "—"
    if unit == "share":
        return _("%(value)s %%") % {"value": number_format(_rounded(value * 100, 1), 1)}
    if unit == "hours":
        return _("%(value)s h") % {"value": number_format(_rounded(value, 1), 1)}
    if unit == "count":
        return number_format(_rounded(value, 0), 0, force_grouping=True)
    return number_format(_rounded(value, 2), 2)


@dataclass(frozen=True)
class TrendPoint:
    at: datetime
    value: Decimal | None


@dataclass(frozen=True)
class TargetDefinition:
    """A target as written, with the metric it names (None: no longer registered)."""

    target: StrategyTarget
    metric: TargetMetric | None

    @property
    def label(self) -> Any:
        if self.target.label:
            return self.target.label
        return self.metric.label if self.metric else self.target.metric_key

    @property
    def unit(self) -> str:
        return self.metric.unit if self.metric else "score"

    @property
    def shown_target(self) -> str:
        """ "at least 60.0 %", "at most 2.0 h"."""
        return _("%(comparison)s %(value)s") % {
            "comparison": TargetComparison(self.target.comparison).label,
            "value": format_metric_value(self.target.target_value, self.unit),
        }

    @property
    def metric_missing(self) -> bool:
        """The metric is no longer registered: the target cannot be measured."""
        return self.metric is None


@dataclass(frozen=True)
class TargetEvaluation(TargetDefinition):
    """One target with the live value of its metric, its status and its trend."""

    value: Decimal | None
    status: TargetStatus
    trend: list[TrendPoint]
    as_of: datetime

    @property
    def status_label(self) -> Any:
        return STATUS_LABELS[self.status]

    @property
    def shown_value(self) -> str:
        return format_metric_value(self.value, self.unit)


def target_definitions(version: StrategyVersion) -> list[TargetDefinition]:
    """The targets of `version` as written, in order, each with its metric."""
    return [
        TargetDefinition(target=target, metric=target_metric(target.metric_key))
        for target in version.targets.all()
    ]


def _month_end_value(metric: TargetMetric, community_id: int, end: datetime) -> Decimal | None:
    """The metric at a past month's end. Those values hardly move, and a page shows six per
    target, so they are cached for an hour (the live value never is)."""
    key = f"strategy-trend:{metric.key}:{community_id}:{end.isoformat()}"
    found = cache.get(key, _NOT_CACHED)
    if found is _NOT_CACHED:
        found = metric.compute(community_id, end)
        cache.set(key, found, TREND_CACHE_SECONDS)
    return found


def evaluate_target(
    target: StrategyTarget, *, community_id: int, as_of: datetime
) -> TargetEvaluation:
    """`target` measured as of `as_of`, with its six-month trend."""
    metric = target_metric(target.metric_key)
    if metric is None:
        return TargetEvaluation(
            target=target,
            metric=None,
            value=None,
            status=TargetStatus.NO_DATA,
            trend=[TrendPoint(at=end, value=None) for end in month_ends(as_of)],
            as_of=as_of,
        )
    value = metric.compute(community_id, as_of)
    trend = [
        TrendPoint(at=end, value=_month_end_value(metric, community_id, end))
        for end in month_ends(as_of)
    ]
    return TargetEvaluation(
        target=target,
        metric=metric,
        value=value,
        status=target_status(target, value),
        trend=trend,
        as_of=as_of,
    )


def evaluate_targets(
    version: StrategyVersion, *, as_of: datetime | None = None
) -> list[TargetEvaluation]:
    """Every target of `version`, in order, measured as of `as_of` (now by default)."""
    moment = as_of or timezone.now()
    return [
        evaluate_target(target, community_id=version.community_id, as_of=moment)
        for target in version.targets.all()
    ]


def status_counts(evaluations: list[TargetEvaluation]) -> dict[str, int]:
    """How many targets are in each status, for the page's summary line."""
    counts = {status.value: 0 for status in TargetStatus}
    for evaluation in evaluations:
        counts[evaluation.status.value] += 1
    return counts
