"""The collaboration panel: how often help crosses the org chart, read from the answer facts
(`AnswerFact`), never from posts or the ledger.

The answers are those written in the period (local days `start`..`end`, up to now) in the
chosen communities, pooled. Each side's org unit is the fact's (the answerer's as of the
answer, the asker's as of the question, so a later transfer moves nothing), compared at the
answer's own community's `QASettings.cross_org_depth` (0 divisions, 1 groups, 2 teams; a unit
shallower than that compares as itself): with several communities of different depths, each
answer is compared at its community's depth. Answers where either unit is unknown are left out
of the cross-org share, the graph and its density.

Filters: org unit = the asker's division (the help the division received: answers to askers
whose org unit as of the question lies in it); role = the asker's current membership role in
the community; topic = answers in questions tagged with that topic or one under it.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import numpy as np
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from practica.communities.models import Community
from practica.core.models import TREE_PATH_SEPARATOR
from practica.discussions.models import QASettings
from practica.metrics.definitions.collaboration import DEFAULT_CROSS_ORG_DEPTH
from practica.metrics.definitions.figures import count_value, share_value
from practica.metrics.models import AnswerFact
from practica.metrics.queries.columns import (
    EpochMicroseconds,
    IntArray,
    integer_columns,
    moment_buckets,
)
from practica.metrics.queries.filters import DashboardFilters
from practica.metrics.queries.response_times import (
    Period,
    holds_role,
    period_of,
    tagged_under,
    topic_path,
)
from practica.metrics.queries.types import Chart, Headline, Panel, Point, Series, Table
from practica.people.models import OrgUnit

Edge = tuple[str, str]  # (answerer's unit path at depth, asker's unit path at depth)
UNKNOWN = -1  # an unknown org unit, in the grouped rows (ids are positive)


def unit_at_depth(path: str, depth: int) -> str:
    """The path of `path`'s ancestor at `depth` (itself when it is shallower)."""
    slugs = [slug for slug in path.split(TREE_PATH_SEPARATOR) if slug]
    return TREE_PATH_SEPARATOR.join(["", *slugs[: depth + 1], ""])


def period_answers(filters: DashboardFilters, period: Period) -> QuerySet[AnswerFact]:
    """The answer facts of the period, filtered (see the module's docstring)."""
    facts = AnswerFact.objects.filter(
        community_id__in=filters.community_ids,
        answered_at__gte=period.start_at,
        answered_at__lte=period.as_of,
    )
    if filters.org_unit_id is not None:
        division = OrgUnit.objects.filter(pk=filters.org_unit_id).values_list("path", flat=True)
        path = division.first()
        if path is None:
            return facts.none()
        facts = facts.filter(asker_unit__path__startswith=path)
    if filters.role:
        facts = facts.filter(holds_role(filters.role, person="asker_id"))
    topic = topic_path(filters.topic_id)
    if topic is not None:
        facts = facts.filter(tagged_under(topic, question="thread_id")) if topic else facts.none()
    return facts


@dataclass
class Tally:
    """Answers and how many crossed the org chart (both units known) or the career ladder
    (answerer's level below the asker's, both known)."""

    answers: int = 0
    compared: int = 0
    cross_org: int = 0
    levels_known: int = 0
    junior_helped_senior: int = 0

    def add(self, other: "Tally") -> None:
        self.answers += other.answers
        self.compared += other.compared
        self.cross_org += other.cross_org
        self.levels_known += other.levels_known
        self.junior_helped_senior += other.junior_helped_senior

    @property
    def cross_org_share(self) -> Decimal | None:
        return share_value(self.cross_org, self.compared)

    @property
    def cross_level_share(self) -> Decimal | None:
        return share_value(self.junior_helped_senior, self.levels_known)


@dataclass
class CollaborationFigures:
    buckets: list[date]
    total: Tally = field(default_factory=Tally)
    per_bucket: list[Tally] = field(default_factory=list)
    per_community: dict[int, Tally] = field(default_factory=dict)
    edges: Counter[Edge] = field(default_factory=Counter)  # both units known
    given: Counter[str] = field(default_factory=Counter)  # answerer's unit known
    depths: dict[int, int] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    @property
    def units(self) -> set[str]:
        """The org units at either end of a compared answer."""
        return {unit for edge in self.edges for unit in edge}

    @property
    def cross_edges(self) -> list[tuple[Edge, int]]:
        """Edges between distinct units, heaviest first."""
        crossing = [(edge, weight) for edge, weight in self.edges.items() if edge[0] != edge[1]]
        return sorted(crossing, key=lambda item: (-item[1], self.name(item[0][0]), item[0]))

    def name(self, path: str) -> str:
        return self.names.get(path, path)

    def density(self) -> tuple[Decimal | None, int]:
        """Distinct directed edges between distinct units ÷ n(n − 1), and n."""
        nodes = len(self.units)
        return share_value(len(self.cross_edges), nodes * (nodes - 1)), nodes

    def units_for_half(self) -> tuple[int | None, int]:
        """The fewest org units giving at least half of the answers whose answerer's unit is
        known (largest givers first), and how many such answers there are."""
        total = sum(self.given.values())
        if not total:
            return None, 0
        running = 0
        for count, (_unit, given) in enumerate(self.given.most_common(), start=1):
            running += given
            if 2 * running >= total:
                return count, total
        return len(self.given), total  # not reached: the loop always returns


def _depths(community_ids: tuple[int, ...]) -> dict[int, int]:
    found = dict(
        QASettings.objects.filter(community_id__in=community_ids).values_list(
            "community_id", "cross_org_depth"
        )
    )
    return {pk: found.get(pk, DEFAULT_CROSS_ORG_DEPTH) for pk in community_ids}


# How the answerer's career level compares with the asker's, as one column.
LEVELS_UNKNOWN, NOT_JUNIOR, JUNIOR_HELPED_SENIOR = 0, 1, 2
LEVELS = Case(
    When(Q(answerer_level__isnull=True) | Q(asker_level__isnull=True), then=Value(LEVELS_UNKNOWN)),
    When(answerer_level__lt=F("asker_level"), then=Value(JUNIOR_HELPED_SENIOR)),
    default=Value(NOT_JUNIOR),
    output_field=IntegerField(),
)


def _lifted(
    units: IntArray, depths: IntArray, paths: dict[int, str], codes: dict[str, int]
) -> IntArray:
    """Each unit's ancestor at the row's depth, as a code into `codes` (added as found); -1
    for an unknown unit (UNKNOWN, or one without a path)."""
    lifted = np.full(len(units), -1, dtype=np.int64)
    known = np.array(sorted(paths), dtype=np.int64)
    if not len(known):
        return lifted
    # Each row's unit as its place in `known` (the org chart is small, the rows many).
    place = np.minimum(np.searchsorted(known, units), len(known) - 1)
    found = known[place] == units
    for depth in np.unique(depths).tolist():
        code_of = np.array(
            [
                codes.setdefault(unit_at_depth(paths[unit], depth), len(codes))
                if paths[unit]
                else -1
                for unit in known.tolist()
            ],
            dtype=np.int64,
        )
        rows = found & (depths == depth)
        lifted[rows] = code_of[place[rows]]
    return lifted


def _tallies(counts: IntArray, groups: IntArray, size: int) -> list[Tally]:
    """The tally of each group 0..size-1 of the rows (`groups`: each row's group), the rows
    given as columns of (answers, compared, cross-org, levels known, junior helped senior)."""
    sums = [np.bincount(groups, weights=row, minlength=size).tolist() for row in counts]
    return [_tally_of([int(column[index]) for column in sums]) for index in range(size)]


def _tally_of(sums: list[int]) -> Tally:
    """The tally of (answers, compared, cross-org, levels known, junior helped senior)."""
    answers, compared, cross_org, levels_known, junior = sums
    return Tally(
        answers=answers,
        compared=compared,
        cross_org=cross_org,
        levels_known=levels_known,
        junior_helped_senior=junior,
    )


def collaboration_figures(filters: DashboardFilters) -> CollaborationFigures:
    """One query over the period's answer facts, read as integer columns (grouping in the
    database saves little: most unit pairs answer once a bucket), then units lifted to each
    community's depth and the answers summed over arrays."""
    period = period_of(filters)
    several = len(filters.community_ids) > 1
    columns = integer_columns(
        period_answers(filters, period)
        .order_by()
        .values(
            mine_unit=Coalesce("answerer_unit_id", Value(UNKNOWN)),
            theirs_unit=Coalesce("asker_unit_id", Value(UNKNOWN)),
            answered_us=EpochMicroseconds("answered_at"),
            levels=LEVELS,
            # One community's answers need no column to say so: every column costs the page.
            **({"answer_community": F("community_id")} if several else {}),
        )
    )
    buckets = filters.buckets()
    figures = CollaborationFigures(
        buckets=buckets,
        per_bucket=[Tally() for _bucket in buckets],
        per_community={pk: Tally() for pk in filters.community_ids},
        depths=_depths(filters.community_ids),
    )
    communities = columns.get("answer_community")
    if communities is None:
        communities = np.full(len(columns["levels"]), filters.community_ids[0], dtype=np.int64)
    mine_units, theirs_units = columns["mine_unit"], columns["theirs_unit"]
    depths = np.zeros(len(communities), dtype=np.int64)
    for pk, depth in figures.depths.items():
        depths[communities == pk] = depth
    unit_ids = set(np.unique(np.concatenate([mine_units, theirs_units])).tolist()) - {UNKNOWN}
    paths = dict(OrgUnit.objects.filter(pk__in=unit_ids).values_list("pk", "path"))
    codes: dict[str, int] = {}
    mine = _lifted(mine_units, depths, paths, codes)
    theirs = _lifted(theirs_units, depths, paths, codes)
    answers = np.ones(len(communities), dtype=np.int64)
    both = (mine >= 0) & (theirs >= 0)
    compared = np.where(both, answers, 0)
    cross = np.where(both & (mine != theirs), answers, 0)
    levels_known = np.where(columns["levels"] != LEVELS_UNKNOWN, answers, 0)
    junior = np.where(columns["levels"] == JUNIOR_HELPED_SENIOR, answers, 0)
    counts = np.stack([answers, compared, cross, levels_known, junior])
    figures.total.add(_tally_of([int(total) for total in counts.sum(axis=1).tolist()]))
    community_ids = np.array(filters.community_ids, dtype=np.int64)
    order = np.argsort(community_ids)
    in_community = order[np.searchsorted(community_ids, communities, sorter=order)]
    for pk, tally in zip(
        filters.community_ids,
        _tallies(counts, in_community, len(community_ids)),
        strict=True,
    ):
        figures.per_community[pk].add(tally)
    if buckets:
        in_bucket = moment_buckets(buckets, columns["answered_us"])
        for index, tally in enumerate(_tallies(counts, in_bucket, len(buckets))):
            figures.per_bucket[index].add(tally)
    path_of = list(codes)
    known = mine >= 0
    given = np.bincount(mine[known], weights=answers[known], minlength=len(codes))
    figures.given = Counter(
        {path_of[code]: int(total) for code, total in enumerate(given.tolist()) if total}
    )
    pairs, pair_of = np.unique(mine[both] * len(codes) + theirs[both], return_inverse=True)
    weights = np.bincount(pair_of, weights=answers[both], minlength=len(pairs))
    figures.edges = Counter(
        {
            (path_of[pair // len(codes)], path_of[pair % len(codes)]): int(weight)
            for pair, weight in zip(pairs.tolist(), weights.tolist(), strict=True)
        }
    )
    shown = set(figures.given) | figures.units
    figures.names = dict(OrgUnit.objects.filter(path__in=shown).values_list("path", "name"))
    return figures


def _headlines(figures: CollaborationFigures) -> dict[str, Headline]:
    total = figures.total
    empty = total.answers == 0
    density, nodes = figures.density()
    half, answers_with_unit = figures.units_for_half()
    return {
        "cross_org_answer_share": Headline(
            key="cross_org_answer_share",
            label=_("Cross-org answers"),
            unit="share",
            value=total.cross_org_share,
            n=total.compared,
        ),
        "cross_level_share": Headline(
            key="cross_level_share",
            label=_("A more junior answerer"),
            unit="share",
            value=total.cross_level_share,
            n=total.levels_known,
        ),
        "answers": Headline(
            key="answers",
            label=_("Answers"),
            unit="count",
            value=None if empty else count_value(total.answers),
        ),
        "org_graph_density": Headline(
            key="org_graph_density",
            label=_("Density of the org-to-org graph"),
            unit="share",
            value=density,
            n=nodes,
            note=_("%(units)s org units") % {"units": nodes} if nodes else "",
        ),
        "units_for_half_of_answers": Headline(
            key="units_for_half_of_answers",
            label=_("Fewest org units giving half of the answers"),
            unit="count",
            value=None if half is None else count_value(half),
            n=answers_with_unit,
            note=_("of %(units)s org units that answered") % {"units": len(figures.given)}
            if half is not None
            else "",
        ),
    }


def collaboration_headlines(filters: DashboardFilters) -> tuple[Headline, ...]:
    """The period's cross-org answer share (see the module's docstring)."""
    return (_headlines(collaboration_figures(filters))["cross_org_answer_share"],)


def _share_series(figures: CollaborationFigures) -> tuple[Series, ...]:
    pairs = list(zip(figures.buckets, figures.per_bucket, strict=True))
    return (
        Series(
            key="cross_org_share",
            label=_("Cross-org answers"),
            unit="share",
            points=tuple(
                Point(start=bucket, value=tally.cross_org_share, n=tally.compared)
                for bucket, tally in pairs
            ),
        ),
        Series(
            key="cross_level_share",
            label=_("A more junior answerer"),
            unit="share",
            points=tuple(
                Point(start=bucket, value=tally.cross_level_share, n=tally.levels_known)
                for bucket, tally in pairs
            ),
        ),
    )


def _tally_columns(*first: str) -> tuple[str, ...]:
    return (
        *first,
        _("Answers"),
        _("Both org units known"),
        _("Cross-org"),
        _("Cross-org share"),
        _("Both levels known"),
        _("More junior answerer"),
        _("Cross-level share"),
    )


def _tally_cells(tally: Tally, *labels: str) -> tuple[str | int | Decimal | None, ...]:
    return (
        *labels,
        tally.answers,
        tally.compared,
        tally.cross_org,
        tally.cross_org_share,
        tally.levels_known,
        tally.junior_helped_senior,
        tally.cross_level_share,
    )


def _unit_table(figures: CollaborationFigures) -> Table:
    received: Counter[str] = Counter()
    within: Counter[str] = Counter()
    for (mine, theirs), weight in figures.edges.items():
        received[theirs] += weight
        if mine == theirs:
            within[mine] += weight
    total = sum(figures.given.values())
    rows = []
    running = 0
    ordered = sorted(
        set(figures.given) | set(received),
        key=lambda unit: (-figures.given[unit], -received[unit], figures.name(unit)),
    )
    for unit in ordered:
        running += figures.given[unit]
        rows.append(
            (
                figures.name(unit),
                figures.given[unit],
                received[unit],
                within[unit],
                share_value(running, total),
            )
        )
    return Table(
        key="answers_by_unit",
        title=_("Answers given and received by org unit"),
        columns=(
            _("Org unit"),
            _("Answers given"),
            _("Answers received"),
            _("Within the unit"),
            _("Cumulative share of answers given"),
        ),
        rows=tuple(rows),
    )


def _community_table(filters: DashboardFilters, figures: CollaborationFigures) -> Table:
    names = dict(Community.objects.filter(pk__in=filters.community_ids).values_list("pk", "name"))
    levels = {0: _("divisions"), 1: _("groups"), 2: _("teams")}
    ordered = sorted(filters.community_ids, key=lambda pk: names.get(pk, ""))
    return Table(
        key="by_community",
        title=_("Cross-org answers by community"),
        columns=_tally_columns(_("Community"), _("Compared at")),
        rows=tuple(
            _tally_cells(
                figures.per_community[pk],
                names.get(pk, str(pk)),
                str(levels.get(figures.depths[pk], figures.depths[pk])),
            )
            for pk in ordered
            if figures.per_community[pk].answers
        ),
    )


def collaboration_panel(filters: DashboardFilters) -> Panel:
    """Cross-org and cross-level answers per bucket and for the period, the org-to-org graph
    with its density, and the fewest org units giving half of the answers (see the module's
    docstring)."""
    figures = collaboration_figures(filters)
    by_bucket = Table(
        key="by_bucket",
        title=_("Cross-org and cross-level answers by period"),
        columns=_tally_columns(_("Period starting")),
        rows=tuple(
            _tally_cells(tally, bucket.isoformat())
            for bucket, tally in zip(figures.buckets, figures.per_bucket, strict=True)
            if tally.answers
        ),
    )
    graph = Table(
        key="org_graph",
        title=_("Who helps whom: answers from one org unit to another"),
        columns=(_("From (answerer's org unit)"), _("To (asker's org unit)"), _("Answers")),
        rows=tuple(
            (figures.name(mine), figures.name(theirs), weight)
            for (mine, theirs), weight in figures.cross_edges
        ),
    )
    tables = [by_bucket, graph, _unit_table(figures)]
    if len(filters.community_ids) > 1:
        tables.append(_community_table(filters, figures))
    depths = set(figures.depths.values())
    level_names = {0: _("divisions"), 1: _("groups"), 2: _("teams")}
    level_note = (
        _("Org units are compared as %(level)s.")
        % {"level": level_names.get(next(iter(depths)), str(next(iter(depths))))}
        if len(depths) == 1
        else _("Each answer's org units are compared at its own community's level.")
    )
    notes = [
        level_note,
        _(
            "Org units are those of the day: the answerer's when answering, the asker's when "
            "asking. Answers where either is unknown are left out of the cross-org share and "
            "the graph."
        ),
    ]
    if filters.org_unit_id is not None:
        notes.append(_("With an org unit chosen: the answers its askers received."))
    return Panel(
        key="collaboration",
        title=_("Collaboration"),
        description=_("How often answers cross the org chart, and who helps whom."),
        headlines=tuple(_headlines(figures).values()),
        charts=(
            Chart(
                kind="line",
                title=_("Answers across the org chart"),
                description=_(
                    "The share of answers from another org unit than the asker's, and from a "
                    "more junior colleague, by when the answer was written."
                ),
                unit="share",
                series=_share_series(figures),
                table=by_bucket,
            ),
            Chart(
                kind="network",
                title=_("Who helps whom"),
                description=_(
                    "Org units linked by the answers one gave to the other's askers; the "
                    "wider the line, the more answers."
                ),
                unit="count",
                table=graph,
            ),
        ),
        tables=tuple(tables),
        notes=tuple(notes),
    )
