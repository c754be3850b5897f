"""Registration rules: seats per mode, idempotency, the waiting list, offers, capacity."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from practica.communities.models import MembershipRole
from practica.core.models import Activity, ActivityKind
from practica.events.models import (
    EventMode,
    EventSeats,
    EventStatus,
    Registration,
    RegistrationStatus,
    SeatMode,
)
from practica.events.services.registration import (
    NOTICE_GRACE,
    RegistrationRefused,
    cancel_registration,
    change_capacity,
    confirm_offered_seat,
    decline_offered_seat,
    expire_offers,
    register_for_event,
    send_pending_registration_notices,
    send_registration_notice,
)
from practica.mail.models import OutboundMessage
from tests.events.outbox import outbox_backend, register_and_mail  # noqa: F401 — the fixture
from tests.factories.communities import MembershipFactory
from tests.factories.events import EventFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db, pytest.mark.usefixtures("outbox_backend")]


def seats_of(event, mode=SeatMode.ONLINE):
    return EventSeats.objects.get(event=event, mode=mode)


def assert_counters_match_rows(event):
    """The seat counters always equal what the registration rows say."""
    for seats in EventSeats.objects.filter(event=event):
        rows = Registration.objects.filter(event=event, mode=seats.mode)
        holding = rows.filter(
            status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.OFFERED]
        ).count()
        waiting = rows.filter(status=RegistrationStatus.WAITLISTED).count()
        assert (seats.taken, seats.waitlisted) == (holding, waiting)
        assert seats.capacity is None or seats.taken <= seats.capacity


def test_registering_takes_a_seat_records_activity_and_mails_an_invitation():
    event = EventFactory(seats=2)
    person = UserFactory()

    registration = register_and_mail(event=event, person=person)

    assert registration.status == RegistrationStatus.REGISTERED
    assert registration.was_created
    assert seats_of(event).taken == 1
    activity = Activity.objects.get(person=person, kind=ActivityKind.REGISTERED)
    assert activity.community_id == event.community_id
    mail = OutboundMessage.objects.get(to_email=person.email)
    assert any(a["filename"].endswith(".ics") for a in mail.attachments)
    assert_counters_match_rows(event)


def test_registering_twice_returns_the_same_registration_and_changes_nothing():
    event = EventFactory(seats=2)
    person = UserFactory()
    first = register_and_mail(event=event, person=person)

    again = register_and_mail(event=event, person=person)

    assert again.pk == first.pk
    assert not again.was_created
    assert seats_of(event).taken == 1
    assert Registration.objects.filter(event=event).count() == 1
    assert OutboundMessage.objects.filter(to_email=person.email).count() == 1
    assert Activity.objects.filter(kind=ActivityKind.REGISTERED).count() == 1


def test_a_full_mode_puts_people_on_the_waiting_list_in_order():
    event = EventFactory(seats=1)
    first, second, third = UserFactory(), UserFactory(), UserFactory()
    register_and_mail(event=event, person=first)

    waiting_a = register_and_mail(event=event, person=second)
    waiting_b = register_and_mail(event=event, person=third)

    assert waiting_a.status == waiting_b.status == RegistrationStatus.WAITLISTED
    assert waiting_a.waitlist_position < waiting_b.waitlist_position
    assert not Activity.objects.filter(person=second, kind=ActivityKind.REGISTERED).exists()
    assert "waiting list" in OutboundMessage.objects.get(to_email=second.email).body_text.lower()
    assert_counters_match_rows(event)


def test_a_full_waiting_list_refuses_with_a_clear_message():
    event = EventFactory(seats=1)
    EventSeats.objects.filter(event=event).update(waitlist_limit=1)
    register_and_mail(event=event, person=UserFactory())
    register_and_mail(event=event, person=UserFactory())

    with pytest.raises(RegistrationRefused) as refused:
        register_and_mail(event=event, person=UserFactory())

    assert refused.value.code == "full"
    assert "full" in refused.value.messages[0]
    assert Registration.objects.filter(event=event).count() == 2


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"status": EventStatus.DRAFT}, "draft"),
        ({"status": EventStatus.CANCELLED}, "cancelled"),
        ({"registration_opens_at": timezone.now() + timedelta(hours=1)}, "not_open"),
        ({"registration_closes_at": timezone.now() - timedelta(minutes=1)}, "closed"),
    ],
)
def test_registration_outside_its_window_or_state_is_refused(changes, code):
    event = EventFactory(seats=5, **changes)

    with pytest.raises(RegistrationRefused) as refused:
        register_and_mail(event=event, person=UserFactory())

    assert refused.value.code == code
    assert not Registration.objects.exists()
    assert seats_of(event).taken == 0


def test_an_event_that_is_over_takes_no_registrations():
    start = timezone.now() - timedelta(hours=3)
    event = EventFactory(seats=5, starts_at=start, ends_at=start + timedelta(hours=1))

    with pytest.raises(RegistrationRefused) as refused:
        register_and_mail(event=event, person=UserFactory())

    assert refused.value.code == "ended"


def test_a_mode_the_event_does_not_have_is_refused():
    event = EventFactory(seats=5)  # online only

    with pytest.raises(RegistrationRefused) as refused:
        register_and_mail(event=event, person=UserFactory(), mode=SeatMode.IN_PERSON)
    with pytest.raises(RegistrationRefused):
        register_and_mail(event=event, person=UserFactory(), mode="telepathy")

    assert refused.value.code == "mode"
    assert not Registration.objects.exists()


def test_hybrid_events_count_each_mode_separately():
    event = EventFactory(
        mode=EventMode.HYBRID, venue_city="Zurich", seats={"in_person": 1, "online": None}
    )
    register_and_mail(event=event, person=UserFactory(), mode=SeatMode.IN_PERSON)

    waiting = register_and_mail(event=event, person=UserFactory(), mode=SeatMode.IN_PERSON)
    online = register_and_mail(event=event, person=UserFactory(), mode=SeatMode.ONLINE)

    assert waiting.status == RegistrationStatus.WAITLISTED
    assert online.status == RegistrationStatus.REGISTERED
    assert seats_of(event, SeatMode.ONLINE).taken == 1
    assert_counters_match_rows(event)


def test_an_inactive_member_cannot_register():
    with pytest.raises(RegistrationRefused) as refused:
        register_and_mail(event=EventFactory(), person=UserFactory(is_active=False))
    assert refused.value.code == "inactive"


def test_only_organizers_register_someone_else():
    event = EventFactory()
    stranger, person = UserFactory(), UserFactory()

    with pytest.raises(PermissionDenied):
        register_and_mail(event=event, person=person, actor=stranger)

    organizer = MembershipFactory(community=event.community, role=MembershipRole.ORGANIZER).person
    registration = register_and_mail(event=event, person=person, actor=organizer)
    assert registration.person == person


def test_cancelling_frees_the_seat_and_offers_it_to_the_first_waiting():
    event = EventFactory(seats=1, offer_minutes=120)
    holder, first, second = UserFactory(), UserFactory(), UserFactory()
    seat = register_and_mail(event=event, person=holder)
    register_and_mail(event=event, person=first)
    register_and_mail(event=event, person=second)

    cancel_registration(registration=seat, actor=holder)

    offered = Registration.objects.get(event=event, person=first)
    assert offered.status == RegistrationStatus.OFFERED
    assert offered.offer_expires_at == offered.offered_at + timedelta(minutes=120)
    assert Registration.objects.get(person=second).status == RegistrationStatus.WAITLISTED
    assert Registration.objects.get(person=holder).status == RegistrationStatus.CANCELLED
    assert OutboundMessage.objects.filter(to_email=first.email).count() == 2
    assert_counters_match_rows(event)


def test_an_offer_never_outlasts_the_start_and_a_last_minute_seat_is_given_outright():
    start = timezone.now() + timedelta(minutes=30)
    event = EventFactory(seats=1, starts_at=start, ends_at=start + timedelta(hours=1))
    holder, waiting = UserFactory(), UserFactory()
    seat = register_and_mail(event=event, person=holder)
    register_and_mail(event=event, person=waiting)

    cancel_registration(registration=seat, actor=holder)

    offered = Registration.objects.get(person=waiting)
    assert offered.status == RegistrationStatus.OFFERED
    assert offered.offer_expires_at == start

    soon = timezone.now() + timedelta(minutes=2)
    rushed = EventFactory(seats=1, starts_at=soon, ends_at=soon + timedelta(hours=1))
    seat = register_and_mail(event=rushed, person=holder)
    register_and_mail(event=rushed, person=waiting)
    cancel_registration(registration=seat, actor=holder)
    assert Registration.objects.get(event=rushed, person=waiting).status == (
        RegistrationStatus.REGISTERED
    )
    assert_counters_match_rows(rushed)


def test_confirming_an_offer_registers_and_records_activity():
    event = EventFactory(seats=1)
    holder, waiting = UserFactory(), UserFactory()
    seat = register_and_mail(event=event, person=holder)
    place = register_and_mail(event=event, person=waiting)
    cancel_registration(registration=seat, actor=holder)
    place.refresh_from_db()

    confirmed = confirm_offered_seat(registration=place, actor=waiting)

    assert confirmed.status == RegistrationStatus.REGISTERED
    assert Activity.objects.filter(person=waiting, kind=ActivityKind.REGISTERED).count() == 1
    assert confirm_offered_seat(registration=confirmed, actor=waiting).pk == confirmed.pk
    assert_counters_match_rows(event)


def test_nobody_else_confirms_or_cancels_a_registration():
    event = EventFactory(seats=1)
    holder, other = UserFactory(), UserFactory()
    seat = register_and_mail(event=event, person=holder)

    with pytest.raises(PermissionDenied):
        cancel_registration(registration=seat, actor=other)
    with pytest.raises(PermissionDenied):
        confirm_offered_seat(registration=seat, actor=other)

    seat.refresh_from_db()
    assert seat.status == RegistrationStatus.REGISTERED


def test_confirming_without_an_offer_is_refused():
    event = EventFactory(seats=1)
    register_and_mail(event=event, person=UserFactory())
    waiting = register_and_mail(event=event, person=(person := UserFactory()))

    with pytest.raises(RegistrationRefused) as refused:
        confirm_offered_seat(registration=waiting, actor=person)

    assert refused.value.code == "state"


def test_declining_an_offer_passes_the_seat_on():
    event = EventFactory(seats=1)
    holder, first, second = UserFactory(), UserFactory(), UserFactory()
    seat = register_and_mail(event=event, person=holder)
    place = register_and_mail(event=event, person=first)
    register_and_mail(event=event, person=second)
    cancel_registration(registration=seat, actor=holder)
    place.refresh_from_db()

    decline_offered_seat(registration=place, actor=first)

    assert Registration.objects.get(person=first).status == RegistrationStatus.CANCELLED
    assert Registration.objects.get(person=second).status == RegistrationStatus.OFFERED
    assert_counters_match_rows(event)


def test_expired_offers_go_to_the_next_person_waiting():
    event = EventFactory(seats=1, offer_minutes=60)
    holder, first, second = UserFactory(), UserFactory(), UserFactory()
    seat = register_and_mail(event=event, person=holder)
    place = register_and_mail(event=event, person=first)
    register_and_mail(event=event, person=second)
    cancel_registration(registration=seat, actor=holder)

    assert expire_offers(now=timezone.now()) == 0
    assert expire_offers(now=timezone.now() + timedelta(minutes=61)) == 1

    place.refresh_from_db()
    assert place.status == RegistrationStatus.EXPIRED
    assert Registration.objects.get(person=second).status == RegistrationStatus.OFFERED
    with pytest.raises(RegistrationRefused):
        confirm_offered_seat(registration=place, actor=first)
    assert_counters_match_rows(event)


def test_a_late_confirmation_is_refused_even_before_the_beat_expires_it(monkeypatch):
    event = EventFactory(seats=1, offer_minutes=60)
    holder, waiting = UserFactory(), UserFactory()
    seat = register_and_mail(event=event, person=holder)
    place = register_and_mail(event=event, person=waiting)
    cancel_registration(registration=seat, actor=holder)
    Registration.objects.filter(pk=place.pk).update(
        offer_expires_at=timezone.now() - timedelta(seconds=1)
    )
    place.refresh_from_db()

    with pytest.raises(RegistrationRefused) as refused:
        confirm_offered_seat(registration=place, actor=waiting)

    assert refused.value.code == "expired"


def test_registering_again_after_cancelling_reuses_the_row():
    event = EventFactory(seats=1)
    person = UserFactory()
    seat = register_and_mail(event=event, person=person)
    cancel_registration(registration=seat, actor=person)

    again = register_and_mail(event=event, person=person)

    assert again.pk == seat.pk
    assert again.status == RegistrationStatus.REGISTERED
    assert again.was_created
    assert_counters_match_rows(event)


def test_cancelling_is_idempotent_and_refused_after_the_event():
    event = EventFactory(seats=1)
    person = UserFactory()
    seat = register_and_mail(event=event, person=person)
    cancel_registration(registration=seat, actor=person)
    assert cancel_registration(registration=seat, actor=person).status == "cancelled"
    assert seats_of(event).taken == 0

    again = register_and_mail(event=event, person=person)
    event.starts_at = timezone.now() - timedelta(hours=2)
    event.ends_at = timezone.now() - timedelta(hours=1)
    event.save()
    again.event = event
    with pytest.raises(RegistrationRefused):
        cancel_registration(registration=again, actor=person)


def test_capacity_cannot_drop_below_seats_taken_and_raising_it_offers_seats():
    event = EventFactory(seats=1)
    organizer = MembershipFactory(community=event.community, role=MembershipRole.ORGANIZER).person
    register_and_mail(event=event, person=UserFactory())
    waiting = [register_and_mail(event=event, person=UserFactory()) for _ in range(3)]

    with pytest.raises(ValidationError) as error:
        change_capacity(event=event, actor=organizer, mode=SeatMode.ONLINE, capacity=0)
    assert "capacity" in error.value.message_dict

    change_capacity(event=event, actor=organizer, mode=SeatMode.ONLINE, capacity=3)

    statuses = [Registration.objects.get(pk=r.pk).status for r in waiting]
    assert statuses == ["offered", "offered", "waitlisted"]
    assert_counters_match_rows(event)


def test_waitlist_limit_cannot_drop_below_the_people_waiting():
    event = EventFactory(seats=0)
    organizer = MembershipFactory(community=event.community, role=MembershipRole.MANAGER).person
    register_and_mail(event=event, person=UserFactory())
    register_and_mail(event=event, person=UserFactory())

    with pytest.raises(ValidationError):
        change_capacity(
            event=event, actor=organizer, mode=SeatMode.ONLINE, capacity=0, waitlist_limit=1
        )
    assert seats_of(event).waitlist_limit is None


def test_only_organizers_change_capacity():
    event = EventFactory(seats=1)
    with pytest.raises(PermissionDenied):
        change_capacity(event=event, actor=UserFactory(), mode=SeatMode.ONLINE, capacity=100)
    assert seats_of(event).capacity == 1


def test_unlimited_seats_never_fill():
    event = EventFactory(seats=None)
    EventSeats.objects.filter(event=event).update(capacity=None)
    for _ in range(5):
        assert register_and_mail(event=event, person=UserFactory()).status == "registered"
    assert seats_of(event).taken == 5


def test_the_claim_leaves_its_mail_to_a_worker_after_commit(django_capture_on_commit_callbacks):
    event = EventFactory(seats=1)
    person = UserFactory()

    with django_capture_on_commit_callbacks() as callbacks:
        registration = register_for_event(event=event, person=person)

    assert registration.notice_pending
    assert not OutboundMessage.objects.exists()
    assert len(callbacks) == 1

    callbacks[0]()  # the commit asks a worker to send it (Celery runs eagerly in tests)

    registration.refresh_from_db()
    assert not registration.notice_pending
    assert OutboundMessage.objects.filter(to_email=person.email).count() == 1
    assert not send_registration_notice(registration_id=registration.pk)
    assert OutboundMessage.objects.count() == 1


def test_a_notice_whose_task_was_lost_is_sent_by_the_beat_once():
    event = EventFactory(seats=1)
    seated, waiting = UserFactory(), UserFactory()
    register_for_event(event=event, person=seated)  # no commit: the tasks never run
    register_for_event(event=event, person=waiting)

    # The beat leaves fresh claims to the task that is on its way.
    assert send_pending_registration_notices(older_than=NOTICE_GRACE) == 0
    Registration.objects.update(registered_at=timezone.now() - timedelta(minutes=5))

    assert send_pending_registration_notices(older_than=NOTICE_GRACE) == 2
    assert send_pending_registration_notices() == 0
    subjects = dict(OutboundMessage.objects.values_list("to_email", "subject"))
    assert "registered" in subjects[seated.email].lower()
    assert "waiting list" in subjects[waiting.email].lower()


def test_a_registration_cancelled_before_its_notice_gets_no_confirmation():
    event = EventFactory(seats=1)
    person = UserFactory()
    registration = register_for_event(event=event, person=person)
    cancel_registration(registration=registration, actor=person)

    assert not send_registration_notice(registration_id=registration.pk)

    assert not OutboundMessage.objects.filter(subject__icontains="registered").exists()
    registration.refresh_from_db()
    assert not registration.notice_pending


def test_a_burst_of_claims_schedules_one_task(django_capture_on_commit_callbacks, monkeypatch):
    from practica.events import tasks

    scheduled = []
    monkeypatch.setattr(
        tasks.send_registration_notices_task, "apply_async", lambda **kw: scheduled.append(kw)
    )
    event = EventFactory(seats=3)

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            register_for_event(event=event, person=UserFactory())

    assert len(scheduled) == 1
    assert send_pending_registration_notices() == 5  # the task sends every pending one
    assert OutboundMessage.objects.count() == 5


def test_a_full_mode_refuses_without_the_lock_but_never_a_person_who_has_a_place(
    django_assert_num_queries,
):
    from practica.events.services import registration as service

    event = EventFactory(seats=1)
    EventSeats.objects.filter(event=event).update(waitlist_limit=0)
    holder, latecomer = UserFactory(), UserFactory()
    register_for_event(event=event, person=holder)

    # No lock, no transaction: one unlocked statement.
    with django_assert_num_queries(1), pytest.raises(RegistrationRefused):
        register_for_event(event=event, person=latecomer)
    # The statement reads the seats and the person's place in one snapshot: seats full
    # because the holder's own twin request took the last one come with that place.
    seats, place = service._seats_and_place(event, person=holder, mode=SeatMode.ONLINE)
    assert seats.taken == seats.capacity
    assert place.status == RegistrationStatus.REGISTERED
    assert register_for_event(event=event, person=holder).pk == place.pk
