"""The collaboration panel read from answer facts, against hand-computed figures: org units
lifted to each community's level (pooled communities with different levels), a transfer after
the answer, an answer with an unknown unit, the org-to-org graph and its density, the fewest
units giving half of the answers, the filters and an empty period."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from practica.communities.models import MembershipRole
from practica.metrics.charts import render_chart
from practica.metrics.models import AnswerFact, QuestionFact
from practica.metrics.queries.collaboration import (
    collaboration_headlines,
    collaboration_panel,
    unit_at_depth,
)
from practica.metrics.queries.filters import DashboardFilters
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.core import TopicFactory
from tests.factories.discussions import PostFactory, QASettingsFactory, QuestionFactory
from tests.factories.people import OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def at(month: int, day: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


def answer(community, *, answered, mine, theirs, levels=(None, None), asker=None, topics=()):
    """An answer fact: the answerer's unit `mine` (as of the answer) helped an asker of
    `theirs` (as of the question); `levels` are (answerer's, asker's) career levels."""
    asker = asker or UserFactory()
    thread = QuestionFactory(community=community, created_at=answered, author=asker)
    if topics:
        fact = QuestionFact.objects.create(
            thread=thread, community=community, asked_at=answered, asker=asker
        )
        fact.topics.set(topics)
    answerer = UserFactory()
    post = PostFactory(thread=thread, author=answerer, created_at=answered)
    return AnswerFact.objects.create(
        post=post,
        community=community,
        thread=thread,
        answered_at=answered,
        asked_at=answered,
        answerer=answerer,
        asker=asker,
        answerer_unit=mine,
        asker_unit=theirs,
        answerer_level=levels[0],
        asker_level=levels[1],
    )


def filters_for(*communities, start=date(2026, 1, 1), end=date(2026, 2, 28), **extra):
    return DashboardFilters(
        community_ids=tuple(community.pk for community in communities),
        start=start,
        end=end,
        granularity="month",
        **extra,
    )


def headline(panel, key):
    return next(item for item in panel.headlines if item.key == key)


def table(panel, key):
    return next(item for item in panel.tables if item.key == key)


@pytest.fixture
def org():
    research = OrgUnitFactory(name="Research", slug="r")
    r1 = OrgUnitFactory(name="Research One", slug="r1", parent=research, kind="group")
    r2 = OrgUnitFactory(name="Research Two", slug="r2", parent=research, kind="group")
    r1a = OrgUnitFactory(name="Research One A", slug="r1a", parent=r1, kind="team")
    sales = OrgUnitFactory(name="Sales", slug="s")
    s1 = OrgUnitFactory(name="Sales One", slug="s1", parent=sales, kind="group")
    return {"R": research, "R1": r1, "R2": r2, "R1a": r1a, "S": sales, "S1": s1}


@pytest.fixture
def scene(org):
    """Community A compares groups (the default, no settings row); B compares divisions."""
    groups, divisions = CommunityFactory(name="A"), CommunityFactory(name="B")
    QASettingsFactory(community=divisions, cross_org_depth=0)
    organizer = UserFactory()
    MembershipFactory(community=groups, person=organizer, role=MembershipRole.ORGANIZER)
    topic = TopicFactory(name="NLP", parent=TopicFactory(name="ML"))
    # A, January. a1: a team of R1 helps R1 — the same group; junior (3) helps senior (5).
    answer(
        groups, answered=at(1, 5), mine=org["R1a"], theirs=org["R1"], levels=(3, 5), asker=organizer
    )
    # a2: R2 → R1, cross-org. Its answerer has since moved to Sales: the fact keeps R2.
    a2 = answer(
        groups, answered=at(1, 6), mine=org["R2"], theirs=org["R1"], levels=(5, 5), topics=[topic]
    )
    a2.answerer.org_unit = org["S1"]
    a2.answerer.save()
    # a3: S1 → R1 (a team of R1 compares as R1), cross-org; the answerer's level unknown.
    answer(groups, answered=at(1, 7), mine=org["S1"], theirs=org["R1a"], levels=(None, 4))
    # A, February. a4: the answerer's unit unknown — left out of the share; junior 2 → 6.
    answer(groups, answered=at(2, 3), mine=None, theirs=org["S1"], levels=(2, 6))
    # a5: R2 → R1 again; a6: a unit shallower than groups (the division R) compares as itself.
    answer(groups, answered=at(2, 4), mine=org["R2"], theirs=org["R1"], levels=(4, 4))
    answer(groups, answered=at(2, 5), mine=org["R"], theirs=org["R2"], levels=(None, 4))
    # B compares divisions. b1: R2 → R1a are both Research; b2: S1 → R1 crosses.
    answer(divisions, answered=at(1, 10), mine=org["R2"], theirs=org["R1a"], levels=(7, 3))
    answer(divisions, answered=at(2, 10), mine=org["S1"], theirs=org["R1"], levels=(4, 4))
    # Outside the period.
    answer(groups, answered=at(12, 31, 2025), mine=org["S1"], theirs=org["R1"])
    answer(groups, answered=at(3, 1), mine=org["S1"], theirs=org["R1"])
    # A self-answer is never an answer fact: a post by the asker adds nothing.
    PostFactory(thread=a2.thread, author=a2.asker, created_at=at(1, 8))
    return groups, divisions, topic


def test_unit_at_depth():
    assert unit_at_depth("/r/r1/r1a/", 1) == "/r/r1/"
    assert unit_at_depth("/r/r1/r1a/", 0) == "/r/"
    assert unit_at_depth("/r/", 2) == "/r/"


def test_cross_org_and_cross_level_shares(scene):
    groups, _divisions, _topic = scene
    panel = collaboration_panel(filters_for(groups))
    assert headline(panel, "answers").value == Decimal(6)
    # Compared: a1 a2 a3 a5 a6; crossing: a2 a3 a5 a6.
    cross = headline(panel, "cross_org_answer_share")
    assert (cross.value, cross.n) == (Decimal("0.8000"), 5)
    # Levels known: a1 (3 < 5), a2, a4 (2 < 6), a5.
    level = headline(panel, "cross_level_share")
    assert (level.value, level.n) == (Decimal("0.5000"), 4)
    assert collaboration_headlines(filters_for(groups)) == (cross,)


def test_per_bucket(scene):
    groups, _divisions, _topic = scene
    panel = collaboration_panel(filters_for(groups))
    line = panel.charts[0]
    cross, level = line.series
    # January: a1 a2 a3 compared, a2 a3 cross; February: a5 a6 compared, both cross.
    assert [(p.start, p.value, p.n) for p in cross.points] == [
        (date(2026, 1, 1), Decimal("0.6667"), 3),
        (date(2026, 2, 1), Decimal("1.0000"), 2),
    ]
    assert [(p.value, p.n) for p in level.points] == [
        (Decimal("0.5000"), 2),
        (Decimal("0.5000"), 2),
    ]
    assert table(panel, "by_bucket").rows == (
        ("2026-01-01", 3, 3, 2, Decimal("0.6667"), 2, 1, Decimal("0.5000")),
        ("2026-02-01", 3, 2, 2, Decimal("1.0000"), 2, 1, Decimal("0.5000")),
    )


def test_graph_density_and_units_for_half(scene):
    groups, _divisions, _topic = scene
    panel = collaboration_panel(filters_for(groups))
    # Edges at the group level: R1→R1 (a1), R2→R1 ×2, S1→R1, R→R2; the graph draws the three
    # between distinct units, heaviest first, ties by name.
    assert table(panel, "org_graph").rows == (
        ("Research Two", "Research One", 2),
        ("Research", "Research Two", 1),
        ("Sales One", "Research One", 1),
    )
    assert panel.charts[1].kind == "network"
    # Nodes R1, R2, S1, R: 3 distinct directed edges of 4 × 3 possible.
    density = headline(panel, "org_graph_density")
    assert (density.value, density.n) == (Decimal("0.2500"), 4)
    # Given (answerer's unit known, 5 answers): R2 2, then 1 each; 2 + 1 ≥ 5 / 2 at two units.
    half = headline(panel, "units_for_half_of_answers")
    assert (half.value, half.n) == (Decimal(2), 5)
    by_unit = table(panel, "answers_by_unit").rows
    assert by_unit[0] == ("Research Two", 2, 1, 0, Decimal("0.4000"))
    assert ("Research One", 1, 4, 1, Decimal("0.6000")) in by_unit


def test_pooled_communities_each_at_their_own_level(scene):
    groups, divisions, _topic = scene
    panel = collaboration_panel(filters_for(groups, divisions))
    # A: 4 of 5; B at the division level: b1 stays in Research, b2 crosses. Pooled 5 of 7
    # (never the average of 0.8 and 0.5).
    cross = headline(panel, "cross_org_answer_share")
    assert (cross.value, cross.n) == (Decimal("0.7143"), 7)
    # Nodes R1 R2 S1 R S; distinct edges R2→R1, S1→R1, R→R2, S→R: 4 of 20.
    assert headline(panel, "org_graph_density").value == Decimal("0.2000")
    rows = {row[0]: row[1:6] for row in table(panel, "by_community").rows}
    assert rows == {
        "A": ("groups", 6, 5, 4, Decimal("0.8000")),
        "B": ("divisions", 2, 2, 1, Decimal("0.5000")),
    }
    assert any("own community" in note for note in panel.notes)


def test_org_unit_is_the_askers_division(scene, org):
    groups, _divisions, _topic = scene
    research = collaboration_panel(filters_for(groups, org_unit_id=org["R"].pk))
    assert headline(research, "answers").value == Decimal(5)  # all but a4, asked from Sales
    assert headline(research, "cross_org_answer_share").value == Decimal("0.8000")
    sales = collaboration_panel(filters_for(groups, org_unit_id=org["S"].pk))
    assert headline(sales, "answers").value == Decimal(1)
    assert headline(sales, "cross_org_answer_share").value is None  # a4's answerer unknown


def test_role_and_topic_filters(scene):
    groups, _divisions, topic = scene
    organizers = collaboration_panel(filters_for(groups, role=MembershipRole.ORGANIZER))
    assert headline(organizers, "answers").value == Decimal(1)  # a1, asked by the organizer
    assert headline(organizers, "cross_org_answer_share").value == Decimal("0.0000")
    ml = collaboration_panel(filters_for(groups, topic_id=topic.parent_id))
    assert headline(ml, "answers").value == Decimal(1)  # a2's question is tagged NLP, under ML
    assert headline(ml, "cross_org_answer_share").value == Decimal("1.0000")


def test_empty_period(scene):
    groups, divisions, _topic = scene
    panel = collaboration_panel(
        filters_for(groups, divisions, start=date(2025, 6, 1), end=date(2025, 6, 30))
    )
    assert all(item.value is None for item in panel.headlines)
    assert all(item.is_empty for item in panel.tables)
    assert panel.is_empty


def test_weeks_cut_to_the_period(scene):
    groups, divisions, _topic = scene
    filters = DashboardFilters(
        community_ids=(groups.pk, divisions.pk),
        start=date(2026, 1, 7),  # a Wednesday: the first week starts here
        end=date(2026, 1, 20),
        granularity="week",
    )
    cross = collaboration_panel(filters).charts[0].series[0]
    # a3 (7 January, cross) and b1 (10 January, within Research) fall in the first week.
    assert [(p.start, p.value, p.n) for p in cross.points] == [
        (date(2026, 1, 7), Decimal("0.5000"), 2),
        (date(2026, 1, 12), None, 0),
        (date(2026, 1, 19), None, 0),
    ]


def test_charts_draw(scene):
    groups, divisions, _topic = scene
    panel = collaboration_panel(filters_for(groups, divisions))
    for index, chart in enumerate(panel.charts):
        svg = render_chart(chart, chart_id=f"chart-{index}")
        assert "<svg" in svg
        assert "Research Two" in svg or chart.kind != "network"
