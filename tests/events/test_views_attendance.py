"""The screens at and after an event: the check-in list (search, check in, admit, walk-ins, the
attendee list import, closing), self check-in, materials and the library, the survey and its
results, the AMA board and cost lines — who may open what, and bad input answered with a
message, never a 500."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from practica.events.models import (
    AmaQuestion,
    EventCost,
    EventFormat,
    EventMaterial,
    EventMode,
    EventStatus,
    Feedback,
    QuestionStatus,
    Registration,
    RegistrationStatus,
    SeatMode,
)
from practica.events.services import ama
from practica.events.services.registration import register_for_event
from tests.factories.communities import CommunityFactory
from tests.factories.core import TopicFactory
from tests.factories.events import EventFactory, RegistrationFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def community():
    return CommunityFactory(name="Machine Learning", slug="machine-learning")


@pytest.fixture
def organizer_client(client, organizer):
    client.force_login(organizer)
    return client


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


def live_event(community, **fields):
    now = timezone.now()
    fields.setdefault("mode", EventMode.IN_PERSON)
    return EventFactory(
        community=community,
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(minutes=50),
        **fields,
    )


def past_event(community, **fields):
    now = timezone.now()
    return EventFactory(
        community=community,
        starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(hours=2),
        **fields,
    )


def url(name, *args):
    return reverse(f"events:{name}", args=args)


def text_of(response):
    return re.sub(r"\s+", " ", response.content.decode())


# --- who may open the organizers' pages -----------------------------------------------------


@pytest.mark.parametrize("name", ["checkin", "checkin_import", "feedback_results", "costs"])
def test_organizer_pages_need_an_organizer(client, community, member, organizer, name):
    event = live_event(community)
    assert client.get(url(name, event.pk)).status_code == 302  # to sign in
    client.force_login(member)
    assert client.get(url(name, event.pk)).status_code == 403
    client.force_login(organizer)
    assert client.get(url(name, event.pk)).status_code == 200


@pytest.mark.parametrize(
    "name", ["checkin", "self_check_in", "materials", "feedback", "ama", "costs"]
)
def test_a_draft_does_not_admit_to_existing(member_client, community, name):
    event = live_event(community, status=EventStatus.DRAFT, format=EventFormat.AMA)
    assert member_client.get(url(name, event.pk)).status_code == 404
    assert member_client.get(url(name, 999_999)).status_code == 404


# --- the check-in list ----------------------------------------------------------------------


def test_the_check_in_list_searches_and_checks_in(organizer_client, community):
    event = live_event(community)
    ada = register_for_event(
        event=event, person=UserFactory(display_name="Ada Lovelace", email="ada@example.com")
    )
    register_for_event(event=event, person=UserFactory(display_name="Bo Builder"))
    page = organizer_client.get(url("checkin", event.pk))
    assert page.status_code == 200
    assert "Ada Lovelace" in text_of(page)
    assert "Bo Builder" in text_of(page)
    assert event.check_in_code in text_of(page)

    found = organizer_client.get(
        url("checkin", event.pk), {"q": "lovelace"}, HTTP_HX_TARGET="checkin-results", **HTMX
    )
    assert "Ada Lovelace" in text_of(found)
    assert "Bo Builder" not in text_of(found)
    assert "<html" not in found.content.decode()

    row = organizer_client.post(url("check_in", event.pk, ada.pk), **HTMX)
    assert row.status_code == 200
    assert "Checked in" in text_of(row)
    ada.refresh_from_db()
    assert ada.checked_in_at is not None

    checked = organizer_client.get(url("checkin", event.pk), {"status": "checked_in"})
    assert "Ada Lovelace" in text_of(checked)
    assert "Bo Builder" not in text_of(checked)


def test_the_check_in_list_ignores_bad_filters(organizer_client, community):
    event = live_event(community)
    response = organizer_client.get(
        url("checkin", event.pk), {"status": "<script>", "q": "x" * 500, "page": "-3"}
    )
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


def test_admitting_a_waitlisted_registrant_from_the_list(organizer_client, community):
    event = live_event(community, seats=1)
    register_for_event(event=event, person=UserFactory())
    waiting = register_for_event(event=event, person=UserFactory())
    response = organizer_client.post(url("check_in", event.pk, waiting.pk))
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.REGISTERED
    assert waiting.checked_in_at


def test_a_check_in_refused_by_the_service_is_a_message(organizer_client, community):
    now = timezone.now()
    event = EventFactory(
        community=community,
        starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=2, hours=1),
    )
    registration = register_for_event(event=event, person=UserFactory())
    row = organizer_client.post(url("check_in", event.pk, registration.pk), **HTMX)
    assert row.status_code == 200
    assert "Check-in opens" in text_of(row)
    registration.refresh_from_db()
    assert registration.checked_in_at is None


def test_a_registration_of_another_event_is_not_found(organizer_client, community):
    event = live_event(community)
    other = RegistrationFactory(event=live_event(community), mode=SeatMode.IN_PERSON)
    assert organizer_client.post(url("check_in", event.pk, other.pk)).status_code == 404
    assert organizer_client.get(url("check_in", event.pk, other.pk)).status_code == 405


def test_a_member_cannot_check_anyone_in(member_client, community):
    event = live_event(community)
    registration = register_for_event(event=event, person=UserFactory())
    assert member_client.post(url("check_in", event.pk, registration.pk)).status_code == 403
    registration.refresh_from_db()
    assert registration.checked_in_at is None


def test_walk_ins_by_email(organizer_client, community):
    event = live_event(community)
    person = UserFactory(email="walker@example.com")
    response = organizer_client.post(
        url("walk_in", event.pk), {"email": "WALKER@example.com"}, follow=True
    )
    assert "is checked in" in text_of(response)
    assert Registration.objects.get(event=event, person=person).checked_in_at

    unknown = organizer_client.post(
        url("walk_in", event.pk), {"email": "nobody@example.com"}, follow=True
    )
    assert "No member has the email" in text_of(unknown)
    bad = organizer_client.post(url("walk_in", event.pk), {"email": "not an email"}, follow=True)
    assert bad.status_code == 200
    assert Registration.objects.filter(event=event).count() == 1


def test_importing_an_uploaded_teams_list(organizer_client, community):
    event = live_event(community, mode=EventMode.ONLINE)
    person = UserFactory()
    content = (
        f"Name\tEmail\tRole\nAda\t{person.email}\tAttendee\n"
        "Ghost\tghost@nowhere.example\tAttendee\n"
    )
    upload = SimpleUploadedFile("attendance.csv", content.encode("utf-16"), content_type="text/csv")
    response = organizer_client.post(url("checkin_import", event.pk), {"file": upload})
    assert response.status_code == 200
    page = text_of(response)
    assert "Import report" in page
    assert "ghost@nowhere.example" in page
    assert Registration.objects.get(event=event, person=person).checked_in_at


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"text": "   "},
        {"text": "name,title\nAda,Engineer"},
        {"file": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"},
        {"file": b"\xff\xfe\x00\xd8\x00"},
    ],
)
def test_a_garbage_import_is_a_message(organizer_client, community, payload):
    event = live_event(community, mode=EventMode.ONLINE)
    data = dict(payload)
    if "file" in data:
        data["file"] = SimpleUploadedFile("x.csv", data["file"], content_type="text/csv")
    response = organizer_client.post(url("checkin_import", event.pk), data)
    assert response.status_code == 200
    assert 'class="form-errors"' in response.content.decode()
    assert not Registration.objects.filter(event=event).exists()


def test_closing_attendance_from_the_list(organizer_client, community):
    event = live_event(community)
    response = organizer_client.post(url("close_attendance", event.pk), follow=True)
    assert "Attendance closed" in text_of(response)
    future = EventFactory(community=community)
    response = organizer_client.post(url("close_attendance", future.pk), follow=True)
    assert "not started" in text_of(response)


# --- self check-in --------------------------------------------------------------------------


def test_self_check_in_page(member_client, member, community):
    event = live_event(community)
    register_for_event(event=event, person=member)
    page = member_client.get(url("self_check_in", event.pk), {"code": event.check_in_code})
    assert page.status_code == 200
    assert f'value="{event.check_in_code}"' in page.content.decode()

    wrong = member_client.post(url("self_check_in", event.pk), {"code": "ZZZZZZ"})
    assert wrong.status_code == 200
    assert "not this event" in text_of(wrong)
    done = member_client.post(
        url("self_check_in", event.pk), {"code": event.check_in_code}, follow=True
    )
    assert "You are checked in" in text_of(done)
    assert Registration.objects.get(event=event, person=member).checked_in_at


# --- materials and the library --------------------------------------------------------------


def test_materials_page_and_adding(member_client, organizer, community):
    client = Client()
    event = past_event(community)
    page = member_client.get(url("materials", event.pk))
    assert page.status_code == 200
    assert "Attach a link" not in text_of(page)
    refused = member_client.post(
        url("materials", event.pk), {"kind": "slides", "url": "https://x.example.com"}
    )
    assert refused.status_code == 403

    client.force_login(organizer)
    bad = client.post(url("materials", event.pk), {"kind": "slides", "url": "javascript:alert(1)"})
    assert bad.status_code == 400
    assert "full web address" in text_of(bad)
    added = client.post(
        url("materials", event.pk),
        {"kind": "recording", "url": "https://video.example.com/1", "title": "<b>Rec</b>"},
        follow=True,
    )
    assert "&lt;b&gt;Rec&lt;/b&gt;" in added.content.decode()
    material = EventMaterial.objects.get()
    client.post(url("remove_material", material.pk))
    assert not EventMaterial.objects.exists()


def test_a_member_cannot_remove_materials(member_client, community):
    event = past_event(community)
    material = EventMaterial.objects.create(event=event, kind="slides", url="https://x.example.com")
    response = member_client.post(url("remove_material", material.pk), follow=True)
    assert response.status_code == 200
    assert EventMaterial.objects.exists()


def test_the_library_page(member_client, community):
    topic = TopicFactory(name="Calibration")
    event = past_event(community, title="Calibration clinic", format=EventFormat.TUTORIAL)
    event.topics.add(topic)
    EventMaterial.objects.create(
        event=event, kind="recording", url="https://video.example.com/c", title="Clinic video"
    )
    page = member_client.get(url("library"))
    assert page.status_code == 200
    assert "Calibration clinic" in text_of(page)
    found = member_client.get(
        url("library"),
        {"q": "clinic", "topic": "calibration", "format": "tutorial", "kind": "recording"},
        HTTP_HX_TARGET="library-results",
        **HTMX,
    )
    assert "Clinic video" in text_of(found)
    assert "<html" not in found.content.decode()
    none = member_client.get(url("library"), {"format": "talk"})
    assert "Nothing matches" in text_of(none)
    bad = member_client.get(url("library"), {"topic": "no-such-topic", "kind": "<x>", "page": "z"})
    assert bad.status_code == 200


# --- feedback -------------------------------------------------------------------------------


def test_an_attendee_answers_the_survey(member_client, member, community):
    event = past_event(community)
    RegistrationFactory(event=event, person=member, checked_in_at=timezone.now())
    page = member_client.get(url("feedback", event.pk))
    assert page.status_code == 200
    assert 'name="satisfaction"' in page.content.decode()
    bad = member_client.post(url("feedback", event.pk), {"satisfaction": "9"})
    assert bad.status_code == 400
    assert not Feedback.objects.exists()
    member_client.post(
        url("feedback", event.pk),
        {"satisfaction": "4", "would_recommend": "8", "comment": "Useful"},
    )
    feedback = Feedback.objects.get()
    assert (feedback.satisfaction, feedback.would_recommend) == (4, 8)
    again = member_client.get(url("feedback", event.pk))
    assert "Update my answer" in text_of(again)


def test_someone_who_did_not_attend_sees_why(member_client, member, community):
    event = past_event(community)
    RegistrationFactory(event=event, checked_in_at=timezone.now())
    page = member_client.get(url("feedback", event.pk))
    assert "The survey is for attendees" in text_of(page)
    refused = member_client.post(url("feedback", event.pk), {"satisfaction": "5"})
    assert refused.status_code == 400
    assert not Feedback.objects.exists()


def test_the_results_page_shows_comments_without_names(organizer_client, community):
    event = past_event(community)
    person = UserFactory(display_name="Candid Carla")
    RegistrationFactory(event=event, person=person, checked_in_at=timezone.now())
    Feedback.objects.create(
        event=event, person=person, satisfaction=2, would_recommend=3, comment="Too long <b>"
    )
    page = organizer_client.get(url("feedback_results", event.pk))
    assert page.status_code == 200
    content = text_of(page)
    assert "Too long &lt;b&gt;" in content
    assert "Candid Carla" not in content


# --- the AMA board --------------------------------------------------------------------------


@pytest.fixture
def ama_event(community):
    return EventFactory(community=community, format=EventFormat.AMA, anonymous_questions=True)


def test_the_board_is_for_ama_events_only(member_client, community):
    talk = EventFactory(community=community, format=EventFormat.TALK)
    assert member_client.get(url("ama", talk.pk)).status_code == 404
    assert member_client.get(url("ama_board", talk.pk)).status_code == 404


def test_asking_on_the_board(member_client, member, ama_event):
    response = member_client.post(
        url("ama", ama_event.pk), {"text": "<script>alert(1)</script> Why?"}, follow=True
    )
    assert response.status_code == 200
    assert "&lt;script&gt;" in response.content.decode()
    assert "<script>alert(1)" not in response.content.decode()
    assert AmaQuestion.objects.get().author == member
    short = member_client.post(url("ama", ama_event.pk), {"text": "hi"})
    assert short.status_code == 400
    assert AmaQuestion.objects.count() == 1


def test_an_anonymous_authors_name_appears_nowhere(client, organizer, ama_event):
    author = UserFactory(display_name="Secret Sam", email="sam@example.com")
    client.force_login(author)
    client.post(url("ama", ama_event.pk), {"text": "An anonymous question?", "anonymous": "on"})
    question = AmaQuestion.objects.get()
    assert question.is_anonymous
    client.force_login(organizer)
    for name in ("ama", "ama_board"):
        content = client.get(url(name, ama_event.pk)).content.decode()
        assert "An anonymous question?" in content
        assert "Secret Sam" not in content
        assert "sam@example.com" not in content
        assert f"/people/{author.pk}/" not in content


def test_anonymous_asking_is_refused_when_not_enabled(member_client, community):
    event = EventFactory(community=community, format=EventFormat.AMA, anonymous_questions=False)
    page = member_client.get(url("ama", event.pk))
    assert 'name="anonymous"' not in page.content.decode()
    member_client.post(url("ama", event.pk), {"text": "Named question?", "anonymous": "on"})
    assert not AmaQuestion.objects.get().is_anonymous


def test_voting_returns_the_reordered_board(member_client, ama_event):
    first = ama.ask_question(event=ama_event, author=UserFactory(), text="First question?")
    second = ama.ask_question(event=ama_event, author=UserFactory(), text="Second question?")
    board = member_client.post(url("ama_vote", second.pk), {"value": "up"}, **HTMX)
    assert board.status_code == 200
    content = board.content.decode()
    assert content.index("Second question?") < content.index("First question?")
    assert 'hx-trigger="every 5s"' in content
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.vote_count, second.vote_count) == (0, 1)
    member_client.post(url("ama_vote", second.pk), {"value": "withdraw"}, **HTMX)
    second.refresh_from_db()
    assert second.vote_count == 0
    bad = member_client.post(url("ama_vote", second.pk), {"value": "sideways"}, **HTMX)
    assert bad.status_code == 200
    assert "Choose to vote" in text_of(bad)


def test_moderation_from_the_board(member_client, organizer, ama_event):
    client = Client()
    question = ama.ask_question(event=ama_event, author=UserFactory(), text="Hide me please?")
    refused = member_client.post(url("ama_moderate", question.pk), {"action": "hide"}, **HTMX)
    assert "Only the event&#x27;s hosts" in text_of(refused)
    question.refresh_from_db()
    assert question.status == QuestionStatus.OPEN

    client.force_login(organizer)
    client.post(url("ama_moderate", question.pk), {"action": "hide"}, **HTMX)
    question.refresh_from_db()
    assert question.status == QuestionStatus.HIDDEN
    assert (
        "Hide me please?" not in member_client.get(url("ama_board", ama_event.pk)).content.decode()
    )
    bad = client.post(url("ama_moderate", question.pk), {"action": "delete"})
    assert bad.status_code == 302


def test_the_board_of_an_ended_ama_stops_polling(member_client, community):
    now = timezone.now()
    event = EventFactory(
        community=community,
        format=EventFormat.AMA,
        starts_at=now - timedelta(hours=2),
        ends_at=now - timedelta(hours=1),
    )
    content = member_client.get(url("ama", event.pk)).content.decode()
    assert "hx-trigger" not in content
    assert "the board is closed" in content


# --- costs ----------------------------------------------------------------------------------


def test_cost_lines_screens(organizer_client, community):
    event = past_event(community)
    bad = organizer_client.post(
        url("costs", event.pk), {"category": "venue", "amount": "-3", "currency": "USD"}
    )
    assert bad.status_code == 400
    assert not EventCost.objects.exists()
    organizer_client.post(
        url("costs", event.pk),
        {"category": "venue", "amount": "1200.50", "currency": "usd", "description": "Hall"},
    )
    line = EventCost.objects.get()
    assert str(line.amount) == "1200.50"
    assert line.currency == "USD"
    page = organizer_client.get(url("costs", event.pk))
    assert "1,200.50 USD" in text_of(page)
    edit = organizer_client.get(url("cost_edit", line.pk))
    assert edit.status_code == 200
    organizer_client.post(
        url("cost_edit", line.pk), {"category": "food", "amount": "80", "currency": "EUR"}
    )
    line.refresh_from_db()
    assert (line.category, str(line.amount), line.currency) == ("food", "80.00", "EUR")
    organizer_client.post(url("cost_remove", line.pk))
    assert not EventCost.objects.exists()


def test_a_member_cannot_touch_costs(member_client, community):
    event = past_event(community)
    line = EventCost.objects.create(event=event, category="venue", amount=10)
    assert member_client.get(url("cost_edit", line.pk)).status_code == 403
    assert member_client.post(url("cost_remove", line.pk)).status_code == 403
    assert member_client.post(url("costs", event.pk), {"category": "venue"}).status_code == 403
    assert EventCost.objects.count() == 1
