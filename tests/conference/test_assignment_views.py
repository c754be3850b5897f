"""The chair's assignment screens through the Django test client."""

import pytest
from django.test import Client
from django.urls import reverse

from practica.conference.models import (
    AssignmentPin,
    AssignmentRun,
    DeclaredConflict,
    PinKind,
    ReviewAssignment,
    RunStatus,
)
from practica.conference.services.assignment import start_assignment_run
from tests.conference.test_assignment_services import Scene
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(edition):
    edition.reviewers_per_proposal = 2
    edition.reviewer_max_load = 3
    edition.save()
    return Scene(edition)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def finished_run(scene, chair, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = start_assignment_run(edition=scene.edition, actor=chair)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    return run


def test_the_page_before_any_run(scene, chair):
    response = client_for(chair).get(reverse("conference:assignment", args=[scene.edition.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "No assignment run yet" in page
    assert "Run the assignment" in page
    assert 'name="reviewers_per_proposal" value="2"' in page
    assert "Translating manuals" in page
    assert "No reviewer yet" in page


def test_who_may_see_the_page(scene, chair, committee_member):
    url = reverse("conference:assignment", args=[scene.edition.pk])
    committee_page = client_for(committee_member).get(url)
    assert committee_page.status_code == 200
    assert "Run the assignment" not in committee_page.content.decode()
    assert client_for(scene.reviewers[0]).get(url).status_code == 403
    assert Client().get(url).status_code == 302
    scene.edition.is_published = False
    scene.edition.save()
    assert client_for(UserFactory()).get(url).status_code == 404


def test_running_shows_the_report_and_applying_assigns(
    scene, chair, django_capture_on_commit_callbacks
):
    client = client_for(chair)
    url = reverse("conference:assignment_run_start", args=[scene.edition.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "reviewers_per_proposal": 2,
                "min_load": 0,
                "max_load": 3,
                "cross_division": "on",
                "mode": "max_affinity",
            },
        )
    assert response.status_code == 302
    run = AssignmentRun.objects.get()
    assert run.status == RunStatus.DONE
    page = client.get(response["Location"]).content.decode()
    assert "Total affinity" in page
    assert "<svg" in page
    assert "Gap to the upper bound" in page
    assert "Apply this assignment" in page
    preview = client.get(
        reverse("conference:assignment", args=[scene.edition.pk]), {"view": "run", "run": run.pk}
    ).content.decode()
    assert f"Proposals as run {run.pk} assigns them" in preview
    response = client.post(reverse("conference:assignment_run_apply", args=[run.pk]), follow=True)
    assert "Applied: 8 new assignments" in response.content.decode()
    assert ReviewAssignment.objects.count() == 8


def test_infeasible_settings_are_shown_beside_the_field(scene, chair):
    response = client_for(chair).post(
        reverse("conference:assignment_run_start", args=[scene.edition.pk]),
        {"reviewers_per_proposal": 5, "min_load": 0, "max_load": 3, "mode": "max_affinity"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "need 20 reviews" in page
    assert "field-errors" in page
    assert not AssignmentRun.objects.exists()


def test_only_the_chair_starts_or_applies(scene, committee_member, finished_run):
    client = client_for(committee_member)
    url = reverse("conference:assignment_run_start", args=[scene.edition.pk])
    assert client.post(url, {"reviewers_per_proposal": 2}).status_code == 403
    apply_url = reverse("conference:assignment_run_apply", args=[finished_run.pk])
    assert client.post(apply_url).status_code == 403
    assert not ReviewAssignment.objects.exists()


def test_the_progress_fragment_polls_then_sends_the_page_to_the_report(scene, chair):
    run = start_assignment_run(edition=scene.edition, actor=chair)
    client = client_for(chair)
    url = reverse("conference:assignment_run_progress", args=[run.pk])
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert 'hx-trigger="every 2s"' in fragment.content.decode()
    assert "<progress" in fragment.content.decode()
    page = client.get(reverse("conference:assignment", args=[scene.edition.pk])).content.decode()
    assert 'id="run-progress"' in page
    AssignmentRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE, progress=100)
    done = client.get(url, headers={"HX-Request": "true"})
    assert done.status_code == 204
    assert done["HX-Redirect"].endswith(f"?run={run.pk}")


def test_a_failed_run_shows_what_to_change(scene, chair, django_capture_on_commit_callbacks):
    for user in scene.reviewers:
        DeclaredConflict.objects.create(proposal=scene.proposals[3], person=user)
    with django_capture_on_commit_callbacks(execute=True):
        run = start_assignment_run(edition=scene.edition, actor=chair)
    page = client_for(chair).get(
        reverse("conference:assignment", args=[scene.edition.pk]), {"run": run.pk}
    )
    text = page.content.decode()
    assert "No assignment could be made with these settings." in text
    assert "has only 0 eligible reviewers" in text


def test_a_proposals_page_pins_forbids_assigns_and_removes(scene, chair):
    client = client_for(chair)
    talk = scene.proposals[0]
    url = reverse("conference:assignment_proposal", args=[talk.pk])
    page = client.get(url).content.decode()
    assert "Conflicts of interest" in page
    assert "Same team as" in page
    candidate = scene.reviewers[4]
    response = client.post(
        reverse("conference:assignment_add", args=[talk.pk]),
        {"person": candidate.pk, "next": url},
        follow=True,
    )
    assert "The reviewer is assigned." in response.content.decode()
    assignment = ReviewAssignment.objects.get(proposal=talk, reviewer=candidate)
    refused = client.post(
        reverse("conference:assignment_add", args=[talk.pk]),
        {"person": scene.reviewers[0].pk},
        follow=True,
    )
    assert "conflict of interest" in refused.content.decode()
    client.post(
        reverse("conference:assignment_pin", args=[talk.pk]),
        {"person": scene.reviewers[5].pk, "kind": "forbid"},
    )
    assert AssignmentPin.objects.get().kind == PinKind.FORBID
    client.post(
        reverse("conference:assignment_unpin", args=[talk.pk]), {"person": scene.reviewers[5].pk}
    )
    assert not AssignmentPin.objects.exists()
    client.post(reverse("conference:assignment_remove", args=[assignment.pk]))
    assert not ReviewAssignment.objects.exists()


def test_candidates_load_as_a_fragment_or_a_page(scene, chair):
    client = client_for(chair)
    talk = scene.proposals[0]
    url = reverse("conference:assignment_candidates", args=[talk.pk])
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment
    names = [user.display_name for user in scene.reviewers]
    assert names[4] in fragment  # a southern translation expert
    assert names[0] not in fragment  # the speaker's teammate: a conflict
    page = client.get(url).content.decode()
    assert "<html" in page
    assert "Best candidates" in page


def test_the_explanation_of_a_pair(scene, chair, committee_member):
    talk = scene.proposals[0]
    expert = scene.reviewers[4]
    url = reverse("conference:assignment_explain", args=[talk.pk, expert.pk])
    page = client_for(committee_member).get(url).content.decode()
    assert f"Why {expert.display_name}?" in page
    assert "translation" in page
    assert "Text similarity" in page
    conflicted = client_for(chair).get(
        reverse("conference:assignment_explain", args=[talk.pk, scene.reviewers[0].pk])
    )
    assert "Conflict of interest: never assigned." in conflicted.content.decode()


def test_the_conflicts_page_lists_reasons_and_filters(scene, chair, committee_member):
    url = reverse("conference:conflicts", args=[scene.edition.pk])
    page = client_for(chair).get(url).content.decode()
    assert "Same team as" in page
    assert "Translating manuals" in page
    empty = client_for(chair).get(url, {"code": "bid"}).content.decode()
    assert "No conflict matches" in empty
    assert client_for(committee_member).get(url).status_code == 403
    bad = client_for(chair).get(url, {"code": "nonsense"})
    assert bad.status_code == 200
