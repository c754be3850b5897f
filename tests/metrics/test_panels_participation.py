"""The participation and cohort retention panels, read from hand-made CommunityMonth and
CohortCell rows."""

from datetime import date
from decimal import Decimal

import pytest

from practica.metrics.models import CohortCell, CommunityMonth
from practica.metrics.queries.filters import DashboardFilters
from practica.metrics.queries.participation import participation_panel
from practica.metrics.queries.retention import cell_rows, cohort_cells, retention_panel
from tests.factories.communities import CommunityFactory

pytestmark = pytest.mark.django_db


def month(community, first_day, segment="", **figures):
    return CommunityMonth.objects.create(
        community=community, segment=segment, month=first_day, **figures
    )


def cell(community, cohort, when, **figures):
    return CohortCell.objects.create(community=community, cohort=cohort, month=when, **figures)


def filters_for(*communities, start, end, granularity="month", **extra):
    return DashboardFilters(
        community_ids=tuple(c.pk for c in communities),
        start=start,
        end=end,
        granularity=granularity,
        **extra,
    )


def table(panel, key):
    return next(t for t in panel.tables if t.key == key)


def headline_values(panel):
    return {h.key: (h.value, h.n) for h in panel.headlines}


@pytest.fixture
def participating(db):
    community = CommunityFactory()
    month(
        community, date(2025, 12, 1), members_end=1, active=1, engaged=1, kind_counts={"asked": 1}
    )
    month(
        community,
        date(2026, 1, 1),
        members_end=20,
        active=10,
        engaged=4,
        peripheral=10,
        kind_counts={"asked": 3, "attended": 5, "voted": 10},
    )
    month(
        community,
        date(2026, 2, 1),
        members_end=22,
        active=8,
        engaged=2,
        peripheral=14,
        kind_counts={"asked": 2, "answered": 2},
    )
    return community


def test_participation_per_month_and_in_the_latest(participating):
    filters = filters_for(participating, start=date(2026, 1, 15), end=date(2026, 3, 10))
    panel = participation_panel(filters)
    assert headline_values(panel) == {
        "core_members": (Decimal(2), 22),
        "active_members_month": (Decimal(8), 22),
        "peripheral_members": (Decimal(14), 22),
    }
    assert table(panel, "shape").rows == (
        ("2026-01-01", 20, 4, 6, 10, 10),
        ("2026-02-01", 22, 2, 6, 14, 8),
    )
    # In the ledger's order of kinds.
    assert table(panel, "kinds_latest").rows == (
        ("asked a question", 2, 8, Decimal("0.25")),
        ("answered a question", 2, 8, Decimal("0.25")),
        ("voted", 0, 8, Decimal(0)),
        ("attended an event", 0, 8, Decimal(0)),
    )
    assert table(panel, "kinds").rows[:2] == (
        ("2026-01-01", "asked a question", 3, 10, Decimal("0.3")),
        ("2026-01-01", "answered a question", 0, 10, Decimal(0)),
    )
    shape, kinds = panel.charts
    assert [p.start for p in shape.series[0].points] == [
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
    ]
    assert [p.value for p in shape.series[1].points] == [Decimal(6), Decimal(6), None]
    voted = next(s for s in kinds.series if s.key == "voted")
    assert [(p.value, p.n) for p in voted.points] == [
        (Decimal(1), 10),
        (Decimal(0), 8),
        (None, None),
    ]
    assert panel.notes


def test_participation_pools_communities(participating):
    other = CommunityFactory()
    month(
        other,
        date(2026, 2, 1),
        members_end=5,
        active=2,
        engaged=2,
        peripheral=3,
        kind_counts={"answered": 1, "asked": 2},
    )
    filters = filters_for(participating, other, start=date(2026, 2, 1), end=date(2026, 2, 28))
    panel = participation_panel(filters)
    assert table(panel, "kinds_latest").rows[:2] == (
        ("asked a question", 4, 10, Decimal("0.4")),
        ("answered a question", 3, 10, Decimal("0.3")),
    )
    assert headline_values(panel)["core_members"] == (Decimal(4), 27)


def test_participation_of_a_segment(participating):
    month(participating, date(2026, 2, 1), segment="unit:7", members_end=3, active=1, engaged=1)
    filters = filters_for(
        participating, start=date(2026, 2, 1), end=date(2026, 2, 28), org_unit_id=7
    )
    panel = participation_panel(filters)
    assert headline_values(panel)["active_members_month"] == (Decimal(1), 3)
    assert table(panel, "kinds_latest").rows == ()


def test_participation_without_data_is_empty(participating):
    panel = participation_panel(
        filters_for(participating, start=date(2024, 1, 1), end=date(2024, 6, 30))
    )
    assert panel.is_empty


@pytest.fixture
def cohorts(db):
    community = CommunityFactory()
    january, february = date(2025, 1, 1), date(2025, 2, 1)
    cell(community, date(2024, 12, 1), date(2025, 6, 1), size=50, active=50)
    cell(community, january, january, size=10, active=10)
    cell(community, january, february, size=10, active=6, censored=1)
    cell(community, january, date(2025, 7, 1), size=10, active=4, censored=2)
    cell(community, february, february, size=5, active=5)
    cell(community, february, date(2025, 8, 1), size=5, active=1)
    cell(community, february, date(2026, 1, 1), size=5, active=5)  # after the period
    return community


def test_the_cohort_heat_map_and_month_six_retention(cohorts):
    filters = filters_for(cohorts, start=date(2025, 1, 1), end=date(2025, 12, 31))
    panel = retention_panel(filters)
    heat = table(panel, "cohorts")
    assert heat.columns[:4] == ("Cohort", "Size", "Month 0", "Month 1")
    assert heat.columns[-1] == "Month 11"
    blank = [None] * 12
    january = ["2025-01", 10, *blank]
    january[2:4] = [Decimal(1), Decimal("0.6667")]  # 6 ÷ (10 − 1)
    january[8] = Decimal("0.5")  # 4 ÷ (10 − 2)
    february = ["2025-02", 5, *blank]
    february[2], february[8] = Decimal(1), Decimal("0.2")
    assert heat.rows == (tuple(january), tuple(february))
    assert panel.charts[0].kind == "heatmap"
    assert panel.charts[0].table == heat
    # Pooled over both cohorts: (4 + 1) ÷ (8 + 5).
    assert headline_values(panel) == {
        "retention_month_1": (Decimal("0.6667"), 9),
        "retention_month_6": (Decimal("0.3846"), 13),
    }
    assert ("2025-01", 6, 10, 2, 4, 8, Decimal("0.5")) in table(panel, "cohort_cells").rows


def test_retention_pools_communities(cohorts):
    other = CommunityFactory()
    cell(other, date(2025, 1, 1), date(2025, 7, 1), size=4, active=2)
    filters = filters_for(cohorts, other, start=date(2025, 1, 1), end=date(2025, 12, 31))
    panel = retention_panel(filters)
    january = table(panel, "cohorts").rows[0]
    assert january[:2] == ("2025-01", 14)
    assert january[8] == Decimal("0.5")  # (4 + 2) ÷ (8 + 4)
    assert headline_values(panel)["retention_month_6"] == (Decimal("0.4118"), 17)


def test_a_wholly_censored_cell_has_no_value(db):
    community = CommunityFactory()
    cell(community, date(2025, 1, 1), date(2025, 7, 1), size=2, active=0, censored=2)
    panel = retention_panel(filters_for(community, start=date(2025, 1, 1), end=date(2025, 8, 1)))
    assert table(panel, "cohorts").rows[0][8] is None
    assert headline_values(panel)["retention_month_6"] == (None, 0)


def test_retention_is_not_split_and_says_so(cohorts):
    filters = filters_for(cohorts, start=date(2025, 1, 1), end=date(2025, 12, 31), role="leader")
    panel = retention_panel(filters)
    assert any("not split" in note for note in panel.notes)
    assert headline_values(panel)["retention_month_6"][0] == Decimal("0.3846")


def test_retention_without_data_is_empty(cohorts):
    panel = retention_panel(filters_for(cohorts, start=date(2023, 1, 1), end=date(2023, 12, 31)))
    assert panel.is_empty
    assert table(panel, "cohorts").columns[-1] == "Month 11"


def test_the_month_in_progress_is_left_out_of_the_retention_headline(db):
    """On 2 November the October cohort has had two days of November to be active in: its
    month-1 cell is drawn but not pooled into "Retention after 1 month"."""
    community = CommunityFactory()
    september, october, november = date(2025, 9, 1), date(2025, 10, 1), date(2025, 11, 1)
    cell(community, september, october, size=10, active=6)
    cell(community, october, november, size=10, active=1)
    panel = retention_panel(filters_for(community, start=september, end=date(2025, 11, 2)))
    assert headline_values(panel)["retention_month_1"] == (Decimal("0.6"), 10)
    october_row = table(panel, "cohorts").rows[1]
    assert october_row[:4] == ("2025-10", 10, None, Decimal("0.1"))
    # Once November is over it counts: (6 + 1) ÷ (10 + 10).
    panel = retention_panel(filters_for(community, start=september, end=date(2025, 11, 30)))
    assert headline_values(panel)["retention_month_1"] == (Decimal("0.35"), 20)


def test_cells_past_month_24_are_not_read(db):
    """A long period's cohorts have cells for every later month; only months 0–24 are drawn,
    and the others stay in the database."""
    community = CommunityFactory()
    cohort = date(2020, 1, 1)
    for offset in range(40):
        when = date(2020 + offset // 12, offset % 12 + 1, 1)
        cell(community, cohort, when, size=10, active=5)
    filters = filters_for(community, start=cohort, end=date(2023, 12, 31))
    assert sorted(row[2] for row in cell_rows(filters))[-1] == date(2022, 1, 1)
    assert cell_rows(filters).count() == 25
    sizes, cells = cohort_cells(filters)
    assert sizes == {cohort: 10}
    assert sorted(k for _cohort, k in cells) == list(range(25))
    heat = table(retention_panel(filters), "cohorts")
    assert heat.columns[-1] == "Month 24"
    assert heat.rows[0][-1] == Decimal("0.5")
