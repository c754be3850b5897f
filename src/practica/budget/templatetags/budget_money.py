"""Money in templates: `{{ amount|money:currency }}` → `1,250.00 USD`."""

from decimal import Decimal

from django import template

from practica.budget.money import format_money

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str = "") -> str:
    """The amount with two decimals and grouping in the active language, then the currency;
    an em dash for no amount."""
    if amount is None or amount == "":
        return "—"
    return format_money(Decimal(amount), currency)
