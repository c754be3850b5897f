"""The outreach and conference panels, read from those apps' tables."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from practica.conference.models import ProposalState, Review, ReviewStatus
from practica.metrics.queries.conference import conference_panel
from practica.metrics.queries.filters import DashboardFilters
from practica.metrics.queries.outreach import outreach_panel
from practica.outreach.models import Campaign
from tests.factories.communities import CommunityFactory
from tests.factories.conference import EditionFactory, ProposalFactory, ReviewAssignmentFactory
from tests.factories.people import UserFactory
from tests.outreach.funnel_setup import JANUARY_COUNTS, TOTAL_COUNTS, build_funnel_fixture

pytestmark = pytest.mark.django_db


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


def headlines(panel):
    return {h.key: (h.value, h.n) for h in panel.headlines}


@pytest.fixture
def funnel(db):
    return build_funnel_fixture()


def test_the_funnel_of_the_months_overlapping_the_period(funnel):
    panel = outreach_panel(
        filters_for(funnel.community, start=date(2025, 12, 20), end=date(2026, 2, 10))
    )
    steps = table(panel, "funnel")
    assert [row[1] for row in steps.rows] == list(TOTAL_COUNTS.values())
    assert steps.rows[0][2] is None
    assert headlines(panel)["outreach_mailed"] == (Decimal(TOTAL_COUNTS["mailed"]), None)
    assert headlines(panel)["outreach_conversion"][1] == TOTAL_COUNTS["audience"]
    months = table(panel, "funnel_months")
    assert [row[:2] for row in months.rows] == [
        ("2025-12", "Monthly welcome"),
        ("2026-01", "Monthly welcome"),
        ("2026-02", "Spring welcome"),
    ]
    chart = panel.charts[0]
    assert [s.points[0].value for s in chart.series] == [Decimal(n) for n in TOTAL_COUNTS.values()]


def test_one_month_and_pooled_communities(funnel):
    january = filters_for(funnel.community, start=date(2026, 1, 1), end=date(2026, 1, 31))
    panel = outreach_panel(january)
    assert [row[1] for row in table(panel, "funnel").rows] == list(JANUARY_COUNTS.values())
    joined = JANUARY_COUNTS["joined"]
    assert headlines(panel)["outreach_conversion"] == (
        (Decimal(joined) / JANUARY_COUNTS["audience"]).quantize(Decimal("0.0001")),
        JANUARY_COUNTS["audience"],
    )
    other = Campaign.objects.exclude(community=funnel.community).get().community
    pooled = outreach_panel(
        filters_for(funnel.community, other, start=date(2026, 1, 1), end=date(2026, 1, 31))
    )
    assert headlines(pooled)["outreach_audience"] == (Decimal(60), None)
    assert headlines(pooled)["outreach_joined"] == (Decimal(joined + 5), None)


def test_no_campaigns_is_an_empty_panel_and_a_split_says_so(funnel):
    panel = outreach_panel(
        filters_for(funnel.community, start=date(2024, 1, 1), end=date(2024, 3, 1), role="leader")
    )
    assert panel.is_empty
    assert any("not split" in note for note in panel.notes)


def review(proposal, reviewer, status=ReviewStatus.SUBMITTED):
    assignment = ReviewAssignmentFactory(proposal=proposal, reviewer=reviewer)
    submitted = timezone.now() if status == ReviewStatus.SUBMITTED else None
    return Review.objects.create(assignment=assignment, status=status, submitted_at=submitted)


@pytest.fixture
def conference(db):
    community = CommunityFactory(name="Machine learning")
    edition = EditionFactory(community=community, name="Spring 2026", starts_on=date(2026, 3, 10))
    proposals = {
        state: ProposalFactory(edition=edition, state=state)
        for state in (
            ProposalState.ACCEPTED,
            ProposalState.CONFIRMED,
            ProposalState.REJECTED,
            ProposalState.WAITLISTED,
            ProposalState.SUBMITTED,
            ProposalState.WITHDRAWN,
            ProposalState.DRAFT,
        )
    }
    ProposalFactory(edition=edition, state=ProposalState.ACCEPTED)
    first, second = UserFactory(), UserFactory()
    review(proposals[ProposalState.ACCEPTED], first)
    review(proposals[ProposalState.REJECTED], first)
    review(proposals[ProposalState.SUBMITTED], first)
    review(proposals[ProposalState.ACCEPTED], second)
    review(proposals[ProposalState.REJECTED], second, status=ReviewStatus.DRAFT)
    ReviewAssignmentFactory(proposal=proposals[ProposalState.WAITLISTED], reviewer=UserFactory())
    earlier = EditionFactory(community=community, starts_on=date(2025, 10, 1))
    ProposalFactory(edition=earlier)
    return community


def test_conference_editions_in_the_period(conference):
    filters = filters_for(conference, start=date(2026, 1, 1), end=date(2026, 6, 30))
    panel = conference_panel(filters)
    assert headlines(panel) == {
        "editions": (Decimal(1), None),
        "proposals": (Decimal(6), None),  # no draft, no withdrawn
        "acceptance_rate": (Decimal("0.6"), 5),  # 3 accepted of 5 decided
        "reviews_per_reviewer": (Decimal("2.00"), 2),  # 4 submitted reviews by 2 people
    }
    assert table(panel, "editions").rows == (
        (
            "Spring 2026",
            "Machine learning",
            "2026-03-10",
            6,
            5,
            3,
            Decimal("0.6"),
            4,
            2,
            Decimal("2.00"),
        ),
    )
    march = next(row for row in table(panel, "by_period").rows if row[0] == "2026-03-01")
    assert march[1:4] == (6, 5, 3)
    proposals = panel.charts[0].series[0]
    assert [p.value for p in proposals.points][2] == Decimal(6)


def test_no_edition_in_the_period_is_an_empty_panel(conference):
    panel = conference_panel(
        filters_for(conference, start=date(2024, 1, 1), end=date(2024, 12, 31))
    )
    assert panel.is_empty
    assert headlines(panel)["reviews_per_reviewer"] == (None, None)
