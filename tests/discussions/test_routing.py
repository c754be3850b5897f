"""Response-time routing: who may be asked, the ranking, rounds, outcomes and the tasks."""

from datetime import UTC, datetime, time, timedelta

import pytest

from practica.communities.models import Membership
from practica.core.models import Activity, ActivityKind
from practica.discussions.models import (
    DiscussionPreferences,
    Notification,
    NotificationKind,
    RoutedExpert,
    RoutingReason,
    RoutingRound,
    ThreadState,
)
from practica.discussions.routing import (
    QuestionInput,
    describe_reasons,
    in_quiet_hours,
    rank_experts,
    topic_match,
)
from practica.discussions.routing_text import forget_answer_indexes
from practica.discussions.services.routing import (
    record_answer,
    reroute_unanswered,
    route_question,
    routing_outcomes,
    schedule_routing,
)
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.core import TopicFactory
from tests.factories.discussions import PostFactory, QASettingsFactory, QuestionFactory
from tests.factories.people import OrgUnitFactory, UserFactory

# A Wednesday, 10:00 in London and 11:00 in Berlin: everyone in Europe is at work.
NOW = datetime(2025, 3, 5, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_answer_indexes():
    forget_answer_indexes()
    yield
    forget_answer_indexes()


@pytest.fixture
def topics(db):
    nlp = TopicFactory(name="NLP")
    mt = TopicFactory(name="Machine translation", parent=nlp)
    speech = TopicFactory(name="Speech", parent=nlp)
    cloud = TopicFactory(name="Cloud")
    k8s = TopicFactory(name="Kubernetes", parent=cloud)
    return {"nlp": nlp, "mt": mt, "speech": speech, "cloud": cloud, "k8s": k8s}


@pytest.fixture
def community(db):
    community = CommunityFactory(name="Language Tech")
    QASettingsFactory(community=community, routing_k=3, reroute_after_minutes=120)
    return community


def join(community, **fields):
    person = UserFactory(**fields)
    MembershipFactory(community=community, person=person, joined_at=NOW - timedelta(days=400))
    return person


def ask(community, asker, *, topics=(), title="How do I evaluate machine translation?", body=""):
    return QuestionFactory(
        community=community,
        author=asker,
        title=title,
        body=body or "We need a quality metric for translation output.",
        topics=list(topics),
        created_at=NOW,
    )


def answered(community, person, *, title, body, days_ago=30, asker=None):
    """A past question in the community that `person` answered."""
    asker = asker or join(community)
    when = NOW - timedelta(days=days_ago)
    question = QuestionFactory(
        community=community, author=asker, title=title, created_at=when, state=ThreadState.ANSWERED
    )
    return PostFactory(
        thread=question, author=person, body=body, created_at=when + timedelta(hours=1)
    )


def ranked(question, k=10):
    ranking = rank_experts(
        QuestionInput(
            community_id=question.community_id,
            asker_id=question.author_id,
            text=f"{question.title}\n{question.posts.get(is_opening=True).body}",
            topic_ids=list(question.topics.values_list("pk", flat=True)),
        ),
        k=k,
        now=NOW,
    )
    return [pick.person_id for pick in ranking.picks], ranking


# --- eligibility ---------------------------------------------------------------------------


def test_only_current_willing_available_members_are_eligible(community, topics):
    asker = join(community)
    ok = join(community, expertise=[topics["mt"]])
    opted_out = join(community, expertise=[topics["mt"]])
    DiscussionPreferences.objects.create(person=opted_out, routing_opt_out=True)
    # Quiet 09:00–17:00 Berlin time; it is 11:00 there.
    quiet = join(community, expertise=[topics["mt"]], time_zone="Europe/Berlin")
    DiscussionPreferences.objects.create(
        person=quiet, quiet_hours_start=time(9), quiet_hours_end=time(17)
    )
    # Quiet 22:00–07:00 Beijing time; it is 18:00 there: may be asked.
    evening = join(community, expertise=[topics["mt"]], time_zone="Asia/Shanghai")
    DiscussionPreferences.objects.create(
        person=evening, quiet_hours_start=time(22), quiet_hours_end=time(7)
    )
    busy = join(community, expertise=[topics["mt"]])
    DiscussionPreferences.objects.create(person=busy, max_open_routed=1)
    other = ask(community, asker, topics=[topics["mt"]])
    routing_round = RoutingRound.objects.create(thread=other, number=1, reason="posted")
    RoutedExpert.objects.create(round=routing_round, thread=other, person=busy, rank=1, score=1)
    inactive = join(community, expertise=[topics["mt"]], is_active=False)
    system = join(community, expertise=[topics["mt"]], is_system=True)
    gone = join(community, expertise=[topics["mt"]], left_on=NOW.date())
    left = join(community, expertise=[topics["mt"]])
    Membership.objects.filter(person=left).update(left_at=NOW - timedelta(days=1))
    UserFactory(expertise=[topics["mt"]])  # not a member

    question = ask(community, asker, topics=[topics["mt"]])
    picked, ranking = ranked(question)

    assert set(picked) == {ok.pk, evening.pk}
    assert ranking.considered == 2
    for person in (asker, opted_out, quiet, busy, inactive, system, gone, left):
        assert person.pk not in picked


def test_a_closed_load_no_longer_counts(community, topics):
    asker = join(community)
    busy = join(community, expertise=[topics["mt"]])
    DiscussionPreferences.objects.create(person=busy, max_open_routed=1)
    other = ask(community, asker, topics=[topics["mt"]])
    routing_round = RoutingRound.objects.create(thread=other, number=1, reason="posted")
    RoutedExpert.objects.create(round=routing_round, thread=other, person=busy, rank=1, score=1)
    other.state = ThreadState.ACCEPTED  # finished questions never count, closed or not
    other.save()
    picked, _ = ranked(ask(community, asker, topics=[topics["mt"]]))
    assert picked == [busy.pk]


@pytest.mark.parametrize(
    ("now", "start", "end", "quiet"),
    [
        (time(23), time(22), time(7), True),
        (time(6, 59), time(22), time(7), True),
        (time(7), time(22), time(7), False),
        (time(12), time(12), time(13), True),
        (time(13), time(12), time(13), False),
        (time(12), None, None, False),
        (time(12), time(8), time(8), False),
    ],
)
def test_quiet_hours_wrap_past_midnight(now, start, end, quiet):
    assert in_quiet_hours(now, start, end) is quiet


# --- ranking -------------------------------------------------------------------------------


def test_topic_matches_count_parents_and_children_partially(topics):
    mt, nlp, speech, k8s = (
        topics["mt"].path,
        topics["nlp"].path,
        topics["speech"].path,
        topics["k8s"].path,
    )
    assert topic_match(mt, mt) == (1.0, "exact")
    assert topic_match(mt, nlp) == (0.6, "broader")
    assert topic_match(nlp, mt) == (0.5, "narrower")
    assert topic_match(mt, speech) == (0.2, "related")
    assert topic_match(mt, k8s) == (0.0, "")


def test_the_obvious_expert_comes_first(community, topics):
    asker = join(community)
    expert = join(community, expertise=[topics["mt"]])
    generalist = join(community, expertise=[topics["nlp"]])
    bystander = join(community, expertise=[topics["k8s"]])
    for n in range(4):
        answered(
            community,
            expert,
            title=f"BLEU versus COMET for translation quality {n}",
            body="Use COMET for translation quality; BLEU correlates poorly with human judgement.",
        )
    answered(community, bystander, title="Helm chart upgrades", body="Pin the chart version.")
    question = ask(
        community,
        asker,
        topics=[topics["mt"]],
        title="Which metric for translation quality: BLEU or COMET?",
    )
    picked, ranking = ranked(question)
    assert picked[0] == expert.pk
    assert picked.index(generalist.pk) < picked.index(bystander.pk)
    reasons = ranking.picks[0].reasons
    assert reasons["expertise"][0] == {"topic": "NLP › Machine translation", "match": "exact"}
    assert reasons["similar_answers"] == 4
    assert reasons["local_time"] == "11:00"
    assert "expert in NLP › Machine translation" in reasons["summary"]
    assert "answered 4 similar questions" in reasons["summary"]
    assert "11:00 in Berlin" in reasons["summary"]


def test_past_answers_find_experts_who_never_listed_the_topic(community, topics):
    asker = join(community)
    quiet_expert = join(community)
    join(community)
    for n in range(3):
        answered(
            community,
            quiet_expert,
            title=f"Tokenizer for Japanese {n}",
            body="SentencePiece with a unigram model handles Japanese segmentation well.",
        )
    question = ask(community, asker, title="Japanese tokenizer: SentencePiece or MeCab?")
    picked, _ = ranked(question, k=1)
    assert picked == [quiet_expert.pk]


def test_working_hours_break_a_tie(community, topics):
    asker = join(community)
    asleep = join(community, expertise=[topics["mt"]], time_zone="America/Los_Angeles")
    awake = join(community, expertise=[topics["mt"]], time_zone="Europe/Berlin")
    picked, _ = ranked(ask(community, asker, topics=[topics["mt"]]))
    assert picked == [awake.pk, asleep.pk]


def test_diversity_prefers_a_second_org_unit(community, topics):
    asker = join(community)
    research = OrgUnitFactory(name="Research")
    nlp_group = OrgUnitFactory(name="NLP group", parent=research, kind="group")
    field = OrgUnitFactory(name="Field")
    same = [join(community, expertise=[topics["mt"]], org_unit=nlp_group) for _ in range(3)]
    # Slightly weaker (a parent-topic expert) but from another division.
    elsewhere = join(community, expertise=[topics["mt"], topics["k8s"]], org_unit=field)
    elsewhere.expertise.set([topics["nlp"]])
    picked, ranking = ranked(ask(community, asker, topics=[topics["mt"]]), k=2)
    assert picked[0] in {p.pk for p in same}
    assert picked[1] == elsewhere.pk
    assert ranking.picks[0].reasons["division"] == "Research"


# --- rounds --------------------------------------------------------------------------------


def test_a_round_records_picks_reasons_activity_and_notifications(community, topics):
    asker = join(community)
    experts = [join(community, expertise=[topics["mt"]]) for _ in range(4)]
    question = ask(community, asker, topics=[topics["mt"]])

    routing_round = route_question(thread=question, reason=RoutingReason.POSTED, now=NOW)

    assert routing_round.number == 1
    assert routing_round.candidates_considered == 4
    routed = list(routing_round.experts.order_by("rank"))
    assert [r.rank for r in routed] == [1, 2, 3]
    assert {r.person_id for r in routed} <= {e.pk for e in experts}
    assert all(r.reasons["summary"] and r.reasons["asked"] == 3 for r in routed)
    assert routed[0].score >= routed[1].score >= routed[2].score
    activities = Activity.objects.filter(kind=ActivityKind.ROUTED)
    assert activities.count() == 3
    assert set(activities.values_list("counterpart_id", flat=True)) == {asker.pk}
    notified = Notification.objects.filter(kind=NotificationKind.ROUTED, thread=question)
    assert set(notified.values_list("recipient_id", flat=True)) == {r.person_id for r in routed}
    assert notified.first().data["asked"] == 3


def test_rerouting_asks_new_people_after_the_delay_and_not_before(community, topics):
    asker = join(community)
    experts = {join(community, expertise=[topics["mt"]]).pk for _ in range(7)}
    question = ask(community, asker, topics=[topics["mt"]])
    route_question(thread=question, reason=RoutingReason.POSTED, now=NOW)

    assert reroute_unanswered(now=NOW + timedelta(minutes=119))["rounds"] == 0
    assert reroute_unanswered(now=NOW + timedelta(minutes=121))["rounds"] == 1
    assert reroute_unanswered(now=NOW + timedelta(minutes=122))["rounds"] == 0
    assert reroute_unanswered(now=NOW + timedelta(minutes=242))["rounds"] == 1

    rounds = list(question.routing_rounds.order_by("number"))
    assert [(r.number, r.reason) for r in rounds] == [
        (1, RoutingReason.POSTED),
        (2, RoutingReason.UNANSWERED),
        (3, RoutingReason.UNANSWERED),
    ]
    asked = list(RoutedExpert.objects.filter(thread=question).values_list("person_id", flat=True))
    assert len(asked) == len(set(asked)) == 7
    assert set(asked) == experts
    # Everyone was asked once: the fourth round finds nobody new.
    reroute_unanswered(now=NOW + timedelta(minutes=363))
    assert RoutedExpert.objects.filter(thread=question).count() == 7


def test_answered_questions_are_not_rerouted(community, topics):
    asker = join(community)
    for _ in range(6):
        join(community, expertise=[topics["mt"]])
    question = ask(community, asker, topics=[topics["mt"]])
    route_question(thread=question, reason=RoutingReason.POSTED, now=NOW)
    question.state = ThreadState.ANSWERED
    question.save()
    assert reroute_unanswered(now=NOW + timedelta(hours=3))["rounds"] == 0


def test_a_lost_routing_task_is_made_up_by_the_beat(community, topics):
    asker = join(community)
    join(community, expertise=[topics["mt"]])
    question = ask(community, asker, topics=[topics["mt"]])
    assert reroute_unanswered(now=NOW + timedelta(minutes=1))["rounds"] == 0
    assert reroute_unanswered(now=NOW + timedelta(minutes=6))["rounds"] == 1
    assert question.routing_rounds.get().reason == RoutingReason.POSTED


def test_routing_disabled_or_not_a_question_routes_nobody(community, topics):
    asker = join(community)
    join(community, expertise=[topics["mt"]])
    community.qa_settings.routing_enabled = False
    community.qa_settings.save()
    question = ask(community, asker, topics=[topics["mt"]])
    assert route_question(thread=question, reason=RoutingReason.POSTED, now=NOW) is None
    assert not RoutingRound.objects.exists()


# --- outcomes ------------------------------------------------------------------------------


def test_record_answer_closes_the_answering_experts_load(community, topics):
    asker = join(community)
    for _ in range(3):
        join(community, expertise=[topics["mt"]])
    question = ask(community, asker, topics=[topics["mt"]])
    route_question(thread=question, reason=RoutingReason.POSTED, now=NOW)
    first, second, _third = question.routed_experts.order_by("rank")
    answer = PostFactory(
        thread=question, author=second.person, created_at=NOW + timedelta(minutes=9)
    )
    record_answer(answer)

    second.refresh_from_db()
    assert second.answered_post == answer
    assert second.answered_at == answer.created_at
    assert second.closed_at == answer.created_at
    first.refresh_from_db()
    assert first.answered_post is None
    assert first.closed_at is None

    question.state = ThreadState.ACCEPTED
    question.save()
    late = PostFactory(thread=question, author=asker, created_at=NOW + timedelta(minutes=30))
    record_answer(late)
    assert not question.routed_experts.filter(closed_at__isnull=True).exists()


def test_routing_outcomes_hit_rate_share_and_response_times(community, topics):
    asker = join(community)
    for _ in range(3):
        join(community, expertise=[topics["mt"]])
    bystander = join(community)
    hit = ask(community, asker, topics=[topics["mt"]], title="Hit")
    miss = ask(community, asker, topics=[topics["mt"]], title="Miss")
    unrouted = ask(community, asker, title="Unrouted")
    for question in (hit, miss):
        route_question(thread=question, reason=RoutingReason.POSTED, now=NOW)
    expert = hit.routed_experts.get(rank=1).person
    record_answer(PostFactory(thread=hit, author=expert, created_at=NOW + timedelta(minutes=10)))
    PostFactory(thread=hit, author=bystander)
    PostFactory(thread=miss, author=bystander)
    PostFactory(thread=unrouted, author=bystander)
    for question, seconds in ((hit, 600), (miss, 3600), (unrouted, 7200)):
        question.first_response_seconds = seconds
        question.save()

    outcomes = routing_outcomes(community=community, since=NOW - timedelta(days=1))
    assert outcomes.questions == 3
    assert outcomes.routed_questions == 2
    assert outcomes.hit_questions == 1
    assert outcomes.hit_rate == 0.5
    assert outcomes.answers == 4
    assert outcomes.answers_from_routed == 1
    assert outcomes.routed_answer_share == 0.25
    assert outcomes.median_first_response_routed_seconds == 2100
    assert outcomes.median_first_response_unrouted_seconds == 7200
    assert routing_outcomes(community=community, until=NOW - timedelta(days=1)).questions == 0


def test_reasons_are_described_in_the_active_language():
    reasons = {
        "expertise": [{"topic": "NLP", "match": "broader"}],
        "similar_answers": 1,
        "local_time": "14:00",
        "place": "Beijing",
    }
    assert describe_reasons(reasons) == [
        "knows NLP",
        "answered 1 similar question",
        "14:00 in Beijing",
    ]


# --- tasks ---------------------------------------------------------------------------------


def test_scheduling_routes_the_question_on_commit_through_the_task(
    community, topics, django_capture_on_commit_callbacks
):
    asker = join(community)
    join(community, expertise=[topics["mt"]])
    question = ask(community, asker, topics=[topics["mt"]])
    question.created_at = datetime.now(UTC)
    question.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        schedule_routing(question)
    assert callbacks  # the routing task (and the notification mail)
    assert question.routing_rounds.get().reason == RoutingReason.POSTED


def test_the_beat_task_reroutes(community, topics):
    from practica.discussions.tasks import reroute_unanswered as task

    assert task.delay().get() == {"rounds": 0, "loads_closed": 0}
