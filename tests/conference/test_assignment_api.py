"""The assignment API: runs, assignments, pins, conflicts and explanations — happy paths and
the 401/403/404/409/422 answers."""

import pytest
from django.test import Client

from practica.conference.models import (
    AssignmentPin,
    AssignmentRun,
    PinKind,
    Review,
    ReviewAssignment,
    RunStatus,
)
from practica.conference.services.assignment import add_manual_assignment
from tests.api.clients import API, session_client, token_client
from tests.conference.test_assignment_services import Scene
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(edition):
    edition.reviewers_per_proposal = 2
    edition.reviewer_max_load = 3
    edition.save()
    return Scene(edition)


def call(client, method, path, data=None):
    if method == "get":
        return client.get(f"{API}{path}", data or {})
    return getattr(client, method)(f"{API}{path}", data or {}, content_type="application/json")


@pytest.fixture
def chair_api(chair):
    return token_client(chair)


def start(client, scene, capture, **body):
    with capture(execute=True):
        return call(
            client, "post", f"/conference/editions/{scene.edition.pk}/assignment-runs", body
        )


def test_a_run_from_start_to_apply(scene, chair_api, django_capture_on_commit_callbacks):
    response = start(chair_api, scene, django_capture_on_commit_callbacks, mode="fair")
    assert response.status_code == 202
    started = response.json()
    assert started["status"] == "queued"
    assert started["parameters"]["reviewers_per_proposal"] == 2
    run = call(chair_api, "get", f"/conference/assignment-runs/{started['id']}").json()
    assert run["status"] == "done"
    assert run["progress"] == 100
    assert run["pairs"] == 8
    for key in ("total_affinity", "min_proposal_affinity", "upper_bound", "gap", "load"):
        assert key in run["report"]
    pairs = call(chair_api, "get", f"/conference/assignment-runs/{run['id']}/pairs").json()
    assert pairs["count"] == 8
    assert set(pairs["items"][0]["components"]) == {"text", "topic", "bid", "score"}
    runs = call(chair_api, "get", f"/conference/editions/{scene.edition.pk}/assignment-runs")
    assert [item["id"] for item in runs.json()["items"]] == [run["id"]]
    applied = call(chair_api, "post", f"/conference/assignment-runs/{run['id']}/apply")
    assert applied.status_code == 200
    assert applied.json() == {"created": 8, "removed": 0, "kept": 0, "skipped_conflicts": 0}
    again = call(chair_api, "post", f"/conference/assignment-runs/{run['id']}/apply")
    assert again.status_code == 409
    assert again.json()["code"] == "applied"
    listed = call(chair_api, "get", f"/conference/editions/{scene.edition.pk}/assignments")
    assert listed.json()["count"] == 8
    item = listed.json()["items"][0]
    assert item["source"] == "solver"
    assert item["run_id"] == run["id"]
    assert item["review_started"] is False


def test_infeasible_settings_are_a_422_naming_the_field(scene, chair_api):
    response = call(
        chair_api,
        "post",
        f"/conference/editions/{scene.edition.pk}/assignment-runs",
        {"reviewers_per_proposal": 5},
    )
    assert response.status_code == 422
    (message,) = response.json()["errors"]["reviewers_per_proposal"]
    assert "need 20 reviews" in message
    bad = call(
        chair_api,
        "post",
        f"/conference/editions/{scene.edition.pk}/assignment-runs",
        {"reviewers_per_proposal": 0, "colour": "red"},
    )
    assert bad.status_code == 422
    assert not AssignmentRun.objects.exists()


def test_a_second_run_while_one_is_queued_is_a_409(scene, chair_api):
    path = f"/conference/editions/{scene.edition.pk}/assignment-runs"
    assert call(chair_api, "post", path).status_code == 202
    second = call(chair_api, "post", path)
    assert second.status_code == 409
    assert second.json()["code"] == "running"
    run = AssignmentRun.objects.get()
    not_done = call(chair_api, "post", f"/conference/assignment-runs/{run.pk}/apply")
    assert not_done.status_code == 409
    assert not_done.json()["code"] == "not_done"


def test_who_may_do_what(scene, chair, committee_member):
    edition = scene.edition
    run = AssignmentRun.objects.create(edition=edition, status=RunStatus.DONE, started_by=chair)
    committee = token_client(committee_member)
    member = token_client(UserFactory())
    # The committee reads …
    assert call(committee, "get", f"/conference/assignment-runs/{run.pk}").status_code == 200
    path = f"/conference/editions/{edition.pk}/assignments"
    assert call(committee, "get", path).status_code == 200
    # … but only the chair acts and sees the conflicts.
    runs_path = f"/conference/editions/{edition.pk}/assignment-runs"
    assert call(committee, "post", runs_path).status_code == 403
    assert call(committee, "post", f"/conference/assignment-runs/{run.pk}/apply").status_code == 403
    assert call(committee, "get", f"/conference/editions/{edition.pk}/conflicts").status_code == 403
    assert call(committee, "get", f"/conference/editions/{edition.pk}/pins").status_code == 403
    # A member outside the committee sees nothing of it.
    assert call(member, "get", f"/conference/assignment-runs/{run.pk}").status_code == 403
    assert call(member, "get", path).status_code == 403
    # Unknown ids and unannounced editions are 404s; no credentials a 401.
    assert call(committee, "get", "/conference/assignment-runs/999999").status_code == 404
    edition.is_published = False
    edition.save()
    assert call(member, "get", path).status_code == 404
    assert call(Client(), "get", path).status_code == 401


def test_manual_assignments_and_their_refusals(scene, chair, chair_api):
    edition, talk = scene.edition, scene.proposals[0]
    path = f"/conference/editions/{edition.pk}/assignments"
    created = call(
        chair_api, "post", path, {"proposal_id": talk.pk, "person_id": scene.reviewers[4].pk}
    )
    assert created.status_code == 201
    body = created.json()
    assert body["source"] == "manual"
    assert body["components"]["topic"] == 1.0
    twice = call(
        chair_api, "post", path, {"proposal_id": talk.pk, "person_id": scene.reviewers[4].pk}
    )
    assert twice.status_code == 409
    assert twice.json()["code"] == "assigned"
    conflict = call(
        chair_api, "post", path, {"proposal_id": talk.pk, "person_id": scene.reviewers[0].pk}
    )
    assert conflict.status_code == 422
    assert "Same team as" in conflict.json()["errors"]["person"][0]
    unknown = call(
        chair_api, "post", path, {"proposal_id": 999999, "person_id": scene.reviewers[4].pk}
    )
    assert unknown.status_code == 422
    assert "proposal_id" in unknown.json()["errors"]
    removed = call(chair_api, "delete", f"/conference/assignments/{body['id']}")
    assert removed.status_code == 200
    assert removed.json() == {"removed": True}
    started = add_manual_assignment(proposal=talk, person_id=scene.reviewers[5].pk, actor=chair)
    Review.objects.create(assignment=started)
    refused = call(chair_api, "delete", f"/conference/assignments/{started.pk}")
    assert refused.status_code == 409
    assert refused.json()["code"] == "review_started"
    assert ReviewAssignment.objects.filter(pk=started.pk).exists()


def test_pins_and_forbids(scene, chair_api):
    talk = scene.proposals[0]
    pin_path = f"/conference/proposals/{talk.pk}/pins/{scene.reviewers[4].pk}"
    pinned = call(chair_api, "put", pin_path, {"kind": "pin"})
    assert pinned.status_code == 200
    assert pinned.json()["kind"] == "pin"
    assert call(chair_api, "put", pin_path, {"kind": "forbid"}).json()["kind"] == "forbid"
    assert AssignmentPin.objects.get().kind == PinKind.FORBID
    listed = call(chair_api, "get", f"/conference/editions/{scene.edition.pk}/pins").json()
    assert listed["count"] == 1
    assert listed["items"][0]["person"]["id"] == scene.reviewers[4].pk
    conflict = call(
        chair_api,
        "put",
        f"/conference/proposals/{talk.pk}/pins/{scene.reviewers[0].pk}",
        {"kind": "pin"},
    )
    assert conflict.status_code == 422
    assert call(chair_api, "put", pin_path, {"kind": "sometimes"}).status_code == 422
    assert call(chair_api, "delete", pin_path).json() == {"removed": True}
    assert call(chair_api, "delete", pin_path).json() == {"removed": False}
    assert not AssignmentPin.objects.exists()


def test_conflicts_with_reasons_and_filters(scene, chair_api):
    path = f"/conference/editions/{scene.edition.pk}/conflicts"
    rows = call(chair_api, "get", path).json()
    assert rows["count"] > 0
    first = rows["items"][0]
    assert {"proposal_id", "proposal_title", "person", "reasons"} <= set(first)
    assert first["reasons"][0]["label"]
    team = call(chair_api, "get", path, {"code": "same_team"}).json()
    assert team["count"] > 0
    assert all(any(r["code"] == "same_team" for r in row["reasons"]) for row in team["items"])
    one = call(chair_api, "get", path, {"person_id": scene.reviewers[0].pk}).json()
    assert {row["person"]["id"] for row in one["items"]} == {scene.reviewers[0].pk}


def test_explaining_a_pair(scene, committee_member):
    client = session_client(committee_member)
    talk = scene.proposals[0]
    response = call(
        client, "get", f"/conference/proposals/{talk.pk}/affinity/{scene.reviewers[4].pk}"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["topic"] == 1.0
    assert body["conflicts"] == []
    assert any(item["term"] == "translation" for item in body["shared_terms"])
    conflicted = call(
        client, "get", f"/conference/proposals/{talk.pk}/affinity/{scene.reviewers[0].pk}"
    ).json()
    assert conflicted["conflicts"][0]["code"] == "same_team"
    assert (
        call(client, "get", f"/conference/proposals/{talk.pk}/affinity/999999").status_code == 404
    )
