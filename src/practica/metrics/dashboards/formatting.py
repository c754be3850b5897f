"""Figures as people read them on the dashboards: counts grouped, shares as percentages, hours
with "h". The CSV exports keep the raw values; only the pages use these."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from practica.metrics.charts.axes import NumberStyle, grouped_number
from practica.metrics.queries.types import Cell, Unit

# Decimal places shown per unit; counts and scores are whole unless the figure itself has
# decimals (an NPS of 23.4 is not 23: its one decimal is what the pulse pages show too).
SHOWN_PLACES: dict[str, int] = {"count": 0, "share": 1, "hours": 1, "score": 0, "ratio": 2}
WHOLE_UNLESS_FRACTIONAL = frozenset({"count", "score"})


def places(value: Decimal, decimals: int, style: NumberStyle | None = None) -> str:
    """`value` rounded half up (as people expect; number_format truncates), localised."""
    rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return grouped_number(rounded, decimals, style)


def format_value(value: Decimal | int | None, unit: Unit | str) -> str:
    """One figure with its unit, or "no data" (never 0) when there is nothing to measure."""
    if value is None:
        return _("no data")
    value = Decimal(value)
    if unit == "share":
        return _("%(value)s per cent") % {"value": places(value * 100, SHOWN_PLACES["share"])}
    if unit == "hours":
        return _("%(value)s h") % {"value": places(value, SHOWN_PLACES["hours"])}
    if unit in WHOLE_UNLESS_FRACTIONAL and value != value.to_integral_value():
        return places(value, 1)
    return places(value, SHOWN_PLACES.get(unit, 2))


def format_difference(value: Decimal, unit: Unit | str) -> str:
    """The size of a change (always positive): shares in percentage points."""
    value = abs(value)
    if unit == "share":
        return _("%(value)s percentage points") % {"value": places(value * 100, 1)}
    return format_value(value, unit)


def format_cell(cell: Cell, style: NumberStyle | None = None) -> str:
    """A table cell on the page: numbers grouped, at most three decimals; "" for no data.
    `style`: the active language's, when the caller formats many cells."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return _("yes") if cell else _("no")
    if isinstance(cell, int):
        return grouped_number(cell, 0, style)
    if isinstance(cell, Decimal):
        if cell == cell.to_integral_value():
            return grouped_number(cell.quantize(Decimal(1)), 0, style)
        exponent = cell.normalize().as_tuple().exponent
        decimals = min(3, -exponent) if isinstance(exponent, int) else 3
        return places(cell, decimals, style)
    return str(cell)


def format_n(n: int | None) -> str:
    """The n a figure is over, as shown beside it ("n = 1,204"), or "" when it has none."""
    if n is None:
        return ""
    return _("n = %(n)s") % {"n": grouped_number(n, 0)}
