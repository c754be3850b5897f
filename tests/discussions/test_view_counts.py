"""Counting a thread's page views: once per member per hour, never the author's own, one
UPDATE, and the page's cached header keeps its fragment between counted views."""

import time

import pytest
from django.core.cache import cache
from django.core.cache.backends import base as cache_base
from django.core.cache.backends import locmem
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from practica.discussions.models import Thread
from practica.discussions.services.view_counts import VIEW_WINDOW_SECONDS, record_thread_view
from practica.discussions.views.post_cards import thread_head_key
from tests.factories.discussions import QuestionFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Row ids repeat between tests on SQLite, and the cache outlives a test's rollback."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def question(db):
    return QuestionFactory()


def views_of(thread):
    return Thread.objects.values_list("view_count", flat=True).get(pk=thread.pk)


class CacheClock:
    """The clock the local-memory cache reads its expiry times from, moved by hand."""

    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now


@pytest.fixture
def cache_clock(monkeypatch):
    clock = CacheClock()
    monkeypatch.setattr(locmem, "time", clock)
    monkeypatch.setattr(cache_base, "time", clock)
    return clock


def test_a_member_counts_once_per_hour(question, member, cache_clock):
    assert record_thread_view(thread=question, viewer=member) is True
    assert question.view_count == 1  # in memory too, for the page being rendered
    assert record_thread_view(thread=question, viewer=member) is False
    cache_clock.now += VIEW_WINDOW_SECONDS - 60
    assert record_thread_view(thread=question, viewer=member) is False
    assert views_of(question) == 1
    cache_clock.now += 120
    assert record_thread_view(thread=question, viewer=member) is True
    assert views_of(question) == 2


def test_each_member_counts_and_the_author_does_not(question, member):
    record_thread_view(thread=question, viewer=member)
    record_thread_view(thread=question, viewer=UserFactory())
    assert record_thread_view(thread=question, viewer=question.author) is False
    assert record_thread_view(thread=question, viewer=None) is False
    assert views_of(question) == 2


def test_a_counted_view_is_one_update_and_a_repeat_is_none(question, member):
    with CaptureQueriesContext(connection) as counted:
        record_thread_view(thread=question, viewer=member)
    with CaptureQueriesContext(connection) as repeated:
        record_thread_view(thread=question, viewer=member)
    [update] = counted.captured_queries
    assert update["sql"].upper().startswith("UPDATE")
    assert repeated.captured_queries == []


def test_the_thread_page_counts_its_viewers(client, question, member):
    client.force_login(member)
    page = reverse("discussions:thread", args=[question.pk])
    first = client.get(page)
    client.get(page)
    client.force_login(question.author)
    client.get(page)
    assert first.status_code == 200
    assert "1 view" in first.content.decode()
    assert views_of(question) == 1


def test_the_cached_header_keeps_its_key_between_counted_views(question):
    """The header fragment is keyed by the count's power of two, not the count itself: most
    counted views reuse the fragment (a count up to an hour stale) instead of re-rendering."""
    keys = []
    for count in (5, 6, 7, 8):
        question.view_count = count
        keys.append(thread_head_key(question, [], 60))
    assert keys[0] == keys[1] == keys[2] != keys[3]
