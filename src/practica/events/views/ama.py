"""The AMA board: the page, the board fragment htmx polls every few seconds, asking, voting
and moderating. Votes and moderation answer an htmx request with the re-rendered board (so an
upvote reorders it at once); a plain POST gets a message and a redirect to the page.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practica.events.forms.attendance import AmaModerationForm, AmaQuestionForm, AmaVoteForm
from practica.events.models import AmaQuestion, Event, EventFormat, EventStatus
from practica.events.queries.attendance import ama_board
from practica.events.services import ama
from practica.events.views.attendance import add_refusal, refusal, viewable_event

# How often the board refreshes itself while the AMA is open.
POLL_SECONDS = 5


def _ama_event(request: HttpRequest, pk: int) -> Event:
    event = viewable_event(request, pk)
    if event.format != EventFormat.AMA:
        raise Http404
    return event


def _board_context(request: HttpRequest, event: Event, error: str = "") -> dict[str, Any]:
    is_open = event.status == EventStatus.PUBLISHED and timezone.now() <= event.ends_at
    return {
        "event": event,
        "board": ama_board(event, request.user),
        "is_open": is_open,
        "poll_seconds": POLL_SECONDS,
        "board_error": error,
    }


def _board_response(request: HttpRequest, event: Event, error: str = "") -> HttpResponse:
    return render(request, "events/ama_board.html", _board_context(request, event, error))


def _ama_url(event: Event) -> str:
    return reverse("events:ama", args=[event.pk])


@login_required
@require_http_methods(["GET", "POST"])
def ama_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The board and the ask form; POST asks a question."""
    event = _ama_event(request, pk)
    form = AmaQuestionForm(allow_anonymous=event.anonymous_questions)
    status = 200
    if request.method == "POST":
        form = AmaQuestionForm(request.POST, allow_anonymous=event.anonymous_questions)
        if form.is_valid():
            try:
                ama.ask_question(
                    event=event,
                    author=request.user,
                    text=form.cleaned_data["text"],
                    anonymous=form.cleaned_data.get("anonymous", False),
                )
            except (ValidationError, PermissionDenied) as refused:
                add_refusal(form, refused)
            else:
                messages.success(request, _("Your question is on the board."))
                return redirect(_ama_url(event))
        status = 400
    context = {**_board_context(request, event), "form": form}
    return render(request, "events/ama_page.html", context, status=status)


@login_required
@require_GET
def board(request: HttpRequest, pk: int) -> HttpResponse:
    """The board alone, for htmx polling."""
    return _board_response(request, _ama_event(request, pk))


def _question(request: HttpRequest, pk: int) -> AmaQuestion:
    question = get_object_or_404(AmaQuestion.objects.select_related("event"), pk=pk)
    _ama_event(request, question.event_id)
    return question


def _answer(request: HttpRequest, question: AmaQuestion, error: str, note: str) -> HttpResponse:
    event = Event.objects.select_related("community").get(pk=question.event_id)
    if request.htmx:
        return _board_response(request, event, error)
    (messages.error if error else messages.success)(request, error or note)
    return redirect(_ama_url(event))


@login_required
@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(request, pk)
    form = AmaVoteForm(request.POST)
    error = ""
    if not form.is_valid():
        error = _("Choose to vote or to withdraw your vote.")
    else:
        try:
            if form.cleaned_data["value"] == "up":
                ama.vote_question(question=question, person=request.user)
            else:
                ama.unvote_question(question=question, person=request.user)
        except (ValidationError, PermissionDenied) as refused:
            error = refusal(refused)
    return _answer(request, question, error, _("Your vote is counted."))


@login_required
@require_POST
def moderate(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(request, pk)
    form = AmaModerationForm(request.POST)
    error = ""
    if not form.is_valid():
        error = _("Choose hide, mark answered or reopen.")
    else:
        act = {
            "hide": ama.hide_question,
            "answer": ama.mark_answered,
            "reopen": ama.reopen_question,
        }[form.cleaned_data["action"]]
        try:
            act(question=question, actor=request.user)
        except (ValidationError, PermissionDenied) as refused:
            error = refusal(refused)
    return _answer(request, question, error, _("The board is updated."))
