"""`practica bench routing`: would the routed members have been the ones who answered?

On a generated history (`routing_history`: its own model of who answers), the last
`--held-out` questions are replayed in time order. For each question that got an answer,
the real ranker (`practica.discussions.routing.rank_experts`, same eligibility, same
weights) ranks the community's members using only the answers posted before the question
(the TF-IDF index is fitted on the history before the first held-out question, then extended
question by question) at the question's moment (working hours, quiet hours). A hit at k: one
of the top k actually answered. The baseline picks k random eligible members who list one of
the question's topics (then, if too few, a parent or child topic, then anyone), averaged over
`RANDOM_DRAWS` draws. Also reported: the time of one routing decision (p50, p95 wall clock;
p50 CPU time of this process, which a busy machine does not inflate).
"""

import argparse
import statistics
import time

import numpy as np

DESCRIPTION = (
    "Replay a generated Q&A history: how often the routed members answered, vs random "
    "members with the question's topic."
)
RANDOM_DRAWS = 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--members", type=int, default=7000)
    parser.add_argument("--questions", type=int, default=20000)
    parser.add_argument("--held-out", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)


def validate(options: argparse.Namespace) -> str | None:
    if options.members < 10:
        return "--members must be at least 10."
    if options.questions < 20:
        return "--questions must be at least 20."
    if not 0 < options.held_out < options.questions:
        return "--held-out must be positive and smaller than --questions."
    return None


def _random_hit(rng, tiers: list[list[int]], actual: set[int], k: int) -> float:
    hits = 0
    for _ in range(RANDOM_DRAWS):
        chosen: list[int] = []
        for tier in tiers:
            need = k - len(chosen)
            if need <= 0:
                break
            if len(tier) <= need:
                chosen += tier
            else:
                chosen += [tier[i] for i in rng.choice(len(tier), size=need, replace=False)]
        hits += bool(actual.intersection(chosen))
    return hits / RANDOM_DRAWS


def run(*, members: int, questions: int, held_out: int, seed: int) -> dict[str, object]:
    from practica.bench.routing_history import generate
    from practica.core.models import Topic
    from practica.discussions.models import Post
    from practica.discussions.routing import (
        QuestionInput,
        eligible_candidates,
        rank_experts,
        topic_match,
    )
    from practica.discussions.routing_text import AnswerIndex
    from practica.people.models import User

    started = time.perf_counter()
    history = generate(members=members, questions=questions, seed=seed)
    generate_seconds = time.perf_counter() - started

    replay = history.questions[-held_out:]
    started = time.perf_counter()
    index = AnswerIndex.build(history.community_id, until=replay[0]["at"])
    fit_seconds = time.perf_counter() - started

    texts = dict(
        Post.objects.filter(thread_id__in=[q["id"] for q in replay], is_opening=True).values_list(
            "thread_id", "body"
        )
    )
    titles = dict(
        Post.objects.filter(thread_id__in=[q["id"] for q in replay], is_opening=True).values_list(
            "thread_id", "thread__title"
        )
    )
    paths = dict(Topic.objects.values_list("pk", "path"))
    listed: dict[int, set[str]] = {}
    for user_id, topic_id in User.expertise.through.objects.values_list("user_id", "topic_id"):
        listed.setdefault(user_id, set()).add(paths[topic_id])

    rng = np.random.default_rng(seed + 1)
    evaluated = hits3 = hits5 = 0
    random3 = random5 = 0.0
    timings: list[float] = []
    cpu_timings: list[float] = []
    for question in replay:
        actual = history.answerers[question["id"]]
        if not actual:
            continue
        index.extend(until=question["at"])
        routed = QuestionInput(
            community_id=history.community_id,
            asker_id=question["asker"],
            text=f"{titles[question['id']]}\n{texts[question['id']]}",
            topic_ids=question["topics"],
            thread_id=question["id"],
        )
        started, cpu = time.perf_counter(), time.process_time()
        ranking = rank_experts(routed, k=5, now=question["at"], index=index)
        timings.append((time.perf_counter() - started) * 1000)
        cpu_timings.append((time.process_time() - cpu) * 1000)
        picks = [pick.person_id for pick in ranking.picks]
        evaluated += 1
        hits3 += bool(actual.intersection(picks[:3]))
        hits5 += bool(actual.intersection(picks[:5]))

        eligible = eligible_candidates(routed, question["at"]).ids.tolist()
        q_paths = [paths[t] for t in question["topics"]]
        exact, partial, rest = [], [], []
        for pk in eligible:
            mine = listed.get(pk, set())
            if any(p in mine for p in q_paths):
                exact.append(pk)
            elif any(topic_match(q, m)[0] >= 0.35 for q in q_paths for m in mine):
                partial.append(pk)
            else:
                rest.append(pk)
        random3 += _random_hit(rng, [exact, partial, rest], actual, 3)
        random5 += _random_hit(rng, [exact, partial, rest], actual, 5)

    def share(value: float) -> float:
        return round(value / evaluated, 4) if evaluated else 0.0

    ordered = sorted(timings)
    return {
        "members": members,
        "history_questions": questions,
        "answers": history.answers,
        "questions": evaluated,
        "hit_rate_k3": share(hits3),
        "hit_rate_k5": share(hits5),
        "random_hit_rate_k3": share(random3),
        "random_hit_rate_k5": share(random5),
        "decision_p50_ms": round(statistics.median(ordered), 1) if ordered else 0.0,
        "decision_p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1) if ordered else 0.0,
        "decision_cpu_p50_ms": round(statistics.median(cpu_timings), 1) if cpu_timings else 0.0,
        "index_fit_seconds": round(fit_seconds, 3),
        "generate_seconds": round(generate_seconds, 3),
    }
