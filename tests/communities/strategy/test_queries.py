"""The strategy's reads: current version and versions, the audience's live reach, targets against
live metric values with their trend, two versions compared, maturity over time."""

import datetime
from datetime import UTC
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from practica.communities.models import (
    LeftReason,
    Membership,
    MembershipRole,
    StrategyStatus,
    StrategyTarget,
    TargetComparison,
)
from practica.communities.strategy.comparison import compare_versions
from practica.communities.strategy.maturity_queries import (
    average_stage,
    maturity_comparison,
    maturity_history,
)
from practica.communities.strategy.queries import (
    current_strategy,
    leadership_candidates,
    leadership_team,
    strategy_draft,
    strategy_version,
    strategy_versions,
)
from practica.communities.strategy.reach import audience_reach, total_reach
from practica.communities.strategy.targets import (
    TargetStatus,
    evaluate_target,
    evaluate_targets,
    format_metric_value,
    month_ends,
    status_counts,
    target_status,
)
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.people import OrgUnitFactory, UserFactory
from tests.factories.strategy import (
    ApprovedStrategyFactory,
    MaturityAssessmentFactory,
    StrategyAudienceFactory,
    StrategyLeaderFactory,
    StrategyTargetFactory,
    StrategyVersionFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 5, 15, 12, 0, tzinfo=UTC)


# --- Versions ----------------------------------------------------------------------------------


def test_the_current_strategy_is_the_version_approved_last(community):
    assert current_strategy(community) is None
    StrategyVersionFactory(community=community, number=1, status=StrategyStatus.SUPERSEDED)
    approved = ApprovedStrategyFactory(community=community, number=2)
    draft = StrategyVersionFactory(community=community, number=3)
    ApprovedStrategyFactory(community=CommunityFactory(), number=4)

    assert current_strategy(community) == approved
    assert strategy_draft(community) == draft
    assert [v.number for v in strategy_versions(community)] == [3, 2, 1]
    assert strategy_version(community, 1).status == StrategyStatus.SUPERSEDED
    assert strategy_version(community, 4) is None


def test_the_leadership_team_with_todays_roles(community, leader, plain_member):
    version = ApprovedStrategyFactory(community=community)
    gone = UserFactory(display_name="Gus Gone")
    Membership.objects.create(
        community=community, person=gone, left_at=NOW, left_reason=LeftReason.LEFT_COMPANY
    )
    for position, person in enumerate([leader, plain_member, gone]):
        StrategyLeaderFactory(version=version, person=person, position=position)

    team = leadership_team(current_strategy(community))

    assert [(m.leader.person, m.role) for m in team] == [
        (leader, MembershipRole.LEADER),
        (plain_member, MembershipRole.MEMBER),
        (gone, None),
    ]
    assert [m.in_leadership_role for m in team] == [True, False, False]
    assert [m.is_member for m in team] == [True, True, False]


def test_leadership_candidates_are_members_above_member(
    community, manager, leader, organizer, plain_member
):
    people = [m.person for m in leadership_candidates(community)]

    assert people == [leader, manager, organizer]


# --- Reach -------------------------------------------------------------------------------------


@pytest.fixture
def org_chart():
    research = OrgUnitFactory(name="Research")
    ml = OrgUnitFactory(name="ML Research", parent=research)
    sales = OrgUnitFactory(name="Sales")
    return research, ml, sales


def test_reach_counts_people_in_the_subtree_and_the_members_among_them(community, org_chart):
    research, ml, sales = org_chart
    in_research = UserFactory(org_unit=research, role="researcher")
    in_ml = UserFactory(org_unit=ml, role="data_scientist", job_title="Senior Data Scientist")
    UserFactory(org_unit=ml, role="data_scientist", job_title="Applied scientist")
    UserFactory(org_unit=sales, role="data_scientist", job_title="Data scientist, field")
    UserFactory(org_unit=ml, is_active=False)
    UserFactory(org_unit=ml, left_on=datetime.date(2024, 1, 1))
    UserFactory(org_unit=ml, is_system=True)
    MembershipFactory(community=community, person=in_research)
    MembershipFactory(community=community, person=in_ml)
    MembershipFactory(community=CommunityFactory(), person=UserFactory(org_unit=research))
    version = ApprovedStrategyFactory(community=community)
    rows = [
        StrategyAudienceFactory(version=version, label="Research", org_unit=research, role=""),
        StrategyAudienceFactory(version=version, label="Scientists", role="data_scientist"),
        StrategyAudienceFactory(
            version=version,
            label="ML data scientists",
            org_unit=ml,
            role="data_scientist",
            job_title_contains="DATA scientist",
        ),
    ]

    reach = audience_reach(version)

    assert [(line.row, line.reach.people, line.reach.members) for line in reach] == [
        (rows[0], 4, 2),
        (rows[1], 3, 1),
        (rows[2], 1, 1),
    ]
    assert reach[0].reach.share == Decimal("0.5000")
    assert reach[0].reach.not_yet_members == 2
    assert reach[2].criteria == [
        "in ML Research and below",
        "role: Data scientist",
        "job title contains “DATA scientist”",
    ]
    # Anyone in any row, each once.
    combined = total_reach(version)
    assert (combined.people, combined.members) == (5, 2)


def test_a_row_that_matches_nobody_has_no_share(community, org_chart):
    version = ApprovedStrategyFactory(community=community)
    StrategyAudienceFactory(version=version, role="", org_unit=None, label="Unit gone")
    StrategyAudienceFactory(version=version, role="pm")

    reach = audience_reach(version)

    assert [line.reach.people for line in reach] == [0, 0]
    assert reach[0].reach.share is None
    assert "matches nobody" in reach[0].criteria[0]
    assert audience_reach(version, live=False)[1].reach is None
    assert total_reach(ApprovedStrategyFactory(community=CommunityFactory())).people == 0


# --- Targets -----------------------------------------------------------------------------------


def _target(comparison, value, margin=10):
    return StrategyTarget(
        metric_key="members",
        comparison=comparison,
        target_value=Decimal(value),
        amber_margin_percent=margin,
    )


@pytest.mark.parametrize(
    ("comparison", "target", "value", "status"),
    [
        (TargetComparison.AT_LEAST, "100", "100", TargetStatus.GREEN),
        (TargetComparison.AT_LEAST, "100", "150", TargetStatus.GREEN),
        (TargetComparison.AT_LEAST, "100", "90", TargetStatus.AMBER),
        (TargetComparison.AT_LEAST, "100", "89.99", TargetStatus.RED),
        (TargetComparison.AT_MOST, "2", "2", TargetStatus.GREEN),
        (TargetComparison.AT_MOST, "2", "2.2", TargetStatus.AMBER),
        (TargetComparison.AT_MOST, "2", "2.21", TargetStatus.RED),
        (TargetComparison.AT_MOST, "0", "0.01", TargetStatus.RED),
        (TargetComparison.AT_MOST, "0", "0", TargetStatus.GREEN),
    ],
)
def test_target_status(comparison, target, value, status):
    assert target_status(_target(comparison, target), Decimal(value)) == status


def test_no_value_is_no_data():
    assert target_status(_target("at_least", "1"), None) == TargetStatus.NO_DATA


@given(
    goal=st.decimals(min_value=0, max_value=10_000, places=2),
    value=st.decimals(min_value=0, max_value=20_000, places=2),
    margin=st.integers(min_value=0, max_value=100),
)
def test_more_is_never_worse_when_more_is_the_aim(goal, value, margin):
    order = [TargetStatus.RED, TargetStatus.AMBER, TargetStatus.GREEN]
    target = _target("at_least", goal, margin)

    lower = target_status(target, value)
    higher = target_status(target, value + 1)

    assert order.index(higher) >= order.index(lower)


def test_month_ends_are_the_last_six_month_boundaries():
    assert month_ends(NOW) == [
        datetime.datetime(2025, 12, 1, tzinfo=UTC),
        datetime.datetime(2026, 1, 1, tzinfo=UTC),
        datetime.datetime(2026, 2, 1, tzinfo=UTC),
        datetime.datetime(2026, 3, 1, tzinfo=UTC),
        datetime.datetime(2026, 4, 1, tzinfo=UTC),
        datetime.datetime(2026, 5, 1, tzinfo=UTC),
    ]
    assert month_ends(datetime.datetime(2026, 2, 1, tzinfo=UTC), count=2) == [
        datetime.datetime(2026, 1, 1, tzinfo=UTC),
        datetime.datetime(2026, 2, 1, tzinfo=UTC),
    ]


def test_a_target_is_measured_live_with_its_trend(community, metrics):
    for joined in ["2025-11-15", "2026-01-10", "2026-01-20", "2026-04-30", "2026-05-10"]:
        MembershipFactory(community=community, joined_at=f"{joined}T09:00:00Z")
    target = StrategyTargetFactory(
        version=ApprovedStrategyFactory(community=community), target_value=Decimal(5)
    )

    evaluation = evaluate_target(target, community_id=community.pk, as_of=NOW)

    assert evaluation.value == Decimal(5)
    assert evaluation.status == TargetStatus.GREEN
    assert [point.value for point in evaluation.trend] == [
        Decimal(1),
        Decimal(1),
        Decimal(3),
        Decimal(3),
        Decimal(3),
        Decimal(4),
    ]
    assert evaluation.label == "Members"
    assert evaluation.shown_value == "5"
    assert evaluation.shown_target == "at least 5"


def test_targets_of_a_version_in_order_with_statuses(community, metrics):
    version = ApprovedStrategyFactory(community=community)
    StrategyTargetFactory(
        version=version, metric_key="response_hours", comparison="at_most", target_value=2
    )
    StrategyTargetFactory(
        version=version,
        metric_key="answered_share",
        target_value=Decimal("0.6"),
        label="Answered within a day",
        position=1,
    )
    StrategyTargetFactory(version=version, metric_key="nothing", position=2)
    StrategyTargetFactory(version=version, metric_key="retired_metric", position=3)

    evaluations = evaluate_targets(current_strategy(community), as_of=NOW)

    assert [(e.target.metric_key, e.status) for e in evaluations] == [
        ("response_hours", TargetStatus.GREEN),
        ("answered_share", TargetStatus.AMBER),
        ("nothing", TargetStatus.NO_DATA),
        ("retired_metric", TargetStatus.NO_DATA),
    ]
    hours, share, nothing, retired = evaluations
    assert (hours.shown_value, hours.shown_target) == ("1.5 h", "at most 2.0 h")
    assert (share.shown_value, share.shown_target) == ("55.0 %", "at least 60.0 %")
    assert share.label == "Answered within a day"
    assert nothing.shown_value == "—"
    assert retired.metric_missing
    assert retired.label == "retired_metric"
    assert all(point.value is None for point in retired.trend)
    assert status_counts(evaluations) == {"green": 1, "amber": 1, "red": 0, "no_data": 2}


def test_values_are_shown_in_their_unit():
    assert format_metric_value(Decimal("1234"), "count") == "1,234"
    assert format_metric_value(Decimal("0.625"), "share") == "62.5 %"
    assert format_metric_value(Decimal("2.26"), "hours") == "2.3 h"
    assert format_metric_value(Decimal("4.5"), "score") == "4.50"
    assert format_metric_value(None, "count") == "—"


# --- Comparing ---------------------------------------------------------------------------------


def test_two_versions_compared_section_by_section(community, metrics, leader, plain_member):
    research = OrgUnitFactory(name="Research")
    older = StrategyVersionFactory(
        community=community,
        number=1,
        status=StrategyStatus.SUPERSEDED,
        summary="Old summary",
        goals=["Faster answers", "Grow to 800"],
        scenarios=["I can find an expert"],
        principles=["We don't try to control the conversation"],
    )
    newer = StrategyVersionFactory(
        community=community,
        number=2,
        summary="Old summary",
        goals=["faster answers", "Grow to 2,000"],
        scenarios=["I can find an expert"],
        principles=["We don't try to control the conversation", "Recruit for enthusiasm"],
    )
    StrategyAudienceFactory(version=older, label="Researchers", org_unit=research, role="")
    StrategyAudienceFactory(version=older, label="Field", role="field")
    StrategyAudienceFactory(version=newer, label="Researchers", org_unit=research, role="pm")
    StrategyTargetFactory(version=older, metric_key="members", target_value=800)
    StrategyTargetFactory(version=newer, metric_key="members", target_value=2000)
    StrategyTargetFactory(
        version=newer, metric_key="answered_share", target_value=Decimal("0.6"), position=1
    )
    StrategyLeaderFactory(version=older, person=leader, remit="Events")
    StrategyLeaderFactory(version=older, person=plain_member, remit="Q&A")
    StrategyLeaderFactory(version=newer, person=leader, remit="Events")

    comparison = compare_versions(strategy_version(community, 1), strategy_version(community, 2))

    assert comparison.has_changes
    assert not comparison.summary_changed
    by_name = {section.section: section for section in comparison.sections}
    assert (by_name["goals"].added, by_name["goals"].removed) == (
        ["Grow to 2,000"],
        ["Grow to 800"],
    )
    assert by_name["goals"].unchanged == 1
    assert not by_name["scenarios"].has_changes
    assert by_name["principles"].added == ["Recruit for enthusiasm"]
    audience = by_name["audience"]
    assert audience.removed == ["Field (Role: Field / sales)"]
    assert [
        (c.item, [(f.field, f.before, f.after) for f in c.changes]) for c in audience.changed
    ] == [("Researchers", [("role", "", "Product manager")])]
    targets = by_name["targets"]
    assert targets.added == ["Answered within 24 h (Target: at least 60.0 %; Amber within (%): 10)"]
    assert [(f.before, f.after) for f in targets.changed[0].changes] == [
        ("at least 800", "at least 2,000")
    ]
    leaders = by_name["leaders"]
    assert leaders.removed == ["Mo Member (Remit: Q&A)"]
    assert leaders.unchanged == 1


def test_identical_versions_have_no_changes(community):
    older = StrategyVersionFactory(community=community, number=1, status="superseded")
    newer = StrategyVersionFactory(community=community, number=2)

    assert not compare_versions(older, newer).has_changes


# --- Maturity ----------------------------------------------------------------------------------


def test_the_latest_assessment_beside_the_previous(community):
    assert maturity_comparison(community).latest is None
    MaturityAssessmentFactory(
        community=community, assessed_on=datetime.date(2019, 1, 1), stages={"tools": 1}
    )
    previous = MaturityAssessmentFactory(
        community=community, assessed_on=datetime.date(2020, 1, 1), stages={"tools": 2}
    )
    latest = MaturityAssessmentFactory(
        community=community,
        assessed_on=datetime.date(2021, 1, 1),
        stages={"tools": 4, "culture": 1, "strategy": 3},
    )
    MaturityAssessmentFactory(assessed_on=datetime.date(2022, 1, 1))

    comparison = maturity_comparison(community)

    assert (comparison.latest, comparison.previous) == (latest, previous)
    rows = {row.competency: row for row in comparison.rows}
    assert len(rows) == 8
    assert (rows["tools"].latest, rows["tools"].previous, rows["tools"].change) == (4, 2, 2)
    assert rows["culture"].change == -1
    assert rows["culture"].change_size == 1
    assert rows["leadership"].change == 0
    assert str(rows["tools"].latest_label) == "Network"


def test_the_history_oldest_first_with_mean_stages(community):
    for year, stage in [(2016, 1), (2018, 2), (2021, 4)]:
        MaturityAssessmentFactory(
            community=community,
            assessed_on=datetime.date(year, 6, 1),
            stages={"strategy": stage, "tools": stage},
        )

    history = maturity_history(community)

    assert [point.assessed_on.year for point in history] == [2016, 2018, 2021]
    assert [point.average for point in history] == [
        Decimal("1.75"),
        Decimal("2.00"),
        Decimal("2.50"),
    ]
    assert [point.assessed_on.year for point in maturity_history(community, limit=2)] == [
        2018,
        2021,
    ]
    assert history[2].stages["tools"] == 4


def test_an_assessment_without_scores_has_no_mean(community):
    assessment = MaturityAssessmentFactory(community=community)
    assessment.scores.all().delete()

    assert average_stage(assessment) is None


def test_month_end_values_are_computed_once_the_live_value_every_time(community, metrics):
    calls = []

    def counted(community_id, as_of):
        calls.append(as_of)
        return Decimal(1)

    metrics.register_target_metric(
        metrics.TargetMetric(
            key="counted",
            label="Counted",
            description="Counts its calls.",
            unit="count",
            better="higher",
            compute=counted,
        )
    )
    target = StrategyTargetFactory(
        version=ApprovedStrategyFactory(community=community), metric_key="counted"
    )

    evaluate_target(target, community_id=community.pk, as_of=NOW)
    evaluate_target(target, community_id=community.pk, as_of=NOW)

    assert len(calls) == 6 + 2
    assert calls.count(NOW) == 2


def test_every_platform_metric_can_be_a_target(community):
    """With the metrics the platform registers (not the test's): each evaluates, is shown in
    its unit and draws a sparkline, even for a community with nothing to measure yet."""
    from practica.communities.strategy.charts import sparkline_svg
    from practica.communities.target_metrics import target_metrics

    version = ApprovedStrategyFactory(community=community)
    MembershipFactory(community=community, joined_at="2026-01-05T09:00:00Z")
    for position, metric in enumerate(target_metrics()):
        StrategyTargetFactory(version=version, metric_key=metric.key, position=position)

    evaluations = evaluate_targets(current_strategy(community), as_of=NOW)

    assert [e.target.metric_key for e in evaluations] == [m.key for m in target_metrics()]
    for evaluation in evaluations:
        assert not evaluation.metric_missing
        assert evaluation.status in TargetStatus
        assert evaluation.shown_value
        assert "<svg" in sparkline_svg(evaluation, chart_id=f"s{evaluation.target.pk}")
