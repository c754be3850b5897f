"""The cohort heat map and the org-to-org network: cells shaded and labelled, gaps hatched or
left blank, the best and worst cohort read out; nodes on a circle, the smallest grouped as
"Other", edges as wide as their weight, the strongest links read out."""

import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

import pytest

from practica.metrics.charts.heatmap import _text_colour, shade
from practica.metrics.charts.network import MAX_LINKS
from practica.metrics.charts.style import contrast_ratio
from practica.metrics.queries.types import Table
from tests.metrics.test_charts import (
    NASTY,
    SVG,
    cohort_table,
    desc_of,
    draw,
    heatmap_chart,
    network_chart,
    texts,
    tooltips,
)

pytestmark = pytest.mark.unit

RETENTION = [
    ("2025-01", 120, 1, "0.5", "0.45", None, "0.4", "0.35", "0.3"),
    ("2025-02", 80, 1, "0.6", "0.5", "0.5", "0.45", "0.4", "0.38"),
    ("2025-03", 60, 1, "0.55", "0.5", "0.45", None, None, None),
]


def cells(root: ET.Element) -> list[tuple[str, ET.Element]]:
    """(tooltip, rect) of every drawn cell."""
    found = []
    for group in root.iter(f"{SVG}g"):
        children = list(group)
        if (
            len(children) >= 2
            and children[0].tag == f"{SVG}title"
            and children[1].tag == f"{SVG}rect"
        ):
            found.append((children[0].text, children[1]))
    return found


def nodes(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "metrics-chart-node"]


def edges(root: ET.Element) -> list[ET.Element]:
    return list(root.iter(f"{SVG}path"))[1:]  # the first path is the arrow head


def edge_titles(root: ET.Element) -> list[str]:
    """The tooltip of every drawn link ("A to B: 3")."""
    return [
        group.find(f"{SVG}title").text
        for group in root.iter(f"{SVG}g")
        if group.find(f"{SVG}path") is not None and group.find(f"{SVG}title") is not None
    ]


# ---------- heat map ----------


def test_the_heat_map_is_an_accessible_image_with_the_best_and_worst_cohort():
    svg, root = draw(heatmap_chart(cohort_table(RETENTION, offsets=7)), chart_id="retention")

    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "retention-title retention-desc"
    assert root.find(f"{SVG}title").text == "Cohort retention"
    assert desc_of(root) == (
        "Share of each join-month cohort active in the months after joining. 3 cohorts, from "
        "2025-01 to 2025-03, followed for up to 6 months. In month 6 the best cohort is "
        "2025-02 at 38.0\u00a0% and the worst is 2025-01 at 30.0\u00a0%. 4 cells have no data."
    )
    assert "<script" not in svg


def test_cells_are_shaded_by_share_and_print_their_value():
    _svg, root = draw(heatmap_chart(cohort_table(RETENTION, offsets=7)))

    drawn = dict(cells(root))
    assert len([tip for tip in drawn if not tip.endswith("no data")]) == 17
    assert drawn["2025-02, month 6: 38.0\u00a0%"].get("fill") == shade(0.38, 1.0)
    assert drawn["2025-01, month 0: 100.0\u00a0%"].get("fill") == "#08306b"
    assert "38\u00a0%" in texts(root)
    assert "100\u00a0%" in texts(root)
    # Sizes beside the cohort labels.
    assert {"120", "80", "60", "Size", "Cohort", "Months since joining"} <= set(texts(root))


def test_a_gap_inside_a_row_is_hatched_and_months_not_reached_stay_blank():
    _svg, root = draw(heatmap_chart(cohort_table(RETENTION, offsets=7)), chart_id="r")

    missing = [(tip, rect) for tip, rect in cells(root) if tip.endswith("no data")]
    assert [tip for tip, _ in missing] == ["2025-01, month 3: no data"]
    assert missing[0][1].get("fill") == "url(#r-nodata)"
    assert root.find(f".//{SVG}pattern[@id='r-nodata']") is not None
    assert not any(tip.startswith("2025-03, month 4") for tip, _ in cells(root))
    assert "no data" in texts(root)  # in the cell (there is room) and in the legend


def test_shades_get_darker_with_the_share():
    shades = [shade(value, 1.0) for value in (0, 0.25, 0.5, 0.75, 1)]

    def lightness(colour: str) -> int:
        return sum(int(colour[i : i + 2], 16) for i in (1, 3, 5))

    assert [lightness(s) for s in shades] == sorted((lightness(s) for s in shades), reverse=True)
    assert shade(2, 1.0) == shade(1, 1.0)


def test_without_a_size_column_every_column_after_the_first_is_an_offset():
    table = Table(
        key="retention",
        title="Retention",
        columns=("Cohort", "Month 0", "Month 1"),
        rows=((date(2025, 1, 1), Decimal(1), Decimal("0.5")),),
    )
    _svg, root = draw(heatmap_chart(table))

    assert {"Jan 2025, month 0: 100.0\u00a0%", "Jan 2025, month 1: 50.0\u00a0%"} <= set(
        tooltips(root)
    )
    assert "Size" not in texts(root)
    assert "In month 1: Jan 2025 at 50.0\u00a0%." in desc_of(root)


def test_equal_cohorts_are_read_out_as_equal():
    rows = [("2025-01", 10, 1, "0.5"), ("2025-02", 10, 1, "0.5")]
    _svg, root = draw(heatmap_chart(cohort_table(rows, offsets=2)))

    assert "In month 1 every cohort is at 50.0\u00a0%." in desc_of(root)


def test_cohort_labels_are_escaped_and_long_ones_cut():
    long = "Joined through the spring 2025 hiring wave in research"
    rows = [(NASTY, 5, 1, "0.2"), (long, 5, 1, "0.4")]
    svg, root = draw(heatmap_chart(cohort_table(rows, offsets=2)))

    assert "<script" not in svg
    assert NASTY in tooltips(root)
    assert long in tooltips(root)
    assert any(text.endswith("…") for text in texts(root))


def test_a_long_history_fits_with_thinned_labels_and_no_cell_text():
    rows = [
        (f"C{r:03d}", 10, *[None if k > 150 - r else "0.3" for k in range(60)]) for r in range(150)
    ]
    _svg, root = draw(heatmap_chart(cohort_table(rows, offsets=60)))

    labels = [text for text in texts(root) if text.startswith("C")]
    assert 30 <= len(labels) < 150
    assert "30\u00a0%" not in texts(root)
    # No value printed in the cells: they are too small; the tooltips have it.
    assert all(
        len(group) == 2
        for group in root.iter(f"{SVG}g")
        if len(group)
        and group[0].tag == f"{SVG}title"
        and group[0].text.startswith("C")
        and ", month " in group[0].text
    )
    assert float(root.get("viewBox").split()[3]) < 800


@pytest.mark.parametrize(
    "table",
    [
        None,
        cohort_table([], offsets=3),
        cohort_table([("2025-01", 0, None, None)], offsets=2),
    ],
)
def test_a_heat_map_without_shares_says_there_is_no_data(table):
    _svg, root = draw(heatmap_chart(table))

    assert "No data for this period" in texts(root)
    assert desc_of(root).endswith("No data for this period.")


# ---------- network ----------


def chain(count: int) -> list[tuple[str, str, int]]:
    """Unit 00 → Unit 01 → … → back to Unit 00, the weights falling from `count` to 1."""
    return [(f"Unit {i:02d}", f"Unit {(i + 1) % count:02d}", count - i) for i in range(count)]


def test_more_than_thirty_units_are_grouped_into_other():
    svg, root = draw(network_chart(chain(40)), chart_id="helps")

    drawn = nodes(root)
    assert len(drawn) == 30
    labels = ["".join(node.find(f".//{SVG}text").itertext()) for node in drawn]
    assert labels[-1] == "Other (11 org units)"
    assert labels[0] == "Unit 01"  # 40 out + 39 in: the busiest unit comes first, at the top
    assert len(set(labels)) == 30
    assert desc_of(root) == (
        "Answers from one division to another. 40 org units, 40 links, 820 in all. Strongest "
        "links: Unit 00 to Unit 01: 40; Unit 01 to Unit 02: 39; Unit 02 to Unit 03: 38. 11 "
        "smaller org units are grouped as Other."
    )
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "helps-title helps-desc"
    assert "<script" not in svg


def test_exactly_thirty_units_are_all_drawn():
    _svg, root = draw(network_chart(chain(30)))

    assert len(nodes(root)) == 30
    assert not any(text.startswith("Other") for text in texts(root))


def test_edges_are_as_wide_as_their_weight_and_end_in_an_arrow():
    rows = [("Research", "Sales", 10), ("Sales", "Research", 5), ("Research", "Field", 1)]
    _svg, root = draw(network_chart(rows), chart_id="net")

    assert root.find(f".//{SVG}marker[@id='net-arrow']") is not None
    widths = {
        group.find(f"{SVG}title").text: float(group.find(f"{SVG}path").get("stroke-width"))
        for group in root.iter(f"{SVG}g")
        if group.find(f"{SVG}path") is not None and group.find(f"{SVG}title") is not None
    }
    assert widths == {
        "Research to Sales: 10": 7.0,
        "Sales to Research: 5": 4.0,
        "Research to Field: 1": 1.6,
    }
    assert all(path.get("marker-end") == "url(#net-arrow)" for path in edges(root))
    # A → B and B → A bend to different sides, so both show.
    there, back = (path.get("d") for path in edges(root) if path.get("stroke-width") in {"7", "4"})
    assert there != back


def test_only_the_heaviest_links_are_drawn_and_the_rest_are_told():
    units = [f"Unit {index:02d}" for index in range(30)]
    rows = [
        (source, target, 1000 - 30 * i - j)
        for i, source in enumerate(units)
        for j, target in enumerate(units)
        if source != target
    ]
    _svg, root = draw(network_chart(rows))

    drawn = edges(root)
    assert len(drawn) == MAX_LINKS
    weights = sorted(int(title.rsplit(": ", 1)[1]) for title in edge_titles(root))
    heaviest = sorted(weight for _source, _target, weight in rows)[-MAX_LINKS:]
    assert weights == heaviest
    assert "870 links" in desc_of(root)
    assert "The 720 lightest links are not drawn; the table lists every link." in desc_of(root)


def test_a_graph_with_few_links_draws_them_all_and_says_nothing_is_left_out():
    _svg, root = draw(network_chart(chain(30)))

    assert len(edges(root)) == 30
    assert "not drawn" not in desc_of(root)


def test_links_within_a_unit_are_not_drawn_but_told():
    rows = [("Research", "Research", 4), ("Research", "Sales", 2)]
    _svg, root = draw(network_chart(rows))

    assert len(edges(root)) == 1
    assert "Research: 6 in and out; 4 within" in tooltips(root)
    assert "2 org units, 1 links, 6 in all" in desc_of(root)


def test_node_names_are_escaped_and_long_ones_cut():
    long = "Applied Machine Learning and Statistics Practice"
    svg, root = draw(network_chart([(NASTY, long, 3)]))

    assert "<script" not in svg
    assert f"{NASTY} to {long}: 3" in tooltips(root)
    assert long in tooltips(root)
    assert any(text.endswith("…") for text in texts(root))


def test_a_single_unit_is_drawn_in_the_middle():
    _svg, root = draw(network_chart([("Research", "Research", 3)]))

    (node,) = nodes(root)
    circle = node.find(f"{SVG}circle")
    assert (circle.get("cx"), circle.get("cy")) == ("360", "280")
    assert not edges(root)


@pytest.mark.parametrize(
    "rows",
    [[], [("A", "B", 0)], [("A", "B", None)], [("A", "B", "not a number")], [("A", "B")]],
)
def test_a_network_without_weight_says_there_is_no_data(rows):
    _svg, root = draw(network_chart(rows))

    assert "No data for this period" in texts(root)


def test_the_network_is_the_same_every_time():
    first, _ = draw(network_chart(chain(35)))
    second, _ = draw(network_chart(list(reversed(chain(35)))))

    assert first == second


def test_every_printed_cell_value_has_at_least_4_5_to_1_contrast_with_its_shade():
    # Review fix: white text on the middle blues (shares just above half the top) was under
    # 4.5:1 (3.2:1 at 55 %). Every share from 0 to 100 % is printed in a readable colour.
    rows = [
        (f"2025-{month:02d}", 10, *(str(share / 100) for share in range(s, s + 10)))
        for month, s in zip(range(1, 11), range(0, 100, 10), strict=True)
    ]
    rows.append(("2025-11", 10, "1", *([None] * 9)))
    _svg, root = draw(heatmap_chart(cohort_table(rows, offsets=10)), chart_id="contrast")

    printed = 0
    for group in root.iter(f"{SVG}g"):
        children = list(group)
        tags = [child.tag for child in children]
        if tags == [f"{SVG}title", f"{SVG}rect", f"{SVG}text"]:
            fill, text = children[1].get("fill"), children[2].get("fill")
            if fill.startswith("#"):
                printed += 1
                assert contrast_ratio(fill, text) >= 4.5, (children[0].text, fill, text)
    assert printed == 101


def test_the_text_colour_rule_holds_for_any_shade_and_scale():
    for top in (1.0, 0.4):
        for step in range(1001):
            share = top * step / 1000
            fill = shade(share, top)
            assert contrast_ratio(fill, _text_colour(share, top)) >= 4.5, (share, top, fill)


def test_cells_that_are_not_finite_numbers_are_no_data():
    # One reader (axes.decimal_cell) for heat map shares and network weights.
    rows = [("2025-01", 10, "0.5", "NaN", "Infinity", "n/a", "0.25")]
    _svg, root = draw(heatmap_chart(cohort_table(rows, offsets=5)), chart_id="bad")
    tips = [tip for tip, _rect in cells(root)]
    assert "2025-01, month 0: 50.0\u00a0%" in tips
    assert sum(tip.endswith("no data") for tip in tips) == 3  # months 1–3
    _svg, root = draw(network_chart([("A", "B", "NaN"), ("A", "C", "-2"), ("B", "C", "3")]))
    assert len(edges(root)) == 1
