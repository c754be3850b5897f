"""The metrics API over rollups built from raw rows (`rebuild_rollups`): the API's figures are
the dashboard's, and they count what happened (members, joiners, active members)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from practica.communities.models import MembershipRole
from practica.core.models import ActivityKind
from practica.metrics.queries.filters import parse_filters
from practica.metrics.queries.panels import build_panel, community_headlines
from practica.metrics.rollups.build import rebuild_rollups
from tests.api.clients import API, token_client
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.metrics import ActivityFactory
from tests.metrics.test_api import assert_panel_equals_web, headline_json

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


@pytest.fixture
def scene():
    """A community of six: a manager since long ago, three members who joined twenty days
    ago (two of them active since), one who joined and left in the period, and one who joined
    last year."""
    now = timezone.now()
    community = CommunityFactory(slug="ml")
    manager = MembershipFactory(
        community=community, role=MembershipRole.MANAGER, joined_at=now - timedelta(days=900)
    ).person
    recent = [
        MembershipFactory(community=community, joined_at=now - timedelta(days=20)).person
        for _index in range(3)
    ]
    MembershipFactory(
        community=community,
        joined_at=now - timedelta(days=25),
        left_at=now - timedelta(days=5),
        left_reason="left_community",
    )
    MembershipFactory(community=community, joined_at=now - timedelta(days=300))
    for person in recent[:2]:
        ActivityFactory(
            community=community,
            person=person,
            kind=ActivityKind.ANSWERED,
            occurred_at=now - timedelta(days=3),
        )
    rebuild_rollups(community_ids=[community.pk])
    return community, manager


def test_the_apis_figures_are_the_dashboards_and_count_what_happened(scene):
    community, manager = scene
    params = {"period": "30d"}
    filters = parse_filters(params, community_ids=[community.pk], today=timezone.localdate())

    response = token_client(manager).get(f"{API}/metrics/communities/ml/panels", params)

    assert response.status_code == 200
    for panel_body in response.json()["panels"]:
        assert_panel_equals_web(panel_body, build_panel(panel_body["key"], filters))
    headlines = token_client(manager).get(f"{API}/metrics/communities/ml/headlines", params)
    body = headlines.json()["headlines"]
    assert body == [headline_json(headline) for headline in community_headlines(filters)]
    figures = {headline["key"]: headline["value"] for headline in body}
    assert figures["members"] == 5
    assert figures["joined"] == 4
    assert figures["active_28d"] == 2
