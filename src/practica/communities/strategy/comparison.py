"""Two versions of a strategy side by side: what was added, removed or changed in each section.

Statements (goals, "I can…" scenarios, principles) are compared as text: a reworded statement
shows as one removed and one added. Rows are matched by what identifies them — an audience row
by its label, a target by its metric, a leader by the person — so a changed target value or
remit shows as a change of that row, field by field. The summary is compared whole.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from practica.communities.models import (
    StrategyAudience,
    StrategyLeader,
    StrategyTarget,
    StrategyVersion,
    TargetComparison,
)
from practica.communities.strategy.targets import format_metric_value
from practica.communities.target_metrics import target_metric
from practica.people.models import Role

SECTION_LABELS = {
    "goals": gettext_lazy("Goals"),
    "scenarios": gettext_lazy("Scenarios"),
    "principles": gettext_lazy("Principles"),
    "audience": gettext_lazy("Audience"),
    "targets": gettext_lazy("Targets"),
    "leaders": gettext_lazy("Leadership team"),
}


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: Any
    before: str
    after: str


@dataclass(frozen=True)
class ItemChange:
    """A row present in both versions whose fields differ."""

    item: str
    changes: list[FieldChange]


@dataclass(frozen=True)
class SectionChanges:
    section: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[ItemChange] = field(default_factory=list)
    unchanged: int = 0

    @property
    def label(self) -> Any:
        return SECTION_LABELS[self.section]

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass(frozen=True)
class StrategyComparison:
    older: StrategyVersion
    newer: StrategyVersion
    summary_changed: bool
    sections: list[SectionChanges]

    @property
    def has_changes(self) -> bool:
        return self.summary_changed or any(section.has_changes for section in self.sections)


def _compare_statements(section: str, before: list[str], after: list[str]) -> SectionChanges:
    old = {text.casefold() for text in before}
    new = {text.casefold() for text in after}
    return SectionChanges(
        section=section,
        added=[text for text in after if text.casefold() not in old],
        removed=[text for text in before if text.casefold() not in new],
        unchanged=len(old & new),
    )


# Each row as (key, name shown, {field: (label, value shown)}).
Described = tuple[Any, str, dict[str, tuple[Any, str]]]


def _audience(row: StrategyAudience) -> Described:
    return (
        row.label.casefold(),
        row.label,
        {
            "org_unit": (_("Org unit"), row.org_unit.name if row.org_unit else ""),
            "role": (_("Role"), str(Role(row.role).label) if row.role in Role.values else row.role),
            "job_title_contains": (_("Job title contains"), row.job_title_contains),
        },
    )


def _target(row: StrategyTarget) -> Described:
    metric = target_metric(row.metric_key)
    shown = format_metric_value(row.target_value, metric.unit if metric else "score")
    return (
        row.metric_key,
        row.label or (str(metric.label) if metric else row.metric_key),
        {
            "target": (_("Target"), f"{TargetComparison(row.comparison).label} {shown}"),
            "label": (_("Label"), row.label),
            "amber_margin_percent": (_("Amber within (%)"), str(row.amber_margin_percent)),
        },
    )


def _leader(row: StrategyLeader) -> Described:
    return (row.person_id, row.person.display_name, {"remit": (_("Remit"), row.remit)})


def _describe(name: str, fields: dict[str, tuple[Any, str]]) -> str:
    details = [f"{label}: {value}" for label, value in fields.values() if value]
    return f"{name} ({'; '.join(details)})" if details else name


def _compare_rows(
    section: str, before: list[Any], after: list[Any], describe: Callable[[Any], Described]
) -> SectionChanges:
    old = {key: (name, fields) for key, name, fields in map(describe, before)}
    new = {key: (name, fields) for key, name, fields in map(describe, after)}
    changed = []
    unchanged = 0
    for key, (name, fields) in new.items():
        if key not in old:
            continue
        previous = old[key][1]
        changes = [
            FieldChange(field=name_, label=label, before=previous[name_][1], after=value)
            for name_, (label, value) in fields.items()
            if previous[name_][1] != value
        ]
        if changes:
            changed.append(ItemChange(item=name, changes=changes))
        else:
            unchanged += 1
    return SectionChanges(
        section=section,
        added=[_describe(name, fields) for key, (name, fields) in new.items() if key not in old],
        removed=[_describe(name, fields) for key, (name, fields) in old.items() if key not in new],
        changed=changed,
        unchanged=unchanged,
    )


def compare_versions(older: StrategyVersion, newer: StrategyVersion) -> StrategyComparison:
    """What changed from `older` to `newer` (both of one community; pass them with their
    sections prefetched, see `queries.with_sections`)."""
    sections = [
        _compare_statements(name, list(getattr(older, name)), list(getattr(newer, name)))
        for name in ("goals", "scenarios", "principles")
    ]
    sections.append(
        _compare_rows("audience", list(older.audience.all()), list(newer.audience.all()), _audience)
    )
    sections.append(
        _compare_rows("targets", list(older.targets.all()), list(newer.targets.all()), _target)
    )
    sections.append(
        _compare_rows("leaders", list(older.leaders.all()), list(newer.leaders.all()), _leader)
    )
    return StrategyComparison(
        older=older,
        newer=newer,
        summary_changed=older.summary.strip() != newer.summary.strip(),
        sections=sections,
    )
