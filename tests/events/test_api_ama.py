"""The AMA question board API: asking, upvoting, moderating, anonymity."""

import pytest

from practica.events.models import AmaQuestion, AmaVote, EventFormat, EventStatus, QuestionStatus
from tests.events.api_helpers import call, client_for
from tests.factories.events import EventFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


@pytest.fixture
def ama(community):
    return EventFactory(community=community, format=EventFormat.AMA, anonymous_questions=True)


def ask(user, event, text="What is the roadmap for GPUs?", **more):
    return call(client_for(user), "post", f"/events/{event.pk}/questions", {"text": text, **more})


def test_ask_then_asking_the_same_again_is_200(ama, member):
    first = ask(member, ama)
    again = ask(member, ama)

    assert first.status_code == 201, first.content
    body = first.json()
    assert body["author"]["id"] == member.pk
    assert body["is_mine"] is True
    assert body["status"] == "open"
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert AmaQuestion.objects.count() == 1


def test_an_anonymous_question_names_nobody_even_to_moderators(ama, member, organizer):
    response = ask(member, ama, anonymous=True)

    assert response.status_code == 201
    assert response.json()["author"] is None
    board = call(client_for(organizer), "get", f"/events/{ama.pk}/questions").json()
    [question] = board["open"]
    assert question["author"] is None
    assert question["is_anonymous"] is True
    assert member.display_name not in str(question)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "Why?"}, "text"),
        ({"text": "x" * 2001}, "text"),
        ({"text": "A fine question", "anonymous": "yes"}, "anonymous"),
        ({"text": "A fine question", "colour": "red"}, "colour"),
    ],
)
def test_bad_questions_are_422(ama, member, body, field):
    response = call(client_for(member), "post", f"/events/{ama.pk}/questions", body)

    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not AmaQuestion.objects.exists()


def test_anonymous_only_where_allowed_and_questions_only_for_amas(community, member):
    closed = EventFactory(community=community, format=EventFormat.AMA, anonymous_questions=False)
    talk = EventFactory(community=community, format=EventFormat.TALK)

    assert ask(member, closed, anonymous=True).status_code == 422
    assert ask(member, talk).status_code == 422
    assert not AmaQuestion.objects.exists()


def test_upvotes_reorder_the_board_and_count_once(ama, member):
    first = ask(UserFactory(), ama, text="First question here").json()
    second = ask(UserFactory(), ama, text="Second question here").json()
    client = client_for(member)
    path = f"/events/{ama.pk}/questions/{second['id']}/vote"

    voted = call(client, "put", path)
    call(client, "put", path)

    assert voted.status_code == 200
    assert voted.json()["voted"] is True
    assert voted.json()["vote_count"] == 1
    board = call(client, "get", f"/events/{ama.pk}/questions").json()
    assert [q["id"] for q in board["open"]] == [second["id"], first["id"]]
    assert AmaVote.objects.count() == 1

    withdrawn = call(client, "delete", path)
    assert withdrawn.json()["vote_count"] == 0
    assert withdrawn.json()["voted"] is False


def test_no_vote_for_ones_own_question(ama, member):
    mine = ask(member, ama).json()

    response = call(client_for(member), "put", f"/events/{ama.pk}/questions/{mine['id']}/vote")

    assert response.status_code == 422
    assert not AmaVote.objects.exists()


def test_moderators_hide_answer_and_reopen(ama, organizer, member):
    question = ask(UserFactory(), ama).json()
    base = f"/events/{ama.pk}/questions/{question['id']}"
    moderator = client_for(organizer)

    assert call(client_for(member), "post", f"{base}/hide").status_code == 403
    hidden = call(moderator, "post", f"{base}/hide")
    assert hidden.json()["status"] == "hidden"
    # Hidden questions are not found for members, and not on their board.
    assert call(client_for(member), "put", f"{base}/vote").status_code == 404
    member_board = call(client_for(member), "get", f"/events/{ama.pk}/questions").json()
    assert member_board["open"] == member_board["hidden"] == []
    moderator_board = call(moderator, "get", f"/events/{ama.pk}/questions").json()
    assert [q["id"] for q in moderator_board["hidden"]] == [question["id"]]
    assert moderator_board["can_moderate"] is True

    assert call(moderator, "post", f"{base}/reopen").json()["status"] == "open"
    answered = call(moderator, "post", f"{base}/answer")
    assert answered.json()["status"] == "answered"
    assert answered.json()["answered_at"] is not None
    assert AmaQuestion.objects.get().status == QuestionStatus.ANSWERED


def test_forged_question_ids_are_404(ama, community, member):
    other = EventFactory(community=community, format=EventFormat.AMA)
    elsewhere = ask(UserFactory(), other).json()

    response = call(client_for(member), "put", f"/events/{ama.pk}/questions/{elsewhere['id']}/vote")

    assert response.status_code == 404
    assert (
        call(client_for(member), "put", f"/events/{ama.pk}/questions/999999/vote").status_code
        == 404
    )


def test_a_draft_amas_board_is_not_found(community, member):
    draft = EventFactory(community=community, format=EventFormat.AMA, status=EventStatus.DRAFT)

    assert call(client_for(member), "get", f"/events/{draft.pk}/questions").status_code == 404
    assert ask(member, draft).status_code == 404
