# Fixtures come from reviewing_setup; pytest injects them by name.
# ruff: noqa: F401, F811
"""The committee dashboard's figures (mean, spread, disagreement, confidence), filters, sorts
and counts, in a fixed number of queries."""

import pytest

from practica.conference.models import ProposalState
from practica.conference.queries.dashboard import (
    DashboardFilters,
    dashboard_rows,
    decision_summary,
)
from practica.conference.services.decisions import decide
from practica.conference.services.reviews import save_review
from tests.conference.reviewing_setup import (
    proposal,
    reviewer,
    reviewer_of,
    reviewing,
    speaker,
    submitted,
)
from tests.factories.conference import ProposalFactory
from tests.factories.core import TopicFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def reviewed(edition, title, *reviews, **fields):
    """A proposal with one submitted review per (relevance, clarity, recommendation, confidence)."""
    proposal = ProposalFactory(edition=edition, title=title, **fields)
    for relevance, clarity, recommendation, confidence in reviews:
        submitted(
            proposal,
            reviewer_of(proposal),
            relevance=relevance,
            clarity=clarity,
            recommendation=recommendation,
            confidence=confidence,
        )
    return proposal


@pytest.fixture
def board(reviewing):
    research = reviewing.tracks.get(name="Research")
    engineering = reviewing.tracks.get(name="Engineering")
    talk = reviewing.formats.get(name="Talk")
    tutorial = reviewing.formats.get(name="Tutorial")
    nlp = TopicFactory(name="NLP")
    return {
        # Weighted 4 and 2: mean 3, spread 1 → disagreement by spread.
        "split": reviewed(
            reviewing, "Split", (4, 4, 1, 4), (2, 2, 0, 2), track=research, format=talk
        ),
        # Close scores, but one says reject and one accept → disagreement by recommendation.
        "straddle": reviewed(
            reviewing, "Straddle", (3, 3, -1, 3), (4, 1, 1, 5), track=engineering, format=talk
        ),
        # Agreeing strong reviews.
        "strong": reviewed(
            reviewing,
            "Strong",
            (5, 5, 2, 5),
            (5, 2, 1, 4),
            track=research,
            format=tutorial,
            topics=[nlp],
        ),
        "unreviewed": ProposalFactory(
            edition=reviewing, title="Unreviewed", track=engineering, format=talk
        ),
        "nlp": nlp,
    }


def by_title(rows):
    return {row.proposal.title: row for row in rows}


def test_the_figures_of_each_proposal(board, reviewing):
    rows = by_title(dashboard_rows(reviewing))

    split = rows["Split"]
    assert (split.assigned, split.submitted) == (2, 2)
    assert split.mean == pytest.approx(3.0)
    assert split.spread == pytest.approx(1.0)
    assert split.disagreement
    assert split.mean_confidence == pytest.approx(3.0)

    straddle = rows["Straddle"]
    assert straddle.mean == pytest.approx(3.0)
    assert straddle.spread == pytest.approx(0.0)
    assert (straddle.recommendation_low, straddle.recommendation_high) == (-1, 1)
    assert straddle.disagreement

    strong = rows["Strong"]
    assert strong.mean == pytest.approx((5 + 4) / 2)
    assert strong.spread == pytest.approx(0.5)
    assert not strong.disagreement
    assert strong.recommendations == [1, 2]

    unreviewed = rows["Unreviewed"]
    assert (unreviewed.assigned, unreviewed.submitted) == (0, 0)
    assert unreviewed.mean is None
    assert unreviewed.spread is None
    assert not unreviewed.disagreement


def test_drafts_do_not_count(proposal, reviewer, reviewing):
    save_review(proposal=proposal, reviewer=reviewer, scores={})

    [row] = dashboard_rows(reviewing)

    assert (row.assigned, row.submitted, row.mean) == (1, 0, None)
    assert not row.is_complete


def test_sorting(board, reviewing):
    def titles(sort):
        return [
            row.proposal.title for row in dashboard_rows(reviewing, DashboardFilters(sort=sort))
        ]

    assert titles("-score") == ["Strong", "Split", "Straddle", "Unreviewed"]
    assert titles("score") == ["Split", "Straddle", "Strong", "Unreviewed"]
    assert titles("-spread") == ["Split", "Strong", "Straddle", "Unreviewed"]
    assert titles("title") == ["Split", "Straddle", "Strong", "Unreviewed"]
    assert titles("-title") == ["Unreviewed", "Strong", "Straddle", "Split"]
    assert titles("nonsense") == titles("-score")


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"track": "Research"}, {"Split", "Strong"}),
        ({"format": "Tutorial"}, {"Strong"}),
        ({"topic": True}, {"Strong"}),
        ({"min_score": 3.5}, {"Strong"}),
        ({"disagreement_only": True}, {"Split", "Straddle"}),
        ({"state": "decided"}, {"Strong"}),
        ({"state": "undecided"}, {"Split", "Straddle", "Unreviewed"}),
        ({"state": ProposalState.ACCEPTED}, {"Strong"}),
    ],
)
def test_filters(board, reviewing, chair, filters, expected):
    decide(proposal=board["strong"], outcome="accepted", actor=chair)
    values = dict(filters)
    if "track" in values:
        values["track"] = reviewing.tracks.get(name=values["track"]).pk
    if "format" in values:
        values["format"] = reviewing.formats.get(name=values["format"]).pk
    if "topic" in values:
        values["topic"] = board["nlp"].pk

    rows = dashboard_rows(reviewing, DashboardFilters(**values))

    assert {row.proposal.title for row in rows} == expected


def test_withdrawn_and_draft_proposals_are_not_on_the_board(reviewing):
    ProposalFactory(edition=reviewing, state=ProposalState.WITHDRAWN)
    ProposalFactory(edition=reviewing, state=ProposalState.DRAFT)

    assert dashboard_rows(reviewing) == []


def test_the_rows_take_the_same_few_queries_however_many_proposals(
    reviewing, django_assert_num_queries
):
    reviewed(reviewing, "One", (3, 3, 0, 3))
    with django_assert_num_queries(3):
        dashboard_rows(reviewing)
    for number in range(5):
        reviewed(reviewing, f"More {number}", (4, 4, 1, 4), (2, 2, -1, 2))
    with django_assert_num_queries(3):
        rows = dashboard_rows(reviewing)
        # Reading the speakers, track and format costs nothing more.
        for row in rows:
            [speaker.person.display_name for speaker in row.proposal.speakers.all()]
            _ = (row.proposal.format.name, row.proposal.track)


def test_the_summary_counts_states_and_mails_to_send(board, reviewing, chair):
    decide(proposal=board["strong"], outcome="accepted", actor=chair)
    decide(proposal=board["split"], outcome="rejected", actor=chair)

    summary = decision_summary(reviewing)

    assert summary.in_review == 4
    assert summary.undecided == 2
    assert summary.accepted == 1
    assert summary.rejected == 1
    assert summary.to_mail == {"accepted": 1, "rejected": 1}
    assert summary.to_mail_total == 2
    assert (summary.reviews_submitted, summary.reviews_assigned) == (6, 6)
