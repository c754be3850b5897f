"""`practica bench search`: full-text search latency over a generated Q&A archive.

Builds `--posts` posts (bulk inserts, index built in bulk), then times `--queries` searches as
a member of some communities (one closed): one- to three-word ML terms, quoted phrases and
Chinese words, about half with a filter (community, topic, answered, org unit, date range),
each fetching the first page of 20 hits with highlighted snippets, plus similar-question
look-ups. Reports p50 and p95 of all of them.
"""

import argparse
import random
import statistics
import time
from datetime import timedelta

DESCRIPTION = "Time full-text searches (with filters and snippets) over N generated posts."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--posts", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)


def validate(options: argparse.Namespace) -> str | None:
    if options.posts < 100:
        return "--posts must be at least 100."
    if options.queries < 1:
        return "--queries must be a positive whole number."
    return None


def _query_texts(rng: random.Random, count: int) -> list[str]:
    from practica.bench.search_corpus import CHINESE, ML_TERMS, VERBS

    texts = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.35:
            texts.append(rng.choice(ML_TERMS))
        elif roll < 0.65:
            texts.append(f"{rng.choice(ML_TERMS)} {rng.choice(ML_TERMS)}")
        elif roll < 0.8:
            texts.append(f"{rng.choice(VERBS)} {rng.choice(ML_TERMS)} {rng.choice(ML_TERMS)}")
        elif roll < 0.92:
            texts.append(f'"{rng.choice(ML_TERMS)} {rng.choice(ML_TERMS)}"')
        else:
            texts.append(rng.choice(CHINESE))
    return texts


def _filters(rng: random.Random, corpus) -> dict[str, object]:  # type: ignore[no-untyped-def]
    roll = rng.random()
    if roll < 0.5:
        return {}
    if roll < 0.6:
        return {"community": rng.choice(corpus.communities[:2] + corpus.closed_communities[:1])}
    if roll < 0.7:
        return {"topic": rng.choice(corpus.topics)}
    if roll < 0.8:
        return {"answered": rng.choice([True, False])}
    if roll < 0.9:
        return {"org_unit": rng.choice(corpus.org_units)}
    since = corpus.oldest + timedelta(days=rng.randint(0, 4 * 365))
    return {"since": since, "until": since + timedelta(days=rng.randint(30, 365))}


def run(*, posts: int, queries: int, seed: int) -> dict[str, object]:
    from practica.bench.search_corpus import build_corpus
    from practica.discussions.search import search_threads, similar_questions

    started = time.perf_counter()
    corpus = build_corpus(posts=posts, seed=seed)
    build_seconds = time.perf_counter() - started

    rng = random.Random(seed + 1)
    texts = _query_texts(rng, queries)
    member = corpus.member
    # Warm the connection and the caches the way a running server would be.
    for text in texts[:5]:
        search_threads(user=member, text=text)
    timings, similar_timings, hits = [], [], 0
    for n, text in enumerate(texts):
        filters = _filters(rng, corpus)
        begin = time.perf_counter()
        if n % 10 == 9:
            similar_questions(user=member, text=f"How to {text} with small data in production")
            similar_timings.append((time.perf_counter() - begin) * 1000)
        else:
            results = search_threads(user=member, text=text, **filters)
            hits += len(results.hits)
            timings.append((time.perf_counter() - begin) * 1000)
    everything = timings + similar_timings
    return {
        "posts": corpus.posts,
        "threads": corpus.threads,
        "queries": len(everything),
        "p50_ms": round(statistics.median(everything), 2),
        "p95_ms": round(_percentile(everything, 95), 2),
        "max_ms": round(max(everything), 2),
        "search_p95_ms": round(_percentile(timings, 95), 2),
        "similar_p95_ms": round(_percentile(similar_timings, 95), 2) if similar_timings else None,
        "mean_hits": round(hits / max(1, len(timings)), 1),
        "build_seconds": round(build_seconds, 1),
    }


def _percentile(values: list[float], percent: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(percent / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]
