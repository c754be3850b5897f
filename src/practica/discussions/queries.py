"""Reads about threads, reused by views, API, search and metrics.

`visible_threads(user)` is the one place that says which threads a member may see: search,
API and pages all start from it. Closed communities' threads only for their members (and
staff); hidden threads only for the community's moderators (and staff).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from django.db import connections, router
from django.db.models import Count, Exists, F, Min, Model, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.db.models.query import ValuesListIterable

from practica.communities.models import Access, Community, Membership
from practica.communities.permissions import MODERATING_ROLES
from practica.core.models import Topic
from practica.core.tree import subtree_filter
from practica.discussions.models import (
    Flag,
    Post,
    PostAttachment,
    PostOrigin,
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


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple[Any, ...]
    columns: tuple[Any, ...]  # the selected expressions, in the rows' order (their converters)


class ReusedStatement:
    """A read whose SQL the ORM builds once per database, then reused with other values.

    Building the SQL of a query with joins and subqueries costs more than running it, many
    times over on pages that run it on every view. `build` takes placeholder integers (no
    row's key: see PLACEHOLDERS) and returns a `values_list` QuerySet (not flat; expressions
    after field names); `rows(*values)` runs its SQL with the values in place of the
    placeholders and returns plain tuples, as the database gives them (no field converters: an
    SQLite boolean is 0 or 1); `converted_rows(*values)` converts them as the ORM would
    (datetimes, booleans).

    Everything in the SQL but the placeholders is frozen at the first build, so `build` must
    be a pure function of its arguments: no clock, setting or language read in it, nothing
    that changes the statement's shape with the values. What can be checked is: a statement
    whose two builds differ (a clock read, say), one a placeholder does not reach as a
    parameter, or one whose rows the ORM would reorder, is left to the ORM; so is a call with
    a value that is not a plain integer (None would be `= NULL`, never true, where the ORM
    writes IS NULL).
    """

    PLACEHOLDERS = (-918_273_645, -918_273_646, -918_273_647)

    def __init__(self, model: type[Model], build: Callable[..., QuerySet[Any]], arity: int) -> None:
        self.model, self.build, self.arity = model, build, arity
        self._compiled: dict[str, _Statement | None] = {}

    def _compile(self, alias: str) -> tuple[str, tuple[Any, ...], Any, bool]:
        """The SQL and parameters of a build with the placeholders, its compiler, and whether
        its rows come as the ORM would give them (a plain `values_list`, columns in order)."""
        queryset = self.build(*self.PLACEHOLDERS[: self.arity])
        query = queryset.query
        compiler = query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        # As `ValuesListIterable` orders a row's columns: in the SQL's order unless the names
        # given to `values_list` (expressions get theirs) are in another.
        given: tuple[str, ...] = getattr(queryset, "_fields", ())
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        fields = [*given, *(name for name in query.annotation_select if name not in given)]
        as_given = getattr(queryset, "_iterable_class", None) is ValuesListIterable and (
            not given or fields == names
        )
        return sql, tuple(params), compiler, as_given

    def _statement(self, alias: str) -> _Statement | None:
        if alias not in self._compiled:
            sql, params, compiler, as_given = self._compile(alias)
            again, again_params, _, _ = self._compile(alias)
            found = all(placeholder in params for placeholder in self.PLACEHOLDERS[: self.arity])
            steady = (sql, params) == (again, again_params)
            columns = tuple(selected[0] for selected in compiler.select[: compiler.col_count])
            self._compiled[alias] = (
                _Statement(sql, params, columns) if found and steady and as_given else None
            )
        return self._compiled[alias]

    def rows(self, *values: Any) -> list[tuple[Any, ...]]:
        return self._run(values, convert=False)

    def converted_rows(self, *values: Any) -> list[tuple[Any, ...]]:
        return self._run(values, convert=True)

    def _run(self, values: tuple[Any, ...], *, convert: bool) -> list[tuple[Any, ...]]:
        alias = router.db_for_read(self.model)
        statement = self._statement(alias)
        if statement is None or not all(type(value) is int for value in values):
            return list(self.build(*values))  # the ORM writes and converts it
        chosen = dict(zip(self.PLACEHOLDERS, values, strict=False))
        params = [
            chosen.get(value, value) if type(value) is int else value for value in statement.params
        ]
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, params)
            found = cursor.fetchall()
        return _converted(found, statement.columns, connection) if convert else found


def _converted(
    rows: list[tuple[Any, ...]], columns: tuple[Any, ...], connection: Any
) -> list[tuple[Any, ...]]:
    """The rows with each column's database converters applied, as `SQLCompiler.results_iter`
    does (with this thread's connection)."""
    converters = []
    for position, expression in enumerate(columns):
        chain = connection.ops.get_db_converters(expression) + expression.get_db_converters(
            connection
        )
        if chain:
            converters.append((position, chain, expression))
    if not converters:
        return rows
    converted = []
    for row in rows:
        values = list(row)
        for position, chain, expression in converters:
            value = values[position]
            for converter in chain:
                value = converter(value, expression, connection)
            values[position] = value
        converted.append(tuple(values))
    return converted


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
        threads.select_related("community", "author", "group")
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


@dataclass(slots=True, eq=False)
class PostAuthor:
    """What a post card shows of its author (see `includes/avatar.html`)."""

    pk: int
    display_name: str
    email: str


@dataclass(slots=True, eq=False)
class PostRow:
    """A post as the thread's page shows it: the columns its card reads, without the model
    instance (a page of 31 posts and their authors as instances costs more than all its
    queries). `my_vote` is the viewer's vote (1, -1 or 0); `author_was_routed` whether the
    author was asked to answer the thread. The view adds what the viewer may do with it."""

    pk: int
    author_id: int
    is_opening: bool
    is_hidden: bool
    score: int
    created_at: datetime
    edited_at: datetime | None
    is_cross_org: bool | None
    origin: str
    body_html: str
    author: PostAuthor
    my_vote: int
    author_was_routed: bool
    thread: Thread
    is_accepted: bool = False
    can_edit: bool = False
    can_vote: bool = False
    can_flag: bool = False
    is_routed: bool = False
    # (id, file name, size) of the files that came with it by email.
    attachments: tuple[tuple[int, str, int], ...] = ()
    card: str = ""

    def get_origin_display(self) -> str:
        return str(PostOrigin(self.origin).label)


class TopicRow(NamedTuple):
    slug: str
    name: str


@dataclass
class ThreadPageRows:
    """What the thread's web page shows, as `PostRow`s and `TopicRow`s (see `thread_page`)."""

    thread: Thread
    opening: PostRow | None
    answers: list[PostRow]
    posts: list[PostRow]
    topics: list[TopicRow]
    links_out: list[ThreadLink] = field(default_factory=list)
    links_in: list[ThreadLink] = field(default_factory=list)
    viewer_is_moderator: bool = False


def _page_posts(viewer: int, thread: int) -> QuerySet[Any]:
    votes = Vote.objects.filter(post_id=OuterRef("pk"), voter_id=viewer).values("value")[:1]
    routed = RoutedExpert.objects.filter(thread_id=thread, person_id=OuterRef("author_id"))
    return (
        Post.objects.filter(thread_id=thread)
        .order_by("created_at", "pk")
        .values_list(
            "pk",
            "author_id",
            "is_opening",
            "is_hidden",
            "score",
            "created_at",
            "edited_at",
            "is_cross_org",
            "origin",
            "body_html",
            "author__display_name",
            "author__email",
            Coalesce(Subquery(votes), 0),
            Exists(routed),
        )
    )


_PAGE_POSTS = ReusedStatement(Post, _page_posts, 2)
_THREAD_TOPICS = ReusedStatement(
    Topic,
    lambda thread: (
        Topic.objects.filter(threads=thread).order_by("path").values_list("slug", "name")
    ),
    1,
)


def thread_page_rows(thread: Thread, *, viewer: Any) -> ThreadPageRows:
    """`thread_page` for the web page of a signed-in viewer: the same posts in the same order,
    as `PostRow`s read in one reused statement with the viewer's votes and who was routed,
    and the topics as `TopicRow`s in another; the links as in `thread_page`."""
    moderator = can_moderate(viewer, thread.community)
    posts = []
    for row in _PAGE_POSTS.converted_rows(viewer.pk, thread.pk):
        (pk, author_id, opening, hidden, score, created, edited, cross_org, origin, html) = row[:10]
        if hidden and not moderator and author_id != viewer.pk:
            continue
        name, email, vote, routed = row[10:]
        posts.append(
            PostRow(
                pk=pk,
                author_id=author_id,
                is_opening=opening,
                is_hidden=hidden,
                score=score,
                created_at=created,
                edited_at=edited,
                is_cross_org=cross_org,
                origin=origin,
                body_html=html,
                author=PostAuthor(author_id, name, email),
                my_vote=vote,
                author_was_routed=routed,
                thread=thread,
                is_accepted=pk == thread.accepted_answer_id,
            )
        )
    opening = next((post for post in posts if post.is_opening), None)
    answers = [post for post in posts if not post.is_opening]
    if thread.is_question:
        answers.sort(key=lambda post: (not post.is_accepted, -post.score))
    links_out, links_in = _thread_links(thread, viewer)
    return ThreadPageRows(
        thread=thread,
        opening=opening,
        answers=answers,
        posts=posts,
        topics=[TopicRow(*row) for row in _THREAD_TOPICS.rows(thread.pk)],
        links_out=links_out,
        links_in=links_in,
        viewer_is_moderator=moderator,
    )


def _thread_links(thread: Thread, viewer: Any) -> tuple[list[ThreadLink], list[ThreadLink]]:
    """The thread's links to and from threads the viewer may see. A thread carrying
    `has_links` False (see `views.shared.thread_or_404`) has none to look up."""
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
    return links_out, links_in


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
    links_out, links_in = _thread_links(thread, viewer)
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


def open_flags(*, community: Community | None = None) -> QuerySet[Flag]:
    """Unresolved flags, oldest first, with their posts, threads and who flagged."""
    flags = Flag.objects.filter(resolved_at__isnull=True).select_related(
        "post", "post__thread", "post__thread__community", "post__author", "flagged_by"
    )
    if community is not None:
        flags = flags.filter(post__thread__community=community)
    return flags.order_by("created_at", "pk")


def open_flag_count(community: Community) -> int:
    """How many flags in the community wait for a moderator."""
    return Flag.objects.filter(resolved_at__isnull=True, post__thread__community=community).count()


def flagged_posts(*, community: Community) -> QuerySet[Post]:
    """The community's posts with unresolved flags, the longest waiting first (by their oldest
    open flag), with thread and author. Each carries `first_flagged_at`, `open_flag_count` and
    `open_flags` (oldest first, with who flagged); a QuerySet, so a page of posts fetches the
    flags of that page only."""
    still_open = Q(flags__resolved_at__isnull=True)
    waiting = Flag.objects.filter(resolved_at__isnull=True, post__thread__community=community)
    return (
        Post.objects.filter(pk__in=waiting.values("post_id"))
        .annotate(
            first_flagged_at=Min("flags__created_at", filter=still_open),
            open_flag_count=Count("flags", filter=still_open),
        )
        .select_related("thread", "author")
        .defer(*_UNSHOWN_AUTHOR_FIELDS)
        .prefetch_related(
            Prefetch(
                "flags",
                queryset=Flag.objects.filter(resolved_at__isnull=True)
                .select_related("flagged_by")
                .order_by("created_at", "pk"),
                to_attr="open_flags",
            )
        )
        .order_by("first_flagged_at", "pk")
    )


def threads_prefetching_opening(threads: QuerySet[Thread]) -> QuerySet[Thread]:
    """Threads with their opening post prefetched as `opening_posts` (a one-item list)."""
    return threads.prefetch_related(
        Prefetch("posts", queryset=Post.objects.filter(is_opening=True), to_attr="opening_posts")
    )


def attach_email_attachments(posts: list[PostRow]) -> None:
    """Set `attachments` on the posts that came by email: one query, and none at all when no
    post of the page did (the common case)."""
    by_email = {post.pk: post for post in posts if post.origin == PostOrigin.EMAIL}
    if not by_email:
        return
    found: dict[int, list[tuple[int, str, int]]] = {}
    rows = PostAttachment.objects.filter(post_id__in=list(by_email)).order_by("pk")
    for pk, post_id, filename, size in rows.values_list("pk", "post_id", "filename", "size"):
        found.setdefault(post_id, []).append((pk, filename, size))
    for post_id, files in found.items():
        by_email[post_id].attachments = tuple(files)
