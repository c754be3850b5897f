"""The org-to-org graph of who helps whom, drawn from the chart's table rows (from, to, weight):
org units on a circle (the largest first, clockwise from the top), an arrow from the unit that
helped to the unit that was helped, its width in proportion to the weight.

At most MAX_NODES units are drawn: the units with the most weight in and out, the rest grouped
into one "Other" node. Links curve to their left, so A → B and B → A stay apart; a unit's
links to itself (and between the grouped units) are not drawn but are in its tooltip. At most
MAX_LINKS links are drawn, the heaviest: 30 units can have 870, which no one can read as lines
(and which made the drawing the page's heaviest part); the description says how many are left
out, and the chart's table lists them all.
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from practica.metrics.charts.axes import coordinate, decimal_cell, format_value
from practica.metrics.charts.style import colour, labelled_text, svg_document
from practica.metrics.charts.text import full_description, network_summary
from practica.metrics.queries.types import Cell, Chart

MAX_NODES = 30
MAX_LINKS = 150
WIDTH = 720
HEIGHT = 560
CENTRE_X = WIDTH / 2
CENTRE_Y = HEIGHT / 2
RADIUS = 200
NODE_MIN = 4.0
NODE_MAX = 14.0
EDGE_MIN = 1.0
EDGE_MAX = 7.0
LABEL_LIMIT = 20
TOP_LINKS = 3
OTHER = "\x00other"  # a key no org unit name can take
NODE_COLOUR = colour(0)
OTHER_COLOUR = "#7a8394"


@dataclass(frozen=True)
class Graph:
    names: dict[str, str]  # node key → label
    nodes: tuple[str, ...]  # drawn nodes, in circle order
    totals: dict[str, Decimal]
    edges: dict[tuple[str, str], Decimal]  # between drawn nodes (self-loops included)
    links: dict[tuple[str, str], Decimal]  # every original link, for the summary
    grouped: int


def _weight(cell: Cell) -> Decimal | None:
    value = decimal_cell(cell)
    return value if value is not None and value > 0 else None


def read_graph(chart: Chart) -> Graph | None:
    table = chart.table
    if table is None:
        return None
    links: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in table.rows:
        if len(row) < 3:
            continue
        weight = _weight(row[2])
        if weight is None:
            continue
        source, target = (" ".join(str(cell or "").split()) for cell in row[:2])
        links[(source, target)] += weight
    if not links:
        return None
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for (source, target), weight in links.items():
        totals[source] += weight
        if target != source:
            totals[target] += weight
    ranked = sorted(totals, key=lambda name: (-totals[name], name))
    kept = ranked if len(ranked) <= MAX_NODES else ranked[: MAX_NODES - 1]
    grouped = len(ranked) - len(kept)
    keep = set(kept)

    def node(name: str) -> str:
        return name if name in keep else OTHER

    edges: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    node_totals: dict[str, Decimal] = defaultdict(Decimal)
    for (source, target), weight in links.items():
        edges[(node(source), node(target))] += weight
    for name, total in totals.items():
        node_totals[node(name)] += total
    names = {name: name for name in kept}
    nodes = tuple(kept)
    if grouped:
        names[OTHER] = ngettext(
            "Other (%(count)s org unit)", "Other (%(count)s org units)", grouped
        ) % {"count": grouped}
        nodes = (*nodes, OTHER)
    return Graph(
        names=names,
        nodes=nodes,
        totals=dict(node_totals),
        edges=dict(edges),
        links=dict(links),
        grouped=grouped,
    )


def _summary(graph: Graph) -> str:
    between = {pair: weight for pair, weight in graph.links.items() if pair[0] != pair[1]}
    strongest = sorted(between.items(), key=lambda item: (-item[1], item[0]))[:TOP_LINKS]
    units = {name for pair in graph.links for name in pair}
    drawable = sum(1 for pair in graph.edges if pair[0] != pair[1])
    return network_summary(
        nodes=len(units),
        links=len(between),
        total=sum(graph.links.values(), Decimal(0)),
        top=[(source, target, weight) for (source, target), weight in strongest],
        grouped=graph.grouped,
        undrawn=max(0, drawable - MAX_LINKS),
    )


def drawn_links(graph: Graph) -> list[tuple[tuple[str, str], Decimal]]:
    """The links between distinct drawn nodes that are drawn: the MAX_LINKS heaviest, lighter
    first so the heavy ones lie on top."""
    between = [(pair, weight) for pair, weight in graph.edges.items() if pair[0] != pair[1]]
    between.sort(key=lambda item: (-item[1], item[0]))
    return between[:MAX_LINKS][::-1]


def _positions(count: int) -> list[tuple[float, float, float]]:
    """(x, y, angle) of each node on the circle, clockwise from the top."""
    if count == 1:
        return [(CENTRE_X, CENTRE_Y, -math.pi / 2)]
    positions = []
    for index in range(count):
        angle = -math.pi / 2 + 2 * math.pi * index / count
        positions.append(
            (CENTRE_X + RADIUS * math.cos(angle), CENTRE_Y + RADIUS * math.sin(angle), angle)
        )
    return positions


def _towards(point: tuple[float, float], other: tuple[float, float], distance: float):
    """`point` moved `distance` towards `other`."""
    dx, dy = other[0] - point[0], other[1] - point[1]
    length = math.hypot(dx, dy) or 1.0
    return point[0] + dx / length * distance, point[1] + dy / length * distance


def _edge_path(
    start: tuple[float, float], end: tuple[float, float], *, gap_start: float, gap: float
) -> str:
    (x1, y1), (x2, y2) = start, end
    dx, dy = x2 - x1, y2 - y1
    # Bend to the left of the direction of travel, by a share of the distance.
    cx = (x1 + x2) / 2 + dy * 0.15
    cy = (y1 + y2) / 2 - dx * 0.15
    # Leave the nodes' edges clear at both ends, along the curve's tangents there.
    sx, sy = _towards((x1, y1), (cx, cy), gap_start)
    ex, ey = _towards((x2, y2), (cx, cy), gap)
    return (
        f"M{coordinate(sx)} {coordinate(sy)} Q{coordinate(cx)} {coordinate(cy)} "
        f"{coordinate(ex)} {coordinate(ey)}"
    )


def _edges(
    graph: Graph,
    between: list[tuple[tuple[str, str], Decimal]],
    *,
    positions: dict[str, tuple[float, float, float]],
    radius: dict[str, float],
    chart_id: str,
) -> SafeString:
    """The links as markup text (a dense graph has hundreds): the tooltips are escaped here,
    everything else is numbers made here."""
    heaviest = max((weight for _, weight in between), default=Decimal(1))
    template = _("%(source)s to %(target)s: %(weight)s")
    arrow = f"url(#{escape(chart_id)}-arrow)"
    weights: dict[Decimal, str] = {}
    parts = []
    for (source, target), weight in between:
        if weight not in weights:
            weights[weight] = format_value(weight, "count")
        tooltip = template % {
            "source": graph.names[source],
            "target": graph.names[target],
            "weight": weights[weight],
        }
        path = _edge_path(
            positions[source][:2],
            positions[target][:2],
            gap_start=radius[source] + 1,
            gap=radius[target] + 2,
        )
        width = coordinate(EDGE_MIN + (EDGE_MAX - EDGE_MIN) * float(weight / heaviest))
        parts.append(
            f'<g><title>{escape(tooltip)}</title><path d="{path}" fill="none" '
            f'stroke="currentColor" stroke-opacity="0.45" stroke-width="{width}" '
            f'stroke-linecap="round" marker-end="{arrow}"></path></g>'
        )
    return mark_safe("".join(parts))  # noqa: S308 — the only text, the tooltips, is escaped


def render_network(chart: Chart, graph: Graph, *, chart_id: str) -> SafeString:
    """The graph read from the chart's table (`read_graph`, None when empty) drawn."""
    positions = dict(zip(graph.nodes, _positions(len(graph.nodes)), strict=True))
    largest_total = max(graph.totals.values())
    radius = {
        key: NODE_MIN + (NODE_MAX - NODE_MIN) * math.sqrt(float(graph.totals[key] / largest_total))
        for key in graph.nodes
    }
    between = drawn_links(graph)
    edges = _edges(graph, between, positions=positions, radius=radius, chart_id=chart_id)
    nodes = []
    for key in graph.nodes:
        x, y, angle = positions[key]
        within = graph.edges.get((key, key))
        tooltip = _("%(unit)s: %(total)s in and out") % {
            "unit": graph.names[key],
            "total": format_value(graph.totals[key], "count"),
        }
        if within:
            tooltip += "; " + _("%(count)s within") % {"count": format_value(within, "count")}
        is_other = key == OTHER
        cos, sin = math.cos(angle), math.sin(angle)
        away = radius[key] + 8
        anchor = "start" if cos > 0.2 else "end" if cos < -0.2 else "middle"
        label_y = y + sin * away + (4 if anchor != "middle" else (12 if sin > 0 else -4))
        if len(graph.nodes) == 1:
            anchor, label_y = "middle", y - radius[key] - 8
        nodes.append(
            format_html(
                '<g class="metrics-chart-node"><title>{}</title>'
                '<circle cx="{}" cy="{}" r="{}" fill="{}" stroke="#ffffff" stroke-width="1.5"{}>'
                "</circle>{}</g>",
                tooltip,
                coordinate(x),
                coordinate(y),
                coordinate(radius[key]),
                OTHER_COLOUR if is_other else NODE_COLOUR,
                format_html(' stroke-dasharray="{}"', "3 2") if is_other else "",
                labelled_text(
                    graph.names[key],
                    x=x + (cos * away if len(graph.nodes) > 1 else 0),
                    y=label_y,
                    limit=LABEL_LIMIT + (8 if is_other else 0),
                    anchor=anchor,
                    font_style="italic" if is_other else "normal",
                ),
            )
        )
    defs = format_html(
        '<marker id="{}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" '
        'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto">'
        '<path d="M0 0 L10 5 L0 10 z" fill="currentColor" fill-opacity="0.7"></path></marker>',
        chart_id,
    )
    return svg_document(
        chart,
        chart_id=chart_id,
        width=WIDTH,
        height=HEIGHT,
        description=full_description(chart, _summary(graph)),
        body=format_html(
            '<g class="metrics-chart-edges">{}</g><g class="metrics-chart-nodes">{}</g>',
            edges,
            format_html_join("", "{}", ((node,) for node in nodes)),
        ),
        defs=defs,
    )
