"""The discussions API: flags, and the moderators' lock, close, hide, move, merge, duplicate."""

import pytest
from django.test import Client
from django.utils.timezone import now

from practica.communities.models import MembershipRole
from practica.discussions.models import Flag, ThreadState
from tests.api.clients import API, token_client
from tests.discussions.api_helpers import answer, post_json
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.discussions import QuestionFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


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
def question(community):
    asker = UserFactory(display_name="Asker")
    return QuestionFactory(community=community, author=asker, title="How do I shard a model?")


# --- Flags ---------------------------------------------------------------------------------


def test_flag_a_post_once(client, member, question):
    opening = question.posts.get()

    response = post_json(client, f"/posts/{opening.pk}/flag", {"reason": "spam", "note": "Ad"})
    again = post_json(client, f"/posts/{opening.pk}/flag", {"reason": "spam"})

    assert response.status_code == 201, response.content
    assert response.json()["reason"] == "spam"
    assert Flag.objects.get().flagged_by == member
    assert again.status_code == 422
    assert Flag.objects.count() == 1


def test_flagging_badly_or_ones_own_post_is_refused(client, member, question):
    theirs = question.posts.get()
    mine = answer(member, question)

    assert post_json(client, f"/posts/{mine.pk}/flag", {"reason": "spam"}).status_code == 403
    assert post_json(client, f"/posts/{theirs.pk}/flag", {"reason": "meh"}).status_code == 422
    long_note = {"reason": "other", "note": "x" * 1001}
    assert post_json(client, f"/posts/{theirs.pk}/flag", long_note).status_code == 422
    assert not Flag.objects.exists()


# --- Moderation ----------------------------------------------------------------------------


def test_moderation_is_for_moderators(client, question):
    opening = question.posts.get()

    for path, data in (
        (f"/threads/{question.pk}/lock", {}),
        (f"/threads/{question.pk}/unlock", {}),
        (f"/threads/{question.pk}/move", {"community": "elsewhere"}),
        (f"/threads/{question.pk}/merge", {"into": question.pk}),
        (f"/threads/{question.pk}/close", {}),
        (f"/threads/{question.pk}/duplicate", {"original": question.pk}),
        (f"/posts/{opening.pk}/hide", {}),
        (f"/posts/{opening.pk}/unhide", {}),
    ):
        response = post_json(client, path, data)
        assert response.status_code == 403, path
        assert response.json()["detail"]
    question.refresh_from_db()
    assert (question.is_locked, question.state) == (False, ThreadState.OPEN)


def test_lock_and_unlock(question, moderator):
    mod = token_client(moderator)

    locked = post_json(mod, f"/threads/{question.pk}/lock")
    assert locked.status_code == 200, locked.content
    assert locked.json()["is_locked"] is True
    answer_attempt = post_json(
        token_client(UserFactory()), f"/threads/{question.pk}/posts", {"body": "x"}
    )
    assert answer_attempt.status_code == 403
    assert post_json(mod, f"/threads/{question.pk}/unlock").json()["is_locked"] is False


def test_the_author_closes_and_reopens(question):
    asker = token_client(question.author)

    closed = post_json(asker, f"/threads/{question.pk}/close", {"reason": "Solved offline."})
    reopened = post_json(asker, f"/threads/{question.pk}/reopen")

    assert closed.status_code == 200, closed.content
    assert closed.json()["state"] == "closed"
    assert reopened.json()["state"] == "open"


def test_hide_and_unhide_a_post(question, moderator):
    mod = token_client(moderator)
    reply = answer(UserFactory(), question)

    hidden = post_json(mod, f"/posts/{reply.pk}/hide", {"reason": "Off topic"})
    reader = token_client(UserFactory()).get(f"{API}/threads/{question.pk}").json()
    shown = post_json(mod, f"/posts/{reply.pk}/unhide")

    assert hidden.status_code == 200, hidden.content
    assert hidden.json()["is_hidden"] is True
    assert reply.pk not in [post["id"] for post in reader["posts"]]
    assert shown.json()["is_hidden"] is False


def test_move_a_thread(question, moderator):
    target = CommunityFactory(name="Data Engineering")
    MembershipFactory(community=target, person=moderator, role=MembershipRole.ORGANIZER)
    mod = token_client(moderator)

    unknown = post_json(mod, f"/threads/{question.pk}/move", {"community": "nowhere"})
    moved = post_json(mod, f"/threads/{question.pk}/move", {"community": target.slug})

    assert unknown.status_code == 422
    assert "community" in unknown.json()["errors"]
    assert moved.status_code == 200, moved.content
    assert moved.json()["community"]["slug"] == target.slug


def test_merge_threads(question, moderator, community):
    other = QuestionFactory(community=community, title="How can I shard a big model?")
    reply = answer(UserFactory(), other)
    mod = token_client(moderator)

    unknown = post_json(mod, f"/threads/{other.pk}/merge", {"into": 999999})
    itself = post_json(mod, f"/threads/{other.pk}/merge", {"into": other.pk})
    merged = post_json(mod, f"/threads/{other.pk}/merge", {"into": question.pk})

    assert unknown.status_code == 422
    assert "into" in unknown.json()["errors"]
    assert "into" in itself.json()["errors"]
    assert merged.status_code == 200, merged.content
    assert merged.json()["id"] == question.pk
    assert reply.pk in [post["id"] for post in merged.json()["posts"]]
    again = post_json(mod, f"/threads/{other.pk}/merge", {"into": question.pk})
    assert again.status_code == 422
    assert "into" in again.json()["errors"]


def test_mark_a_duplicate(question, community):
    copy = QuestionFactory(community=community, author=question.author)
    asker = token_client(question.author)

    itself = post_json(asker, f"/threads/{copy.pk}/duplicate", {"original": copy.pk})
    marked = post_json(asker, f"/threads/{copy.pk}/duplicate", {"original": question.pk})

    assert itself.status_code == 422
    assert marked.status_code == 200, marked.content
    assert marked.json()["duplicate_of"]["id"] == question.pk
    assert marked.json()["state"] == "closed"


# --- The flag queue ------------------------------------------------------------------------


def test_moderators_list_a_communitys_open_flags_oldest_first(question, moderator, member):
    reply = answer(UserFactory(display_name="Bo Answerer"), question, body="Buy watches here!")
    opening = question.posts.get(is_opening=True)
    first = post_json(token_client(member), f"/posts/{reply.pk}/flag", {"reason": "spam"})
    second = post_json(
        token_client(UserFactory()), f"/posts/{opening.pk}/flag", {"reason": "other"}
    )
    resolved = post_json(
        token_client(UserFactory()), f"/posts/{opening.pk}/flag", {"reason": "spam"}
    )
    Flag.objects.filter(pk=resolved.json()["id"]).update(resolution="dismissed", resolved_at=now())
    elsewhere = QuestionFactory()
    post_json(token_client(member), f"/posts/{elsewhere.posts.get().pk}/flag", {"reason": "spam"})

    response = token_client(moderator).get(f"{API}/communities/{question.community.slug}/flags")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 2
    assert [item["id"] for item in body["items"]] == [first.json()["id"], second.json()["id"]]
    item = body["items"][0]
    assert item["reason"] == "spam"
    assert item["flagged_by"]["id"] == member.pk
    assert item["post"]["id"] == reply.pk
    assert item["post"]["excerpt"] == "Buy watches here!"
    assert item["post"]["author"]["display_name"] == "Bo Answerer"
    assert item["post"]["thread"]["title"] == "How do I shard a model?"
    assert body["items"][1]["post"]["is_opening"] is True


def test_only_moderators_see_the_flags(client, question):
    path = f"{API}/communities/{question.community.slug}/flags"
    assert client.get(path).status_code == 403
    assert client.get(f"{API}/communities/nowhere/flags").status_code == 404
    assert Client().get(path).status_code == 401


def test_moderators_resolve_a_flag(question, moderator, member):
    reply = answer(UserFactory(), question)
    flagged = post_json(token_client(member), f"/posts/{reply.pk}/flag", {"reason": "spam"})
    flag_id = flagged.json()["id"]
    path = f"/flags/{flag_id}/resolve"

    refused = post_json(token_client(member), path, {"resolution": "hidden"})
    unknown = post_json(token_client(moderator), path, {"resolution": "ignored"})
    hidden = post_json(token_client(moderator), path, {"resolution": "hidden"})
    again = post_json(token_client(moderator), path, {"resolution": "dismissed"})

    assert refused.status_code == 403
    assert unknown.status_code == 422
    assert hidden.status_code == 200, hidden.content
    assert hidden.json()["resolution"] == "hidden"
    assert hidden.json()["resolved_at"]
    reply.refresh_from_db()
    assert reply.is_hidden
    assert again.status_code == 422
    assert (
        post_json(
            token_client(moderator), "/flags/999999/resolve", {"resolution": "hidden"}
        ).status_code
        == 404
    )
