"""A grassroots group's meetings: who schedules them, the group on every activity about them,
the group's calendar page and feed, the `event` calendar source, the clash check across sister
communities of a program, and the API."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from practica.communities.calendar_sources import calendar_sources
from practica.communities.models import Access, GroupRole, MembershipRole
from practica.core.models import Activity, ActivityKind
from practica.events.calendar_source import EventCalendarSource
from practica.events.forms.events import EventForm
from practica.events.models import Event, EventHost, EventMode, EventStatus, SpeakerRole
from practica.events.permissions import can_manage_event, can_schedule_for_group, can_schedule_in
from practica.events.queries.group_meetings import group_meetings
from practica.events.queries.planning import (
    CLASH_SAME_COMMUNITY,
    CLASH_SAME_PROGRAM,
    CLASH_SHARED_HOST,
    clashes_for,
)
from practica.events.services import attendance
from practica.events.services.calendar_feeds import issue_calendar_token
from practica.events.services.events import create_event, update_event
from practica.events.services.feedback import submit_feedback
from practica.events.services.registration import register_for_event
from tests.events.api_helpers import call, client_for
from tests.factories.communities import (
    CommunityFactory,
    GroupFactory,
    GroupMembershipFactory,
    MembershipFactory,
    ProgramFactory,
)
from tests.factories.events import EventFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]

START = datetime(2030, 3, 5, 16, 0, tzinfo=UTC)


@pytest.fixture
def community():
    return CommunityFactory(name="Machine Learning", slug="ml")


@pytest.fixture
def group(community):
    return GroupFactory(community=community, name="Reading group", slug="reading")


@pytest.fixture
def owner(group):
    person = MembershipFactory(community=group.community).person
    GroupMembershipFactory(group=group, person=person, role=GroupRole.OWNER)
    return person


def in_group(group, role=GroupRole.MEMBER):
    person = MembershipFactory(community=group.community).person
    GroupMembershipFactory(group=group, person=person, role=role)
    return person


def meeting(group, actor, **overrides):
    values = {
        "title": "Session 5: attention",
        "starts_at": START,
        "ends_at": START + timedelta(hours=1),
        "time_zone": "Europe/Berlin",
        "group": group,
    }
    return create_event(community=group.community, actor=actor, **values | overrides)


def at(start, hours=1, **fields):
    return EventFactory(starts_at=start, ends_at=start + timedelta(hours=hours), **fields)


# --- Who schedules a group's meetings -------------------------------------------------------


def test_a_groups_owner_schedules_its_meeting(group, owner):
    event = meeting(group, owner, publish=True)

    assert (event.group, event.community, event.status) == (group, group.community, "published")
    assert can_manage_event(owner, event)
    assert can_schedule_in(owner, group.community)


def test_the_communitys_organizers_schedule_for_any_group(community, group, organizer):
    assert meeting(group, organizer).group == group
    assert can_schedule_for_group(organizer, group)


def test_a_group_member_who_does_not_own_it_may_not(group):
    member = in_group(group)

    with pytest.raises(PermissionDenied, match="owners of Reading group"):
        meeting(group, member)

    assert not Event.objects.exists()
    assert not can_schedule_in(member, group.community)


def test_an_owner_may_not_schedule_a_community_event_without_the_group(group, owner):
    with pytest.raises(PermissionDenied):
        create_event(
            community=group.community,
            actor=owner,
            title="Not a meeting",
            starts_at=START,
            ends_at=START + timedelta(hours=1),
            time_zone="UTC",
        )


def test_an_archived_group_has_no_new_meetings(group, owner):
    group.archived_at = timezone.now()
    group.save()

    with pytest.raises(ValidationError) as refused:
        meeting(group, owner)

    assert "archived" in refused.value.message_dict["group"][0]
    assert not can_schedule_for_group(owner, group)


def test_another_communitys_group_is_refused(community, organizer):
    other = GroupFactory()

    with pytest.raises(ValidationError) as refused:
        create_event(
            community=community,
            actor=organizer,
            title="Crossed wires",
            starts_at=START,
            ends_at=START + timedelta(hours=1),
            time_zone="UTC",
            group=other,
        )

    assert "another community" in refused.value.message_dict["group"][0]


def test_moving_a_meeting_to_a_group_one_does_not_own_is_refused(community, group, owner):
    event = meeting(group, owner)
    theirs = GroupFactory(community=community)

    with pytest.raises(PermissionDenied):
        update_event(event=event, actor=owner, group=theirs)

    event.refresh_from_db()
    assert event.group == group


def test_an_owner_may_not_turn_a_meeting_into_a_community_event(community, group, owner):
    """Only the community's organizers schedule community events: a group's owner, who edits
    the group's meetings, must not get one by clearing the group of a meeting."""
    event = meeting(group, owner)

    with pytest.raises(PermissionDenied):
        update_event(event=event, actor=owner, title="Community-wide now", group=None)
    refused = call(client_for(owner), "patch", f"/events/{event.pk}", {"group": None})

    assert refused.status_code == 403
    event.refresh_from_db()
    assert (event.group, event.title) == (group, "Session 5: attention")
    organizer = MembershipFactory(community=community, role=MembershipRole.ORGANIZER).person
    updated = update_event(event=event, actor=organizer, title="Session 5, moved", group=None)
    assert (updated.group, updated.title) == (None, "Session 5, moved")


def test_a_former_owner_no_longer_manages_the_meetings(group, owner):
    event = meeting(group, owner)
    group.memberships.filter(person=owner).update(left_at=timezone.now())
    owner.__dict__.pop("_hosted_events", None)

    assert not can_manage_event(owner, Event.objects.get(pk=event.pk))


# --- The group on every activity about its meetings -----------------------------------------


def test_activities_about_a_groups_meeting_carry_the_group(group, owner):
    now = timezone.now()
    event = EventFactory(
        community=group.community,
        group=group,
        mode=EventMode.IN_PERSON,
        venue_city="Zurich",
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(minutes=50),
    )
    speaker, attendee = in_group(group), in_group(group)
    EventHost.objects.create(event=event, person=speaker, role=SpeakerRole.SPEAKER)
    EventHost.objects.create(event=event, person=owner, role=SpeakerRole.HOST, position=1)

    registration = register_for_event(event=event, person=attendee)
    attendance.check_in(registration=registration, actor=owner)
    attendance.close_attendance(event=event, actor=owner)
    submit_feedback(event=event, person=attendee, satisfaction=5)

    rows = Activity.objects.filter(subject_id=event.pk)
    kinds = {
        ActivityKind.REGISTERED,
        ActivityKind.ATTENDED,
        ActivityKind.PRESENTED,
        ActivityKind.HOSTED,
        ActivityKind.GAVE_FEEDBACK,
    }
    assert set(rows.values_list("kind", flat=True)) == kinds
    assert all(row.data["group"] == group.pk for row in rows)


def test_activities_about_a_community_event_name_no_group(community, member):
    event = EventFactory(community=community)

    register_for_event(event=event, person=member)

    assert "group" not in Activity.objects.get(kind=ActivityKind.REGISTERED).data


# --- The calendar source --------------------------------------------------------------------


def test_events_register_the_event_calendar_source():
    assert [source.key for source in calendar_sources()].count("event") == 1


def test_the_source_gives_published_events_hosted_or_co_hosted_in_the_window(community, group):
    partner = CommunityFactory(name="AI")
    stranger = CommunityFactory()
    ours = at(START, community=community, group=group, format="study_session")
    ours.co_hosts.add(partner, stranger)
    co_hosted = at(START + timedelta(hours=2), community=stranger, venue_city="Berlin")
    co_hosted.co_hosts.add(community)
    co_hosted.mode = EventMode.IN_PERSON
    co_hosted.save()
    at(START, community=community, status=EventStatus.DRAFT)
    at(START, community=community, status=EventStatus.CANCELLED)
    at(START - timedelta(days=2), community=community)  # before the window
    at(START, community=stranger)  # nobody asked about its host

    entries = EventCalendarSource().entries(
        community_ids=[community.pk],
        starts=START - timedelta(hours=1),
        ends=START + timedelta(days=1),
    )

    assert [entry.object_id for entry in entries] == [ours.pk, co_hosted.pk]
    first, second = entries
    assert (first.source, first.community_id, first.group_id) == ("event", community.pk, group.pk)
    assert set(first.co_host_ids) == {partner.pk, stranger.pk}
    assert first.kind_label == "Study session"
    assert first.location == "Online"
    assert first.url == reverse("events:detail", args=[ours.pk])
    assert (first.starts_at, first.ends_at) == (ours.starts_at, ours.ends_at)
    assert (second.community_id, second.co_host_ids, second.group_id) == (
        stranger.pk,
        (community.pk,),
        None,
    )
    assert second.location == "Berlin"


def test_the_source_answers_nothing_for_no_communities_or_an_empty_window(community):
    at(START, community=community)
    source = EventCalendarSource()
    assert source.entries(community_ids=[], starts=START, ends=START + timedelta(days=1)) == []
    assert source.entries(community_ids=[community.pk], starts=START, ends=START) == []


# --- Clashes across sister communities ------------------------------------------------------


def test_sister_communities_events_clash_hosted_or_co_hosted(community):
    program = ProgramFactory(name="Worldwide Communities")
    community.program = program
    community.save()
    sister = CommunityFactory(name="AI", program=program)
    outsider = CommunityFactory()
    hosted_by_sister = at(START, community=sister)
    co_hosted_by_sister = at(START, community=outsider)
    co_hosted_by_sister.co_hosts.add(sister)
    sister_with_us = at(START, community=sister)
    sister_with_us.co_hosts.add(community)
    group_meeting = at(START, community=community, group=GroupFactory(community=community))
    at(START, community=outsider)
    at(START + timedelta(hours=1), community=sister)  # touches, does not overlap

    clashes = clashes_for(community, START, START + timedelta(hours=1))

    assert {clash.event: clash.reason for clash in clashes} == {
        hosted_by_sister: CLASH_SAME_PROGRAM,
        co_hosted_by_sister: CLASH_SAME_PROGRAM,
        sister_with_us: CLASH_SHARED_HOST,
        group_meeting: CLASH_SAME_COMMUNITY,
    }


def test_outside_a_program_no_sister_clashes(community):
    at(START, community=CommunityFactory(program=ProgramFactory()))
    assert clashes_for(community, START, START + timedelta(hours=1)) == []


# --- The group's calendar page and feed ----------------------------------------------------


def calendar_url(group):
    return reverse(
        "events:group_calendar", kwargs={"community": group.community.slug, "group": group.slug}
    )


def test_the_group_calendar_shows_upcoming_and_past_meetings(client, group, owner):
    now = timezone.now()
    upcoming = at(now + timedelta(days=3), community=group.community, group=group, title="Next")
    past = at(now - timedelta(days=30), community=group.community, group=group, title="Earlier")
    draft = at(now + timedelta(days=9), community=group.community, group=group, title="Planned")
    draft.status = EventStatus.DRAFT
    draft.save()
    at(now + timedelta(days=3), community=group.community, title="Not the group's")
    member = in_group(group)

    client.force_login(member)
    html = client.get(calendar_url(group)).content.decode()
    assert "Next" in html
    assert "Earlier" in html
    assert "Planned" not in html
    assert "Not the group&#x27;s" not in html
    assert "Schedule a meeting" not in html
    assert "1 meeting in the last year." in html

    client.force_login(owner)
    page = client.get(calendar_url(group))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Planned" in html
    schedule = reverse("events:schedule", args=[group.community.slug])
    assert f"{schedule}?group=reading" in html
    meetings = group_meetings(group, owner)
    assert (meetings.upcoming, list(meetings.past)) == ([upcoming, draft], [past])


def test_the_group_calendar_links_the_feed_once_the_member_has_one(client, group, owner):
    token = issue_calendar_token(person=owner, actor=owner)
    at(timezone.now() + timedelta(days=3), community=group.community, group=group, title="Next")
    client.force_login(owner)

    html = client.get(calendar_url(group)).content.decode()

    feed = reverse(
        "events:feed_group", kwargs={"secret": token.secret, "community": "ml", "group": "reading"}
    )
    assert feed in html
    response = client.get(feed)
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content.decode())
    assert [str(vevent["SUMMARY"]) for vevent in calendar.walk("VEVENT")] == ["Next"]
    feeds_page = client.get(reverse("events:calendar_feeds")).content.decode()
    assert feed in feeds_page


def test_an_empty_calendar_invites_the_owner_to_schedule(client, group, owner):
    client.force_login(owner)
    html = client.get(calendar_url(group)).content.decode()
    assert "No meeting scheduled" in html
    assert "Schedule a meeting" in html


def test_unknown_groups_are_404_and_closed_communities_groups_403(client, community, group):
    client.force_login(UserFactory())
    unknown = reverse("events:group_calendar", kwargs={"community": "ml", "group": "nope"})
    assert client.get(unknown).status_code == 404
    community.access = Access.CLOSED
    community.save()
    assert client.get(calendar_url(group)).status_code == 403
    bad_secret = reverse(
        "events:feed_group", kwargs={"secret": "nope", "community": "ml", "group": "reading"}
    )
    assert client.get(bad_secret).status_code == 404


# --- The scheduling form for a group's owner ------------------------------------------------


def form_data(**overrides):
    data = {
        "title": "Session 6: transformers",
        "format": "study_session",
        "time_zone": "Europe/Berlin",
        "starts_at": "2030-06-03T18:00",
        "ends_at": "2030-06-03T19:30",
        "mode": "online",
        "online_url": "https://meet.example.com/reading",
        "offer_minutes": "1440",
    }
    return data | overrides


def test_an_owner_schedules_the_groups_meeting_from_the_form(client, group, owner):
    client.force_login(owner)
    url = reverse("events:schedule", args=["ml"])

    page = client.get(url, {"group": "reading"})
    assert page.status_code == 200
    assert 'name="group"' in page.content.decode()
    assert reverse("events:planning", args=["ml"]) not in page.content.decode()

    response = client.post(url, form_data(group="reading", publish="1"))

    event = Event.objects.get()
    assert response.status_code == 302, response.content.decode()[:2000]
    assert (event.group, event.status) == (group, EventStatus.PUBLISHED)
    detail = client.get(reverse("events:detail", args=[event.pk])).content.decode()
    assert calendar_url(group) in detail


def test_an_owner_must_name_one_of_their_groups(client, community, group, owner):
    theirs = GroupFactory(community=community, slug="theirs")
    client.force_login(owner)
    url = reverse("events:schedule", args=["ml"])

    missing = client.post(url, form_data())
    other = client.post(url, form_data(group=theirs.slug))

    assert missing.status_code == other.status_code == 422
    assert "Choose the group whose meeting this is." in missing.content.decode()
    assert "Choose one of the groups listed." in other.content.decode()
    assert not Event.objects.exists()


def test_the_form_offers_an_owner_only_their_open_groups(community, group, owner, organizer):
    GroupFactory(community=community, slug="theirs")
    archived = GroupFactory(community=community, slug="done", archived_at=timezone.now())
    GroupMembershipFactory(group=archived, person=owner, role=GroupRole.OWNER)

    mine = EventForm(community=community, user=owner).fields["group"]
    everyone = EventForm(community=community, user=organizer).fields["group"]

    assert [g.slug for g in mine.queryset] == ["reading"]
    assert mine.required
    assert [g.slug for g in everyone.queryset] == ["reading", "theirs"]
    assert not everyone.required


def test_an_owner_edits_the_meeting_and_the_group_stays(client, group, owner):
    event = meeting(group, owner)
    client.force_login(owner)

    response = client.post(
        reverse("events:edit", args=[event.pk]), form_data(group="reading", title="Renamed")
    )

    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.group) == ("Renamed", group)


def test_a_plain_member_still_gets_the_forbidden_page(client, group):
    client.force_login(in_group(group))
    assert client.get(reverse("events:schedule", args=["ml"])).status_code == 403


# --- API ------------------------------------------------------------------------------------


def new_event(**changes):
    starts = timezone.now() + timedelta(days=10)
    return {
        "title": "Session 7",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1)).isoformat(),
        "time_zone": "Europe/Berlin",
        "online_url": "https://meet.example.com/reading",
        **changes,
    }


def test_an_owner_schedules_a_meeting_through_the_api(group, owner):
    response = call(client_for(owner), "post", "/communities/ml/events", new_event(group="reading"))

    assert response.status_code == 201, response.content
    assert response.json()["group"] == {"id": group.pk, "slug": "reading", "name": "Reading group"}
    assert Event.objects.get().group == group


def test_the_api_refuses_members_unknown_and_archived_groups(community, group, owner):
    member = in_group(group)
    assert (
        call(
            client_for(member), "post", "/communities/ml/events", new_event(group="reading")
        ).status_code
        == 403
    )
    assert call(client_for(owner), "post", "/communities/ml/events", new_event()).status_code == 403
    unknown = call(client_for(owner), "post", "/communities/ml/events", new_event(group="nope"))
    assert unknown.status_code == 422
    assert "group" in unknown.json()["errors"]
    group.archived_at = timezone.now()
    group.save()
    organizer = MembershipFactory(community=community, role=MembershipRole.ORGANIZER).person
    archived = call(
        client_for(organizer), "post", "/communities/ml/events", new_event(group="reading")
    )
    assert archived.status_code == 422
    assert not Event.objects.exists()


def test_the_api_moves_a_meeting_between_groups(community, group, organizer):
    event = meeting(group, organizer)
    GroupFactory(community=community, slug="study")

    moved = call(client_for(organizer), "patch", f"/events/{event.pk}", {"group": "study"})
    cleared = call(client_for(organizer), "patch", f"/events/{event.pk}", {"group": None})

    assert moved.status_code == 200
    assert moved.json()["group"]["slug"] == "study"
    assert cleared.json()["group"] is None


def test_the_api_lists_a_groups_meetings(group, owner):
    now = timezone.now()
    upcoming = at(now + timedelta(days=2), community=group.community, group=group)
    past = at(now - timedelta(days=2), community=group.community, group=group)
    at(now + timedelta(days=2), community=group.community)
    client = client_for(in_group(group))

    listed = call(client, "get", "/communities/ml/groups/reading/events")
    earlier = call(client, "get", "/communities/ml/groups/reading/events", {"when": "past"})
    every = call(client, "get", "/communities/ml/groups/reading/events", {"when": "all"})

    assert [item["id"] for item in listed.json()["items"]] == [upcoming.pk]
    assert [item["id"] for item in earlier.json()["items"]] == [past.pk]
    assert every.json()["count"] == 2
    assert call(client, "get", "/communities/ml/groups/nope/events").status_code == 404
    assert (
        call(client, "get", "/communities/ml/groups/reading/events", {"when": "soon"}).status_code
        == 422
    )


def clash_query(**changes):
    return {
        "starts_at": START.isoformat(),
        "ends_at": (START + timedelta(hours=1)).isoformat(),
        **changes,
    }


def test_the_clash_check_reports_sister_communities(community, organizer):
    program = ProgramFactory()
    community.program = program
    community.save()
    sister = CommunityFactory(name="AI", program=program, slug="ai")
    theirs = at(START, community=sister, title="AI keynote")

    response = call(client_for(organizer), "get", "/communities/ml/event-clashes", clash_query())

    assert response.status_code == 200
    [clash] = response.json()
    assert clash["event"]["id"] == theirs.pk
    assert clash["event"]["community"]["slug"] == "ai"
    assert (clash["reason"], clash["reason_label"]) == ("program", "same program")
    with_sister = call(
        client_for(organizer), "get", "/communities/ml/event-clashes", clash_query(co_hosts=["ai"])
    )
    assert with_sister.json()[0]["reason"] == "co_host"


def test_a_sister_communitys_draft_clashes_without_showing_its_title_to_outsiders(
    community, organizer, owner, group
):
    program = ProgramFactory()
    community.program = program
    community.save()
    sister = CommunityFactory(name="AI", program=program, slug="ai")
    draft = at(START, community=sister, title="Secret reorg town hall", status=EventStatus.DRAFT)

    response = call(client_for(owner), "get", "/communities/ml/event-clashes", clash_query())

    [clash] = response.json()
    assert clash["event"]["id"] == draft.pk
    assert "Secret" not in clash["event"]["title"]
    assert clash["event"]["title"] == "A draft event of AI"
    browser = Client()
    browser.force_login(owner)
    live = browser.get(
        "/events/communities/ml/clashes/",
        {
            "starts_at": f"{START:%Y-%m-%dT%H:%M}",
            "ends_at": f"{START + timedelta(hours=1):%Y-%m-%dT%H:%M}",
            "time_zone": "UTC",
        },
    )
    assert live.status_code == 200
    assert b"A draft event of AI" in live.content
    assert b"Secret reorg" not in live.content
    sister_organizer = UserFactory()
    MembershipFactory(community=sister, person=sister_organizer, role="organizer")
    MembershipFactory(community=community, person=sister_organizer, role="organizer")
    theirs = call(
        client_for(sister_organizer), "get", "/communities/ml/event-clashes", clash_query()
    )
    assert theirs.json()[0]["event"]["title"] == "Secret reorg town hall"


def test_the_clash_check_validates_and_is_for_schedulers(community, group, owner, organizer):
    client = client_for(organizer)
    inverted = clash_query(ends_at=(START - timedelta(hours=1)).isoformat())
    too_long = clash_query(ends_at=(START + timedelta(days=40)).isoformat())
    assert call(client, "get", "/communities/ml/event-clashes", inverted).status_code == 422
    assert call(client, "get", "/communities/ml/event-clashes", too_long).status_code == 422
    naive = clash_query(starts_at="2030-03-05T16:00:00")
    assert call(client, "get", "/communities/ml/event-clashes", naive).status_code == 422
    unknown_host = clash_query(co_hosts=["nope"])
    assert call(client, "get", "/communities/ml/event-clashes", unknown_host).status_code == 422
    assert (
        call(client_for(owner), "get", "/communities/ml/event-clashes", clash_query()).status_code
        == 200
    )
    member = client_for(in_group(group))
    assert call(member, "get", "/communities/ml/event-clashes", clash_query()).status_code == 403
    missing = clash_query(event_id=999_999)
    assert call(client, "get", "/communities/ml/event-clashes", missing).status_code == 404
