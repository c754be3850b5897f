"""What members have answered before: a TF-IDF index of a community's recent answers.

Each answer is one document (the question's title and the answer's text). A new question is
compared with every answer (one sparse matrix-vector product) and the similarities are
summed up per author: the mean of their three most similar answers is their text score, and
how many of their answers pass `SIMILAR_THRESHOLD` is the "answered N similar questions" shown
to them (`TextMatches`, arrays per author). Each answer's delay (answer time − question
time) gives the author's median time to answer.

Fitting is the slow part (seconds for tens of thousands of answers), so each process keeps
one fitted index per community (at most `MAX_CACHED` communities, least recently used out)
and, on each use, only appends answers posted since (`extend`, one indexed query, the new
answers transformed with the fitted vocabulary). It is refitted after `REFIT_AFTER` or when
a quarter of its rows were appended since the fit. Edits and hidden answers are picked up
at the next refit.
"""

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from django.db.models import F
from django.db.models.functions import Substr
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from practica.discussions.models import Post, ThreadKind

MAX_ANSWERS = 60_000
ANSWER_CHARS = 2_000
REFIT_AFTER = 6 * 3600.0
APPENDED_SHARE_REFIT = 0.25
MAX_CACHED = 16
SIMILAR_THRESHOLD = 0.2
MIN_SIMILARITY = 0.02
TOP_ANSWERS = 3


@dataclass(frozen=True)
class TextMatches:
    """Per author (ascending ids): the mean similarity of their `TOP_ANSWERS` most similar
    answers, and how many of their answers are similar (cosine ≥ `SIMILAR_THRESHOLD`)."""

    authors: np.ndarray
    scores: np.ndarray
    similar: np.ndarray

    @classmethod
    def empty(cls) -> "TextMatches":
        return cls(np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64))

    def as_dict(self) -> dict[int, tuple[float, int]]:
        return {
            int(a): (float(s), int(n))
            for a, s, n in zip(self.authors, self.scores, self.similar, strict=True)
        }


@dataclass(frozen=True)
class AnswerStats:
    """Per author (ascending ids): answers in the index and the median delay in seconds."""

    authors: np.ndarray
    answers: np.ndarray
    median_delay: np.ndarray


def _answers(community_id: int, *, after_id: int = 0, until: datetime | None = None):
    rows = Post.objects.filter(
        thread__community_id=community_id,
        thread__kind=ThreadKind.QUESTION,
        thread__is_hidden=False,
        is_opening=False,
        is_hidden=False,
        pk__gt=after_id,
    ).exclude(author_id=F("thread__author_id"))
    if until is not None:
        rows = rows.filter(created_at__lt=until)
    return (
        rows.annotate(text=Substr("body", 1, ANSWER_CHARS))
        .order_by("-pk")
        .values_list("pk", "author_id", "created_at", "thread__created_at", "thread__title", "text")
    )


def _documents(rows: list[tuple]) -> tuple[list[str], np.ndarray, np.ndarray]:
    texts = [f"{title}\n{text}" for _, _, _, _, title, text in rows]
    authors = np.fromiter((row[1] for row in rows), dtype=np.int64, count=len(rows))
    delays = np.fromiter(
        (max((row[2] - row[3]).total_seconds(), 0.0) for row in rows),
        dtype=np.float64,
        count=len(rows),
    )
    return texts, authors, delays


def _vectorizer(documents: int) -> TfidfVectorizer:
    return TfidfVectorizer(
        sublinear_tf=True,
        stop_words="english",
        min_df=2 if documents >= 50 else 1,
        max_df=0.5 if documents >= 50 else 1.0,
        max_features=100_000,
        dtype=np.float32,
    )


@dataclass
class AnswerIndex:
    """A community's recent answers as TF-IDF rows (L2-normalised), with authors and delays."""

    community_id: int
    vectorizer: TfidfVectorizer | None
    matrix: sparse.csr_matrix
    authors: np.ndarray
    delays: np.ndarray
    last_post_id: int
    fitted_rows: int
    built_at: float = field(default_factory=time.monotonic)
    _stats: AnswerStats | None = None

    @classmethod
    def build(cls, community_id: int, *, until: datetime | None = None) -> "AnswerIndex":
        """Fit on the community's most recent `MAX_ANSWERS` answers (before `until`)."""
        rows = list(_answers(community_id, until=until)[:MAX_ANSWERS])
        rows.reverse()
        texts, authors, delays = _documents(rows)
        vectorizer: TfidfVectorizer | None = _vectorizer(len(texts))
        matrix = None
        if texts and vectorizer is not None:
            try:
                matrix = vectorizer.fit_transform(texts)
            except ValueError:  # nothing but stop words
                matrix = None
        if matrix is None:
            vectorizer, matrix = None, sparse.csr_matrix((len(texts), 1), dtype=np.float32)
        return cls(
            community_id=community_id,
            vectorizer=vectorizer,
            matrix=sparse.csr_matrix(matrix),
            authors=authors,
            delays=delays,
            last_post_id=rows[-1][0] if rows else 0,
            fitted_rows=len(rows),
        )

    @property
    def size(self) -> int:
        return int(self.authors.shape[0])

    def is_stale(self) -> bool:
        appended = self.size - self.fitted_rows
        return (
            time.monotonic() - self.built_at > REFIT_AFTER
            or appended > APPENDED_SHARE_REFIT * max(self.fitted_rows, 200)
        )

    def extend(self, *, until: datetime | None = None) -> int:
        """Append answers posted since the last one indexed (ids grow with time); how many."""
        rows = list(_answers(self.community_id, after_id=self.last_post_id, until=until))
        if not rows:
            return 0
        rows.reverse()
        texts, authors, delays = _documents(rows)
        if self.vectorizer is not None:
            added = self.vectorizer.transform(texts)
        else:
            added = sparse.csr_matrix((len(texts), self.matrix.shape[1]), dtype=np.float32)
        self.matrix = sparse.vstack([self.matrix, added], format="csr")
        self.authors = np.concatenate([self.authors, authors])
        self.delays = np.concatenate([self.delays, delays])
        self.last_post_id = rows[-1][0]
        self._stats = None
        if self.size > MAX_ANSWERS * 1.2:
            drop = self.size - MAX_ANSWERS
            self.matrix = self.matrix[drop:]
            self.authors, self.delays = self.authors[drop:], self.delays[drop:]
        return len(rows)

    def match(self, text: str) -> TextMatches:
        """How similar each author's past answers are to `text` (see `TextMatches`)."""
        if self.vectorizer is None or not self.size:
            return TextMatches.empty()
        query = self.vectorizer.transform([text])
        if not query.nnz:
            return TextMatches.empty()
        similarities = (self.matrix @ query.T).toarray().ravel()
        chosen = np.nonzero(similarities >= MIN_SIMILARITY)[0]
        if not chosen.size:
            return TextMatches.empty()
        authors, sims = self.authors[chosen], similarities[chosen]
        order = np.lexsort((-sims, authors))
        authors, sims = authors[order], sims[order]
        starts = np.r_[0, np.nonzero(np.diff(authors))[0] + 1]
        group = np.repeat(np.arange(starts.size), np.diff(np.r_[starts, authors.size]))
        top = (np.arange(authors.size) - starts[group]) < TOP_ANSWERS
        top_sum = np.bincount(group[top], weights=sims[top], minlength=starts.size)
        similar = np.bincount(group, weights=sims >= SIMILAR_THRESHOLD, minlength=starts.size)
        return TextMatches(authors[starts], top_sum / TOP_ANSWERS, similar.astype(np.int64))

    def stats(self) -> AnswerStats:
        """Per author: how many answers the index holds and their median delay."""
        if self._stats is None:
            order = np.lexsort((self.delays, self.authors))
            authors, delays = self.authors[order], self.delays[order]
            if not authors.size:
                self._stats = AnswerStats(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
                return self._stats
            starts = np.r_[0, np.nonzero(np.diff(authors))[0] + 1]
            counts = np.diff(np.r_[starts, authors.size])
            low = delays[starts + (counts - 1) // 2]
            high = delays[starts + counts // 2]
            self._stats = AnswerStats(authors[starts], counts, (low + high) / 2)
        return self._stats


_cache: "OrderedDict[int, AnswerIndex]" = OrderedDict()
_lock = threading.Lock()


def _still_valid(index: AnswerIndex) -> bool:
    """The newest indexed answer still exists in this community (guards against a database
    that was reset or rolled back under a long-lived process)."""
    if not index.last_post_id:
        return True
    return Post.objects.filter(
        pk=index.last_post_id, thread__community_id=index.community_id
    ).exists()


def answer_index(community_id: int) -> AnswerIndex:
    """The community's index, fitted or extended to now; cached per process."""
    with _lock:
        index = _cache.get(community_id)
        if index is None or index.is_stale() or not _still_valid(index):
            index = AnswerIndex.build(community_id)
        else:
            index.extend()
        _cache[community_id] = index
        _cache.move_to_end(community_id)
        while len(_cache) > MAX_CACHED:
            _cache.popitem(last=False)
        return index


def forget_answer_indexes() -> None:
    """Drop every cached index (tests, and after bulk imports)."""
    with _lock:
        _cache.clear()
