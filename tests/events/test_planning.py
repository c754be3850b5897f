"""The content calendar and the clash check: what clashes with what, how the year is counted
(by each event's own wall clock), the mixes per quarter, gap weeks, and the page behind it."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from practica.communities.models import MembershipRole
from practica.events.models import CadenceTarget, EventFormat, EventStatus
from practica.events.queries.planning import (
    CLASH_SAME_COMMUNITY,
    CLASH_SAME_PROGRAM,
    CLASH_SHARED_HOST,
    clashes_for,
    clashing_events,
    content_calendar,
)
from tests.factories.communities import CommunityFactory, MembershipFactory, ProgramFactory
from tests.factories.core import TopicFactory
from tests.factories.events import EventFactory

pytestmark = pytest.mark.django_db

NOON = datetime(2030, 5, 14, 12, 0, tzinfo=UTC)


def at(start, hours=1, **fields):
    return EventFactory(starts_at=start, ends_at=start + timedelta(hours=hours), **fields)


# --- Clashes -------------------------------------------------------------------------------


def test_overlapping_events_of_the_same_community_clash_and_touching_ones_do_not():
    community = CommunityFactory()
    overlapping = at(NOON + timedelta(minutes=30), community=community)
    draft = at(NOON, community=community, status=EventStatus.DRAFT)
    at(NOON + timedelta(hours=1), community=community)  # starts as the new one ends
    at(NOON - timedelta(hours=1), community=community)  # ends as the new one starts
    at(NOON, community=community, status=EventStatus.CANCELLED)
    at(NOON, community=CommunityFactory())  # someone else's audience

    found = clashing_events(community, NOON, NOON + timedelta(hours=1))

    assert set(found) == {overlapping, draft}


def test_co_hosts_and_programs_share_an_audience():
    program = ProgramFactory()
    community = CommunityFactory(program=program)
    sister = CommunityFactory(program=program)
    partner = CommunityFactory()
    stranger = CommunityFactory()
    in_program = at(NOON, community=sister)
    co_hosted_by_us = at(NOON, community=stranger)
    co_hosted_by_us.co_hosts.add(community)
    partners_own = at(NOON, community=partner)
    at(NOON, community=stranger)

    clashes = clashes_for(community, NOON, NOON + timedelta(hours=1), co_hosts=[partner])

    reasons = {clash.event: clash.reason for clash in clashes}
    assert reasons == {
        in_program: CLASH_SAME_PROGRAM,
        co_hosted_by_us: CLASH_SHARED_HOST,
        partners_own: CLASH_SHARED_HOST,
    }
    assert {clash.reason_label for clash in clashes} == {"same program", "a shared host community"}


def test_the_event_being_edited_does_not_clash_with_itself():
    community = CommunityFactory()
    event = at(NOON, community=community)
    other = at(NOON, community=community)
    clashes = clashes_for(community, NOON, NOON + timedelta(hours=1), exclude=event)
    assert [(clash.event, clash.reason) for clash in clashes] == [(other, CLASH_SAME_COMMUNITY)]
    assert list(clashing_events(community, NOON, NOON + timedelta(hours=1), exclude=other.pk)) == [
        event
    ]


# --- The content calendar ------------------------------------------------------------------


def test_the_year_by_month_with_counts_drafts_and_cancellations():
    community = CommunityFactory()
    talk = at(datetime(2030, 1, 8, 17, tzinfo=UTC), community=community, format=EventFormat.TALK)
    at(datetime(2030, 1, 22, 17, tzinfo=UTC), community=community, status=EventStatus.DRAFT)
    at(datetime(2030, 2, 5, 17, tzinfo=UTC), community=community, status=EventStatus.CANCELLED)
    partner = CommunityFactory(name="Partner")
    co_hosted = at(datetime(2030, 7, 1, 9, tzinfo=UTC), community=partner)
    co_hosted.co_hosts.add(community)
    at(datetime(2031, 1, 8, 17, tzinfo=UTC), community=community)  # next year
    at(datetime(2030, 1, 8, 17, tzinfo=UTC))  # another community

    calendar = content_calendar(community, 2030, now=datetime(2031, 1, 1, tzinfo=UTC))

    assert [month.count for month in calendar.months] == [2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]
    assert len(calendar.months[1].events) == 1  # the cancelled one is shown, not counted
    assert calendar.months[0].events[0].event == talk
    assert calendar.months[6].events[0].co_hosted
    assert (calendar.published, calendar.drafts, calendar.cancelled) == (2, 1, 1)
    assert calendar.planned == 3
    assert calendar.held_so_far == 2
    assert calendar.expected_so_far is None  # not the current year
    assert calendar.quarter_totals == [2, 0, 1, 0]


def test_an_event_counts_on_its_own_wall_clock():
    community = CommunityFactory()
    # 31 Dec 2029 20:00 UTC is already 1 January 2030 in Shanghai.
    at(datetime(2029, 12, 31, 20, tzinfo=UTC), community=community, time_zone="Asia/Shanghai")

    assert content_calendar(community, 2030).months[0].count == 1
    assert content_calendar(community, 2029).planned == 0


def test_the_count_against_the_cadence_target_default_and_own():
    community = CommunityFactory()
    for week in range(3):
        at(datetime(2030, 3, 4, 17, tzinfo=UTC) + timedelta(weeks=week), community=community)

    default = content_calendar(community, 2030)
    assert (default.target_min, default.target_max, default.has_own_target) == (50, 60, False)
    assert default.standing == "below"
    assert default.still_needed == 47
    assert default.target_percent == 6

    CadenceTarget.objects.create(community=community, events_per_year_min=2, events_per_year_max=2)
    above = content_calendar(community, 2030)
    assert above.has_own_target
    assert above.standing == "above"
    CadenceTarget.objects.filter(community=community).update(events_per_year_max=3)
    assert content_calendar(community, 2030).standing == "within"


def test_the_pace_by_today_in_the_current_year():
    community = CommunityFactory()
    CadenceTarget.objects.create(
        community=community, events_per_year_min=52, events_per_year_max=60
    )
    now = datetime(2030, 7, 2, 12, tzinfo=UTC)  # day 182 of 365
    at(datetime(2030, 1, 10, 17, tzinfo=UTC), community=community)
    at(datetime(2030, 9, 10, 17, tzinfo=UTC), community=community)
    with timezone.override(UTC):
        calendar = content_calendar(community, 2030, now=now)
    assert calendar.expected_so_far == 25
    assert calendar.held_so_far == 1


def test_the_format_and_topic_mix_per_quarter():
    community = CommunityFactory()
    vision, nlp = TopicFactory(name="Vision"), TopicFactory(name="NLP")
    first = at(datetime(2030, 2, 1, 17, tzinfo=UTC), community=community, format=EventFormat.TALK)
    first.topics.add(vision, nlp)
    second = at(datetime(2030, 5, 1, 17, tzinfo=UTC), community=community, format=EventFormat.TALK)
    second.topics.add(vision)
    at(datetime(2030, 11, 1, 17, tzinfo=UTC), community=community, format=EventFormat.HACKATHON)

    calendar = content_calendar(community, 2030)

    formats = {row.label: row.per_quarter for row in calendar.format_mix}
    assert formats == {"Talk": [1, 1, 0, 0], "Hackathon": [0, 0, 0, 1]}
    assert calendar.format_mix[0].label == "Talk"  # most first
    topics = {row.label: row.per_quarter for row in calendar.topic_mix}
    assert topics == {"Vision": [1, 1, 0, 0], "NLP": [1, 0, 0, 0], "No topic": [0, 0, 0, 1]}
    assert "Ask me anything" in calendar.formats_missing
    assert "Talk" not in calendar.formats_missing


def test_gap_weeks_are_runs_of_empty_weeks():
    community = CommunityFactory()
    # 2030 starts on a Tuesday: its first week starts on Monday 31 December 2029.
    for day in (date(2030, 1, 2), date(2030, 1, 9), date(2030, 2, 6)):
        at(datetime(day.year, day.month, day.day, 17, tzinfo=UTC), community=community)
    at(datetime(2030, 2, 7, 17, tzinfo=UTC), community=community)  # a second that week

    with timezone.override(UTC):
        calendar = content_calendar(community, 2030, now=datetime(2030, 1, 20, tzinfo=UTC))

    assert calendar.weeks[0].monday == date(2029, 12, 31)
    assert [week.count for week in calendar.weeks[:6]] == [1, 1, 0, 0, 0, 2]
    first_gap = calendar.gaps[0]
    assert (first_gap.first_monday, first_gap.last_sunday, first_gap.weeks) == (
        date(2030, 1, 14),
        date(2030, 2, 3),
        3,
    )
    assert not first_gap.is_past  # it runs past today
    assert calendar.weeks[-1].monday <= date(2030, 12, 31)
    assert calendar.gap_weeks == len(calendar.weeks) - 3


def test_topics_beyond_a_dozen_are_summed_as_other_topics():
    community = CommunityFactory()
    event = at(datetime(2030, 4, 1, 17, tzinfo=UTC), community=community)
    event.topics.add(*[TopicFactory(name=f"Topic {n:02}") for n in range(15)])
    rows = content_calendar(community, 2030).topic_mix
    assert len(rows) == 12
    assert rows[-1].label == "Other topics"
    assert rows[-1].per_quarter == [0, 4, 0, 0]


# --- The page ------------------------------------------------------------------------------


@pytest.fixture
def community():
    return CommunityFactory(name="Machine Learning", slug="machine-learning")


def role_in(community, role):
    return MembershipFactory(community=community, role=role).person


def test_the_calendar_page_is_for_organizers(client, member, community):
    client.force_login(member)
    response = client.get(reverse("events:planning", args=[community.slug]))
    assert response.status_code == 403
    assert (
        "The content calendar is for the community&#x27;s organizers." in response.content.decode()
    )
    client.force_login(role_in(community, MembershipRole.ORGANIZER))
    assert client.get(reverse("events:planning", args=[community.slug])).status_code == 200


def test_the_calendar_page_shows_the_year(client, community):
    talk = at(datetime(2030, 3, 12, 17, tzinfo=UTC), community=community, title="Spring talk")
    talk.topics.add(TopicFactory(name="Vision"))
    at(datetime(2030, 3, 19, 17, tzinfo=UTC), community=community, title="Planned", status="draft")
    client.force_login(role_in(community, MembershipRole.MANAGER))

    html = client.get(
        reverse("events:planning", args=[community.slug]), {"year": 2030}
    ).content.decode()

    assert "Content calendar 2030" in html
    assert "Spring talk" in html
    assert "Planned" in html
    assert "Draft" in html
    assert "target 50–60 a year" in html
    assert "48 more needed to reach the target." in html
    assert "Formats per quarter" in html
    assert "Vision" in html
    assert "Weeks with nothing on" in html
    assert "Nothing planned." in html  # the empty months
    assert 'href="?year=2029"' in html
    assert "Set the community’s own cadence target" in html


def test_a_bad_year_falls_back_to_this_year(client, community):
    client.force_login(role_in(community, MembershipRole.ORGANIZER))
    for year in ("abc", "99999", "-1"):
        response = client.get(reverse("events:planning", args=[community.slug]), {"year": year})
        assert response.status_code == 200
        assert f"Content calendar {timezone.localdate().year}" in response.content.decode()


def test_a_manager_sets_the_cadence_target(client, community):
    client.force_login(role_in(community, MembershipRole.MANAGER))
    url = reverse("events:cadence_target", args=[community.slug])
    response = client.post(f"{url}?year=2030", {"minimum": 40, "maximum": 45})
    assert response.status_code == 302
    assert response["Location"].endswith("?year=2030")
    target = CadenceTarget.objects.get(community=community)
    assert (target.events_per_year_min, target.events_per_year_max) == (40, 45)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"minimum": 10, "maximum": 5}, "The most must be at least the least."),
        ({"minimum": "many", "maximum": 5}, "Enter a whole number."),
        ({"minimum": -1, "maximum": 5}, "Ensure this value is greater than or equal to 0."),
    ],
)
def test_a_bad_target_is_refused_with_a_message(client, community, data, message):
    client.force_login(role_in(community, MembershipRole.MANAGER))
    url = reverse("events:cadence_target", args=[community.slug])
    response = client.post(url, data, follow=True)
    assert message in response.content.decode()
    assert not CadenceTarget.objects.exists()


def test_an_organizer_may_plan_but_not_set_the_target(client, community):
    client.force_login(role_in(community, MembershipRole.ORGANIZER))
    page = client.get(reverse("events:planning", args=[community.slug])).content.decode()
    assert "Save target" not in page
    response = client.post(
        reverse("events:cadence_target", args=[community.slug]),
        {"minimum": 1, "maximum": 2},
        follow=True,
    )
    assert "Only the community&#x27;s managers can set its target." in response.content.decode()
    assert not CadenceTarget.objects.exists()


# --- The time display ----------------------------------------------------------------------


def render_when(event, zone, compact=False):
    template = Template("{% load event_times %}{% event_when event compact=compact %}")
    with timezone.override(zone):
        return template.render(Context({"event": event, "compact": compact}))


def test_event_when_compact_notes_the_events_zone_only_when_it_differs():
    event = EventFactory.build(
        starts_at=datetime(2030, 5, 14, 16, tzinfo=UTC),
        ends_at=datetime(2030, 5, 14, 17, tzinfo=UTC),
        time_zone="America/New_York",
    )
    in_berlin = render_when(event, "Europe/Berlin", compact=True)
    assert "18:00–19:00" in in_berlin
    assert "(12:00–13:00 in America/New York)" in in_berlin
    in_new_york = render_when(event, "America/New_York", compact=True)
    assert "12:00–13:00" in in_new_york
    assert " in America" not in in_new_york
    assert 'datetime="2030-05-14T16:00:00+00:00"' in in_new_york


def test_event_when_spans_midnight_with_both_days():
    event = EventFactory.build(
        starts_at=datetime(2030, 5, 14, 21, tzinfo=UTC),
        ends_at=datetime(2030, 5, 15, 1, tzinfo=UTC),
        time_zone="UTC",
    )
    text = render_when(event, "UTC")
    assert "21:00 – Wed, May 15, 2030 01:00" in text
    unknown_zone = EventFactory.build(
        starts_at=datetime(2030, 5, 14, 21, tzinfo=UTC),
        ends_at=datetime(2030, 5, 14, 22, tzinfo=UTC),
        time_zone="Nowhere/Special",
    )
    assert "UTC" in render_when(unknown_zone, "UTC")


def test_the_calendar_shows_each_event_on_its_own_day_whatever_the_viewers_zone(client, community):
    # 20:00 UTC on 31 March is 16:00 that day in New York but 04:00 on 1 April in Shanghai.
    at(
        datetime(2030, 3, 31, 20, tzinfo=UTC),
        community=community,
        title="Late talk",
        time_zone="America/New_York",
    )
    manager = role_in(community, MembershipRole.MANAGER)
    manager.time_zone = "Asia/Shanghai"
    manager.save()
    client.force_login(manager)
    html = client.get(
        reverse("events:planning", args=[community.slug]), {"year": 2030}
    ).content.decode()
    assert 'title="Sun 31 Mar, 16:00 America/New_York">31</span>' in html
