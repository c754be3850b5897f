"""The strategy API: current strategy (public parts or in full), versions, comparison, targets
with live values, metrics, the draft's life cycle, maturity — and every refusal as JSON."""

import datetime
from decimal import Decimal

import pytest

from practica.communities.models import MaturityAssessment, StrategyStatus, StrategyVersion
from practica.communities.strategy.sections import AudienceRow, LeaderRow, TargetRow
from practica.communities.strategy.services import (
    approve_strategy_draft,
    edit_strategy_draft,
    start_strategy_draft,
)
from tests.api.clients import API, session_client, token_client
from tests.factories.communities import MembershipFactory
from tests.factories.people import OrgUnitFactory, UserFactory
from tests.factories.strategy import MaturityAssessmentFactory

pytestmark = pytest.mark.django_db

BASE = f"{API}/communities/machine-learning"
STAGES = {
    "strategy": 3,
    "leadership": 3,
    "culture": 2,
    "community_management": 3,
    "content_and_programming": 4,
    "policies_and_governance": 2,
    "tools": 3,
    "metrics": 2,
}


@pytest.fixture
def approved(community, manager, leader, metrics):
    unit = OrgUnitFactory(name="Data Science", slug="data-science")
    person = UserFactory(org_unit=unit, role="data_scientist")
    MembershipFactory(community=community, person=person)
    UserFactory(org_unit=unit, role="data_scientist")
    draft = start_strategy_draft(community=community, actor=manager)
    edit_strategy_draft(
        draft=draft,
        actor=manager,
        summary="Learn together.",
        goals=["Faster answers"],
        scenarios=["I can find an expert"],
        principles=["We create opportunities for people to contribute"],
        audience=[AudienceRow(label="Data science", org_unit=unit)],
        targets=[TargetRow("answered_share", "at_least", Decimal("0.5"))],
        leaders=[LeaderRow(person=leader, remit="Events")],
    )
    return approve_strategy_draft(draft=draft, actor=manager, approval_note="Sponsor's team")


# --- Reading -----------------------------------------------------------------------------------


def test_members_get_the_public_parts_with_live_reach(community, approved, plain_member, leader):
    response = token_client(plain_member).get(f"{BASE}/strategy")

    assert response.status_code == 200
    body = response.json()
    assert body["number"] == 1
    assert body["status"] == "approved"
    assert body["scenarios"] == ["I can find an expert"]
    audience = body["audience"][0]
    assert audience["org_unit"]["slug"] == "data-science"
    assert audience["reach"] == {"people": 2, "members": 1, "share": "0.5000"}
    assert body["leaders"] == [
        {
            "person": {"id": leader.pk, "display_name": "Leo Leader"},
            "remit": "Events",
            "role": "leader",
        }
    ]
    assert body["targets"] is None
    assert body["approval_note"] is None
    assert body["approved_by"] is None


def test_the_leadership_gets_it_in_full(community, approved, sponsor, manager):
    body = token_client(sponsor).get(f"{BASE}/strategy").json()

    assert body["targets"][0] == {
        "id": approved.targets.get().pk,
        "metric_key": "answered_share",
        "metric_label": "Answered within 24 h",
        "unit": "share",
        "label": "",
        "comparison": "at_least",
        "target_value": "0.5000",
        "amber_margin_percent": 10,
    }
    assert body["approval_note"] == "Sponsor's team"
    assert body["approved_by"]["id"] == manager.pk


def test_no_strategy_yet_is_a_404_and_outsiders_a_403(client, community, plain_member, outsider):
    assert token_client(plain_member).get(f"{BASE}/strategy").status_code == 404
    refused = token_client(outsider).get(f"{BASE}/strategy")
    assert refused.status_code == 403
    assert "Only members of Machine Learning" in refused.json()["detail"]
    assert token_client(plain_member).get(f"{API}/communities/nope/strategy").status_code == 404
    assert client.get(f"{BASE}/strategy").status_code == 401


def test_targets_with_live_values_and_trend(community, approved, leader, plain_member):
    response = token_client(leader).get(
        f"{BASE}/strategy/targets", {"as_of": "2026-05-15T12:00:00+02:00"}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["value"] == "0.55"
    assert item["status"] == "green"
    assert item["shown_value"] == "55.0 %"
    assert [point["at"][:10] for point in item["trend"]] == [
        "2025-12-01",
        "2026-01-01",
        "2026-02-01",
        "2026-03-01",
        "2026-04-01",
        "2026-05-01",
    ]
    assert token_client(plain_member).get(f"{BASE}/strategy/targets").status_code == 403
    bad = token_client(leader).get(f"{BASE}/strategy/targets", {"as_of": "yesterday"})
    assert bad.status_code == 422


@pytest.mark.parametrize(
    "as_of", ["0001-01-01T00:00:00Z", "1999-12-31T23:59:59Z", "9999-12-31T23:59:59-12:00"]
)
def test_a_moment_outside_2000_to_2100_is_a_422_not_a_crash(approved, leader, as_of):
    """The trend looks back six months and the metrics a year: year 1 or 9999 used to fail
    with a 500 (year 0 is out of range)."""
    response = token_client(leader).get(f"{BASE}/strategy/targets", {"as_of": as_of})

    assert response.status_code == 422
    assert "as_of" in response.content.decode()


def test_metrics_a_target_can_name(metrics, plain_member):
    body = token_client(plain_member).get(f"{API}/strategy/metrics").json()

    assert [item["key"] for item in body["items"]] == [
        "members",
        "response_hours",
        "answered_share",
        "nothing",
    ]
    assert body["items"][1]["better"] == "lower"


def test_versions_one_version_and_comparison(community, approved, manager, leader):
    draft = start_strategy_draft(community=community, actor=manager)
    edit_strategy_draft(
        draft=draft,
        actor=manager,
        goals=["Faster answers", "A conference"],
        targets=[TargetRow("answered_share", "at_least", Decimal("0.7"))],
    )
    client = token_client(leader)

    versions = client.get(f"{BASE}/strategy/versions").json()
    assert [(v["number"], v["status"]) for v in versions["items"]] == [
        (2, "draft"),
        (1, "approved"),
    ]
    assert versions["items"][1]["approved_by"]["id"] == manager.pk

    version = client.get(f"{BASE}/strategy/versions/1").json()
    assert version["audience"][0]["reach"] is None
    assert client.get(f"{BASE}/strategy/versions/7").status_code == 404
    assert client.get(f"{BASE}/strategy/versions/0").status_code == 404

    comparison = client.get(f"{BASE}/strategy/compare", {"older": 2, "newer": 1}).json()
    assert (comparison["older"], comparison["newer"], comparison["has_changes"]) == (1, 2, True)
    sections = {section["section"]: section for section in comparison["sections"]}
    assert sections["goals"]["added"] == ["A conference"]
    assert sections["targets"]["changed"] == [
        {
            "item": "Answered within 24 h",
            "changes": [
                {"field": "target", "before": "at least 50.0 %", "after": "at least 70.0 %"}
            ],
        }
    ]
    same = client.get(f"{BASE}/strategy/compare", {"older": 1, "newer": 1})
    assert same.status_code == 422
    assert same.json()["errors"] == {"newer": ["Choose two different versions."]}
    assert client.get(f"{BASE}/strategy/compare", {"older": 1, "newer": 9}).status_code == 404
    assert client.get(f"{BASE}/strategy/compare", {"older": 1}).status_code == 422


@pytest.mark.parametrize(
    "path", ["strategy/versions", "strategy/versions/1", "strategy/draft", "maturity"]
)
def test_members_may_not_read_the_rest(community, approved, plain_member, path):
    assert token_client(plain_member).get(f"{BASE}/{path}").status_code == 403


# --- The draft ----------------------------------------------------------------------------------


def test_the_draft_life_cycle(community, manager, leader, metrics):
    client = token_client(manager)
    OrgUnitFactory(name="Research", slug="research")

    started = client.post(f"{BASE}/strategy/draft")
    assert started.status_code == 201
    assert (started.json()["number"], started.json()["status"]) == (1, "draft")
    assert client.post(f"{BASE}/strategy/draft").status_code == 422

    edited = client.patch(
        f"{BASE}/strategy/draft",
        {
            "summary": "Learn together.",
            "goals": ["Faster answers", " "],
            "audience": [{"label": "Researchers", "org_unit": "research", "role": "researcher"}],
            "targets": [
                {"metric_key": "response_hours", "comparison": "at_most", "target_value": "2"}
            ],
            "leaders": [{"person_id": leader.pk, "remit": "Events"}],
        },
        content_type="application/json",
    )
    assert edited.status_code == 200
    body = edited.json()
    assert body["goals"] == ["Faster answers"]
    assert body["audience"][0]["criteria"] == ["in Research and below", "role: Researcher"]
    assert body["targets"][0]["target_value"] == "2.0000"
    assert body["leaders"][0]["remit"] == "Events"

    # Only what is sent changes.
    client.patch(f"{BASE}/strategy/draft", {"principles": ["One"]}, content_type="application/json")
    assert token_client(leader).get(f"{BASE}/strategy/draft").json()["goals"] == ["Faster answers"]

    approved = client.post(
        f"{BASE}/strategy/draft/approve", {"approval_note": "QBR"}, content_type="application/json"
    )
    assert approved.status_code == 200
    assert (approved.json()["status"], approved.json()["approval_note"]) == ("approved", "QBR")
    assert client.get(f"{BASE}/strategy/draft").status_code == 404

    second = client.post(f"{BASE}/strategy/draft").json()
    assert second["principles"] == ["One"]
    assert client.delete(f"{BASE}/strategy/draft").json() == {"discarded": True}
    assert client.delete(f"{BASE}/strategy/draft").status_code == 404
    assert StrategyVersion.objects.get().status == StrategyStatus.APPROVED


def test_bad_drafts_are_422_by_section_and_change_nothing(community, manager, metrics, outsider):
    start_strategy_draft(community=community, actor=manager)
    client = token_client(manager)

    response = client.patch(
        f"{BASE}/strategy/draft",
        {
            "summary": "Changed?",
            "targets": [
                {"metric_key": "made_up", "comparison": "at_least", "target_value": 1},
                {"metric_key": "members", "comparison": "at_least", "target_value": "-5"},
                {"metric_key": "members", "comparison": "at_least", "target_value": "1e9"},
            ],
            "leaders": [{"person_id": outsider.pk, "remit": "x"}],
        },
        content_type="application/json",
    )

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["targets"] == [
        "Row 1: “made_up” is not a metric the platform computes.",
        "Row 2: A target cannot be negative.",
        "Row 3: 1E+9 is beyond any sensible target (at most 10,000,000).",
    ]
    assert errors["leaders"] == ["Row 1: Otto Outsider is not a member of Machine Learning."]
    assert StrategyVersion.objects.get().summary == ""


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"audience": [{"label": "X", "org_unit": "nowhere"}]}, "audience"),
        ({"leaders": [{"person_id": 999999, "remit": "x"}]}, "leaders"),
        ({"audience": [{"label": "X", "role": "wizard"}]}, "audience"),
        ({"targets": [{"metric_key": "members", "comparison": "about", "target_value": 1}]}, None),
        ({"goals": "not a list"}, "goals"),
        ({"colour": "blue"}, "colour"),
        ({"summary": "x" * 5001}, "summary"),
    ],
)
def test_malformed_drafts_are_422(community, manager, metrics, payload, field):
    start_strategy_draft(community=community, actor=manager)

    response = token_client(manager).patch(
        f"{BASE}/strategy/draft", payload, content_type="application/json"
    )

    assert response.status_code == 422
    if field:
        assert field in response.json()["errors"]


def test_approving_an_empty_draft_is_422(community, manager):
    start_strategy_draft(community=community, actor=manager)

    response = token_client(manager).generic("POST", f"{BASE}/strategy/draft/approve")

    assert response.status_code == 422
    assert "empty strategy" in response.json()["errors"]["__all__"][0]


@pytest.mark.parametrize("who", ["leader", "sponsor", "plain_member", "outsider"])
def test_only_the_manager_writes(request, community, manager, who):
    start_strategy_draft(community=community, actor=manager)
    client = token_client(request.getfixturevalue(who))

    assert client.post(f"{BASE}/strategy/draft").status_code == 403
    assert (
        client.patch(
            f"{BASE}/strategy/draft", {"summary": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert client.generic("POST", f"{BASE}/strategy/draft/approve").status_code == 403
    assert client.delete(f"{BASE}/strategy/draft").status_code == 403
    assert (
        client.post(
            f"{BASE}/maturity/assessments",
            {"assessed_on": "2021-01-01", "stages": STAGES},
            content_type="application/json",
        ).status_code
        == 403
    )
    assert StrategyVersion.objects.get().status == StrategyStatus.DRAFT


def test_a_session_needs_the_csrf_token(community, manager):
    client = session_client(manager, enforce_csrf_checks=True)

    response = client.post(f"{BASE}/strategy/draft")

    assert response.status_code == 403
    assert not StrategyVersion.objects.exists()


# --- Maturity -----------------------------------------------------------------------------------


def test_maturity_recorded_listed_and_compared(community, manager, leader):
    MaturityAssessmentFactory(
        community=community, assessed_on=datetime.date(2016, 6, 1), stages={"tools": 1}
    )
    client = token_client(manager)

    recorded = client.post(
        f"{BASE}/maturity/assessments",
        {
            "assessed_on": "2021-06-01",
            "stages": STAGES,
            "score_notes": {"tools": "Our own platform"},
            "note": "With the sponsor",
        },
        content_type="application/json",
    )
    assert recorded.status_code == 201
    body = recorded.json()
    assert body["average_stage"] == "2.75"
    assert {score["competency"]: score["stage"] for score in body["scores"]} == STAGES
    assert body["assessed_by"]["id"] == manager.pk

    reader = token_client(leader)
    listed = reader.get(f"{BASE}/maturity/assessments").json()
    assert [item["assessed_on"] for item in listed["items"]] == ["2021-06-01", "2016-06-01"]
    one = reader.get(f"{BASE}/maturity/assessments/{body['id']}").json()
    assert one["note"] == "With the sponsor"
    assert reader.get(f"{BASE}/maturity/assessments/999999").status_code == 404

    compared = reader.get(f"{BASE}/maturity").json()
    assert compared["latest"]["id"] == body["id"]
    tools = next(row for row in compared["competencies"] if row["competency"] == "tools")
    assert tools == {"competency": "tools", "latest": 3, "previous": 1, "change": 2}


def test_no_maturity_yet(community, leader):
    body = token_client(leader).get(f"{BASE}/maturity").json()

    assert (body["latest"], body["previous"]) == (None, None)
    assert len(body["competencies"]) == 8


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"assessed_on": "2021-01-01", "stages": {**STAGES, "tools": 5}}, "stages"),
        ({"assessed_on": "2021-01-01", "stages": {"tools": 2}}, "stages"),
        ({"assessed_on": "2999-01-01", "stages": STAGES}, "assessed_on"),
        ({"assessed_on": "soon", "stages": STAGES}, "assessed_on"),
        ({"assessed_on": "2021-01-01", "stages": STAGES, "mood": "good"}, "mood"),
    ],
)
def test_bad_assessments_are_422(community, manager, payload, field):
    response = token_client(manager).post(
        f"{BASE}/maturity/assessments", payload, content_type="application/json"
    )

    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not MaturityAssessment.objects.exists()


# --- The schema ---------------------------------------------------------------------------------


def test_every_endpoint_is_in_the_openapi_schema(client):
    schema = client.get(f"{API}/openapi.json").json()
    operations = {
        operation["operationId"] for path in schema["paths"].values() for operation in path.values()
    }

    assert {
        "get_current_strategy",
        "list_strategy_versions",
        "get_strategy_version",
        "compare_strategy_versions",
        "list_strategy_targets",
        "list_strategy_metrics",
        "get_strategy_draft",
        "start_strategy_draft",
        "edit_strategy_draft",
        "discard_strategy_draft",
        "approve_strategy_draft",
        "get_maturity_comparison",
        "list_maturity_assessments",
        "get_maturity_assessment",
        "record_maturity_assessment",
    } <= operations
