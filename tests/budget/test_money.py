"""Amounts, currency codes and fiscal years: the rules every budget service and form shares."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from practica.budget.fiscal_years import fiscal_year_of, fiscal_year_period
from practica.budget.money import MAX_AMOUNT, clean_amount, clean_currency

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1250.5", Decimal("1250.50")),
        (" 3 ", Decimal("3.00")),
        (Decimal("0.01"), Decimal("0.01")),
        (10, Decimal("10.00")),
        ("10000000", MAX_AMOUNT),
    ],
)
def test_good_amounts_become_two_place_decimals(value, expected):
    amount = clean_amount(value)
    assert amount == expected
    assert amount.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Enter an amount"),
        (None, "Enter an amount"),
        (True, "Enter an amount"),
        ("ten", "as a number"),
        ("NaN", "as a number"),
        ("Infinity", "as a number"),
        ("-5", "cannot be negative"),
        ("0", "more than zero"),
        ("0.00", "more than zero"),
        ("1.005", "at most two decimals"),
        ("10000000.01", "above the limit"),
        ("1e30", "above the limit"),
    ],
)
def test_bad_amounts_are_refused_with_a_clear_message(value, message):
    with pytest.raises(ValidationError) as refused:
        clean_amount(value, field="amount")
    assert message in refused.value.message_dict["amount"][0]


def test_zero_is_allowed_where_it_makes_sense():
    assert clean_amount("0", allow_zero=True) == Decimal("0.00")
    with pytest.raises(ValidationError):
        clean_amount("-0.01", allow_zero=True)


@given(st.decimals(min_value=Decimal("0.01"), max_value=MAX_AMOUNT, places=2))
def test_any_amount_in_range_passes_unchanged(amount):
    assert clean_amount(str(amount)) == amount


@given(st.decimals(allow_nan=False, allow_infinity=False, max_value=Decimal("-0.01"), places=2))
def test_any_negative_amount_is_refused(amount):
    with pytest.raises(ValidationError):
        clean_amount(amount, allow_zero=True)


@pytest.mark.parametrize(("value", "expected"), [("usd", "USD"), (" EUR ", "EUR"), ("Cny", "CNY")])
def test_currency_codes_are_three_capitals(value, expected):
    assert clean_currency(value) == expected


@pytest.mark.parametrize("value", ["", "US", "USDX", "U$D", "12A", None])
def test_bad_currency_codes_are_refused(value):
    with pytest.raises(ValidationError) as refused:
        clean_currency(value)
    assert "three-letter code" in refused.value.message_dict["currency"][0]


def test_fiscal_years_default_to_calendar_years(settings):
    settings.FISCAL_YEAR_START_MONTH = 1
    assert fiscal_year_period(2025) == (date(2025, 1, 1), date(2025, 12, 31))
    assert fiscal_year_of(date(2025, 12, 31)) == 2025


def test_a_july_fiscal_year_is_named_after_the_year_it_ends_in(settings):
    settings.FISCAL_YEAR_START_MONTH = 7
    assert fiscal_year_period(2025) == (date(2024, 7, 1), date(2025, 6, 30))
    assert fiscal_year_period(2024) == (date(2023, 7, 1), date(2024, 6, 30))
    assert fiscal_year_of(date(2024, 7, 1)) == 2025
    assert fiscal_year_of(date(2025, 6, 30)) == 2025


def test_a_nonsense_start_month_counts_as_january(settings):
    settings.FISCAL_YEAR_START_MONTH = 13
    assert fiscal_year_period(2025) == (date(2025, 1, 1), date(2025, 12, 31))


@given(st.integers(min_value=1, max_value=12), st.dates(date(2001, 1, 1), date(2099, 1, 1)))
def test_every_day_is_in_the_period_of_its_fiscal_year(month, day):
    from django.conf import settings as django_settings

    previous = getattr(django_settings, "FISCAL_YEAR_START_MONTH", 1)
    django_settings.FISCAL_YEAR_START_MONTH = month
    try:
        starts_on, ends_on = fiscal_year_period(fiscal_year_of(day))
        assert starts_on <= day <= ends_on
        assert fiscal_year_of(ends_on + timedelta(days=1)) == fiscal_year_of(day) + 1
    finally:
        django_settings.FISCAL_YEAR_START_MONTH = previous
