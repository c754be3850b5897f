"""Reads about threads, reused by views, API, search and metrics.

`visible_threads(user)` is the one place that says which threads a member may see: search,
API and pages all start from it. Closed communities' threads only for their members (and
staff); hidden threads only for the community's moderators (and staff).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, router
from django.db.models import Count, F, Model, Prefetch, Q, QuerySet

from practica.communities.models import Access, Community, Membership
from practica.communities.permissions import MODERATING_ROLES
from practica.core.models import Topic
from practica.core.tree import subtree_filter
from practica.discussions.models import (
    Post,
    PostRevision,
    RoutedExpert,
    Thread,
    ThreadKind,
    ThreadLink,
    ThreadState,
    Vote,
)
from practica.discussions.permissions import can_moderate
from practica.people.models import User
from practica.people.permissions import is_signed_in


class ReusedStatement:
    """A read whose SQL the ORM builds once per database, then reused with other values.

    Building the SQL of a query with joins and subqueries costs more than running it, many
    times over on pages that run it on every view. `build` takes placeholder integers (no
    row's key: see PLACEHOLDERS) and returns a `values_list` QuerySet; `rows(*values)` runs
    its SQL with the values in place of the placeholders and returns plain tuples, as the
    database gives them (no field converters: an SQLite boolean is 0 or 1).
    """

    PLACEHOLDERS = (-918_273_645, -918_273_646, -918_273_647)

    def __init__(self, model: type[Model], build: Callable[..., QuerySet[Any]], arity: int) -> None:
        self.model, self.build, self.arity = model, build, arity
        self._compiled: dict[str, tuple[str, tuple[Any, ...]] | None] = {}

    def _statement(self, alias: str) -> tuple[str, tuple[Any, ...]] | None:
        if alias not in self._compiled:
            placeholders = self.PLACEHOLDERS[: self.arity]
            sql, params = self.build(*placeholders).query.get_compiler(using=alias).as_sql()
            found = all(placeholder in params for placeholder in placeholders)
            self._compiled[alias] = (sql, tuple(params)) if found else None
        return self._compiled[alias]

    def rows(self, *values: Any) -> list[tuple[Any, ...]]:
        alias = router.db_for_read(self.model)
        statement = self._statement(alias)
        if statement is None:  # a placeholder did not reach the parameters: let the ORM do it
            return list(self.build(*values))
        sql, template = statement
        chosen = dict(zip(self.PLACEHOLDERS, values, strict=False))
        params = [chosen.get(value, value) if type(value) is int else value for value in template]
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


SORTS = {
    "activity": ("-last_activity_at", "-pk"),
    "newest": ("-created_at", "-pk"),
    "oldest": ("created_at", "pk"),
    "votes": ("-score", "-last_activity_at", "-pk"),
    "score": ("-score", "-last_activity_at", "-pk"),
    "answers": ("-answer_count", "-last_activity_at", "-pk"),
}


def visible_threads(user: Any) -> QuerySet[Thread]:
    """Every thread the user may see: one query, with membership subqueries (no joins that
    multiply rows). Staff see everything; anonymous users nothing."""
    threads = Thread.objects.all()
    if not is_signed_in(user):
        return threads.none()
    if user.is_staff:
        return threads
    memberships = Membership.objects.current().filter(person_id=user.pk)
    member_of = memberships.values("community_id")
    moderates = memberships.filter(role__in=MODERATING_ROLES).values("community_id")
    return threads.filter(
        Q(community__access=Access.OPEN) | Q(community_id__in=member_of),
    ).filter(Q(is_hidden=False) | Q(community_id__in=moderates))


def thread_list(
    *,
    user: Any,
    community: Community | None = None,
    kind: str = "",
    state: str = "",
    topic: Topic | None = None,
    unanswered: bool = False,
    urgent: bool = False,
    author: Any = None,
    sort: str = "activity",
) -> QuerySet[Thread]:
    """Visible threads (not merged away), filtered; a topic includes its sub-topics.
    `sort`: activity (default), newest, oldest, votes (alias score), answers."""
    threads = visible_threads(user).filter(merged_into__isnull=True)
    if community is not None:
        threads = threads.filter(community=community)
    if kind:
        threads = threads.filter(kind=kind)
    if state:
        threads = threads.filter(state=state)
    if unanswered:
        threads = threads.filter(kind=ThreadKind.QUESTION, state=ThreadState.OPEN)
    if urgent:
        threads = threads.filter(is_urgent=True)
    if author is not None:
        threads = threads.filter(author=author)
    if topic is not None:
        threads = threads.filter(
            pk__in=Thread.topics.through.objects.filter(
                subtree_filter(topic.path, "topic__path")
            ).values("thread_id")
        )
    return (
        threads.select_related("community", "author")
        .prefetch_related("topics")
        .order_by(*SORTS.get(sort, SORTS["activity"]))
    )


def unanswered_queue(
    *, user: Any, community: Community | None = None, topic: Topic | None = None
) -> QuerySet[Thread]:
    """Open questions nobody else has answered yet: urgent first (soonest `respond_by` first),
    then the oldest. Hidden, locked-away and merged threads are left out."""
    threads = thread_list(user=user, community=community, topic=topic, unanswered=True)
    return threads.filter(is_hidden=False).order_by(
        "-is_urgent", F("respond_by").asc(nulls_last=True), "created_at", "pk"
    )


# What pages and API show of a post's author: name (or email), org unit. The other columns of
# 31 authors would only be read, converted and set to be thrown away.
_SHOWN_AUTHOR_FIELDS = {"id", "display_name", "email", "org_unit"}
_UNSHOWN_AUTHOR_FIELDS = [
    f"author__{field.name}"
    for field in User._meta.concrete_fields
    if field.name not in _SHOWN_AUTHOR_FIELDS
]


@dataclass
class ThreadPage:
    """What a question's page shows. Each post carries `revision_count`, `my_vote` (the viewer's
    vote: 1, -1 or 0) and `is_accepted`."""

    thread: Thread
    opening: Post | None
    answers: list[Post]
    posts: list[Post]
    topics: list[Topic]
    links_out: list[ThreadLink] = field(default_factory=list)
    links_in: list[ThreadLink] = field(default_factory=list)
    viewer_is_moderator: bool = False


_MY_VOTES = ReusedStatement(
    Vote,
    lambda voter, thread: Vote.objects.filter(voter_id=voter, post__thread_id=thread).values_list(
        "post_id", "value"
    ),
    2,
)
_ROUTED_PEOPLE = ReusedStatement(
    RoutedExpert,
    lambda thread: RoutedExpert.objects.filter(thread_id=thread).values_list("person_id"),
    1,
)


def routed_person_ids(thread: Thread) -> set[int]:
    """Who was asked to answer the thread."""
    return {person_id for (person_id,) in _ROUTED_PEOPLE.rows(thread.pk)}


def thread_page(thread: Thread, *, viewer: Any = None) -> ThreadPage:
    """The thread's posts with authors (and their org units), revision counts and the viewer's
    votes, its topics and links, in a fixed number of queries whatever the number of posts.

    Answers of a question: the accepted one first, then by score, then oldest first; replies
    of a discussion in the order they were written. Hidden posts are shown to moderators and
    to their authors only.

    Of the authors only what pages and the API show is read (name, email, org unit). A thread
    carrying `has_links` False (see `views.shared.thread_or_404`) has no links to look up.
    """
    moderator = can_moderate(viewer, thread.community) if viewer is not None else False
    posts_query = (
        Post.objects.filter(thread=thread)
        .select_related("author", "author__org_unit")
        .defer(*_UNSHOWN_AUTHOR_FIELDS)
        .order_by("created_at", "pk")
    )
    signed_in = is_signed_in(viewer)
    if not moderator:
        viewer_pk = viewer.pk if signed_in else None
        posts_query = posts_query.filter(Q(is_hidden=False) | Q(author_id=viewer_pk))
    posts: list[Post] = list(posts_query)
    my_votes: dict[int, int] = {}
    if signed_in and posts:
        my_votes = dict(_MY_VOTES.rows(viewer.pk, thread.pk))  # type: ignore[arg-type]
    # Only editing makes revisions (and sets edited_at): a per-post COUNT join would make the
    # page's largest query a GROUP BY over every column, for counts that are nearly always 0.
    revision_counts: dict[int, int] = {}
    edited = [post.pk for post in posts if post.edited_at is not None]
    if edited:
        revision_counts = dict(
            PostRevision.objects.filter(post_id__in=edited)
            .values_list("post_id")
            .annotate(count=Count("pk"))
            .order_by()
        )
    for post in posts:
        post.thread = thread
        post.revision_count = revision_counts.get(post.pk, 0)  # type: ignore[attr-defined]
        post.my_vote = my_votes.get(post.pk, 0)  # type: ignore[attr-defined]
        post.is_accepted = post.pk == thread.accepted_answer_id  # type: ignore[attr-defined]
    opening = next((post for post in posts if post.is_opening), None)
    answers = [post for post in posts if not post.is_opening]
    if thread.is_question:
        answers.sort(key=lambda post: (not post.is_accepted, -post.score))  # type: ignore[attr-defined]
    links: list[ThreadLink] = []
    if getattr(thread, "has_links", True):
        links = list(
            ThreadLink.objects.filter(Q(from_thread=thread) | Q(to_thread=thread)).select_related(
                "from_thread", "to_thread"
            )
        )
    visible_ids: set[int] = set()
    if links:
        others = {link.to_thread_id for link in links} | {link.from_thread_id for link in links}
        visible_ids = set(
            visible_threads(viewer).filter(pk__in=others - {thread.pk}).values_list("pk", flat=True)
        )
    links_out = [
        link
        for link in links
        if link.from_thread_id == thread.pk and link.to_thread_id in visible_ids
    ]
    links_in = [
        link
        for link in links
        if link.to_thread_id == thread.pk and link.from_thread_id in visible_ids
    ]
    topics = list(thread.topics.all())
    return ThreadPage(
        thread=thread,
        opening=opening,
        answers=answers,
        posts=posts,
        topics=topics,
        links_out=links_out,
        links_in=links_in,
        viewer_is_moderator=moderator,
    )


def post_revisions(post: Post) -> QuerySet[Any]:
    """A post's earlier versions, newest first, with who edited."""
    return post.revisions.select_related("edited_by").order_by("-edited_at", "-pk")


def open_flags(*, community: Community | None = None) -> QuerySet[Any]:
    """Unresolved flags, oldest first, with their posts, threads and who flagged."""
    from practica.discussions.models import Flag

    flags = Flag.objects.filter(resolved_at__isnull=True).select_related(
        "post", "post__thread", "post__thread__community", "post__author", "flagged_by"
    )
    if community is not None:
        flags = flags.filter(post__thread__community=community)
    return flags.order_by("created_at", "pk")


def threads_prefetching_opening(threads: QuerySet[Thread]) -> QuerySet[Thread]:
    """Threads with their opening post prefetched as `opening_posts` (a one-item list)."""
    return threads.prefetch_related(
        Prefetch("posts", queryset=Post.objects.filter(is_opening=True), to_attr="opening_posts")
    )
