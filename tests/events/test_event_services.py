"""Scheduling events: validation, permissions, sequence, seat rows, cancellation and hosts."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from practica.communities.models import MembershipRole
from practica.core.models import AuditLogEntry
from practica.events.models import (
    CadenceTarget,
    Event,
    EventHost,
    EventMode,
    EventSeats,
    EventStatus,
    RegistrationStatus,
    SeatMode,
)
from practica.events.services.events import (
    HostSpec,
    cancel_event,
    create_event,
    publish_event,
    set_cadence_target,
    set_event_hosts,
    update_event,
)
from practica.events.services.registration import RegistrationRefused
from practica.mail.models import OutboundMessage
from tests.events.outbox import (
    outbox_backend,  # noqa: F401 — the fixture
    register_and_mail,
)
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.events import EventFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db, pytest.mark.usefixtures("outbox_backend")]

START = datetime(2030, 3, 5, 16, 0, tzinfo=UTC)


def organizer_of(community, role=MembershipRole.ORGANIZER):
    return MembershipFactory(community=community, role=role).person


def new_event(community, actor, **overrides):
    values = {
        "title": "Diffusion models, explained",
        "starts_at": START,
        "ends_at": START + timedelta(hours=1),
        "time_zone": "Europe/Berlin",
    }
    values.update(overrides)
    return create_event(community=community, actor=actor, **values)


def test_an_organizer_schedules_a_draft_with_seats_per_mode():
    community = CommunityFactory()
    organizer = organizer_of(community)

    event = new_event(
        community,
        organizer,
        mode=EventMode.HYBRID,
        venue_city="Zurich",
        capacities={"in_person": 40, "online": None},
        waitlist_limits={"in_person": 10},
    )

    assert event.status == EventStatus.DRAFT
    seats = {row.mode: row for row in EventSeats.objects.filter(event=event)}
    assert seats[SeatMode.IN_PERSON].capacity == 40
    assert seats[SeatMode.IN_PERSON].waitlist_limit == 10
    assert seats[SeatMode.ONLINE].capacity is None
    assert AuditLogEntry.objects.filter(action="events.event_created").exists()


def test_members_who_do_not_organize_cannot_schedule():
    community = CommunityFactory()
    member = MembershipFactory(community=community).person

    with pytest.raises(PermissionDenied):
        new_event(community, member)
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "   "}, "title"),
        ({"ends_at": START - timedelta(minutes=1)}, "ends_at"),
        ({"ends_at": START}, "ends_at"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"time_zone": "../../etc/passwd"}, "time_zone"),
        ({"format": "rave"}, "format"),
        ({"mode": "hologram"}, "mode"),
        ({"mode": EventMode.IN_PERSON}, "venue_city"),
        ({"starts_at": datetime(2030, 3, 5, 16, 0)}, "starts_at"),
        (
            {"registration_opens_at": START, "registration_closes_at": START - timedelta(days=1)},
            "registration_closes_at",
        ),
        ({"capacities": {"online": -1}}, "capacities"),
        ({"offer_minutes": 1}, "offer_minutes"),
    ],
)
def test_bad_input_is_refused_with_a_message_on_the_field(overrides, field):
    community = CommunityFactory()

    with pytest.raises(ValidationError) as error:
        new_event(community, organizer_of(community), **overrides)

    assert field in error.value.message_dict
    assert not Event.objects.exists()


def test_moving_an_event_raises_its_sequence_and_tells_registrants():
    event = EventFactory(seats=5)
    organizer = organizer_of(event.community)
    person = UserFactory()
    register_and_mail(event=event, person=person)
    before = OutboundMessage.objects.filter(to_email=person.email).count()

    update_event(
        event=event,
        actor=organizer,
        starts_at=event.starts_at + timedelta(days=1),
        ends_at=event.ends_at + timedelta(days=1),
    )

    event.refresh_from_db()
    assert event.sequence == 1
    assert OutboundMessage.objects.filter(to_email=person.email).count() == before + 1


def test_editing_only_the_title_keeps_the_sequence_and_mails_nobody():
    event = EventFactory(seats=5)
    register_and_mail(event=event, person=UserFactory())
    before = OutboundMessage.objects.count()

    update_event(event=event, actor=organizer_of(event.community), title="A better title")

    event.refresh_from_db()
    assert (event.title, event.sequence) == ("A better title", 0)
    assert OutboundMessage.objects.count() == before


def test_capacity_below_registrations_is_refused_on_edit():
    event = EventFactory(seats=5)
    for _ in range(3):
        register_and_mail(event=event, person=UserFactory())

    with pytest.raises(ValidationError):
        update_event(event=event, actor=organizer_of(event.community), capacities={"online": 2})

    assert EventSeats.objects.get(event=event).capacity == 5


def test_switching_to_hybrid_adds_in_person_seats_but_a_mode_in_use_stays():
    event = EventFactory(seats=5)
    organizer = organizer_of(event.community)
    register_and_mail(event=event, person=UserFactory())

    update_event(
        event=event,
        actor=organizer,
        mode=EventMode.HYBRID,
        venue_city="Paris",
        capacities={"in_person": 20},
    )
    assert set(EventSeats.objects.filter(event=event).values_list("mode", flat=True)) == {
        "in_person",
        "online",
    }

    with pytest.raises(ValidationError):
        update_event(event=event, actor=organizer, mode=EventMode.IN_PERSON)


def test_unknown_or_forbidden_fields_are_refused():
    event = EventFactory()
    organizer = organizer_of(event.community)

    with pytest.raises(ValidationError):
        update_event(event=event, actor=organizer, status=EventStatus.CANCELLED)
    with pytest.raises(PermissionDenied):
        update_event(event=event, actor=UserFactory(), title="Hijacked")


def test_publishing_a_draft_and_cancelling_with_mail_to_everyone_registered_or_waiting():
    community = CommunityFactory()
    organizer = organizer_of(community)
    event = new_event(
        community,
        organizer,
        capacities={"online": 1},
        starts_at=timezone.now() + timedelta(days=2),
        ends_at=timezone.now() + timedelta(days=2, hours=1),
    )
    with pytest.raises(RegistrationRefused):
        register_and_mail(event=event, person=UserFactory())

    event = publish_event(event=event, actor=organizer)
    seated, waiting = UserFactory(), UserFactory()
    register_and_mail(event=event, person=seated)
    assert register_and_mail(event=event, person=waiting).status == RegistrationStatus.WAITLISTED

    cancel_event(event=event, actor=organizer, reason="The speaker is ill.")
    cancel_event(event=event, actor=organizer, reason="twice")

    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED
    assert event.sequence == 1
    assert event.cancellation_reason == "The speaker is ill."
    for person in (seated, waiting):
        assert OutboundMessage.objects.filter(to_email=person.email).count() == 2
    with pytest.raises(ValidationError):
        update_event(event=event, actor=organizer, title="Back from the dead")
    with pytest.raises(ValidationError):
        publish_event(event=event, actor=organizer)


def test_only_organizers_cancel():
    event = EventFactory()
    with pytest.raises(PermissionDenied):
        cancel_event(event=event, actor=UserFactory())
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED


def test_hosts_are_members_or_named_guests_and_may_manage_the_event():
    event = EventFactory()
    organizer = organizer_of(event.community)
    speaker = UserFactory()

    set_event_hosts(
        event=event,
        actor=organizer,
        hosts=[HostSpec(person=speaker, role="host"), HostSpec(guest_name="Ada Lovelace")],
    )

    assert list(EventHost.objects.filter(event=event).values_list("guest_name", flat=True)) == [
        "",
        "Ada Lovelace",
    ]
    with pytest.raises(ValidationError):
        set_event_hosts(event=event, actor=organizer, hosts=[HostSpec()])
    assert EventHost.objects.filter(event=event).count() == 2
    # A host may now edit the event.
    update_event(event=event, actor=speaker, title="Edited by the host")


def test_cadence_target_is_set_by_managers_within_sensible_bounds():
    community = CommunityFactory()
    manager = organizer_of(community, MembershipRole.MANAGER)

    target = set_cadence_target(community=community, actor=manager, minimum=50, maximum=60)
    assert (target.events_per_year_min, target.events_per_year_max) == (50, 60)
    with pytest.raises(ValidationError):
        set_cadence_target(community=community, actor=manager, minimum=60, maximum=50)
    with pytest.raises(PermissionDenied):
        set_cadence_target(community=community, actor=organizer_of(community), minimum=1, maximum=2)
    assert CadenceTarget.objects.get(community=community).events_per_year_max == 60


def test_hosts_change_with_other_fields_in_one_step_and_bad_hosts_change_nothing():
    event = EventFactory()
    organizer = organizer_of(event.community)

    update_event(
        event=event, actor=organizer, title="Renamed", hosts=[HostSpec(guest_name="Grace")]
    )
    assert list(EventHost.objects.filter(event=event).values_list("guest_name", flat=True)) == [
        "Grace"
    ]

    with pytest.raises(ValidationError):
        update_event(event=event, actor=organizer, title="Again", hosts=[HostSpec()])
    event.refresh_from_db()
    assert event.title == "Renamed"
    assert EventHost.objects.filter(event=event).count() == 1
