"""The AMA board: asking (anonymously only when enabled), voting, moderating, the board's order,
and the promise that an anonymous author is never shown — to anyone."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from practica.core.models import Activity, ActivityKind
from practica.events.models import (
    AmaQuestion,
    AmaVote,
    EventFormat,
    EventHost,
    EventStatus,
    QuestionStatus,
    SpeakerRole,
)
from practica.events.queries.attendance import ama_board
from practica.events.services import ama
from tests.factories.events import EventFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(community):
    return EventFactory(community=community, format=EventFormat.AMA, anonymous_questions=True)


def test_asking_records_the_question_and_the_activity(event, member):
    question = ama.ask_question(event=event, author=member, text="  What is next for MLOps?  ")
    assert question.text == "What is next for MLOps?"
    assert question.status == QuestionStatus.OPEN
    activity = Activity.objects.get(kind=ActivityKind.ASKED_AMA_QUESTION)
    assert activity.person_id == member.pk
    assert activity.subject_id == event.pk
    # A double click asks once.
    assert ama.ask_question(event=event, author=member, text="What is next for MLOps?") == question
    assert AmaQuestion.objects.count() == 1


@pytest.mark.parametrize("text", ["", "   ", "hey", "x" * 2001])
def test_bad_questions_are_refused(event, member, text):
    with pytest.raises(ValidationError) as refused:
        ama.ask_question(event=event, author=member, text=text)
    assert "text" in refused.value.message_dict
    assert not AmaQuestion.objects.exists()


def test_anonymous_only_when_the_host_enabled_it(community, member):
    closed = EventFactory(community=community, format=EventFormat.AMA, anonymous_questions=False)
    with pytest.raises(ValidationError) as refused:
        ama.ask_question(event=closed, author=member, text="Secret question?", anonymous=True)
    assert "anonymous" in refused.value.message_dict
    assert not AmaQuestion.objects.exists()


def test_only_ama_events_that_are_open_take_questions(community, member):
    talk = EventFactory(community=community, format=EventFormat.TALK)
    with pytest.raises(ValidationError, match="AMA"):
        ama.ask_question(event=talk, author=member, text="Is this an AMA?")
    now = timezone.now()
    over = EventFactory(
        community=community,
        format=EventFormat.AMA,
        starts_at=now - timedelta(hours=2),
        ends_at=now - timedelta(hours=1),
    )
    with pytest.raises(ValidationError, match="ended"):
        ama.ask_question(event=over, author=member, text="Too late?")
    cancelled = EventFactory(
        community=community, format=EventFormat.AMA, status=EventStatus.CANCELLED
    )
    with pytest.raises(ValidationError):
        ama.ask_question(event=cancelled, author=member, text="Still on?")
    draft = EventFactory(community=community, format=EventFormat.AMA, status=EventStatus.DRAFT)
    with pytest.raises(PermissionDenied):
        ama.ask_question(event=draft, author=member, text="Secret draft?")
    assert not AmaQuestion.objects.exists()


def test_a_member_may_not_flood_the_board(event, member):
    for number in range(ama.MAX_QUESTIONS_PER_PERSON):
        ama.ask_question(event=event, author=member, text=f"Question number {number}")
    with pytest.raises(ValidationError, match="let the others"):
        ama.ask_question(event=event, author=member, text="One more question")


def test_voting_counts_once_and_can_be_withdrawn(event, member):
    question = ama.ask_question(event=event, author=UserFactory(), text="How do you hire?")
    assert ama.vote_question(question=question, person=member).vote_count == 1
    assert ama.vote_question(question=question, person=member).vote_count == 1
    assert AmaVote.objects.count() == 1
    assert ama.unvote_question(question=question, person=member).vote_count == 0
    assert ama.unvote_question(question=question, person=member).vote_count == 0
    assert not AmaVote.objects.exists()


def test_no_vote_for_ones_own_or_a_closed_question(event, member, organizer):
    mine = ama.ask_question(event=event, author=member, text="My own question?")
    with pytest.raises(ValidationError, match="own"):
        ama.vote_question(question=mine, person=member)
    other = ama.ask_question(event=event, author=UserFactory(), text="Answered question?")
    ama.mark_answered(question=other, actor=organizer)
    with pytest.raises(ValidationError, match="open"):
        ama.vote_question(question=other, person=member)
    assert not AmaVote.objects.exists()


def test_moderators_hide_answer_and_reopen(event, organizer, member):
    question = ama.ask_question(event=event, author=UserFactory(), text="Off-topic question?")
    with pytest.raises(PermissionDenied):
        ama.hide_question(question=question, actor=member)
    hidden = ama.hide_question(question=question, actor=organizer)
    assert hidden.status == QuestionStatus.HIDDEN
    answered = ama.mark_answered(question=question, actor=organizer)
    assert answered.status == QuestionStatus.ANSWERED
    assert answered.answered_at
    reopened = ama.reopen_question(question=question, actor=organizer)
    assert reopened.status == QuestionStatus.OPEN
    assert reopened.answered_at is None


def test_a_host_moderates_their_own_ama(event):
    host = UserFactory()
    EventHost.objects.create(event=event, person=host, role=SpeakerRole.HOST)
    question = ama.ask_question(event=event, author=UserFactory(), text="A fair question?")
    assert ama.mark_answered(question=question, actor=host).status == QuestionStatus.ANSWERED


def test_the_board_orders_by_votes_then_age(event, member, organizer):
    first = ama.ask_question(event=event, author=UserFactory(), text="First question?")
    second = ama.ask_question(event=event, author=UserFactory(), text="Second question?")
    third = ama.ask_question(event=event, author=UserFactory(), text="Third question?")
    answered = ama.ask_question(event=event, author=UserFactory(), text="Answered one?")
    hidden = ama.ask_question(event=event, author=UserFactory(), text="Hidden one?")
    ama.mark_answered(question=answered, actor=organizer)
    ama.hide_question(question=hidden, actor=organizer)
    assert [q.pk for q in ama_board(event, member).open] == [first.pk, second.pk, third.pk]

    ama.vote_question(question=third, person=member)
    board = ama_board(event, member)
    assert [q.pk for q in board.open] == [third.pk, first.pk, second.pk]
    assert board.open[0].voted
    assert not board.open[1].voted
    assert [q.pk for q in board.answered] == [answered.pk]
    assert board.hidden == []
    assert not board.can_moderate

    moderator_board = ama_board(event, organizer)
    assert moderator_board.can_moderate
    assert [q.pk for q in moderator_board.hidden] == [hidden.pk]


def test_an_anonymous_author_is_shown_to_nobody(event, organizer, staff):
    author = UserFactory(display_name="Secret Sam")
    question = ama.ask_question(event=event, author=author, text="Why so secret?", anonymous=True)
    assert question.is_anonymous
    for viewer in (organizer, staff, UserFactory()):
        [shown] = ama_board(event, viewer).open
        assert shown.author_id is None
        assert shown.author_name is None
        assert not shown.is_mine
    [own] = ama_board(event, author).open
    assert own.author_name is None
    assert own.is_mine
    # The ledger row keeps the activity but not which question it was.
    activity = Activity.objects.get(kind=ActivityKind.ASKED_AMA_QUESTION)
    assert activity.data == {"anonymous": True}
