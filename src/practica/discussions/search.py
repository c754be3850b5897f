"""Finding threads: the search index of posts, search with filters, and similar questions.

One search document per visible post: its thread's title plus the post's plain text, grouped
by thread (a hit is a thread with its best-matching post), tagged with what search filters
by — community, topics (with their ancestors, so a topic finds its sub-topics), kind, answered
or unanswered, the author's org unit (with its ancestors) at the time of posting, and whether
it opens its thread. See practica.core.search for the engines. Services call `index_post` /
`index_thread` / `unindex_post` inside their own transactions, so the index never disagrees
with what was committed; `index_thread` must follow any change to a thread's title, topics,
state, community or visibility (hidden or merged threads leave the index).

Visibility on every read: closed communities the user does not belong to are excluded in the
index query, and the page's threads are then loaded through `visible_threads(user)`, so a
thread the user may not see is never returned — in search and in similar questions alike.
"""

import datetime as dt
import html
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import strip_tags

from practica.communities.models import Access, Community, Membership
from practica.core import search as core_search
from practica.core.search_text import parse_query, significant_terms, tag_token
from practica.core.tree import TREE_PATH_SEPARATOR
from practica.discussions.models import Post, Thread, ThreadKind, ThreadState

SOURCE = "discussions.post"
MAX_LIMIT = 100
SIMILAR_MAX_LIMIT = 20
ANSWERED, UNANSWERED, OPENING = "answered", "unanswered", "opening"
# One tag for "opens a question": what similar_questions looks in, as one small doclist.
OPENS_QUESTION = "opening:question"


@dataclass(frozen=True)
class Hit:
    """A thread found, with its best-matching post and that post's highlighted snippet.

    `snippet_html` and `title_html` are escaped HTML whose only markup is <mark>.
    """

    thread: Thread
    post_id: int
    snippet_html: str
    rank: float
    title_html: str = ""


@dataclass(frozen=True)
class SearchResults:
    """A page of hits. `total` counts matching threads; when `total_is_capped`, a very broad
    query was ranked within its most recent matches and `total` is a lower bound."""

    hits: list[Hit]
    total: int
    total_is_capped: bool = False


# --- Indexing (called by the services, inside their transactions) --------------------------


def post_plain_text(post: Post) -> str:
    """The words of a post: its rendered HTML without tags, or its Markdown if not rendered."""
    if post.body_html:
        return html.unescape(strip_tags(post.body_html))
    return post.body


def _path_prefixes(path: str) -> list[str]:
    """ "/a/b/" → ["/a/", "/a/b/"]: a node and its ancestors, so filters include subtrees."""
    parts = [part for part in path.split(TREE_PATH_SEPARATOR) if part]
    return [
        TREE_PATH_SEPARATOR + TREE_PATH_SEPARATOR.join(parts[: n + 1]) + TREE_PATH_SEPARATOR
        for n in range(len(parts))
    ]


def is_answered(thread: Thread) -> bool:
    return thread.kind == ThreadKind.QUESTION and (
        thread.state in (ThreadState.ANSWERED, ThreadState.ACCEPTED)
        or thread.accepted_answer_id is not None
        or thread.answer_count > 0
    )


def is_unanswered(thread: Thread) -> bool:
    return thread.kind == ThreadKind.QUESTION and thread.state == ThreadState.OPEN


def thread_tags(thread: Thread, topic_paths: list[str]) -> list[str]:
    tags = [f"community:{thread.community_id}", f"kind:{thread.kind}"]
    tags += [f"topic:{prefix}" for path in topic_paths for prefix in _path_prefixes(path)]
    if is_answered(thread):
        tags.append(ANSWERED)
    elif is_unanswered(thread):
        tags.append(UNANSWERED)
    return tags


def _document(post: Post, thread: Thread, tags: list[str]) -> core_search.IndexedDocument:
    org_unit = post.author_org_unit
    post_tags = [f"org:{prefix}" for prefix in _path_prefixes(org_unit.path if org_unit else "")]
    if post.is_opening:
        post_tags.append(OPENING)
        if thread.kind == ThreadKind.QUESTION:
            post_tags.append(OPENS_QUESTION)
    return core_search.IndexedDocument(
        source=SOURCE,
        object_id=post.pk,
        group_id=thread.pk,
        created_at=post.created_at,
        title=thread.title,
        body=post_plain_text(post),
        tags=(*tags, *post_tags),
    )


def _is_searchable(thread: Thread) -> bool:
    return not thread.is_hidden and thread.merged_into_id is None


def _topic_paths(thread: Thread) -> list[str]:
    return list(thread.topics.values_list("path", flat=True))


def index_post(post: Post) -> None:
    """Add or refresh a post's search document (a hidden post is removed instead)."""
    thread = post.thread
    if post.is_hidden or not _is_searchable(thread):
        unindex_post(post)
        return
    tags = thread_tags(thread, _topic_paths(thread))
    core_search.index_documents([_document(post, thread, tags)])
    if _thread_tags_stale(thread, post, tags):
        # A reply can change the thread's state (answered): its other posts follow.
        index_thread(thread)


def _thread_tags_stale(thread: Thread, post: Post, tags: list[str]) -> bool:
    stored = core_search.stored_tag_tokens(
        source=SOURCE, group_id=thread.pk, exclude_object_id=post.pk
    )
    if stored is None:
        return False
    expected = {tag_token(tag) for tag in tags}
    states = {tag_token(ANSWERED), tag_token(UNANSWERED)}
    return not expected <= stored or bool((stored & states) - expected)


def unindex_post(post: Post) -> None:
    """Remove a post from the index (hidden or deleted)."""
    core_search.unindex_documents(source=SOURCE, object_ids=[post.pk])


def index_thread(thread: Thread) -> None:
    """Refresh every post of a thread after its title, topics, state, community or visibility
    changed, or posts moved into it. A hidden or merged thread leaves the index."""
    if not _is_searchable(thread):
        core_search.unindex_group(source=SOURCE, group_id=thread.pk)
        return
    posts = list(thread.posts.select_related("author_org_unit"))
    stale = [post.pk for post in posts if post.is_hidden]
    if stale:
        core_search.unindex_documents(source=SOURCE, object_ids=stale)
    tags = thread_tags(thread, _topic_paths(thread))
    core_search.index_documents(
        _document(post, thread, tags) for post in posts if not post.is_hidden
    )


def bulk_index_posts(posts: QuerySet[Post], *, batch_size: int = 2000) -> int:
    """Index posts never indexed before, in batches (demo data, back-fills); hidden posts and
    threads are skipped. Refreshes the engine's statistics at the end."""
    rows = (
        posts.filter(is_hidden=False, thread__is_hidden=False, thread__merged_into__isnull=True)
        .select_related("thread", "author_org_unit")
        .order_by("pk")
    )
    topic_paths: dict[int, list[str]] = {}
    links = Thread.topics.through.objects.filter(thread_id__in=rows.values("thread_id"))
    for thread_id, path in links.values_list("thread_id", "topic__path"):
        topic_paths.setdefault(thread_id, []).append(path)
    tags_by_thread: dict[int, list[str]] = {}

    def documents() -> Iterator[core_search.IndexedDocument]:
        for post in rows.iterator(chunk_size=batch_size):
            thread = post.thread
            if thread.pk not in tags_by_thread:
                tags_by_thread[thread.pk] = thread_tags(thread, topic_paths.get(thread.pk, []))
            yield _document(post, thread, tags_by_thread[thread.pk])

    count = core_search.bulk_index_documents(documents(), batch_size=batch_size)
    core_search.optimize_index()
    return count


# --- Reading --------------------------------------------------------------------------------


def _visible_threads(user: Any) -> Any:
    from practica.discussions.queries import visible_threads

    return visible_threads(user)


def _hidden_communities(user: Any) -> list[int]:
    """Closed communities whose threads the user may not read (the same rule as
    visible_threads: members, and staff, read a closed community)."""
    if user.is_staff:
        return []
    mine = Membership.objects.current().filter(person_id=user.pk).values("community_id")
    closed = Community.objects.filter(access=Access.CLOSED).exclude(pk__in=mine)
    return list(closed.values_list("pk", flat=True))


def _as_datetime(value: dt.date | dt.datetime | None, *, end: bool = False) -> dt.datetime | None:
    """A bound as an aware datetime; a date `until` includes that whole day."""
    if value is None or isinstance(value, dt.datetime):
        if value is not None and timezone.is_naive(value):
            return timezone.make_aware(value)
        return value
    day = value + dt.timedelta(days=1) if end else value
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _visible_page(user: Any, page: core_search.MatchPage) -> dict[int, Thread]:
    ids = [match.group_id for match in page.matches]
    threads = _visible_threads(user).filter(pk__in=ids, is_hidden=False)
    return threads.select_related("community", "author").in_bulk()


def search_threads(
    *,
    user: Any,
    text: str,
    community: Any = None,
    topic: Any = None,
    answered: bool | None = None,
    org_unit: Any = None,
    since: dt.date | dt.datetime | None = None,
    until: dt.date | dt.datetime | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchResults:
    """Threads the user may see that match `text`, best first, one hit (best post) per thread.

    Filters: community; topic and its sub-topics; answered (True: questions with an answer,
    False: open questions); author's org unit and the units below it; post date in
    [since, until) — a date `until` includes its day. Text with no words finds nothing.
    """
    query = parse_query(text)
    if not query or not getattr(user, "is_authenticated", False):
        return SearchResults(hits=[], total=0)
    required = []
    if community is not None:
        required.append(f"community:{community.pk}")
    if topic is not None:
        required.append(f"topic:{topic.path}")
    if answered is not None:
        required.append(ANSWERED if answered else UNANSWERED)
    if org_unit is not None:
        required.append(f"org:{org_unit.path}")
    filters = core_search.Filters(
        source=SOURCE,
        all_tags=tuple(required),
        no_tags=tuple(f"community:{pk}" for pk in _hidden_communities(user)),
        since=_as_datetime(since),
        until=_as_datetime(until, end=True),
    )
    page = core_search.search_entries(
        query=query,
        filters=filters,
        limit=min(max(int(limit), 0), MAX_LIMIT),
        offset=max(int(offset), 0),
    )
    threads = _visible_page(user, page)
    hits = [
        Hit(
            thread=threads[match.group_id],
            post_id=match.object_id,
            snippet_html=match.snippet_html,
            rank=match.rank,
            title_html=match.title_html,
        )
        for match in page.matches
        if match.group_id in threads
    ]
    return SearchResults(hits=hits, total=page.total, total_is_capped=page.total_is_capped)


def similar_questions(
    *, user: Any, text: str, community: Any = None, limit: int = 5
) -> list[Thread]:
    """Questions the user may see that look like a draft title or body, most alike first.

    Matches any of the draft's significant words (stopwords and words too common to tell
    questions apart are left out) against questions' opening posts, so it stays fast while
    the member types.
    """
    query = core_search.drop_common_terms(significant_terms(text))
    if not query or not getattr(user, "is_authenticated", False):
        return []
    required = [OPENS_QUESTION]
    if community is not None:
        required.append(f"community:{community.pk}")
    filters = core_search.Filters(
        source=SOURCE,
        all_tags=tuple(required),
        no_tags=tuple(f"community:{pk}" for pk in _hidden_communities(user)),
    )
    page = core_search.search_entries(
        query=query,
        filters=filters,
        any_term=True,
        limit=min(max(int(limit), 0), SIMILAR_MAX_LIMIT),
        with_snippets=False,
    )
    threads = _visible_page(user, page)
    return [threads[m.group_id] for m in page.matches if m.group_id in threads]


def post_document_from_values(
    *,
    post_id: int,
    thread_id: int,
    thread_kind: str,
    thread_title: str,
    thread_tags: list[str],
    created_at: dt.datetime,
    text: str,
    is_opening: bool,
    org_unit_path: str,
) -> core_search.IndexedDocument:
    """The document `index_post` indexes for a post, from plain values, for bulk loads that
    hold no model instances (the demo). `thread_tags` is `thread_tags(thread, topic_paths)` of
    the post's thread, `text` its plain text (as `post_plain_text` gives it), `org_unit_path`
    the path of the author's org unit at the time of posting ("" for none)."""
    post_tags = [f"org:{prefix}" for prefix in _path_prefixes(org_unit_path)]
    if is_opening:
        post_tags.append(OPENING)
        if thread_kind == ThreadKind.QUESTION:
            post_tags.append(OPENS_QUESTION)
    return core_search.IndexedDocument(
        source=SOURCE,
        object_id=post_id,
        group_id=thread_id,
        created_at=created_at,
        title=thread_title,
        body=text,
        tags=(*thread_tags, *post_tags),
    )
