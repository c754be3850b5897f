"""How a metric's value is written: counts as whole numbers, shares as fractions with four
decimals, hours with two; each rounded half up from the exact value."""

from decimal import ROUND_HALF_UP, Decimal

SHARE_PLACES = Decimal("0.0001")
HOURS_PLACES = Decimal("0.01")
SECONDS_PER_HOUR = 3600


def count_value(count: int) -> Decimal:
    return Decimal(count)


def share_value(part: int, whole: int) -> Decimal | None:
    """`part ÷ whole` as a fraction 0–1, or None when `whole` is 0 (nothing to measure)."""
    if whole == 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)


def hours_value(seconds: Decimal | float | None) -> Decimal | None:
    if seconds is None:
        return None
    hours = Decimal(str(seconds)) / SECONDS_PER_HOUR
    return hours.quantize(HOURS_PLACES, rounding=ROUND_HALF_UP)
