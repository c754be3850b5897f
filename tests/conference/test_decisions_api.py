# Fixtures come from reviewing_setup; pytest injects them by name.
# ruff: noqa: F401, F811
"""The decisions API: dashboard rows and counts, deciding and undoing, the mail texts and
preview, and the bulk send — happy paths and 401/403/404/409/422."""

import pytest

from practica.conference.models import DecisionTemplate, Proposal, ProposalState
from practica.conference.services.decisions import decide
from tests.conference.reviewing_setup import (
    api_call,
    outbox,
    outbox_backend,
    proposal,
    reviewer,
    reviewer_of,
    reviewing,
    speaker,
    submitted,
)
from tests.factories.conference import EditionFactory, ProposalFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db


def test_dashboard_rows_for_the_committee(proposal, reviewer, committee_member):
    submitted(proposal, reviewer, relevance=5, clarity=2, recommendation=2)
    ProposalFactory(edition=proposal.edition, title="Unreviewed")
    path = f"/conference/editions/{proposal.edition_id}/dashboard"

    response = api_call(committee_member, "get", path, {"sort": "title"})

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    first = data["items"][0]
    assert first["title"] == "Shipping LLMs"
    assert first["mean"] == pytest.approx(4.0)
    assert first["spread"] == 0
    assert first["recommendation_high"] == 2
    assert first["speakers"] == ["Sam Speaker"]
    assert first["track"] == "Research"
    assert data["items"][1]["mean"] is None
    high = api_call(committee_member, "get", path, {"min_score": 4.5})
    assert high.json()["count"] == 0


@pytest.mark.parametrize(
    "query", [{"sort": "loudest"}, {"min_score": 7}, {"state": "maybe"}, {"limit": 1000}]
)
def test_bad_dashboard_filters_are_a_422(proposal, committee_member, query):
    response = api_call(
        committee_member, "get", f"/conference/editions/{proposal.edition_id}/dashboard", query
    )

    assert response.status_code == 422


def test_the_dashboard_is_the_committees(proposal, reviewer):
    path = f"/conference/editions/{proposal.edition_id}/dashboard"

    assert api_call(reviewer, "get", path).status_code == 403
    assert api_call(None, "get", path).status_code == 401
    hidden = EditionFactory(is_published=False)
    assert (
        api_call(reviewer, "get", f"/conference/editions/{hidden.pk}/dashboard").status_code == 404
    )


def test_deciding_and_undoing(proposal, chair):
    path = f"/conference/proposals/{proposal.pk}/decision"

    accepted = api_call(chair, "put", path, {"outcome": "accepted"})
    undone = api_call(chair, "delete", path)

    assert accepted.status_code == 200
    assert accepted.json()["state"] == "accepted"
    assert accepted.json()["decided_by"]["id"] == chair.pk
    assert undone.json()["state"] == "submitted"
    assert undone.json()["decided_by"] is None


def test_deciding_refusals(proposal, chair, committee_member, reviewer, edition):
    path = f"/conference/proposals/{proposal.pk}/decision"

    by_committee = api_call(committee_member, "put", path, {"outcome": "accepted"})
    by_reviewer = api_call(reviewer, "put", path, {"outcome": "accepted"})
    by_stranger = api_call(UserFactory(), "put", path, {"outcome": "accepted"})
    bad_outcome = api_call(chair, "put", path, {"outcome": "maybe"})
    decide(proposal=proposal, outcome="accepted", actor=chair)
    Proposal.objects.filter(pk=proposal.pk).update(decision_mailed_at=proposal.created_at)
    after_mail = api_call(chair, "put", path, {"outcome": "rejected"})
    undo_after_mail = api_call(chair, "delete", path)

    assert by_committee.status_code == 403
    assert by_reviewer.status_code == 403
    assert by_stranger.status_code == 404
    assert bad_outcome.status_code == 422
    assert after_mail.status_code == 409
    assert after_mail.json()["code"] == "mailed"
    assert undo_after_mail.status_code == 409
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.ACCEPTED


def test_deciding_while_the_call_is_open_is_a_409(edition, chair):
    open_call = ProposalFactory(edition=edition)

    response = api_call(
        chair, "put", f"/conference/proposals/{open_call.pk}/decision", {"outcome": "accepted"}
    )

    assert response.status_code == 409
    assert response.json()["code"] == "call_open"


def test_templates_and_preview(proposal, reviewer, chair):
    submitted(proposal, reviewer, comments_to_speakers="Sharp.")
    edition_path = f"/conference/editions/{proposal.edition_id}/decision-templates"

    listed = api_call(chair, "get", edition_path)
    changed = api_call(
        chair,
        "put",
        f"{edition_path}/rejected",
        {"subject": "About {{ proposal }}", "body": "Dear {{ speaker }}, no."},
    )
    broken = api_call(
        chair, "put", f"{edition_path}/rejected", {"subject": "x", "body": "{% for %}"}
    )
    unknown = api_call(chair, "put", f"{edition_path}/maybe", {"subject": "x", "body": "y"})
    preview = api_call(
        chair, "get", f"/conference/proposals/{proposal.pk}/decision-mail", {"outcome": "rejected"}
    )
    undecided = api_call(chair, "get", f"/conference/proposals/{proposal.pk}/decision-mail")

    assert [t["outcome"] for t in listed.json()] == ["accepted", "rejected", "waitlisted"]
    assert changed.status_code == 200
    assert broken.status_code == 422
    assert "does not render" in broken.json()["errors"]["body"][0]
    assert unknown.status_code == 422
    assert DecisionTemplate.objects.get(edition=proposal.edition, outcome="rejected").body == (
        "Dear {{ speaker }}, no."
    )
    assert preview.json()["subject"] == "About Shipping LLMs"
    assert preview.json()["body"] == "Dear Sam Speaker, no."
    assert preview.json()["comments_to_speakers"] == ["Sharp."]
    assert undecided.status_code == 422


def test_templates_are_the_chairs(proposal, committee_member):
    path = f"/conference/editions/{proposal.edition_id}/decision-templates"

    assert api_call(committee_member, "get", path).status_code == 403
    assert (
        api_call(
            committee_member, "get", f"/conference/proposals/{proposal.pk}/decision-mail"
        ).status_code
        == 403
    )


@pytest.mark.usefixtures(outbox_backend.__name__)
def test_sending_the_decisions(proposal, chair, committee_member):
    decide(proposal=proposal, outcome="waitlisted", actor=chair)
    path = f"/conference/editions/{proposal.edition_id}/decision-mails"
    summary_path = f"/conference/editions/{proposal.edition_id}/decisions"

    before = api_call(committee_member, "get", summary_path)
    refused = api_call(committee_member, "post", path)
    sent = api_call(chair, "post", path)
    again = api_call(chair, "post", path)
    after = api_call(chair, "get", summary_path)

    assert before.json()["to_mail"] == {"waitlisted": 1}
    assert refused.status_code == 403
    assert sent.json() == {"proposals": 1, "mails": 1, "by_outcome": {"waitlisted": 1}}
    assert again.json()["proposals"] == 0
    assert after.json()["to_mail_total"] == 0
    assert len(outbox()) == 1
