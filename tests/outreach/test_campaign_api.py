"""Campaigns over the API: CRUD, preview, test mail, send now, and the sends (runs and
recipients), for managers only."""

import pytest

from practica.outreach.models import Campaign, CampaignRecipient
from tests.events.outbox import outbox_backend, sent_mails  # noqa: F401 — a fixture
from tests.factories.communities import CommunityFactory
from tests.factories.outreach import (
    CampaignFactory,
    CampaignRecipientFactory,
    FunnelRunFactory,
    NewHireFactory,
    SegmentFactory,
)
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture
def api(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def segment(community):
    return SegmentFactory(
        community=community, rules=[{"field": "role", "op": "in", "value": ["data_scientist"]}]
    )


def test_create_read_update_and_delete(api, community, segment):
    created = api.post(
        f"/api/v1/outreach/communities/{community.slug}/campaigns",
        {
            "name": "Welcome",
            "segment_id": segment.pk,
            "subject": "Hi {{ first_name }}",
            "body": "Join {{ community }}: {{ join_link }}",
            "weekday": 1,
            "local_hour": 8,
        },
        content_type=JSON,
    )
    assert created.status_code == 201
    body = created.json()
    assert body["segment"] == {"id": segment.pk, "name": segment.name}
    assert (body["weekday"], body["week_of_month"], body["local_hour"]) == (1, 1, 8)
    assert body["is_active"] is False
    url = f"/api/v1/outreach/campaigns/{body['id']}"
    patched = api.patch(url, {"is_active": True, "week_of_month": 2}, content_type=JSON).json()
    assert (patched["is_active"], patched["week_of_month"]) == (True, 2)
    listed = api.get(f"/api/v1/outreach/communities/{community.slug}/campaigns").json()
    assert listed["count"] == 1
    assert listed["items"][0]["last_period"] is None
    deleted = api.delete(url)
    assert (deleted.status_code, deleted.json()) == (200, {"deleted": True})
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"body": "Hi {{ nickname }}"}, "body"),
        ({"subject": "{{ upcoming_events }}"}, "subject"),
        ({"weekday": 9}, "weekday"),
        ({"week_of_month": 0}, "week_of_month"),
        ({"local_hour": "9"}, "local_hour"),
        ({"schedule": "weekly"}, "schedule"),
        ({"segment_id": 0}, "segment_id"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(api, community, segment, changes, field):
    payload = {
        "name": "Welcome",
        "segment_id": segment.pk,
        "subject": "Hi",
        "body": "Body",
        **changes,
    }
    response = api.post(
        f"/api/v1/outreach/communities/{community.slug}/campaigns", payload, content_type=JSON
    )
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not Campaign.objects.exists()


def test_another_communitys_segment_is_a_422(api, community):
    foreign = SegmentFactory(community=CommunityFactory())
    response = api.post(
        f"/api/v1/outreach/communities/{community.slug}/campaigns",
        {"name": "W", "segment_id": foreign.pk, "subject": "S", "body": "B"},
        content_type=JSON,
    )
    assert response.status_code == 422
    assert "this community's segments" in response.json()["errors"]["segment_id"][0]


def test_preview_renders_for_a_chosen_person(api, community, segment):
    campaign = CampaignFactory(community=community, segment=segment)
    person = NewHireFactory(display_name="Ada Lovelace")
    preview = api.get(
        f"/api/v1/outreach/campaigns/{campaign.pk}/preview", {"person_id": person.pk}
    ).json()
    assert preview["subject"] == f"Welcome to {community.name}, Ada"
    assert "Hello Ada" in preview["html"]
    assert "Hello Ada" in preview["text"]
    assert preview["person"] == {"id": person.pk, "display_name": "Ada Lovelace"}
    default = api.get(f"/api/v1/outreach/campaigns/{campaign.pk}/preview").json()
    assert default["person"]["id"] == person.pk  # this month's first match
    missing = api.get(f"/api/v1/outreach/campaigns/{campaign.pk}/preview", {"person_id": 999999})
    assert missing.status_code == 404


def test_preview_is_refused_for_people_the_campaign_does_not_address(
    api, community, manager, segment
):
    campaign = CampaignFactory(community=community, segment=segment)
    stranger = UserFactory(display_name="Someone Elsewhere")
    leaver = NewHireFactory(display_name="Gone Already", is_active=False)
    url = f"/api/v1/outreach/campaigns/{campaign.pk}/preview"
    for person in (stranger, leaver):
        response = api.get(url, {"person_id": person.pk})
        assert response.status_code == 404
        assert person.display_name not in response.content.decode()
    assert api.get(url, {"person_id": manager.pk}).json()["person"]["id"] == manager.pk


def test_test_mail_send_now_runs_and_recipients(api, community, manager, segment, outbox_backend):  # noqa: F811
    campaign = CampaignFactory(community=community, segment=segment)
    people = [NewHireFactory() for _ in range(3)]
    tested = api.post(f"/api/v1/outreach/campaigns/{campaign.pk}/test")
    assert tested.status_code == 202
    assert tested.json() == {"to": manager.email}
    sent = api.post(f"/api/v1/outreach/campaigns/{campaign.pk}/send").json()
    assert sent["mailed"] == 3
    assert (sent["run"]["audience_size"], sent["run"]["mailed_count"]) == (3, 3)
    again = api.post(f"/api/v1/outreach/campaigns/{campaign.pk}/send").json()
    assert again["mailed"] == 0
    assert len(sent_mails()) == 4  # three recipients and the test
    runs = api.get(f"/api/v1/outreach/campaigns/{campaign.pk}/runs").json()
    assert runs["count"] == 1
    assert runs["items"][0]["clicked_count"] == 0
    recipients = api.get(
        f"/api/v1/outreach/campaigns/{campaign.pk}/recipients", {"limit": 2}
    ).json()
    assert recipients["count"] == 3
    assert len(recipients["items"]) == 2
    assert {item["person"]["id"] for item in recipients["items"]} <= {p.pk for p in people}


def test_runs_count_clicks_and_joins_per_month(api, community):
    campaign = CampaignFactory(community=community)
    FunnelRunFactory(campaign=campaign, period="2026-04-01", audience_size=5, mailed_count=3)
    FunnelRunFactory(campaign=campaign, period="2026-05-01", audience_size=2, mailed_count=2)
    CampaignRecipientFactory(campaign=campaign, period="2026-04-01", clicked_at="2026-04-06T10:00Z")
    CampaignRecipientFactory(
        campaign=campaign,
        period="2026-04-01",
        clicked_at="2026-04-06T10:00Z",
        joined_at="2026-04-06T10:01Z",
    )
    CampaignRecipientFactory(campaign=campaign, period="2026-05-01")
    runs = api.get(f"/api/v1/outreach/campaigns/{campaign.pk}/runs").json()["items"]
    assert [(r["period"], r["clicked_count"], r["joined_count"]) for r in runs] == [
        ("2026-05-01", 0, 0),
        ("2026-04-01", 2, 1),
    ]
    april = api.get(
        f"/api/v1/outreach/campaigns/{campaign.pk}/recipients", {"period": "2026-04-17"}
    ).json()
    assert april["count"] == 2


def test_a_paused_campaign_is_not_sent(api, community, segment):
    campaign = CampaignFactory(community=community, segment=segment, is_active=False)
    NewHireFactory()
    response = api.post(f"/api/v1/outreach/campaigns/{campaign.pk}/send")
    assert response.status_code == 422
    assert "paused" in response.json()["errors"]["__all__"][0]
    assert not CampaignRecipient.objects.exists()


def test_a_campaign_that_mailed_cannot_be_deleted(api, community):
    recipient = CampaignRecipientFactory(campaign=CampaignFactory(community=community))
    response = api.delete(f"/api/v1/outreach/campaigns/{recipient.campaign_id}")
    assert response.status_code == 422
    assert Campaign.objects.exists()


def test_members_get_403_and_unknown_ids_404(client, community, member, outbox_backend):  # noqa: F811
    campaign = CampaignFactory(community=community)
    client.force_login(member)
    for method, path in (
        ("get", f"/api/v1/outreach/communities/{community.slug}/campaigns"),
        ("get", f"/api/v1/outreach/campaigns/{campaign.pk}"),
        ("get", f"/api/v1/outreach/campaigns/{campaign.pk}/preview"),
        ("post", f"/api/v1/outreach/campaigns/{campaign.pk}/test"),
        ("post", f"/api/v1/outreach/campaigns/{campaign.pk}/send"),
        ("get", f"/api/v1/outreach/campaigns/{campaign.pk}/runs"),
        ("get", f"/api/v1/outreach/campaigns/{campaign.pk}/recipients"),
        ("delete", f"/api/v1/outreach/campaigns/{campaign.pk}"),
    ):
        assert getattr(client, method)(path).status_code == 403, path
    assert client.get("/api/v1/outreach/campaigns/999999").status_code == 404
    assert not sent_mails()
    assert Campaign.objects.exists()
