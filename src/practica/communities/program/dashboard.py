"""The program dashboard: the program's communities side by side on every registered metric.

The metrics are computed in `practica.metrics`, which registers them in
`communities.target_metrics`; this module only reads the registry, calling each metric's
`compute(community_id, as_of)`. A metric with nothing to measure answers None ("no data"); a
metric that fails is logged and shown as unavailable, so one broken metric cannot take the
whole dashboard down.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from practica.communities.models import Program
from practica.communities.program.calendar_queries import CommunityLabel, community_labels
from practica.communities.target_metrics import TargetMetric, target_metrics

logger = logging.getLogger("practica.communities.program")


@dataclass(frozen=True)
class MetricValue:
    community: CommunityLabel
    value: Decimal | None
    failed: bool = False
    is_best: bool = False

    @property
    def has_value(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class MetricRow:
    metric: TargetMetric
    values: list[MetricValue]

    @property
    def has_data(self) -> bool:
        return any(value.has_value for value in self.values)


@dataclass(frozen=True)
class ProgramDashboard:
    program: Program
    as_of: datetime
    communities: list[CommunityLabel]
    rows: list[MetricRow]


# Decimal places a raw value keeps in the CSV and the API, per unit.
PLACES = {"count": 2, "share": 4, "hours": 2, "score": 2}


def rounded_metric_value(value: Decimal | None, unit: str) -> Decimal | None:
    """A raw value rounded for export: shares to 4 places, whole counts without decimals."""
    if value is None:
        return None
    if unit == "count" and value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.quantize(Decimal(1).scaleb(-PLACES.get(unit, 2)), rounding=ROUND_HALF_UP)


def _places(value: Decimal, places: int) -> str:
    # Django's number_format cuts decimals off; round half up first, as people expect.
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return number_format(rounded, places, force_grouping=True)


def format_metric_value(value: Decimal | None, unit: str) -> str:
    """A value as people read it: counts grouped, shares as percentages, hours with "h"."""
    if value is None:
        return _("no data")
    if unit == "count":
        return _places(value, 0)
    if unit == "share":
        return _("%(value)s %%") % {"value": _places(value * 100, 1)}
    if unit == "hours":
        return _("%(value)s h") % {"value": _places(value, 1)}
    return _places(value, 2)


def _compute(metric: TargetMetric, community: CommunityLabel, as_of: datetime) -> MetricValue:
    try:
        value = metric.compute(community.id, as_of)
    except Exception:
        logger.exception("Metric %s failed for community %s", metric.key, community.id)
        return MetricValue(community=community, value=None, failed=True)
    return MetricValue(community=community, value=None if value is None else Decimal(value))


def _mark_best(metric: TargetMetric, values: list[MetricValue]) -> list[MetricValue]:
    """Mark the best value (by the metric's better direction) when it stands out: at least
    two communities measured and not all equal."""
    measured = [value.value for value in values if value.value is not None]
    if len(measured) < 2 or len(set(measured)) == 1:
        return values
    best = max(measured) if metric.better == "higher" else min(measured)
    return [
        MetricValue(
            community=value.community,
            value=value.value,
            failed=value.failed,
            is_best=value.value == best,
        )
        for value in values
    ]


def program_dashboard(program: Program, *, as_of: datetime) -> ProgramDashboard:
    """Every registered metric for every community of the program, as of `as_of`."""
    communities = community_labels(program)
    rows = [
        MetricRow(
            metric=metric,
            values=_mark_best(
                metric, [_compute(metric, community, as_of) for community in communities]
            ),
        )
        for metric in target_metrics()
    ]
    return ProgramDashboard(program=program, as_of=as_of, communities=communities, rows=rows)


def dashboard_table(dashboard: ProgramDashboard) -> tuple[list[str], list[list[str]]]:
    """The dashboard as a CSV table: a header (metric, key, unit, better, then one column per
    community) and one row per metric with the raw values (empty for no data)."""
    header = [
        str(_("Metric")),
        str(_("Key")),
        str(_("Unit")),
        str(_("Better")),
        *(community.name for community in dashboard.communities),
    ]
    rows = [
        [
            str(row.metric.label),
            row.metric.key,
            row.metric.unit,
            row.metric.better,
            *(
                ""
                if value.value is None
                else str(rounded_metric_value(value.value, row.metric.unit))
                for value in row.values
            ),
        ]
        for row in dashboard.rows
    ]
    return header, rows
