"""The program calendar over real events, through the calendar source the events app
registers: sister communities' events that clash, a co-hosted one that does not, a group's
meeting, and what never shows (drafts, cancelled events, other programs' events)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from practica.communities.calendar_sources import calendar_sources
from practica.communities.program.calendar_queries import program_calendar
from practica.events.models import EventStatus
from tests.api.clients import API, token_client
from tests.factories.communities import CommunityFactory, GroupFactory, ProgramFactory
from tests.factories.events import EventFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]

HOUR = timedelta(hours=1)
NOON = datetime(2031, 5, 14, 12, 0, tzinfo=UTC)
MAY = (datetime(2031, 5, 1, tzinfo=UTC), datetime(2031, 6, 1, tzinfo=UTC))


@pytest.fixture(autouse=True)
def _events_source_registered():
    assert "event" in {source.key for source in calendar_sources()}


@pytest.fixture
def events(program, ml, ai, outsider):
    reading_group = GroupFactory(community=ml, name="Paper reading")
    joint = EventFactory(community=ai, title="Joint keynote", starts_at=NOON + 24 * HOUR)
    joint.co_hosts.add(ml)
    return {
        "ml_talk": EventFactory(community=ml, title="ML talk", starts_at=NOON),
        "ai_talk": EventFactory(community=ai, title="AI talk", starts_at=NOON + HOUR / 2),
        "joint": joint,
        "ml_meeting": EventFactory(
            community=ml,
            title="Reading group",
            group=reading_group,
            starts_at=NOON + 24 * HOUR,
        ),
        "draft": EventFactory(community=ml, title="Draft", status=EventStatus.DRAFT),
        "cancelled": EventFactory(
            community=ai, title="Cancelled", starts_at=NOON, status=EventStatus.CANCELLED
        ),
        "elsewhere": EventFactory(
            community=CommunityFactory(program=ProgramFactory()), title="Elsewhere", starts_at=NOON
        ),
        "outsider": EventFactory(community=outsider, title="Outsider", starts_at=NOON),
        "group": reading_group,
    }


def test_real_events_on_the_program_calendar(program, ml, ai, events):
    calendar = program_calendar(program, starts=MAY[0], ends=MAY[1])

    by_title = {item.entry.title: item for item in calendar.entries}
    assert set(by_title) == {"ML talk", "AI talk", "Joint keynote", "Reading group"}
    assert [clash.first.entry.title for clash in calendar.clashes] == ["ML talk"]
    assert calendar.clashes[0].second.entry.title == "AI talk"
    # The ML group's meeting and the joint keynote overlap, but ML co-hosts the keynote.
    assert not by_title["Reading group"].is_clash
    assert by_title["Reading group"].entry.group_id == events["group"].pk
    assert by_title["Reading group"].group.name == "Paper reading"
    assert by_title["Joint keynote"].host_names == "Artificial Intelligence, Machine Learning"
    assert by_title["ML talk"].entry.url == reverse("events:detail", args=[events["ml_talk"].pk])


@pytest.mark.usefixtures("ai")
def test_real_events_through_the_page_and_the_api(client, member, program, ml, events):
    client.force_login(member)
    page = client.get(reverse("programs:calendar", args=[program.slug]), {"month": "2031-05"})
    assert page.status_code == 200
    assert "Joint keynote" in page.content.decode()
    listed = client.get(
        reverse("programs:calendar", args=[program.slug]), {"month": "2031-05", "view": "list"}
    ).content.decode()
    assert "Group: Paper reading" in listed
    assert reverse("communities:group", args=[ml.slug, events["group"].slug]) in listed

    body = (
        token_client(member)
        .get(
            f"{API}/programs/{program.slug}/calendar",
            {"start": "2031-05-01", "end": "2031-06-01", "community": "ml"},
        )
        .json()
    )
    assert [entry["title"] for entry in body["entries"]] == [
        "ML talk",
        "Joint keynote",
        "Reading group",
    ]
    assert body["clashes"] == [
        {
            "first": f"event-{events['ml_talk'].pk}",
            "second": f"event-{events['ai_talk'].pk}",
            "overlap_starts": "2031-05-14T12:30:00Z",
            "overlap_ends": "2031-05-14T13:00:00Z",
        }
    ]
