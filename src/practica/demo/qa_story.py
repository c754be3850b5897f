"""The Q&A scenes the demo's tour points at: the demo member's questions (one answered by the
leader, one waiting to be accepted, one still unanswered and routed to experts) and the
community's proudest moment, a principal engineer's question answered by a new graduate in
another group."""

from datetime import timedelta
from typing import TYPE_CHECKING

from practica.demo.discussions import (
    ROUTING_WINDOW,
    PostPlan,
    QAPlanner,
    ThreadPlan,
    add_votes,
    cross_facts,
    is_member_at,
)
from practica.demo.growth import ML
from practica.demo.logins import LEADER_EMAIL, MEMBER_EMAIL
from practica.demo.memberships import working_moment
from practica.demo.people import PersonPlan
from practica.discussions.models import ThreadKind
from practica.people.models import Role

if TYPE_CHECKING:
    from datetime import datetime

MEMBER_QUESTIONS = (
    (
        "Translation service: p99 latency spikes when request sizes vary",
        "We serve our translation model behind the Translation Services API. Median latency is "
        "fine (60 ms), but p99 jumps to over a second when a few long documents arrive in the "
        "same batch as short sentences.",
        "```python\nbatch = pad_sequence([encode(text) for text in requests], batch_first=True)\n"
        "outputs = model.generate(batch, max_new_tokens=256)\n```",
        ("machine-translation", "model-deployment"),
    ),
    (
        "NER for terminology: tag product names before translation or after?",
        "We want product names to survive translation. Should we run NER on the source text "
        "and protect the entities, or fix the names in the output? Which has worked for you?",
        "",
        ("named-entity-recognition", "machine-translation"),
    ),
    (
        "Keeping product names untranslated: placeholders break our NER tags — ideas?",
        "We replace product names with placeholders before translation (as suggested here "
        "earlier), but our NER model no longer recognises the sentence structure around them "
        "and misses other entities. Has anyone combined the two?",
        "```text\nInput:  Open __TERM_1__ and share the file with __TERM_2__.\n"
        "Output: Öffnen Sie __TERM_1__ und teilen Sie die Datei mit __TERM_2__.\n```",
        ("machine-translation", "named-entity-recognition"),
    ),
)
LEADER_ANSWER = (
    "Bucket the requests by length before batching: one long document padded with twenty "
    "short sentences makes all of them wait for it. We sort by token count into three buckets "
    "and cap tokens per batch instead of requests per batch; p99 went from 1.2 s to 180 ms.",
    '```python\nbuckets = {"short": [], "medium": [], "long": []}\nfor request in pending:\n'
    "    buckets[bucket_of(len(request.tokens))].append(request)\n```",
)
PROUD_TITLE = "NCCL all-reduce hangs at random steps — only on the new GPU cluster"
PROUD_QUESTION = (
    "Our large training job hangs at a random step on the new cluster: no error, every GPU at "
    "100%, nothing moves. The same job ran for months on the old cluster. We've spent two "
    "days on it with the infrastructure team. Has anyone seen this?",
    "```bash\ntorchrun --nnodes=8 --nproc-per-node=8 train.py --config large.yaml\n```",
)
PROUD_ANSWER = (
    "I saw exactly this in my thesis work last year. The new nodes have two network "
    "interfaces and NCCL picks the Ethernet one for some ranks; those ranks fall behind and "
    "the collective waits forever. Pin NCCL to the InfiniBand interface:",
    "```bash\nexport NCCL_SOCKET_IFNAME=ib0\nexport NCCL_IB_DISABLE=0\nexport NCCL_DEBUG=INFO\n```",
    "With `NCCL_DEBUG=INFO` you can check it in the first lines of each rank's log.",
)
PROUD_THANKS = (
    "Confirmed: that was it. Two days of our time, fixed in half an hour by someone who joined "
    "the company three months ago. Thank you! Adding this to the cluster's runbook."
)


def _thread(
    planner: QAPlanner,
    asker: PersonPlan,
    *,
    asked: "datetime",
    title: str,
    blocks: tuple[str, ...],
    topics: tuple[str, ...],
) -> ThreadPlan:
    opening = PostPlan(asker, asked, planner.writer.text(list(blocks)), is_opening=True)
    return ThreadPlan(ML, ThreadKind.QUESTION, title, asker, asked, list(topics), [opening])


def _answer(thread: ThreadPlan, author: PersonPlan, at: "datetime", text) -> PostPlan:
    cross_org, cross_level = cross_facts(thread.author, author)
    post = PostPlan(author, at, text, False, cross_org, cross_level)
    thread.posts.append(post)
    return post


def _member_scenes(planner: QAPlanner) -> list[ThreadPlan]:
    story = planner.story
    member, leader = story.logins.get(MEMBER_EMAIL), story.logins.get(LEADER_EMAIL)
    if member is None or leader is None or ML not in member.memberships:
        return []
    joined = member.memberships[ML].joined_at
    span = story.now - joined
    moments = [
        working_moment(story, member, (joined + span * 0.2).date()),
        working_moment(story, member, (story.now - min(timedelta(days=45), span * 0.6)).date()),
        working_moment(story, member, (story.now - timedelta(days=2)).date()),
    ]
    threads = []
    for (title, context, code, topics), moment in zip(MEMBER_QUESTIONS, moments, strict=True):
        asked = max(moment, joined + timedelta(hours=1))
        threads.append(
            _thread(
                planner, member, asked=asked, title=title, blocks=(context, code), topics=topics
            )
        )
    answered, waiting, unanswered = threads
    first = _answer(
        answered,
        leader,
        answered.created_at + timedelta(minutes=35),
        planner.writer.text(list(LEADER_ANSWER)),
    )
    answered.accepted, answered.accepted_at = first, first.created_at + timedelta(hours=3)
    exclude = {id(member), id(leader)}
    for thread, delay in ((answered, 2.5), (waiting, 3.0)):
        at = thread.created_at + timedelta(hours=delay)
        expert = planner.pick_person(ML, list(thread.topics), at, exclude, 1.0)
        if expert is not None and at < story.now:
            _answer(thread, expert, at, planner.writer.text([
                "Before translation, and keep the tags through decoding: it's far easier to "
                "protect a span than to repair one. A terminology list per product helps.",
            ]))  # fmt: skip
    for post in answered.posts:
        add_votes(planner, ML, post, 3.0)
    experts = [leader]
    for _ in range(4):
        pick = planner.pick_person(ML, list(unanswered.topics), unanswered.created_at, exclude, 1.0)
        if pick is not None and pick not in experts:
            experts.append(pick)
            exclude.add(id(pick))
    round_two = unanswered.created_at + timedelta(minutes=120)
    unanswered.rounds.append(
        (1, "posted", unanswered.created_at + timedelta(seconds=20),
         [(person, 0.91 - 0.1 * rank) for rank, person in enumerate(experts[:3])])
    )  # fmt: skip
    if round_two < story.now and len(experts) > 3:
        unanswered.rounds.append(
            (2, "unanswered", round_two, [(p, 0.6 - 0.05 * i) for i, p in enumerate(experts[3:])])
        )
    return threads


def _proudest_moment(planner: QAPlanner) -> list[ThreadPlan]:
    """A principal engineer asks; a new graduate in another group answers in 38 minutes."""
    story, rng = planner.story, planner.story.rng
    latest = story.now - ROUTING_WINDOW - timedelta(days=30)
    graduates = [
        p
        for p in planner.members[ML]
        if p.user.career_level == 1
        and p.team is not None
        and p.memberships[ML].left_at is None
        and p.role in {Role.ENGINEER, Role.RESEARCHER, Role.APPLIED_SCIENTIST}
        and p.memberships[ML].joined_at < latest
        and (p.memberships[ML].joined_at.date() - p.user.hired_on).days < 200
    ]
    principals = [
        p
        for p in planner.members[ML]
        if p.role == Role.ENGINEER and "Principal" in (p.user.job_title or "") and p.team
    ]
    rng.shuffle(graduates)
    for graduate in graduates:
        day = (graduate.memberships[ML].joined_at + timedelta(days=40)).date()
        asked = working_moment(story, graduate, day) - timedelta(minutes=38)
        asker = next(
            (
                p
                for p in principals
                if p.team.group.pk != graduate.team.group.pk and is_member_at(p, ML, asked)
            ),
            None,
        )
        if asker is None or asked >= latest:
            continue
        thread = _thread(
            planner,
            asker,
            asked=asked,
            title=PROUD_TITLE,
            blocks=PROUD_QUESTION,
            topics=("distributed-training",),
        )
        thread.topics.append("gpu-computing")
        write = planner.writer.text
        answer = _answer(thread, graduate, asked + timedelta(minutes=38), write(list(PROUD_ANSWER)))
        _answer(thread, asker, asked + timedelta(minutes=95), write([PROUD_THANKS]))
        thread.accepted, thread.accepted_at = answer, asked + timedelta(minutes=92)
        add_votes(planner, ML, thread.posts[0], 12.0)
        for _ in range(3):
            add_votes(planner, ML, answer, 15.0)
        story.proudest_moment = thread
        return [thread]
    return []


def plan_story_threads(planner: QAPlanner) -> list[ThreadPlan]:
    return _member_scenes(planner) + _proudest_moment(planner)
