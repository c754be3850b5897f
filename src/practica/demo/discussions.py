"""Years of Q&A: the ML list's questions from 2012, the sister communities' from their founding.

Threads follow membership: a member asks while they are a member, so the number of questions
grows with the community. Answers come from members who know the topic (mostly), while they
are members; the median wait falls as the community matures (days on the 2012 list, about an
hour in the 2020s). Recent questions may still be waiting, and they fill the unanswered queue.
Everything is planned in memory first; `practica.demo.qa_saving` inserts it in bulk.
"""

import itertools
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from practica.demo.communities import AI, CIRCLE, COMMUNITIES, DATA_ENGINEERING, RESPONSIBLE_AI
from practica.demo.growth import ML
from practica.demo.logins import LEADER_EMAIL
from practica.demo.memberships import working_moment
from practica.demo.people import PersonPlan
from practica.demo.qa_writing import (
    Text,
    Writer,
    answer_text,
    discussion_text,
    question_text,
    reply_text,
)
from practica.discussions.models import ThreadKind
from practica.people.models import Role

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

THREADS_PER_MEMBER = 3.0
COMMUNITY_SHARE = {ML: 0.70, AI: 0.14, DATA_ENGINEERING: 0.08, RESPONSIBLE_AI: 0.04, CIRCLE: 0.04}
DISCUSSION_SHARE = {CIRCLE: 0.7}
DEFAULT_DISCUSSION_SHARE = 0.12
# Median hours to a first answer in the ML community, by year: the list era, then the platform.
ML_MEDIAN_HOURS = {
    2012: 70, 2013: 36, 2014: 18, 2015: 10, 2016: 6, 2017: 4, 2018: 2.8,
    2019: 2.1, 2020: 1.6, 2021: 1.3, 2022: 1.1, 2023: 1.0, 2024: 0.9,
}  # fmt: skip
ASKING = {
    Role.FIELD: 2.2, Role.PRODUCT_MANAGER: 1.4, Role.ENGINEER: 1.2, Role.DATA_SCIENTIST: 1.1,
    Role.APPLIED_SCIENTIST: 1.0, Role.RESEARCHER: 0.8, Role.OTHER: 0.6,
}  # fmt: skip
ERA_ASKING = {2012: 8.0, 2013: 5.0, 2014: 3.0, 2015: 2.0, 2016: 1.5, 2017: 1.2}
RECENT = timedelta(days=21)
ROUTING_WINDOW = timedelta(days=30)
CROSS_ORG_DEPTH = 1  # groups, as QASettings.cross_org_depth says for every demo community


@dataclass(slots=True, eq=False)
class PostPlan:
    author: PersonPlan
    created_at: datetime
    text: Text
    is_opening: bool = False
    is_cross_org: bool | None = None
    is_cross_level: bool | None = None
    votes: list = field(default_factory=list)  # (voter PersonPlan, value, voted at)
    id: int = 0  # allocated when saved

    @property
    def score(self) -> int:
        return sum(value for _voter, value, _at in self.votes)


@dataclass(slots=True, eq=False)
class ThreadPlan:
    community: str
    kind: str
    title: str
    author: PersonPlan
    created_at: datetime
    topics: list[str]
    posts: list[PostPlan]
    is_urgent: bool = False
    accepted: PostPlan | None = None
    accepted_at: datetime | None = None
    rounds: list = field(default_factory=list)  # (number, reason, at, [(PersonPlan, score)])
    view_count: int = 0
    id: int = 0  # allocated when saved

    @property
    def first_response(self) -> PostPlan | None:
        return next((p for p in self.posts[1:] if p.author is not self.author), None)


def is_member_at(plan: PersonPlan, slug: str, moment: datetime) -> bool:
    membership = plan.memberships.get(slug)
    return (
        membership is not None
        and membership.joined_at <= moment
        and (membership.left_at is None or moment < membership.left_at)
    )


def group_of(plan: PersonPlan) -> int | None:
    return plan.team.group.pk if plan.team is not None else None


def cross_facts(asker: PersonPlan, author: PersonPlan) -> tuple[bool | None, bool | None]:
    """As the services compute them: org units compared at the group level, career levels."""
    if author is asker:
        return None, None
    mine, theirs = group_of(author), group_of(asker)
    cross_org = None if mine is None or theirs is None else mine != theirs
    level, asker_level = author.user.career_level, asker.user.career_level
    cross_level = None if level is None or asker_level is None else level < asker_level
    return cross_org, cross_level


def median_hours(slug: str, moment: datetime) -> float:
    if slug == ML:
        return ML_MEDIAN_HOURS[min(max(moment.year, 2012), 2024)]
    founded = next(spec.founded for spec in COMMUNITIES if spec.slug == slug)
    age = (moment.date() - founded).days / 365.25
    return max(0.9, 10 * 0.5**age)


@dataclass
class QAPlanner:
    """What the planning needs at hand: members and experts per community, topic pools."""

    story: "DemoStory"
    writer: Writer
    members: dict[str, list[PersonPlan]] = field(default_factory=dict)
    experts: dict[tuple[str, str], list[PersonPlan]] = field(default_factory=dict)
    pools: dict[str, tuple[list[str], list[float]]] = field(default_factory=dict)  # cumulative
    parents: dict[str, str] = field(default_factory=dict)
    activity: dict[int, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        story = self.story
        for slug, topic in story.topics.items():
            if topic.parent is not None:
                self.parents[slug] = topic.parent.slug
        for spec in COMMUNITIES:
            people = [m.person for m in story.memberships if m.community == spec.slug]
            self.members[spec.slug] = people
            for person in people:
                for topic in person.topics:
                    self.experts.setdefault((spec.slug, topic), []).append(person)
            pool = [slug for slug in story.topics if self._under(slug, spec.topics)]
            weights = [1 + len(self.experts.get((spec.slug, slug), ())) for slug in pool]
            self.pools[spec.slug] = (pool, list(itertools.accumulate(weights)))

    def _under(self, slug: str, roots: tuple[str, ...]) -> bool:
        while slug:
            if slug in roots:
                return True
            slug = self.parents.get(slug, "")
        return False

    def asking_weight(self, plan: PersonPlan) -> float:
        key = id(plan)
        if key not in self.activity:
            self.activity[key] = self.story.rng.lognormvariate(0, 0.9) * ASKING[plan.role]
        return self.activity[key]

    def pick_topics(self, slug: str, asker: PersonPlan) -> list[str]:
        rng = self.story.rng
        pool, weights = self.pools[slug]
        own = [topic for topic in asker.topics if topic in pool]
        if own and rng.random() < 0.55:
            first = rng.choice(own)
        else:
            first = rng.choices(pool, cum_weights=weights)[0]
        topics = [first]
        if rng.random() < 0.4:
            second = rng.choices(pool, cum_weights=weights)[0]
            if second != first:
                topics.append(second)
        return topics

    def pick_person(
        self, slug: str, topics: list[str], moment: datetime, exclude: set[int], expert: float
    ) -> PersonPlan | None:
        """A member at `moment`, not excluded; an expert in a topic with probability `expert`."""
        rng = self.story.rng
        pools = []
        if rng.random() < expert:
            for topic in topics:
                pools.append(self.experts.get((slug, topic), []))
                pools.append(self.experts.get((slug, self.parents.get(topic, "")), []))
        pools.append(self.members[slug])
        random = rng.random
        for pool in pools:
            size = len(pool)
            for _ in range(min(6, size)):
                person = pool[int(random() * size)]
                if id(person) not in exclude and is_member_at(person, slug, moment):
                    return person
        return None


def _delay(rng, median: float, sigma: float = 1.1) -> timedelta:
    return timedelta(hours=median * math.exp(sigma * rng.gauss(0, 1)))


def add_votes(planner: QAPlanner, slug: str, post: PostPlan, mean: float) -> None:
    """Up (and a few down) votes by members, within days of the post; none in the future."""
    story, rng = planner.story, planner.story.rng
    count = int(rng.expovariate(1 / mean)) if mean > 0 else 0
    if not count:
        return
    voted = {id(post.author)} | {id(voter) for voter, _v, _at in post.votes}
    for _ in range(count):
        moment = post.created_at + timedelta(hours=rng.expovariate(1 / 30))
        if moment >= story.now:
            continue
        voter = planner.pick_person(slug, [], moment, voted, 0.0)
        if voter is not None:
            voted.add(id(voter))
            post.votes.append((voter, -1 if rng.random() < 0.06 else 1, moment))


def plan_answers(planner: QAPlanner, thread: ThreadPlan, problem, chinese: bool) -> None:
    """Answers, an accepted one, votes: all before the story's present."""
    story, rng, slug = planner.story, planner.story.rng, thread.community
    now, asked = story.now, thread.created_at
    never = 0.12 if asked.year <= 2013 else 0.04
    if now - asked < RECENT:
        never += 0.3
    answered = rng.random() >= never
    median = median_hours(slug, asked) * (0.3 if thread.is_urgent else 1.0)
    moment = asked + _delay(rng, median)
    exclude = {id(thread.author)}
    leader = story.logins.get(LEADER_EMAIL)
    count = 1
    while count < 6 and rng.random() < (0.5 if asked.year >= 2015 else 0.35):
        count += 1
    year = asked.year
    for index in range(count if answered else 0):
        if moment >= now:
            break
        author = None
        if (
            leader is not None
            and slug == ML
            and "machine-translation" in thread.topics
            and id(leader) not in exclude
            and rng.random() < 0.35
        ):
            author = leader
        author = author or planner.pick_person(slug, thread.topics, moment, exclude, 0.8)
        if author is None:
            break
        exclude.add(id(author))
        text = answer_text(
            planner.writer,
            year=year,
            topic=story.topics[thread.topics[0]].name,
            problem=problem,
            chinese=chinese and author.user.country == "CN",
            urgent=thread.is_urgent,
            index=index,
        )
        cross_org, cross_level = cross_facts(thread.author, author)
        thread.posts.append(PostPlan(author, moment, text, False, cross_org, cross_level))
        moment += _delay(rng, median * 2.5)
    answers = thread.posts[1:]
    if answers and rng.random() < (0.4 if year <= 2013 else 0.78):
        chosen = answers[0] if rng.random() < 0.6 else rng.choice(answers)
        accepted_at = max(
            chosen.created_at, answers[-1].created_at if rng.random() < 0.3 else asked
        )
        accepted_at += _delay(rng, 3.0, 1.3)
        if accepted_at < now:
            thread.accepted, thread.accepted_at = chosen, accepted_at
    add_votes(planner, slug, thread.posts[0], 0.9)
    for answer in answers:
        add_votes(planner, slug, answer, 2.0 if answer is thread.accepted else 0.6)


def plan_discussion_replies(planner: QAPlanner, thread: ThreadPlan) -> None:
    story, rng, slug = planner.story, planner.story.rng, thread.community
    moment = thread.created_at + _delay(rng, median_hours(slug, thread.created_at) * 3)
    count = min(8, int(rng.expovariate(1 / 2.5)))
    for _ in range(count):
        if moment >= story.now:
            break
        author = thread.author if thread.posts[1:] and rng.random() < 0.2 else None
        author = author or planner.pick_person(slug, thread.topics, moment, set(), 0.5)
        if author is not None:
            cross_org, cross_level = cross_facts(thread.author, author)
            thread.posts.append(
                PostPlan(author, moment, reply_text(planner.writer), False, cross_org, cross_level)
            )
        moment += _delay(rng, median_hours(slug, moment) * 4)
    for post in thread.posts:
        add_votes(planner, slug, post, 0.5)


def plan_thread(planner: QAPlanner, slug: str, asker: PersonPlan, asked: datetime) -> ThreadPlan:
    story, rng, writer = planner.story, planner.story.rng, planner.writer
    topics = planner.pick_topics(slug, asker)
    name = story.topics[topics[0]].name
    year = asked.year
    discussion = rng.random() < DISCUSSION_SHARE.get(slug, DEFAULT_DISCUSSION_SHARE)
    if discussion:
        title, text = discussion_text(writer, year=year, topic=name)
        thread = ThreadPlan(
            slug, ThreadKind.DISCUSSION, title, asker, asked, topics, [PostPlan(asker, asked, text)]
        )
        thread.posts[0].is_opening = True
        plan_discussion_replies(planner, thread)
        return thread
    urgent = asker.role == Role.FIELD and year >= 2015 and slug != CIRCLE and rng.random() < 0.35
    chinese = not urgent and asker.user.country == "CN" and rng.random() < 0.45
    problem = (
        None if urgent or chinese or rng.random() < 0.3 else writer.problem_for(topics[0], year)
    )
    if problem is not None and rng.random() < 0.5:
        extra = [t for t in problem.topics if t != topics[0] and t in planner.pools[slug][0]]
        topics = [topics[0], rng.choice(extra)] if extra else topics[:1]
    title, text = question_text(
        writer, year=year, topic=name, problem=problem, chinese=chinese, urgent=urgent
    )
    opening = PostPlan(asker, asked, text, is_opening=True)
    thread = ThreadPlan(slug, ThreadKind.QUESTION, title, asker, asked, topics, [opening], urgent)
    plan_answers(planner, thread, problem, chinese)
    return thread


def plan_community_threads(planner: QAPlanner, slug: str) -> list[ThreadPlan]:
    """About THREADS_PER_MEMBER × N threads overall, shared out by member-time in the community."""
    story, rng = planner.story, planner.story.rng
    now = story.now
    spans = [
        m
        for m in story.memberships
        if m.community == slug and not m.person.user.is_system and m.joined_at < now
    ]
    if not spans:
        return []
    # The list era asked more per member: each year of a membership weighs ERA_ASKING more.
    segments, weights, total = [], [], 0.0
    for m in spans:
        start, end = m.joined_at, m.left_at or now
        activity = planner.asking_weight(m.person)
        while start < end:
            cut = min(end, start.replace(year=start.year + 1, month=1, day=1, hour=0, minute=0))
            days = (cut - start).total_seconds() / 86400
            total += days * activity * ERA_ASKING.get(start.year, 1.0)
            segments.append((m, start, cut))
            weights.append(total)
            start = cut
    count = round(THREADS_PER_MEMBER * story.members * COMMUNITY_SHARE[slug])
    threads = []
    for m, start, end in rng.choices(segments, cum_weights=weights, k=count):
        day = (start + (end - start) * rng.random()).date()
        asked = working_moment(story, m.person, day)
        limit = m.left_at or now
        if asked >= limit:
            asked = limit - timedelta(minutes=rng.randint(10, 600))
        if asked <= m.joined_at:
            continue
        threads.append(plan_thread(planner, slug, m.person, asked))
    return threads


def plan_routing(planner: QAPlanner, thread: ThreadPlan) -> None:
    """Recent questions were routed to experts: round 1 when asked, round 2 if still waiting."""
    story, rng = planner.story, planner.story.rng
    first = thread.first_response
    answerers = [post.author for post in thread.posts[1:]]
    rounds = [(1, "posted", thread.created_at + timedelta(seconds=20))]
    waited = thread.created_at + timedelta(minutes=120)
    if (first is None or first.created_at > waited) and waited < story.now:
        rounds.append((2, "unanswered", waited))
    routed: set[int] = {id(thread.author)}
    for number, reason, moment in rounds:
        picks = []
        if answerers and number == len(rounds) and rng.random() < 0.5:
            hit = rng.choice(answerers)
            if id(hit) not in routed:
                picks.append(hit)
                routed.add(id(hit))
        while len(picks) < 3:
            person = planner.pick_person(thread.community, thread.topics, moment, routed, 0.95)
            if person is None:
                break
            picks.append(person)
            routed.add(id(person))
        rng.shuffle(picks)
        scored = [(person, round(0.92 - 0.11 * rank - 0.05 * rng.random(), 4))
                  for rank, person in enumerate(picks)]  # fmt: skip
        thread.rounds.append((number, reason, moment, scored))


def plan_discussions(story: "DemoStory") -> None:
    """Plan every community's threads (saved by the next step)."""
    from practica.demo.qa_story import plan_story_threads

    planner = QAPlanner(story, Writer(story.rng))
    threads: list[ThreadPlan] = []
    for spec in COMMUNITIES:
        threads += plan_community_threads(planner, spec.slug)
    threads += plan_story_threads(planner)
    for thread in threads:
        if (
            thread.kind == ThreadKind.QUESTION
            and thread.community != CIRCLE
            and story.now - thread.created_at < ROUTING_WINDOW
            and not thread.rounds
        ):
            plan_routing(planner, thread)
        thread.view_count = 15 + 12 * len(thread.posts) + int(story.rng.expovariate(1 / 40))
    threads.sort(key=lambda thread: thread.created_at)
    story.threads = threads
