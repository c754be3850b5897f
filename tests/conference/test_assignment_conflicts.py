"""Conflicts of interest found from the org chart, the conference's history and declarations."""

from datetime import timedelta

import pytest

from practica.conference.models import Bid, BidLevel, DeclaredConflict, ProposalState
from practica.conference.queries.conflicts import (
    conflict_pairs,
    conflict_rows,
    detect_conflicts,
    pair_conflict_reasons,
)
from tests.conference.assignment_setup import OrgChart, person, proposal, reviewer
from tests.factories.communities import CommunityFactory
from tests.factories.conference import EditionFactory, ProposalFactory, ReviewerVolunteerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chart(db):
    return OrgChart()


def codes(conflicts, proposal_id, person_id):
    return [reason.code for reason in conflicts.reasons(proposal_id, person_id)]


def test_own_proposal_and_co_speakers_conflict(edition, chart):
    speaker = reviewer(edition, chart.n1)
    co_speaker = reviewer(edition, chart.south)
    talk = proposal(edition, speaker, co_speakers=[co_speaker])
    found = detect_conflicts(edition)
    assert codes(found, talk.pk, speaker.pk) == ["own"]
    assert codes(found, talk.pk, co_speaker.pk) == ["own"]


def test_same_org_unit_conflicts_but_not_a_sister_team(edition, chart):
    speaker = person(chart.n1)
    teammate = reviewer(edition, chart.n1)
    sister_team = reviewer(edition, chart.n2)
    talk = proposal(edition, speaker)
    found = detect_conflicts(edition)
    assert codes(found, talk.pk, teammate.pk) == ["same_team"]
    assert codes(found, talk.pk, sister_team.pk) == []


def test_the_manager_chain_conflicts_in_both_directions_to_the_top(edition, chart):
    top = reviewer(edition, chart.north)
    middle = person(chart.north_group, manager=top)
    speaker = person(chart.n1, manager=middle)
    report = person(chart.n2, manager=speaker)
    report_of_report = reviewer(edition, chart.s1, manager=report)
    unrelated = reviewer(edition, chart.south)
    talk = proposal(edition, speaker)
    found = detect_conflicts(edition)
    assert codes(found, talk.pk, top.pk) == ["manages"]
    assert codes(found, talk.pk, report_of_report.pk) == ["managed_by"]
    assert codes(found, talk.pk, unrelated.pk) == []


def test_a_manager_loop_in_the_org_data_does_not_hang(edition, chart):
    first = person(chart.n1)
    second = reviewer(edition, chart.s1, manager=first)
    first.manager = second
    first.save()
    talk = proposal(edition, first)
    assert "manages" in codes(detect_conflicts(edition), talk.pk, second.pk)


def test_co_speakers_of_the_last_two_editions_of_the_community_conflict(edition, chart):
    speaker = person(chart.n1)
    talk = proposal(edition, speaker)
    community = edition.community
    recent, older, oldest = (
        EditionFactory(
            community=community,
            starts_on=edition.starts_on - timedelta(days=180 * n),
            ends_on=edition.starts_on - timedelta(days=180 * n - 1),
        )
        for n in (1, 2, 3)
    )
    elsewhere = EditionFactory(community=CommunityFactory())
    partners = {}
    for name, past in [
        ("recent", recent),
        ("older", older),
        ("oldest", oldest),
        ("elsewhere", elsewhere),
    ]:
        partner = reviewer(edition, chart.south)
        ProposalFactory(edition=past, created_by=speaker, speakers=[partner])
        partners[name] = partner
    draft_partner = reviewer(edition, chart.south)
    ProposalFactory(
        edition=recent, created_by=speaker, speakers=[draft_partner], state=ProposalState.DRAFT
    )
    this_edition_partner = reviewer(edition, chart.south)
    proposal(edition, speaker, co_speakers=[this_edition_partner])
    found = detect_conflicts(edition)
    assert codes(found, talk.pk, partners["recent"].pk) == ["co_speaker"]
    assert codes(found, talk.pk, partners["older"].pk) == ["co_speaker"]
    assert codes(found, talk.pk, partners["oldest"].pk) == []
    assert codes(found, talk.pk, partners["elsewhere"].pk) == []
    assert codes(found, talk.pk, draft_partner.pk) == []
    assert codes(found, talk.pk, this_edition_partner.pk) == ["co_speaker"]
    (reason,) = found.reasons(talk.pk, partners["recent"].pk)
    assert reason.detail == recent.name


def test_declared_conflicts_and_conflict_bids(edition, chart, chair):
    talk = proposal(edition, person(chart.n1))
    declared = reviewer(edition, chart.south)
    DeclaredConflict.objects.create(
        proposal=talk, person=declared, reason="Former PhD advisor", declared_by=chair
    )
    bidder = reviewer(edition, chart.south)
    volunteer = bidder.reviewer_seats.get()
    Bid.objects.create(reviewer=volunteer, proposal=talk, level=BidLevel.CONFLICT)
    # The pool service also writes the bidder's own declaration: it is the same statement.
    DeclaredConflict.objects.create(
        proposal=talk, person=bidder, reason="Declared when bidding", declared_by=bidder
    )
    eager = reviewer(edition, chart.south)
    Bid.objects.create(reviewer=eager.reviewer_seats.get(), proposal=talk, level=BidLevel.EAGER)
    found = detect_conflicts(edition)
    assert codes(found, talk.pk, declared.pk) == ["declared"]
    assert found.reasons(talk.pk, declared.pk)[0].detail == "Former PhD advisor"
    assert codes(found, talk.pk, bidder.pk) == ["bid"]
    assert codes(found, talk.pk, eager.pk) == []


def test_several_reasons_are_all_kept_in_a_stable_order(edition, chart, chair):
    boss = reviewer(edition, chart.n1)
    speaker = person(chart.n1, manager=boss)
    talk = proposal(edition, speaker)
    DeclaredConflict.objects.create(proposal=talk, person=boss, reason="", declared_by=chair)
    assert codes(detect_conflicts(edition), talk.pk, boss.pk) == [
        "same_team",
        "manages",
        "declared",
    ]


def test_only_proposals_in_review_and_active_reviewers_are_considered(edition, chart):
    speaker = person(chart.n1)
    teammate = reviewer(edition, chart.n1)
    aside = reviewer(edition, chart.n1)
    aside.reviewer_seats.update(is_active=False)
    draft = proposal(edition, speaker, state=ProposalState.DRAFT)
    withdrawn = proposal(edition, speaker, state=ProposalState.WITHDRAWN)
    talk = proposal(edition, speaker)
    pairs = conflict_pairs(edition)
    assert (talk.pk, teammate.pk) in pairs
    assert (talk.pk, aside.pk) not in pairs
    assert not {p for p, _person in pairs} & {draft.pk, withdrawn.pk}


def test_the_chair_list_names_speakers_and_units_and_filters(edition, chart):
    speaker = person(chart.n1, display_name="Ada Speaker")
    talk = proposal(edition, speaker, title="Transformers at scale")
    teammate = reviewer(edition, chart.n1, display_name="Bo Teammate")
    boss = reviewer(edition, chart.s1, display_name="Cy Boss")
    speaker.manager = boss
    speaker.save()
    rows = conflict_rows(edition)
    assert [(row.proposal_title, row.person_name) for row in rows] == [
        ("Transformers at scale", "Bo Teammate"),
        ("Transformers at scale", "Cy Boss"),
    ]
    assert rows[0].reasons == ["Same team as Ada Speaker (Team N1)"]
    assert rows[1].reasons == ["Manages Ada Speaker (directly or higher up)"]
    assert [row.person_id for row in conflict_rows(edition, code="manages")] == [boss.pk]
    assert [row.person_id for row in conflict_rows(edition, person_id=teammate.pk)] == [teammate.pk]
    assert conflict_rows(edition, proposal_id=talk.pk + 1000) == []


def test_one_pair_reasons_for_a_service(edition, chart):
    speaker = person(chart.n1)
    talk = proposal(edition, speaker)
    outsider = person(chart.south)
    teammate = person(chart.n1)
    assert pair_conflict_reasons(talk, outsider.pk) == []
    assert [reason.code for reason in pair_conflict_reasons(talk, teammate.pk)] == ["same_team"]


def test_a_whole_edition_takes_a_few_queries_whatever_its_size(
    edition, chart, django_assert_max_num_queries
):
    boss = person(chart.north)
    for index in range(30):
        speaker = person([chart.n1, chart.n2, chart.s1][index % 3], manager=boss)
        proposal(edition, speaker, co_speakers=[person(chart.south)])
    for index in range(30):
        ReviewerVolunteerFactory(
            edition=edition, person=person([chart.n1, chart.s1][index % 2], manager=boss)
        )
    with django_assert_max_num_queries(12):
        found = detect_conflicts(edition)
    assert len(found) > 0
