"""The attendance and feedback API: the check-in list, checking in (organizer, self, walk-in,
an attendee list), closing attendance, the survey and its results."""

from datetime import timedelta

import pytest
from django.utils import timezone

from practica.core.models import Activity, ActivityKind
from practica.events.models import (
    CheckInMethod,
    EventHost,
    EventSeats,
    EventStatus,
    Feedback,
    Registration,
    RegistrationStatus,
    SpeakerRole,
)
from practica.events.services.registration import register_for_event
from tests.events.api_helpers import call, client_for
from tests.factories.events import EventFactory, RegistrationFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


@pytest.fixture
def running(community):
    """An event that started ten minutes ago, with 3 seats."""
    now = timezone.now()
    return EventFactory(
        community=community,
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(hours=1),
        seats=3,
    )


@pytest.fixture
def finished(community):
    now = timezone.now()
    return EventFactory(
        community=community, starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=2)
    )


# --- The check-in list ---------------------------------------------------------------------


def test_the_check_in_list_with_search_and_status(running, organizer, member):
    ada = UserFactory(display_name="Ada Lovelace")
    in_ada = register_for_event(event=running, person=ada)
    register_for_event(event=running, person=UserFactory(display_name="Bob"))
    client = client_for(organizer)
    call(client, "post", f"/events/{running.pk}/registrations/{in_ada.pk}/check-in")

    everyone = call(client, "get", f"/events/{running.pk}/check-ins").json()
    found = call(client, "get", f"/events/{running.pk}/check-ins", {"q": "ada"}).json()
    waiting = call(
        client, "get", f"/events/{running.pk}/check-ins", {"status": "not_checked_in"}
    ).json()

    assert everyone["count"] == 2
    assert [item["person"]["id"] for item in found["items"]] == [ada.pk]
    assert found["items"][0]["checked_in_at"] is not None
    assert [item["person"]["display_name"] for item in waiting["items"]] == ["Bob"]
    bad = call(client, "get", f"/events/{running.pk}/check-ins", {"status": "asleep"})
    assert bad.status_code == 422
    assert call(client_for(member), "get", f"/events/{running.pk}/check-ins").status_code == 403


# --- Checking in ---------------------------------------------------------------------------


def test_an_organizer_checks_a_registrant_in_once(running, organizer):
    registration = register_for_event(event=running, person=UserFactory())
    client = client_for(organizer)
    path = f"/events/{running.pk}/registrations/{registration.pk}/check-in"

    first = call(client, "post", path)
    again = call(client, "post", path)

    assert first.status_code == 200, first.content
    assert first.json()["check_in_method"] == "organizer"
    assert again.json()["checked_in_at"] == first.json()["checked_in_at"]
    assert Activity.objects.filter(kind=ActivityKind.ATTENDED).count() == 1
    summary = call(client, "get", f"/events/{running.pk}/attendance").json()
    assert summary["checked_in"] == 1
    assert summary["rate"] == 100


def test_check_in_refusals(running, organizer, member):
    waiting = RegistrationFactory(event=running, status=RegistrationStatus.WAITLISTED)
    mine = register_for_event(event=running, person=member)
    other_event = register_for_event(event=EventFactory(), person=UserFactory())

    client = client_for(organizer)
    no_seat = call(client, "post", f"/events/{running.pk}/registrations/{waiting.pk}/check-in")
    forged = call(client, "post", f"/events/{running.pk}/registrations/{other_event.pk}/check-in")
    by_member = call(
        client_for(member), "post", f"/events/{running.pk}/registrations/{mine.pk}/check-in"
    )

    assert no_seat.status_code == 422
    assert forged.status_code == 404
    assert by_member.status_code == 403
    assert not Registration.objects.filter(checked_in_at__isnull=False).exists()


def test_check_in_does_not_open_days_before_the_event(community, organizer):
    event = EventFactory(community=community)
    registration = register_for_event(event=event, person=UserFactory())

    response = call(
        client_for(organizer),
        "post",
        f"/events/{event.pk}/registrations/{registration.pk}/check-in",
    )

    assert response.status_code == 422


def test_self_check_in_with_the_code(running, member):
    register_for_event(event=running, person=member)
    client = client_for(member)

    wrong = call(client, "post", f"/events/{running.pk}/check-in", {"code": "WRONG1"})
    empty = call(client, "post", f"/events/{running.pk}/check-in", {"code": ""})
    right = call(
        client, "post", f"/events/{running.pk}/check-in", {"code": running.check_in_code.lower()}
    )

    assert wrong.status_code == 422
    assert "code" in wrong.json()["errors"]
    assert empty.status_code == 422
    assert right.status_code == 200, right.content
    assert right.json()["check_in_method"] == "self"


def test_self_check_in_of_an_invisible_draft_is_404(community, member):
    now = timezone.now()
    draft = EventFactory(
        community=community,
        status=EventStatus.DRAFT,
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=1),
    )

    response = call(client_for(member), "post", f"/events/{draft.pk}/check-in", {"code": "X"})

    assert response.status_code == 404


def test_a_walk_in_gets_a_seat_even_when_full(running, organizer, member):
    EventSeats.objects.filter(event=running).update(capacity=0)
    client = client_for(organizer)

    response = call(client, "post", f"/events/{running.pk}/walk-ins", {"person_id": member.pk})

    assert response.status_code == 200, response.content
    assert response.json()["check_in_method"] == "walk_in"
    assert response.json()["person"]["id"] == member.pk
    assert EventSeats.objects.get(event=running).capacity == 1
    unknown = call(client, "post", f"/events/{running.pk}/walk-ins", {"person_id": 999_999})
    assert unknown.status_code == 422
    assert "person_id" in unknown.json()["errors"]
    by_member = call(
        client_for(member), "post", f"/events/{running.pk}/walk-ins", {"person_id": member.pk}
    )
    assert by_member.status_code == 403


def test_import_an_attendee_list(running, organizer):
    holder = UserFactory(email="holder@example.com")
    register_for_event(event=running, person=holder)
    UserFactory(email="newcomer@example.com")
    csv = (
        "Name,Email,Attended\n"
        "Holder,holder@example.com,Yes\n"
        "New,newcomer@example.com,Yes\n"
        "Ghost,ghost@example.com,Yes\n"
        "Away,holder2@example.com,No\n"
    )

    response = call(
        client_for(organizer), "post", f"/events/{running.pk}/attendees/import", {"csv": csv}
    )

    assert response.status_code == 200, response.content
    report = response.json()
    assert report["checked_in"] == ["holder@example.com"]
    assert report["admitted"] == ["newcomer@example.com"]
    assert report["unknown_emails"] == ["ghost@example.com"]
    assert report["not_attended"] == 1
    assert report["matched"] == 2
    assert Registration.objects.filter(check_in_method=CheckInMethod.IMPORT).count() == 2


def test_an_unusable_attendee_list_is_a_422(running, organizer):
    client = client_for(organizer)

    no_email = call(client, "post", f"/events/{running.pk}/attendees/import", {"csv": "a,b\n1,2\n"})
    empty = call(client, "post", f"/events/{running.pk}/attendees/import", {"csv": ""})

    assert no_email.status_code == 422
    assert empty.status_code == 422
    assert "csv" in empty.json()["errors"]


def test_closing_attendance_records_hosts_and_speakers(finished, organizer, member):
    speaker = UserFactory()
    EventHost.objects.create(event=finished, person=speaker, role=SpeakerRole.SPEAKER)
    EventHost.objects.create(event=finished, person=organizer, role=SpeakerRole.HOST)
    client = client_for(organizer)

    response = call(client, "post", f"/events/{finished.pk}/attendance/close")
    again = call(client, "post", f"/events/{finished.pk}/attendance/close")

    assert response.status_code == 200
    assert response.json() == {"hosted": 1, "presented": 1}
    assert again.json() == {"hosted": 0, "presented": 0}
    assert (
        call(client_for(member), "post", f"/events/{finished.pk}/attendance/close").status_code
        == 403
    )


def test_attendance_cannot_be_closed_before_the_start(community, organizer):
    event = EventFactory(community=community)

    assert (
        call(client_for(organizer), "post", f"/events/{event.pk}/attendance/close").status_code
        == 422
    )


# --- Feedback ------------------------------------------------------------------------------


def test_an_attendee_answers_the_survey_and_may_change_the_answer(finished, member):
    RegistrationFactory(event=finished, person=member)
    client = client_for(member)
    path = f"/events/{finished.pk}/feedback/mine"

    assert call(client, "get", path).status_code == 404
    first = call(client, "put", path, {"satisfaction": 4, "would_recommend": 9, "comment": "Good"})
    changed = call(client, "put", path, {"satisfaction": 5})

    assert first.status_code == 200, first.content
    assert changed.json()["satisfaction"] == 5
    assert changed.json()["would_recommend"] is None
    assert Feedback.objects.get().satisfaction == 5
    assert Activity.objects.filter(kind=ActivityKind.GAVE_FEEDBACK).count() == 1
    assert call(client, "get", path).json()["satisfaction"] == 5


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"satisfaction": 0}, "satisfaction"),
        ({"satisfaction": 6}, "satisfaction"),
        ({"satisfaction": "5"}, "satisfaction"),
        ({"satisfaction": True}, "satisfaction"),
        ({"satisfaction": 3, "would_recommend": 11}, "would_recommend"),
        ({"satisfaction": 3, "comment": "x" * 4001}, "comment"),
        ({}, "satisfaction"),
    ],
)
def test_bad_survey_answers_are_422(finished, member, body, field):
    RegistrationFactory(event=finished, person=member)

    response = call(client_for(member), "put", f"/events/{finished.pk}/feedback/mine", body)

    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not Feedback.objects.exists()


def test_only_attendees_answer_and_not_before_the_start(community, finished, member):
    RegistrationFactory(event=finished)  # someone else attended
    upcoming = EventFactory(community=community)
    RegistrationFactory(event=upcoming, person=member)
    client = client_for(member)

    stranger = call(client, "put", f"/events/{finished.pk}/feedback/mine", {"satisfaction": 5})
    too_early = call(client, "put", f"/events/{upcoming.pk}/feedback/mine", {"satisfaction": 5})

    assert stranger.status_code == 403
    assert too_early.status_code == 422
    assert not Feedback.objects.exists()


def test_organizers_see_the_results_without_names(finished, organizer, member):
    for score, recommend in ((5, 10), (3, 4)):
        attendee = UserFactory()
        RegistrationFactory(event=finished, person=attendee)
        call(
            client_for(attendee),
            "put",
            f"/events/{finished.pk}/feedback/mine",
            {"satisfaction": score, "would_recommend": recommend, "comment": f"c{score}"},
        )

    response = call(client_for(organizer), "get", f"/events/{finished.pk}/feedback")

    assert response.status_code == 200
    results = response.json()
    assert results["responses"] == 2
    assert results["average"] == 4.0
    assert results["nps"] == 0
    assert results["distribution"][0] == {"score": 5, "answers": 1, "percent": 50}
    assert sorted(comment["comment"] for comment in results["comments"]) == ["c3", "c5"]
    assert "person" not in results["comments"][0]
    assert call(client_for(member), "get", f"/events/{finished.pk}/feedback").status_code == 403
