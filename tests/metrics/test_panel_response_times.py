"""The response-times panel read from question facts, against hand-computed figures: unanswered
questions censored (and one answered only after the period), topics with descendants, org
unit and role filters, pooled communities, an empty period; and the survival quantiles."""

import gc
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db.models import F
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from practica.communities.models import MembershipRole
from practica.metrics.charts import render_chart
from practica.metrics.definitions.response_times import Wait, censored_median
from practica.metrics.models import QuestionFact
from practica.metrics.queries import columns as columns_module
from practica.metrics.queries import response_times
from practica.metrics.queries.columns import (
    EpochMicroseconds,
    collection_paused,
    epoch_microseconds,
    integer_columns,
    moment_buckets,
)
from practica.metrics.queries.filters import DashboardFilters
from practica.metrics.queries.response_times import (
    response_time_headlines,
    response_times_panel,
)
from practica.metrics.queries.survival import Quantile, survival_quantiles
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.core import TopicFactory
from tests.factories.discussions import QuestionFactory
from tests.factories.people import OrgUnitFactory, UserFactory

START, END = date(2026, 1, 1), date(2026, 2, 28)
AS_OF = datetime(2026, 2, 28, 23, 59, 59, 999999, tzinfo=UTC)


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def fact(
    community,
    *,
    asked,
    first=None,
    accepted=None,
    routed=False,
    division=None,
    topics=(),
    asker=None,
):
    """A question fact asked at `asked`, first answered `first` later, accepted `accepted`
    later (timedeltas, or None for never)."""
    thread = QuestionFactory(community=community, created_at=asked, author=asker or UserFactory())
    row = QuestionFact.objects.create(
        thread=thread,
        community=community,
        asked_at=asked,
        asker=thread.author,
        asker_division=division,
        asker_unit=division,
        first_response_at=asked + first if first else None,
        first_response_seconds=int(first.total_seconds()) if first else None,
        accepted_at=asked + accepted if accepted else None,
        accepted_seconds=int(accepted.total_seconds()) if accepted else None,
        was_routed=routed,
    )
    row.topics.set(topics)
    return row


def filters_for(*communities, start=START, end=END, granularity="month", **extra):
    return DashboardFilters(
        community_ids=tuple(community.pk for community in communities),
        start=start,
        end=end,
        granularity=granularity,
        **extra,
    )


def headline(panel, key):
    return next(item for item in panel.headlines if item.key == key)


def table(panel, key):
    return next(item for item in panel.tables if item.key == key)


def series(chart, key):
    return next(item for item in chart.series if item.key == key)


@pytest.fixture
def scene(db):
    """Eight questions of January–February 2026 (waits in the comments) and three that don't
    count; see each figure's test for the arithmetic."""
    community = CommunityFactory(name="Machine learning")
    ml = TopicFactory(name="ML", slug="ml")
    nlp = TopicFactory(name="NLP", slug="nlp", parent=ml)
    mt = TopicFactory(name="Translation", slug="mt", parent=nlp)
    vision = TopicFactory(name="Vision", slug="vision", parent=ml)
    ops = TopicFactory(name="Ops", slug="ops")
    east, west = OrgUnitFactory(name="East"), OrgUnitFactory(name="West")
    organizer = UserFactory()
    MembershipFactory(community=community, person=organizer, role=MembershipRole.ORGANIZER)
    former = UserFactory()  # organized, then left: not an organizer now
    MembershipFactory(
        community=community, person=former, role=MembershipRole.ORGANIZER, left_at=at(1, 30)
    )
    hour = timedelta(hours=1)
    questions = {
        # q1 answered after 1800 s, accepted after 2 h
        "q1": fact(
            community,
            asked=at(1, 10, 10),
            first=hour / 2,
            accepted=2 * hour,
            division=east,
            topics=[mt],
            asker=organizer,
        ),
        # q2 10800 s
        "q2": fact(
            community, asked=at(1, 12), first=3 * hour, division=east, topics=[nlp], asker=former
        ),
        # q3 108000 s, accepted after 40 h
        "q3": fact(
            community,
            asked=at(1, 20),
            first=30 * hour,
            accepted=40 * hour,
            division=east,
            topics=[vision],
        ),
        # q4 unanswered: censored at 34 days 23:59:59 = 3023999 s
        "q4": fact(community, asked=at(1, 25), division=west, topics=[ops]),
        # q5 7200 s, routed
        "q5": fact(
            community, asked=at(2, 5), first=2 * hour, routed=True, division=west, topics=[ml]
        ),
        # q6 unanswered, 30 minutes old at the period's end: censored at 1799 s
        "q6": fact(community, asked=at(2, 28, 23, 30), division=west),
        # q7 answered on 2 March, after the period: censored at 1641599 s
        "q7": fact(
            community, asked=at(2, 10), first=timedelta(days=20), division=west, topics=[mt, ops]
        ),
        # q8 3000 s
        "q8": fact(community, asked=at(2, 27), first=timedelta(minutes=50), division=west),
    }
    other = CommunityFactory()
    fact(other, asked=at(1, 15), first=hour)
    fact(community, asked=datetime(2025, 12, 31, 23, 59, tzinfo=UTC), first=hour)
    fact(community, asked=at(3, 1), first=hour)
    return community, other, questions, {"nlp": nlp, "east": east, "ml": ml}


def test_period_headlines(scene):
    community, *_rest = scene
    panel = response_times_panel(filters_for(community))
    # Sorted waits: 1799 C, 1800, 3000, 7200, 10800, 108000, 1641599 C, 3023999 C.
    # S: 6/7, 5/7, 4/7, 3/7 at 10800 s — below ½: the median is 3 hours.
    median = headline(panel, "median_first_response_hours")
    assert (median.value, median.n, median.note) == (Decimal("3.00"), 8, "")
    # S never reaches 1/10 (2/7 after 108000 s): a lower bound, the longest wait 3023999 s.
    p90 = headline(panel, "p90_first_response_hours")
    assert p90.value == Decimal("840.00")
    assert p90.note
    # At least an hour old: all but q6 (7); within an hour: q1 and q8.
    within_1h = headline(panel, "answered_within_1h_share")
    assert (within_1h.value, within_1h.n) == (Decimal("0.2857"), 7)
    # At least a day old: the same 7 (q8 was asked 2 days before); within a day: q1 q2 q5 q8.
    within_24h = headline(panel, "answered_within_24h_share")
    assert (within_24h.value, within_24h.n) == (Decimal("0.5714"), 7)
    unanswered = headline(panel, "unanswered_questions")
    assert (unanswered.value, unanswered.n) == (Decimal(3), 8)  # q4, q6 and q7 (answered later)


def test_headlines_for_the_program_comparison(scene):
    community, *_rest = scene
    keys = [item.key for item in response_time_headlines(filters_for(community))]
    assert keys == [
        "median_first_response_hours",
        "answered_within_24h_share",
        "unanswered_questions",
    ]


def test_per_bucket(scene):
    community, *_rest = scene
    panel = response_times_panel(filters_for(community))
    line = panel.charts[0]
    median = series(line, "first_response_median_hours")
    # January: 1800, 10800, 108000, censored 3023999: S = 3/4, then exactly ½ at 10800 s,
    # so the median is the midpoint to the next answer, (10800 + 108000) / 2 = 59400 s.
    # February: censored 1799, then 3000 (S 2/3), 7200 (S 1/3): 2 hours.
    assert [(p.start, p.value, p.n) for p in median.points] == [
        (date(2026, 1, 1), Decimal("16.50"), 4),
        (date(2026, 2, 1), Decimal("2.00"), 4),
    ]
    # Neither month's S reaches 1/10: lower bounds, the month's longest wait.
    assert [p.value for p in series(line, "first_response_p90_hours").points] == [
        Decimal("840.00"),
        Decimal("456.00"),
    ]
    bars = panel.charts[1]
    # January: 4 old enough, q1 within the hour; February: q6 too young, q8 within the hour.
    assert [(p.value, p.n) for p in series(bars, "within_1h_share").points] == [
        (Decimal("0.2500"), 4),
        (Decimal("0.3333"), 3),
    ]
    assert [(p.value, p.n) for p in series(bars, "within_24h_share").points] == [
        (Decimal("0.5000"), 4),
        (Decimal("0.6667"), 3),
    ]
    rows = table(panel, "first_response_by_bucket").rows
    assert rows[0][:5] == ("2026-01-01", 4, 1, Decimal("16.50"), Decimal("840.00"))
    assert rows[1][:5] == ("2026-02-01", 4, 2, Decimal("2.00"), Decimal("456.00"))
    assert line.table is table(panel, "first_response_by_bucket")


def test_time_to_accepted_answer(scene):
    community, *_rest = scene
    panel = response_times_panel(filters_for(community))
    # Accepted: q1 after 7200 s and q3 after 144000 s; the six others censored at their age.
    # S = 6/7 then 5/7: the median is a lower bound, the longest wait, q2's 4147199 s.
    accepted = headline(panel, "median_accepted_hours")
    assert (accepted.value, accepted.n) == (Decimal("1152.00"), 8)
    assert accepted.note
    rows = table(panel, "accepted_by_bucket").rows
    assert [(row[0], row[1], row[2]) for row in rows] == [
        ("2026-01-01", 4, 2),
        ("2026-02-01", 4, 4),
    ]


@pytest.fixture(params=["dense span", "sparse span"])
def tag_reading(request, monkeypatch):
    """Both ways the tags are read: by the span of the period's question ids, and (a span
    holding too many other questions) by joining them to the period's questions."""
    if request.param == "sparse span":
        monkeypatch.setattr(response_times, "DENSE_SPAN", 0)
    return request.param


def test_topics_with_descendants(scene, tag_reading):
    community, _other, _questions, things = scene
    panel = response_times_panel(filters_for(community))
    by_topic = {row[0]: row[1:3] for row in table(panel, "by_topic").rows}
    # Top-level groups: ML holds q1 (Translation), q2 (NLP), q3 (Vision), q5, q7; Ops q4, q7.
    assert by_topic == {"ML": (5, 1), "Ops": (2, 2), "No topic": (2, 1)}

    narrowed = response_times_panel(filters_for(community, topic_id=things["nlp"].pk))
    # NLP and everything under it: q1 (Translation), q2 (NLP itself), q7 (Translation).
    # Waits 1800, 10800, censored 1641599: S 2/3 then 1/3, the median is 3 hours.
    assert headline(narrowed, "median_first_response_hours").value == Decimal("3.00")
    assert headline(narrowed, "unanswered_questions").value == Decimal(1)
    rows = {row[0]: row[1:3] for row in table(narrowed, "by_topic").rows}
    assert rows == {"Translation": (2, 1), "NLP": (1, 0)}


def test_tags_of_other_questions_in_the_span_are_not_counted(db, tag_reading):
    community, other = CommunityFactory(), CommunityFactory()
    ops, ml = TopicFactory(name="Ops", slug="ops"), TopicFactory(name="ML", slug="ml")
    fact(community, asked=at(1, 5), first=timedelta(hours=1), topics=[ml])
    fact(other, asked=at(1, 6), topics=[ops])  # between the two: inside their span of ids
    fact(community, asked=at(1, 7), topics=[ml], routed=True)
    fact(community, asked=at(1, 8), first=timedelta(hours=2), routed=True)  # no topic
    panel = response_times_panel(filters_for(community))

    rows = {row[0]: row[1:3] for row in table(panel, "by_topic").rows}
    assert rows == {"ML": (2, 1), "No topic": (1, 0)}


def test_org_unit_is_the_askers_division(scene):
    community, _other, _questions, things = scene
    panel = response_times_panel(filters_for(community, org_unit_id=things["east"].pk))
    # q1 q2 q3: 1800, 10800, 108000 — the ordinary median, 10800 s.
    assert headline(panel, "median_first_response_hours").value == Decimal("3.00")
    assert headline(panel, "unanswered_questions").value == Decimal(0)
    assert headline(panel, "median_first_response_hours").n == 3


def test_role_is_the_askers_current_role(scene):
    community, *_rest = scene
    panel = response_times_panel(filters_for(community, role=MembershipRole.ORGANIZER))
    # Only q1's asker is an organizer now (q2's left).
    assert headline(panel, "median_first_response_hours").n == 1
    assert headline(panel, "median_first_response_hours").value == Decimal("0.50")


def test_routing_table(scene):
    community, *_rest = scene
    panel = response_times_panel(filters_for(community))
    routed, not_routed = table(panel, "routing").rows
    assert routed[1:4] == (1, 0, Decimal("2.00"))
    assert not_routed[1:3] == (7, 3)
    assert any("observational" in note for note in panel.notes)


def test_pooled_communities_are_one_set_of_waits(db):
    first, second = CommunityFactory(name="A"), CommunityFactory(name="B")
    fact(first, asked=at(1, 5), first=timedelta(seconds=1800))
    fact(first, asked=at(1, 6), first=timedelta(seconds=3000))
    fact(first, asked=at(1, 7), first=timedelta(seconds=7200))
    fact(second, asked=at(1, 8), first=timedelta(seconds=10800))
    panel = response_times_panel(filters_for(first, second))
    # Medians 3000 s and 10800 s would average 6900 s; pooled, S is exactly ½ at 3000 s, so the
    # median is (3000 + 7200) / 2 = 5100 s = 1.4167 hours.
    assert headline(panel, "median_first_response_hours").value == Decimal("1.42")
    rows = {row[0]: row[1:4] for row in table(panel, "by_community").rows}
    assert rows == {"A": (3, 0, Decimal("0.83")), "B": (1, 0, Decimal("3.00"))}
    alone = response_times_panel(filters_for(first))
    assert "by_community" not in [item.key for item in alone.tables]


def test_questions_still_young_are_measured_as_of_now(db):
    community = CommunityFactory()
    fact(community, asked=timezone.now() - timedelta(minutes=10))
    today = timezone.localdate(timezone.now(), timezone.get_default_timezone())
    panel = response_times_panel(
        filters_for(community, start=today - timedelta(days=1), end=today, granularity="day")
    )
    assert headline(panel, "unanswered_questions").value == Decimal(1)
    # Ten minutes old as of now, not as of the end of today: too young for either share.
    assert headline(panel, "answered_within_1h_share").value is None
    assert headline(panel, "answered_within_1h_share").n == 0
    median = headline(panel, "median_first_response_hours")
    assert median.value is not None
    assert median.value < Decimal("0.20")
    assert median.note


def test_empty_period(scene):
    community, *_rest = scene
    panel = response_times_panel(
        filters_for(community, start=date(2025, 6, 1), end=date(2025, 6, 30), granularity="week")
    )
    assert all(item.value is None for item in panel.headlines)
    assert all(item.is_empty for item in panel.tables)
    assert panel.is_empty
    assert all(not chart_series.has_data for chart in panel.charts for chart_series in chart.series)


def test_unknown_topic_gives_an_empty_panel(scene):
    community, *_rest = scene
    assert response_times_panel(filters_for(community, topic_id=999_999)).is_empty


def test_p90_and_median_without_censoring():
    waits = [Wait(seconds=100 * k, answered=True) for k in range(1, 11)]
    quantiles = survival_quantiles(waits)
    # S is exactly ½ after 500 s: the median is the midpoint to 600 s; S = 1/10 after 900 s.
    assert quantiles.median == Quantile(Fraction(550))
    assert quantiles.p90 == Quantile(Fraction(900))
    assert survival_quantiles([]).median == Quantile(None)


def test_half_still_waiting_makes_a_lower_bound():
    waits = [Wait(seconds=60, answered=True), Wait(seconds=3600, answered=False)]
    quantiles = survival_quantiles(waits)
    assert quantiles.median == Quantile(Fraction(60), lower_bound=True)
    assert quantiles.p90 == Quantile(Fraction(3600), lower_bound=True)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.builds(Wait, seconds=st.integers(0, 40), answered=st.booleans()), max_size=40))
def test_median_equals_the_definitions(waits):
    median, lower_bound = censored_median(waits)
    quantiles = survival_quantiles(waits)
    assert quantiles.median == Quantile(median, lower_bound)
    # The p90 against the survival curve computed with exact fractions.
    survival, expected = Fraction(1), None
    for moment in sorted({wait.seconds for wait in waits}):
        done = sum(1 for wait in waits if wait.answered and wait.seconds == moment)
        at_risk = sum(1 for wait in waits if wait.seconds >= moment)
        survival *= 1 - Fraction(done, at_risk)
        if done and survival <= Fraction(1, 10):
            expected = Quantile(Fraction(moment))
            break
    if waits and expected is None:
        expected = Quantile(Fraction(max(wait.seconds for wait in waits)), lower_bound=True)
    assert quantiles.p90 == (expected or Quantile(None))


def test_charts_draw(scene):
    community, *_rest = scene
    panel = response_times_panel(filters_for(community))
    for index, chart in enumerate(panel.charts):
        assert "<svg" in render_chart(chart, chart_id=f"chart-{index}")


@pytest.mark.django_db
def test_moments_read_as_integers_keep_every_microsecond_and_bucket_by_local_day():
    """The panel reads `asked_at` as epoch microseconds (`EpochMicroseconds`): exact to the
    microsecond, before and after 1970, and bucketed as the moment's local day is."""
    community = CommunityFactory()
    moments = [
        datetime(2026, 2, 28, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(2026, 3, 1, 0, 0, 0, 1, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC),
    ]
    for moment in moments:
        fact(community, asked=moment)
    columns = integer_columns(
        QuestionFact.objects.filter(community=community)
        .order_by("asked_at")
        .values(moment=EpochMicroseconds("asked_at"))
    )
    expected = sorted(epoch_microseconds(moment) for moment in moments)
    assert columns["moment"].tolist() == expected
    buckets = [date(2026, 2, 1), date(2026, 3, 1)]
    assert moment_buckets(buckets, columns["moment"]).tolist() == [0, 0, 1]


def test_a_period_with_no_questions_reads_empty_columns():
    columns = integer_columns(
        QuestionFact.objects.none().values(moment=EpochMicroseconds("asked_at"))
    )
    assert columns["moment"].tolist() == []


def test_rows_are_read_with_garbage_collection_paused_then_restored(scene, monkeypatch):
    seen = []
    real_raw_rows = columns_module.raw_rows

    def watched(query):
        seen.append(gc.isenabled())
        return real_raw_rows(query)

    monkeypatch.setattr(columns_module, "raw_rows", watched)
    assert gc.isenabled()
    columns = integer_columns(QuestionFact.objects.values(asked_thread=F("thread_id")))

    assert seen == [False]
    assert gc.isenabled()
    assert len(columns["asked_thread"]) == QuestionFact.objects.count() > 0


def test_pausing_collection_keeps_it_off_when_it_was_off_and_survives_errors():
    with pytest.raises(RuntimeError), collection_paused():
        raise RuntimeError
    assert gc.isenabled()
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
