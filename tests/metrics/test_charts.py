"""The charts drawn on the server: well-formed SVG, named and described for assistive
technology, with a text alternative that reads out the numbers; escaping of labels; empty,
one-point, many-point, gappy and negative series; bars, stacked bars and histograms.

The chart samples and the SVG reader here are shared with test_charts_heatmap_network.py.
"""

import itertools
import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from practica.metrics.charts import render_chart
from practica.metrics.charts.style import (
    DASHES,
    PALETTE,
    colour,
    dash,
    marker,
    texture_defs,
    texture_fill,
)
from practica.metrics.queries.types import Chart, Point, Series, Table

SVG = "{http://www.w3.org/2000/svg}"
NASTY = '<script>alert("x")</script> & "quotes"'


def months(count: int, *, year: int = 2014, month: int = 1) -> list[date]:
    starts = []
    for index in range(count):
        extra_years, month_index = divmod(month - 1 + index, 12)
        starts.append(date(year + extra_years, month_index + 1, 1))
    return starts


def series(
    values, *, key: str = "members", label: str = "Members", unit="count", starts=None
) -> Series:
    starts = starts or months(len(values))
    return Series(
        key=key,
        label=label,
        unit=unit,
        points=tuple(
            Point(start=start, value=None if value is None else Decimal(str(value)))
            for start, value in zip(starts, values, strict=True)
        ),
    )


def line_chart(*all_series: Series, kind: str = "line", unit: str = "count", **fields) -> Chart:
    return Chart(
        kind=kind,
        title=fields.get("title", "Members over time"),
        description=fields.get("description", "How many members the community has"),
        unit=unit,
        series=all_series,
    )


def draw(chart: Chart, chart_id: str = "chart", **options) -> tuple[str, ET.Element]:
    """The SVG as text and parsed (which fails on anything that is not well-formed XML)."""
    svg = str(render_chart(chart, chart_id=chart_id, **options))
    return svg, ET.fromstring(svg)  # noqa: S314 — our own output, not untrusted input


def desc_of(root: ET.Element) -> str:
    return root.find(f"{SVG}desc").text


def texts(root: ET.Element) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def tooltips(root: ET.Element) -> list[str]:
    """Every `<title>` but the chart's own."""
    return [element.text for element in root.iter(f"{SVG}title")][1:]


def cohort_table(rows, *, offsets: int, with_size: bool = True) -> Table:
    columns = ("Cohort", "Size") if with_size else ("Cohort",)
    return Table(
        key="retention",
        title="Retention by cohort",
        columns=columns + tuple(str(k) for k in range(offsets)),
        rows=tuple(tuple(row) for row in rows),
    )


def heatmap_chart(table: Table | None) -> Chart:
    return Chart(
        kind="heatmap",
        title="Cohort retention",
        description="Share of each join-month cohort active in the months after joining",
        unit="share",
        table=table,
    )


def network_chart(rows) -> Chart:
    return Chart(
        kind="network",
        title="Who helps whom",
        description="Answers from one division to another",
        unit="count",
        table=Table(
            key="org_graph",
            title="Answers between divisions",
            columns=("From", "To", "Answers"),
            rows=tuple(tuple(row) for row in rows),
        ),
    )


pytestmark = pytest.mark.unit

KINDS = ("line", "bar", "stacked_bar", "histogram")


def growth_values() -> list[int]:
    """155 months, January 2014 to November 2026: 800 rising, a peak of 7,012 in October
    2026, 7,000 at the end."""
    return [800 + 40 * index for index in range(153)] + [7012, 7000]


def series_groups(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "metrics-chart-series"]


def x_labels(root: ET.Element) -> list[str]:
    axis = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "metrics-chart-x-axis")
    return ["".join(t.itertext()) for t in axis.iter(f"{SVG}text")]


def y_labels(root: ET.Element) -> list[str]:
    axis = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "metrics-chart-y-axis")
    return ["".join(t.itertext()) for t in axis.iter(f"{SVG}text")]


def bars(root: ET.Element) -> list[ET.Element]:
    """The bar rectangles (each in a group with its tooltip), textures left out."""
    found = []
    for group in root.iter(f"{SVG}g"):
        children = list(group)
        if (
            len(children) >= 2
            and children[0].tag == f"{SVG}title"
            and children[1].tag == (f"{SVG}rect")
        ):
            found.append(children[1])
    return found


# ---------- every kind ----------


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_an_accessible_image(kind):
    chart = line_chart(
        series([3, 5, 4], key="a", label="Alpha"),
        series([1, 2, 6], key="b", label="Beta"),
        kind=kind,
    )
    svg, root = draw(chart, chart_id="growth-members")

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "growth-members-title growth-members-desc"
    assert root.get("width") == "100%"
    assert re.fullmatch(r"0 0 720 \d+(\.\d)?", root.get("viewBox"))
    title = root.find(f"{SVG}title")
    assert title.get("id") == "growth-members-title"
    assert title.text == "Members over time"
    desc = root.find(f"{SVG}desc")
    assert desc.get("id") == "growth-members-desc"
    assert desc.text.startswith("How many members the community has. ")
    assert "Alpha" in desc.text
    assert "Beta" in desc.text
    assert "<script" not in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "style=" not in svg  # presentational attributes only, so print needs no CSS


@pytest.mark.parametrize("kind", KINDS)
def test_labels_title_and_description_are_escaped(kind):
    chart = Chart(
        kind=kind,
        title=NASTY,
        description=NASTY,
        unit="count",
        series=(
            series([1, 2], key="a", label=NASTY),
            series([2, 1], key=NASTY, label="Other"),
        ),
    )
    svg, root = draw(chart, chart_id='x"><script>')

    assert "<script" not in svg
    assert root.find(f"{SVG}title").text == NASTY
    assert NASTY in desc_of(root)
    assert root.get("id") == 'x"><script>'


@pytest.mark.parametrize("kind", KINDS)
def test_output_is_the_same_every_time(kind):
    chart = line_chart(series([1, None, 3.5, 2]), series([2, 2, 2, 2], key="b"), kind=kind)

    assert str(render_chart(chart, chart_id="c")) == str(render_chart(chart, chart_id="c"))


# ---------- empty charts ----------


@pytest.mark.parametrize("kind", [*KINDS, "heatmap", "network"])
def test_a_chart_without_series_says_there_is_no_data(kind):
    chart = Chart(kind=kind, title="Joined", description="People who joined", unit="count")
    _svg, root = draw(chart)

    assert "No data for this period" in texts(root)
    assert desc_of(root) == "People who joined. No data for this period."


@pytest.mark.parametrize("kind", KINDS)
def test_series_with_only_gaps_are_empty(kind):
    _svg, root = draw(line_chart(series([None, None, None]), series([], key="b"), kind=kind))

    assert "No data for this period" in texts(root)
    assert desc_of(root).endswith("No data for this period.")
    assert not series_groups(root)


def test_a_description_without_a_full_stop_gets_one():
    chart = line_chart(series([None]), description="Members")

    assert desc_of(draw(chart)[1]) == "Members. No data for this period."


# ---------- lines ----------


def test_the_text_alternative_reads_out_first_last_highest_and_lowest():
    _svg, root = draw(line_chart(series(growth_values())))

    assert desc_of(root) == (
        "How many members the community has. Members: from 800 in January 2014 to 7,000 in "
        "November 2026 (up 6,200); highest 7,012 in October 2026; lowest 800 in January 2014."
    )


def test_one_point_is_drawn_as_a_marker_and_read_out():
    _svg, root = draw(line_chart(series([800])))

    (group,) = series_groups(root)
    assert group.find(f"{SVG}polyline") is None
    marker = group.find(f".//{SVG}circle")
    assert marker is not None
    # The only bucket sits in the middle of the plot.
    assert float(marker.get("cx")) == pytest.approx((76 + 704) / 2, abs=0.1)
    assert x_labels(root) == ["Jan 2014"]
    assert desc_of(root).endswith("Members: 800 in January 2014.")
    assert "January 2014, Members: 800" in tooltips(root)


def test_gaps_break_the_line_and_are_counted():
    values = [5, 6, None, 7, 8, None, None, 4, None, 9]
    _svg, root = draw(line_chart(series(values)))

    (group,) = series_groups(root)
    assert len(group.findall(f"{SVG}polyline")) == 2  # 5–6 and 7–8; 4 and 9 stand alone
    assert len(group.findall(f".//{SVG}circle")) == 6  # a marker on every value (≤ 60 buckets)
    assert desc_of(root).endswith(
        "Members: from 5 in January 2014 to 9 in October 2014 (up 4); highest 9 in October "
        "2014; lowest 4 in August 2014. No data for 4 of 10 periods."
    )


def test_many_points_drop_markers_and_thin_out_the_labels():
    starts = [date.fromordinal(date(2026, 1, 1).toordinal() + day) for day in range(400)]
    values = [None if day == 200 else day % 17 for day in range(400)]
    values[198] = None  # 199 stands alone between two gaps: it keeps its marker
    _svg, root = draw(line_chart(series(values, starts=starts)))

    (group,) = series_groups(root)
    assert len(group.findall(f".//{SVG}circle")) == 1
    labels = x_labels(root)
    assert 4 <= len(labels) <= 14
    assert len(set(labels)) == len(labels)
    # Labels fall on the first of a month and name it.
    assert labels[:2] == ["Jan 2026", "Mar 2026"]


def test_markers_and_dashes_tell_series_apart_and_a_legend_names_them():
    chart = line_chart(
        series([1, 2, 3], key="a", label="Active"),
        series([0, 1, 1], key="b", label="Engaged"),
        series([3, 2, 1], key="c", label="Peripheral"),
    )
    _svg, root = draw(chart)

    groups = series_groups(root)
    assert [g.get("data-series") for g in groups] == ["a", "b", "c"]
    assert groups[0].find(f"{SVG}polyline").get("stroke-dasharray") is None
    assert groups[1].find(f"{SVG}polyline").get("stroke-dasharray") == "6 3"
    assert groups[2].find(f"{SVG}polyline").get("stroke-dasharray") == "2 3"
    assert groups[0].find(f".//{SVG}circle") is not None
    assert groups[1].find(f".//{SVG}rect") is not None  # squares
    assert groups[2].find(f".//{SVG}polygon") is not None  # triangles
    colours = {g.find(f"{SVG}polyline").get("stroke") for g in groups}
    assert len(colours) == 3
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "metrics-chart-legend")
    assert ["".join(t.itertext()) for t in legend.iter(f"{SVG}text")] == [
        "Active",
        "Engaged",
        "Peripheral",
    ]


def test_a_single_series_has_no_legend():
    _svg, root = draw(line_chart(series([1, 2])))

    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "metrics-chart-legend")
    assert list(legend) == []


def test_long_labels_are_cut_with_the_full_text_as_tooltip():
    long = "Members of the applied machine learning and statistics practice, worldwide"
    chart = line_chart(series([1, 2], label=long), series([2, 3], key="b", label="Short"))
    _svg, root = draw(chart)

    assert any(text.endswith("…") and len(text) <= 24 for text in texts(root))
    assert long in tooltips(root)
    assert long in desc_of(root)


def test_shares_read_as_per_cent_and_change_in_percentage_points():
    chart = line_chart(series(["0.25", "0.4", "0.375"], label="Answered within 24 h"), unit="share")
    _svg, root = draw(chart)

    assert desc_of(root).endswith(
        "Answered within 24 h: from 25.0\u00a0% in January 2014 to 37.5\u00a0% in March 2014 "
        "(up 12.5 percentage points); highest 40.0\u00a0% in February 2014; lowest 25.0\u00a0% "
        "in January 2014."
    )
    assert all(label.endswith("\u00a0%") for label in y_labels(root))


def test_hours_read_with_their_unit_and_a_fall_is_down():
    chart = line_chart(series([30, "12.25", "3.5"], label="Median first response"), unit="hours")
    _svg, root = draw(chart)

    assert "from 30.0 h in January 2014 to 3.5 h in March 2014 (down 26.5 h)" in desc_of(root)
    assert all(label.endswith(" h") for label in y_labels(root))


def test_scores_and_ratios_have_two_decimals_and_no_change_is_unchanged():
    _svg, root = draw(line_chart(series(["4.5", "4.125", "4.5"], label="Mean score"), unit="score"))

    assert "from 4.50 in January 2014 to 4.50 in March 2014 (unchanged)" in desc_of(root)
    assert "lowest 4.13 in February 2014" in desc_of(root)


@pytest.mark.parametrize(
    ("starts", "granularity", "labels", "first_words"),
    [
        (
            [date(2026, 3, 2), date(2026, 3, 9)],
            None,
            ["2 Mar", "9 Mar"],
            "the week of March 2, 2026",
        ),
        ([date(2026, 1, 1), date(2026, 4, 1)], None, ["Q1 2026", "Q2 2026"], "in Q1 2026"),
        ([date(2024, 1, 1), date(2025, 1, 1)], None, ["2024", "2025"], "in 2024"),
        ([date(2026, 3, 2), date(2026, 3, 3)], None, ["2 Mar", "3 Mar"], "on March 2, 2026"),
        ([date(2026, 1, 1), date(2026, 4, 1)], "month", ["Jan 2026", "Apr 2026"], "January"),
    ],
)
def test_buckets_are_named_by_their_granularity(starts, granularity, labels, first_words):
    _svg, root = draw(line_chart(series([1, 2], starts=starts)), granularity=granularity)

    assert x_labels(root) == labels
    assert first_words in desc_of(root)


def test_negative_values_go_below_the_zero_line():
    chart = line_chart(series([-3, 2, -1], label="Net growth"))
    _svg, root = draw(chart)

    labels = y_labels(root)
    assert labels[0].startswith("-")
    assert "0" in labels
    assert "lowest -3 in January 2014" in desc_of(root)


# ---------- bars ----------


def test_bars_grow_down_for_negative_values_and_leave_gaps_for_no_data():
    chart = line_chart(series([-3, 2, None, 0], label="Net growth"), kind="bar")
    _svg, root = draw(chart)

    zero_line = next(
        line
        for line in root.iter(f"{SVG}line")
        if line.get("stroke-opacity") == "0.6"  # the zero grid line
    )
    zero = float(zero_line.get("y1"))
    drawn = bars(root)
    assert len(drawn) == 3  # no bar where there is no data
    negative, positive, nothing = drawn
    assert float(negative.get("y")) == pytest.approx(zero, abs=0.1)
    assert float(positive.get("y")) + float(positive.get("height")) == pytest.approx(zero, abs=0.1)
    assert float(negative.get("height")) == pytest.approx(1.5 * float(positive.get("height")), 0.01)
    assert float(nothing.get("height")) == 0


def test_grouped_bars_sit_side_by_side_with_textures_after_the_first():
    chart = line_chart(series([4, 2]), series([2, 4], key="b", label="Left"), kind="bar")
    svg, root = draw(chart, chart_id="g")

    first, second = bars(root)[0], bars(root)[2]  # bucket 1 of each series
    assert float(second.get("x")) == pytest.approx(
        float(first.get("x")) + float(first.get("width")), abs=0.1
    )
    assert 'id="g-texture-1"' in svg
    assert 'fill="url(#g-texture-1)"' in svg


def test_stacked_bars_pile_up_and_negative_parts_go_down():
    chart = line_chart(
        series([3, 1], key="joined", label="Joined"),
        series([1, 1], key="organic", label="Organic"),
        series([-2, 0], key="left", label="Left"),
        kind="stacked_bar",
    )
    _svg, root = draw(chart)

    joined, _, organic, _, left, _ = bars(root)
    assert float(organic.get("y")) + float(organic.get("height")) == pytest.approx(
        float(joined.get("y")), abs=0.1
    )
    assert float(organic.get("x")) == float(joined.get("x"))
    assert float(left.get("y")) == pytest.approx(
        float(joined.get("y")) + float(joined.get("height")), abs=0.1
    )
    # The axis reaches the highest stack (4), not just the highest part.
    assert y_labels(root)[-1] in {"4", "5"}


def test_a_histogram_of_single_point_series_draws_one_bar_per_category():
    chart = Chart(
        kind="histogram",
        title="Feedback scores",
        description="Scores given in event feedback",
        unit="count",
        series=tuple(
            series([count], key=str(score), label=str(score), starts=[date(2026, 1, 1)])
            for score, count in zip(range(1, 6), [2, 0, 5, 12, 30], strict=True)
        ),
    )
    _svg, root = draw(chart)

    assert x_labels(root) == ["1", "2", "3", "4", "5"]
    assert "3: 5" in tooltips(root)
    drawn = bars(root)
    assert len(drawn) == 5
    # Touching bars: each starts (almost) where the last one ended.
    gaps = [
        float(b.get("x")) - float(a.get("x")) - float(a.get("width"))
        for a, b in itertools.pairwise(drawn)
    ]
    assert all(gap < 7 for gap in gaps)
    assert desc_of(root).endswith("1: 2; 2: 0; 3: 5; 4: 12; 5: 30.")


def test_category_labels_that_are_too_long_are_cut():
    long = "In person at the Zurich research lab, auditorium B on the second floor"
    chart = Chart(
        kind="bar",
        title="Attendance by format",
        description="Checked in by format",
        unit="count",
        series=(
            series([40], key="a", label=long),
            series([12], key="b", label="Online"),
            series([7], key="c", label="Hybrid meeting rooms"),
            series([3], key="d", label="Recording"),
        ),
    )
    _svg, root = draw(chart)

    axis = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "metrics-chart-x-axis")
    lines = [[span.text for span in text.iter(f"{SVG}tspan")] for text in axis.iter(f"{SVG}text")]
    assert lines == [
        ["In person at the", "Zurich research lab…"],
        ["Online"],
        ["Hybrid meeting rooms"],
        ["Recording"],
    ]
    assert long in tooltips(root)


def test_many_bars_stay_inside_the_plot():
    starts = [date.fromordinal(date(2025, 1, 1).toordinal() + day) for day in range(400)]
    chart = line_chart(series([day % 9 - 4 for day in range(400)], starts=starts), kind="bar")
    _svg, root = draw(chart)

    drawn = [rect for rect in root.iter(f"{SVG}rect") if rect.get("fill") == "#0072B2"]
    assert len(drawn) == 400
    assert all(76 <= float(b.get("x")) <= 704 for b in drawn)
    assert len(x_labels(root)) <= 14
    # No tooltip each: past 120 buckets the table beneath has the values.
    assert bars(root) == []


@pytest.mark.parametrize("kind", KINDS)
def test_charts_draw_in_simplified_chinese(kind):
    chart = line_chart(series(["0.5", "0.25"], label="成员"), kind=kind, unit="share")
    with translation.override("zh-hans"):
        _svg, root = draw(chart)

    assert root.get("role") == "img"
    assert "成员" in desc_of(root)


# ---------- review fixes ----------


def test_a_page_granularity_finer_than_the_points_does_not_name_months_as_days():
    # The participation panel counts by calendar month whatever the page's granularity; a
    # 30-day page passes "day", which read "12 on 1 November 2026" for a month's figure.
    monthly = line_chart(series([10, 12], starts=[date(2026, 10, 1), date(2026, 11, 1)]))
    _svg, root = draw(monthly, granularity="day")
    assert "10 in October 2026" in desc_of(root)
    assert "12 in November 2026" in desc_of(root)
    assert " on " not in desc_of(root)


def test_the_page_granularity_wins_when_the_first_bucket_is_cut_short():
    # A monthly chart of a period starting on 30 November: 30 Nov, 1 Dec, 1 Jan are months.
    starts = [date(2025, 11, 30), date(2025, 12, 1), date(2026, 1, 1)]
    _svg, root = draw(line_chart(series([1, 2, 3], starts=starts)), granularity="month")
    assert "from 1 in November 2025 to 3 in January 2026" in desc_of(root)


def test_the_first_forty_nine_series_never_look_alike():
    # Colours repeat after seven; dash, marker and texture shift so that series 8 is not drawn
    # exactly like series 1 (the participation chart has a series per kind of activity).
    count = len(PALETTE) * len(DASHES)
    assert len({(colour(i), dash(i)) for i in range(count)}) == count
    assert len({(colour(i), str(marker(i, 0, 0, "#000"))) for i in range(count)}) == count
    defs = str(texture_defs("c", count))
    drawn = {
        (colour(i), re.search(rf'id="c-texture-{i}"[^>]*>(.*?)</pattern>', defs).group(1))
        if texture_fill("c", i)
        else (colour(i), "plain")
        for i in range(count)
    }
    assert len(drawn) == count


def test_series_one_and_eight_of_a_line_chart_differ_in_dash():
    many = line_chart(
        *(series([i, i + 1], key=f"k{i}", label=f"Kind {i}") for i in range(9)),
    )
    _svg, root = draw(many)
    groups = [g for g in root.iter(f"{SVG}g") if g.get("class") == "metrics-chart-series"]
    first = groups[0].find(f"{SVG}polyline")
    eighth = groups[7].find(f"{SVG}polyline")
    assert first.get("stroke") == eighth.get("stroke")
    assert first.get("stroke-dasharray") != eighth.get("stroke-dasharray")


@pytest.mark.parametrize("page", ["quarter", "year"])
def test_monthly_points_on_a_coarser_page_are_named_by_month(page):
    monthly = line_chart(series([10, 12], starts=[date(2026, 10, 1), date(2026, 11, 1)]))
    _svg, root = draw(monthly, granularity=page)
    assert "from 10 in October 2026 to 12 in November 2026" in desc_of(root)


def test_weekly_points_on_a_week_page_stay_weeks():
    weekly = line_chart(series([1, 2], starts=[date(2026, 3, 2), date(2026, 3, 9)]))
    _svg, root = draw(weekly, granularity="week")
    assert "the week of" in desc_of(root)


def test_every_series_colour_keeps_3_to_1_on_light_and_dark_surfaces():
    # WCAG 1.4.11: the Okabe–Ito orange, sky blue and yellow were 2.3, 2.3 and 1.3 to 1 on
    # white, so a fifth, sixth or seventh series all but vanished on the light page.
    from practica.metrics.charts.style import SURFACES, contrast_ratio

    for fill in PALETTE:
        for surface in SURFACES:
            assert contrast_ratio(fill, surface) >= 3, (fill, surface)
