"""The list pages read a constant number of queries, however many rows they show (no N+1)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from practica.events.models import (
    AmaQuestion,
    EventFormat,
    EventHost,
    EventMaterial,
    RegistrationStatus,
)
from tests.factories.core import TopicFactory
from tests.factories.events import EventFactory, RegistrationFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.django_db]


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def add_upcoming(community, count, viewer):
    topic = TopicFactory()
    for _ in range(count):
        event = EventFactory(community=community)
        event.topics.add(topic)
        RegistrationFactory(event=event, person=viewer)


def add_past(community, count):
    start = timezone.now() - timedelta(days=10)
    for _ in range(count):
        event = EventFactory(
            community=community, starts_at=start, ends_at=start + timedelta(hours=1)
        )
        event.topics.add(TopicFactory())
        EventMaterial.objects.create(event=event, kind="slides", url="https://slides.example.com/x")
        EventHost.objects.create(event=event, guest_name="Ada")


def test_the_event_list_does_not_grow_with_its_rows(client, community):
    viewer = UserFactory()
    client.force_login(viewer)
    add_upcoming(community, 2, viewer)
    few = queries_for(client, reverse("events:list"))
    add_upcoming(community, 8, viewer)

    assert queries_for(client, reverse("events:list")) == few


def test_the_library_does_not_grow_with_its_rows(client, community):
    client.force_login(UserFactory())
    add_past(community, 2)
    few = queries_for(client, reverse("events:library"))
    add_past(community, 8)

    assert queries_for(client, reverse("events:library")) == few


def test_the_check_in_list_does_not_grow_with_its_rows(client, community, organizer):
    event = EventFactory(community=community, seats=100)
    client.force_login(organizer)
    for _ in range(2):
        RegistrationFactory(event=event, status=RegistrationStatus.REGISTERED)
    few = queries_for(client, reverse("events:checkin", args=[event.pk]))
    for _ in range(10):
        RegistrationFactory(event=event, status=RegistrationStatus.REGISTERED)

    assert queries_for(client, reverse("events:checkin", args=[event.pk])) == few


def test_the_ama_board_does_not_grow_with_its_questions(client, community):
    event = EventFactory(community=community, format=EventFormat.AMA)
    client.force_login(UserFactory())
    for _ in range(2):
        AmaQuestion.objects.create(event=event, author=UserFactory(), text="Why?")
    few = queries_for(client, reverse("events:ama_board", args=[event.pk]))
    for _ in range(10):
        AmaQuestion.objects.create(event=event, author=UserFactory(), text="How?")

    assert queries_for(client, reverse("events:ama_board", args=[event.pk])) == few
