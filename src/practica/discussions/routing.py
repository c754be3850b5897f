"""Ranking the members most likely to answer a question well and soon.

Eligible: current members of the question's community who are active, not system accounts,
still at the company, not the asker, not already asked or posting in the thread, not opted
out (`DiscussionPreferences.routing_opt_out`), not in their quiet hours (their own time
zone) and under their `max_open_routed` open routed questions.

Each eligible member gets a score in [0, 1], a weighted sum (`WEIGHTS`) of components that
are each in [0, 1]:

- expertise (0.30): how well their listed expertise covers the question's topics. Per
  question topic the best of: same topic 1.0, their topic is its parent 0.6 (or a further
  ancestor 0.4), their topic is its child 0.5 (deeper 0.35), a sibling 0.2; the component
  is the mean of the best match and the mean match over the question's topics.
- text (0.30): TF-IDF cosine between the question and their past answers in the community
  (`routing_text`), the mean of their three most similar answers, relative to the best
  candidate's.
- responsiveness (0.15): 0.5 × how much they answer (log answers, relative to the most
  active candidate) + 0.3 × speed (1 / (1 + median hours to answer / 2)) + 0.2 × answer
  rate when routed before (Laplace-smoothed, ½ without history).
- working hours (0.15): 1 on weekdays 09:00–18:00 local, 0.5 in the shoulders (07–09,
  18–21), 0.3 weekend daytime, 0.05 at night.
- load (0.10): 1 − open routed questions / their maximum (spreads the load).

Then a greedy re-ranking for a mix of org units: each next pick maximises score −
0.12 × (picks already from the same division) − 0.08 × (picks already from the same group).
"""

import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

import numpy as np
from django.conf import settings
from django.db.models import Count, Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from practica.communities.models import Membership
from practica.core.models import Topic
from practica.discussions.models import DiscussionPreferences, RoutedExpert, ThreadState
from practica.discussions.routing_text import AnswerIndex, answer_index
from practica.people.models import OrgUnit, User

DEFAULT_MAX_OPEN = DiscussionPreferences._meta.get_field("max_open_routed").default
OPEN_STATES = (ThreadState.OPEN, ThreadState.ANSWERED)
#: Routed questions younger than this are left out of a member's answer rate (still pending).
RATE_SETTLE = timedelta(hours=24)
#: Only the best this many by score go into the diversity re-ranking.
RERANK_POOL = 60
#: Median time to answer at which speed is ½.
SPEED_HALF_SECONDS = 7200.0


@dataclass(frozen=True)
class Weights:
    expertise: float = 0.30
    text: float = 0.30
    responsiveness: float = 0.15
    working_hours: float = 0.15
    load: float = 0.10
    same_division: float = 0.12
    same_group: float = 0.08


WEIGHTS = Weights()


@dataclass(frozen=True)
class QuestionInput:
    community_id: int
    asker_id: int
    text: str
    topic_ids: list[int]
    exclude_ids: frozenset[int] = frozenset()
    thread_id: int | None = None


@dataclass(frozen=True)
class Pick:
    person_id: int
    score: float
    reasons: dict


@dataclass(frozen=True)
class Ranking:
    picks: list[Pick]
    considered: int


@dataclass
class Pool:
    """The eligible members as parallel arrays (ascending ids), and what is known of each."""

    ids: np.ndarray
    zones: list[str]
    local: dict[str, datetime]
    working: np.ndarray
    open_load: np.ndarray
    max_load: np.ndarray
    expertise: np.ndarray = field(init=False)
    text: np.ndarray = field(init=False)
    similar: np.ndarray = field(init=False)
    answers: np.ndarray = field(init=False)
    median_delay: np.ndarray = field(init=False)
    routed: np.ndarray = field(init=False)
    routed_answered: np.ndarray = field(init=False)
    matched_topics: dict[int, list[tuple[float, str, str]]] = field(default_factory=dict)
    #: Location and org unit path, fetched only for the best `RERANK_POOL` rows.
    details: dict[int, tuple[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = self.ids.size
        self.expertise, self.text = np.zeros(n), np.zeros(n)
        self.similar, self.answers = np.zeros(n, np.int64), np.zeros(n, np.int64)
        self.median_delay = np.full(n, np.nan)
        self.routed, self.routed_answered = np.zeros(n, np.int64), np.zeros(n, np.int64)

    def __len__(self) -> int:
        return int(self.ids.size)

    def positions(self, person_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(rows in the pool, mask of which `person_ids` are in the pool)."""
        if not self.ids.size:
            return np.zeros(0, np.int64), np.zeros(person_ids.size, bool)
        rows = np.minimum(np.searchsorted(self.ids, person_ids), self.ids.size - 1)
        found = self.ids[rows] == person_ids
        return rows[found], found


# --- Eligibility ---------------------------------------------------------------------------


def in_quiet_hours(local: time, start: time | None, end: time | None) -> bool:
    """Quiet hours [start, end) in the member's own time; they may wrap past midnight."""
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def working_hours_factor(local: datetime) -> float:
    hour = local.hour + local.minute / 60
    if local.weekday() >= 5:
        return 0.3 if 9 <= hour < 18 else 0.05
    if 9 <= hour < 18:
        return 1.0
    if 7 <= hour < 9 or 18 <= hour < 21:
        return 0.5
    return 0.05


def _local_time(zone: str, now: datetime) -> datetime:
    try:
        return now.astimezone(zoneinfo.ZoneInfo(zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return now.astimezone(zoneinfo.ZoneInfo("UTC"))


def _members(community_id: int):
    return Membership.objects.filter(community_id=community_id, left_at__isnull=True).values(
        "person_id"
    )


def eligible_candidates(question: QuestionInput, now: datetime) -> Pool:
    """The question's community members who may be asked now (see the module docstring)."""
    members = _members(question.community_id)
    people = (
        User.objects.filter(pk__in=members, is_active=True, is_system=False, left_on__isnull=True)
        .exclude(pk=question.asker_id)
        .order_by("pk")
        .values_list("pk", "time_zone")
    )
    excluded = question.exclude_ids
    rows = [row for row in people if row[0] not in excluded]
    zones = [row[1] or "UTC" for row in rows]
    local = {zone: _local_time(zone, now) for zone in set(zones)}
    keep = np.ones(len(rows), bool)
    max_load = np.full(len(rows), DEFAULT_MAX_OPEN, np.int64)
    open_load = np.zeros(len(rows), np.int64)
    position = {row[0]: i for i, row in enumerate(rows)}
    preferences = DiscussionPreferences.objects.filter(person_id__in=members).values_list(
        "person_id", "routing_opt_out", "quiet_hours_start", "quiet_hours_end", "max_open_routed"
    )
    for pk, opted_out, start, end, max_open in preferences:
        i = position.get(pk)
        if i is None:
            continue
        max_load[i] = max_open
        if opted_out or in_quiet_hours(local[zones[i]].time(), start, end):
            keep[i] = False
    loads = (
        RoutedExpert.objects.filter(
            person_id__in=members, closed_at__isnull=True, thread__state__in=OPEN_STATES
        )
        .values_list("person_id")
        .annotate(n=Count("pk"))
    )
    for pk, n in loads:
        i = position.get(pk)
        if i is not None:
            open_load[i] = n
    keep &= open_load < max_load
    working_by_zone = {zone: working_hours_factor(moment) for zone, moment in local.items()}
    chosen = np.nonzero(keep)[0].tolist()
    return Pool(
        ids=np.array([rows[i][0] for i in chosen], dtype=np.int64),
        zones=[zones[i] for i in chosen],
        local=local,
        working=np.array([working_by_zone[zones[i]] for i in chosen], dtype=float),
        open_load=open_load[chosen],
        max_load=max_load[chosen],
    )


# --- Components ----------------------------------------------------------------------------


def topic_match(question_path: str, member_path: str) -> tuple[float, str]:
    """How well a member's expertise topic covers a question topic, and how (via paths)."""
    if member_path == question_path:
        return 1.0, "exact"
    q_depth = question_path.strip("/").count("/")
    m_depth = member_path.strip("/").count("/")
    if question_path.startswith(member_path):
        return (0.6 if q_depth - m_depth == 1 else 0.4), "broader"
    if member_path.startswith(question_path):
        return (0.5 if m_depth - q_depth == 1 else 0.35), "narrower"
    q_parent = question_path.rsplit("/", 2)[0] + "/"
    if q_depth == m_depth and q_depth > 0 and member_path.startswith(q_parent):
        return 0.2, "related"
    return 0.0, ""


def _full_names(paths: set[str]) -> dict[str, str]:
    slugs = {slug for path in paths for slug in path.strip("/").split("/") if slug}
    names = dict(Topic.objects.filter(slug__in=slugs).values_list("slug", "name"))
    return {
        path: " › ".join(names.get(slug, slug) for slug in path.strip("/").split("/"))
        for path in paths
    }


def _score_expertise(pool: Pool, topic_ids: list[int], community_id: int) -> None:
    question_paths = list(Topic.objects.filter(pk__in=topic_ids).values_list("path", flat=True))
    if not question_paths or not len(pool):
        return
    related = Q()
    for path in question_paths:
        parts = path.strip("/").split("/")
        ancestors = ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts))]
        parent = ancestors[-1] if ancestors else path
        related |= Q(topic__path__in=ancestors) | Q(topic__path__startswith=parent)
    rows = User.expertise.through.objects.filter(
        related, user_id__in=_members(community_id)
    ).values_list("user_id", "topic__path")
    # Only a few distinct topics: match each once against every question topic.
    per_path: dict[str, list[tuple[float, str]]] = {}
    best: dict[int, list[float]] = {}
    matched: dict[int, list[tuple[float, str, str]]] = {}
    for person_id, path in rows:
        matches = per_path.get(path)
        if matches is None:
            matches = per_path[path] = [topic_match(q, path) for q in question_paths]
        if not any(value for value, _ in matches):
            continue
        current = best.setdefault(person_id, [0.0] * len(question_paths))
        for i, (value, _how) in enumerate(matches):
            current[i] = max(current[i], value)
        value, how = max(matches)
        matched.setdefault(person_id, []).append((value, path, how))
    if not best:
        return
    ids = np.fromiter(best, dtype=np.int64, count=len(best))
    values = np.array(list(best.values()))
    scores = 0.5 * values.max(axis=1) + 0.5 * values.mean(axis=1)
    rows_in_pool, found = pool.positions(ids)
    pool.expertise[rows_in_pool] = scores[found]
    in_pool = set(pool.ids[rows_in_pool].tolist())
    pool.matched_topics = {
        pk: sorted(m, reverse=True)[:2] for pk, m in matched.items() if pk in in_pool
    }


def _score_text(pool: Pool, index: AnswerIndex, text: str) -> None:
    matches = index.match(text)
    rows, found = pool.positions(matches.authors)
    if rows.size:
        scores = matches.scores[found]
        best = scores.max()
        if best > 0:
            pool.text[rows] = scores / best
        pool.similar[rows] = matches.similar[found]
    stats = index.stats()
    rows, found = pool.positions(stats.authors)
    pool.answers[rows] = stats.answers[found]
    pool.median_delay[rows] = stats.median_delay[found]


def _routed_history(pool: Pool, community_id: int, now: datetime) -> None:
    rows = (
        RoutedExpert.objects.filter(person_id__in=_members(community_id))
        .filter(Q(answered_post__isnull=False) | Q(notified_at__lt=now - RATE_SETTLE))
        .values_list("person_id")
        .annotate(n=Count("pk"), answered=Count("pk", filter=Q(answered_post__isnull=False)))
    )
    data = np.array(list(rows), dtype=np.int64).reshape(-1, 3)
    positions, found = pool.positions(data[:, 0])
    pool.routed[positions] = data[found, 1]
    pool.routed_answered[positions] = data[found, 2]


def _combine(pool: Pool, weights: Weights) -> dict[str, np.ndarray]:
    most = pool.answers.max() if len(pool) else 0
    activity = np.log1p(pool.answers) / np.log1p(most) if most else np.zeros(len(pool))
    speed = np.where(
        np.isnan(pool.median_delay),
        0.0,
        1 / (1 + np.nan_to_num(pool.median_delay) / SPEED_HALF_SECONDS),
    )
    rate = (pool.routed_answered + 1) / (pool.routed + 2)
    responsiveness = 0.5 * activity + 0.3 * speed + 0.2 * rate
    load = np.clip(1 - pool.open_load / np.maximum(pool.max_load, 1), 0.0, 1.0)
    components = {
        "expertise": pool.expertise,
        "text": pool.text,
        "responsiveness": responsiveness,
        "working_hours": pool.working,
        "load": load,
    }
    components["score"] = sum(getattr(weights, name) * value for name, value in components.items())
    return components


def _division_and_group(path: str) -> tuple[str, str]:
    parts = [part for part in path.strip("/").split("/") if part]
    return (parts[0] if parts else "", "/".join(parts[:2]) if len(parts) >= 2 else "")


def best_rows(scores: np.ndarray, size: int = RERANK_POOL) -> list[int]:
    """The rows of the `size` highest scores (in no particular order)."""
    size = min(size, scores.size)
    if size <= 0:
        return []
    return np.argpartition(-scores, size - 1)[:size].tolist()


def diversify(
    scores: np.ndarray, org_paths: dict[int, str], k: int, weights: Weights
) -> list[tuple[int, float]]:
    """Greedy over the rows in `org_paths` (row → org unit path): each next pick maximises
    its score minus a penalty per earlier pick from the same division (and more from the same
    group). Returns (row, penalty), best first."""
    pool = sorted(org_paths)
    units = {row: _division_and_group(path) for row, path in org_paths.items()}
    picks: list[tuple[int, float]] = []
    while pool and len(picks) < k:
        best_row, best_value, best_penalty = -1, -np.inf, 0.0
        for row in pool:
            division, group = units[row]
            penalty = 0.0
            for picked, _penalty in picks:
                other_division, other_group = units[picked]
                if division and division == other_division:
                    penalty += weights.same_division
                    if group and group == other_group:
                        penalty += weights.same_group
            value = scores[row] - penalty
            if value > best_value:
                best_row, best_value, best_penalty = row, value, penalty
        picks.append((best_row, best_penalty))
        pool.remove(best_row)
    return picks


# --- Reasons -------------------------------------------------------------------------------


def _reasons(pool: Pool, row: int, components: dict[str, np.ndarray], extra: dict) -> dict:
    zone = pool.zones[row]
    local = pool.local[zone]
    delay = pool.median_delay[row]
    person_id = int(pool.ids[row])
    reasons: dict = {
        "expertise": [
            {"topic": extra["topic_names"].get(path, path), "match": how}
            for _, path, how in pool.matched_topics.get(person_id, [])
        ],
        "similar_answers": int(pool.similar[row]),
        "answers": int(pool.answers[row]),
        "median_answer_minutes": None if np.isnan(delay) else round(float(delay) / 60),
        "routed_before": int(pool.routed[row]),
        "routed_answered": int(pool.routed_answered[row]),
        "local_time": local.strftime("%H:%M"),
        "time_zone": zone,
        "place": pool.details[row][0] or zone.rsplit("/", 1)[-1].replace("_", " "),
        "working_hours": bool(pool.working[row] >= 1.0),
        "open_routed": int(pool.open_load[row]),
        "division": extra["division_names"].get(_division_and_group(pool.details[row][1])[0], ""),
        "components": {name: round(float(v[row]), 3) for name, v in components.items()},
    }
    reasons["components"]["diversity_penalty"] = round(extra["penalty"], 3)
    with translation.override(settings.LANGUAGE_CODE):
        reasons["summary"] = describe_reasons(reasons)
    return reasons


def describe_reasons(reasons: dict) -> list[str]:
    """The reasons as short phrases in the active language, e.g. "expert in NLP › Machine
    translation", "answered 12 similar questions", "14:00 in Beijing"."""
    phrases = []
    for item in reasons.get("expertise", [])[:1]:
        if item.get("match") == "exact":
            phrases.append(_("expert in %(topic)s") % {"topic": item["topic"]})
        else:
            phrases.append(_("knows %(topic)s") % {"topic": item["topic"]})
    similar = reasons.get("similar_answers") or 0
    if similar:
        phrases.append(
            ngettext(
                "answered %(count)d similar question",
                "answered %(count)d similar questions",
                similar,
            )
            % {"count": similar}
        )
    minutes = reasons.get("median_answer_minutes")
    if minutes is not None and minutes < 120 and (reasons.get("answers") or 0) >= 3:
        phrases.append(_("usually answers within %(minutes)d minutes") % {"minutes": minutes})
    if reasons.get("local_time"):
        phrases.append(
            _("%(time)s in %(place)s") % {"time": reasons["local_time"], "place": reasons["place"]}
        )
    return phrases


# --- Entry point ---------------------------------------------------------------------------


def rank_experts(
    question: QuestionInput,
    *,
    k: int,
    now: datetime,
    weights: Weights = WEIGHTS,
    index: AnswerIndex | None = None,
) -> Ranking:
    """The k members to ask, best first, with their scores and reasons.

    `index` defaults to the process's cached index of the community (extended to now); the
    routing benchmark passes its own, built from the history before each question.
    """
    pool = eligible_candidates(question, now)
    if not len(pool) or k <= 0:
        return Ranking([], len(pool))
    _score_expertise(pool, question.topic_ids, question.community_id)
    _score_text(pool, index or answer_index(question.community_id), question.text)
    _routed_history(pool, question.community_id, now)
    components = _combine(pool, weights)
    best = best_rows(components["score"])
    found = {
        pk: (location or "", path or "")
        for pk, location, path in User.objects.filter(pk__in=pool.ids[best].tolist()).values_list(
            "pk", "location", "org_unit__path"
        )
    }
    pool.details = {row: found.get(int(pool.ids[row]), ("", "")) for row in best}
    chosen = diversify(components["score"], {row: pool.details[row][1] for row in best}, k, weights)
    divisions = {_division_and_group(pool.details[row][1])[0] for row, _ in chosen}
    paths = {p for row, _ in chosen for _, p, _ in pool.matched_topics.get(int(pool.ids[row]), [])}
    extra = {
        "division_names": dict(
            OrgUnit.objects.filter(slug__in=divisions).values_list("slug", "name")
        ),
        "topic_names": _full_names(paths),
    }
    picks = [
        Pick(
            int(pool.ids[row]),
            float(components["score"][row]),
            _reasons(pool, row, components, {**extra, "penalty": penalty}),
        )
        for row, penalty in chosen
    ]
    return Ranking(picks, len(pool))
