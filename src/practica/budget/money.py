"""Amounts of money and currency codes as every budget form, endpoint and service takes them.

Money is a `Decimal` with two places in a budget's currency. Zero makes sense for a planned
amount or an amount spent, never for an expense, a request or an approval; anything above
`MAX_AMOUNT` is taken for a typing slip (a community budget is never that large).
"""

import re
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

MAX_AMOUNT = Decimal("10000000.00")
CENT = Decimal("0.01")
CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")


def format_money(amount: Decimal, currency: str = "") -> str:
    """`1,250.00 USD` in the active language's number format."""
    text = number_format(amount, 2, force_grouping=True)
    return f"{text} {currency}".strip()


def clean_amount(value: Any, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """`value` as a Decimal with two places, or a ValidationError on `field` that says what is
    wrong: not a number, more than two decimals, negative, zero (unless `allow_zero`), or
    above `MAX_AMOUNT`."""
    if isinstance(value, bool) or value is None or value == "":
        raise ValidationError({field: _("Enter an amount, e.g. 1250.50.")})
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter an amount as a number, e.g. 1250.50.")}) from None
    if not amount.is_finite():
        raise ValidationError({field: _("Enter an amount as a number, e.g. 1250.50.")})
    if amount < 0:
        raise ValidationError({field: _("The amount cannot be negative.")})
    if amount > MAX_AMOUNT:
        raise ValidationError(
            {
                field: _("%(amount)s is above the limit of %(limit)s: check the figure.")
                % {
                    "amount": number_format(amount, 2, force_grouping=True),
                    "limit": number_format(MAX_AMOUNT, 0, force_grouping=True),
                }
            }
        )
    if amount != amount.quantize(CENT, rounding=ROUND_DOWN):
        raise ValidationError({field: _("Give the amount with at most two decimals.")})
    if amount == 0 and not allow_zero:
        raise ValidationError({field: _("The amount must be more than zero.")})
    return amount.quantize(CENT)


def clean_currency(value: Any, *, field: str = "currency") -> str:
    """A three-letter ISO 4217 code in capitals (`usd` → `USD`)."""
    code = str(value or "").strip().upper()
    if not CURRENCY_CODE.match(code):
        raise ValidationError({field: _("Give the currency as its three-letter code, e.g. USD.")})
    return code
