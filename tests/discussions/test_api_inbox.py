"""The discussions API, finding and the caller's side: search, similar questions, the
unanswered queue, subscriptions, notifications and preferences; and the OpenAPI document."""

import pytest
from django.test import Client
from django.utils import timezone

from practica.communities.models import Access
from practica.discussions.models import (
    DiscussionPreferences,
    Notification,
    NotificationKind,
    Subscription,
)
from tests.api.clients import API, token_client
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.core import TopicFactory
from tests.factories.discussions import QuestionFactory
from tests.factories.people import OrgUnitFactory, UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


@pytest.fixture
def client(member):
    return token_client(member)


@pytest.fixture
def community():
    return CommunityFactory(name="Machine Learning")


def ask(user, community, title, body, **changes):
    response = token_client(user).post(
        f"{API}/communities/{community.slug}/threads",
        {"kind": "question", "title": title, "body": body, **changes},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def send(client, method, path, data=None):
    return getattr(client, method)(f"{API}{path}", data or {}, content_type="application/json")


# --- Search --------------------------------------------------------------------------------


def test_search_finds_threads_with_highlighted_snippets(client, member, community):
    found = ask(member, community, "How do I shard a transformer?", "Sharding across GPUs.")
    ask(member, community, "Which coffee machine is best?", "Espresso please.")

    response = client.get(f"{API}/search", {"q": "sharding"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 1
    [hit] = body["items"]
    assert hit["thread"]["id"] == found["id"]
    assert "<mark>" in hit["snippet_html"]
    assert hit["post_id"] == found["posts"][0]["id"]


def test_search_filters(client, member, community):
    other = CommunityFactory(name="Data")
    topic = TopicFactory(name="Sharding")
    unit = OrgUnitFactory(name="Platform")
    author = UserFactory(org_unit=unit)
    in_topic = ask(
        author, community, "Shard a model by layer?", "Layer sharding.", topics=["sharding"]
    )
    ask(member, other, "Shard a database by tenant?", "Tenant sharding.")

    def ids(**params):
        response = client.get(f"{API}/search", {"q": "sharding", **params})
        assert response.status_code == 200, response.content
        return [hit["thread"]["id"] for hit in response.json()["items"]]

    assert len(ids()) == 2
    assert ids(community=community.slug) == [in_topic["id"]]
    assert ids(topic=topic.slug) == [in_topic["id"]]
    assert ids(org_unit=unit.slug) == [in_topic["id"]]
    assert len(ids(answered="false")) == 2
    assert ids(answered="true") == []
    assert len(ids(since=timezone.localdate().isoformat())) == 2
    assert ids(until="2001-01-01") == []
    assert len(ids(limit=1)) == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"q": "a", "community": "nowhere"}, "community"),
        ({"q": "a", "topic": "nowhere"}, "topic"),
        ({"q": "a", "org_unit": "nowhere"}, "org_unit"),
        ({"q": "a", "since": "yesterday"}, "since"),
        ({"q": "a", "since": "2024-02-01", "until": "2024-01-01"}, "until"),
        ({"q": "a", "limit": 101}, "limit"),
    ],
)
def test_bad_search_input_is_422_naming_the_field(client, params, field):
    response = client.get(f"{API}/search", params)

    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_search_leaves_out_closed_communities_for_non_members(client, member):
    closed = CommunityFactory(name="Research Council", access=Access.CLOSED)
    insider = UserFactory()
    MembershipFactory(community=closed, person=insider)
    ask(insider, closed, "Secret sharding roadmap?", "Sharding plans.")

    assert client.get(f"{API}/search", {"q": "sharding"}).json()["count"] == 0
    assert client.get(f"{API}/search", {"q": "a", "community": closed.slug}).status_code == 404
    assert token_client(insider).get(f"{API}/search", {"q": "sharding"}).json()["count"] == 1


def test_similar_questions_while_typing(client, member, community):
    like = ask(member, community, "How do I shard a transformer model?", "Across GPUs.")

    response = client.get(f"{API}/search/similar", {"text": "shard transformer"})

    assert response.status_code == 200, response.content
    assert [thread["id"] for thread in response.json()] == [like["id"]]
    assert client.get(f"{API}/search/similar", {"text": ""}).status_code == 422
    assert client.get(f"{API}/search/similar").status_code == 422


# --- The unanswered queue ------------------------------------------------------------------


def test_the_unanswered_queue_urgent_first_then_oldest(client, member, community):
    topic = TopicFactory(name="GPUs")
    old = QuestionFactory(community=community, created_at="2024-01-01T09:00:00Z", topics=[topic])
    newer = QuestionFactory(community=community, created_at="2024-03-01T09:00:00Z")
    urgent = QuestionFactory(community=community, created_at="2024-06-01T09:00:00Z", is_urgent=True)
    QuestionFactory(community=community, state="answered", answer_count=1)
    closed = CommunityFactory(access=Access.CLOSED)
    QuestionFactory(community=closed)

    body = client.get(f"{API}/questions/unanswered").json()
    by_topic = client.get(f"{API}/questions/unanswered", {"topic": "gpus"}).json()
    by_community = client.get(f"{API}/questions/unanswered", {"community": community.slug}).json()

    assert [item["id"] for item in body["items"]] == [urgent.pk, old.pk, newer.pk]
    assert body["count"] == 3
    assert [item["id"] for item in by_topic["items"]] == [old.pk]
    assert by_community["count"] == 3
    assert client.get(f"{API}/questions/unanswered", {"topic": "x"}).status_code == 422
    assert client.get(f"{API}/questions/unanswered", {"community": closed.slug}).status_code == 404


def test_an_answered_question_leaves_the_queue(client, community):
    question = QuestionFactory(community=community)
    assert client.get(f"{API}/questions/unanswered").json()["count"] == 1

    send(client, "post", f"/threads/{question.pk}/posts", {"body": "Here is how."})

    assert client.get(f"{API}/questions/unanswered").json()["count"] == 0


# --- Subscriptions -------------------------------------------------------------------------


def test_watch_mute_and_stop_watching_a_thread(client, member, community):
    question = QuestionFactory(community=community)
    path = f"/threads/{question.pk}/subscription"

    watching = send(client, "put", path, {"level": "watching"})
    muted = send(client, "put", path, {"level": "muted"})
    listed = client.get(f"{API}/me/subscriptions").json()
    detail = client.get(f"{API}/threads/{question.pk}").json()
    stopped = client.delete(f"{API}{path}")

    assert watching.status_code == 200, watching.content
    assert watching.json()["thread"]["id"] == question.pk
    assert watching.json()["topic"] is None
    assert muted.json()["level"] == "muted"
    assert [item["thread"]["id"] for item in listed] == [question.pk]
    assert detail["my_subscription"] == "muted"
    assert stopped.status_code == 200
    assert stopped.json() == {"level": None}
    assert not Subscription.objects.filter(person=member).exists()


def test_watch_a_topic_and_a_community(client, member, community):
    TopicFactory(name="GPUs")

    topic = send(client, "put", "/topics/gpus/subscription")
    place = send(client, "put", f"/communities/{community.slug}/subscription", {"level": "muted"})

    assert topic.status_code == 200, topic.content
    assert topic.json()["level"] == "watching"
    assert topic.json()["topic"]["slug"] == "gpus"
    assert place.json()["community"]["slug"] == community.slug
    assert len(client.get(f"{API}/me/subscriptions").json()) == 2
    assert client.delete(f"{API}/topics/gpus/subscription").json() == {"level": None}
    assert client.delete(f"{API}/communities/{community.slug}/subscription").status_code == 200
    assert not Subscription.objects.filter(person=member).exists()


def test_bad_subscriptions_are_refused(client, member):
    closed = CommunityFactory(access=Access.CLOSED)
    secret = QuestionFactory(community=closed)
    TopicFactory(name="GPUs")

    assert send(client, "put", "/topics/nowhere/subscription").status_code == 404
    assert send(client, "put", f"/threads/{secret.pk}/subscription").status_code == 404
    assert send(client, "put", f"/communities/{closed.slug}/subscription").status_code == 403
    bad_level = send(client, "put", "/topics/gpus/subscription", {"level": "loud"})
    assert bad_level.status_code == 422
    assert "level" in bad_level.json()["errors"]
    assert not Subscription.objects.exists()


# --- Notifications -------------------------------------------------------------------------


def notify(person, thread, kind=NotificationKind.REPLY, **fields):
    return Notification.objects.create(recipient=person, thread=thread, kind=kind, **fields)


def test_notifications_with_the_unread_count(client, member, community):
    question = QuestionFactory(community=community)
    read = notify(member, question, read_at=timezone.now())
    unread = notify(member, question, kind=NotificationKind.MENTION, actor=question.author)
    notify(UserFactory(), question)

    everything = client.get(f"{API}/me/notifications").json()
    only_unread = client.get(f"{API}/me/notifications", {"unread": "true"}).json()
    first_page = client.get(f"{API}/me/notifications", {"limit": 1}).json()

    assert [item["id"] for item in everything["items"]] == [unread.pk, read.pk]
    assert everything["count"] == 2
    assert everything["unread_count"] == 1
    assert everything["items"][0]["actor"]["id"] == question.author_id
    assert everything["items"][0]["thread"]["title"] == question.title
    assert [item["id"] for item in only_unread["items"]] == [unread.pk]
    assert (len(first_page["items"]), first_page["count"]) == (1, 2)
    assert client.get(f"{API}/me/notifications", {"limit": 0}).status_code == 422


def test_an_answer_notifies_the_asker(member, community):
    asker = UserFactory()
    question = QuestionFactory(community=community, author=asker)

    send(token_client(member), "post", f"/threads/{question.pk}/posts", {"body": "Like so."})

    body = token_client(asker).get(f"{API}/me/notifications").json()
    assert body["unread_count"] >= 1
    assert question.pk in [item["thread"]["id"] for item in body["items"]]


def test_mark_notifications_read(client, member, community):
    question = QuestionFactory(community=community)
    first, *_others = (notify(member, question) for _ in range(3))
    someone_elses = notify(UserFactory(), question)

    some = send(client, "post", "/me/notifications/read", {"ids": [first.pk, someone_elses.pk]})
    rest = client.generic("POST", f"{API}/me/notifications/read")

    assert some.status_code == 200, some.content
    assert some.json() == {"unread_count": 2}
    assert rest.json() == {"unread_count": 0}
    someone_elses.refresh_from_db()
    assert someone_elses.read_at is None
    bad = send(client, "post", "/me/notifications/read", {"ids": ["x"]})
    assert bad.status_code == 422


# --- Preferences ---------------------------------------------------------------------------


def test_discussion_preferences_default_and_change(client, member):
    defaults = client.get(f"{API}/me/discussion-preferences")

    assert defaults.status_code == 200
    assert defaults.json()["email_mode"] == "immediately"
    assert not DiscussionPreferences.objects.exists()

    changed = send(
        client,
        "patch",
        "/me/discussion-preferences",
        {"email_mode": "daily", "quiet_hours_start": "22:00", "quiet_hours_end": "07:00"},
    )

    assert changed.status_code == 200, changed.content
    assert changed.json()["email_mode"] == "daily"
    assert changed.json()["quiet_hours_start"] == "22:00:00"
    assert DiscussionPreferences.objects.get(person=member).email_mode == "daily"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email_mode": "hourly"}, "email_mode"),
        ({"max_open_routed": 99}, "max_open_routed"),
        ({"quiet_hours_start": "25:00"}, "quiet_hours_start"),
        ({"quiet_hours_start": "22:00"}, "quiet_hours_end"),
        ({"volume": 11}, "volume"),
    ],
)
def test_bad_preferences_are_422(client, member, changes, field):
    response = send(client, "patch", "/me/discussion-preferences", changes)

    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert client.get(f"{API}/me/discussion-preferences").json()["email_mode"] == "immediately"


# --- The OpenAPI document ------------------------------------------------------------------


def test_the_discussion_endpoints_are_documented(db):
    schema = Client().get(f"{API}/openapi.json").json()
    documented = {
        (method, path.removeprefix(API))
        for path, item in schema["paths"].items()
        for method in item
    }

    assert {
        ("get", "/communities/{slug}/threads"),
        ("post", "/communities/{slug}/threads"),
        ("get", "/threads/{thread_id}"),
        ("post", "/threads/{thread_id}/posts"),
        ("patch", "/posts/{post_id}"),
        ("put", "/posts/{post_id}/vote"),
        ("post", "/threads/{thread_id}/accept"),
        ("delete", "/threads/{thread_id}/accept"),
        ("post", "/posts/{post_id}/flag"),
        ("post", "/threads/{thread_id}/lock"),
        ("post", "/threads/{thread_id}/merge"),
        ("get", "/search"),
        ("get", "/search/similar"),
        ("get", "/questions/unanswered"),
        ("get", "/me/subscriptions"),
        ("put", "/threads/{thread_id}/subscription"),
        ("delete", "/topics/{slug}/subscription"),
        ("put", "/communities/{slug}/subscription"),
        ("get", "/me/notifications"),
        ("post", "/me/notifications/read"),
        ("get", "/me/discussion-preferences"),
        ("patch", "/me/discussion-preferences"),
    } <= documented
