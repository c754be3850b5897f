"""The POST buttons of a thread's page: votes, accepting, watching, flagging, moderation.

htmx requests get the re-rendered fragment (the vote widget, the watch card); a plain POST
gets a message and a redirect back to the thread, so every button works without JavaScript.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from practica.discussions.forms import (
    FlagForm,
    MoveForm,
    ReasonForm,
    ThreadReferenceForm,
    VoteForm,
    WatchForm,
)
from practica.discussions.models import Post, Thread
from practica.discussions.permissions import can_view_thread, can_vote
from practica.discussions.services import moderation, notifications, threads
from practica.discussions.views.shared import (
    post_or_404,
    refusal,
    thread_or_404,
    thread_url,
)


def _form_error(form: Any) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def _act(request: HttpRequest, act: Callable[[], str], target: str) -> HttpResponse:
    """Run a service call that `act` words on success; refusals become an error message."""
    try:
        note = act()
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal(error))
    else:
        messages.success(request, note)
    return redirect(target)


# --- Votes, accepting, watching, flagging -------------------------------------------------


@login_required
@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    post = post_or_404(request, pk)
    form = VoteForm(request.POST)
    error = ""
    current = request.POST.get("current", "0")
    my_vote = int(current) if current in {"1", "-1"} else 0
    if not form.is_valid():
        error = _form_error(form)
    else:
        try:
            post = threads.vote(post=post, voter=request.user, value=form.cleaned_data["value"])
        except (ValidationError, PermissionDenied) as refusal_error:
            error = refusal(refusal_error)
        else:
            my_vote = form.cleaned_data["value"]
    if request.htmx:
        post.refresh_from_db(fields=["score"])
        post.can_vote = can_vote(request.user, post)
        context = {"post": post, "my_vote": my_vote, "vote_error": error}
        return render(request, "discussions/includes/vote.html", context)
    if error:
        messages.error(request, error)
    return redirect(thread_url(post.thread, post))


@login_required
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    answer = post_or_404(request, pk)

    def act() -> str:
        threads.accept_answer(answer=answer, actor=request.user)
        return _("The answer is accepted. Thank you for closing the loop!")

    return _act(request, act, thread_url(answer.thread, answer))


@login_required
@require_POST
def unaccept(request: HttpRequest, pk: int) -> HttpResponse:
    thread = thread_or_404(request, pk)

    def act() -> str:
        threads.unaccept_answer(thread=thread, actor=request.user)
        return _("The answer is no longer marked as accepted.")

    return _act(request, act, thread_url(thread))


@login_required
@require_POST
def watch(request: HttpRequest, pk: int) -> HttpResponse:
    thread = thread_or_404(request, pk)
    form = WatchForm(request.POST)
    level, error = "", ""
    if form.is_valid():
        level = form.cleaned_data["level"]
        try:
            if level == "none":
                notifications.unsubscribe(person=request.user, thread=thread)
            else:
                notifications.subscribe(person=request.user, thread=thread, level=level)
        except (ValidationError, PermissionDenied) as refusal_error:
            error = refusal(refusal_error)
    else:
        error = _form_error(form)
    notes = {
        "watching": _("You are watching this thread: every new post notifies you."),
        "muted": _("This thread is muted: it will not notify you."),
        "none": _("You no longer watch this thread."),
    }
    if request.htmx:
        context = {"thread": thread, "watch_level": level or "none", "watch_error": error}
        return render(request, "discussions/includes/watch.html", context)
    (messages.error if error else messages.success)(request, error or notes[level])
    return redirect(thread_url(thread))


@login_required
@require_POST
def flag(request: HttpRequest, pk: int) -> HttpResponse:
    post = post_or_404(request, pk)
    form = FlagForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_error(form))
        return redirect(thread_url(post.thread, post))

    def act() -> str:
        moderation.flag_post(
            post=post,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
        return _("Thank you. The moderators will look at this post.")

    return _act(request, act, thread_url(post.thread, post))


def _other_thread(request: HttpRequest, form: ThreadReferenceForm) -> Thread:
    """The thread a reference form names, if the viewer may see it."""
    other = Thread.objects.select_related("community").filter(pk=form.cleaned_data["thread"])
    found = other.first()
    if found is None or not can_view_thread(request.user, found):
        raise ValidationError(
            _("There is no thread number %(n)s.") % {"n": form.cleaned_data["thread"]}
        )
    return found


def _with_other_thread(
    request: HttpRequest, pk: int, act: Callable[[Thread, Thread], str]
) -> HttpResponse:
    thread = thread_or_404(request, pk)
    form = ThreadReferenceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_error(form))
        return redirect(thread_url(thread))
    return _act(request, lambda: act(thread, _other_thread(request, form)), thread_url(thread))


@login_required
@require_POST
def link(request: HttpRequest, pk: int) -> HttpResponse:
    def act(thread: Thread, other: Thread) -> str:
        threads.link_threads(from_thread=thread, to_thread=other, actor=request.user)
        return _("Linked to “%(title)s”.") % {"title": other.title}

    return _with_other_thread(request, pk, act)


# --- Moderation (and closing, which the asker may do too) ---------------------------------


def _thread_action(
    request: HttpRequest, pk: int, act: Callable[[Thread, str], Any], note: str
) -> HttpResponse:
    thread = thread_or_404(request, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""

    def run() -> str:
        act(thread, reason)
        return note

    return _act(request, run, thread_url(thread))


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    return _thread_action(
        request,
        pk,
        lambda thread, reason: threads.close_thread(
            thread=thread, actor=request.user, reason=reason
        ),
        _("The thread is closed."),
    )


@login_required
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _thread_action(
        request,
        pk,
        lambda thread, reason: threads.reopen_thread(
            thread=thread, actor=request.user, reason=reason
        ),
        _("The thread is open again."),
    )


@login_required
@require_POST
def lock(request: HttpRequest, pk: int) -> HttpResponse:
    return _thread_action(
        request,
        pk,
        lambda thread, _reason: moderation.lock_thread(thread=thread, actor=request.user),
        _("The thread is locked: only moderators can post in it."),
    )


@login_required
@require_POST
def unlock(request: HttpRequest, pk: int) -> HttpResponse:
    return _thread_action(
        request,
        pk,
        lambda thread, _reason: moderation.unlock_thread(thread=thread, actor=request.user),
        _("The thread is unlocked."),
    )


@login_required
@require_POST
def move(request: HttpRequest, pk: int) -> HttpResponse:
    thread = thread_or_404(request, pk)
    form = MoveForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _form_error(form))
        return redirect(thread_url(thread))
    to_community = form.cleaned_data["to_community"]

    def act() -> str:
        moderation.move_thread(thread=thread, to_community=to_community, actor=request.user)
        return _("The thread is moved to %(name)s.") % {"name": to_community.name}

    return _act(request, act, thread_url(thread))


@login_required
@require_POST
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    def act(thread: Thread, other: Thread) -> str:
        moderation.merge_threads(source=thread, target=other, actor=request.user)
        return _("The thread is merged into “%(title)s”.") % {"title": other.title}

    return _with_other_thread(request, pk, act)


@login_required
@require_POST
def duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    def act(thread: Thread, other: Thread) -> str:
        threads.mark_duplicate(thread=thread, original=other, actor=request.user)
        return _("Marked as a duplicate of “%(title)s”.") % {"title": other.title}

    return _with_other_thread(request, pk, act)


def _post_action(request: HttpRequest, pk: int, act: Callable[[Post, str], Any], note: str):
    post = post_or_404(request, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""

    def run() -> str:
        act(post, reason)
        return note

    return _act(request, run, thread_url(post.thread, post))


@login_required
@require_POST
def hide(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_action(
        request,
        pk,
        lambda post, reason: moderation.hide_post(post=post, actor=request.user, reason=reason),
        _("The post is hidden from members."),
    )


@login_required
@require_POST
def unhide(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_action(
        request,
        pk,
        lambda post, reason: moderation.unhide_post(post=post, actor=request.user, reason=reason),
        _("The post is visible again."),
    )
