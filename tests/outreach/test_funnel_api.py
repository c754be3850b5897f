"""The funnel's figures over the API: the hand-computed fixture, the filters, 400 for bad
filters, 403 for non-managers."""

import pytest
from django.test import Client

from tests.api.clients import API, session_client, token_client
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.outreach.funnel_setup import JANUARY_COUNTS, TOTAL_COUNTS, build_funnel_fixture

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


@pytest.fixture
def fixture(community):
    return build_funnel_fixture(community)


def funnel(client, community, **query):
    return client.get(f"{API}/outreach/communities/{community.slug}/funnel", query)


def counts_of(figures):
    return {key: figures[key] for key in JANUARY_COUNTS}


def test_the_figures_per_month_and_in_total(fixture, manager):
    response = funnel(token_client(manager), fixture.community, campaign_id=fixture.welcome.pk)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["community"] == fixture.community.slug
    assert body["campaign_id"] == fixture.welcome.pk
    assert [month["period"] for month in body["months"]] == ["2026-01", "2025-12"]
    january = body["months"][0]
    assert january["campaign"] == {"id": fixture.welcome.pk, "name": "Monthly welcome"}
    assert counts_of(january) == JANUARY_COUNTS
    assert [step["conversion"] for step in january["steps"]] == [
        None,
        0.8,
        0.75,
        0.8333,
        0.6,
        0.6667,
        0.5,
    ]
    assert january["steps"][0] == {
        "key": "audience",
        "label": "HR joiners",
        "count": 10,
        "conversion": None,
    }
    december = body["months"][1]
    assert december["steps"][-1]["conversion"] is None
    assert counts_of(body["totals"]) == TOTAL_COUNTS
    assert body["totals"]["months"] == 2


def test_the_period_filter(fixture, manager):
    response = funnel(
        session_client(manager), fixture.community, period_from="2026-01", period_to="2026-02"
    )
    assert response.status_code == 200
    body = response.json()
    assert [month["period"] for month in body["months"]] == ["2026-02", "2026-01"]
    assert (body["period_from"], body["period_to"]) == ("2026-01-01", "2026-02-01")


def test_no_runs_is_an_empty_funnel(community, manager):
    body = funnel(token_client(manager), community).json()
    assert body["months"] == []
    assert body["totals"]["months"] == 0
    assert all(step["conversion"] is None for step in body["totals"]["steps"])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"period_from": "2026-03", "period_to": "2026-01"}, "period_to"),
        ({"period_from": "January"}, "period_from"),
        ({"period_to": "2026-00"}, "period_to"),
        ({"campaign_id": "abc"}, "campaign_id"),
        ({"campaign_id": "99999999999999999999999"}, "campaign_id"),
        ({"campaign_id": "0"}, "campaign_id"),
    ],
)
def test_bad_filters_are_a_400_naming_the_filter(fixture, manager, query, field):
    response = funnel(token_client(manager), fixture.community, **query)
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["detail"]
    assert list(body["errors"]) == [field]


def test_another_communitys_campaign_is_a_400(fixture, manager):
    response = funnel(
        token_client(manager), fixture.community, campaign_id=fixture.other_campaign.pk
    )
    assert response.status_code == 400
    assert "campaign_id" in response.json()["errors"]


def test_only_managers_see_the_funnel(fixture, member):
    plain_member = MembershipFactory(community=fixture.community).person
    assert funnel(token_client(plain_member), fixture.community).status_code == 403
    assert funnel(token_client(member), fixture.community).status_code == 403
    assert funnel(Client(), fixture.community).status_code == 401


def test_an_unknown_community_is_a_404(manager):
    community = CommunityFactory.build(slug="no-such-community")
    assert funnel(token_client(manager), community).status_code == 404


def test_the_api_reads_a_bounded_number_of_queries(fixture, manager, django_assert_max_num_queries):
    client = token_client(manager)
    funnel(client, fixture.community)
    with django_assert_max_num_queries(10):
        response = funnel(client, fixture.community, campaign_id=fixture.welcome.pk)
    assert response.status_code == 200
