"""The metrics a strategy target can be bound to, and the program dashboard compares.

Communities stands before metrics in the dependency order, so it cannot import the code that
computes a metric. Instead `practica.metrics` registers each metric here from its
`AppConfig.ready()`, and the strategy page and program dashboard read live values through this
registry. This module imports no other app: it is only the registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

# How a value is shown: a count, a share (0–1, shown as a percentage), hours, a score.
Unit = Literal["count", "share", "hours", "score"]
Better = Literal["higher", "lower"]


@dataclass(frozen=True)
class TargetMetric:
    """A metric computed for one community as of a moment.

    `compute(community_id, as_of)` answers the value over the metric's own window ending at
    `as_of` (e.g. the trailing 90 days), or None when there is nothing to measure (no questions,
    no feedback): never zero for "no data", never a division by zero.
    """

    key: str
    label: Any  # lazy-translated
    description: Any  # lazy-translated: the formula in one sentence
    unit: Unit
    better: Better
    compute: Callable[[int, datetime], Decimal | None]


_METRICS: dict[str, TargetMetric] = {}


def register_target_metric(metric: TargetMetric) -> None:
    """Register `metric` under its key (from an AppConfig.ready()); re-registering replaces."""
    _METRICS[metric.key] = metric


def target_metric(key: str) -> TargetMetric | None:
    return _METRICS.get(key)


def target_metrics() -> list[TargetMetric]:
    """Every registered metric, in registration order."""
    return list(_METRICS.values())


def target_metric_choices() -> list[tuple[str, Any]]:
    return [(metric.key, metric.label) for metric in _METRICS.values()]
