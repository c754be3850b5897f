"""Reads of the call: which editions a viewer sees, the call's status and countdown, moments
on the edition's clock, proposals per state, a member's proposals and invitations."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from practica.communities.models import MembershipRole
from practica.conference.models import ProposalState
from practica.conference.queries.editions import (
    call_status,
    edition_moment,
    editions_of,
    with_counts,
)
from practica.conference.queries.proposals import (
    edition_proposals,
    my_invitations,
    my_proposals,
    state_counts,
)
from tests.conference.call_helpers import draft, member_of
from tests.factories.conference import (
    CommitteeMemberFactory,
    EditionFactory,
    ProposalFactory,
    ReviewerVolunteerFactory,
)
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def test_who_sees_which_editions(community, edition):
    hidden = EditionFactory(community=community, is_published=False)
    EditionFactory()  # another community's
    seated = CommitteeMemberFactory(edition=hidden).person
    manager = member_of(community, MembershipRole.MANAGER)

    assert list(editions_of(community, UserFactory())) == [edition]
    assert set(editions_of(community, seated)) == {edition, hidden}
    assert set(editions_of(community, manager)) == {edition, hidden}
    assert list(editions_of(community, None)) == []


def test_counts_of_proposals_and_reviewers(community, edition):
    ProposalFactory(edition=edition)
    ProposalFactory(edition=edition, state=ProposalState.DRAFT)
    ReviewerVolunteerFactory(edition=edition)
    ReviewerVolunteerFactory(edition=edition, is_active=False)
    [row] = with_counts(editions_of(community, UserFactory()))
    assert (row.proposal_count, row.reviewer_count) == (1, 1)


def test_the_call_status_counts_down_and_names_the_editions_zone(edition):
    closes = edition.cfp_closes_at
    assert call_status(edition, closes - timedelta(days=3, hours=2)).countdown == "3 days left"
    assert call_status(edition, closes - timedelta(hours=30)).countdown == "30 hours left"
    assert call_status(edition, closes - timedelta(minutes=5)).countdown == "5 minutes left"
    closed = call_status(edition, closes + timedelta(seconds=1))
    assert not closed.is_open
    assert closed.countdown == "The call is closed."
    before = call_status(edition, edition.cfp_opens_at - timedelta(days=1))
    assert before.phase == "preparing"
    assert before.countdown.startswith("Opens ")
    assert "(Europe/Berlin)" in call_status(edition).deadline_text


def test_moments_are_written_on_the_editions_clock(edition):
    moment = datetime(2031, 7, 1, 21, 59, tzinfo=UTC)
    with translation.override("en"):
        assert edition_moment(edition, moment) == "Tue, July 1, 2031 · 23:59 (Europe/Berlin)"


def test_proposals_per_state_and_the_committees_list(edition):
    ProposalFactory(edition=edition, title="In")
    ProposalFactory(edition=edition, title="Out", state=ProposalState.REJECTED)
    ProposalFactory(edition=edition, title="Drafted", state=ProposalState.DRAFT)
    counts = state_counts(edition)
    assert counts["submitted"] == counts["rejected"] == counts["draft"] == 1
    assert counts["confirmed"] == 0
    assert {p.title for p in edition_proposals(edition)} == {"In", "Out"}
    assert {p.title for p in edition_proposals(edition, include_drafts=True)} == {
        "In",
        "Out",
        "Drafted",
    }
    assert [p.title for p in edition_proposals(edition, text="out")] == ["Out"]


def test_a_members_proposals_and_invitations(edition, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    speaker, colleague = UserFactory(), UserFactory()
    mine = draft(edition, speaker, co_speakers=[colleague.email])
    ProposalFactory(edition=edition)

    assert list(my_proposals(speaker)) == [mine]
    assert list(my_proposals(colleague)) == []
    [invitation] = my_invitations(colleague)
    assert invitation.proposal == mine
    assert list(my_invitations(speaker)) == []
