# Fixtures come from continuity_setup; pytest injects them by name.
# ruff: noqa: F401, F811
"""The continuity API: a community's alerts, one alert, and the two hand-overs."""

import pytest
from django.test import Client
from django.urls import reverse

from practica.communities.models import GroupRole, MembershipRole
from practica.events.models import EventSeries
from practica.outreach.services.continuity import hand_over_item, raise_continuity_alerts
from tests.api.clients import API, token_client
from tests.factories.communities import GroupFactory, GroupMembershipFactory, MembershipFactory
from tests.factories.people import UserFactory
from tests.outreach.continuity_setup import (
    KINDS,
    leaver,
    leavers_with_groups_and_series,
    other_community,
    owned,
    successor,
)

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


@pytest.fixture
def alert(owned):
    [raised] = raise_continuity_alerts(leaver=owned.leaver)
    return raised


@pytest.fixture
def api(manager):
    return token_client(manager)


def post(client, path, body):
    return client.post(f"{API}{path}", body, content_type="application/json")


def test_a_manager_lists_the_communitys_alerts_with_their_items(api, community, alert, owned):
    response = api.get(f"{API}/outreach/communities/{community.slug}/continuity-alerts")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [found] = body["items"]
    assert found["id"] == alert.pk
    assert found["community"]["slug"] == community.slug
    assert found["leaver"] == {"id": owned.leaver.pk, "display_name": owned.leaver.display_name}
    assert found["is_open"] is True
    assert found["waiting"] == 5
    items = {item["kind"]: item for item in found["items"]}
    assert set(items) == KINDS
    assert items["group"]["object_id"] == owned.group.pk
    assert items["group"]["kind_name"] == "Group"
    assert items["group"]["url"] == f"/communities/{community.slug}/groups/{owned.group.slug}/"
    assert items["routed_question"]["url"] == f"/questions/{owned.question.pk}/"
    assert items["group"]["handed_to"] is None


def test_the_list_filters_open_and_resolved_alerts(api, community, alert, successor, manager):
    other = MembershipFactory(community=community).person
    group = GroupFactory(community=community)
    GroupMembershipFactory(group=group, person=other, role=GroupRole.OWNER)
    [second] = raise_continuity_alerts(leaver=other)
    hand_over_item(item=second.items.get(), successor=successor, actor=manager)
    url = f"{API}/outreach/communities/{community.slug}/continuity-alerts"

    everything = api.get(url).json()
    assert [item["id"] for item in everything["items"]] == [alert.pk, second.pk]
    assert [item["id"] for item in api.get(url, {"state": "open"}).json()["items"]] == [alert.pk]
    resolved = api.get(url, {"state": "resolved"}).json()["items"]
    assert [item["id"] for item in resolved] == [second.pk]
    assert resolved[0]["is_open"] is False
    assert resolved[0]["items"][0]["handed_to"]["id"] == successor.pk
    assert api.get(url, {"state": "sideways"}).status_code == 422


def test_the_list_links_every_thing_in_a_bounded_number_of_queries(
    api, community, django_assert_max_num_queries
):
    for person in leavers_with_groups_and_series(community, 4):
        raise_continuity_alerts(leaver=person)
    planning = reverse("events:planning", args=[community.slug])

    with django_assert_max_num_queries(12):
        response = api.get(f"{API}/outreach/communities/{community.slug}/continuity-alerts")

    alerts = response.json()["items"]
    assert len(alerts) == 4
    for alert in alerts:
        urls = {
            kind: [item["url"] for item in alert["items"] if item["kind"] == kind]
            for kind in ("group", "event_series")
        }
        assert len(urls["group"]) == 2
        assert all(
            url.startswith(f"/communities/{community.slug}/groups/") for url in urls["group"]
        )
        assert sorted(url == planning for url in urls["event_series"]) == [False, True]
        assert all(url.startswith("/events/") for url in urls["event_series"] if url != planning)


def test_listing_is_for_the_communitys_managers(community, alert, other_community):
    member = MembershipFactory(community=community).person
    elsewhere = MembershipFactory(community=other_community, role=MembershipRole.MANAGER).person
    url = f"{API}/outreach/communities/{community.slug}/continuity-alerts"

    assert token_client(member).get(url).status_code == 403
    assert token_client(elsewhere).get(url).status_code == 403
    assert Client().get(url).status_code == 401
    assert (
        token_client(member)
        .get(f"{API}/outreach/communities/nowhere/continuity-alerts")
        .status_code
        == 404
    )


def test_staff_can_read_any_communitys_alerts(community, alert, staff):
    response = token_client(staff).get(f"{API}/outreach/continuity-alerts/{alert.pk}")

    assert response.status_code == 200
    assert response.json()["waiting"] == 5


def test_one_alert_is_found_only_by_its_communitys_managers(api, alert, community, other_community):
    assert api.get(f"{API}/outreach/continuity-alerts/{alert.pk}").status_code == 200
    elsewhere = MembershipFactory(community=other_community, role=MembershipRole.MANAGER).person
    member = MembershipFactory(community=community).person
    for person in (elsewhere, member):
        response = token_client(person).get(f"{API}/outreach/continuity-alerts/{alert.pk}")
        assert response.status_code == 404
    assert api.get(f"{API}/outreach/continuity-alerts/999999").status_code == 404
    assert api.get(f"{API}/outreach/continuity-alerts/0").status_code == 422


def test_handing_one_thing_over(api, alert, owned, successor, manager):
    item = alert.items.get(kind="event_series")

    response = post(
        api,
        f"/outreach/continuity-alerts/{alert.pk}/items/{item.pk}/hand-over",
        {"successor_id": successor.pk},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == item.pk
    assert body["handed_to"]["id"] == successor.pk
    assert body["handed_by"]["id"] == manager.pk
    assert body["handed_at"]
    assert EventSeries.objects.get(pk=owned.series.pk).owner == successor


def test_handing_everything_over_in_one_step(api, alert, successor):
    response = post(
        api, f"/outreach/continuity-alerts/{alert.pk}/hand-over", {"successor_id": successor.pk}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["is_open"] is False
    assert body["resolved_at"]
    assert body["waiting"] == 0
    assert {item["handed_to"]["id"] for item in body["items"]} == {successor.pk}

    again = post(
        api, f"/outreach/continuity-alerts/{alert.pk}/hand-over", {"successor_id": successor.pk}
    )
    assert again.status_code == 409
    assert again.json()["code"] == "resolved"


def test_an_item_already_handed_over_is_a_409(api, alert, successor):
    item = alert.items.get(kind="group")
    path = f"/outreach/continuity-alerts/{alert.pk}/items/{item.pk}/hand-over"
    assert post(api, path, {"successor_id": successor.pk}).status_code == 200

    response = post(api, path, {"successor_id": UserFactory().pk})

    assert response.status_code == 409
    assert response.json()["code"] == "handed"
    assert str(successor) in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "successor_id"),
        ({"successor_id": "x"}, "successor_id"),
        ({"successor_id": 0}, "successor_id"),
        ({"successor_id": 999999}, "successor_id"),
        ({"successor_id": 1, "extra": True}, "extra"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(api, alert, body, field):
    response = post(api, f"/outreach/continuity-alerts/{alert.pk}/hand-over", body)

    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not alert.items.filter(handed_at__isnull=False).exists()


def test_a_successor_who_cannot_take_over_is_a_422(api, alert, owned):
    gone = UserFactory(is_active=False)
    path = f"/outreach/continuity-alerts/{alert.pk}/hand-over"

    for person in (gone, owned.leaver):
        response = post(api, path, {"successor_id": person.pk})
        assert response.status_code == 422
        assert "successor_id" in response.json()["errors"]
    assert not alert.items.filter(handed_at__isnull=False).exists()


def test_hand_overs_by_others_or_on_other_alerts_are_refused(
    api, alert, community, other_community, successor
):
    member = MembershipFactory(community=community).person
    path = f"/outreach/continuity-alerts/{alert.pk}/hand-over"
    assert post(token_client(member), path, {"successor_id": successor.pk}).status_code == 404
    assert post(Client(), path, {"successor_id": successor.pk}).status_code == 401

    stranger = MembershipFactory(community=other_community).person
    group = GroupFactory(community=other_community)
    GroupMembershipFactory(group=group, person=stranger, role=GroupRole.OWNER)
    [foreign] = raise_continuity_alerts(leaver=stranger)
    foreign_item = foreign.items.get()
    response = post(
        api,
        f"/outreach/continuity-alerts/{alert.pk}/items/{foreign_item.pk}/hand-over",
        {"successor_id": successor.pk},
    )
    assert response.status_code == 404
    assert not alert.items.filter(handed_at__isnull=False).exists()
    foreign_item.refresh_from_db()
    assert foreign_item.handed_at is None


def test_the_endpoints_are_in_the_openapi_schema():
    schema = Client().get(f"{API}/openapi.json").json()
    paths = schema["paths"]
    assert "get" in paths[f"{API}/outreach/communities/{{slug}}/continuity-alerts"]
    assert "get" in paths[f"{API}/outreach/continuity-alerts/{{alert_id}}"]
    item = paths[f"{API}/outreach/continuity-alerts/{{alert_id}}/items/{{item_id}}/hand-over"][
        "post"
    ]
    assert {"200", "403", "404", "409", "422"} <= set(item["responses"])
    whole = paths[f"{API}/outreach/continuity-alerts/{{alert_id}}/hand-over"]["post"]
    assert whole["operationId"] == "hand_over_continuity_alert"
    assert "ContinuityAlertOut" in schema["components"]["schemas"]
