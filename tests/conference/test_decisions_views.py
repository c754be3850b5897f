# Fixtures come from reviewing_setup; pytest injects them by name.
# ruff: noqa: F401, F811
"""The committee's screens: the dashboard (who sees it, filters, sorting, decision buttons),
deciding, the decision mail texts and preview, and the confirmed bulk send."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from practica.conference.models import DecisionTemplate, Proposal, ProposalState
from practica.conference.services.decisions import decide
from tests.conference.reviewing_setup import (
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


def as_user(client, user):
    client.force_login(user)
    return client


def dashboard(edition):
    return reverse("conference:dashboard", args=[edition.pk])


# --- The dashboard -----------------------------------------------------------------------------


def test_the_committee_sees_the_dashboard_without_decision_buttons(
    client, proposal, reviewer, committee_member
):
    submitted(proposal, reviewer, relevance=5, clarity=2)

    response = as_user(client, committee_member).get(dashboard(proposal.edition))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Shipping LLMs" in body
    assert "4.00" in body  # (2×5 + 2) / 3
    assert "Sam Speaker" in body
    assert 'name="outcome"' not in body


def test_the_chair_gets_decision_buttons(client, proposal, chair):
    body = as_user(client, chair).get(dashboard(proposal.edition)).content.decode()

    assert 'value="accepted"' in body
    assert 'value="waitlisted"' in body
    assert reverse("conference:decide", args=[proposal.pk]) in body


def test_reviewers_and_members_are_kept_out(client, proposal, reviewer):
    assert as_user(client, reviewer).get(dashboard(proposal.edition)).status_code == 403
    unannounced = EditionFactory(is_published=False)
    assert as_user(client, UserFactory()).get(dashboard(unannounced)).status_code == 404
    assert client.get(reverse("conference:dashboard", args=[999999])).status_code == 404


def test_filters_and_sorting(client, proposal, reviewer, committee_member):
    submitted(proposal, reviewer, relevance=2, clarity=2)
    other = ProposalFactory(edition=proposal.edition, title="Graph learning")
    submitted(other, reviewer_of(other), relevance=5, clarity=5)
    as_user(client, committee_member)

    by_score = client.get(dashboard(proposal.edition)).content.decode()
    by_title = client.get(dashboard(proposal.edition), {"sort": "title"}).content.decode()
    high = client.get(dashboard(proposal.edition), {"min_score": "4"}).content.decode()
    bad = client.get(dashboard(proposal.edition), {"min_score": "nine", "track": "x"})

    assert by_score.index("Graph learning") < by_score.index("Shipping LLMs")
    assert by_title.index("Graph learning") < by_title.index("Shipping LLMs")
    assert "Shipping LLMs" not in high
    assert bad.status_code == 200
    assert "Enter a number." in bad.content.decode()


def test_an_empty_dashboard_says_so(client, reviewing, committee_member):
    body = as_user(client, committee_member).get(dashboard(reviewing)).content.decode()

    assert "No proposals match" in body


# --- Deciding ----------------------------------------------------------------------------------


def test_the_chair_decides_from_the_dashboard(client, proposal, chair):
    url = reverse("conference:decide", args=[proposal.pk])
    back = dashboard(proposal.edition) + "?sort=title"

    response = as_user(client, chair).post(url, {"outcome": "accepted", "next": back})

    assert response.status_code == 302
    assert response["Location"] == back
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.ACCEPTED

    client.post(url, {"outcome": "undecide"})
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.SUBMITTED


def test_deciding_refusals_are_messages_and_change_nothing(client, edition, chair):
    open_call = ProposalFactory(edition=edition)
    url = reverse("conference:decide", args=[open_call.pk])
    as_user(client, chair)

    refused = client.post(url, {"outcome": "accepted"}, follow=True)
    bad = client.post(url, {"outcome": "maybe"}, follow=True)
    offsite = client.post(url, {"outcome": "rejected", "next": "https://evil.example/"})

    assert "The call is open until" in refused.content.decode()
    assert "Choose accept, reject or waitlist." in bad.content.decode()
    assert offsite["Location"] == dashboard(edition)
    assert Proposal.objects.get(pk=open_call.pk).state == ProposalState.SUBMITTED


def test_a_committee_member_cannot_decide(client, proposal, committee_member):
    response = as_user(client, committee_member).post(
        reverse("conference:decide", args=[proposal.pk]), {"outcome": "accepted"}
    )

    assert response.status_code == 403
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.SUBMITTED


# --- Mail texts and preview --------------------------------------------------------------------


def test_the_chair_edits_a_mail_text(client, reviewing, chair):
    url = reverse("conference:decision_templates", args=[reviewing.pk])
    as_user(client, chair)

    shown = client.get(url)
    saved = client.post(
        url,
        {"outcome": "rejected", "rejected-subject": "Thanks", "rejected-body": "Hi {{ speaker }}"},
    )
    broken = client.post(
        url, {"outcome": "accepted", "accepted-subject": "Yes", "accepted-body": "{% if %}"}
    )

    assert shown.status_code == 200
    assert "{{ speaker }}" in shown.content.decode()
    assert saved.status_code == 302
    assert DecisionTemplate.objects.get(edition=reviewing, outcome="rejected").subject == "Thanks"
    assert broken.status_code == 400
    assert "The text does not render" in broken.content.decode()
    assert DecisionTemplate.objects.get(edition=reviewing, outcome="accepted").body != "{% if %}"


def test_only_the_chair_edits_mail_texts(client, reviewing, committee_member):
    url = reverse("conference:decision_templates", args=[reviewing.pk])

    assert as_user(client, committee_member).get(url).status_code == 403


def test_the_preview_shows_the_mail(client, proposal, reviewer, chair):
    submitted(proposal, reviewer, comments_to_speakers="Clear and useful.")
    decide(proposal=proposal, outcome="accepted", actor=chair)
    url = reverse("conference:decision_preview", args=[proposal.edition_id])
    as_user(client, chair)

    response = client.get(url, {"proposal": proposal.pk})
    undecided = ProposalFactory(edition=proposal.edition)
    needs_outcome = client.get(url, {"proposal": undecided.pk})
    as_rejected = client.get(url, {"proposal": undecided.pk, "outcome": "rejected"})
    foreign = client.get(url, {"proposal": ProposalFactory().pk})
    garbage = client.get(url, {"proposal": "abc"})

    body = response.content.decode()
    assert "Accepted: Shipping LLMs" in body
    assert "Clear and useful." in body
    assert "Reviewer 1" in body
    assert "Rita" not in body
    assert needs_outcome.status_code == 400
    assert "choose the outcome to preview" in needs_outcome.content.decode()
    assert as_rejected.status_code == 200
    assert foreign.status_code == 404
    assert garbage.status_code == 302


# --- Sending -----------------------------------------------------------------------------------


@pytest.mark.usefixtures(outbox_backend.__name__)
def test_sending_needs_confirmation_and_the_current_count(client, proposal, chair):
    decide(proposal=proposal, outcome="accepted", actor=chair)
    url = reverse("conference:decision_send", args=[proposal.edition_id])
    as_user(client, chair)

    shown = client.get(url).content.decode()
    unconfirmed = client.post(url, {"expected": "1"})
    stale = client.post(url, {"expected": "5", "confirm": "on"})

    assert "1 proposal to tell" in shown
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm the sending." in unconfirmed.content.decode()
    assert stale.status_code == 400
    assert "The decisions changed since this page was opened" in stale.content.decode()
    assert outbox() == []

    sent = client.post(url, {"expected": "1", "confirm": "on"}, follow=True)

    assert "The decision on 1 proposal is on its way. 1 mail queued." in sent.content.decode()
    assert len(outbox()) == 1
    assert "Nothing to send" in client.get(url).content.decode()


def test_a_committee_member_cannot_send(client, proposal, committee_member):
    url = reverse("conference:decision_send", args=[proposal.edition_id])

    assert (
        as_user(client, committee_member).post(url, {"expected": "0", "confirm": "on"}).status_code
        == 403
    )


def test_the_dashboard_page_does_not_query_per_proposal(client, reviewing, committee_member):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(dashboard(reviewing)).status_code == 200
        return len(captured)

    as_user(client, committee_member)
    first = ProposalFactory(edition=reviewing)
    submitted(first, reviewer_of(first))
    few = queries()
    for _ in range(5):
        more = ProposalFactory(edition=reviewing, speakers=[UserFactory()])
        submitted(more, reviewer_of(more))
        submitted(more, reviewer_of(more))

    assert queries() == few
