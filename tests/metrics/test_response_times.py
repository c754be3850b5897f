"""Time to first response, the shares answered within 1 h and 24 h, and unanswered questions,
against a hand-computed set of questions (unanswered ones censored, a self-answer)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from practica.discussions.models import ThreadKind
from practica.discussions.services.threads import create_thread, post_reply
from practica.metrics.definitions.response_times import (
    answered_within_1h_share,
    answered_within_24h_share,
    median_first_response_hours,
    response_times,
    unanswered_questions,
)
from tests.factories.discussions import PostFactory, QuestionFactory
from tests.factories.people import UserFactory
from tests.metrics.conftest import AS_OF, before

pytestmark = pytest.mark.django_db


def ask(community, *, asked, answered_after=None, **fields):
    """A question asked at `asked`, first answered `answered_after` later (or never)."""
    question = QuestionFactory(
        community=community, created_at=asked, last_activity_at=asked, **fields
    )
    if answered_after is not None:
        answered_at = asked + answered_after
        PostFactory(thread=question, created_at=answered_at)
        question.first_response_at = answered_at
        question.first_response_seconds = int(answered_after.total_seconds())
        question.state = "answered"
        question.save()
    return question


@pytest.fixture
def questions(community, other_community):
    """Eight questions that count, and eight that don't."""
    ask(community, asked=before(days=10), answered_after=timedelta(minutes=30))
    ask(community, asked=before(days=5), answered_after=timedelta(hours=3))
    ask(community, asked=before(days=20), answered_after=timedelta(hours=30))
    ask(community, asked=before(days=30), answered_after=timedelta(hours=2))
    ask(community, asked=before(days=40))  # unanswered for 40 days
    ask(community, asked=before(minutes=10))  # unanswered, but only 10 minutes old
    self_answered = ask(community, asked=before(days=2))
    PostFactory(thread=self_answered, author=self_answered.author, created_at=before(days=1))
    ask(community, asked=before(days=3), answered_after=timedelta(days=3, hours=1))  # tomorrow

    original = ask(community, asked=before(days=50), answered_after=timedelta(minutes=1))
    ask(community, asked=before(days=6), duplicate_of=original)
    ask(community, asked=before(days=6), merged_into=original)
    ask(community, asked=before(days=6), is_hidden=True)
    ask(community, asked=before(days=6), kind=ThreadKind.DISCUSSION)
    ask(community, asked=before(days=6), author=UserFactory(is_system=True))
    ask(community, asked=before(days=91))
    ask(community, asked=before(days=-1))
    ask(other_community, asked=before(days=6))
    return community


def test_the_questions_of_the_window(questions):
    figures = response_times(questions.pk, AS_OF)
    assert figures.questions == 9  # the eight, and the original asked 50 days ago
    assert figures.unanswered == 4


def test_median_censors_unanswered_questions(community):
    ask(community, asked=before(days=10), answered_after=timedelta(minutes=30))
    ask(community, asked=before(days=5), answered_after=timedelta(hours=3))
    ask(community, asked=before(days=20), answered_after=timedelta(hours=30))
    ask(community, asked=before(days=30), answered_after=timedelta(hours=2))
    ask(community, asked=before(days=40))
    ask(community, asked=before(minutes=10))
    ask(community, asked=before(days=2))
    ask(community, asked=before(days=3), answered_after=timedelta(days=3, hours=1))
    # Kaplan–Meier over 8 questions: censored at 10 min (7 left at risk); answered at 0.5 h
    # S = 6/7, at 2 h S = 5/7, at 3 h S = 4/7, at 30 h S = 3/7 < 1/2: the median is 30 h,
    # where the median of the answered ones alone would say 2.5 h.
    assert median_first_response_hours(community.pk, AS_OF) == Decimal("30.00")


def test_shares_count_only_questions_old_enough(questions):
    # Within 1 h: of the 8 questions at least an hour old (not the 10-minute one), two were
    # answered within an hour (30 min, and the original's minute).
    assert answered_within_1h_share(questions.pk, AS_OF) == Decimal("0.2500")
    # Within 24 h: the same 8; answered within a day: 30 min, 3 h, 2 h and 1 min.
    assert answered_within_24h_share(questions.pk, AS_OF) == Decimal("0.5000")


def test_unanswered_count(questions):
    # 40 days, 10 minutes, the self-answered one, the one answered only after AS_OF.
    assert unanswered_questions(questions.pk, AS_OF) == Decimal(4)


def test_as_of_the_past(questions):
    as_of = before(days=4)
    # Then the window held the questions asked 5 (answered 3 h later), 10, 20, 30 and 50 days
    # before AS_OF (answered), 40 and 91 days before (unanswered); the later ones were not
    # asked yet. Within an hour: 30 minutes and 1 minute.
    assert unanswered_questions(questions.pk, as_of) == Decimal(2)
    assert answered_within_1h_share(questions.pk, as_of) == Decimal("0.2857")


def test_an_answer_after_as_of_has_not_happened(community):
    ask(community, asked=before(hours=30), answered_after=timedelta(hours=29))
    assert unanswered_questions(community.pk, before(hours=2)) == Decimal(1)
    assert answered_within_24h_share(community.pk, before(hours=2)) == Decimal("0.0000")
    assert unanswered_questions(community.pk, AS_OF) == Decimal(0)
    assert answered_within_24h_share(community.pk, AS_OF) == Decimal("0.0000")
    assert median_first_response_hours(community.pk, AS_OF) == Decimal("29.00")


def test_no_questions_is_none(community, other_community):
    ask(other_community, asked=before(days=1), answered_after=timedelta(minutes=5))
    assert median_first_response_hours(community.pk, AS_OF) is None
    assert answered_within_1h_share(community.pk, AS_OF) is None
    assert answered_within_24h_share(community.pk, AS_OF) is None
    assert unanswered_questions(community.pk, AS_OF) == Decimal(0)


def test_only_young_questions_give_no_share_but_a_median(community):
    ask(community, asked=before(minutes=50), answered_after=timedelta(minutes=20))
    assert answered_within_1h_share(community.pk, AS_OF) is None
    assert median_first_response_hours(community.pk, AS_OF) == Decimal("0.33")


def test_all_unanswered_gives_the_longest_wait_as_a_lower_bound(community):
    ask(community, asked=before(hours=12))
    ask(community, asked=before(hours=36))
    assert median_first_response_hours(community.pk, AS_OF) == Decimal("36.00")
    assert answered_within_1h_share(community.pk, AS_OF) == Decimal("0.0000")


def test_a_self_answer_is_not_a_first_response(community, join):
    """Through the discussions services: the asker's own reply leaves the question waiting;
    the first post by someone else answers it."""
    asker, helper = join(), join()
    question = create_thread(
        community=community,
        author=asker,
        kind=ThreadKind.QUESTION,
        title="How do I shard a feature store?",
        body="Our store has grown past one machine.",
    )
    post_reply(thread=question, author=asker, body="Found a partial answer myself.")
    now = timezone.now() + timedelta(minutes=1)
    assert unanswered_questions(community.pk, now) == Decimal(1)
    assert median_first_response_hours(community.pk, now) == Decimal("0.02")  # waiting 1 min
    post_reply(thread=question, author=helper, body="Partition by entity id.")
    now = timezone.now() + timedelta(minutes=1)
    assert unanswered_questions(community.pk, now) == Decimal(0)
    assert median_first_response_hours(community.pk, now) == Decimal("0.00")
