"""The text alternative of a chart: its one-sentence description followed by a plain-language
summary of what the drawing shows (first and last value, the change, the highest and lowest,
the gaps; for a heat map the best and worst cohort; for a network the strongest links).

It is the chart's `<desc>`, so a screen reader user gets the same story as a sighted reader;
the exact numbers are in the table beneath every chart.
"""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from practica.metrics.charts.axes import bucket_name, format_change, format_value
from practica.metrics.queries.types import Chart, Series, Unit


def no_data_sentence() -> str:
    return _("No data for this period.")


def full_description(chart: Chart, summary: str) -> str:
    """The chart's description and the summary as one text."""
    description = " ".join(str(chart.description).split())
    if description and description[-1] not in ".!?。":
        description = f"{description}."
    return f"{description} {summary}".strip()


def value_at(value: Decimal, start: date, unit: Unit, granularity: str) -> str:
    """ "7,000 in November 2026", "12 on 3 November 2026"."""
    figures = {"value": format_value(value, unit), "when": bucket_name(start, granularity)}
    if granularity == "day":
        return _("%(value)s on %(when)s") % figures
    return _("%(value)s in %(when)s") % figures


def _trend(first: Decimal, last: Decimal, unit: Unit) -> str:
    if last > first:
        return _("up %(change)s") % {"change": format_change(last - first, unit)}
    if last < first:
        return _("down %(change)s") % {"change": format_change(last - first, unit)}
    return _("unchanged")


def series_sentence(series: Series, unit: Unit, granularity: str) -> str:
    """One series read out: from its first to its last value, the change, its highest and
    lowest, and how many buckets have no data."""
    known = [(p.start, p.value) for p in series.points if p.value is not None]
    label = " ".join(str(series.label).split())
    if not known:
        return _("%(series)s: no data.") % {"series": label}
    if len(known) == 1:
        start, value = known[0]
        sentence = _("%(series)s: %(value)s.") % {
            "series": label,
            "value": value_at(value, start, unit, granularity),
        }
    else:
        (first_start, first), (last_start, last) = known[0], known[-1]
        # The earliest of equal extremes, so the text is stable.
        high_start, high = max(known, key=lambda item: (item[1], -item[0].toordinal()))
        low_start, low = min(known, key=lambda item: (item[1], item[0].toordinal()))
        sentence = _(
            "%(series)s: from %(first)s to %(last)s (%(trend)s); highest %(highest)s; "
            "lowest %(lowest)s."
        ) % {
            "series": label,
            "first": value_at(first, first_start, unit, granularity),
            "last": value_at(last, last_start, unit, granularity),
            "trend": _trend(first, last, unit),
            "highest": value_at(high, high_start, unit, granularity),
            "lowest": value_at(low, low_start, unit, granularity),
        }
    missing = len(series.points) - len(known)
    if missing:
        sentence += " " + ngettext(
            "No data for %(missing)s of %(total)s period.",
            "No data for %(missing)s of %(total)s periods.",
            len(series.points),
        ) % {"missing": missing, "total": len(series.points)}
    return sentence


def time_series_summary(chart: Chart, granularity: str) -> str:
    """Every series of a line or bar chart over time, read out."""
    return " ".join(series_sentence(s, chart.unit, granularity) for s in chart.series)


def categories_summary(values: Sequence[tuple[str, Decimal | None]], unit: Unit) -> str:
    """Bars by category (a distribution, a split) read out one by one."""
    parts = [
        _("%(category)s: %(value)s") % {"category": label, "value": format_value(value, unit)}
        for label, value in values
    ]
    return "; ".join(parts) + "."


def cohort_summary(
    *,
    cohorts: Sequence[str],
    offsets: Sequence[int],
    at_offset: int | None,
    best: tuple[str, Decimal] | None,
    worst: tuple[str, Decimal] | None,
    compared: int,
    missing: int,
) -> str:
    """A cohort heat map read out: its extent, then the best and worst cohort at one offset
    (month 6 when there is one), of the `compared` cohorts with a value there."""
    sentence = ngettext(
        "%(count)s cohort, from %(first)s to %(last)s, followed for up to %(months)s months.",
        "%(count)s cohorts, from %(first)s to %(last)s, followed for up to %(months)s months.",
        len(cohorts),
    ) % {
        "count": len(cohorts),
        "first": cohorts[0],
        "last": cohorts[-1],
        "months": max(offsets, default=0),
    }
    if at_offset is not None and best is not None and worst is not None:
        if compared == 1:
            sentence += " " + _("In month %(month)s: %(cohort)s at %(value)s.") % {
                "month": at_offset,
                "cohort": best[0],
                "value": format_value(best[1], "share"),
            }
        elif best[1] == worst[1]:
            sentence += " " + _("In month %(month)s every cohort is at %(value)s.") % {
                "month": at_offset,
                "value": format_value(best[1], "share"),
            }
        else:
            sentence += " " + _(
                "In month %(month)s the best cohort is %(best)s at %(best_value)s and the worst "
                "is %(worst)s at %(worst_value)s."
            ) % {
                "month": at_offset,
                "best": best[0],
                "best_value": format_value(best[1], "share"),
                "worst": worst[0],
                "worst_value": format_value(worst[1], "share"),
            }
    if missing:
        sentence += " " + ngettext(
            "%(count)s cell has no data.", "%(count)s cells have no data.", missing
        ) % {"count": missing}
    return sentence


def network_summary(
    *,
    nodes: int,
    links: int,
    total: Decimal,
    top: Sequence[tuple[str, str, Decimal]],
    grouped: int,
    undrawn: int = 0,
) -> str:
    """An org-to-org graph read out: its size, its three strongest links, and what the drawing
    groups or leaves out."""
    sentence = _("%(nodes)s org units, %(links)s links, %(total)s in all.") % {
        "nodes": format_value(nodes, "count"),
        "links": format_value(links, "count"),
        "total": format_value(total, "count"),
    }
    if top:
        sentence += " " + _("Strongest links: %(links)s.") % {
            "links": "; ".join(
                _("%(source)s to %(target)s: %(weight)s")
                % {"source": source, "target": target, "weight": format_value(weight, "count")}
                for source, target, weight in top
            )
        }
    if grouped:
        sentence += " " + ngettext(
            "%(count)s smaller org unit is grouped as Other.",
            "%(count)s smaller org units are grouped as Other.",
            grouped,
        ) % {"count": grouped}
    if undrawn:
        sentence += " " + ngettext(
            "The lightest link is not drawn; the table lists every link.",
            "The %(count)s lightest links are not drawn; the table lists every link.",
            undrawn,
        ) % {"count": format_value(undrawn, "count")}
    return sentence
