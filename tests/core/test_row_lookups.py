"""A row by id through a statement prepared once: the same instance the ORM would give."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practica.core.row_lookups import instance_by_pk
from practica.events.models import Event
from tests.factories.events import EventFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def test_the_instance_equals_the_orms_field_for_field_in_one_query():
    event = EventFactory()
    expected = Event.objects.get(pk=event.pk)
    instance_by_pk(Event, event.pk)  # prepares the statement
    with CaptureQueriesContext(connection) as captured:
        found = instance_by_pk(Event, event.pk)
    assert len(captured.captured_queries) == 1
    assert "ORDER BY" not in captured.captured_queries[0]["sql"]
    for field in Event._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
    assert found._state.adding is False
    assert found._state.db == "default"


def test_an_unknown_id_is_none():
    assert instance_by_pk(Event, 987654321) is None


@pytest.mark.django_db(transaction=True)
def test_a_lookup_by_fields_finds_the_one_row_and_can_lock_it():
    from django.db import transaction

    from practica.core.row_lookups import instance_where
    from practica.events.models import EventSeats

    event = EventFactory()
    seats = EventSeats.objects.filter(event=event).first()
    with transaction.atomic():
        locked = instance_where(EventSeats, for_update=True, event_id=event.pk, mode=seats.mode)
        assert (locked.pk, locked.capacity, locked.event_id) == (seats.pk, seats.capacity, event.pk)
    assert instance_where(EventSeats, event_id=event.pk, mode="no-such-mode") is None
