"""Satisfaction (CSAT): the share of event feedback scoring 4 or 5 of 5, the distribution of
scores and CSAT per bucket. From `EventFact` (`event_facts.py`).

Over the events that start in the period (each once): CSAT = Σ satisfied (feedback scoring 4
or 5) ÷ Σ feedback, n = Σ feedback; a bucket's CSAT is over the events starting in it. The
distribution adds up each event's counts of scores 1–5. Not split by org unit or role.
"""

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from practica.metrics.queries.buckets import Buckets, iso
from practica.metrics.queries.event_facts import PeriodEvent, period_events
from practica.metrics.queries.filters import DashboardFilters
from practica.metrics.queries.headlines import share_headline, share_point, share_value
from practica.metrics.queries.types import Chart, Headline, Panel, Point, Series, Table

SCORES = ("1", "2", "3", "4", "5")


def _headlines(satisfied: int | None, feedback: int | None) -> tuple[Headline, ...]:
    return (
        share_headline("csat", _("Satisfaction (CSAT)"), satisfied, feedback),
        Headline(
            key="feedback",
            label=_("Feedback received"),
            unit="count",
            value=None if feedback is None else Decimal(feedback),
        ),
    )


def satisfaction_headlines(
    filters: DashboardFilters, *, events: list[PeriodEvent] | None = None
) -> tuple[Headline, ...]:
    """CSAT (with n) and the feedback count; None without feedback in the period
    (`events`: the period's events, when read already)."""
    events = period_events(filters) if events is None else events
    feedback = sum(event.feedback for event in events)
    satisfied = sum(event.satisfied for event in events)
    return _headlines(satisfied if feedback else None, feedback or None)


def satisfaction_panel(filters: DashboardFilters) -> Panel:
    events = period_events(filters)
    buckets = Buckets(filters.start, filters.end, filters.granularity)
    per_bucket: dict[date, list[int]] = {start: [0, 0] for start in buckets.starts}
    distribution = dict.fromkeys(SCORES, 0)
    for event in events:
        bucket = buckets.of(event.day)
        if bucket is not None:
            per_bucket[bucket][0] += event.satisfied
            per_bucket[bucket][1] += event.feedback
        for score in SCORES:
            distribution[score] += event.score_counts.get(score, 0)
    feedback = sum(event.feedback for event in events)
    satisfied = sum(event.satisfied for event in events)
    has_data = feedback > 0
    score_series = tuple(
        Series(
            key=f"score_{score}",
            label=score,
            unit="count",
            points=(
                Point(
                    start=filters.start,
                    value=Decimal(distribution[score]) if has_data else None,
                    n=feedback if has_data else None,
                ),
            ),
        )
        for score in SCORES
    )
    csat_series = Series(
        key="csat",
        label=_("CSAT"),
        unit="share",
        points=tuple(
            share_point(start, sat, total) if has_data else share_point(start, None, None)
            for start, (sat, total) in per_bucket.items()
        ),
    )
    distribution_table = Table(
        key="distribution",
        title=_("Feedback scores"),
        columns=(_("Score"), _("Feedback"), _("Share")),
        rows=tuple(
            (score, distribution[score], share_value(distribution[score], feedback))
            for score in SCORES
        )
        if has_data
        else (),
    )
    bucket_table = Table(
        key="csat",
        title=_("CSAT per period"),
        columns=(_("Start"), _("Satisfied (4 or 5)"), _("Feedback"), _("CSAT")),
        rows=tuple(
            (iso(start), sat, total, share_value(sat, total))
            for start, (sat, total) in per_bucket.items()
        )
        if has_data
        else (),
    )
    notes = []
    if filters.is_split:
        notes.append(_("Event figures are not split by org unit or role."))
    return Panel(
        key="satisfaction",
        title=_("Satisfaction"),
        description=_(
            "The share of event feedback scoring 4 or 5 of 5 (CSAT), and how the scores spread."
        ),
        headlines=_headlines(satisfied if has_data else None, feedback if has_data else None),
        charts=(
            Chart(
                kind="histogram",
                title=_("Feedback scores"),
                description=_("How many feedback answers gave each score from 1 to 5."),
                unit="count",
                series=score_series,
            ),
            Chart(
                kind="line",
                title=_("CSAT"),
                description=_(
                    "The share of feedback scoring 4 or 5, over the events starting in each period."
                ),
                unit="share",
                series=(csat_series,),
            ),
        ),
        tables=(distribution_table, bucket_table),
        notes=tuple(notes),
    )
