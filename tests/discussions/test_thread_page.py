"""The question page's fast path: its reused statements, its rows in place of model instances,
and the fragments it shares between viewers (post cards, `{% sharedcache %}`), which must stay
right for every viewer: their votes and rights, their CSRF token, their language."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from practica.communities.models import MembershipRole
from practica.discussions import queries
from practica.discussions.models import Post, Subscription, ThreadLink, Vote
from practica.discussions.queries import ReusedStatement
from tests.factories.communities import MembershipFactory
from tests.factories.discussions import PostFactory, QuestionFactory, VoteFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db

TOKEN_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Row ids repeat between tests on SQLite, and the cache outlives a test's rollback. A page
    seen as a member activates their language and time zone, which outlive the request."""
    cache.clear()
    yield
    cache.clear()
    translation.deactivate()
    timezone.deactivate()


def page_url(thread):
    return reverse("discussions:thread", args=[thread.pk])


def question_with_answers(count):
    thread = QuestionFactory()
    answers = [PostFactory(thread=thread, author=UserFactory()) for _ in range(count)]
    if answers:
        thread.accepted_answer = answers[-1]
        thread.save()
    return thread, answers


# --- ReusedStatement -----------------------------------------------------------------------


def _votes_of(voter, thread):
    return Vote.objects.filter(voter_id=voter, post__thread_id=thread).values_list(
        "post_id", "value", "created_at"
    )


def test_a_reused_statement_gives_the_orms_rows():
    thread, answers = question_with_answers(3)
    voter = UserFactory()
    for answer in answers:
        VoteFactory(post=answer, voter=voter, value=-1)
    statement = ReusedStatement(Vote, _votes_of, 2)
    expected = sorted(_votes_of(voter.pk, thread.pk))
    assert sorted(statement.converted_rows(voter.pk, thread.pk)) == expected
    assert statement._statement(connection.alias) is not None  # it did reuse the SQL
    other = UserFactory()
    assert statement.converted_rows(other.pk, thread.pk) == []


def test_a_statement_that_reads_the_clock_is_left_to_the_orm():
    thread, _ = question_with_answers(2)
    recent = ReusedStatement(
        Post,
        lambda thread: Post.objects.filter(
            thread_id=thread, created_at__lte=timezone.now()
        ).values_list("pk"),
        1,
    )
    assert len(recent.rows(thread.pk)) == 3
    assert recent._statement(connection.alias) is None
    PostFactory(thread=thread)  # created after the first build: frozen, it would be missed
    assert len(recent.rows(thread.pk)) == 4


def test_values_that_are_not_integers_are_left_to_the_orm():
    thread, _ = question_with_answers(1)
    Post.objects.filter(thread=thread, is_opening=False).update(reply_to=None)
    replies_to = ReusedStatement(
        Post, lambda post: Post.objects.filter(reply_to_id=post).values_list("pk"), 1
    )
    assert replies_to.rows(None) == [(pk,) for pk in Post.objects.values_list("pk", flat=True)]


def test_columns_the_orm_would_reorder_are_left_to_it():
    thread, _ = question_with_answers(1)
    reordered = ReusedStatement(
        Post,
        lambda thread: (
            Post.objects.filter(thread_id=thread).order_by("pk").values_list(F("score") + 1, "pk")
        ),
        1,
    )
    expected = list(
        Post.objects.filter(thread=thread).order_by("pk").values_list(F("score") + 1, "pk")
    )
    assert reordered.rows(thread.pk) == expected
    assert reordered._statement(connection.alias) is None


# --- the page's rows -----------------------------------------------------------------------


def test_the_page_rows_match_thread_page_for_every_viewer():
    thread, answers = question_with_answers(6)
    moderator = MembershipFactory(community=thread.community, role=MembershipRole.ORGANIZER)
    hidden = answers[2]
    hidden.is_hidden = True
    hidden.save()
    answers[1].score = 5
    answers[1].save()
    reader = UserFactory()
    VoteFactory(post=answers[3], voter=reader, value=-1)
    for viewer in (reader, hidden.author, moderator.person, thread.author):
        full = queries.thread_page(thread, viewer=viewer)
        rows = queries.thread_page_rows(thread, viewer=viewer)
        assert [post.pk for post in rows.answers] == [post.pk for post in full.answers]
        assert [post.my_vote for post in rows.posts] == [post.my_vote for post in full.posts]
        assert [post.origin for post in rows.posts] == [post.origin for post in full.posts]
        assert [post.is_accepted for post in rows.posts] == [p.is_accepted for p in full.posts]
        assert [(t.slug, t.name) for t in rows.topics] == [(t.slug, t.name) for t in full.topics]
        assert rows.opening.pk == full.opening.pk
        assert all(
            row.created_at == post.created_at
            for row, post in zip(rows.posts, full.posts, strict=True)
        )
    assert hidden.pk not in [
        post.pk for post in queries.thread_page_rows(thread, viewer=reader).posts
    ]


def test_the_page_takes_the_same_few_queries_for_few_or_many_answers(client):
    counts = []
    for number in (1, 12):
        thread, answers = question_with_answers(number)
        viewer = UserFactory()
        VoteFactory(post=answers[0], voter=viewer, value=1)
        client.force_login(viewer)
        client.get(page_url(thread))  # counts the view, fills the caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page_url(thread))
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 5  # session, member, thread with facts and unread count, posts, topics


def test_the_header_badge_counts_the_viewers_unread_notifications(client):
    from practica.discussions.models import Notification, NotificationKind

    thread, answers = question_with_answers(2)
    viewer = UserFactory()
    for answer in answers:
        Notification.objects.create(
            recipient=viewer, kind=NotificationKind.REPLY, thread=thread, post=answer
        )
    Notification.objects.create(
        recipient=viewer,
        kind=NotificationKind.MENTION,
        thread=thread,
        post=answers[0],
        read_at=timezone.now(),
    )
    client.force_login(viewer)

    page = client.get(page_url(thread)).content.decode()

    assert "Notifications: 2 unread" in page


def test_the_page_shows_each_viewer_their_own_votes_and_rights(client):
    thread, answers = question_with_answers(2)
    up, down = UserFactory(), UserFactory()
    VoteFactory(post=answers[0], voter=up, value=1)
    VoteFactory(post=answers[0], voter=down, value=-1)
    pages = {}
    for viewer in (up, down, answers[0].author):
        client.force_login(viewer)
        pages[viewer] = client.get(page_url(thread)).content.decode()
    card = re.compile(rf'id="vote-{answers[0].pk}".*?</form>', re.DOTALL)
    assert 'vote-up is-active"' in card.search(pages[up]).group(0)
    assert 'vote-down is-active"' in card.search(pages[down]).group(0)
    assert "You cannot vote on your own post" in card.search(pages[answers[0].author]).group(0)


# --- fragments shared between viewers ------------------------------------------------------


def test_every_form_carries_the_viewers_own_csrf_token():
    thread, _ = question_with_answers(2)
    other = QuestionFactory(community=thread.community)
    ThreadLink.objects.create(from_thread=thread, to_thread=other, created_by=thread.author)
    for viewer in (UserFactory(), UserFactory(), thread.author):
        client = Client(enforce_csrf_checks=True)
        client.force_login(viewer)
        html = client.get(page_url(thread)).content.decode()
        secret = client.cookies["csrftoken"].value
        tokens = TOKEN_INPUT.findall(html)
        assert len(tokens) > 5  # language, sign-out, watch, answer, link, each card's forms
        assert {_unmask_cipher_token(token) for token in tokens} == {secret}
        response = client.post(
            reverse("discussions:watch", args=[thread.pk]),
            {"level": "watching", "csrfmiddlewaretoken": tokens[-1]},
        )
        assert response.status_code in {200, 302}
        assert Subscription.objects.filter(person=viewer, thread=thread).exists()


def test_text_in_a_post_never_receives_the_readers_token(client):
    thread = QuestionFactory()
    bait = "csrf-token-of-the-viewer csrf-slot-0123456789abcdef0123456789abcdef"
    PostFactory(
        thread=thread, body=bait, body_html=f'<p><a href="https://x.example/{bait}">x</a></p>'
    )
    client.force_login(UserFactory())
    html = client.get(page_url(thread)).content.decode()
    assert f'href="https://x.example/{bait}"' in html


def test_shared_fragments_follow_the_viewers_language(client):
    thread, _ = question_with_answers(1)
    english = UserFactory()
    chinese = UserFactory(preferred_language="zh-hans")
    client.force_login(english)
    first = client.get(page_url(thread)).content.decode()
    client.force_login(chinese)
    second = client.get(page_url(thread)).content.decode()
    assert "Skip to main content" in first
    assert "Skip to main content" not in second
    assert '<html lang="zh-hans">' in second
