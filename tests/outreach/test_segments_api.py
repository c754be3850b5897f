"""Segments over the API: CRUD, the count and the paginated people, for managers only."""

import datetime

import pytest

from practica.outreach.models import Segment
from tests.factories.outreach import CampaignFactory, NewHireFactory, SegmentFactory
from tests.factories.people import OrgUnitFactory

pytestmark = pytest.mark.django_db

RULES = [{"field": "hired_on", "op": "in_previous_month"}]


@pytest.fixture
def api(client, manager):
    client.force_login(manager)
    return client


def test_create_list_get_update_delete(api, community):
    created = api.post(
        f"/api/v1/outreach/communities/{community.slug}/segments",
        {"name": "April hires", "rules": [*RULES, {"field": "country", "op": "in", "value": "de"}]},
        content_type="application/json",
    )
    assert created.status_code == 201
    body = created.json()
    assert body["rules"] == [*RULES, {"field": "country", "op": "in", "value": ["DE"]}]
    listed = api.get(f"/api/v1/outreach/communities/{community.slug}/segments").json()
    assert listed["count"] == 1
    assert listed["items"][0]["name"] == "April hires"
    url = f"/api/v1/outreach/segments/{body['id']}"
    assert api.get(url).json()["community_id"] == community.pk
    patched = api.patch(url, {"description": "New people"}, content_type="application/json")
    assert patched.status_code == 200
    assert patched.json()["description"] == "New people"
    assert patched.json()["name"] == "April hires"
    deleted = api.delete(url)
    assert (deleted.status_code, deleted.json()) == (200, {"deleted": True})
    assert not Segment.objects.exists()


def test_bad_rules_are_a_422_with_a_message_per_rule(api, community):
    response = api.post(
        f"/api/v1/outreach/communities/{community.slug}/segments",
        {
            "name": "Bad",
            "rules": [
                {"field": "hired_on", "op": "within_days", "value": -3},
                RULES[0],
                {"field": "role", "op": "in", "value": ["wizard"]},
            ],
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    messages = response.json()["errors"]["rules"]
    assert messages[0].startswith("Rule 1: give a number of days from 1 to 3660")
    assert messages[1].startswith("Rule 3: unknown roles: wizard")
    assert not Segment.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"name": "", "rules": RULES},
        {"name": "x", "rules": "hired_on"},
        {"name": "x", "rules": RULES, "extra": 1},
        {"name": "x\x00", "rules": RULES},
    ],
)
def test_malformed_payloads_are_a_422(api, community, payload):
    response = api.post(
        f"/api/v1/outreach/communities/{community.slug}/segments",
        payload,
        content_type="application/json",
    )
    assert response.status_code == 422
    assert not Segment.objects.exists()


def test_count_and_people_on_a_reference_day(api, community):
    unit = OrgUnitFactory(name="Research")
    segment = SegmentFactory(community=community, rules=RULES)
    april = NewHireFactory(hired_on=datetime.date(2026, 4, 3), org_unit=unit, display_name="Ann")
    NewHireFactory(hired_on=datetime.date(2026, 3, 3))
    counted = api.get(
        f"/api/v1/outreach/segments/{segment.pk}/count", {"reference_date": "2026-05-01"}
    ).json()
    assert counted == {"count": 1, "reference_date": "2026-05-01"}
    people = api.get(
        f"/api/v1/outreach/segments/{segment.pk}/people",
        {"reference_date": "2026-05-01", "limit": 10},
    ).json()
    assert people["count"] == 1
    assert people["items"][0] == {
        "id": april.pk,
        "display_name": "Ann",
        "job_title": "Data Scientist",
        "role": "data_scientist",
        "org_unit": {"id": unit.pk, "slug": unit.slug, "name": "Research"},
        "hired_on": "2026-04-03",
    }
    bad_day = api.get(f"/api/v1/outreach/segments/{segment.pk}/count", {"reference_date": "May"})
    assert bad_day.status_code == 422


def test_counting_rules_before_saving(api, community):
    NewHireFactory(job_title="Applied Scientist")
    response = api.post(
        f"/api/v1/outreach/communities/{community.slug}/segments/count",
        {"rules": [{"field": "job_title", "op": "matches", "value": "applied"}]},
        content_type="application/json",
    )
    assert response.json()["count"] == 1
    bad = api.post(
        f"/api/v1/outreach/communities/{community.slug}/segments/count",
        {"rules": [{"field": "job_title", "op": "matches", "value": "("}]},
        content_type="application/json",
    )
    assert bad.status_code == 422


def test_a_segment_in_use_cannot_be_deleted(api, community):
    campaign = CampaignFactory(community=community)
    response = api.delete(f"/api/v1/outreach/segments/{campaign.segment_id}")
    assert response.status_code == 422
    assert "change their segment first" in response.json()["errors"]["__all__"][0]


def test_members_get_403_and_unknown_ids_404(client, community, member):
    segment = SegmentFactory(community=community)
    client.force_login(member)
    assert client.get(f"/api/v1/outreach/communities/{community.slug}/segments").status_code == 403
    assert client.get(f"/api/v1/outreach/segments/{segment.pk}").status_code == 403
    assert client.get(f"/api/v1/outreach/segments/{segment.pk}/people").status_code == 403
    assert client.delete(f"/api/v1/outreach/segments/{segment.pk}").status_code == 403
    assert client.get("/api/v1/outreach/segments/999999").status_code == 404
    assert client.get("/api/v1/outreach/communities/nope/segments").status_code == 404
    client.logout()
    assert client.get(f"/api/v1/outreach/segments/{segment.pk}").status_code == 401
    assert Segment.objects.count() == 1
