"""The program dashboard: every registered metric for every community, the best marked, the
values formatted, exported and drawn."""

import logging
from decimal import Decimal

import pytest
from django.utils import translation

from practica.communities.program.charts import BAR_WIDTH, bar_width, metric_chart_svg
from practica.communities.program.dashboard import (
    dashboard_table,
    format_metric_value,
    program_dashboard,
    rounded_metric_value,
)
from tests.communities.program.conftest import NOON
from tests.factories.program import fake_metric

pytestmark = [pytest.mark.unit]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (None, "count", "no data"),
        (Decimal(7000), "count", "7,000"),
        (Decimal("0.625"), "share", "62.5 %"),
        (Decimal("1.25"), "hours", "1.3 h"),
        (Decimal("0.66666"), "share", "66.7 %"),
        (Decimal("4.333"), "score", "4.33"),
    ],
)
def test_values_read_as_people_expect(value, unit, shown):
    assert format_metric_value(value, unit) == shown


@pytest.mark.parametrize(
    ("value", "unit", "rounded"),
    [
        (Decimal(12), "count", "12"),
        (Decimal("12.5"), "count", "12.50"),
        (Decimal(2) / Decimal(3), "share", "0.6667"),
        (Decimal("1.005"), "hours", "1.01"),
        (None, "share", None),
    ],
)
def test_raw_values_are_rounded_for_export(value, unit, rounded):
    result = rounded_metric_value(value, unit)
    assert (None if result is None else str(result)) == rounded


@pytest.mark.django_db
def test_every_metric_for_every_community_with_the_best_marked(fake_metrics, program, ml, ai):
    fake_metrics(
        fake_metric("members", {ml.pk: Decimal(7000), ai.pk: Decimal(1200)}),
        fake_metric(
            "median_first_response_hours",
            {ml.pk: Decimal("1.5"), ai.pk: Decimal("3.0")},
            unit="hours",
            better="lower",
        ),
        fake_metric("csat", {ml.pk: Decimal("0.9")}, unit="share"),
        fake_metric("retention", {ml.pk: Decimal("0.6"), ai.pk: Decimal("0.6")}, unit="share"),
    )

    dashboard = program_dashboard(program, as_of=NOON)

    assert [label.name for label in dashboard.communities] == [
        "Artificial Intelligence",
        "Machine Learning",
    ]
    rows = {row.metric.key: row for row in dashboard.rows}
    assert list(rows) == ["members", "median_first_response_hours", "csat", "retention"]

    def best(key):
        return [value.community.name for value in rows[key].values if value.is_best]

    assert best("members") == ["Machine Learning"]
    assert best("median_first_response_hours") == ["Machine Learning"]
    assert best("csat") == []  # only one community measured: nothing to compare
    assert best("retention") == []  # a tie stands out for nobody
    assert [value.value for value in rows["csat"].values] == [None, Decimal("0.9")]
    assert rows["csat"].has_data


@pytest.mark.django_db
def test_metrics_are_computed_as_of_the_moment_given(fake_metrics, program, ml):
    seen = []
    fake_metrics(fake_metric("members", lambda pk, as_of: seen.append((pk, as_of)) or Decimal(1)))

    program_dashboard(program, as_of=NOON)

    assert seen == [(ml.pk, NOON)]


@pytest.mark.django_db
def test_a_failing_metric_is_shown_unavailable_and_logged(fake_metrics, program, ml, caplog):
    def broken(pk, as_of):
        raise ZeroDivisionError

    fake_metrics(fake_metric("broken", broken), fake_metric("members", {ml.pk: Decimal(3)}))

    with caplog.at_level(logging.ERROR, logger="practica.communities.program"):
        dashboard = program_dashboard(program, as_of=NOON)

    broken_row, members_row = dashboard.rows
    [value] = broken_row.values
    assert value.failed
    assert value.value is None
    assert members_row.values[0].value == Decimal(3)
    assert "Metric broken failed" in caplog.text


@pytest.mark.django_db
def test_no_metrics_registered_means_no_rows(fake_metrics, program, ml):
    assert program_dashboard(program, as_of=NOON).rows == []


@pytest.mark.django_db
def test_the_table_has_a_column_per_community_and_raw_values(fake_metrics, program, ml, ai):
    fake_metrics(
        fake_metric(
            "answered_share", {ai.pk: Decimal(2) / Decimal(3)}, unit="share", label="Answered"
        )
    )

    header, rows = dashboard_table(program_dashboard(program, as_of=NOON))

    assert header == [
        "Metric",
        "Key",
        "Unit",
        "Better",
        "Artificial Intelligence",
        "Machine Learning",
    ]
    assert rows == [["Answered", "answered_share", "share", "higher", "0.6667", ""]]


# --- Charts --------------------------------------------------------------------------------


def test_bars_are_in_proportion_with_a_visible_sliver_for_small_values():
    assert bar_width(Decimal(50), Decimal(100)) == BAR_WIDTH / 2
    assert bar_width(Decimal("0.0001"), Decimal(100)) == 2
    assert bar_width(None, Decimal(100)) == 0
    assert bar_width(Decimal(0), Decimal(100)) == 0
    assert bar_width(Decimal(5), Decimal(0)) == 0


@pytest.mark.django_db
def test_the_chart_reads_out_every_value(fake_metrics, program, ml, ai):
    fake_metrics(
        fake_metric("csat", {ml.pk: Decimal("0.5")}, unit="share", label="Satisfaction <CSAT>")
    )
    [row] = program_dashboard(program, as_of=NOON).rows

    svg = str(metric_chart_svg(row, chart_id="metric-1"))

    assert 'role="img"' in svg
    assert '<title id="metric-1-title">Satisfaction &lt;CSAT&gt;</title>' in svg
    assert "Artificial Intelligence: no data; Machine Learning: 50.0 % (higher is better)" in svg
    # A share is drawn against 100 %: half the track.
    assert f'width="{BAR_WIDTH / 2}"' in svg
    assert svg.count('class="pc-bar"') == 2
