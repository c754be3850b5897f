"""Reads: who sees which threads, lists and filters, the unanswered queue, a question's page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from practica.communities.models import Access, MembershipRole
from practica.discussions import queries
from practica.discussions.models import FlagReason, ThreadKind, ThreadLink, ThreadState
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.core import TopicFactory
from tests.factories.discussions import (
    DiscussionFactory,
    FlagFactory,
    PostFactory,
    QuestionFactory,
    VoteFactory,
)
from tests.factories.people import UserFactory

pytestmark = pytest.mark.unit


@pytest.fixture
def closed(db):
    return CommunityFactory(access=Access.CLOSED)


def ids(threads):
    return [thread.pk for thread in threads]


# --- visibility ----------------------------------------------------------------------------


def test_visible_threads(closed, staff):
    open_thread = QuestionFactory()
    secret = QuestionFactory(community=closed)
    hidden = QuestionFactory(community=open_thread.community, is_hidden=True)
    insider = MembershipFactory(community=closed).person
    outsider = UserFactory()
    moderator = MembershipFactory(
        community=open_thread.community, role=MembershipRole.ORGANIZER
    ).person

    assert set(ids(queries.visible_threads(outsider))) == {open_thread.pk}
    assert set(ids(queries.visible_threads(insider))) == {open_thread.pk, secret.pk}
    assert set(ids(queries.visible_threads(moderator))) == {open_thread.pk, hidden.pk}
    assert set(ids(queries.visible_threads(staff))) == {open_thread.pk, secret.pk, hidden.pk}


def test_former_members_and_anonymous_users_see_less(closed):
    from django.contrib.auth.models import AnonymousUser

    secret = QuestionFactory(community=closed)
    former = MembershipFactory(community=closed, left_at=timezone.now()).person
    assert secret.pk not in ids(queries.visible_threads(former))
    assert list(queries.visible_threads(AnonymousUser())) == []
    assert list(queries.visible_threads(None)) == []


def test_visible_threads_is_one_query_and_no_duplicates(django_assert_num_queries, closed):
    person = UserFactory()
    MembershipFactory(community=closed, person=person, role=MembershipRole.LEADER)
    QuestionFactory(community=closed)
    QuestionFactory()
    with django_assert_num_queries(1):
        rows = list(queries.visible_threads(person))
    assert len(rows) == len(set(ids(rows))) == 2


# --- lists ---------------------------------------------------------------------------------


def test_thread_list_filters_and_sorts(db):
    parent = TopicFactory(name="Machine learning")
    child = TopicFactory(name="Calibration", parent=parent)
    community = CommunityFactory()
    now = timezone.now()
    old = QuestionFactory(community=community, created_at=now - timedelta(days=3), topics=[child])
    new = QuestionFactory(community=community, created_at=now, state=ThreadState.ANSWERED)
    talk = DiscussionFactory(community=community, created_at=now - timedelta(days=1))
    QuestionFactory(community=community, merged_into=old)
    elsewhere = QuestionFactory(is_urgent=True)
    viewer = UserFactory()
    new.score = 5
    new.save()

    assert ids(queries.thread_list(user=viewer, community=community)) == [new.pk, talk.pk, old.pk]
    assert ids(queries.thread_list(user=viewer, community=community, sort="oldest")) == [
        old.pk,
        talk.pk,
        new.pk,
    ]
    assert ids(queries.thread_list(user=viewer, sort="votes"))[0] == new.pk
    assert ids(queries.thread_list(user=viewer, kind=ThreadKind.DISCUSSION)) == [talk.pk]
    assert ids(queries.thread_list(user=viewer, state=ThreadState.ANSWERED)) == [new.pk]
    assert ids(queries.thread_list(user=viewer, topic=parent)) == [old.pk]
    assert ids(queries.thread_list(user=viewer, urgent=True)) == [elsewhere.pk]
    assert set(ids(queries.thread_list(user=viewer, unanswered=True))) == {old.pk, elsewhere.pk}
    assert ids(queries.thread_list(user=viewer, author=talk.author)) == [talk.pk]


def test_the_unanswered_queue_puts_urgent_first_then_oldest(db):
    community = CommunityFactory()
    now = timezone.now()
    oldest = QuestionFactory(community=community, created_at=now - timedelta(days=2))
    newer = QuestionFactory(community=community, created_at=now - timedelta(hours=1))
    urgent_later = QuestionFactory(
        community=community, is_urgent=True, respond_by=now + timedelta(minutes=50)
    )
    urgent_sooner = QuestionFactory(
        community=community,
        is_urgent=True,
        respond_by=now + timedelta(minutes=10),
        created_at=now - timedelta(minutes=50),
    )
    QuestionFactory(community=community, state=ThreadState.ANSWERED)
    QuestionFactory(community=community, state=ThreadState.CLOSED)
    QuestionFactory(community=community, is_hidden=True)
    DiscussionFactory(community=community)
    viewer = UserFactory()
    queue = queries.unanswered_queue(user=viewer, community=community)
    assert ids(queue) == [urgent_sooner.pk, urgent_later.pk, oldest.pk, newer.pk]
    topic = TopicFactory()
    newer.topics.add(topic)
    assert ids(queries.unanswered_queue(user=viewer, topic=topic)) == [newer.pk]


def test_the_unanswered_queue_respects_closed_communities(closed):
    secret = QuestionFactory(community=closed)
    assert ids(queries.unanswered_queue(user=UserFactory())) == []
    insider = MembershipFactory(community=closed).person
    assert ids(queries.unanswered_queue(user=insider)) == [secret.pk]


# --- a question's page ---------------------------------------------------------------------


def test_thread_page_has_a_fixed_number_of_queries(db, django_assert_max_num_queries):
    thread = QuestionFactory()
    viewer = UserFactory()
    answers = [PostFactory(thread=thread, author=UserFactory()) for _ in range(30)]
    for answer in answers[:10]:
        VoteFactory(post=answer, voter=viewer, value=1)
    thread.accepted_answer = answers[5]
    thread.save()
    other = QuestionFactory(community=thread.community)
    ThreadLink.objects.create(from_thread=thread, to_thread=other, created_by=viewer)
    thread = type(thread).objects.select_related("community", "author").get(pk=thread.pk)
    with django_assert_max_num_queries(7):
        page = queries.thread_page(thread, viewer=viewer)
        for post in page.posts:
            assert post.author.display_name
            assert post.author.org_unit is None or post.author.org_unit.name
            assert post.revision_count == 0
            assert post.thread.community.name
    assert len(page.answers) == 30
    assert page.answers[0] == answers[5]
    assert page.answers[0].is_accepted
    assert sum(post.my_vote for post in page.posts) == 10
    assert page.opening.is_opening
    assert [link.to_thread for link in page.links_out] == [other]


def test_thread_page_orders_answers_accepted_then_score(db):
    thread = QuestionFactory()
    first = PostFactory(thread=thread)
    popular = PostFactory(thread=thread, score=3)
    accepted = PostFactory(thread=thread, score=-1)
    thread.accepted_answer = accepted
    page = queries.thread_page(thread, viewer=UserFactory())
    assert page.answers == [accepted, popular, first]


def test_discussions_read_in_order(db):
    thread = DiscussionFactory()
    first = PostFactory(thread=thread)
    second = PostFactory(thread=thread, score=9)
    page = queries.thread_page(thread, viewer=UserFactory())
    assert page.answers == [first, second]


def test_links_to_threads_the_viewer_cannot_see_are_left_out(closed):
    thread = QuestionFactory()
    secret = QuestionFactory(community=closed)
    ThreadLink.objects.create(from_thread=thread, to_thread=secret, created_by=thread.author)
    assert queries.thread_page(thread, viewer=UserFactory()).links_out == []
    insider = MembershipFactory(community=closed).person
    assert len(queries.thread_page(thread, viewer=insider).links_out) == 1


# --- the flag queue ------------------------------------------------------------------------


def test_flagged_posts_are_grouped_by_post_longest_waiting_first(db, django_assert_num_queries):
    thread = QuestionFactory()
    community = thread.community
    now = timezone.now()
    recent, old, settled = (PostFactory(thread=thread) for _ in range(3))
    FlagFactory(post=recent, created_at=now - timedelta(hours=1))
    FlagFactory(post=old, created_at=now - timedelta(hours=5), reason=FlagReason.OFFENSIVE)
    FlagFactory(post=old, created_at=now - timedelta(hours=2))
    FlagFactory(post=old, created_at=now - timedelta(days=2), resolved_at=now)
    FlagFactory(post=settled, created_at=now - timedelta(days=1), resolved_at=now)
    FlagFactory(post=PostFactory())  # another community's

    with django_assert_num_queries(2):  # the posts, then their open flags
        posts = list(queries.flagged_posts(community=community))

    assert posts == [old, recent]
    assert [post.open_flag_count for post in posts] == [2, 1]
    assert posts[0].first_flagged_at == now - timedelta(hours=5)
    assert [flag.reason for flag in posts[0].open_flags] == [FlagReason.OFFENSIVE, FlagReason.SPAM]
    assert queries.open_flag_count(community) == 3
    assert queries.flagged_posts(community=CommunityFactory()).count() == 0
