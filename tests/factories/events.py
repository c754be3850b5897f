"""Factories for events and what hangs off them."""

from datetime import timedelta

import factory
from django.utils import timezone

from practica.events.models import (
    Event,
    EventFormat,
    EventMode,
    EventSeats,
    EventStatus,
    Registration,
    RegistrationStatus,
    SeatMode,
)
from tests.factories.communities import CommunityFactory
from tests.factories.people import UserFactory


class EventFactory(factory.django.DjangoModelFactory):
    """A published online talk a week from now; `seats` creates its seat rows (default 10)."""

    class Meta:
        model = Event
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Event {n}")
    description = "A talk about models."
    format = EventFormat.TALK
    community = factory.SubFactory(CommunityFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda event: event.starts_at + timedelta(hours=1))
    time_zone = "UTC"
    mode = EventMode.ONLINE
    online_url = "https://meet.example.com/talk"
    status = EventStatus.PUBLISHED

    @factory.post_generation
    def seats(self, create, extracted, **kwargs):
        """`seats=5` sets every mode's capacity; `seats={"in_person": 3, "online": None}` each."""
        if not create:
            return
        default = 10 if extracted is None else extracted
        for mode in self.seat_modes:
            capacity = extracted.get(mode) if isinstance(extracted, dict) else default
            EventSeats.objects.get_or_create(event=self, mode=mode, defaults={"capacity": capacity})


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A registration written directly (no seat counting): for tests that need rows, not rules."""

    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    person = factory.SubFactory(UserFactory)
    mode = SeatMode.ONLINE
    status = RegistrationStatus.REGISTERED
