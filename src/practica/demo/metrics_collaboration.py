"""Help crosses the org chart more each year: the demo's cross-org answer share grows.

On the 2012 list people mostly answered their own group's questions (they knew each other);
as the community grew and routing sent questions to experts wherever they sat, answers came
more and more from other groups. Once the Q&A is planned, this step hands some cross-group
answers to a colleague of the asker's own group who was a member at that moment: with a
probability that falls year by year. Groups are compared as the metric compares them in the
demo (`QASettings.cross_org_depth` 1, see `demo.discussions.cross_facts`).

It draws from its own seeded generator, so the story's shared one (and so every later step)
is left exactly as it was. Routed questions keep their answerers (the routing records who
answered), the tour's scenes (the demo logins' threads and answers, the proudest moment) stay
as written, and a colleague who voted on the answer is not made its author.
"""

import random
from datetime import datetime
from typing import TYPE_CHECKING

from practica.demo.discussions import cross_facts, group_of, is_member_at
from practica.demo.people import PersonPlan
from practica.discussions.models import ThreadKind

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

# Probability, by year, that a cross-group answer was given by a colleague of the asker.
OWN_GROUP_SHARE = {
    2012: 0.62, 2013: 0.56, 2014: 0.48, 2015: 0.42, 2016: 0.36, 2017: 0.30, 2018: 0.25,
    2019: 0.20, 2020: 0.16, 2021: 0.13, 2022: 0.10, 2023: 0.08,
}  # fmt: skip
LATEST_OWN_GROUP_SHARE = 0.06
TRIES = 8
SEED_OFFSET = 9_107  # this step's generator: the story's seed, shifted


def _members_by_group(story: "DemoStory") -> dict[tuple[str, int], list[PersonPlan]]:
    groups: dict[tuple[str, int], list[PersonPlan]] = {}
    for membership in story.memberships:
        group = group_of(membership.person)
        if group is not None:
            people = groups.setdefault((membership.community, group), [])
            if not people or people[-1] is not membership.person:
                people.append(membership.person)
    return groups


def _colleague(
    rng: random.Random,
    colleagues: list[PersonPlan],
    slug: str,
    moment: datetime,
    taken: set[int],
) -> PersonPlan | None:
    size = len(colleagues)
    for _ in range(min(TRIES, size)):
        person = colleagues[int(rng.random() * size)]
        if id(person) not in taken and is_member_at(person, slug, moment):
            return person
    return None


def keep_answers_closer_to_home_early_on(story: "DemoStory") -> None:
    """Give some cross-group answers to the asker's colleagues, more of them the earlier."""
    rng = random.Random(story.seed + SEED_OFFSET)
    groups = _members_by_group(story)
    logins = {id(person) for person in story.logins.values()}
    for thread in story.threads:
        if (
            thread.kind != ThreadKind.QUESTION
            or thread.rounds
            or thread is story.proudest_moment
            or id(thread.author) in logins
        ):
            continue
        asker_group = group_of(thread.author)
        if asker_group is None:
            continue
        colleagues = groups.get((thread.community, asker_group), [])
        taken = {id(post.author) for post in thread.posts}
        for post in thread.posts[1:]:
            if id(post.author) in logins or post.is_cross_org is not True:
                continue
            share = OWN_GROUP_SHARE.get(post.created_at.year, LATEST_OWN_GROUP_SHARE)
            if rng.random() >= share:
                continue
            voters = {id(voter) for voter, _value, _at in post.votes}
            person = _colleague(rng, colleagues, thread.community, post.created_at, taken | voters)
            if person is None:
                continue
            taken.add(id(person))
            post.author = person
            post.is_cross_org, post.is_cross_level = cross_facts(thread.author, person)
