"""A grassroots group's threads: who starts them, the group on every activity about them, their
list mail and digests for the group's members only, the group's thread pages and the API."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from practica.communities.models import Access, GroupRole, MembershipRole
from practica.core.models import Activity, ActivityKind
from practica.discussions.group_queries import group_thread_list, open_question_count
from practica.discussions.models import Thread, ThreadKind
from practica.discussions.permissions import can_start_group_thread
from practica.discussions.services import list_digest
from practica.discussions.services import list_mail as list_mail_services
from practica.discussions.services.threads import (
    accept_answer,
    create_thread,
    post_reply,
    vote,
)
from practica.mail.models import DeliveryMode, ListSubscription, OutboundMessage
from tests.api.clients import API, token_client
from tests.discussions.api_helpers import post_json
from tests.factories.communities import (
    CommunityFactory,
    GroupFactory,
    GroupMembershipFactory,
    MembershipFactory,
)
from tests.factories.discussions import QuestionFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


@pytest.fixture
def community():
    return CommunityFactory(name="Machine Learning", slug="ml")


@pytest.fixture
def group(community):
    return GroupFactory(community=community, name="Reading group", slug="reading")


def community_member(community, mode=None, **fields):
    person = UserFactory(**fields)
    MembershipFactory(community=community, person=person)
    if mode:
        ListSubscription.objects.create(person=person, community=community, mode=mode)
    return person


def group_member(group, mode=None, role=GroupRole.MEMBER, **fields):
    person = community_member(group.community, mode, **fields)
    GroupMembershipFactory(group=group, person=person, role=role)
    return person


def start(group, author, **fields):
    values = {
        "kind": ThreadKind.QUESTION,
        "title": "Which chapter do we read next?",
        "body": "Chapter 7 or 8?",
    }
    return create_thread(community=group.community, author=author, group=group, **values | fields)


def activity(kind, person):
    return Activity.objects.get(kind=kind, person=person)


# --- Who starts a group's thread ---------------------------------------------------------


def test_a_group_member_starts_a_thread_of_the_group(group):
    ada = group_member(group)

    thread = start(group, ada)

    assert thread.group == group
    assert thread.community == group.community
    assert activity(ActivityKind.ASKED, ada).data["group"] == group.pk


def test_a_moderator_of_the_community_starts_one_without_being_in_the_group(community, group):
    organizer = MembershipFactory(community=community, role=MembershipRole.ORGANIZER).person

    assert start(group, organizer, kind=ThreadKind.DISCUSSION).group == group


def test_a_member_of_the_community_outside_the_group_may_not(community, group):
    outsider = community_member(community)

    with pytest.raises(PermissionDenied, match="Only members of Reading group"):
        start(group, outsider)

    assert not Thread.objects.exists()
    assert not can_start_group_thread(outsider, group)


def test_a_member_who_left_the_group_may_not(group):
    former = group_member(group)
    group.memberships.filter(person=former).update(left_at=timezone.now())

    with pytest.raises(PermissionDenied):
        start(group, former)


def test_an_archived_group_takes_no_new_threads(group):
    ada = group_member(group)
    group.archived_at = timezone.now()
    group.save()

    with pytest.raises(ValidationError) as refused:
        start(group, ada)

    assert "archived" in refused.value.message_dict["group"][0]
    assert not Thread.objects.exists()


def test_another_communitys_group_is_refused(group):
    other = GroupFactory()
    ada = group_member(group)
    GroupMembershipFactory(group=other, person=ada)

    with pytest.raises(ValidationError) as refused:
        create_thread(
            community=group.community,
            author=ada,
            group=other,
            kind=ThreadKind.DISCUSSION,
            title="Hello",
            body="Hi",
        )

    assert "another community" in refused.value.message_dict["group"][0]


# --- The group on every activity about its threads -----------------------------------------


def test_answers_replies_votes_and_acceptance_carry_the_group(group):
    asker, answerer = group_member(group), group_member(group)
    question = start(group, asker)

    answer = post_reply(thread=question, author=answerer, body="Chapter 7.")
    own_reply = post_reply(thread=question, author=asker, body="Thanks!")
    vote(post=answer, voter=asker, value=1)
    accept_answer(answer=answer, actor=asker)

    for kind, person in [
        (ActivityKind.ANSWERED, answerer),
        (ActivityKind.REPLIED, asker),
        (ActivityKind.VOTED, asker),
        (ActivityKind.ACCEPTED, asker),
    ]:
        assert activity(kind, person).data["group"] == group.pk, kind
    assert own_reply.thread.group_id == group.pk


def test_activities_of_a_community_thread_name_no_group(community):
    asker, answerer = community_member(community), community_member(community)
    question = create_thread(
        community=community, author=asker, kind=ThreadKind.QUESTION, title="How to shard?", body="?"
    )
    post_reply(thread=question, author=answerer, body="Use FSDP.")

    assert "group" not in activity(ActivityKind.ASKED, asker).data
    assert "group" not in activity(ActivityKind.ANSWERED, answerer).data


# --- List mail and digests: the group's members only -------------------------------------


def list_mail_to(person):
    return OutboundMessage.objects.filter(
        to_email=person.email, idempotency_key__startswith="list."
    )


def test_a_group_threads_list_mail_goes_to_the_groups_members_by_their_choice(community, group):
    author = group_member(group)
    every = group_member(group, DeliveryMode.EVERY)
    digest_reader = group_member(group, DeliveryMode.DAILY)
    outside_every = community_member(community, DeliveryMode.EVERY)
    left = group_member(group, DeliveryMode.EVERY)
    group.memberships.filter(person=left).update(left_at=timezone.now())
    thread = start(group, author, kind=ThreadKind.DISCUSSION, title="Notes from session 3")

    sent = list_mail_services.send_post_to_list(post_id=thread.posts.get().pk)

    assert sent == 1
    [row] = list_mail_to(every)
    for person in (author, digest_reader, outside_every, left):
        assert not list_mail_to(person).exists()
    assert row.subject == "[ml.reading] Notes from session 3"
    assert (
        row.headers["List-Id"] == "Machine Learning · Reading group <reading.ml.lists.example.com>"
    )
    assert row.headers["List-Post"] == "<mailto:ml.reading@lists.example.com>"
    assert "ml.reading@lists.example.com" in row.headers["From"]
    assert row.headers["Reply-To"].startswith("reply+")
    assert "ml.reading@lists.example.com" in row.body_text
    assert "a group of Machine Learning" in row.body_text


def test_a_community_threads_list_mail_is_unchanged(community, group):
    in_group = group_member(group, DeliveryMode.EVERY)
    outside = community_member(community, DeliveryMode.EVERY)
    question = QuestionFactory(community=community, title="Which GPU?")

    sent = list_mail_services.send_post_to_list(post_id=question.posts.get().pk)

    assert sent == 2
    [row] = list_mail_to(outside)
    assert list_mail_to(in_group).count() == 1
    assert row.subject == "[ml] Which GPU?"
    assert row.headers["List-Post"] == "<mailto:ml@lists.example.com>"


def test_digests_show_a_groups_threads_to_its_members_only(community, group):
    now = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    zone = "UTC"
    reader_in_group = group_member(group, DeliveryMode.DAILY, time_zone=zone)
    reader_outside = community_member(community, DeliveryMode.DAILY, time_zone=zone)
    author = group_member(group, DeliveryMode.NONE)
    group_thread = start(group, author, kind=ThreadKind.DISCUSSION, title="Group notes")
    community_thread = create_thread(
        community=community,
        author=author,
        kind=ThreadKind.DISCUSSION,
        title="Community news",
        body="News.",
    )
    at_nine = now.replace(hour=9)
    Thread.objects.update(created_at=at_nine - timedelta(hours=3))

    sent = list_digest.send_community_digests(
        community=community, mode=DeliveryMode.DAILY, now=at_nine
    )

    assert sent == 2
    inside = OutboundMessage.objects.get(to_email=reader_in_group.email)
    outside = OutboundMessage.objects.get(to_email=reader_outside.email)
    assert group_thread.title in inside.body_text
    assert community_thread.title in inside.body_text
    assert group_thread.title not in outside.body_text
    assert community_thread.title in outside.body_text


def test_a_digest_with_only_another_groups_thread_is_not_sent(community, group):
    now = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)
    reader = community_member(community, DeliveryMode.DAILY, time_zone="UTC")
    start(group, group_member(group, DeliveryMode.NONE), kind=ThreadKind.DISCUSSION, title="Ours")
    Thread.objects.update(created_at=now - timedelta(hours=3))

    sent = list_digest.send_community_digests(community=community, mode=DeliveryMode.DAILY, now=now)

    assert sent == 0
    assert not OutboundMessage.objects.filter(to_email=reader.email).exists()


# --- Queries ---------------------------------------------------------------------------------


def test_the_group_list_holds_the_groups_visible_threads_only(community, group):
    ada = group_member(group)
    ours = start(group, ada)
    hidden = start(group, ada, title="Something to hide here")
    Thread.objects.filter(pk=hidden.pk).update(is_hidden=True)
    QuestionFactory(community=community)
    start(GroupFactory(community=community), UserFactory(is_staff=True))

    assert list(group_thread_list(user=ada, group=group)) == [ours]
    assert open_question_count(group) == 1
    assert list(group_thread_list(user=ada, group=group, kind=ThreadKind.DISCUSSION)) == []


def test_a_closed_communitys_group_threads_are_for_its_members(group):
    group.community.access = Access.CLOSED
    group.community.save()
    start(group, group_member(group))

    assert group_thread_list(user=UserFactory(), group=group).count() == 0
    assert group_thread_list(user=community_member(group.community), group=group).count() == 1


# --- Pages -----------------------------------------------------------------------------------


def threads_url(group, name="discussions:group_threads"):
    return reverse(name, kwargs={"community": group.community.slug, "group": group.slug})


def test_the_groups_thread_page_lists_its_threads_and_address(client, community, group):
    ada = group_member(group)
    start(group, ada, title="What do we read in May?")
    QuestionFactory(community=community, title="A community question")
    client.force_login(ada)

    page = client.get(threads_url(group))

    html = page.content.decode()
    assert page.status_code == 200
    assert "What do we read in May?" in html
    assert "A community question" not in html
    assert "ml.reading@lists.example.com" in html
    assert threads_url(group, "discussions:group_ask") in html
    assert reverse("events:group_calendar", kwargs={"community": "ml", "group": "reading"}) in html


def test_the_communitys_list_marks_group_threads_with_their_group(client, community, group):
    start(group, group_member(group), title="Which chapter is next week?")
    client.force_login(community_member(community))

    html = client.get(reverse("discussions:community", args=["ml"])).content.decode()

    assert "Which chapter is next week?" in html
    assert f'href="{threads_url(group)}">Reading group</a>' in html


def test_the_page_filters_with_htmx_and_shows_an_empty_state(client, group):
    client.force_login(group_member(group))

    page = client.get(threads_url(group), {"kind": "discussion"}, headers={"HX-Request": "true"})

    assert page.status_code == 200
    assert "No thread matches these filters" in page.content.decode()
    assert "<header" not in page.content.decode()


def test_outsiders_see_the_threads_but_no_start_button(client, community, group):
    client.force_login(community_member(community))

    page = client.get(threads_url(group))

    assert page.status_code == 200
    assert threads_url(group, "discussions:group_ask") not in page.content.decode()


def test_unknown_groups_are_404_and_closed_communities_403(client, community, group):
    client.force_login(UserFactory())
    assert (
        client.get(threads_url(GroupFactory.build(community=community, slug="nope"))).status_code
        == 404
    )
    community.access = Access.CLOSED
    community.save()
    assert client.get(threads_url(group)).status_code == 403


def test_a_member_starts_a_thread_from_the_groups_page(client, group):
    ada = group_member(group)
    client.force_login(ada)
    assert client.get(threads_url(group, "discussions:group_ask")).status_code == 200

    response = client.post(
        threads_url(group, "discussions:group_ask"),
        {"kind": "discussion", "title": "Session notes", "body": "We read chapter 2."},
    )

    thread = Thread.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("discussions:thread", args=[thread.pk])
    assert thread.group == group
    detail = client.get(response["Location"]).content.decode()
    assert "In a group" in detail
    assert threads_url(group) in detail


def test_bad_input_on_the_start_form_changes_nothing(client, group):
    client.force_login(group_member(group))

    response = client.post(
        threads_url(group, "discussions:group_ask"), {"kind": "question", "title": "", "body": ""}
    )

    assert response.status_code == 400
    assert not Thread.objects.exists()


def test_outsiders_and_archived_groups_get_a_reason(client, community, group):
    client.force_login(community_member(community))
    refused = client.get(threads_url(group, "discussions:group_ask"))
    assert refused.status_code == 403
    assert "join the group first" in refused.content.decode()

    ada = group_member(group)
    group.archived_at = timezone.now()
    group.save()
    client.force_login(ada)
    archived = client.post(
        threads_url(group, "discussions:group_ask"),
        {"kind": "discussion", "title": "Late notes", "body": "..."},
    )
    assert archived.status_code == 403
    assert "archived" in archived.content.decode()
    assert not Thread.objects.exists()


# --- API -------------------------------------------------------------------------------------

QUESTION = {"kind": "question", "title": "Which chapter do we read next?", "body": "7 or 8?"}


def test_the_api_starts_a_groups_thread(community, group):
    ada = group_member(group)

    response = post_json(
        token_client(ada), "/communities/ml/threads", QUESTION | {"group": "reading"}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["group"] == {"id": group.pk, "slug": "reading", "name": "Reading group"}
    assert Thread.objects.get().group == group


@pytest.mark.parametrize(
    ("group_slug", "status", "field"),
    [("nope", 422, "group"), ("bad slug!", 422, "group")],
)
def test_the_api_refuses_unknown_groups(community, group, group_slug, status, field):
    response = post_json(
        token_client(community_member(community)),
        "/communities/ml/threads",
        QUESTION | {"group": group_slug},
    )

    assert response.status_code == status
    assert field in response.json()["errors"]
    assert not Thread.objects.exists()


def test_the_api_refuses_outsiders_403_and_archived_groups_422(community, group):
    response = post_json(
        token_client(community_member(community)),
        "/communities/ml/threads",
        QUESTION | {"group": "reading"},
    )
    assert response.status_code == 403

    ada = group_member(group)
    group.archived_at = timezone.now()
    group.save()
    archived = post_json(
        token_client(ada), "/communities/ml/threads", QUESTION | {"group": "reading"}
    )
    assert archived.status_code == 422
    assert "group" in archived.json()["errors"]
    assert not Thread.objects.exists()


def test_the_api_lists_a_groups_threads(community, group):
    ada = group_member(group)
    ours = start(group, ada)
    QuestionFactory(community=community)
    client = token_client(community_member(community))

    listed = client.get(f"{API}/communities/ml/groups/reading/threads")

    assert listed.status_code == 200
    body = listed.json()
    assert body["count"] == 1
    assert [item["id"] for item in body["items"]] == [ours.pk]
    assert body["items"][0]["group"]["slug"] == "reading"
    community_list = client.get(f"{API}/communities/ml/threads").json()
    assert {item["group"] and item["group"]["slug"] for item in community_list["items"]} == {
        "reading",
        None,
    }


def test_the_group_list_api_errors(community, group):
    client = token_client(community_member(community))
    assert client.get(f"{API}/communities/ml/groups/nope/threads").status_code == 404
    assert client.get(f"{API}/communities/nope/groups/reading/threads").status_code == 404
    bad_topic = client.get(f"{API}/communities/ml/groups/reading/threads", {"topic": "nope"})
    assert bad_topic.status_code == 422
    assert "topic" in bad_topic.json()["errors"]
    community.access = Access.CLOSED
    community.save()
    assert (
        token_client(UserFactory()).get(f"{API}/communities/ml/groups/reading/threads").status_code
        == 403
    )
