"""Growth: members at the end of the period and of each bucket, who joined (by source), who
left the community and who left the company, and the net change. From `CommunityDay` only.

Per bucket (and for the whole period): joined, its sources and the leavers are the sums of the
days' figures; members is the figure of the bucket's last day with rows. Net = joined − left
the community − left the company. A bucket without any rolled-up day has no data (None).
"""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from practica.metrics.queries.buckets import Buckets, iso
from practica.metrics.queries.days import DayFigures, day_totals
from practica.metrics.queries.filters import DashboardFilters
from practica.metrics.queries.headlines import count_headline, count_point
from practica.metrics.queries.types import Chart, Headline, Panel, Series, Table

SOURCE_FIELDS = ("joined_welcome_mail", "joined_invitation", "joined_organic", "joined_other")
FLOW_FIELDS = ("joined", *SOURCE_FIELDS, "left_community", "left_company")
FIELDS = ("members", *FLOW_FIELDS)


@dataclass(frozen=True)
class GrowthFigures:
    """One bucket's (or the period's) figures; all None without data."""

    start: date
    members: int | None
    flows: DayFigures | None

    def flow(self, field: str) -> int | None:
        return None if self.flows is None else self.flows[field]

    @property
    def net(self) -> int | None:
        if self.flows is None:
            return None
        return self.flows["joined"] - self.flows["left_community"] - self.flows["left_company"]


def _figures(start: date, days: list[tuple[date, DayFigures]]) -> GrowthFigures:
    if not days:
        return GrowthFigures(start=start, members=None, flows=None)
    flows = {field: sum(figures[field] for _day, figures in days) for field in FLOW_FIELDS}
    return GrowthFigures(start=start, members=days[-1][1]["members"], flows=flows)


def growth_figures(filters: DashboardFilters) -> tuple[GrowthFigures, list[GrowthFigures]]:
    """The period's figures and each bucket's (one query)."""
    days = day_totals(filters, fields=FIELDS)
    buckets = Buckets(filters.start, filters.end, filters.granularity)
    by_bucket: dict[date, list[tuple[date, DayFigures]]] = {}
    for day, figures in days.items():
        bucket = buckets.of(day)
        if bucket is not None:
            by_bucket.setdefault(bucket, []).append((day, figures))
    period = _figures(filters.start, list(days.items()))
    return period, [_figures(start, by_bucket.get(start, [])) for start in buckets.starts]


def _headlines(period: GrowthFigures) -> tuple[Headline, ...]:
    return (
        count_headline("members", _("Members at the end of the period"), period.members),
        count_headline("joined", _("Joined"), period.flow("joined")),
        count_headline("left_community", _("Left the community"), period.flow("left_community")),
        count_headline("left_company", _("Left the company"), period.flow("left_company")),
        count_headline("net", _("Net change"), period.net),
    )


def growth_headlines(filters: DashboardFilters) -> tuple[Headline, ...]:
    """Members at the period's end, joined, left the community, left the company, net."""
    period, _buckets = growth_figures(filters)
    return _headlines(period)


def _series(key: str, label: str, buckets: list[GrowthFigures], field: str) -> Series:
    points = tuple(
        count_point(b.start, b.members if field == "members" else b.flow(field)) for b in buckets
    )
    return Series(key=key, label=label, unit="count", points=points)


def growth_panel(filters: DashboardFilters) -> Panel:
    period, buckets = growth_figures(filters)
    has_data = period.flows is not None
    source_labels = {
        "joined_welcome_mail": _("Welcome mail"),
        "joined_invitation": _("Invitation"),
        "joined_organic": _("Organic"),
        "joined_other": _("Other (imported, founders)"),
    }
    members = _series("members", _("Members"), buckets, "members")
    flows = (
        _series("joined", _("Joined"), buckets, "joined"),
        _series("left_community", _("Left the community"), buckets, "left_community"),
        _series("left_company", _("Left the company"), buckets, "left_company"),
    )
    sources = tuple(
        _series(field.removeprefix("joined_"), label, buckets, field)
        for field, label in source_labels.items()
    )
    members_table = Table(
        key="members",
        title=_("Members, joiners and leavers"),
        columns=(
            _("Start"),
            _("Members at the end"),
            _("Joined"),
            _("Left the community"),
            _("Left the company"),
            _("Net change"),
        ),
        rows=tuple(
            (
                iso(b.start),
                b.members,
                b.flow("joined"),
                b.flow("left_community"),
                b.flow("left_company"),
                b.net,
            )
            for b in buckets
        )
        if has_data
        else (),
    )
    sources_table = Table(
        key="sources",
        title=_("New members by source"),
        columns=(_("Start"), *source_labels.values(), _("Joined")),
        rows=tuple(
            (iso(b.start), *(b.flow(field) for field in SOURCE_FIELDS), b.flow("joined"))
            for b in buckets
        )
        if has_data
        else (),
    )
    return Panel(
        key="growth",
        title=_("Growth"),
        description=_(
            "Members at the end of each period, who joined and who left; leaving the company "
            "is counted apart from leaving the community."
        ),
        headlines=_headlines(period),
        charts=(
            Chart(
                kind="line",
                title=_("Members"),
                description=_("Members at the end of each period."),
                unit="count",
                series=(members,),
            ),
            Chart(
                kind="bar",
                title=_("Joined and left"),
                description=_(
                    "People who joined, left the community and left the company in each period."
                ),
                unit="count",
                series=flows,
            ),
            Chart(
                kind="stacked_bar",
                title=_("New members by source"),
                description=_(
                    "New members in each period by how they came: the welcome mail, an "
                    "invitation, on their own, or other ways (imported, founders)."
                ),
                unit="count",
                series=sources,
            ),
        ),
        tables=(members_table, sources_table),
    )
