"""The words and scales every chart shares: round ticks, values formatted per unit, short
stable coordinates, cut labels, thinned bucket labels and the inferred granularity."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.formats import number_format

from practica.metrics.charts.axes import (
    coordinate,
    format_value,
    grouped_number,
    infer_granularity,
    labelled_indices,
    nice_ticks,
    number_style,
    offset_of,
    truncate,
)
from tests.metrics.test_charts import months

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("low", "high", "unit", "expected"),
    [
        (0, 7012, "count", [0, 2000, 4000, 6000, 8000]),
        (-3, 3, "count", [-4, -2, 0, 2, 4]),
        (0, 0, "count", [0, 1]),
        (0, 3, "count", [0, 1, 2, 3]),
        (0, 0.375, "share", [0, 0.1, 0.2, 0.3, 0.4]),
        (5, 5, "hours", [0, 1, 2, 3, 4, 5]),
    ],
)
def test_ticks_are_round_and_cover_the_values(low, high, unit, expected):
    assert nice_ticks(low, high, unit=unit) == expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (Decimal(7000), "count", "7,000"),
        (Decimal("12.5"), "count", "12.5"),
        (Decimal("0.4251"), "share", "42.5\u00a0%"),
        (Decimal("-0.0001"), "share", "0.0\u00a0%"),
        (Decimal("3.25"), "hours", "3.3 h"),
        (Decimal("4.125"), "score", "4.13"),
        (Decimal("0.5"), "ratio", "0.50"),
        (None, "count", "no data"),
    ],
)
def test_values_read_as_people_expect(value, unit, expected):
    assert format_value(value, unit) == expected


@pytest.mark.parametrize("language", ["en", "zh-hans", "de", "fr", "hi"])
@pytest.mark.parametrize(
    ("value", "places"),
    [
        (0, 0),
        (-1234567, 0),
        (10**20, 0),
        (7, 2),
        (Decimal("1234.5"), 1),
        (Decimal("-1234.50"), 2),
        (Decimal("999999.999"), 3),
        (Decimal("1E+3"), 0),
        (Decimal("-0.5"), 1),
        (Decimal("123456789.12"), 2),
    ],
)
def test_grouped_numbers_read_as_django_formats_them_in_every_language(language, value, places):
    # The fast path (languages grouping in threes) and Django's own (zh-hans groups in fours,
    # Hindi irregularly) agree with number_format, with a style read beforehand or not.
    with translation.override(language):
        expected = number_format(value, places, force_grouping=True)
        assert grouped_number(value, places) == expected
        assert grouped_number(value, places, number_style()) == expected


def test_coordinates_are_short_and_stable():
    assert [coordinate(v) for v in (1.0, -0.04, 2.25, 10.06)] == ["1", "0", "2.2", "10.1"]


def test_truncate_keeps_short_text_and_cuts_long_text():
    assert truncate("Short", 10) == "Short"
    assert truncate("A rather long label", 10) == "A rather…"
    assert truncate("  spaced\n out  ", 20) == "spaced out"


def test_labels_land_on_round_dates_when_thinned():
    starts = months(155)
    chosen = labelled_indices(starts, "month", room=10)
    assert all(starts[i].month == 1 for i in chosen)
    assert len(chosen) <= 13


@pytest.mark.parametrize(
    ("starts", "expected"),
    [
        ([], "day"),
        ([date(2026, 5, 1)], "month"),
        ([date(2026, 5, 6)], "day"),
        ([date(2026, 5, 4), date(2026, 5, 11)], "week"),
        ([date(2026, 2, 1), date(2026, 3, 1)], "month"),
        ([date(2026, 1, 1), date(2026, 4, 1)], "quarter"),
        ([date(2020, 1, 1), date(2021, 1, 1)], "year"),
    ],
)
def test_granularity_is_inferred_from_the_buckets(starts, expected):
    assert infer_granularity(starts) == expected


@pytest.mark.parametrize(
    ("column", "expected"),
    [("6", 6), ("Month 6", 6), ("第 6 月", 6), ("Size", None), ("Cohort", None)],
)
def test_heat_map_columns_are_read_by_their_offset(column, expected):
    assert offset_of(column) == expected
