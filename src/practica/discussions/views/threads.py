"""Asking, a thread's page, answering, editing and the edit history."""

from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practica.core.markdown import render_markdown
from practica.discussions import queries
from practica.discussions.forms import (
    AskForm,
    EditPostForm,
    MoveForm,
    PostForm,
    PreviewForm,
    SimilarForm,
)
from practica.discussions.inbox import subscription_level
from practica.discussions.models import RoutedExpert, ThreadKind
from practica.discussions.permissions import (
    can_accept,
    can_close,
    can_edit_post,
    can_flag,
    can_link,
    can_post_in,
    can_reply,
    can_vote,
)
from practica.discussions.search import similar_questions
from practica.discussions.services.threads import create_thread, post_reply
from practica.discussions.services.threads import edit_post as edit_post_service
from practica.discussions.services.view_counts import record_thread_view
from practica.discussions.views.post_cards import attach_post_cards, thread_head_key
from practica.discussions.views.shared import (
    add_refusal,
    closed_reason,
    community_or_404,
    forbidden,
    post_or_404,
    response_target_minutes,
    thread_or_404,
    thread_target_minutes,
    thread_url,
    unwrap_user,
)

SIMILAR_LIMIT = 5
MIN_SIMILAR_TEXT = 8


@login_required
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_or_404(slug)
    if not can_post_in(request.user, community):
        return forbidden(request, community, closed_reason(community))
    target = response_target_minutes(community)
    form = AskForm(
        request.POST or None,
        community=community,
        target_minutes=target,
        initial={"kind": request.GET.get("kind") or ThreadKind.QUESTION},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            thread = create_thread(
                community=community,
                author=request.user,
                kind=data["kind"],
                title=data["title"],
                body=data["body"],
                topics=data["topics"],
                is_urgent=data["is_urgent"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_refusal(form, error)
        else:
            if thread.is_question:
                note = _(
                    "Your question is posted. The members most likely to know are being asked."
                )
            else:
                note = _("Your discussion is started.")
            messages.success(request, note)
            return redirect(thread_url(thread))
    context = {"community": community, "form": form, "target_minutes": target}
    return render(request, "discussions/ask.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def similar(request: HttpRequest, slug: str) -> HttpResponse:
    """The questions like the one being typed (htmx, live)."""
    community = community_or_404(slug)
    text = SimilarForm(request.GET).text()
    threads = []
    if len(text) < MIN_SIMILAR_TEXT:
        text = ""
    else:
        threads = similar_questions(
            user=request.user, text=text, community=community, limit=SIMILAR_LIMIT
        )
    return render(request, "discussions/ask.html#similar", {"similar": threads, "text": text})


@login_required
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """The Markdown as it will be shown (htmx); the text is sanitized like a real post."""
    form = PreviewForm(request.POST)
    html = render_markdown(form.cleaned_data["body"]) if form.is_valid() else ""
    error = "" if form.is_valid() else " ".join(form.errors.get("body", []))
    return render(request, "discussions/includes/preview.html", {"html": html, "error": error})


def _thread_context(request: HttpRequest, thread: Any, **extra: Any) -> dict[str, Any]:
    user = request.user
    page = queries.thread_page_rows(thread, viewer=user)
    moderator = page.viewer_is_moderator
    routed = None
    if moderator or thread.author_id == user.pk:  # they see whom it was routed to
        routed = list(
            RoutedExpert.objects.filter(thread=thread)
            .select_related("person", "person__org_unit", "round")
            .order_by("round__number", "rank")
        )
    for post in page.posts:
        post.can_edit = can_edit_post(user, post)
        post.can_vote = can_vote(user, post)
        post.can_flag = can_flag(user, post)
        post.is_routed = post.author_was_routed and not post.is_opening  # "Asked to answer"
    queries.attach_email_attachments(page.posts)
    accept_allowed = can_accept(user, thread)
    attach_post_cards(
        request, thread, page.posts, can_accept=accept_allowed, can_moderate=moderator
    )
    target_minutes = thread_target_minutes(thread)
    related = [link.to_thread for link in page.links_out]
    related += [link.from_thread for link in page.links_in if link.from_thread not in related]
    context = {
        "thread": thread,
        "community": thread.community,
        "page": page,
        "opening": page.opening,
        "answers": page.answers,
        "answer_cards": mark_safe("\n".join(post.card for post in page.answers)),  # noqa: S308 — the cards are safe HTML
        "related": related,
        "can_reply": can_reply(user, thread),
        "can_accept": accept_allowed,
        "can_close": can_close(user, thread),
        "can_link": can_link(user, thread),
        "can_moderate": moderator,
        "watch_level": _watch_level(user, thread) or "none",
        "routed": routed,
        "target_minutes": target_minutes,
        "head_key": thread_head_key(thread, page.topics, target_minutes),
        # The blank form is built only if its cached fragment is missing (templates call it).
        "answer_form": None,
        "blank_answer_form": partial(
            PostForm, label=_("Your answer") if thread.is_question else _("Your reply")
        ),
        "move_form": MoveForm(user=user) if moderator else None,
    }
    context.update(extra)
    return context


def _watch_level(user: Any, thread: Any) -> str | None:
    """The viewer's subscription to the thread, read with it by `thread_or_404(for_page=True)`."""
    if hasattr(thread, "viewer_watch_level"):
        return thread.viewer_watch_level
    return subscription_level(user, thread=thread)


@login_required
@require_GET
def thread_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = unwrap_user(request)
    thread = thread_or_404(request, pk, for_page=True)
    record_thread_view(thread=thread, viewer=viewer)
    return render(request, "discussions/thread.html", _thread_context(request, thread))


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    thread = thread_or_404(request, pk)
    form = PostForm(request.POST)
    if form.is_valid():
        try:
            post = post_reply(thread=thread, author=request.user, body=form.cleaned_data["body"])
        except (ValidationError, PermissionDenied) as error:
            add_refusal(form, error)
        else:
            note = _("Your answer is posted.") if thread.is_question else _("Your reply is posted.")
            messages.success(request, note)
            return redirect(thread_url(thread, post))
    thread.refresh_from_db()
    context = _thread_context(request, thread, answer_form=form)
    return render(request, "discussions/thread.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def edit_post(request: HttpRequest, pk: int) -> HttpResponse:
    post = post_or_404(request, pk)
    thread = post.thread
    if not can_edit_post(request.user, post):
        return forbidden(
            request, thread.community, _("Only the author or a moderator can edit this post.")
        )
    initial = {"body": post.body, "title": thread.title}
    form = EditPostForm(request.POST or None, initial=initial, with_title=post.is_opening)
    if request.method == "POST" and form.is_valid():
        try:
            edit_post_service(
                post=post,
                editor=request.user,
                body=form.cleaned_data["body"],
                title=form.cleaned_data.get("title") if post.is_opening else None,
            )
        except (ValidationError, PermissionDenied) as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(thread_url(thread, post))
    context = {"post": post, "thread": thread, "community": thread.community, "form": form}
    return render(request, "discussions/edit.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def post_history(request: HttpRequest, pk: int) -> HttpResponse:
    post = post_or_404(request, pk)
    revisions = queries.post_revisions(post)
    context = {
        "post": post,
        "thread": post.thread,
        "community": post.thread.community,
        "revisions": revisions,
    }
    return render(request, "discussions/history.html", context)
