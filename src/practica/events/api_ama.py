"""An AMA's question board over HTTP: the board, asking, upvoting, and moderating (hide, mark
answered, reopen) for the event's hosts and organizers.

Part of the events router (`events.api` includes it); writes go through
`events.services.ama`. An anonymous question never names its author, to anyone; a hidden
question is not found for anyone but the moderators.
"""

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from practica.api.fields import Id
from practica.events.api_access import ERRORS, visible_event
from practica.events.models import AmaQuestion, AmaVote, Event, QuestionStatus
from practica.events.permissions import can_moderate_ama
from practica.events.queries.attendance import ama_board
from practica.events.schemas_attendance import AmaBoardOut, QuestionIn, QuestionOut
from practica.events.services.ama import (
    ask_question,
    hide_question,
    mark_answered,
    reopen_question,
    unvote_question,
    vote_question,
)

router = Router(tags=["ama"])


def _question(request: HttpRequest, event_id: int, question_id: int) -> AmaQuestion:
    """A question of this visible event; a hidden one only for its moderators."""
    event = visible_event(request, event_id)
    question = get_object_or_404(
        AmaQuestion.objects.select_related("author"), pk=question_id, event_id=event.pk
    )
    question.event = event
    if question.status == QuestionStatus.HIDDEN and not can_moderate_ama(request.auth, event):
        raise Http404
    return question


def _shown(question: AmaQuestion, viewer: Any) -> dict[str, Any]:
    """The question as the board shows it to `viewer` (the author only if not anonymous)."""
    fresh = AmaQuestion.objects.select_related("author").get(pk=question.pk)
    return {
        "id": fresh.pk,
        "text": fresh.text,
        "status": fresh.status,
        "vote_count": fresh.vote_count,
        "asked_at": fresh.asked_at,
        "answered_at": fresh.answered_at,
        "is_anonymous": fresh.is_anonymous,
        "author": None if fresh.is_anonymous else fresh.author,
        "is_mine": fresh.author_id == viewer.pk,
        "voted": AmaVote.objects.filter(question_id=fresh.pk, person_id=viewer.pk).exists(),
    }


def _board_question(question: Any) -> dict[str, Any]:
    author = None
    if question.author_id is not None:
        author = {"id": question.author_id, "display_name": question.author_name}
    return {
        "id": question.pk,
        "text": question.text,
        "status": question.status,
        "vote_count": question.vote_count,
        "asked_at": question.asked_at,
        "answered_at": question.answered_at,
        "is_anonymous": question.is_anonymous,
        "author": author,
        "is_mine": question.is_mine,
        "voted": question.voted,
    }


@router.get("/events/{event_id}/questions", response={200: AmaBoardOut, **ERRORS})
def get_ama_board(request: HttpRequest, event_id: Id) -> dict[str, Any]:
    """The board: open questions by votes, answered ones latest first, and for moderators the
    hidden ones. Poll it to follow the event live."""
    event: Event = visible_event(request, event_id)
    board = ama_board(event, request.auth)
    return {
        "open": [_board_question(question) for question in board.open],
        "answered": [_board_question(question) for question in board.answered],
        "hidden": [_board_question(question) for question in board.hidden],
        "can_moderate": board.can_moderate,
    }


@router.post(
    "/events/{event_id}/questions", response={200: QuestionOut, 201: QuestionOut, **ERRORS}
)
def ask_ama_question(request: HttpRequest, event_id: Id, payload: QuestionIn) -> Status:
    """Ask a question (AMA events only, until the end; 422 otherwise): 201 when new, 200
    when the caller already asked the same text. `anonymous` only where the host allows it."""
    event = visible_event(request, event_id)
    before = set(
        AmaQuestion.objects.filter(event_id=event.pk, author_id=request.auth.pk).values_list(
            "pk", flat=True
        )
    )
    question = ask_question(
        event=event, author=request.auth, text=payload.text, anonymous=payload.anonymous
    )
    return Status(200 if question.pk in before else 201, _shown(question, request.auth))


def _act(
    request: HttpRequest, event_id: int, question_id: int, action: Callable[..., Any], **who: Any
) -> dict[str, Any]:
    question = _question(request, event_id, question_id)
    action(question=question, **who)
    return _shown(question, request.auth)


@router.put(
    "/events/{event_id}/questions/{question_id}/vote", response={200: QuestionOut, **ERRORS}
)
def upvote_ama_question(request: HttpRequest, event_id: Id, question_id: Id) -> dict[str, Any]:
    """Upvote an open question (not one's own: 422). Voting twice counts once."""
    return _act(request, event_id, question_id, vote_question, person=request.auth)


@router.delete(
    "/events/{event_id}/questions/{question_id}/vote", response={200: QuestionOut, **ERRORS}
)
def withdraw_ama_upvote(request: HttpRequest, event_id: Id, question_id: Id) -> dict[str, Any]:
    """Withdraw one's upvote; nothing happens if there was none."""
    return _act(request, event_id, question_id, unvote_question, person=request.auth)


@router.post(
    "/events/{event_id}/questions/{question_id}/hide", response={200: QuestionOut, **ERRORS}
)
def hide_ama_question(request: HttpRequest, event_id: Id, question_id: Id) -> dict[str, Any]:
    """Take a question off the board. The event's hosts and organizers only (403)."""
    return _act(request, event_id, question_id, hide_question, actor=request.auth)


@router.post(
    "/events/{event_id}/questions/{question_id}/answer", response={200: QuestionOut, **ERRORS}
)
def answer_ama_question(request: HttpRequest, event_id: Id, question_id: Id) -> dict[str, Any]:
    """Mark a question answered. The event's hosts and organizers only (403)."""
    return _act(request, event_id, question_id, mark_answered, actor=request.auth)


@router.post(
    "/events/{event_id}/questions/{question_id}/reopen", response={200: QuestionOut, **ERRORS}
)
def reopen_ama_question(request: HttpRequest, event_id: Id, question_id: Id) -> dict[str, Any]:
    """Put a hidden or answered question back on the open board. Moderators only (403)."""
    return _act(request, event_id, question_id, reopen_question, actor=request.auth)
