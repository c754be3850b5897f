"""Insert the planned Q&A in bulk, with every field the services would have filled.

Threads carry their response-time facts, counters, state and score; posts their rendered HTML
and the author's org unit and level snapshots with the cross-org / cross-level facts; the
ledger gets ASKED/DISCUSSED, ANSWERED/REPLIED, ACCEPTED, VOTED and ROUTED rows shaped as the
services write them; the search index gets one document per post.
"""

from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType

from practica.core import search as core_search
from practica.core.models import Activity, ActivityKind
from practica.demo.communities import AI, CIRCLE, DATA_ENGINEERING, RESPONSIBLE_AI
from practica.demo.discussions import CROSS_ORG_DEPTH, ThreadPlan
from practica.demo.growth import ML
from practica.discussions.models import (
    Notification,
    NotificationKind,
    Post,
    QASettings,
    RoutedExpert,
    RoutingRound,
    Thread,
    ThreadKind,
    ThreadState,
    Vote,
)

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

BATCH = 2000
VOTED_LEDGER_DAYS = 365
# (response target minutes, routing enabled) per community
QA_SETTINGS = {
    ML: (60, True),
    AI: (60, True),
    DATA_ENGINEERING: (120, True),
    RESPONSIBLE_AI: (240, True),
    CIRCLE: (240, False),
}


def _seconds(later, earlier) -> int:
    return max(0, int((later - earlier).total_seconds()))


def _state(plan: ThreadPlan) -> str:
    if plan.accepted is not None:
        return ThreadState.ACCEPTED
    if plan.kind == ThreadKind.QUESTION and plan.first_response is not None:
        return ThreadState.ANSWERED
    return ThreadState.OPEN


def _thread_row(story: "DemoStory", plan: ThreadPlan) -> Thread:
    first = plan.first_response
    target = QA_SETTINGS[plan.community][0]
    last = max(plan.posts[-1].created_at, plan.accepted_at or plan.created_at)
    return Thread(
        community_id=story.communities[plan.community].pk,
        kind=plan.kind,
        title=plan.title[:200],
        author_id=plan.author.user.pk,
        state=_state(plan),
        is_urgent=plan.is_urgent,
        respond_by=plan.created_at + timedelta(minutes=target) if plan.is_urgent else None,
        created_at=plan.created_at,
        last_activity_at=last,
        first_response_at=first.created_at if first else None,
        first_response_seconds=_seconds(first.created_at, plan.created_at) if first else None,
        accepted_at=plan.accepted_at,
        accepted_answer_seconds=(
            _seconds(plan.accepted_at, plan.created_at) if plan.accepted_at else None
        ),
        answer_count=len(plan.posts) - 1,
        score=plan.posts[0].score,
        view_count=plan.view_count,
    )


def save_threads_and_posts(story: "DemoStory") -> None:
    QASettings.objects.bulk_create(
        [
            QASettings(
                community_id=community.pk,
                response_target_minutes=QA_SETTINGS[slug][0],
                routing_enabled=QA_SETTINGS[slug][1],
                cross_org_depth=CROSS_ORG_DEPTH,
            )
            for slug, community in story.communities.items()
            if slug in QA_SETTINGS
        ]
    )
    plans: list[ThreadPlan] = story.threads
    rows = [_thread_row(story, plan) for plan in plans]
    Thread.objects.bulk_create(rows, batch_size=BATCH)
    through = Thread.topics.through
    through.objects.bulk_create(
        [
            through(thread_id=row.pk, topic_id=story.topics[slug].pk)
            for plan, row in zip(plans, rows, strict=True)
            for slug in dict.fromkeys(plan.topics)
        ],
        batch_size=BATCH * 2,
    )
    posts = []
    for plan, row in zip(plans, rows, strict=True):
        plan.row = row
        for post in plan.posts:
            user = post.author.user
            post.row = Post(
                thread_id=row.pk,
                author_id=user.pk,
                is_opening=post.is_opening,
                body=post.text.body,
                body_html=post.text.html,
                created_at=post.created_at,
                score=post.score,
                author_org_unit_id=user.org_unit_id,
                author_career_level=user.career_level,
                is_cross_org=post.is_cross_org,
                is_cross_level=post.is_cross_level,
            )
            posts.append(post.row)
    Post.objects.bulk_create(posts, batch_size=BATCH)
    accepted = []
    for plan in plans:
        if plan.accepted is not None:
            plan.row.accepted_answer_id = plan.accepted.row.pk
            accepted.append(plan.row)
    Thread.objects.bulk_update(accepted, ["accepted_answer"], batch_size=BATCH)
    Vote.objects.bulk_create(
        [
            Vote(post_id=post.row.pk, voter_id=voter.user.pk, value=value, created_at=at)
            for plan in plans
            for post in plan.posts
            for voter, value, at in post.votes
        ],
        batch_size=BATCH * 2,
    )
    story.counts["threads"] = len(rows)
    story.counts["posts"] = len(posts)


def _ledger(story: "DemoStory", plan: ThreadPlan, types: dict[str, int]) -> list[Activity]:
    """The rows the services would have written; VOTED only for the last VOTED_LEDGER_DAYS
    (votes are many and the metrics that read them look at recent engagement)."""
    votes_since = story.now - timedelta(days=VOTED_LEDGER_DAYS)
    community_id = story.communities[plan.community].pk
    thread_id, asker = plan.row.pk, plan.author.user.pk
    question = plan.kind == ThreadKind.QUESTION
    rows = [
        Activity(
            kind=ActivityKind.ASKED if question else ActivityKind.DISCUSSED,
            person_id=asker,
            community_id=community_id,
            occurred_at=plan.created_at,
            subject_type_id=types["thread"],
            subject_id=thread_id,
            data={"urgent": plan.is_urgent, "topics": [story.topics[t].pk for t in plan.topics]},
        )
    ]
    for post in plan.posts:
        post_id, author = post.row.pk, post.author.user.pk
        if not post.is_opening:
            answered = question and author != asker
            data = {"thread": thread_id}
            if answered:
                data |= {
                    "cross_org": post.is_cross_org,
                    "cross_level": post.is_cross_level,
                    "seconds_since_question": _seconds(post.created_at, plan.created_at),
                }
            rows.append(
                Activity(
                    kind=ActivityKind.ANSWERED if answered else ActivityKind.REPLIED,
                    person_id=author,
                    community_id=community_id,
                    occurred_at=post.created_at,
                    subject_type_id=types["post"],
                    subject_id=post_id,
                    counterpart_id=asker if author != asker else None,
                    data=data,
                )
            )
        for voter, value, at in post.votes:
            if at < votes_since:
                continue
            rows.append(
                Activity(
                    kind=ActivityKind.VOTED,
                    person_id=voter.user.pk,
                    community_id=community_id,
                    occurred_at=at,
                    subject_type_id=types["post"],
                    subject_id=post_id,
                    counterpart_id=author,
                    data={"thread": thread_id, "value": value, "previous": 0},
                )
            )
    if plan.accepted is not None:
        rows.append(
            Activity(
                kind=ActivityKind.ACCEPTED,
                person_id=asker,
                community_id=community_id,
                occurred_at=plan.accepted_at,
                subject_type_id=types["post"],
                subject_id=plan.accepted.row.pk,
                counterpart_id=plan.accepted.author.user.pk,
                data={
                    "thread": thread_id,
                    "previous": None,
                    "seconds_since_question": _seconds(plan.accepted_at, plan.created_at),
                    "by_moderator": False,
                },
            )
        )
    return rows


def _routing(story: "DemoStory", types: dict[str, int]) -> tuple[list[Activity], int]:
    """Routing rounds, the experts asked, their ROUTED rows and in-app notifications."""
    rounds, pending = [], []
    for plan in story.threads:
        for number, reason, at, picks in plan.rounds:
            row = RoutingRound(
                thread_id=plan.row.pk,
                number=number,
                reason=reason,
                created_at=at,
                candidates_considered=len(story.memberships) // 20 + 40,
            )
            rounds.append(row)
            pending.append((plan, row, at, picks))
    RoutingRound.objects.bulk_create(rounds, batch_size=BATCH)
    experts, ledger, notes = [], [], []
    for plan, round_row, at, picks in pending:
        first = plan.first_response
        community_id = story.communities[plan.community].pk
        for rank, (person, score) in enumerate(picks, start=1):
            answer = next((p for p in plan.posts[1:] if p.author is person), None)
            ends = [p.created_at for p in (answer, first) if p is not None]
            topic = story.topics[plan.topics[0]]
            experts.append(
                RoutedExpert(
                    round_id=round_row.pk,
                    thread_id=plan.row.pk,
                    person_id=person.user.pk,
                    rank=rank,
                    score=score,
                    reasons={
                        "expertise": [{"topic": topic.name, "match": "exact"}],
                        "working_hours": True,
                        "open_routed": 0,
                        "time_zone": person.user.time_zone,
                        "place": person.user.location,
                        "round": round_row.number,
                        "asked": len(picks),
                    },
                    notified_at=at,
                    answered_post_id=answer.row.pk if answer else None,
                    answered_at=answer.created_at if answer else None,
                    closed_at=min(ends) if ends else None,
                )
            )
            ledger.append(
                Activity(
                    kind=ActivityKind.ROUTED,
                    person_id=person.user.pk,
                    community_id=community_id,
                    occurred_at=at,
                    subject_type_id=types["thread"],
                    subject_id=plan.row.pk,
                    counterpart_id=plan.author.user.pk,
                    data={"round": round_row.number, "rank": rank, "score": score},
                )
            )
            notes.append(
                Notification(
                    recipient_id=person.user.pk,
                    kind=NotificationKind.ROUTED,
                    thread_id=plan.row.pk,
                    actor_id=plan.author.user.pk,
                    data={"round": round_row.number, "asked": len(picks)},
                    created_at=at,
                    read_at=min(ends) if ends else None,
                )
            )
    RoutedExpert.objects.bulk_create(experts, batch_size=BATCH)
    Notification.objects.bulk_create(notes, batch_size=BATCH)
    return ledger, len(experts)


def _answers_to_logins(story: "DemoStory") -> None:
    """The demo logins' own notifications: answers to their questions (recent ones unread)."""
    logins = {id(plan) for plan in story.logins.values()}
    recent = story.now - timedelta(days=60)
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=plan.author.user.pk,
                kind=NotificationKind.ANSWER,
                thread_id=plan.row.pk,
                post_id=post.row.pk,
                actor_id=post.author.user.pk,
                created_at=post.created_at,
                read_at=None if post.created_at > recent else post.created_at + timedelta(hours=2),
            )
            for plan in story.threads
            if id(plan.author) in logins and plan.kind == ThreadKind.QUESTION
            for post in plan.posts[1:]
            if post.author is not plan.author
        ]
    )


def save_ledger_and_index(story: "DemoStory") -> None:
    """The activity ledger, routing, notifications of the logins, and the search index."""
    types = {
        "thread": ContentType.objects.get_for_model(Thread).pk,
        "post": ContentType.objects.get_for_model(Post).pk,
    }
    ledger: list[Activity] = []
    for plan in story.threads:
        ledger += _ledger(story, plan, types)
    routed, experts = _routing(story, types)
    ledger += routed
    Activity.objects.bulk_create(ledger, batch_size=BATCH)
    _answers_to_logins(story)
    story.counts["activities"] = story.counts.get("activities", 0) + len(ledger)
    story.counts["routed_experts"] = experts
    index_for_search(story)


def index_for_search(story: "DemoStory") -> None:
    """One search document per post, shaped as `discussions.search` indexes a post (thread
    tags, the author's org-unit prefixes, "opening"), with plain text from the render cache."""
    from practica.discussions import search

    paths = {plan.user.org_unit_id: plan.team.unit.path for plan in story.people if plan.team}
    documents = []
    for plan in story.threads:
        thread = plan.row
        topic_paths = [story.topics[slug].path for slug in dict.fromkeys(plan.topics)]
        tags = search.thread_tags(thread, topic_paths)
        for post in plan.posts:
            path = paths.get(post.author.user.org_unit_id, "")
            post_tags = [f"org:{prefix}" for prefix in search._path_prefixes(path)]
            if post.is_opening:
                post_tags.append(search.OPENING)
            documents.append(
                core_search.IndexedDocument(
                    source=search.SOURCE,
                    object_id=post.row.pk,
                    group_id=thread.pk,
                    created_at=post.created_at,
                    title=thread.title,
                    body=post.text.plain,
                    tags=(*tags, *post_tags),
                )
            )
    core_search.bulk_index_documents(documents)
    core_search.optimize_index()
