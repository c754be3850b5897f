"""The discussions API: threads, posts, votes and accepted answers.

Flags and moderation are in test_api_moderation.py; search, the unanswered queue,
subscriptions, notifications and preferences in test_api_inbox.py.
"""

import pytest

from practica.communities.models import Access, MembershipRole
from practica.discussions.models import (
    MAX_POST_LENGTH,
    PostRevision,
    RoutedExpert,
    RoutingReason,
    RoutingRound,
    Thread,
    ThreadKind,
    ThreadState,
    Vote,
)
from tests.api.clients import API, token_client
from tests.discussions.api_helpers import answer, post_json
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.core import TopicFactory
from tests.factories.discussions import DiscussionFactory, PostFactory, QuestionFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]

QUESTION = {
    "kind": "question",
    "title": "How do I pin a GPU for a notebook?",
    "body": "Our notebooks grab **every** GPU.",
}


@pytest.fixture
def client(member):
    return token_client(member)


@pytest.fixture
def community():
    return CommunityFactory(name="Machine Learning")


@pytest.fixture
def moderator(community):
    return MembershipFactory(community=community, role=MembershipRole.ORGANIZER).person


@pytest.fixture
def closed():
    return CommunityFactory(name="Research Council", access=Access.CLOSED)


@pytest.fixture
def question(community):
    asker = UserFactory(display_name="Asker")
    return QuestionFactory(community=community, author=asker, title="How do I shard a model?")


def ask(client, community, **changes):
    return client.post(
        f"{API}/communities/{community.slug}/threads",
        {**QUESTION, **changes},
        content_type="application/json",
    )


# --- Asking --------------------------------------------------------------------------------


def test_ask_a_question_with_topics_and_the_urgent_flag(client, member, community):
    gpu = TopicFactory(name="GPUs")

    response = ask(client, community, topics=["gpus"], is_urgent=True)

    assert response.status_code == 201, response.content
    body = response.json()
    thread = Thread.objects.get(pk=body["id"])
    assert thread.author == member
    assert body["kind"] == "question"
    assert body["state"] == "open"
    assert body["topics"] == [{"id": gpu.pk, "slug": "gpus", "name": "GPUs"}]
    assert body["is_urgent"] is True
    assert body["respond_by"] is not None
    assert body["response_target_minutes"] == 60
    assert body["community"]["slug"] == community.slug
    [opening] = body["posts"]
    assert opening["is_opening"] is True
    assert "<strong>every</strong>" in opening["body_html"]
    assert opening["my_vote"] == 0
    assert opening["can_edit"] is True
    assert body["can_accept"] is True
    assert body["routed_experts"] is not None


def test_start_a_discussion(client, community):
    response = ask(client, community, kind="discussion", title="GPU etiquette")

    assert response.status_code == 201
    assert response.json()["kind"] == "discussion"
    assert Thread.objects.get().kind == ThreadKind.DISCUSSION


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"topics": ["no-such-topic"]}, "topics"),
        ({"body": "x" * (MAX_POST_LENGTH + 1)}, "body"),
        ({"body": ""}, "body"),
        ({"title": "t" * 201}, "title"),
        ({"kind": "poll"}, "kind"),
        ({"is_urgent": "very"}, "is_urgent"),
        ({"colour": "red"}, "colour"),
        ({"topics": [f"t{n}" for n in range(6)]}, "topics"),
    ],
)
def test_bad_input_when_asking_is_422_naming_the_field(client, community, changes, field):
    response = ask(client, community, **changes)

    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert not Thread.objects.exists()


def test_a_too_short_question_title_is_the_services_422(client, community):
    response = ask(client, community, title="GPU?")

    assert response.status_code == 422
    assert "title" in response.json()["errors"]


def test_an_unknown_community_is_404(client):
    assert client.get(f"{API}/communities/nowhere/threads").status_code == 404
    assert ask(client, CommunityFactory.build(slug="nowhere")).status_code == 404


def test_anonymous_callers_get_401(community, question):
    from django.test import Client

    anonymous = Client()
    assert anonymous.get(f"{API}/communities/{community.slug}/threads").status_code == 401
    assert anonymous.get(f"{API}/threads/{question.pk}").status_code == 401
    assert anonymous.get(f"{API}/me/notifications").status_code == 401


# --- Closed communities --------------------------------------------------------------------


def test_closed_community_threads_are_for_members_only(client, member, closed):
    thread = QuestionFactory(community=closed, title="Budget for the secret project?")
    opening = thread.posts.get()

    assert client.get(f"{API}/communities/{closed.slug}/threads").status_code == 403
    assert ask(client, closed).status_code == 403
    for path in (f"/threads/{thread.pk}",):
        response = client.get(f"{API}{path}")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    assert post_json(client, f"/threads/{thread.pk}/posts", {"body": "Hi"}).status_code == 404
    assert post_json(client, f"/posts/{opening.pk}/vote", {"value": 1}, "put").status_code == 404
    assert post_json(client, f"/posts/{opening.pk}/flag", {"reason": "spam"}).status_code == 404
    assert not Thread.objects.exclude(pk=thread.pk).exists()
    assert thread.posts.count() == 1

    MembershipFactory(community=closed, person=member)
    assert client.get(f"{API}/threads/{thread.pk}").status_code == 200
    assert client.get(f"{API}/communities/{closed.slug}/threads").json()["count"] == 1


# --- Listing -------------------------------------------------------------------------------


def test_threads_list_filters_sorts_and_paginates(client, community):
    ml = TopicFactory(name="ML")
    nlp = TopicFactory(name="NLP", parent=ml)
    old = QuestionFactory(community=community, created_at="2024-01-01T09:00:00Z", topics=[nlp])
    urgent = QuestionFactory(community=community, is_urgent=True)
    answered = QuestionFactory(community=community, state=ThreadState.ANSWERED, answer_count=1)
    talk = DiscussionFactory(community=community)
    QuestionFactory()  # another community's

    def ids(**params):
        response = client.get(f"{API}/communities/{community.slug}/threads", params)
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    assert set(ids()) == {old.pk, urgent.pk, answered.pk, talk.pk}
    assert ids(kind="discussion") == [talk.pk]
    assert ids(state="answered") == [answered.pk]
    assert ids(topic="ml") == [old.pk]
    assert set(ids(unanswered="true")) == {old.pk, urgent.pk}
    assert ids(urgent="true") == [urgent.pk]
    assert ids(sort="oldest")[0] == old.pk
    assert len(ids(limit=2)) == 2
    page = client.get(f"{API}/communities/{community.slug}/threads", {"limit": 2}).json()
    assert page["count"] == 4
    item = page["items"][0]
    assert {"id", "title", "author", "topics", "answer_count", "state", "community"} <= set(item)


@pytest.mark.parametrize(
    "params",
    [{"topic": "nothing"}, {"sort": "random"}, {"kind": "poll"}, {"limit": 101}, {"urgent": "x"}],
)
def test_bad_list_filters_are_422(client, community, params):
    response = client.get(f"{API}/communities/{community.slug}/threads", params)

    assert response.status_code == 422
    assert set(response.json()["errors"]) == set(params)


# --- Reading -------------------------------------------------------------------------------


def test_a_thread_with_posts_accepted_answer_votes_and_timing(client, member, question):
    asker = question.author
    first = answer(member, question, "Try `torch.distributed`.")
    second = answer(UserFactory(), question)
    post_json(token_client(asker), f"/threads/{question.pk}/accept", {"post_id": second.pk})
    Vote.objects.create(post=second, voter=member, value=-1)

    body = client.get(f"{API}/threads/{question.pk}").json()

    # The opening post, then the accepted answer, then the others.
    assert [post["id"] for post in body["posts"]][1:] == [second.pk, first.pk]
    assert body["accepted_answer_id"] == second.pk
    assert body["state"] == "accepted"
    assert body["answer_count"] == 2
    assert body["first_response_at"] is not None
    assert body["first_response_seconds"] is not None
    assert body["accepted_answer_seconds"] is not None
    by_id = {post["id"]: post for post in body["posts"]}
    assert by_id[second.pk]["is_accepted"] is True
    assert by_id[second.pk]["my_vote"] == -1
    assert by_id[first.pk]["my_vote"] == 0
    assert by_id[first.pk]["can_vote"] is False  # one's own
    assert "<code>" in by_id[first.pk]["body_html"]
    assert body["can_accept"] is False
    assert body["routed_experts"] is None  # neither the asker nor a moderator


def test_routed_experts_are_shown_to_the_asker_and_moderators_only(client, question, moderator):
    expert = UserFactory(display_name="Expert")
    routing = RoutingRound.objects.create(thread=question, reason=RoutingReason.POSTED)
    RoutedExpert.objects.create(round=routing, thread=question, person=expert, rank=1, score=0.9)

    for who in (question.author, moderator):
        routed = token_client(who).get(f"{API}/threads/{question.pk}").json()["routed_experts"]
        assert routed == [{**routed[0], "person": {"id": expert.pk, "display_name": "Expert"}}]
        assert routed[0]["round"] == 1
    assert client.get(f"{API}/threads/{question.pk}").json()["routed_experts"] is None


def test_hidden_posts_are_left_out_for_readers_but_shown_to_moderators(client, question, moderator):
    hidden = PostFactory(thread=question, is_hidden=True)

    mine = [post["id"] for post in client.get(f"{API}/threads/{question.pk}").json()["posts"]]
    theirs = token_client(moderator).get(f"{API}/threads/{question.pk}").json()["posts"]

    assert hidden.pk not in mine
    assert hidden.pk in [post["id"] for post in theirs]


def test_an_unknown_or_oversize_thread_id_is_404_or_422(client):
    assert client.get(f"{API}/threads/999999").status_code == 404
    assert client.get(f"{API}/threads/{2**64}").status_code == 422
    assert client.get(f"{API}/threads/abc").status_code == 422


# --- Answering and editing -----------------------------------------------------------------


def test_answer_a_question(client, member, question):
    response = post_json(client, f"/threads/{question.pk}/posts", {"body": "Use *FSDP*."})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["author"]["id"] == member.pk
    assert "<em>FSDP</em>" in body["body_html"]
    assert body["is_opening"] is False
    question.refresh_from_db()
    assert question.answer_count == 1
    assert question.first_response_at is not None


def test_reply_to_a_post_of_the_same_thread_only(client, community):
    talk = DiscussionFactory(community=community)
    elsewhere = PostFactory()

    good = post_json(
        client, f"/threads/{talk.pk}/posts", {"body": "Agreed", "reply_to": talk.posts.get().pk}
    )
    bad = post_json(client, f"/threads/{talk.pk}/posts", {"body": "Hm", "reply_to": elsewhere.pk})

    assert good.status_code == 201
    assert good.json()["reply_to_id"] == talk.posts.get(is_opening=True).pk
    assert bad.status_code == 422
    assert "reply_to" in bad.json()["errors"]


def test_posting_in_a_locked_or_closed_thread_is_403(client, community, moderator):
    locked = QuestionFactory(community=community, is_locked=True)
    shut = QuestionFactory(community=community, state=ThreadState.CLOSED)

    for thread in (locked, shut):
        response = post_json(client, f"/threads/{thread.pk}/posts", {"body": "Let me in"})
        assert response.status_code == 403
        assert response.json()["detail"]
        assert thread.posts.count() == 1
    assert (
        "locked" in post_json(client, f"/threads/{locked.pk}/posts", {"body": "x"}).json()["detail"]
    )
    by_moderator = post_json(
        token_client(moderator), f"/threads/{locked.pk}/posts", {"body": "Locked."}
    )
    assert by_moderator.status_code == 201


def test_an_oversize_answer_is_422_and_nothing_is_posted(client, question):
    response = post_json(
        client, f"/threads/{question.pk}/posts", {"body": "x" * (MAX_POST_LENGTH + 1)}
    )

    assert response.status_code == 422
    assert "body" in response.json()["errors"]
    assert question.posts.count() == 1


def test_a_request_body_over_the_upload_limit_is_a_413_json_error(client, question, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000

    response = post_json(client, f"/threads/{question.pk}/posts", {"body": "x" * 20_000})

    assert response.status_code == 413
    assert response.json()["detail"]
    assert question.posts.count() == 1


def test_edit_a_post_keeps_a_revision(client, member, question):
    mine = answer(member, question, "First try.")

    response = post_json(client, f"/posts/{mine.pk}", {"body": "Second try."}, "patch")

    assert response.status_code == 200, response.content
    assert response.json()["body"] == "Second try."
    assert response.json()["revision_count"] == 1
    assert response.json()["edited_at"] is not None
    assert PostRevision.objects.get(post=mine).body == "First try."


def test_edit_the_title_through_the_opening_post_only(client, member, community):
    thread = QuestionFactory(community=community, author=member)
    opening = thread.posts.get()
    reply = answer(UserFactory(), thread)

    renamed = post_json(
        client, f"/posts/{opening.pk}", {"body": "Edited.", "title": "A clearer question?"}, "patch"
    )
    refused = post_json(
        token_client(reply.author), f"/posts/{reply.pk}", {"body": "x", "title": "Mine"}, "patch"
    )

    assert renamed.status_code == 200
    thread.refresh_from_db()
    assert thread.title == "A clearer question?"
    assert refused.status_code == 422
    assert "title" in refused.json()["errors"]


def test_editing_someone_elses_post_is_403(client, question):
    opening = question.posts.get()

    response = post_json(client, f"/posts/{opening.pk}", {"body": "Vandalism"}, "patch")

    assert response.status_code == 403
    opening.refresh_from_db()
    assert opening.body != "Vandalism"


# --- Votes ---------------------------------------------------------------------------------


def test_vote_change_and_withdraw(client, member, question):
    theirs = answer(UserFactory(), question)
    path = f"/posts/{theirs.pk}/vote"

    up = post_json(client, path, {"value": 1}, "put").json()
    down = post_json(client, path, {"value": -1}, "put").json()
    withdrawn = post_json(client, path, {"value": 0}, "put").json()

    assert (up["score"], up["my_vote"]) == (1, 1)
    assert (down["score"], down["my_vote"]) == (-1, -1)
    assert (withdrawn["score"], withdrawn["my_vote"]) == (0, 0)
    assert not Vote.objects.exists()


def test_vote_on_the_question_moves_its_score(client, question):
    response = post_json(client, f"/posts/{question.posts.get().pk}/vote", {"value": 1}, "put")

    assert response.status_code == 200
    assert client.get(f"{API}/threads/{question.pk}").json()["score"] == 1


@pytest.mark.parametrize("value", [2, -2, "up", "1", None, 1.5, True, [1]])
def test_a_vote_must_be_plus_or_minus_one_or_zero(client, question, value):
    post = question.posts.get()

    response = post_json(client, f"/posts/{post.pk}/vote", {"value": value}, "put")

    assert response.status_code == 422
    assert "value" in response.json()["errors"]
    assert not Vote.objects.exists()


def test_a_vote_on_ones_own_post_is_refused(client, member, question):
    mine = answer(member, question)

    response = post_json(client, f"/posts/{mine.pk}/vote", {"value": 1}, "put")

    assert response.status_code == 422
    assert response.json()["errors"]["value"]
    mine.refresh_from_db()
    assert mine.score == 0


# --- Accepted answers ----------------------------------------------------------------------


def test_the_asker_accepts_changes_and_withdraws_an_answer(question):
    asker = token_client(question.author)
    first, second = answer(UserFactory(), question), answer(UserFactory(), question)

    accepted = post_json(asker, f"/threads/{question.pk}/accept", {"post_id": first.pk})
    changed = post_json(asker, f"/threads/{question.pk}/accept", {"post_id": second.pk})
    withdrawn = asker.delete(f"{API}/threads/{question.pk}/accept")

    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["accepted_answer_id"] == first.pk
    assert accepted.json()["state"] == "accepted"
    assert changed.json()["accepted_answer_id"] == second.pk
    assert withdrawn.status_code == 200
    assert withdrawn.json()["accepted_answer_id"] is None
    assert withdrawn.json()["state"] == "answered"


def test_accepting_on_someone_elses_question_is_403(client, question):
    reply = answer(UserFactory(), question)

    response = post_json(client, f"/threads/{question.pk}/accept", {"post_id": reply.pk})

    assert response.status_code == 403
    assert client.delete(f"{API}/threads/{question.pk}/accept").status_code == 403
    question.refresh_from_db()
    assert question.accepted_answer_id is None


def test_a_moderator_may_accept(question, moderator):
    reply = answer(UserFactory(), question)

    response = post_json(
        token_client(moderator), f"/threads/{question.pk}/accept", {"post_id": reply.pk}
    )

    assert response.status_code == 200
    assert response.json()["accepted_answer_id"] == reply.pk


def test_accepting_a_post_of_another_thread_or_the_question_is_422(question):
    asker = token_client(question.author)
    elsewhere = PostFactory()

    for post_id in (elsewhere.pk, question.posts.get().pk, 999999):
        response = post_json(asker, f"/threads/{question.pk}/accept", {"post_id": post_id})
        assert response.status_code == 422
        assert "post_id" in response.json()["errors"]
    assert post_json(asker, f"/threads/{question.pk}/accept", {"post_id": 0}).status_code == 422


def test_a_discussion_has_no_accepted_answer(member, community):
    talk = DiscussionFactory(community=community, author=member)
    reply = PostFactory(thread=talk)

    response = post_json(token_client(member), f"/threads/{talk.pk}/accept", {"post_id": reply.pk})

    assert response.status_code == 422
