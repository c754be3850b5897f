"""Calendar feeds: the token's life (issue, rotate, revoke), what each feed holds for whom, and
that a forged, revoked or malformed address is a 404, never a 500."""

from datetime import timedelta

import icalendar
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from practica.events.calendar import event_uid
from practica.events.models import CalendarToken, EventHost, EventStatus, RegistrationStatus
from practica.events.services.calendar_feeds import (
    UnknownCalendarToken,
    issue_calendar_token,
    live_calendar_token,
    person_for_calendar_token,
    revoke_calendar_token,
    rotate_calendar_token,
)
from tests.concurrency import postgres_only, run_concurrently
from tests.factories.communities import CommunityFactory, MembershipFactory, ProgramFactory
from tests.factories.events import EventFactory, RegistrationFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    return UserFactory(display_name="Ada Lovelace")


@pytest.fixture
def token(member):
    return issue_calendar_token(person=member, actor=member)


def feed(client, name, token, **kwargs):
    return client.get(reverse(f"events:{name}", kwargs={"secret": token.secret, **kwargs}))


def parsed(response) -> icalendar.Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content.decode())


def uids(response) -> set[str]:
    return {str(vevent["UID"]) for vevent in parsed(response).walk("VEVENT")}


def vevent_of(response, event) -> icalendar.Event:
    return next(v for v in parsed(response).walk("VEVENT") if str(v["UID"]) == event_uid(event))


# --- The token ------------------------------------------------------------------------------


def test_issuing_is_idempotent_and_the_secret_is_long_and_random(member):
    first = issue_calendar_token(person=member, actor=member)
    again = issue_calendar_token(person=member, actor=member)
    assert first.pk == again.pk
    assert len(first.secret) >= 40
    other = UserFactory()
    assert issue_calendar_token(person=other, actor=other).secret != first.secret
    assert person_for_calendar_token(secret=first.secret) == member


def test_rotating_revokes_the_old_address_at_once(member, token):
    new = rotate_calendar_token(person=member, actor=member)
    assert new.secret != token.secret
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert live_calendar_token(member) == new
    with pytest.raises(UnknownCalendarToken):
        person_for_calendar_token(secret=token.secret)
    assert person_for_calendar_token(secret=new.secret) == member


def test_revoking_turns_the_feeds_off_and_is_idempotent(member, token):
    assert revoke_calendar_token(person=member, actor=member) == 1
    assert revoke_calendar_token(person=member, actor=member) == 0
    assert live_calendar_token(member) is None
    with pytest.raises(UnknownCalendarToken):
        person_for_calendar_token(secret=token.secret)
    # A fresh one can be issued after.
    assert issue_calendar_token(person=member, actor=member).secret != token.secret


def test_only_the_member_or_staff_manage_the_token(member, token):
    other = UserFactory()
    for action in (issue_calendar_token, rotate_calendar_token, revoke_calendar_token):
        with pytest.raises(PermissionDenied):
            action(person=member, actor=other)
    staff = UserFactory(is_staff=True)
    assert revoke_calendar_token(person=member, actor=staff) == 1
    assert live_calendar_token(member) is None


def test_an_inactive_member_gets_no_token_and_their_feeds_stop(member, token):
    member.is_active = False
    member.save(update_fields=["is_active"])
    with pytest.raises(UnknownCalendarToken):
        person_for_calendar_token(secret=token.secret)
    with pytest.raises(ValidationError):
        rotate_calendar_token(person=member, actor=UserFactory(is_staff=True))


@pytest.mark.parametrize(
    "secret", ["", "short", "x" * 65, "../../etc/passwd", "a b c d e f g h i j k l m n o p", None]
)
def test_malformed_secrets_are_refused_without_a_query(secret, django_assert_num_queries):
    with django_assert_num_queries(0), pytest.raises(UnknownCalendarToken):
        person_for_calendar_token(secret=secret)


def test_two_live_tokens_are_impossible(member, token):
    with pytest.raises(IntegrityError):
        CalendarToken.objects.create(person=member, secret="another-secret-that-is-long-enough")


def test_use_is_recorded_at_most_hourly(member, token, django_assert_num_queries):
    person_for_calendar_token(secret=token.secret)
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    with django_assert_num_queries(1):  # the lookup only, no write
        person_for_calendar_token(secret=token.secret)
    CalendarToken.objects.filter(pk=token.pk).update(last_used_at=first_use - timedelta(hours=2))
    person_for_calendar_token(secret=token.secret)
    token.refresh_from_db()
    assert token.last_used_at > first_use - timedelta(hours=2)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_issuing_at_once_from_many_requests_gives_one_token():
    person = UserFactory()
    results = []
    errors = run_concurrently(
        [lambda: results.append(issue_calendar_token(person=person, actor=person))] * 8
    )
    assert errors == []
    assert len({token.pk for token in results}) == 1
    assert CalendarToken.objects.filter(person=person).count() == 1


# --- What the feeds hold --------------------------------------------------------------------


@pytest.fixture
def world(member):
    """Events around `member`: ones they hold a seat at, wait for, host, cancelled, and not."""
    program = ProgramFactory(name="Communities of Practice", slug="cop")
    ml = CommunityFactory(name="Machine Learning", slug="ml", program=program)
    nlp = CommunityFactory(name="NLP", slug="nlp", program=program)
    outside = CommunityFactory(name="Chess", slug="chess")
    MembershipFactory(community=ml, person=member)
    events = {
        "seated": EventFactory(community=ml, online_url="https://meet.example.com/seated"),
        "waiting": EventFactory(community=ml, online_url="https://meet.example.com/waiting"),
        "hosting": EventFactory(community=nlp, online_url="https://meet.example.com/hosting"),
        "cancelled": EventFactory(community=nlp, status=EventStatus.CANCELLED, sequence=1),
        "dropped": EventFactory(community=ml),
        "other": EventFactory(community=outside, online_url="https://meet.example.com/other"),
        "draft": EventFactory(community=ml, status=EventStatus.DRAFT),
        "co_hosted": EventFactory(community=outside),
        "ancient": EventFactory(
            community=ml,
            starts_at=timezone.now() - timedelta(days=800),
            ends_at=timezone.now() - timedelta(days=800) + timedelta(hours=1),
        ),
    }
    events["co_hosted"].co_hosts.add(ml)
    RegistrationFactory(event=events["seated"], person=member)
    RegistrationFactory(
        event=events["waiting"],
        person=member,
        status=RegistrationStatus.WAITLISTED,
        waitlist_position=1,
    )
    EventHost.objects.create(event=events["hosting"], person=member, role="host")
    RegistrationFactory(event=events["cancelled"], person=member)
    RegistrationFactory(event=events["dropped"], person=member, status=RegistrationStatus.CANCELLED)
    RegistrationFactory(event=events["draft"], person=member)
    RegistrationFactory(event=events["ancient"], person=member)
    RegistrationFactory(event=events["other"])  # someone else's seat
    return {"program": program, "ml": ml, "nlp": nlp, **events}


def test_my_feed_holds_my_events_only(client, token, world):
    response = feed(client, "feed_mine", token)
    assert uids(response) == {
        event_uid(world[name]) for name in ("seated", "waiting", "hosting", "cancelled")
    }
    calendar = parsed(response)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "My events · Practica"
    assert response["Cache-Control"].startswith("private")
    assert str(vevent_of(response, world["waiting"])["STATUS"]) == "TENTATIVE"
    cancelled = vevent_of(response, world["cancelled"])
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert cancelled.decoded("SEQUENCE") == 1
    assert str(vevent_of(response, world["seated"])["STATUS"]) == "CONFIRMED"


def test_the_online_link_is_there_only_for_a_seat_or_hosting(client, token, world):
    text = feed(client, "feed_all", token).content.decode()
    assert "https://meet.example.com/seated" in text
    assert "https://meet.example.com/hosting" in text
    assert "https://meet.example.com/waiting" not in text
    assert "https://meet.example.com/other" not in text


def test_a_community_feed_holds_what_it_hosts_and_co_hosts(client, token, world):
    response = feed(client, "feed_community", token, slug="ml")
    assert uids(response) == {
        event_uid(world[name]) for name in ("seated", "waiting", "dropped", "co_hosted")
    }
    assert str(parsed(response)["X-WR-CALNAME"]) == "Machine Learning events · Practica"


def test_a_program_feed_holds_every_community_of_the_program(client, token, world):
    response = feed(client, "feed_program", token, slug="cop")
    expected = ("seated", "waiting", "hosting", "cancelled", "dropped", "co_hosted")
    assert uids(response) == {event_uid(world[name]) for name in expected}


def test_the_all_feed_holds_every_listed_event_of_the_last_year_on(client, token, world):
    response = feed(client, "feed_all", token)
    expected = ("seated", "waiting", "hosting", "cancelled", "dropped", "other", "co_hosted")
    assert uids(response) == {event_uid(world[name]) for name in expected}


def test_a_feed_is_read_in_few_queries(client, token, world, django_assert_max_num_queries):
    for _ in range(10):
        EventFactory(community=world["ml"])
    with django_assert_max_num_queries(9):
        feed(client, "feed_all", token)


def test_a_feed_speaks_the_members_language(client, token, member, world):
    member.preferred_language = "zh-hans"
    member.save(update_fields=["preferred_language"])
    response = feed(client, "feed_mine", token)
    assert response.status_code == 200
    assert parsed(response).walk("VEVENT")


def test_a_feed_needs_no_session_and_records_its_use(client, token, world):
    client.logout()
    assert feed(client, "feed_mine", token).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("name", ["feed_mine", "feed_all"])
def test_forged_revoked_and_malformed_addresses_are_404(client, member, token, name):
    url = reverse(f"events:{name}", kwargs={"secret": "A" * 43})
    assert client.get(url).status_code == 404
    for bad in ("x", "%00%00", "a" * 300, "Ünïcödé-secret-of-enough-length-xxxxxxxxx"):
        response = client.get(f"/events/feeds/{bad}/mine.ics")
        assert response.status_code == 404
    revoke_calendar_token(person=member, actor=member)
    assert feed(client, name, token).status_code == 404


def test_unknown_community_or_program_is_404(client, token):
    assert feed(client, "feed_community", token, slug="nope").status_code == 404
    assert feed(client, "feed_program", token, slug="nope").status_code == 404


def test_a_bad_token_with_a_real_community_is_still_404(client, world):
    url = reverse("events:feed_community", kwargs={"secret": "B" * 43, "slug": "ml"})
    assert client.get(url).status_code == 404


def test_feeds_refuse_writes(client, token):
    url = reverse("events:feed_mine", kwargs={"secret": token.secret})
    assert client.post(url).status_code == 405


# --- The member's page ---------------------------------------------------------------------


def test_the_page_offers_to_create_addresses_first(client, member):
    client.force_login(member)
    response = client.get(reverse("events:calendar_feeds"))
    assert response.status_code == 200
    assert b"No feed addresses yet" in response.content
    assert reverse("events:calendar_issue").encode() in response.content


def test_creating_shows_the_addresses_of_my_communities_and_programs(client, member, world):
    client.force_login(member)
    response = client.post(reverse("events:calendar_issue"), follow=True)
    assert response.status_code == 200
    token = live_calendar_token(member)
    assert token is not None
    page = response.content.decode()
    assert f"http://testserver/events/feeds/{token.secret}/mine.ics" in page
    assert f"webcal://testserver/events/feeds/{token.secret}/all.ics" in page
    assert f"/events/feeds/{token.secret}/community/ml.ics" in page
    assert f"/events/feeds/{token.secret}/program/cop.ics" in page
    assert "/community/nlp.ics" not in page  # not a member there
    assert "Your calendar feed addresses are ready" in page


def test_renewing_and_turning_off_from_the_page(client, member, token):
    client.force_login(member)
    response = client.post(reverse("events:calendar_rotate"), follow=True)
    assert "the old ones no longer work" in response.content.decode()
    new = live_calendar_token(member)
    assert new.secret != token.secret
    assert new.secret in response.content.decode()
    assert token.secret not in response.content.decode()
    response = client.post(reverse("events:calendar_revoke"), follow=True)
    assert live_calendar_token(member) is None
    assert b"No feed addresses yet" in response.content


def test_the_page_and_its_buttons_need_sign_in_and_post(client, member):
    for name in ("calendar_feeds", "calendar_issue", "calendar_rotate", "calendar_revoke"):
        response = client.get(reverse(f"events:{name}"))
        assert response.status_code == 302
        assert "sign-in" in response["Location"]
    client.force_login(member)
    for name in ("calendar_issue", "calendar_rotate", "calendar_revoke"):
        assert client.get(reverse(f"events:{name}")).status_code == 405
    assert live_calendar_token(member) is None


def test_an_inactive_member_cannot_create_addresses(client, member):
    client.force_login(member)
    member.is_active = False
    member.save(update_fields=["is_active"])
    client.post(reverse("events:calendar_issue"))
    assert live_calendar_token(member) is None
