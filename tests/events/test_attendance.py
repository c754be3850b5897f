"""Checking people in: by an organizer, by themselves with the event's code, walk-ins, an online
meeting's attendee list, and closing the attendance (hosts and speakers) — with the seat counts
kept right, ATTENDED recorded once, and bad input refused without changing anything."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from practica.core.models import Activity, ActivityKind, AuditLogEntry
from practica.events.models import (
    CheckInMethod,
    EventHost,
    EventMode,
    EventSeats,
    EventStatus,
    Registration,
    RegistrationStatus,
    SeatMode,
    SpeakerRole,
)
from practica.events.services import attendance
from practica.events.services.registration import register_for_event
from tests.factories.communities import CommunityFactory
from tests.factories.events import EventFactory, RegistrationFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    return CommunityFactory(name="Machine Learning", slug="machine-learning")


def live_event(community, *, seats=10, mode=EventMode.IN_PERSON, **fields):
    """An event that started ten minutes ago and ends in fifty."""
    now = timezone.now()
    return EventFactory(
        community=community,
        mode=mode,
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(minutes=50),
        seats=seats,
        **fields,
    )


def seats_of(event, mode=SeatMode.IN_PERSON):
    return EventSeats.objects.get(event=event, mode=mode)


def attended_rows(person, event):
    return Activity.objects.filter(kind=ActivityKind.ATTENDED, person=person, subject_id=event.pk)


# --- organizer check-in ---------------------------------------------------------------------


def test_an_organizer_checks_in_a_registrant_once(community, organizer, member):
    event = live_event(community)
    registration = register_for_event(event=event, person=member)

    checked = attendance.check_in(registration=registration, actor=organizer)
    assert checked.checked_in_at is not None
    assert checked.check_in_method == CheckInMethod.ORGANIZER
    assert checked.status == RegistrationStatus.REGISTERED
    assert attended_rows(member, event).count() == 1
    first_time = checked.checked_in_at

    again = attendance.check_in(registration=registration, actor=organizer)
    assert again.checked_in_at == first_time
    assert attended_rows(member, event).count() == 1
    assert seats_of(event).taken == 1


def test_a_member_cannot_check_in_someone_else(community, member):
    event = live_event(community)
    other = UserFactory()
    registration = register_for_event(event=event, person=other)
    with pytest.raises(PermissionDenied):
        attendance.check_in(registration=registration, actor=member)
    registration.refresh_from_db()
    assert registration.checked_in_at is None
    assert not attended_rows(other, event).exists()


def test_check_in_opens_an_hour_before_the_start(community, organizer, member):
    now = timezone.now()
    event = EventFactory(
        community=community, starts_at=now + timedelta(hours=3), ends_at=now + timedelta(hours=4)
    )
    registration = register_for_event(event=event, person=member)
    with pytest.raises(ValidationError, match="opens an hour before"):
        attendance.check_in(registration=registration, actor=organizer)
    event.starts_at = now + timedelta(minutes=50)
    event.save()
    registration.refresh_from_db()
    assert attendance.check_in(registration=registration, actor=organizer).checked_in_at


@pytest.mark.parametrize("status", [EventStatus.CANCELLED, EventStatus.DRAFT])
def test_nobody_checks_in_to_a_cancelled_or_draft_event(community, organizer, status):
    event = live_event(community)
    registration = RegistrationFactory(event=event, mode=SeatMode.IN_PERSON)
    event.status = status
    event.save()
    with pytest.raises(ValidationError):
        attendance.check_in(registration=registration, actor=organizer)
    registration.refresh_from_db()
    assert registration.checked_in_at is None


def test_check_in_refuses_someone_without_a_seat(community, organizer):
    event = live_event(community, seats=1)
    register_for_event(event=event, person=UserFactory())
    waiting = register_for_event(event=event, person=UserFactory())
    assert waiting.status == RegistrationStatus.WAITLISTED
    with pytest.raises(ValidationError, match="walk-in"):
        attendance.check_in(registration=waiting, actor=organizer)
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.WAITLISTED
    assert seats_of(event).taken == 1


def test_check_in_confirms_an_offered_seat(community, organizer, member):
    event = live_event(community, seats=1)
    registration = RegistrationFactory(
        event=event,
        person=member,
        mode=SeatMode.IN_PERSON,
        status=RegistrationStatus.OFFERED,
        offered_at=timezone.now(),
        offer_expires_at=timezone.now() + timedelta(hours=1),
    )
    EventSeats.objects.filter(event=event).update(taken=1)
    checked = attendance.check_in(registration=registration, actor=organizer)
    assert checked.status == RegistrationStatus.REGISTERED
    assert checked.offer_expires_at is None
    assert seats_of(event).taken == 1


def test_check_in_refuses_an_unknown_method(community, organizer, member):
    event = live_event(community)
    registration = register_for_event(event=event, person=member)
    with pytest.raises(ValidationError):
        attendance.check_in(registration=registration, actor=organizer, method="teleport")


# --- self check-in --------------------------------------------------------------------------


def test_a_registrant_checks_in_with_the_code(community, member):
    event = live_event(community)
    register_for_event(event=event, person=member)
    code = event.check_in_code
    typed = f" {code[:3].lower()}-{code[3:].lower()} "
    registration = attendance.self_check_in(event=event, person=member, code=typed)
    assert registration.check_in_method == CheckInMethod.SELF
    assert attended_rows(member, event).count() == 1
    assert seats_of(event).taken == 1


@pytest.mark.parametrize("code", ["", "   ", "WRONG1", "x" * 500, "' OR 1=1 --"])
def test_a_wrong_code_changes_nothing(community, member, code):
    event = live_event(community)
    registration = register_for_event(event=event, person=member)
    with pytest.raises(ValidationError) as refused:
        attendance.self_check_in(event=event, person=member, code=code)
    assert "code" in refused.value.message_dict
    registration.refresh_from_db()
    assert registration.checked_in_at is None


def test_self_check_in_is_closed_before_the_window_and_after_the_end(community, member):
    now = timezone.now()
    early = EventFactory(
        community=community, starts_at=now + timedelta(hours=2), ends_at=now + timedelta(hours=3)
    )
    with pytest.raises(ValidationError, match="opens"):
        attendance.self_check_in(event=early, person=member, code=early.check_in_code)
    over = EventFactory(
        community=community, starts_at=now - timedelta(hours=2), ends_at=now - timedelta(hours=1)
    )
    with pytest.raises(ValidationError, match="ended"):
        attendance.self_check_in(event=over, person=member, code=over.check_in_code)
    assert not Registration.objects.filter(person=member).exists()


def test_self_check_in_gives_a_free_seat_to_someone_unregistered(community, member):
    event = live_event(community, seats=2)
    registration = attendance.self_check_in(event=event, person=member, code=event.check_in_code)
    assert registration.status == RegistrationStatus.REGISTERED
    assert registration.mode == SeatMode.IN_PERSON
    assert seats_of(event).taken == 1


def test_self_check_in_never_goes_beyond_the_capacity(community, member):
    event = live_event(community, seats=1)
    register_for_event(event=event, person=UserFactory())
    with pytest.raises(ValidationError, match="organizer"):
        attendance.self_check_in(event=event, person=member, code=event.check_in_code)
    assert not Registration.objects.filter(event=event, person=member).exists()
    assert seats_of(event).taken == 1
    assert seats_of(event).capacity == 1


def test_self_check_in_of_an_online_only_event_takes_an_online_seat(community, member):
    event = live_event(community, mode=EventMode.ONLINE)
    registration = attendance.self_check_in(event=event, person=member, code=event.check_in_code)
    assert registration.mode == SeatMode.ONLINE


# --- walk-ins -------------------------------------------------------------------------------


def test_a_walk_in_at_a_full_event_raises_the_capacity(community, organizer, member):
    event = live_event(community, seats=1)
    register_for_event(event=event, person=UserFactory())
    registration = attendance.record_walk_in(event=event, person=member, actor=organizer)
    assert registration.status == RegistrationStatus.REGISTERED
    assert registration.check_in_method == CheckInMethod.WALK_IN
    seats = seats_of(event)
    assert (seats.taken, seats.capacity) == (2, 2)
    assert AuditLogEntry.objects.filter(action="events.walk_in_admitted").count() == 1
    # Idempotent: a second click changes nothing.
    attendance.record_walk_in(event=event, person=member, actor=organizer)
    seats = seats_of(event)
    assert (seats.taken, seats.capacity) == (2, 2)
    assert attended_rows(member, event).count() == 1


def test_a_waitlisted_walk_in_leaves_the_waiting_list(community, organizer):
    event = live_event(community, seats=1)
    register_for_event(event=event, person=UserFactory())
    waiting = register_for_event(event=event, person=UserFactory())
    assert seats_of(event).waitlisted == 1
    admitted = attendance.record_walk_in(event=event, person=waiting.person, actor=organizer)
    assert admitted.pk == waiting.pk
    assert admitted.status == RegistrationStatus.REGISTERED
    assert admitted.waitlist_position is None
    seats = seats_of(event)
    assert (seats.taken, seats.waitlisted, seats.capacity) == (2, 0, 2)


def test_a_cancelled_registrant_walking_in_reuses_the_row(community, organizer, member):
    event = live_event(community)
    cancelled = RegistrationFactory(
        event=event, person=member, mode=SeatMode.IN_PERSON, status=RegistrationStatus.CANCELLED
    )
    admitted = attendance.record_walk_in(event=event, person=member, actor=organizer)
    assert admitted.pk == cancelled.pk
    assert admitted.status == RegistrationStatus.REGISTERED
    assert admitted.cancelled_at is None
    assert seats_of(event).taken == 1


def test_a_registered_walk_in_is_simply_checked_in(community, organizer, member):
    event = live_event(community)
    register_for_event(event=event, person=member)
    registration = attendance.record_walk_in(event=event, person=member, actor=organizer)
    assert registration.check_in_method == CheckInMethod.WALK_IN
    assert seats_of(event).taken == 1


def test_a_hybrid_walk_in_takes_the_mode_asked(community, organizer, member):
    event = live_event(community, mode=EventMode.HYBRID)
    registration = attendance.record_walk_in(
        event=event, person=member, actor=organizer, mode=SeatMode.ONLINE
    )
    assert registration.mode == SeatMode.ONLINE
    assert seats_of(event, SeatMode.ONLINE).taken == 1
    assert seats_of(event, SeatMode.IN_PERSON).taken == 0


def test_walk_in_bad_input(community, organizer, member):
    event = live_event(community)
    with pytest.raises(ValidationError):
        attendance.record_walk_in(event=event, person=member, actor=organizer, mode="online")
    with pytest.raises(PermissionDenied):
        attendance.record_walk_in(event=event, person=member, actor=UserFactory())
    member.is_active = False
    member.save()
    with pytest.raises(ValidationError):
        attendance.record_walk_in(event=event, person=member, actor=organizer)
    assert not Registration.objects.filter(event=event).exists()


# --- importing an attendee list -------------------------------------------------------------

ZOOM_REPORT = """\ufeffAttendee Report,
Report Generated:,"Mar 5, 2030 06:12 PM"
Topic,Webinar ID,Actual Start Time,Actual Duration (minutes)
Calibration clinic,812 3456 7890,"Mar 5, 2030 04:00 PM",62
Host Details,
Attended,User Name (Original Name),Email,Join Time,Leave Time
Yes,Hana Host,{host},"Mar 5, 2030 03:55 PM","Mar 5, 2030 05:02 PM"
Panelist Details,
Attendee Details,
Attended,User Name (Original Name),First Name,Last Name,Email,Registration Time
Yes,Ada,Ada,Lovelace,{registered},"Mar 1, 2030"
Yes,Walker,Walt,Walker,{walker},"Mar 1, 2030"
Yes,Ada again,Ada,Lovelace,{registered_upper},"Mar 1, 2030"
No,Nora,Nora,No-show,{noshow},"Mar 1, 2030"
Yes,Stranger,S,T,stranger@elsewhere.example,"Mar 1, 2030"
Yes,Typo,T,Y,not-an-email,"Mar 1, 2030"
Yes,Blank,B,L,,"Mar 1, 2030"
"""


def test_importing_a_zoom_report(community, organizer):
    event = live_event(community, mode=EventMode.ONLINE)
    host = UserFactory()
    EventHost.objects.create(event=event, person=host, role=SpeakerRole.HOST)
    registered = register_for_event(event=event, person=UserFactory()).person
    walker = UserFactory()
    noshow = register_for_event(event=event, person=UserFactory()).person
    csv_text = ZOOM_REPORT.format(
        host=host.email,
        registered=registered.email,
        registered_upper=registered.email.upper(),
        walker=walker.email,
        noshow=noshow.email,
    )

    report = attendance.import_attendees_csv(event=event, actor=organizer, csv_text=csv_text)

    assert report.email_column == "Email"
    assert report.checked_in == [registered.email]
    assert report.admitted == [walker.email]
    assert report.hosts == 1
    assert report.not_attended == 1
    assert report.duplicates == 1
    assert report.unknown_emails == ["stranger@elsewhere.example"]
    assert [line for line, _reason in report.bad_rows] == [16, 17]
    assert "not-an-email" in report.bad_rows[0][1]
    by_person = {r.person_id: r for r in Registration.objects.filter(event=event)}
    assert by_person[registered.pk].check_in_method == CheckInMethod.IMPORT
    assert by_person[walker.pk].status == RegistrationStatus.REGISTERED
    assert by_person[noshow.pk].checked_in_at is None
    assert host.pk not in by_person
    assert seats_of(event, SeatMode.ONLINE).taken == 3
    assert AuditLogEntry.objects.filter(action="events.attendees_imported").count() == 1
    assert not AuditLogEntry.objects.filter(action="events.walk_in_admitted").exists()

    again = attendance.import_attendees_csv(event=event, actor=organizer, csv_text=csv_text)
    assert again.checked_in == []
    assert again.admitted == []
    assert again.already_checked_in == 2
    assert attended_rows(registered, event).count() == 1


def test_importing_a_teams_list_with_tabs_and_upn(community, organizer):
    event = live_event(community, mode=EventMode.ONLINE)
    person = UserFactory()
    text = (
        "1. Summary\n"
        "Meeting title\tCalibration clinic\n\n"
        "2. Participants\n"
        "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tParticipant ID (UPN)\tRole\n"
        f"Ada\t3/5/30, 4:01 PM\t3/5/30, 5:00 PM\t59m\t{person.email}\tAttendee\n"
    )
    report = attendance.import_attendees_csv(event=event, actor=organizer, csv_text=text)
    assert report.admitted == [person.email]
    assert report.email_column == "Participant ID (UPN)"


def test_importing_a_list_without_a_header(community, organizer):
    event = live_event(community, mode=EventMode.ONLINE)
    ada, bo = UserFactory(), UserFactory()
    text = f"Ada Lovelace <{ada.email.upper()}>\nmailto:{bo.email}\njust some words\n"
    report = attendance.import_attendees_csv(event=event, actor=organizer, csv_text=text)
    assert sorted(report.admitted) == sorted([ada.email, bo.email])
    assert report.bad_rows == [(3, "no email address in this row")]


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "   \n\n",
        "\x00\x01\x02binary\xff\xfe",
        "name,title\nAda,Engineer\n",
        '"unterminated, quote\n',
        "Email\n" + "no-at-sign\n" * 3,
    ],
)
def test_an_import_without_addresses_is_refused_and_changes_nothing(community, organizer, garbage):
    event = live_event(community, mode=EventMode.ONLINE)
    register_for_event(event=event, person=UserFactory())
    with pytest.raises(ValidationError):
        attendance.import_attendees_csv(event=event, actor=organizer, csv_text=garbage)
    assert not Registration.objects.filter(event=event, checked_in_at__isnull=False).exists()


def test_an_oversized_import_is_refused(community, organizer):
    event = live_event(community, mode=EventMode.ONLINE)
    text = "Email\n" + "a@example.com\n" * 400_000
    with pytest.raises(ValidationError, match="too large"):
        attendance.import_attendees_csv(event=event, actor=organizer, csv_text=text)


def test_an_import_with_a_huge_cell_reports_the_row(community, organizer):
    event = live_event(community, mode=EventMode.ONLINE)
    person = UserFactory()
    text = f'Email,Notes\n{person.email},"{"x" * 200_000}"\n{person.email},ok\n'
    report = attendance.import_attendees_csv(event=event, actor=organizer, csv_text=text)
    assert report.admitted == [person.email]
    assert report.bad_count == 1


def test_only_organizers_import(community, member):
    event = live_event(community, mode=EventMode.ONLINE)
    with pytest.raises(PermissionDenied):
        attendance.import_attendees_csv(
            event=event, actor=member, csv_text=f"Email\n{member.email}"
        )
    assert not Registration.objects.filter(event=event).exists()


def test_an_import_into_a_full_online_event_raises_its_capacity(community, organizer):
    event = live_event(community, mode=EventMode.ONLINE, seats=1)
    register_for_event(event=event, person=UserFactory())
    people = [UserFactory() for _ in range(3)]
    text = "Attendee Email\n" + "\n".join(person.email for person in people)
    report = attendance.import_attendees_csv(event=event, actor=organizer, csv_text=text)
    assert len(report.admitted) == 3
    assert report.capacity_raised == 3
    seats = seats_of(event, SeatMode.ONLINE)
    assert (seats.taken, seats.capacity) == (4, 4)


# --- closing the attendance -----------------------------------------------------------------


def test_closing_records_hosts_and_speakers_once(community, organizer):
    event = live_event(community)
    host, speaker, moderator = UserFactory(), UserFactory(), UserFactory()
    EventHost.objects.create(event=event, person=host, role=SpeakerRole.HOST)
    EventHost.objects.create(event=event, person=speaker, role=SpeakerRole.SPEAKER, position=1)
    EventHost.objects.create(event=event, person=moderator, role=SpeakerRole.MODERATOR, position=2)
    EventHost.objects.create(event=event, guest_name="Grace Guest", role=SpeakerRole.SPEAKER)

    closed = attendance.close_attendance(event=event, actor=organizer)
    assert (closed.hosted, closed.presented) == (2, 1)
    kinds = set(
        Activity.objects.filter(subject_id=event.pk)
        .exclude(kind=ActivityKind.REGISTERED)
        .values_list("kind", "person_id")
    )
    assert kinds == {
        (ActivityKind.HOSTED, host.pk),
        (ActivityKind.HOSTED, moderator.pk),
        (ActivityKind.PRESENTED, speaker.pk),
    }
    again = attendance.close_attendance(event=event, actor=organizer)
    assert (again.hosted, again.presented) == (0, 0)
    assert Activity.objects.filter(kind=ActivityKind.PRESENTED).count() == 1


def test_closing_needs_a_started_published_event_and_an_organizer(community, organizer, member):
    now = timezone.now()
    future = EventFactory(
        community=community,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=1),
    )
    with pytest.raises(ValidationError):
        attendance.close_attendance(event=future, actor=organizer)
    event = live_event(community)
    with pytest.raises(PermissionDenied):
        attendance.close_attendance(event=event, actor=member)
    event.status = EventStatus.CANCELLED
    event.save()
    with pytest.raises(ValidationError):
        attendance.close_attendance(event=event, actor=organizer)
