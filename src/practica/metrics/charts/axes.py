"""Scales, ticks and the words for numbers and buckets, shared by every chart kind.

Numbers are formatted the way the rest of the site shows them: counts grouped ("7,000"),
shares as per cent with one decimal ("42.5 %"), hours with "h", scores and ratios with two
decimals. Buckets are labelled by the granularity the points were built at (inferred from
the distance between their start days when the caller does not say).
"""

import functools
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from practica.metrics.queries.types import Unit

GRANULARITIES = ("day", "week", "month", "quarter", "year")
# How far apart bucket labels may be, in buckets, per granularity: round steps people read
# easily (every week, every quarter, every January).
LABEL_STEPS: dict[str, tuple[int, ...]] = {
    "day": (1, 2, 7, 14, 28, 56, 91, 182, 364),
    "week": (1, 2, 4, 8, 13, 26, 52, 104),
    "month": (1, 2, 3, 6, 12, 24, 36, 60, 120),
    "quarter": (1, 2, 4, 8, 20, 40),
    "year": (1, 2, 5, 10, 20, 50),
}
ELLIPSIS = "…"


def coordinate(value: float) -> str:
    """A coordinate as written in the SVG: one decimal, no "-0", no trailing ".0", so the
    output is stable from run to run."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def truncate(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, the last one an ellipsis when anything was cut."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else f"{text[: max(limit - 1, 1)].rstrip()}{ELLIPSIS}"


# ---------- numbers ----------


@dataclass(frozen=True)
class NumberStyle:
    """A language's decimal and thousand separators, and whether it groups digits in threes
    (otherwise, e.g. in fours, `grouped_number` leaves the number to Django)."""

    decimal: str
    thousands: str
    in_threes: bool


@functools.lru_cache(maxsize=16)
def _number_style(language: str | None) -> NumberStyle:
    return NumberStyle(
        decimal=formats.get_format("DECIMAL_SEPARATOR", language),
        thousands=formats.get_format("THOUSAND_SEPARATOR", language),
        in_threes=formats.get_format("NUMBER_GROUPING", language) == 3,
    )


def number_style() -> NumberStyle:
    """The active language's `NumberStyle`: read it once to format many numbers (reading the
    active language costs more than formatting a number)."""
    return _number_style(get_language())


def grouped_number(value: Decimal | int, places: int, style: NumberStyle | None = None) -> str:
    """`value` (already rounded to `places`) in the active language's `style`, grouped whatever
    USE_THOUSAND_SEPARATOR says: what `number_format(..., force_grouping=True)` gives, at a
    fraction of its cost, since a dashboard page formats thousands of numbers."""
    style = style or number_style()
    if not style.in_threes:
        return formats.number_format(value, places, force_grouping=True)
    if isinstance(value, int):
        text = f"{value:,}" + ("." + "0" * places if places > 0 else "")
    else:
        text = format(value, f",.{places}f")
    return text.translate({ord(","): style.thousands, ord("."): style.decimal})


def _rounded(value: Decimal, places: int) -> str:
    # number_format cuts decimals off; round half up first, as people expect.
    quantized = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if quantized == 0:
        quantized = abs(quantized)  # never "-0"
    return grouped_number(quantized, places)


def decimal_cell(cell: object) -> Decimal | None:
    """A table cell as a finite number, or None (empty, not a number, infinite, NaN)."""
    if cell is None or cell == "":
        return None
    try:
        value = cell if isinstance(cell, Decimal) else Decimal(str(cell))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _decimal(value: Decimal | float | int) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def format_value(value: Decimal | float | int | None, unit: Unit) -> str:
    """A value as people read it in the text alternative and on labels."""
    if value is None:
        return _("no data")
    number = _decimal(value)
    if unit == "count":
        places = 0 if number == number.to_integral_value() else 1
        return _rounded(number, places)
    if unit == "share":
        return f"{_rounded(number * 100, 1)}\u00a0%"
    if unit == "hours":
        return _("%(value)s h") % {"value": _rounded(number, 1)}
    return _rounded(number, 2)


def format_change(delta: Decimal, unit: Unit) -> str:
    """The size of a change between two values (always positive; the words say the
    direction). A change in a share is in percentage points, not per cent."""
    size = abs(delta)
    if unit == "share":
        return _("%(value)s percentage points") % {"value": _rounded(size * 100, 1)}
    return format_value(size, unit)


def _tick_places(step: float) -> int:
    if step <= 0:
        return 0
    return max(0, -math.floor(math.log10(step) + 1e-9))


def format_tick(value: float, unit: Unit, step: float) -> str:
    """An axis tick: as many decimals as the tick step needs, no more."""
    scaled_step = step * 100 if unit == "share" else step
    places = _tick_places(scaled_step)
    if unit == "share":
        return f"{_rounded(_decimal(value * 100), places)}\u00a0%"
    text = _rounded(_decimal(value), places)
    if unit == "hours":
        return _("%(value)s h") % {"value": text}
    return text


# ---------- scales ----------


def nice_step(span: float, target: int) -> float:
    """A round step (1, 2, 2.5 or 5 × 10^k) giving about `target` intervals over `span`."""
    if span <= 0:
        return 1.0
    rough = span / max(target, 1)
    magnitude = 10 ** math.floor(math.log10(rough))
    for factor in (1, 2, 2.5, 5, 10):
        if rough <= factor * magnitude + 1e-12:
            return factor * magnitude
    return 10 * magnitude


def nice_ticks(low: float, high: float, *, target: int = 5, unit: Unit = "count") -> list[float]:
    """Round tick values covering [low, high] (zero included when the range spans it).

    Counts never get fractional ticks; a flat range gets a range around it."""
    if high < low:
        low, high = high, low
    if high == low:
        if high == 0:
            high = 1.0
        elif high > 0:
            low = min(low, 0.0)
        else:
            high = 0.0
    step = nice_step(high - low, target)
    if unit == "count" and step < 1:
        step = 1.0
    first = math.floor(low / step + 1e-9) * step
    last = math.ceil(high / step - 1e-9) * step
    count = round((last - first) / step)
    return [round(first + index * step, 10) for index in range(count + 1)]


@dataclass(frozen=True)
class LinearScale:
    """Maps a value in [low, high] to a coordinate in [start, end] (end may be above start,
    as on a y axis where larger values are drawn higher)."""

    low: float
    high: float
    start: float
    end: float

    def at(self, value: float) -> float:
        if self.high == self.low:
            return (self.start + self.end) / 2
        return self.start + (value - self.low) / (self.high - self.low) * (self.end - self.start)


def value_range(values: Sequence[float], *, include_zero: bool = True) -> tuple[float, float]:
    """The smallest and largest value to draw (zero included when asked, as bars need)."""
    low = min(values, default=0.0)
    high = max(values, default=0.0)
    if include_zero:
        low, high = min(low, 0.0), max(high, 0.0)
    return low, high


# ---------- buckets ----------


def infer_granularity(starts: Sequence[date]) -> str:
    """The bucket size the points were built at, from the gap between their start days."""
    ordered = sorted(set(starts))
    if len(ordered) < 2:
        only = ordered[0] if ordered else None
        return "month" if only is not None and only.day == 1 else "day"
    gap = min((b - a).days for a, b in itertools.pairwise(ordered))
    if gap <= 1:
        return "day"
    if gap <= 7:
        return "week"
    if gap <= 31:
        return "month"
    if gap <= 92:
        return "quarter"
    return "year"


def _quarter(start: date) -> str:
    return _("Q%(quarter)s %(year)s") % {"quarter": (start.month - 1) // 3 + 1, "year": start.year}


def bucket_label(start: date, granularity: str) -> str:
    """A short axis label for the bucket starting on `start` ("3 Nov", "Nov 2026", "Q4 2026")."""
    if granularity in ("day", "week"):
        return formats.date_format(start, "j M")
    if granularity == "month":
        return formats.date_format(start, "M Y")
    if granularity == "quarter":
        return _quarter(start)
    return str(start.year)


def bucket_name(start: date, granularity: str) -> str:
    """The bucket in words, for the text alternative ("November 2026", "the week of 3
    November 2026")."""
    if granularity == "day":
        return formats.date_format(start, "DATE_FORMAT")
    if granularity == "week":
        return _("the week of %(day)s") % {"day": formats.date_format(start, "DATE_FORMAT")}
    if granularity == "month":
        return formats.date_format(start, "YEAR_MONTH_FORMAT")
    if granularity == "quarter":
        return _quarter(start)
    return str(start.year)


def _bucket_ordinal(start: date, granularity: str) -> int:
    # Ordinals that make "every n-th bucket" land on round dates (January, a Monday, …).
    if granularity == "day":
        return start.toordinal()
    if granularity == "week":
        return start.toordinal() // 7
    if granularity == "month":
        return start.year * 12 + start.month - 1
    if granularity == "quarter":
        return start.year * 4 + (start.month - 1) // 3
    return start.year


def labelled_by_month(count: int, granularity: str, *, room: int) -> bool:
    """Whether so many days or weeks are drawn that only month starts get a label (which then
    name the month and year, "Jan 2027", not the day)."""
    needed = math.ceil(count / max(room, 1))
    return (granularity == "day" and needed > 7) or (granularity == "week" and needed > 4)


def _month_starts(starts: Sequence[date], *, room: int) -> list[int]:
    """Days or weeks labelled at the first bucket of every n-th month (n = 1, 2, 3, 6, 12)."""
    firsts = [
        index
        for index, start in enumerate(starts)
        if index == 0
        or (start.year, start.month) != (starts[index - 1].year, starts[index - 1].month)
    ]
    for step in (1, 2, 3, 6, 12, 24, 60):
        chosen = [i for i in firsts if (starts[i].year * 12 + starts[i].month - 1) % step == 0]
        # The partial first month is labelled only when it is the first of its month.
        chosen = [i for i in chosen if i or starts[0].day == 1 or len(starts) < 2]
        if len(chosen) <= room:
            return chosen or [0]
    return [0]


def labelled_indices(starts: Sequence[date], granularity: str, *, room: int) -> list[int]:
    """Which buckets get an axis label: every one when they fit in `room` labels, else every
    n-th on a round step, aligned to round dates."""
    if not starts:
        return []
    if len(starts) <= room:
        return list(range(len(starts)))
    if labelled_by_month(len(starts), granularity, room=room):
        return _month_starts(starts, room=room)
    steps = LABEL_STEPS.get(granularity, LABEL_STEPS["day"])
    needed = math.ceil(len(starts) / max(room, 1))
    step = next((s for s in steps if s >= needed), needed)
    chosen = [i for i, s in enumerate(starts) if _bucket_ordinal(s, granularity) % step == 0]
    return chosen or [0]


def offset_of(column: str) -> int | None:
    """The offset a heat map column is named by ("6", "Month 6", "第 6 月" → 6), else None."""
    numbers = re.findall(r"-?\d+", str(column))
    return int(numbers[-1]) if numbers else None
