"""The after-event survey: who may answer, bad answers, changing one's answer, the survey mail
(once per event, idempotent, only to attendees who have not answered) and the results."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from practica.communities.models import MembershipRole
from practica.core.models import Activity, ActivityKind
from practica.events.models import EventStatus, Feedback, RegistrationStatus, SeatMode
from practica.events.queries.attendance import feedback_recipients, feedback_results
from practica.events.services.feedback import (
    request_due_feedback,
    request_feedback,
    submit_feedback,
)
from tests.events.outbox import outbox_backend, sent_mails  # noqa: F401 — a fixture
from tests.factories.communities import MembershipFactory
from tests.factories.events import EventFactory, RegistrationFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db


def past_event(community, *, hours_ago=1, **fields):
    now = timezone.now()
    return EventFactory(
        community=community,
        starts_at=now - timedelta(hours=hours_ago + 1),
        ends_at=now - timedelta(hours=hours_ago),
        **fields,
    )


def attendee(event, person=None, *, checked_in=True):
    return RegistrationFactory(
        event=event,
        person=person or UserFactory(),
        mode=SeatMode.ONLINE,
        status=RegistrationStatus.REGISTERED,
        checked_in_at=timezone.now() - timedelta(hours=2) if checked_in else None,
    ).person


# --- answering ------------------------------------------------------------------------------


def test_an_attendee_answers_and_may_change_the_answer(community):
    event = past_event(community)
    person = attendee(event)
    feedback = submit_feedback(
        event=event, person=person, satisfaction=4, would_recommend="9", comment="  Great!  "
    )
    assert (feedback.satisfaction, feedback.would_recommend, feedback.comment) == (4, 9, "Great!")
    changed = submit_feedback(event=event, person=person, satisfaction="5", would_recommend="")
    assert changed.pk == feedback.pk
    assert (changed.satisfaction, changed.would_recommend, changed.comment) == (5, None, "")
    assert Feedback.objects.count() == 1
    assert Activity.objects.filter(kind=ActivityKind.GAVE_FEEDBACK, person=person).count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"satisfaction": 0}, "satisfaction"),
        ({"satisfaction": 6}, "satisfaction"),
        ({"satisfaction": "five"}, "satisfaction"),
        ({"satisfaction": None}, "satisfaction"),
        ({"satisfaction": True}, "satisfaction"),
        ({"satisfaction": 3.5}, "satisfaction"),
        ({"satisfaction": 3, "would_recommend": 11}, "would_recommend"),
        ({"satisfaction": 3, "would_recommend": -1}, "would_recommend"),
        ({"satisfaction": 3, "would_recommend": "ten"}, "would_recommend"),
        ({"satisfaction": 3, "comment": "x" * 4001}, "comment"),
    ],
)
def test_bad_answers_are_refused(community, fields, field):
    event = past_event(community)
    person = attendee(event)
    with pytest.raises(ValidationError) as refused:
        submit_feedback(event=event, person=person, **fields)
    assert field in refused.value.message_dict
    assert not Feedback.objects.exists()


def test_only_attendees_answer(community):
    event = past_event(community)
    attendee(event)
    no_show = attendee(event, checked_in=False)
    with pytest.raises(PermissionDenied):
        submit_feedback(event=event, person=UserFactory(), satisfaction=5)
    with pytest.raises(PermissionDenied):
        submit_feedback(event=event, person=no_show, satisfaction=5)
    assert not Feedback.objects.exists()


def test_without_any_check_in_every_registrant_may_answer(community):
    event = past_event(community)
    person = attendee(event, checked_in=False)
    waiting = RegistrationFactory(event=event, status=RegistrationStatus.WAITLISTED).person
    assert submit_feedback(event=event, person=person, satisfaction=3)
    with pytest.raises(PermissionDenied):
        submit_feedback(event=event, person=waiting, satisfaction=3)


def test_the_survey_window(community):
    now = timezone.now()
    upcoming = EventFactory(
        community=community, starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2)
    )
    person = attendee(upcoming)
    with pytest.raises(ValidationError, match="opens"):
        submit_feedback(event=upcoming, person=person, satisfaction=5)
    old = past_event(community, hours_ago=24 * 31)
    person = attendee(old)
    with pytest.raises(ValidationError, match="closed"):
        submit_feedback(event=old, person=person, satisfaction=5)
    cancelled = past_event(community, status=EventStatus.CANCELLED)
    person = attendee(cancelled)
    with pytest.raises(ValidationError):
        submit_feedback(event=cancelled, person=person, satisfaction=5)
    assert not Feedback.objects.exists()


# --- the survey mail ------------------------------------------------------------------------


@pytest.mark.usefixtures("outbox_backend")
def test_the_survey_mail_goes_once_to_attendees_who_have_not_answered(community):
    event = past_event(community)
    ada, bo = attendee(event), attendee(event)
    attendee(event, checked_in=False)  # a no-show: attendance was taken, so not asked
    answered = attendee(event)
    submit_feedback(event=event, person=answered, satisfaction=4)

    assert request_due_feedback() == 2
    mails = sent_mails()
    assert sorted(mail.to for mail in mails) == sorted([ada.email, bo.email])
    mail = next(mail for mail in mails if mail.to == ada.email)
    assert event.title in mail.subject
    assert f"/events/{event.pk}/feedback/" in mail.text
    assert f"/events/{event.pk}/feedback/" in mail.html
    assert mail.key == f"event-{event.pk}-feedback-{ada.pk}"
    event.refresh_from_db()
    assert event.feedback_requested_at is not None

    assert request_due_feedback() == 0
    assert request_feedback(event=event) == 0
    assert len(sent_mails()) == 2


@pytest.mark.usefixtures("outbox_backend")
def test_the_survey_mail_waits_for_the_end_and_skips_old_and_cancelled_events(community):
    now = timezone.now()
    running = EventFactory(
        community=community, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
    )
    attendee(running)
    old = past_event(community, hours_ago=24 * 10)
    attendee(old)
    cancelled = past_event(community, status=EventStatus.CANCELLED)
    attendee(cancelled)
    assert request_due_feedback() == 0
    assert sent_mails() == []
    # Once the running event is over, its attendees are asked.
    assert request_due_feedback(now=now + timedelta(hours=2)) == 1


@pytest.mark.usefixtures("outbox_backend")
def test_an_inactive_attendee_gets_no_mail(community):
    event = past_event(community)
    gone = attendee(event)
    gone.is_active = False
    gone.save()
    assert request_due_feedback() == 0
    event.refresh_from_db()
    assert event.feedback_requested_at is not None


@pytest.mark.usefixtures("outbox_backend")
def test_a_member_with_another_site_language_is_mailed_too(community):
    event = past_event(community)
    attendee(event, UserFactory(preferred_language="zh-hans"))
    request_due_feedback()
    [mail] = sent_mails()
    assert mail.subject


# --- results --------------------------------------------------------------------------------


def test_results_per_event(community):
    event = past_event(community)
    answers = [(5, 10, "Loved it"), (4, 9, ""), (2, 3, "Too long"), (5, None, "")]
    for satisfaction, recommend, comment in answers:
        submit_feedback(
            event=event,
            person=attendee(event),
            satisfaction=satisfaction,
            would_recommend=recommend,
            comment=comment,
        )
    attendee(event)  # has not answered
    results = feedback_results(event)
    assert results.responses == 4
    assert results.recipients == 5
    assert results.response_rate == 80
    assert results.average == 4.0
    assert results.distribution[0] == (5, 2, 50)
    assert results.distribution[-1] == (1, 0, 0)
    assert (results.promoters, results.passives, results.detractors) == (2, 0, 1)
    assert results.nps == 33
    assert sorted(comment for _when, _score, comment in results.comments) == [
        "Loved it",
        "Too long",
    ]


def test_results_of_an_event_without_answers(community):
    event = past_event(community)
    results = feedback_results(event)
    assert results.responses == 0
    assert results.average is None
    assert results.nps is None
    assert results.response_rate is None


def test_recipients_fall_back_to_registrants(community):
    event = past_event(community)
    registrants = {attendee(event, checked_in=False).pk for _ in range(2)}
    assert set(feedback_recipients(event).values_list("person_id", flat=True)) == registrants
    checked = attendee(event)
    assert list(feedback_recipients(event).values_list("person_id", flat=True)) == [checked.pk]


def test_organizers_are_not_recipients_unless_they_attended(community):
    event = past_event(community)
    organizer = MembershipFactory(community=community, role=MembershipRole.ORGANIZER).person
    attendee(event)
    with pytest.raises(PermissionDenied):
        submit_feedback(event=event, person=organizer, satisfaction=5)
