"""The program API: directory, communities, calendar (window validation), dashboard, management,
and the OpenAPI schema."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from practica.communities.models import MembershipRole
from practica.core.models import AuditLogEntry
from tests.api.clients import API, token_client
from tests.factories.communities import (
    CommunityFactory,
    GroupFactory,
    MembershipFactory,
    ProgramFactory,
)
from tests.factories.people import UserFactory
from tests.factories.program import fake_metric, make_entry

pytestmark = [pytest.mark.unit, pytest.mark.django_db]

HOUR = timedelta(hours=1)
NOON = datetime(2031, 5, 14, 12, 0, tzinfo=UTC)


def call(client, method, path, data=None):
    if method == "get":
        return client.get(f"{API}{path}", data or {})
    return getattr(client, method)(f"{API}{path}", data or {}, content_type="application/json")


@pytest.fixture
def api(member):
    return token_client(member)


@pytest.fixture
def office_api(office_member):
    return token_client(office_member)


# --- Directory -----------------------------------------------------------------------------


def test_anonymous_callers_are_refused(program):
    response = Client().get(f"{API}/programs")
    assert response.status_code == 401


def test_programs_are_listed_with_their_sizes(api, program, ml, ai):
    MembershipFactory.create_batch(2, community=ml)
    ProgramFactory(name="Engineering Guilds")

    body = call(api, "get", "/programs", {"limit": 1}).json()

    assert body["count"] == 2
    [first] = body["items"]
    assert first["name"] == "Engineering Guilds"
    second = call(api, "get", "/programs", {"limit": 1, "offset": 1}).json()["items"][0]
    assert second["slug"] == "worldwide"
    assert second["community_count"] == 2
    assert second["member_count"] == 2


def test_a_program_with_its_office_and_the_callers_rights(api, office_api, program, office_member):
    body = call(api, "get", "/programs/worldwide").json()

    assert body["office"] == [
        {
            "id": office_member.pk,
            "display_name": "Olga Office",
            "job_title": office_member.job_title,
        }
    ]
    assert body["can_manage"] is False
    assert body["can_view_dashboard"] is False
    mine = call(office_api, "get", "/programs/worldwide").json()
    assert mine["can_manage"] is True
    assert mine["can_view_dashboard"] is True


def test_an_unknown_program_is_a_json_404(api):
    response = call(api, "get", "/programs/nope")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.usefixtures("program")
def test_the_programs_communities(api, member, ml, ai, fake_calendar):
    manager = UserFactory(display_name="Mia Manager")
    MembershipFactory(community=ml, person=manager, role=MembershipRole.MANAGER)
    MembershipFactory(community=ml, person=member)
    fake_calendar.add(make_entry(ml, timezone.now() + HOUR, title="Next talk", url="/events/1/"))

    body = call(api, "get", "/programs/worldwide/communities").json()

    assert body["count"] == 2
    by_slug = {item["slug"]: item for item in body["items"]}
    assert by_slug["ml"]["member_count"] == 2
    assert [person["display_name"] for person in by_slug["ml"]["managers"]] == ["Mia Manager"]
    assert by_slug["ml"]["my_role"] == "member"
    assert by_slug["ai"]["my_role"] is None
    assert [entry["title"] for entry in by_slug["ml"]["next_entries"]] == ["Next talk"]
    assert by_slug["ai"]["next_entries"] == []


# --- Calendar ------------------------------------------------------------------------------


@pytest.mark.usefixtures("program")
def test_the_calendar_gives_entries_and_clashes(api, ml, ai, outsider, fake_calendar):
    group = GroupFactory(community=ml, name="Paper reading", slug="paper-reading")
    fake_calendar.add(
        make_entry(ml, NOON, title="ML talk", object_id=1, group_id=group.pk, location="Room 1"),
        make_entry(ai, NOON + HOUR / 2, title="AI talk", object_id=2),
        make_entry(ai, NOON + 5 * HOUR, title="Joint", object_id=3, co_hosts=[ml, outsider]),
    )

    response = call(
        api,
        "get",
        "/programs/worldwide/calendar",
        {"start": "2031-05-01T00:00:00Z", "end": "2031-06-01T00:00:00Z"},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [entry["key"] for entry in body["entries"]] == ["fake-1", "fake-2", "fake-3"]
    ml_talk, ai_talk, joint = body["entries"]
    assert ml_talk["community"]["slug"] == "ml"
    assert ml_talk["group"] == {"id": group.pk, "slug": "paper-reading", "name": "Paper reading"}
    assert ai_talk["group"] is None
    assert ml_talk["location"] == "Room 1"
    assert ml_talk["clashes_with"] == ["fake-2"]
    assert ai_talk["clashes_with"] == ["fake-1"]
    assert [host["slug"] for host in joint["co_hosts"]] == ["ml", "stats"]
    assert joint["co_hosts"][1]["colour"] == -1
    assert joint["clashes_with"] == []
    assert body["clashes"] == [
        {
            "first": "fake-1",
            "second": "fake-2",
            "overlap_starts": "2031-05-14T12:30:00Z",
            "overlap_ends": "2031-05-14T13:00:00Z",
        }
    ]
    assert [community["slug"] for community in body["communities"]] == ["ai", "ml"]


def test_the_calendar_filters_by_a_program_community(api, program, ml, ai, fake_calendar):
    fake_calendar.add(make_entry(ml, NOON, title="ML"), make_entry(ai, NOON + 3 * HOUR, title="AI"))

    body = call(
        api,
        "get",
        "/programs/worldwide/calendar",
        {"start": "2031-05-01", "end": "2031-06-01", "community": "ai"},
    ).json()

    assert [entry["title"] for entry in body["entries"]] == ["AI"]
    assert body["community"] == "ai"


def test_a_time_without_an_offset_is_utc(api, program, ml, fake_calendar):
    fake_calendar.add(make_entry(ml, NOON, title="ML"))

    body = call(
        api,
        "get",
        "/programs/worldwide/calendar",
        {"start": "2031-05-14T12:30:00", "end": "2031-05-14T14:00:00"},
    ).json()

    assert body["start"] == "2031-05-14T12:30:00Z"
    assert [entry["title"] for entry in body["entries"]] == ["ML"]


def test_the_default_window_is_the_next_31_days(api, program, ml, fake_calendar):
    fake_calendar.add(
        make_entry(ml, timezone.now() + 30 * 24 * HOUR, title="Soon"),
        make_entry(ml, timezone.now() + 32 * 24 * HOUR, title="Later"),
    )

    body = call(api, "get", "/programs/worldwide/calendar").json()

    assert [entry["title"] for entry in body["entries"]] == ["Soon"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"start": "2031-06-01", "end": "2031-05-01"}, "end", "after the start"),
        ({"start": "2031-01-01", "end": "2032-01-03"}, "end", "366 days"),
        ({"start": "2031-05-01", "end": "2031-05-01"}, "end", "after the start"),
        ({"start": "yesterday"}, "start", ""),
        ({"start": "9999-12-31T00:00:00Z"}, "start", "between 2000 and 2100"),
        ({"start": "2031-01-01", "end": "0001-01-01T00:00:00+01:00"}, "end", "between 2000"),
        ({"community": "stats"}, "community", "program's communities"),
        ({"community": "not a slug!"}, "community", ""),
    ],
)
@pytest.mark.usefixtures("ml", "outsider", "fake_calendar")
def test_bad_calendar_input_is_a_422_naming_the_field(api, params, field, message):
    response = call(api, "get", "/programs/worldwide/calendar", params)

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert field in errors
    assert message in errors[field][0]


# --- Dashboard -----------------------------------------------------------------------------


def test_the_dashboard_is_refused_to_a_member(api, program, ml):
    response = call(api, "get", "/programs/worldwide/dashboard")
    assert response.status_code == 403
    assert "program office" in response.json()["detail"]


def test_the_dashboard_for_a_leader(program, ml, ai, ml_leader, fake_metrics):
    fake_metrics(
        fake_metric(
            "answered_within_24h_share",
            {ml.pk: Decimal(2) / Decimal(3), ai.pk: Decimal("0.5")},
            unit="share",
            label="Answered within 24 h",
        )
    )

    response = call(token_client(ml_leader), "get", "/programs/worldwide/dashboard")

    assert response.status_code == 200
    body = response.json()
    [metric] = body["metrics"]
    assert metric["key"] == "answered_within_24h_share"
    assert metric["label"] == "Answered within 24 h"
    assert metric["unit"] == "share"
    assert metric["better"] == "higher"
    assert [
        (value["community"]["slug"], value["value"], value["display"], value["is_best"])
        for value in metric["values"]
    ] == [("ai", 0.5, "50.0 %", False), ("ml", 0.6667, "66.7 %", True)]


# --- Management ----------------------------------------------------------------------------


def test_the_office_edits_the_description(office_api, program):
    response = call(office_api, "patch", "/programs/worldwide", {"description": "Hello"})

    assert response.status_code == 200
    assert response.json()["description"] == "Hello"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"description": "x" * 5001}, "description"),
        ({"description": "a\u0000b"}, "description"),
        ({}, "description"),
        ({"description": "ok", "name": "Renamed"}, "name"),
    ],
)
def test_a_bad_description_is_a_422(office_api, program, payload, field):
    response = call(office_api, "patch", "/programs/worldwide", payload)

    assert response.status_code == 422
    assert field in response.json()["errors"]
    program.refresh_from_db()
    assert program.description == "Sister communities serving members together."


def test_management_is_refused_to_others_before_anything_else(api, program, ml):
    assert call(api, "patch", "/programs/worldwide", {"description": "Mine"}).status_code == 403
    assert call(api, "post", "/programs/worldwide/office", {"person_id": 10**9}).status_code == 403
    assert (
        call(api, "post", "/programs/worldwide/communities", {"community": "x"}).status_code == 403
    )
    assert call(api, "delete", "/programs/worldwide/communities/ml").status_code == 403
    assert AuditLogEntry.objects.filter(action__startswith="program.").count() == 0


def test_the_office_adds_and_removes_office_members(office_api, program):
    colleague = UserFactory(display_name="Cora Colleague")

    response = call(office_api, "post", "/programs/worldwide/office", {"person_id": colleague.pk})
    assert response.status_code == 201
    assert "Cora Colleague" in [person["display_name"] for person in response.json()["office"]]

    again = call(office_api, "post", "/programs/worldwide/office", {"person_id": colleague.pk})
    assert again.status_code == 422
    assert "already" in again.json()["errors"]["person"][0]

    response = call(office_api, "delete", f"/programs/worldwide/office/{colleague.pk}")
    assert response.status_code == 200
    assert [person["display_name"] for person in response.json()["office"]] == ["Olga Office"]


def test_unknown_people_are_refused(office_api, program):
    response = call(office_api, "post", "/programs/worldwide/office", {"person_id": 10**9})
    assert response.status_code == 422
    assert "person_id" in response.json()["errors"]
    assert call(office_api, "delete", "/programs/worldwide/office/999999999").status_code == 404
    assert (
        call(office_api, "post", "/programs/worldwide/office", {"person_id": 0}).status_code == 422
    )


def test_the_office_takes_communities_in_and_out(office_api, program, outsider):
    response = call(office_api, "post", "/programs/worldwide/communities", {"community": "stats"})
    assert response.status_code == 201
    assert response.json()["community_count"] == 1

    response = call(office_api, "delete", "/programs/worldwide/communities/stats")
    assert response.status_code == 200
    assert response.json()["community_count"] == 0


def test_taking_in_a_community_of_another_program_is_a_422(office_api, program):
    CommunityFactory(slug="guild", program=ProgramFactory())

    response = call(office_api, "post", "/programs/worldwide/communities", {"community": "guild"})

    assert response.status_code == 422
    assert "another program" in response.json()["errors"]["community"][0]
    unknown = call(office_api, "post", "/programs/worldwide/communities", {"community": "nope"})
    assert unknown.status_code == 422
    assert call(office_api, "delete", "/programs/worldwide/communities/nope").status_code == 404


def test_every_endpoint_is_in_the_openapi_schema(api):
    schema = Client().get(f"{API}/openapi.json").json()
    operation_ids = {
        operation["operationId"]
        for path in schema["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    assert {
        "list_programs",
        "get_program_detail",
        "list_program_communities",
        "get_program_calendar",
        "get_program_dashboard",
        "update_program",
        "add_program_office_member",
        "remove_program_office_member",
        "add_program_community",
        "remove_program_community",
    } <= operation_ids
    assert "/api/v1/programs/{slug}/calendar" in schema["paths"]
