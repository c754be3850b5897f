"""The events' mails: what each says, in whose language and time zone, with which invitation,
and that each state is mailed once; directly and through the services that send them."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from practica.communities.models import MembershipRole
from practica.events import mails
from practica.events.calendar import event_uid
from practica.events.models import Event, EventHost, EventMode, RegistrationStatus
from practica.events.services.events import cancel_event, update_event
from practica.events.services.registration import (
    cancel_registration,
    expire_offers,
)
from practica.mail.models import OutboundMessage
from practica.mail.services import build_email_message
from tests.events.outbox import outbox_backend, register_and_mail, sent_mails
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.core import TopicFactory
from tests.factories.events import EventFactory, RegistrationFactory
from tests.factories.people import UserFactory

pytestmark = [
    pytest.mark.unit,
    pytest.mark.django_db,
    pytest.mark.usefixtures(outbox_backend.__name__),
]

SOON = datetime(2031, 6, 12, 7, 30, tzinfo=UTC)  # 16:30 in Tokyo, 09:30 in Berlin


@pytest.fixture
def event(settings):
    settings.SITE_URL = "https://practica.example.com"
    return EventFactory(
        title="Scaling laws",
        community=CommunityFactory(name="Machine Learning"),
        starts_at=SOON,
        ends_at=SOON + timedelta(hours=1),
        time_zone="Asia/Tokyo",
        mode=EventMode.HYBRID,
        venue_room="Room 7",
        venue_city="Tokyo",
        online_url="https://meet.example.com/scaling",
        seats={"in_person": 1, "online": 1},
    )


@pytest.fixture
def ada():
    return UserFactory(display_name="Ada Lovelace", email="ada@example.com")


def test_the_confirmation_has_the_times_place_link_and_an_accepted_invitation(event, ada):
    registration = RegistrationFactory(event=event, person=ada, mode="online")
    mails.mail_registration_confirmed(registration)

    [mail] = sent_mails()
    assert mail.to == "ada@example.com"
    assert mail.subject == "You're registered: Scaling laws"
    assert "Hello Ada," in mail.text
    # Ada's zone (Berlin) first, the event's own zone noted.
    assert "When: Thu, June 12, 2031 · 09:30–10:30 (Europe/Berlin)" in mail.text
    assert "(Thu, June 12, 2031 · 16:30–17:30 (Asia/Tokyo) where it is held)" in mail.text
    assert "Room 7, Tokyo" in mail.text
    assert "https://meet.example.com/scaling" in mail.text
    assert f"https://practica.example.com/events/{event.pk}/" in mail.text
    assert "https://meet.example.com/scaling" in mail.html
    assert mail.html.startswith("<!doctype html>")
    assert '<html lang="en">' in mail.html

    calendar = mail.invitation
    assert str(calendar["METHOD"]) == "REQUEST"
    vevent = mail.vevent
    assert str(vevent["UID"]) == event_uid(event)
    assert vevent.decoded("SEQUENCE") == event.sequence
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert vevent.decoded("DTSTART").astimezone(UTC) == event.starts_at
    assert vevent["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Tokyo"]
    attendee = vevent["ATTENDEE"]
    assert str(attendee) == "mailto:ada@example.com"
    assert attendee.params["PARTSTAT"] == "ACCEPTED"
    assert attendee.params["CN"] == "Ada Lovelace"
    assert "https://meet.example.com/scaling" in str(vevent["DESCRIPTION"])


def test_the_same_state_is_mailed_once(event, ada):
    registration = RegistrationFactory(event=event, person=ada)
    mails.mail_registration_confirmed(registration)
    mails.mail_registration_confirmed(registration)
    assert OutboundMessage.objects.count() == 1
    # Registering again later (a new registered_at) is a new confirmation.
    registration.registered_at = timezone.now() + timedelta(minutes=5)
    mails.mail_registration_confirmed(registration)
    assert OutboundMessage.objects.count() == 2


def test_a_mail_speaks_the_recipients_language_and_time_zone(event):
    person = UserFactory(preferred_language="zh-hans", time_zone="Asia/Shanghai")
    registration = RegistrationFactory(event=event, person=person)
    mails.mail_registration_confirmed(registration)
    [mail] = sent_mails()
    assert '<html lang="zh-hans">' in mail.html
    assert "2031年6月12日" in mail.text  # the Chinese date format
    assert "15:30–16:30 (Asia/Shanghai)" in mail.text
    assert mail.invitation.walk("VEVENT")


def test_the_language_of_the_caller_is_left_as_it_was(event):
    from django.utils import translation

    person = UserFactory(preferred_language="zh-hans", time_zone="Asia/Shanghai")
    with translation.override("en"), timezone.override("America/New_York"):
        mails.mail_registration_confirmed(RegistrationFactory(event=event, person=person))
        assert translation.get_language() == "en"
        assert timezone.get_current_timezone_name() == "America/New_York"


def test_the_waiting_list_mail_gives_the_place_in_line_and_a_tentative_entry(event, ada):
    RegistrationFactory(
        event=event, mode="online", status=RegistrationStatus.WAITLISTED, waitlist_position=4
    )
    registration = RegistrationFactory(
        event=event,
        person=ada,
        mode="online",
        status=RegistrationStatus.WAITLISTED,
        waitlist_position=9,
    )
    mails.mail_waitlisted(registration)
    [mail] = sent_mails()
    assert mail.subject == "You're on the waiting list: Scaling laws"
    assert "You are number 2 in line." in mail.text
    assert "24 hours to confirm" in mail.text
    assert "https://meet.example.com/scaling" not in mail.text + mail.html
    vevent = mail.vevent
    assert "scaling" not in str(vevent.get("LOCATION", "")).split("·")[-1]
    assert vevent["ATTENDEE"].params["PARTSTAT"] == "TENTATIVE"
    assert str(vevent["STATUS"]) == "TENTATIVE"
    assert str(vevent["TRANSP"]) == "TRANSPARENT"


def test_the_offer_mail_gives_the_deadline_and_needs_an_answer(event, ada):
    registration = RegistrationFactory(
        event=event,
        person=ada,
        status=RegistrationStatus.OFFERED,
        offered_at=datetime(2031, 6, 10, 8, 0, tzinfo=UTC),
        offer_expires_at=datetime(2031, 6, 11, 8, 0, tzinfo=UTC),
    )
    mails.mail_seat_offered(registration)
    [mail] = sent_mails()
    assert mail.subject == "A seat is free for you: Scaling laws, please confirm"
    assert "Confirm by" in mail.text
    assert "Wed, June 11, 2031 · 10:00 (Europe/Berlin)" in mail.text
    assert mail.vevent["ATTENDEE"].params["PARTSTAT"] == "NEEDS-ACTION"
    assert str(mail.invitation["METHOD"]) == "REQUEST"


def test_an_expired_offer_withdraws_the_invitation(event, ada):
    registration = RegistrationFactory(
        event=event,
        person=ada,
        status=RegistrationStatus.EXPIRED,
        offered_at=datetime(2031, 6, 10, 8, 0, tzinfo=UTC),
    )
    mails.mail_offer_expired(registration)
    [mail] = sent_mails()
    assert "not confirmed in time" in mail.text
    assert str(mail.invitation["METHOD"]) == "CANCEL"
    assert str(mail.vevent["STATUS"]) == "CANCELLED"
    assert str(mail.vevent["UID"]) == event_uid(event)
    assert "meet.example.com" not in mail.text + str(mail.vevent["DESCRIPTION"])


def test_a_cancelled_registration_removes_the_entry(event, ada):
    registration = RegistrationFactory(
        event=event, person=ada, status=RegistrationStatus.CANCELLED, cancelled_at=timezone.now()
    )
    mails.mail_registration_cancelled(registration)
    [mail] = sent_mails()
    assert mail.subject == "Registration cancelled: Scaling laws"
    assert str(mail.invitation["METHOD"]) == "CANCEL"


def test_a_change_is_mailed_once_per_sequence_with_the_old_time(event, ada):
    waiting = RegistrationFactory(event=event, status=RegistrationStatus.WAITLISTED)
    seated = RegistrationFactory(event=event, person=ada)
    old = {"starts_at": event.starts_at, "ends_at": event.ends_at}
    event.starts_at += timedelta(days=1)
    event.ends_at += timedelta(days=1)
    event.sequence = 1
    mails.mail_event_changed(event, [seated, waiting], previous=old)
    mails.mail_event_changed(event, [seated, waiting], previous=old)

    mails_sent = sent_mails()
    assert len(mails_sent) == 2
    by_person = {mail.to: mail for mail in mails_sent}
    mail = by_person["ada@example.com"]
    assert mail.subject == "Changed: Scaling laws has a new time or place"
    assert "It was: Thu, June 12, 2031 · 09:30–10:30 (Europe/Berlin)" in mail.text
    assert "When: Fri, June 13, 2031 · 09:30–10:30 (Europe/Berlin)" in mail.text
    assert "<s>" in mail.html
    assert mail.vevent.decoded("SEQUENCE") == 1
    assert mail.vevent.decoded("DTSTART").astimezone(UTC) == event.starts_at
    assert mail.vevent["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    waiting_mail = by_person[waiting.person.email]
    assert "still on the waiting list" in waiting_mail.text
    assert waiting_mail.vevent["ATTENDEE"].params["PARTSTAT"] == "TENTATIVE"
    # The next change (next SEQUENCE) is a new mail.
    event.sequence = 2
    mails.mail_event_changed(event, [seated])
    assert OutboundMessage.objects.count() == 3


def test_a_cancellation_gives_the_reason_and_cancels_the_invitation(event, ada):
    registration = RegistrationFactory(event=event, person=ada)
    event.status = "cancelled"
    event.cancellation_reason = "The speaker is ill."
    event.sequence = 4
    mails.mail_event_cancelled(event, [registration])
    [mail] = sent_mails()
    assert mail.subject == "Cancelled: Scaling laws"
    assert "The speaker is ill." in mail.text
    assert "The speaker is ill." in mail.html
    assert str(mail.invitation["METHOD"]) == "CANCEL"
    vevent = mail.vevent
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert vevent.decoded("SEQUENCE") == 4
    assert str(vevent["SUMMARY"]) == "Cancelled: Scaling laws"


def test_the_delivered_mail_carries_a_calendar_part(event, ada):
    mails.mail_registration_confirmed(RegistrationFactory(event=event, person=ada))
    message = build_email_message(OutboundMessage.objects.get()).message()
    parts = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    assert parts[0].get_param("method") == "REQUEST"
    assert parts[0].get_filename() == "invite.ics"
    assert b"BEGIN:VCALENDAR" in parts[0].get_payload(decode=True)


# --- Through the services that send them ---------------------------------------------------


def test_registering_and_waiting_mail_through_the_service(event, ada):
    first = register_and_mail(event=event, person=ada, mode="online")
    second_person = UserFactory()
    second = register_and_mail(event=event, person=second_person, mode="online")
    assert (first.status, second.status) == ("registered", "waitlisted")
    subjects = {mail.to: mail.subject for mail in sent_mails()}
    assert subjects == {
        "ada@example.com": "You're registered: Scaling laws",
        second_person.email: "You're on the waiting list: Scaling laws",
    }
    # A double click: no second mail.
    register_and_mail(event=event, person=ada, mode="online")
    assert OutboundMessage.objects.count() == 2


def test_a_freed_seat_is_offered_then_expires_by_mail(event, ada):
    register_and_mail(event=event, person=ada, mode="online")
    waiting = UserFactory()
    register_and_mail(event=event, person=waiting, mode="online")
    registration = event.registrations.get(person=ada)
    cancel_registration(registration=registration, actor=ada)
    offer = sent_mails(to_email=waiting.email)[-1]
    assert offer.subject == "A seat is free for you: Scaling laws, please confirm"
    expire_offers(now=timezone.now() + timedelta(days=2))
    expired = sent_mails(to_email=waiting.email)[-1]
    assert str(expired.invitation["METHOD"]) == "CANCEL"


def test_moving_and_cancelling_an_event_mail_the_registrants(event, ada):
    organizer = MembershipFactory(community=event.community, role=MembershipRole.ORGANIZER).person
    register_and_mail(event=event, person=ada, mode="online")
    update_event(
        event=event,
        actor=organizer,
        starts_at=event.starts_at + timedelta(hours=2),
        ends_at=event.ends_at + timedelta(hours=2),
    )
    changed = sent_mails(to_email=ada.email)[-1]
    assert changed.subject == "Changed: Scaling laws has a new time or place"
    assert changed.vevent.decoded("SEQUENCE") == 1
    assert "11:30–12:30 (Europe/Berlin)" in changed.text

    cancel_event(event=event, actor=organizer, reason="Room flooded.")
    cancelled = sent_mails(to_email=ada.email)[-1]
    assert cancelled.subject == "Cancelled: Scaling laws"
    assert "Room flooded." in cancelled.text
    assert cancelled.vevent.decoded("SEQUENCE") == 2
    assert str(cancelled.vevent["UID"]) == str(changed.vevent["UID"])


def test_mailing_many_registrants_reads_the_event_details_once():
    event = EventFactory(seats=20, time_zone="Europe/Berlin")
    event.topics.add(TopicFactory())
    EventHost.objects.create(event=event, person=UserFactory(), role="speaker")
    registrations = [
        RegistrationFactory(event=event, person=UserFactory(), mode="online") for _ in range(6)
    ]

    def queries_to_cancel(batch, sequence):
        fresh = Event.objects.get(pk=event.pk)  # as the service hands it over: nothing cached
        fresh.sequence = sequence
        with CaptureQueriesContext(connection) as captured:
            mails.mail_event_cancelled(fresh, batch)
        return len(captured)

    two = queries_to_cancel(registrations[:2], 1)
    six = queries_to_cancel(registrations[2:], 2)

    # Only the outbox rows grow with the recipients (2 statements a mail): the community,
    # hosts and topics of the invitation are read once per event.
    assert six - two == 4 * 2
    assert len(sent_mails()) == 6
