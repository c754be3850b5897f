"""Affinity of reviewers for proposals: text similarity from every text a reviewer wrote, topic
overlap along the taxonomy, bids; the per-pair explanation."""

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from practica.conference.assignment.affinity import (
    BID_VALUES,
    MAX_ANSWERS,
    WEIGHTS,
    AffinityInputs,
    compute_affinity,
    explain_pair,
    load_affinity_inputs,
    topic_overlap,
)
from practica.conference.models import Bid, BidLevel
from practica.events.models import EventHost
from tests.conference.assignment_setup import person, proposal, reviewer, topic_tree
from tests.factories.conference import EditionFactory, ProposalFactory
from tests.factories.discussions import PostFactory, ThreadFactory
from tests.factories.events import EventFactory

pytestmark = pytest.mark.django_db


def inputs_of(proposal_topics, reviewer_topics, paths):
    return AffinityInputs(
        proposal_ids=list(range(len(proposal_topics))),
        proposal_texts=["x"] * len(proposal_topics),
        proposal_topics=proposal_topics,
        reviewer_ids=list(range(len(reviewer_topics))),
        reviewer_texts=["x"] * len(reviewer_topics),
        reviewer_topics=reviewer_topics,
        topic_paths=paths,
        topic_names={topic: str(topic) for topic in paths},
    )


@pytest.mark.unit
def test_topic_overlap_counts_a_parent_topic_as_knowing_its_children():
    paths = {1: "/ml/", 2: "/ml/nlp/", 3: "/ml/nlp/mt/", 4: "/vision/"}
    overlap = topic_overlap(inputs_of([[3, 4], [2], []], [[1], [3], [4, 3], []], paths))
    # Proposal 0 (mt, vision): ml knows mt → ½; mt → ½; both → 1; nothing → 0.
    assert overlap[0].tolist() == [0.5, 0.5, 1.0, 0.0]
    # Proposal 1 (nlp): ml covers it; knowing only the child mt does not.
    assert overlap[1].tolist() == [1.0, 0.0, 0.0, 0.0]
    # A proposal without topics overlaps with nobody.
    assert overlap[2].tolist() == [0.0, 0.0, 0.0, 0.0]


@pytest.mark.unit
def test_the_combined_score_weighs_text_topics_and_bids():
    paths = {1: "/nlp/", 2: "/vision/"}
    inputs = AffinityInputs(
        proposal_ids=[10, 11],
        proposal_texts=[
            "Neural machine translation with transformers for low resource languages",
            "Object detection on drones with tiny convolutional networks",
        ],
        proposal_topics=[[1], [2]],
        reviewer_ids=[100, 101],
        reviewer_texts=[
            "I build machine translation systems; transformers, low resource languages.",
            "Convolutional networks for object detection, drones and embedded vision.",
        ],
        reviewer_topics=[[1], [2]],
        topic_paths=paths,
        topic_names={1: "NLP", 2: "Vision"},
        bids={(10, 101): BidLevel.NOT_WILLING.value, (11, 101): BidLevel.EAGER.value},
    )
    matrix = compute_affinity(inputs)
    assert matrix.text[0, 0] > 0.3 > matrix.text[0, 1]
    assert matrix.text[1, 1] > 0.3 > matrix.text[1, 0]
    assert matrix.topic.tolist() == [[1.0, 0.0], [0.0, 1.0]]
    expected = (
        WEIGHTS.text * matrix.text[1, 1] + WEIGHTS.topic * 1.0 + WEIGHTS.bid * BID_VALUES["eager"]
    )
    assert matrix.score[1, 1] == pytest.approx(expected)
    assert matrix.score[0, 1] == pytest.approx(WEIGHTS.text * matrix.text[0, 1] - WEIGHTS.bid)
    assert matrix.detail(1, 1) == {
        "text": round(float(matrix.text[1, 1]), 4),
        "topic": 1.0,
        "bid": "eager",
        "score": round(float(expected), 4),
    }
    assert np.all(matrix.text >= 0)
    assert np.all(matrix.text <= 1 + 1e-9)


def test_a_reviewers_text_gathers_everything_they_wrote(edition):
    _ml, nlp, _translation, vision = topic_tree()
    who = reviewer(edition, topics=[nlp], bio="Bio: speech recognition.")
    who.reviewer_seats.update(statement="Statement: tokenizers.")
    who.expertise.set([vision])
    thread = ThreadFactory(title="Question about beam search")
    PostFactory(thread=thread, author=who, body="Answer: use length normalisation.")
    PostFactory(thread=thread, author=who, body="Hidden answer text.", is_hidden=True)
    event = EventFactory(title="Talk on quantization", description="Int8 inference.")
    EventHost.objects.create(event=event, person=who)
    past = EditionFactory(community=edition.community)
    ProposalFactory(edition=past, created_by=who, title="Past: retrieval augmented generation")
    inputs = load_affinity_inputs(edition, [who.pk])
    (text,) = inputs.reviewer_texts
    for piece in [
        "speech recognition",
        "tokenizers",
        "Natural language processing",
        "Computer vision",
        "beam search",
        "length normalisation",
        "quantization",
        "Int8 inference",
        "retrieval augmented generation",
    ]:
        assert piece in text
    assert "Hidden answer" not in text
    assert sorted(inputs.reviewer_topics[0]) == sorted([nlp.pk, vision.pk])


def test_only_the_latest_answers_count(edition):
    who = reviewer(edition)
    thread = ThreadFactory(title="Q")
    now = timezone.now()
    PostFactory(thread=thread, author=who, body="oldest-answer", created_at=now - timedelta(days=9))
    for day in range(MAX_ANSWERS):
        PostFactory(
            thread=thread, author=who, body=f"recent{day}", created_at=now - timedelta(hours=day)
        )
    (text,) = load_affinity_inputs(edition, [who.pk]).reviewer_texts
    assert "oldest-answer" not in text
    assert "recent0" in text


def test_proposal_texts_topics_and_bids_are_loaded(edition):
    _ml, nlp, translation, _vision = topic_tree()
    speaker = person()
    talk = proposal(
        edition, speaker, title="Subword units", abstract="BPE explained.", topics=[translation]
    )
    who = reviewer(edition, topics=[nlp])
    Bid.objects.create(reviewer=who.reviewer_seats.get(), proposal=talk, level=BidLevel.WILLING)
    inputs = load_affinity_inputs(edition, [who.pk])
    assert inputs.proposal_ids == [talk.pk]
    assert "Subword units" in inputs.proposal_texts[0]
    assert "Machine translation" in inputs.proposal_texts[0]
    assert inputs.bids == {(talk.pk, who.pk): "willing"}
    matrix = compute_affinity(inputs)
    assert matrix.topic[0, 0] == 1.0


def test_explain_pair_names_shared_words_and_matched_topics(edition):
    _ml, nlp, translation, vision = topic_tree()
    talk = proposal(
        edition,
        person(),
        title="Low resource machine translation",
        abstract="Back translation for low resource languages.",
        topics=[translation, vision],
    )
    expert = reviewer(edition, topics=[nlp], bio="I work on low resource translation.")
    other = reviewer(edition, bio="Databases and indexing.")
    explained = explain_pair(edition, talk, expert.pk)
    assert explained["topic"] == 0.5
    # In the taxonomy's order (by path): ml › nlp › translation before vision.
    assert explained["topics"] == [
        {"topic": "Machine translation", "known_as": "Natural language processing"},
        {"topic": "Computer vision", "known_as": None},
    ]
    terms = [item["term"] for item in explained["shared_terms"]]
    assert "resource" in terms
    assert "translation" in terms
    assert explained["text"] > explain_pair(edition, talk, other.pk)["text"]
    # The same figures as the whole-edition matrix.
    matrix = compute_affinity(load_affinity_inputs(edition, [expert.pk, other.pk]))
    column = matrix.reviewer_ids.index(expert.pk)
    assert explained["text"] == pytest.approx(matrix.text[0, column], abs=1e-4)
    assert explained["score"] == pytest.approx(matrix.score[0, column], abs=1e-4)
