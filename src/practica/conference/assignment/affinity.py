"""How well each reviewer fits each proposal: the affinity the assignment maximizes.

    affinity = WEIGHTS.text × text + WEIGHTS.topic × topic + WEIGHTS.bid × bid

- text (0–1): cosine similarity of TF-IDF vectors (scikit-learn, sublinear tf, English stop
  words, fitted on all texts of the edition: every proposal's and every reviewer's document)
  between the proposal's text — title, abstract, topic names — and the reviewer's own texts —
  profile bio, volunteer statement, expertise topic names, their latest `MAX_ANSWERS` answers
  in discussions (with the question's title), titles and descriptions of the latest
  `MAX_EVENTS` events they hosted or presented at, and their latest `MAX_PAST_PROPOSALS`
  proposals to other editions (each piece cut to `PIECE_CHARS`, the whole to
  `REVIEWER_CHARS`);
- topic (0–1): the share of the proposal's topics the reviewer knows; knowing a topic means
  listing it or one of its ancestors (a parent topic counts as knowing its children, by
  Topic.path prefixes) among the volunteer expertise or the profile's expertise; 0 for a
  proposal without topics;
- bid: `BID_VALUES` — eager 1, willing 0.5, no bid 0, not willing −1 (a "conflict" bid is a
  conflict, never assigned).

Everything is a sparse matrix product (scipy): proposals × vocabulary by vocabulary ×
reviewers for the text, proposals × topics × ancestors × reviewers for the topics, so
2000 × 1000 takes about a second. `AffinityMatrix` keeps the components, so the chair sees
them for every assigned pair (`detail`, stored in ReviewAssignment.affinity_detail), and
`explain_pair` tells, for any pair, the shared words and the matched topics.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import F, Window
from django.db.models.functions import RowNumber, Substr
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from practica.conference.models import (
    IN_REVIEW_STATES,
    Bid,
    BidLevel,
    Edition,
    Proposal,
    ProposalSpeaker,
    ProposalState,
    ReviewerVolunteer,
    SpeakerStatus,
)
from practica.core.models import TREE_PATH_SEPARATOR, Topic
from practica.discussions.models import Post
from practica.events.models import EventHost
from practica.people.models import User


@dataclass(frozen=True)
class AffinityWeights:
    text: float = 0.5
    topic: float = 0.3
    bid: float = 0.2


WEIGHTS = AffinityWeights()
BID_VALUES = {
    BidLevel.EAGER.value: 1.0,
    BidLevel.WILLING.value: 0.5,
    BidLevel.NOT_WILLING.value: -1.0,
}
MAX_ANSWERS = 30
MAX_EVENTS = 20
MAX_PAST_PROPOSALS = 20
PIECE_CHARS = 1500
REVIEWER_CHARS = 30_000
SHARED_TERMS = 8


@dataclass
class AffinityInputs:
    """Texts, topics and bids of an edition's proposals and reviewers (person ids)."""

    proposal_ids: list[int]
    proposal_texts: list[str]
    proposal_topics: list[list[int]]
    reviewer_ids: list[int]
    reviewer_texts: list[str]
    reviewer_topics: list[list[int]]
    topic_paths: dict[int, str]
    topic_names: dict[int, str]
    bids: dict[tuple[int, int], str] = field(default_factory=dict)  # (proposal, person) → level


@dataclass
class AffinityMatrix:
    """Components and the combined affinity, proposals (rows) × reviewers (columns)."""

    proposal_ids: list[int]
    reviewer_ids: list[int]
    text: np.ndarray
    topic: np.ndarray
    bid: sparse.csr_matrix
    score: np.ndarray
    bid_levels: dict[tuple[int, int], str]
    weights: AffinityWeights = WEIGHTS

    def detail(self, row: int, column: int) -> dict[str, Any]:
        """The pair's components, as stored with an assignment."""
        key = (self.proposal_ids[row], self.reviewer_ids[column])
        return {
            "text": round(float(self.text[row, column]), 4),
            "topic": round(float(self.topic[row, column]), 4),
            "bid": self.bid_levels.get(key, ""),
            "score": round(float(self.score[row, column]), 4),
        }


def _ancestor_paths(path: str) -> list[str]:
    """The paths of a path's ancestors and itself: /a/b/ → /a/, /a/b/."""
    slugs = [slug for slug in path.split(TREE_PATH_SEPARATOR) if slug]
    return [
        TREE_PATH_SEPARATOR + TREE_PATH_SEPARATOR.join(slugs[: i + 1]) + TREE_PATH_SEPARATOR
        for i in range(len(slugs))
    ]


def _incidence(rows: list[list[int]], columns: dict[int, int], values=None) -> sparse.csr_matrix:
    data, row_index, column_index = [], [], []
    for i, items in enumerate(rows):
        present = [columns[item] for item in set(items) if item in columns]
        row_index += [i] * len(present)
        column_index += present
        value = 1.0 if values is None else values[i]
        data += [value] * len(present)
    return sparse.csr_matrix(
        (np.asarray(data, dtype=np.float64), (row_index, column_index)),
        shape=(len(rows), len(columns)),
    )


def topic_overlap(inputs: AffinityInputs) -> np.ndarray:
    """Share of each proposal's topics each reviewer knows (ancestors count), P × R."""
    topic_ids = sorted(inputs.topic_paths)
    column = {topic: i for i, topic in enumerate(topic_ids)}
    by_path = {path: topic for topic, path in inputs.topic_paths.items()}
    # ancestry[a, t] = 1 when a is t or above it: knowing a is knowing t.
    rows, cols = [], []
    for topic in topic_ids:
        for path in _ancestor_paths(inputs.topic_paths[topic]):
            ancestor = by_path.get(path)
            if ancestor is not None:
                rows.append(column[ancestor])
                cols.append(column[topic])
    ancestry = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(topic_ids), len(topic_ids))
    )
    knows = _incidence(inputs.reviewer_topics, column) @ ancestry
    knows.data[:] = 1.0
    counts = [len({t for t in topics if t in column}) for topics in inputs.proposal_topics]
    shares = [1.0 / count if count else 0.0 for count in counts]
    proposal_side = _incidence(inputs.proposal_topics, column, shares)
    return np.asarray((proposal_side @ knows.T).todense())


def fit_vectorizer(inputs: AffinityInputs) -> TfidfVectorizer:
    vectorizer = TfidfVectorizer(
        sublinear_tf=True, stop_words="english", dtype=np.float32, strip_accents="unicode"
    )
    vectorizer.fit(inputs.proposal_texts + inputs.reviewer_texts)
    return vectorizer


def text_similarity(
    inputs: AffinityInputs, vectorizer: TfidfVectorizer | None = None
) -> np.ndarray:
    """TF-IDF cosine of each proposal's text with each reviewer's texts, P × R."""
    if not inputs.proposal_texts or not inputs.reviewer_texts:
        return np.zeros((len(inputs.proposal_texts), len(inputs.reviewer_texts)))
    try:
        vectorizer = vectorizer or fit_vectorizer(inputs)
    except ValueError:  # nothing but stop words: no vocabulary
        return np.zeros((len(inputs.proposal_texts), len(inputs.reviewer_texts)))
    proposals = vectorizer.transform(inputs.proposal_texts)
    reviewers = vectorizer.transform(inputs.reviewer_texts)
    return np.asarray((proposals @ reviewers.T).todense(), dtype=np.float64)


def compute_affinity(inputs: AffinityInputs, weights: AffinityWeights = WEIGHTS) -> AffinityMatrix:
    """The components and the combined affinity of every proposal × reviewer pair."""
    text = text_similarity(inputs)
    topic = topic_overlap(inputs)
    row = {p: i for i, p in enumerate(inputs.proposal_ids)}
    column = {r: j for j, r in enumerate(inputs.reviewer_ids)}
    entries = [
        (row[p], column[r], BID_VALUES[level])
        for (p, r), level in inputs.bids.items()
        if p in row and r in column and level in BID_VALUES
    ]
    shape = (len(inputs.proposal_ids), len(inputs.reviewer_ids))
    bid = sparse.csr_matrix(
        (
            [value for _i, _j, value in entries],
            ([i for i, _j, _v in entries], [j for _i, j, _v in entries]),
        ),
        shape=shape,
    )
    score = weights.text * text + weights.topic * topic
    score += weights.bid * bid.toarray()
    return AffinityMatrix(
        proposal_ids=list(inputs.proposal_ids),
        reviewer_ids=list(inputs.reviewer_ids),
        text=text,
        topic=topic,
        bid=bid,
        score=score,
        bid_levels=dict(inputs.bids),
        weights=weights,
    )


# --- Loading an edition's texts ---------------------------------------------------------------


def _latest(rows, person_field: str, order_field: str, limit: int):
    """Each person's latest `limit` rows (one query: a window function)."""
    ranked = rows.annotate(
        rank=Window(RowNumber(), partition_by=[F(person_field)], order_by=F(order_field).desc())
    )
    return ranked.filter(rank__lte=limit)


def _reviewer_texts(edition: Edition, person_ids: list[int]) -> dict[int, list[str]]:
    pieces: dict[int, list[str]] = defaultdict(list)
    users = User.objects.filter(pk__in=person_ids).values_list("pk", "bio")
    for person, bio in users:
        pieces[person].append(bio[:PIECE_CHARS])
    volunteers = ReviewerVolunteer.objects.filter(edition=edition, person_id__in=person_ids)
    for person, statement in volunteers.values_list("person_id", "statement"):
        pieces[person].append(statement[:PIECE_CHARS])
    answers = _latest(
        Post.objects.filter(author_id__in=person_ids, is_opening=False, is_hidden=False),
        "author_id",
        "created_at",
        MAX_ANSWERS,
    ).values_list("author_id", "thread__title", Substr("body", 1, PIECE_CHARS))
    for person, title, body in answers:
        pieces[person].append(f"{title}\n{body}")
    hosted = _latest(
        EventHost.objects.filter(person_id__in=person_ids),
        "person_id",
        "event__starts_at",
        MAX_EVENTS,
    ).values_list("person_id", "event__title", Substr("event__description", 1, PIECE_CHARS))
    for person, title, description in hosted:
        pieces[person].append(f"{title}\n{description}")
    proposed = _latest(
        ProposalSpeaker.objects.filter(person_id__in=person_ids, status=SpeakerStatus.ACCEPTED)
        .exclude(proposal__edition=edition)
        .exclude(proposal__state=ProposalState.DRAFT),
        "person_id",
        "proposal__created_at",
        MAX_PAST_PROPOSALS,
    ).values_list("person_id", "proposal__title", Substr("proposal__abstract", 1, PIECE_CHARS))
    for person, title, abstract in proposed:
        pieces[person].append(f"{title}\n{abstract}")
    return pieces


def _reviewer_topics(edition: Edition, person_ids: list[int]) -> dict[int, set[int]]:
    topics: dict[int, set[int]] = defaultdict(set)
    through = ReviewerVolunteer.topics.through.objects.filter(
        reviewervolunteer__edition=edition, reviewervolunteer__person_id__in=person_ids
    )
    for person, topic in through.values_list("reviewervolunteer__person_id", "topic_id"):
        topics[person].add(topic)
    expertise = User.expertise.through.objects.filter(user_id__in=person_ids)
    for person, topic in expertise.values_list("user_id", "topic_id"):
        topics[person].add(topic)
    return topics


def load_affinity_inputs(
    edition: Edition,
    person_ids: Iterable[int],
    *,
    proposal_ids: Iterable[int] | None = None,
) -> AffinityInputs:
    """The edition's proposals in review (or `proposal_ids` of it) and the people's texts,
    topics and bids, in about ten queries whatever the numbers."""
    person_ids = sorted(set(person_ids))
    proposals = Proposal.objects.filter(edition=edition, state__in=IN_REVIEW_STATES)
    if proposal_ids is not None:
        proposals = proposals.filter(pk__in=list(proposal_ids))
    rows = list(proposals.order_by("pk").values_list("pk", "title", "abstract"))
    ids = [pk for pk, _title, _abstract in rows]
    proposal_topics: dict[int, list[int]] = defaultdict(list)
    through = Proposal.topics.through.objects.filter(proposal__in=proposals.values("pk"))
    for proposal, topic in through.values_list("proposal_id", "topic_id"):
        proposal_topics[proposal].append(topic)
    reviewer_topics = _reviewer_topics(edition, person_ids)
    paths = dict(Topic.objects.values_list("pk", "path"))
    names = dict(Topic.objects.values_list("pk", "name"))
    texts = _reviewer_texts(edition, person_ids)
    bids = Bid.objects.filter(
        proposal__in=proposals.values("pk"), reviewer__person_id__in=person_ids
    ).values_list("proposal_id", "reviewer__person_id", "level")

    def topic_words(topics: Iterable[int]) -> str:
        return " ".join(names.get(topic, "") for topic in sorted(topics))

    reviewer_texts = []
    for person in person_ids:
        text = "\n".join([topic_words(reviewer_topics.get(person, ())), *texts.get(person, [])])
        reviewer_texts.append(text[:REVIEWER_CHARS])
    return AffinityInputs(
        proposal_ids=ids,
        proposal_texts=[
            f"{title}\n{abstract}\n{topic_words(proposal_topics.get(pk, ()))}"
            for pk, title, abstract in rows
        ],
        proposal_topics=[proposal_topics.get(pk, []) for pk in ids],
        reviewer_ids=person_ids,
        reviewer_texts=reviewer_texts,
        reviewer_topics=[sorted(reviewer_topics.get(person, ())) for person in person_ids],
        topic_paths=paths,
        topic_names=names,
        bids={(p, r): level for p, r, level in bids},
    )


def explain_pair(edition: Edition, proposal: Proposal, person_id: int) -> dict[str, Any]:
    """Why `person_id` fits `proposal` this much: the components, the combined affinity, the
    words their texts share (largest contribution to the cosine first) and the proposal's
    topics they know (with the listed topic that covers each).

    The TF-IDF is fitted on the same texts as a run (the edition's proposals in review and its
    active reviewers, plus this person), so the text component matches the run's.
    """
    pool = set(
        ReviewerVolunteer.objects.filter(edition=edition, is_active=True).values_list(
            "person_id", flat=True
        )
    )
    inputs = load_affinity_inputs(edition, pool | {person_id})
    if proposal.pk not in inputs.proposal_ids:
        inputs = load_affinity_inputs(edition, pool | {person_id}, proposal_ids=[proposal.pk])
    row = inputs.proposal_ids.index(proposal.pk)
    column = inputs.reviewer_ids.index(person_id)
    shared: list[dict[str, Any]] = []
    text = 0.0
    try:
        vectorizer = fit_vectorizer(inputs)
    except ValueError:
        vectorizer = None
    if vectorizer is not None:
        left = vectorizer.transform([inputs.proposal_texts[row]])
        right = vectorizer.transform([inputs.reviewer_texts[column]])
        product = left.multiply(right).tocsr()
        text = float(product.sum())
        terms = vectorizer.get_feature_names_out()
        order = np.argsort(-product.data)[:SHARED_TERMS]
        shared = [
            {"term": str(terms[product.indices[i]]), "weight": round(float(product.data[i]), 4)}
            for i in order
        ]
    single = AffinityInputs(
        proposal_ids=[proposal.pk],
        proposal_texts=[inputs.proposal_texts[row]],
        proposal_topics=[inputs.proposal_topics[row]],
        reviewer_ids=[person_id],
        reviewer_texts=[inputs.reviewer_texts[column]],
        reviewer_topics=[inputs.reviewer_topics[column]],
        topic_paths=inputs.topic_paths,
        topic_names=inputs.topic_names,
        bids={key: level for key, level in inputs.bids.items() if key == (proposal.pk, person_id)},
    )
    topic = float(topic_overlap(single)[0, 0])
    bid = single.bids.get((proposal.pk, person_id), "")
    score = WEIGHTS.text * text + WEIGHTS.topic * topic + WEIGHTS.bid * BID_VALUES.get(bid, 0.0)
    known_paths = {inputs.topic_paths[t]: t for t in single.reviewer_topics[0]}
    matched = []
    for topic_id in sorted(set(single.proposal_topics[0]), key=lambda t: inputs.topic_paths[t]):
        covering = next(
            (
                known_paths[path]
                for path in _ancestor_paths(inputs.topic_paths[topic_id])
                if path in known_paths
            ),
            None,
        )
        matched.append(
            {
                "topic": inputs.topic_names[topic_id],
                "known_as": inputs.topic_names[covering] if covering is not None else None,
            }
        )
    return {
        "proposal_id": proposal.pk,
        "person_id": person_id,
        "text": round(text, 4),
        "topic": round(topic, 4),
        "bid": bid,
        "score": round(score, 4),
        "weights": {"text": WEIGHTS.text, "topic": WEIGHTS.topic, "bid": WEIGHTS.bid},
        "shared_terms": shared,
        "topics": matched,
    }
