"""The dashboards' assembling, without pages: formatting, pairing charts with their tables,
the report's months and the month summary's sentences."""

from datetime import date
from decimal import Decimal

import pytest

from practica.metrics.dashboards.formatting import format_cell, format_difference, format_value
from practica.metrics.dashboards.forms import used_params
from practica.metrics.dashboards.month_summary import compare_months
from practica.metrics.dashboards.panel_display import (
    ROWS_SHOWN,
    display_table,
    pair_charts_with_tables,
)
from practica.metrics.dashboards.report import last_full_month, report_month
from practica.metrics.queries.types import Chart, Headline, Table

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (None, "count", "no data"),
        (Decimal(1234), "count", "1,234"),
        (Decimal("0.4567"), "share", "45.7 per cent"),
        (Decimal("3.25"), "hours", "3.3 h"),
        (Decimal(-12), "score", "-12"),
        # An NPS keeps its one decimal (the pulse pages show 23.4; the dashboard must not say 23).
        (Decimal("23.4"), "score", "23.4"),
        (Decimal("-0.5"), "score", "-0.5"),
        (Decimal("1.5"), "ratio", "1.50"),
    ],
)
def test_figures_read_as_people_expect(settings, value, unit, text):
    settings.USE_THOUSAND_SEPARATOR = True
    assert format_value(value, unit) == text


def test_changes_are_sizes_and_shares_change_in_points():
    assert format_difference(Decimal(-12), "count") == "12"
    # A change of an NPS below one point is told, not rounded away to "up 0".
    assert format_difference(Decimal("0.3"), "score") == "0.3"
    assert format_difference(Decimal("0.05"), "share") == "5.0 percentage points"


def test_cells_keep_their_figures_readable():
    assert format_cell(None) == ""
    assert format_cell("Talk") == "Talk"
    assert format_cell(Decimal("0.12345")) == "0.123"
    assert format_cell(Decimal("2.50")) == "2.5"


def table(key: str, title: str) -> Table:
    return Table(key=key, title=title, columns=("Start", "Value"), rows=(("2026-01-01", 1),))


def chart(title: str, *, drawn: Table | None = None) -> Chart:
    return Chart(kind="line", title=title, description="", unit="count", table=drawn)


def test_a_chart_goes_with_the_table_it_draws_or_of_its_title_or_in_its_place():
    cohorts, members, sources = table("cohorts", "Cohorts"), table("m", "Members"), table("s", "X")
    pairs, rest = pair_charts_with_tables(
        [chart("Members"), chart("Retention", drawn=cohorts), chart("Sources")],
        [members, cohorts, sources],
    )
    assert [found for _, found in pairs] == [members, cohorts, sources]
    assert rest == []


def test_tables_no_chart_draws_are_left_over():
    members, formats = table("m", "Members"), table("f", "By format")
    pairs, rest = pair_charts_with_tables([chart("Members")], [members, formats])
    assert [found for _, found in pairs] == [members]
    assert rest == [formats]


@pytest.mark.parametrize(
    ("year", "month", "allowed"),
    [
        (2026, 10, True),
        (2026, 11, True),
        (2026, 12, False),
        (2026, 13, False),
        (1999, 12, False),
        (2000, 1, True),
        (2026, 0, False),
    ],
)
def test_a_report_exists_for_months_from_2000_to_this_one(year, month, allowed):
    assert (report_month(year=year, month=month, today=TODAY) is not None) == allowed


def test_a_report_month_knows_its_end_and_neighbours():
    october = report_month(year=2026, month=10, today=TODAY)
    assert october.end == date(2026, 10, 31)
    assert october.complete
    assert october.previous == date(2026, 9, 1)
    assert october.next(today=TODAY) == date(2026, 11, 1)
    november = report_month(year=2026, month=11, today=TODAY)
    assert november.end == TODAY
    assert not november.complete
    assert november.next(today=TODAY) is None
    assert report_month(year=2000, month=1, today=TODAY).previous is None
    assert last_full_month(TODAY) == date(2026, 10, 1)
    assert last_full_month(date(2026, 1, 5)) == date(2025, 12, 1)


def headline(key: str, value, unit="count", label="") -> Headline:
    return Headline(
        key=key, label=label or key, unit=unit, value=None if value is None else Decimal(value)
    )


def test_the_month_is_told_in_sentences_with_its_direction():
    lines = compare_months(
        [
            headline("joined", 142),
            headline("members", 7000),
            headline("median_first_response_hours", "2.5", "hours", "Median time to answer"),
            headline("nps", None, "score", "NPS"),
            headline("csat", "0.9", "share", "Satisfied"),
        ],
        [
            headline("joined", 130),
            headline("members", 7010),
            headline("median_first_response_hours", "3", "hours", "Median time to answer"),
            headline("nps", 30, "score", "NPS"),
        ],
        previous_month_name="October",
    )
    joined, members, median, nps, csat = lines
    assert joined.sentence == "142 people joined, 12 more than in October."
    assert (joined.direction, joined.arrow, joined.direction_text, joined.better) == (
        "up",
        "▲",
        "up",
        True,
    )
    assert members.sentence == (
        "The community has 7,000 members, 10 fewer than at the end of October."
    )
    assert members.better is False
    assert median.sentence == ("Median time to answer: 2.5 h, down 0.5 h from 3.0 h in October.")
    assert median.better is True  # a faster answer is good news
    assert nps.sentence == "NPS: no data yet this month."
    assert nps.direction == "unknown"
    assert nps.better is None
    assert csat.sentence == "Satisfied: 90.0 per cent (nothing to compare with in October)."


def test_one_joiner_and_no_change_read_naturally():
    lines = compare_months(
        [headline("joined", 1), headline("active_28d", 5, label="Active")],
        [headline("joined", 3), headline("active_28d", 5, label="Active")],
        previous_month_name="May",
    )
    assert lines[0].sentence == "1 person joined, 2 fewer than in May."
    assert lines[1].sentence == "Active: 5, the same as in May."
    assert lines[1].direction_text == "no change"


def test_a_preset_period_drops_the_dates_the_form_sent():
    assert used_params({"period": "30d", "start": "2020-01-01", "end": "", "role": ""}) == {
        "period": "30d"
    }
    assert used_params({"period": "custom", "start": "2020-01-01"}) == {
        "period": "custom",
        "start": "2020-01-01",
    }
    assert used_params({"start": "2020-01-01", "end": "2020-02-01"}) == {
        "start": "2020-01-01",
        "end": "2020-02-01",
    }


def test_a_long_table_shows_its_first_rows_and_leaves_the_rest_to_the_csv():
    rows = tuple((f"unit {index}", index) for index in range(ROWS_SHOWN + 40))
    table = Table(key="edges", title="Who helps whom", columns=("Unit", "Answers"), rows=rows)
    shown = display_table(table, panel_key="collaboration", prefix="", csv_url=lambda p, t: "/x")
    assert len(shown.rows) == ROWS_SHOWN
    assert shown.rows[0] == ("unit 0", "0")
    assert shown.total_rows == ROWS_SHOWN + 40
    assert shown.hidden_rows == 40
    assert shown.numeric == (False, True)


def test_a_short_table_hides_nothing():
    table = Table(key="t", title="T", columns=("A",), rows=((1,), (2,)))
    shown = display_table(table, panel_key="growth", prefix="", csv_url=lambda p, t: "/x")
    assert shown.hidden_rows == 0
    assert len(shown.rows) == 2
