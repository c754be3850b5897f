"""`practica bench demo`: how long the demo community takes to generate."""

import argparse
import time

DESCRIPTION = "Time `practica demo --members N` into an empty, migrated database."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from practica.demo.story import DEFAULT_MEMBERS, DEFAULT_SEED

    parser.add_argument("--members", type=int, default=DEFAULT_MEMBERS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)


def validate(options: argparse.Namespace) -> str | None:
    """An error message for bad options, checked before any database is created."""
    if options.members < 1:
        return "--members must be a positive whole number."
    return None


def run(*, members: int, seed: int) -> dict[str, object]:
    from practica.demo.story import run_demo

    started = time.perf_counter()
    story = run_demo(members=members, seed=seed)
    seconds = time.perf_counter() - started
    return {
        "members": members,
        "seconds": round(seconds, 3),
        "people": story.counts["people"],
        "memberships": story.counts["memberships"],
        "activities": story.counts["activities"],
    }
