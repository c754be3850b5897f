"""Discussions and Q&A over HTTP: threads, posts, votes, accepted answers, moderation,
search, the unanswered queue, subscriptions, notifications and preferences.

Every check is a predicate of `discussions.permissions`, every write a service (threads,
moderation, notifications), exactly as on the web pages. A thread the caller may not see
(a closed community's, or a hidden one) is a 404, so its existence is not revealed.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from practica.api.errors import error_responses
from practica.api.fields import Id, Slug
from practica.api.pagination import Page
from practica.communities.models import Community, Group
from practica.core.models import Topic
from practica.discussions import inbox, queries, search
from practica.discussions import permissions as can
from practica.discussions.api_groups import router as groups_router
from practica.discussions.api_inbox import router as inbox_router
from practica.discussions.api_moderation import router as moderation_router
from practica.discussions.models import Post, RoutedExpert, Thread
from practica.discussions.schemas import (
    AcceptIn,
    DuplicateIn,
    FlagIn,
    FlagOut,
    MergeIn,
    MoveIn,
    PostCreateIn,
    PostEditIn,
    PostOut,
    ReasonIn,
    SearchFilters,
    SearchPageOut,
    SimilarFilters,
    ThreadCreateIn,
    ThreadDetailOut,
    ThreadFilters,
    ThreadOut,
    UnansweredFilters,
    VoteIn,
)
from practica.discussions.services import moderation, threads
from practica.discussions.services.posting_rules import qa_settings_for
from practica.people.models import OrgUnit

router = Router(tags=["threads"])
router.add_router("", inbox_router)
router.add_router("", moderation_router)
router.add_router("", groups_router)

ERRORS = error_responses(401, 403, 404, 422)


# --- Lookups -------------------------------------------------------------------------------


def _thread_rows() -> QuerySet[Thread]:
    return Thread.objects.select_related("community", "author", "group").prefetch_related(
        Prefetch("topics", queryset=Topic.objects.order_by("name"))
    )


def _thread(request: HttpRequest, thread_id: int) -> Thread:
    """A thread the caller may see; any other is not found."""
    thread = get_object_or_404(_thread_rows(), pk=thread_id)
    if not can.can_view_thread(request.auth, thread):
        raise Http404
    return thread


def _post(request: HttpRequest, post_id: int) -> Post:
    post = get_object_or_404(
        Post.objects.select_related("thread__community", "thread__author", "author"), pk=post_id
    )
    if not can.can_view_post(request.auth, post):
        raise Http404
    return post


def _readable_community(request: HttpRequest, slug: str) -> Community:
    community = get_object_or_404(Community, slug=slug)
    if not can.can_read_community_threads(request.auth, community):
        raise PermissionDenied(
            _("Only members of %(name)s see its threads.") % {"name": community.name}
        )
    return community


def _moderated(request: HttpRequest, thread: Thread) -> Thread:
    if not can.can_moderate(request.auth, thread.community):
        raise PermissionDenied(_("Only the community's moderators can do this."))
    return thread


def _by_slug(model: Any, slug: str | None, field: str, message: str) -> Any:
    """The row with this slug, None without a slug, a 422 on `field` for an unknown one."""
    if not slug:
        return None
    found = model.objects.filter(slug=slug).first()
    if found is None:
        raise ValidationError({field: message % {"slug": slug}})
    return found


def _topic(slug: str | None, field: str = "topic") -> Topic | None:
    return _by_slug(Topic, slug, field, _("There is no topic “%(slug)s”."))


def _community_filter(request: HttpRequest, slug: str | None) -> Community | None:
    """A community named in a filter: unknown is a 422; closed to the caller is a 404."""
    community = _by_slug(Community, slug, "community", _("There is no community “%(slug)s”."))
    if community is not None and not can.can_read_community_threads(request.auth, community):
        raise Http404
    return community


def _topics(slugs: list[str]) -> list[Topic]:
    slugs = list(dict.fromkeys(slugs))
    found = {topic.slug: topic for topic in Topic.objects.filter(slug__in=slugs)}
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        raise ValidationError(
            {"topics": _("Unknown topics: %(slugs)s") % {"slugs": ", ".join(missing)}}
        )
    return [found[slug] for slug in slugs]


# --- What a reader sees --------------------------------------------------------------------


def _with_abilities(user: Any, posts: list[Post]) -> list[Post]:
    """Add what the caller may do with each post (attributes only; `queries.thread_page`
    already gave each its revision count, the caller's vote and whether it is accepted)."""
    for post in posts:
        post.can_edit = can.can_edit_post(user, post)
        post.can_vote = can.can_vote(user, post)
    return posts


def _thread_detail(request: HttpRequest, thread_id: int) -> Thread:
    """The thread (re-read) with its visible posts, routing and the caller's abilities."""
    user = request.auth
    thread = _thread(request, thread_id)
    page = queries.thread_page(thread, viewer=user)
    posts = ([page.opening] if page.opening is not None else []) + page.answers
    thread.post_list = _with_abilities(user, posts)
    moderator = page.viewer_is_moderator
    thread.routed_list = None
    if moderator or thread.author_id == user.pk:
        thread.routed_list = list(
            RoutedExpert.objects.filter(thread=thread).select_related("person", "round")
        )
    thread.my_subscription = inbox.subscription_level(user, thread=thread)
    thread.response_target_minutes = qa_settings_for(thread.community_id).response_target_minutes
    thread.can_reply = can.can_reply(user, thread)
    thread.can_accept = can.can_accept(user, thread)
    thread.can_moderate = moderator
    thread.can_close = can.can_close(user, thread)
    return thread


def _post_out(request: HttpRequest, post: Post) -> Post:
    """One post (re-read) as the thread page shows it to the caller."""
    thread = _thread(request, post.thread_id)
    page = queries.thread_page(thread, viewer=request.auth)
    found = [shown for shown in page.posts if shown.pk == post.pk]
    if not found:
        raise Http404
    return _with_abilities(request.auth, found)[0]


# --- Threads -------------------------------------------------------------------------------


@router.get("/communities/{slug}/threads", response={200: list[ThreadOut], **ERRORS})
@paginate(Page)
def list_threads(request: HttpRequest, slug: Slug, filters: Query[ThreadFilters]) -> Any:
    """A community's threads, latest activity first unless `sort` says otherwise; filter by
    kind, state, topic (sub-topics included), unanswered and urgent. Closed communities show
    their threads to members only (403); an unknown topic is a 422."""
    community = _readable_community(request, slug)
    topic = _topic(filters.topic)
    return queries.thread_list(
        user=request.auth,
        community=community,
        kind=filters.kind or "",
        state=filters.state or "",
        topic=topic,
        unanswered=filters.unanswered,
        urgent=filters.urgent,
        sort=filters.sort,
    )


@router.post("/communities/{slug}/threads", response={201: ThreadDetailOut, **ERRORS})
def create_thread(request: HttpRequest, slug: Slug, payload: ThreadCreateIn) -> Status:
    """Ask a question or start a discussion, tagged with topics (slugs). `is_urgent` marks a
    question a customer is waiting on; it gets the community's response target. `group` makes
    it a thread of one of the community's grassroots groups (unknown group: 422)."""
    community = _readable_community(request, slug)
    if not can.can_post_in(request.auth, community):
        raise PermissionDenied(_("You may not start threads in this community."))
    group = None
    if payload.group is not None:
        group = Group.objects.filter(community=community, slug=payload.group).first()
        if group is None:
            raise ValidationError({"group": _("%(name)s has no such group.") % {"name": community}})
    thread = threads.create_thread(
        community=community,
        author=request.auth,
        kind=payload.kind,
        title=payload.title,
        body=payload.body,
        topics=_topics(payload.topics),
        is_urgent=payload.is_urgent,
        group=group,
    )
    return Status(201, _thread_detail(request, thread.pk))


@router.get("/threads/{thread_id}", response={200: ThreadDetailOut, **ERRORS})
def get_thread(request: HttpRequest, thread_id: Id) -> Thread:
    """A thread with its posts (the opening post first), its accepted answer, response-time
    facts, the caller's vote on each post and, for the asker and moderators, the experts the
    question was routed to."""
    return _thread_detail(request, thread_id)


@router.post("/threads/{thread_id}/posts", response={201: PostOut, **ERRORS}, tags=["posts"])
def create_post(request: HttpRequest, thread_id: Id, payload: PostCreateIn) -> Status:
    """Answer a question or reply in a discussion. A locked or closed thread is a 403."""
    thread = _thread(request, thread_id)
    if not can.can_reply(request.auth, thread):
        if thread.is_locked:
            raise PermissionDenied(_("This thread is locked."))
        raise PermissionDenied(_("You may not post in this thread."))
    reply_to = None
    if payload.reply_to is not None:
        reply_to = thread.posts.filter(pk=payload.reply_to).first()
        if reply_to is None:
            raise ValidationError({"reply_to": _("There is no such post in this thread.")})
    post = threads.post_reply(
        thread=thread, author=request.auth, body=payload.body, reply_to=reply_to
    )
    return Status(201, _post_out(request, post))


@router.patch("/posts/{post_id}", response={200: PostOut, **ERRORS}, tags=["posts"])
def edit_post(request: HttpRequest, post_id: Id, payload: PostEditIn) -> Post:
    """Edit a post (its author or a moderator); the old text is kept as a revision. `title`
    renames the thread and is only for the opening post."""
    post = _post(request, post_id)
    if not can.can_edit_post(request.auth, post):
        raise PermissionDenied(_("You may not edit this post."))
    if payload.title is not None and not post.is_opening:
        raise ValidationError({"title": _("Only the opening post carries the thread's title.")})
    edited = threads.edit_post(
        post=post, editor=request.auth, body=payload.body, title=payload.title
    )
    return _post_out(request, edited)


@router.put("/posts/{post_id}/vote", response={200: PostOut, **ERRORS}, tags=["posts"])
def vote_on_post(request: HttpRequest, post_id: Id, payload: VoteIn) -> Post:
    """Vote a post up (1) or down (-1), or withdraw the vote (0). Not on one's own post."""
    post = _post(request, post_id)
    # One's own post is the service's 422 on `value`, as on the web page.
    if post.author_id != request.auth.pk and not can.can_vote(request.auth, post):
        raise PermissionDenied(_("You may not vote on this post."))
    voted = threads.vote(post=post, voter=request.auth, value=payload.value)
    return _post_out(request, voted)


@router.post("/posts/{post_id}/flag", response={201: FlagOut, **ERRORS}, tags=["posts"])
def flag_post(request: HttpRequest, post_id: Id, payload: FlagIn) -> Status:
    """Flag a post for the moderators, with a reason. Once per post and member."""
    post = _post(request, post_id)
    if not can.can_flag(request.auth, post):
        raise PermissionDenied(_("You cannot flag your own post."))
    flag = moderation.flag_post(
        post=post, actor=request.auth, reason=payload.reason, note=payload.note
    )
    return Status(201, flag)


# --- Accepted answers ----------------------------------------------------------------------


@router.post("/threads/{thread_id}/accept", response={200: ThreadDetailOut, **ERRORS})
def accept_answer(request: HttpRequest, thread_id: Id, payload: AcceptIn) -> Thread:
    """Accept an answer (the asker or a moderator); accepting another one changes it."""
    thread = _thread(request, thread_id)
    if not thread.is_question:
        raise ValidationError(_("Only questions have an accepted answer."))
    if not can.can_accept(request.auth, thread):
        raise PermissionDenied(_("Only the asker or a moderator can accept an answer."))
    answer = thread.posts.filter(pk=payload.post_id, is_opening=False, is_hidden=False).first()
    if answer is None:
        raise ValidationError({"post_id": _("There is no such answer to this question.")})
    threads.accept_answer(answer=answer, actor=request.auth, thread=thread)
    return _thread_detail(request, thread.pk)


@router.delete("/threads/{thread_id}/accept", response={200: ThreadDetailOut, **ERRORS})
def unaccept_answer(request: HttpRequest, thread_id: Id) -> Thread:
    """Withdraw the accepted answer (the asker or a moderator)."""
    thread = _thread(request, thread_id)
    if not can.can_accept(request.auth, thread):
        raise PermissionDenied(_("Only the asker or a moderator can change the accepted answer."))
    threads.unaccept_answer(thread=thread, actor=request.auth)
    return _thread_detail(request, thread.pk)


# --- Moderation ----------------------------------------------------------------------------

MODERATION = {"response": {200: ThreadDetailOut, **ERRORS}, "tags": ["moderation"]}


@router.post("/threads/{thread_id}/close", **MODERATION)
def close_thread(request: HttpRequest, thread_id: Id, payload: ReasonIn | None = None) -> Thread:
    """Close a thread to new posts (its author or a moderator)."""
    thread = _thread(request, thread_id)
    if not can.can_close(request.auth, thread):
        raise PermissionDenied(_("Only the author or a moderator can close this thread."))
    threads.close_thread(
        thread=thread, actor=request.auth, reason=payload.reason if payload else ""
    )
    return _thread_detail(request, thread_id)


@router.post("/threads/{thread_id}/reopen", **MODERATION)
def reopen_thread(request: HttpRequest, thread_id: Id, payload: ReasonIn | None = None) -> Thread:
    """Reopen a closed thread (its author or a moderator)."""
    thread = _thread(request, thread_id)
    if not can.can_close(request.auth, thread):
        raise PermissionDenied(_("Only the author or a moderator can reopen this thread."))
    threads.reopen_thread(
        thread=thread, actor=request.auth, reason=payload.reason if payload else ""
    )
    return _thread_detail(request, thread_id)


@router.post("/threads/{thread_id}/lock", **MODERATION)
def lock_thread(request: HttpRequest, thread_id: Id) -> Thread:
    """Lock a thread: only moderators may post or edit in it. Moderators only."""
    thread = _moderated(request, _thread(request, thread_id))
    moderation.lock_thread(thread=thread, actor=request.auth)
    return _thread_detail(request, thread_id)


@router.post("/threads/{thread_id}/unlock", **MODERATION)
def unlock_thread(request: HttpRequest, thread_id: Id) -> Thread:
    """Unlock a locked thread. Moderators only."""
    thread = _moderated(request, _thread(request, thread_id))
    moderation.unlock_thread(thread=thread, actor=request.auth)
    return _thread_detail(request, thread_id)


@router.post("/threads/{thread_id}/move", **MODERATION)
def move_thread(request: HttpRequest, thread_id: Id, payload: MoveIn) -> Thread:
    """Move a thread to another community. Moderators of this community only."""
    thread = _moderated(request, _thread(request, thread_id))
    community = _by_slug(
        Community, payload.community, "community", _("There is no community “%(slug)s”.")
    )
    moderation.move_thread(thread=thread, to_community=community, actor=request.auth)
    return _thread_detail(request, thread_id)


def _other_thread(request: HttpRequest, thread_id: int, field: str) -> Thread:
    other = _thread_rows().filter(pk=thread_id).first()
    if other is None or not can.can_view_thread(request.auth, other):
        raise ValidationError({field: _("There is no such thread.")})
    return other


@router.post("/threads/{thread_id}/merge", **MODERATION)
def merge_thread(request: HttpRequest, thread_id: Id, payload: MergeIn) -> Thread:
    """Merge this thread into another: its posts move there. Answers the merged thread."""
    source = _moderated(request, _thread(request, thread_id))
    target = _other_thread(request, payload.into, "into")
    if target.pk == source.pk:
        raise ValidationError({"into": _("A thread cannot be merged into itself.")})
    try:
        moderation.merge_threads(source=source, target=target, actor=request.auth)
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        # The service names the target `target`; here it is the `into` field.
        raise ValidationError(
            {
                "into" if field == "target" else field: messages
                for field, messages in error.message_dict.items()
            }
        ) from error
    return _thread_detail(request, target.pk)


@router.post("/threads/{thread_id}/duplicate", **MODERATION)
def mark_duplicate(request: HttpRequest, thread_id: Id, payload: DuplicateIn) -> Thread:
    """Close a question as a duplicate of another (its author or a moderator)."""
    thread = _thread(request, thread_id)
    if not can.can_close(request.auth, thread):
        raise PermissionDenied(_("Only the author or a moderator can mark a duplicate."))
    original = _other_thread(request, payload.original, "original")
    threads.mark_duplicate(thread=thread, original=original, actor=request.auth)
    return _thread_detail(request, thread_id)


@router.post("/posts/{post_id}/hide", response={200: PostOut, **ERRORS}, tags=["moderation"])
def hide_post(request: HttpRequest, post_id: Id, payload: ReasonIn | None = None) -> Post:
    """Hide a post from readers (its author and moderators still see it). Moderators only."""
    post = _post(request, post_id)
    _moderated(request, post.thread)
    moderation.hide_post(post=post, actor=request.auth, reason=payload.reason if payload else "")
    return _post_out(request, post)


@router.post("/posts/{post_id}/unhide", response={200: PostOut, **ERRORS}, tags=["moderation"])
def unhide_post(request: HttpRequest, post_id: Id) -> Post:
    """Show a hidden post again. Moderators only."""
    post = _post(request, post_id)
    _moderated(request, post.thread)
    moderation.unhide_post(post=post, actor=request.auth)
    return _post_out(request, post)


# --- Finding -------------------------------------------------------------------------------


@router.get(
    "/search", response={200: SearchPageOut, **error_responses(401, 404, 422)}, tags=["search"]
)
def search_threads(request: HttpRequest, filters: Query[SearchFilters]) -> dict[str, Any]:
    """Full-text search over the threads the caller may see, best match first, each hit with
    a highlighted snippet. Unknown community, topic or org unit slugs are a 422."""
    if filters.since and filters.until and filters.since > filters.until:
        raise ValidationError({"until": _("The end date is before the start date.")})
    org_unit = _by_slug(
        OrgUnit, filters.org_unit, "org_unit", _("There is no org unit “%(slug)s”.")
    )
    results = search.search_threads(
        user=request.auth,
        text=filters.q,
        community=_community_filter(request, filters.community),
        topic=_topic(filters.topic),
        answered=filters.answered,
        org_unit=org_unit,
        since=filters.since,
        until=filters.until,
        limit=filters.limit,
        offset=filters.offset,
    )
    prefetch_related_objects([hit.thread for hit in results.hits], "topics", "group")
    return {"items": results.hits, "count": results.total}


@router.get(
    "/search/similar",
    response={200: list[ThreadOut], **error_responses(401, 404, 422)},
    tags=["search"],
)
def similar_questions(request: HttpRequest, filters: Query[SimilarFilters]) -> list[Thread]:
    """Questions like the one being typed, to avoid asking a duplicate."""
    similar = search.similar_questions(
        user=request.auth,
        text=filters.text,
        community=_community_filter(request, filters.community),
        limit=filters.limit,
    )
    prefetch_related_objects(similar, "topics", "group")
    return similar


@router.get(
    "/questions/unanswered",
    response={200: list[ThreadOut], **error_responses(401, 404, 422)},
    tags=["search"],
)
@paginate(Page)
def unanswered_questions(request: HttpRequest, filters: Query[UnansweredFilters]) -> Any:
    """Open questions without an answer that the caller may see: urgent first, then oldest."""
    return queries.unanswered_queue(
        user=request.auth,
        community=_community_filter(request, filters.community),
        topic=_topic(filters.topic),
    )
