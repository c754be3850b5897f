"""How the panels write their figures: counts, shares (pooled numerator ÷ pooled denominator,
four decimals, half up, None over an empty denominator) and ratios, as headlines, points and
table cells. Values follow `metrics/definitions/figures.py`."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from practica.metrics.definitions.figures import count_value, share_value
from practica.metrics.queries.types import Headline, Point

RATIO_PLACES = Decimal("0.01")

__all__ = [
    "count_headline",
    "count_or_none",
    "count_point",
    "ratio_value",
    "share_headline",
    "share_point",
    "share_value",
]


def count_or_none(count: int | None) -> Decimal | None:
    return None if count is None else count_value(count)


def ratio_value(part: int, whole: int) -> Decimal | None:
    """`part ÷ whole` with two decimals (e.g. reviews per reviewer), None when `whole` is 0."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)


def count_headline(
    key: str, label: str, count: int | None, *, n: int | None = None, note: str = ""
) -> Headline:
    """A count for the period (with the n it is out of, if any); None when there is no data
    at all."""
    return Headline(key=key, label=label, unit="count", value=count_or_none(count), n=n, note=note)


def share_headline(key: str, label: str, part: int | None, whole: int | None) -> Headline:
    """A share with its n (the denominator); None when there is nothing to divide by."""
    if part is None or whole is None:
        return Headline(key=key, label=label, unit="share", value=None, n=whole)
    return Headline(key=key, label=label, unit="share", value=share_value(part, whole), n=whole)


def count_point(start: date, count: int | None) -> Point:
    return Point(start=start, value=count_or_none(count))


def share_point(start: date, part: int | None, whole: int | None) -> Point:
    if part is None or whole is None:
        return Point(start=start, value=None, n=whole)
    return Point(start=start, value=share_value(part, whole), n=whole)
