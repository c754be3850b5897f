"""Insert the planned Q&A in bulk, with every field the services would have filled.

Threads carry their response-time facts, counters, state and score; posts their rendered HTML
and the author's org unit and level snapshots with the cross-org / cross-level facts; the
ledger gets ASKED/DISCUSSED, ANSWERED/REPLIED, ACCEPTED, VOTED and ROUTED rows shaped as the
services write them; the search index gets one document per post, as `discussions.search`
indexes a post. Rows go in as tuples through `practica.core.bulk` (no model instances): ids
of threads, posts and routing rounds are allocated here, so rows can point at each other.
"""

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType

from practica.core import search as core_search
from practica.core.bulk import adapters, first_id, insert_rows, reset_sequences
from practica.core.models import Activity, ActivityKind, SearchEntry, Topic
from practica.core.search_text import searchable_text, tag_token
from practica.demo.communities import AI, CIRCLE, DATA_ENGINEERING, RESPONSIBLE_AI
from practica.demo.discussions import CROSS_ORG_DEPTH, ThreadPlan
from practica.demo.growth import ML
from practica.discussions.models import (
    Notification,
    NotificationKind,
    Post,
    PostOrigin,
    QASettings,
    RoutedExpert,
    RoutingRound,
    Thread,
    ThreadKind,
    ThreadState,
    Vote,
)
from practica.people.models import OrgUnit

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

VOTED_LEDGER_DAYS = 365
# (response target minutes, routing enabled) per community
QA_SETTINGS = {
    ML: (60, True),
    AI: (60, True),
    DATA_ENGINEERING: (120, True),
    RESPONSIBLE_AI: (240, True),
    CIRCLE: (240, False),
}
THREAD_COLUMNS = (
    "id", "community_id", "kind", "title", "author_id", "state", "is_urgent", "respond_by",
    "accepted_answer_id", "created_at", "last_activity_at", "first_response_at",
    "first_response_seconds", "accepted_at", "accepted_answer_seconds", "answer_count", "score",
    "view_count",
)  # fmt: skip
POST_COLUMNS = (
    "id", "thread_id", "author_id", "is_opening", "body", "body_html", "created_at", "score",
    "author_org_unit_id", "author_career_level", "is_cross_org", "is_cross_level", "origin",
    "email_message_id", "list_mail_sent_at",
)  # fmt: skip
ACTIVITY_COLUMNS = (
    "kind", "person_id", "community_id", "occurred_at", "subject_type_id", "subject_id",
    "counterpart_id", "data",
)  # fmt: skip
SEARCH_COLUMNS = ("source", "object_id", "group_id", "created_at", "title", "body", "tags")


def _seconds(later, earlier) -> int:
    return max(0, int((later - earlier).total_seconds()))


def _state(plan: ThreadPlan) -> str:
    if plan.accepted is not None:
        return ThreadState.ACCEPTED
    if plan.kind == ThreadKind.QUESTION and plan.first_response is not None:
        return ThreadState.ANSWERED
    return ThreadState.OPEN


def _thread_row(story: "DemoStory", plan: ThreadPlan, dt) -> tuple[Any, ...]:
    first = plan.first_response
    target = QA_SETTINGS[plan.community][0]
    last = max(plan.posts[-1].created_at, plan.accepted_at or plan.created_at)
    accepted = plan.accepted
    return (
        plan.id,
        story.communities[plan.community].pk,
        plan.kind,
        plan.title[:200],
        plan.author.user.pk,
        _state(plan),
        plan.is_urgent,
        dt(plan.created_at + timedelta(minutes=target)) if plan.is_urgent else None,
        accepted.id if accepted is not None else None,
        dt(plan.created_at),
        dt(last),
        dt(first.created_at) if first else None,
        _seconds(first.created_at, plan.created_at) if first else None,
        dt(plan.accepted_at),
        _seconds(plan.accepted_at, plan.created_at) if plan.accepted_at else None,
        len(plan.posts) - 1,
        plan.posts[0].score,
        plan.view_count,
    )


def _post_rows(plans: list[ThreadPlan], dt):
    for plan in plans:
        thread_id = plan.id
        for post in plan.posts:
            user = post.author.user
            yield (
                post.id,
                thread_id,
                user.pk,
                post.is_opening,
                post.text.body,
                post.text.html,
                dt(post.created_at),
                post.score,
                user.org_unit_id,
                user.career_level,
                post.is_cross_org,
                post.is_cross_level,
                PostOrigin.WEB,
                "",
                dt(post.created_at),  # history: never mailed to the list again
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
    dt, _js = adapters()
    thread_id, post_id = first_id(Thread), first_id(Post)
    for plan in plans:
        plan.id, thread_id = thread_id, thread_id + 1
        for post in plan.posts:
            post.id, post_id = post_id, post_id + 1
    # Threads point at their accepted answers and posts at their threads: the foreign keys
    # are checked at commit (deferred), when both are in.
    insert_rows(Thread, THREAD_COLUMNS, (_thread_row(story, plan, dt) for plan in plans))
    topic_ids = {slug: topic.pk for slug, topic in story.topics.items()}
    insert_rows(
        Thread.topics.through,
        ("thread_id", "topic_id"),
        ((plan.id, topic_ids[slug]) for plan in plans for slug in dict.fromkeys(plan.topics)),
    )
    posts = insert_rows(Post, POST_COLUMNS, _post_rows(plans, dt))
    insert_rows(
        Vote,
        ("post_id", "voter_id", "value", "created_at"),
        (
            (post.id, voter.user.pk, value, dt(at))
            for plan in plans
            for post in plan.posts
            for voter, value, at in post.votes
        ),
    )
    reset_sequences(Thread, Post)
    story.counts["threads"] = len(plans)
    story.counts["posts"] = posts


def _ledger(
    story: "DemoStory", plan: ThreadPlan, types: dict[str, int], rows: list, *, dt, js
) -> None:
    """The rows the services would have written; VOTED only for the last VOTED_LEDGER_DAYS
    (votes are many and the metrics that read them look at recent engagement)."""
    votes_since = story.now - timedelta(days=VOTED_LEDGER_DAYS)
    community_id = story.communities[plan.community].pk
    thread_id, asker = plan.id, plan.author.user.pk
    question = plan.kind == ThreadKind.QUESTION
    thread_type, post_type = types["thread"], types["post"]
    rows.append(
        (
            ActivityKind.ASKED if question else ActivityKind.DISCUSSED,
            asker,
            community_id,
            dt(plan.created_at),
            thread_type,
            thread_id,
            None,
            js({"urgent": plan.is_urgent, "topics": [story.topics[t].pk for t in plan.topics]}),
        )
    )
    for post in plan.posts:
        post_id, author = post.id, post.author.user.pk
        if not post.is_opening:
            answered = question and author != asker
            data: dict[str, Any] = {"thread": thread_id}
            if answered:
                data |= {
                    "cross_org": post.is_cross_org,
                    "cross_level": post.is_cross_level,
                    "seconds_since_question": _seconds(post.created_at, plan.created_at),
                }
            rows.append(
                (
                    ActivityKind.ANSWERED if answered else ActivityKind.REPLIED,
                    author,
                    community_id,
                    dt(post.created_at),
                    post_type,
                    post_id,
                    asker if author != asker else None,
                    js(data),
                )
            )
        for voter, value, at in post.votes:
            if at < votes_since:
                continue
            rows.append(
                (
                    ActivityKind.VOTED,
                    voter.user.pk,
                    community_id,
                    dt(at),
                    post_type,
                    post_id,
                    author,
                    js({"thread": thread_id, "value": value, "previous": 0}),
                )
            )
    if plan.accepted is not None:
        rows.append(
            (
                ActivityKind.ACCEPTED,
                asker,
                community_id,
                dt(plan.accepted_at),
                post_type,
                plan.accepted.id,
                plan.accepted.author.user.pk,
                js(
                    {
                        "thread": thread_id,
                        "previous": None,
                        "seconds_since_question": _seconds(plan.accepted_at, plan.created_at),
                        "by_moderator": False,
                    }
                ),
            )
        )


def _routing(story: "DemoStory", types: dict[str, int], ledger: list) -> int:
    """Routing rounds, the experts asked, their ROUTED rows and in-app notifications."""
    dt, js = adapters()
    rounds, pending = [], []
    round_id = first_id(RoutingRound)
    considered = len(story.memberships) // 20 + 40
    for plan in story.threads:
        for number, reason, at, picks in plan.rounds:
            rounds.append((round_id, plan.id, number, reason, dt(at), considered))
            pending.append((plan, round_id, number, at, picks))
            round_id += 1
    insert_rows(
        RoutingRound,
        ("id", "thread_id", "number", "reason", "created_at", "candidates_considered"),
        rounds,
    )
    reset_sequences(RoutingRound)
    experts, notes = [], []
    for plan, round_id, number, at, picks in pending:
        first = plan.first_response
        community_id = story.communities[plan.community].pk
        topic = story.topics[plan.topics[0]]
        for rank, (person, score) in enumerate(picks, start=1):
            answer = next((p for p in plan.posts[1:] if p.author is person), None)
            ends = [p.created_at for p in (answer, first) if p is not None]
            closed = min(ends) if ends else None
            reasons = {
                "expertise": [{"topic": topic.name, "match": "exact"}],
                "working_hours": True,
                "open_routed": 0,
                "time_zone": person.user.time_zone,
                "place": person.user.location,
                "round": number,
                "asked": len(picks),
            }
            experts.append(
                (
                    round_id,
                    plan.id,
                    person.user.pk,
                    rank,
                    score,
                    js(reasons),
                    dt(at),
                    answer.id if answer else None,
                    dt(answer.created_at) if answer else None,
                    dt(closed),
                )
            )
            ledger.append(
                (
                    ActivityKind.ROUTED,
                    person.user.pk,
                    community_id,
                    dt(at),
                    types["thread"],
                    plan.id,
                    plan.author.user.pk,
                    js({"round": number, "rank": rank, "score": score}),
                )
            )
            notes.append(
                (
                    person.user.pk,
                    NotificationKind.ROUTED,
                    plan.id,
                    None,
                    plan.author.user.pk,
                    js({"round": number, "asked": len(picks)}),
                    dt(at),
                    dt(closed),
                )
            )
    insert_rows(
        RoutedExpert,
        (
            "round_id", "thread_id", "person_id", "rank", "score", "reasons", "notified_at",
            "answered_post_id", "answered_at", "closed_at",
        ),
        experts,
    )  # fmt: skip
    _save_notifications(notes)
    return len(experts)


def _save_notifications(rows) -> None:
    insert_rows(
        Notification,
        ("recipient_id", "kind", "thread_id", "post_id", "actor_id", "data", "created_at",
         "read_at"),
        rows,
    )  # fmt: skip


def _answers_to_logins(story: "DemoStory") -> None:
    """The demo logins' own notifications: answers to their questions (recent ones unread)."""
    dt, js = adapters()
    logins = {id(plan) for plan in story.logins.values()}
    recent = story.now - timedelta(days=60)
    _save_notifications(
        (
            plan.author.user.pk,
            NotificationKind.ANSWER,
            plan.id,
            post.id,
            post.author.user.pk,
            js({}),
            dt(post.created_at),
            None if post.created_at > recent else dt(post.created_at + timedelta(hours=2)),
        )
        for plan in story.threads
        if id(plan.author) in logins and plan.kind == ThreadKind.QUESTION
        for post in plan.posts[1:]
        if post.author is not plan.author
    )


def save_ledger_and_index(story: "DemoStory") -> None:
    """The activity ledger, routing, notifications of the logins, and the search index."""
    types = {
        "thread": ContentType.objects.get_for_model(Thread).pk,
        "post": ContentType.objects.get_for_model(Post).pk,
    }
    dt, js = adapters()
    ledger: list[tuple[Any, ...]] = []
    for plan in story.threads:
        _ledger(story, plan, types, ledger, dt=dt, js=js)
    story.counts["routed_experts"] = _routing(story, types, ledger)
    insert_rows(Activity, ACTIVITY_COLUMNS, ledger)
    _answers_to_logins(story)
    story.counts["activities"] = story.counts.get("activities", 0) + len(ledger)
    index_for_search(story)


def _search_rows(story: "DemoStory") -> list[tuple[Any, ...]]:
    """One row of core_searchentry per post: the document `discussions.search` indexes for
    it (`post_document_from_values`), stored as `IndexedDocument.as_entry` stores it, with
    the title's text and the tags' tokens worked out once each rather than once per post."""
    from practica.discussions import search

    dt, _js = adapters()
    paths = dict(OrgUnit.objects.values_list("pk", "path"))
    topic_paths = {slug: topic.path for slug, topic in story.topics.items()}
    # Topics in the order the services read a thread's topics (the model's ordering).
    order = {slug: n for n, slug in enumerate(Topic.objects.values_list("slug", flat=True))}
    rows: list[tuple[Any, ...]] = []
    tokens: dict[str, str] = {}
    titles: dict[str, str] = {}
    tags_of: dict[tuple, list[str]] = {}
    for plan in story.threads:
        # thread_tags reads a thread's community, kind, state and answers: one unsaved
        # Thread per distinct combination of them and the topics.
        key = (
            plan.community,
            plan.kind,
            _state(plan),
            len(plan.posts) > 1,
            plan.accepted is not None,
            *dict.fromkeys(plan.topics),
        )
        thread_tags = tags_of.get(key)
        if thread_tags is None:
            thread = Thread(
                community_id=story.communities[plan.community].pk,
                kind=plan.kind,
                state=_state(plan),
                answer_count=len(plan.posts) - 1,
                accepted_answer_id=plan.accepted.id if plan.accepted is not None else None,
            )
            paths_ = [topic_paths[slug] for slug in sorted(set(plan.topics), key=order.get)]
            thread_tags = tags_of[key] = search.thread_tags(thread, paths_)
        title = plan.title[:200]
        stored_title = titles.get(title)
        if stored_title is None:
            stored_title = titles[title] = searchable_text(title)
        for post in plan.posts:
            document = search.post_document_from_values(
                post_id=post.id,
                thread_id=plan.id,
                thread_kind=plan.kind,
                thread_title=title,
                thread_tags=thread_tags,
                created_at=post.created_at,
                text=post.text.plain,
                is_opening=post.is_opening,
                org_unit_path=paths.get(post.author.user.org_unit_id, ""),
            )
            for tag in document.tags:
                if tag not in tokens:
                    tokens[tag] = tag_token(tag)
            rows.append(
                (
                    document.source,
                    document.object_id,
                    document.group_id,
                    dt(document.created_at),
                    stored_title,
                    post.text.searchable,  # searchable_text(document.body), worked out once
                    " ".join(dict.fromkeys(tokens[tag] for tag in document.tags)),
                )
            )
    return rows


def index_for_search(story: "DemoStory") -> None:
    """One search document per post, written in bulk (the engine's index follows:
    FTS5 triggers on SQLite, generated columns on PostgreSQL), then the index optimised."""
    insert_rows(SearchEntry, SEARCH_COLUMNS, _search_rows(story))
    core_search.optimize_index()
