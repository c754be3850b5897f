"""The question board of an AMA ("ask me anything") event.

Members ask before and during the event and upvote each other's questions; the event's
moderators (its organizers and hosts) hide questions or mark them answered. A question may be
asked anonymously only when the host enabled it (`Event.anonymous_questions`); the author is
still stored — to stop abuse and count their activity — but no screen or API shows it
(`queries.attendance.ama_board` leaves it out).

Locks: voting and moderating lock the question row (`select_for_update`) so `vote_count`
changes with F() under it and matches the AmaVote rows. Asking inserts a row, no lock.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.core.models import ActivityKind
from practica.core.services import record_activity, record_audit
from practica.events.models import (
    AmaQuestion,
    AmaVote,
    Event,
    EventFormat,
    EventStatus,
    QuestionStatus,
)
from practica.events.permissions import can_moderate_ama, can_view_event
from practica.events.services.group_events import group_activity_data

MAX_QUESTION_LENGTH = 2000
MIN_QUESTION_LENGTH = 5
MAX_QUESTIONS_PER_PERSON = 20


def _check_board_open(event: Event) -> None:
    if event.format != EventFormat.AMA:
        raise ValidationError(_("Only AMA events take questions."))
    if event.status != EventStatus.PUBLISHED:
        raise ValidationError(_("This event is not open for questions."))
    if timezone.now() > event.ends_at:
        raise ValidationError(_("This AMA has ended: the board is closed."))


def clean_question_text(text: Any) -> str:
    text = str(text or "").strip()
    if len(text) < MIN_QUESTION_LENGTH:
        raise ValidationError({"text": _("Write your question (a few words at least).")})
    if len(text) > MAX_QUESTION_LENGTH:
        raise ValidationError(
            {"text": _("Keep the question under %(n)s characters.") % {"n": MAX_QUESTION_LENGTH}}
        )
    return text


def ask_question(*, event: Event, author: Any, text: str, anonymous: bool = False) -> AmaQuestion:
    """Put a question on an AMA's board, before or during the event.

    Anonymous only if the event allows it. Asking the same text twice returns the first
    question (a double click). At most MAX_QUESTIONS_PER_PERSON per member and event.
    Records ASKED_AMA_QUESTION (with the event as subject, never the anonymous question).
    """
    if not can_view_event(author, event) or not author.is_active:
        raise PermissionDenied(_("You cannot ask questions at this event."))
    _check_board_open(event)
    anonymous = bool(anonymous)
    if anonymous and not event.anonymous_questions:
        raise ValidationError({"anonymous": _("This AMA does not take anonymous questions.")})
    text = clean_question_text(text)
    with transaction.atomic():
        mine = AmaQuestion.objects.filter(event=event, author=author)
        same = mine.filter(text=text).first()
        if same is not None:
            return same
        if mine.count() >= MAX_QUESTIONS_PER_PERSON:
            raise ValidationError(
                _("You have asked %(n)s questions already: let the others have a turn.")
                % {"n": MAX_QUESTIONS_PER_PERSON}
            )
        now = timezone.now()
        question = AmaQuestion.objects.create(
            event=event, author=author, is_anonymous=anonymous, text=text, asked_at=now
        )
        record_activity(
            kind=ActivityKind.ASKED_AMA_QUESTION,
            person_id=author.pk,
            community_id=event.community_id,
            subject=event,
            occurred_at=now,
            data={
                **({"anonymous": True} if anonymous else {"question": question.pk}),
                **group_activity_data(event),
            },
        )
    return question


def _locked(question: AmaQuestion) -> AmaQuestion:
    return AmaQuestion.objects.select_for_update().select_related("event").get(pk=question.pk)


def vote_question(*, question: AmaQuestion, person: Any) -> AmaQuestion:
    """Upvote an open question (not one's own). Idempotent: voting twice counts once."""
    event = question.event
    if not can_view_event(person, event) or not person.is_active:
        raise PermissionDenied(_("You cannot vote at this event."))
    _check_board_open(event)
    if question.author_id == person.pk:
        raise ValidationError(_("You cannot vote for your own question."))
    try:
        with transaction.atomic():
            current = _locked(question)
            if current.status != QuestionStatus.OPEN:
                raise ValidationError(_("Only open questions take votes."))
            if AmaVote.objects.filter(question=current, person=person).exists():
                return current
            AmaVote.objects.create(question=current, person=person)
            AmaQuestion.objects.filter(pk=current.pk).update(vote_count=F("vote_count") + 1)
    except IntegrityError:  # a simultaneous second vote by the same person: already counted
        pass
    return AmaQuestion.objects.get(pk=question.pk)


def unvote_question(*, question: AmaQuestion, person: Any) -> AmaQuestion:
    """Withdraw one's upvote; nothing happens if there was none."""
    if not can_view_event(person, question.event):
        raise PermissionDenied(_("You cannot vote at this event."))
    _check_board_open(question.event)
    with transaction.atomic():
        current = _locked(question)
        deleted, _rows = AmaVote.objects.filter(question=current, person=person).delete()
        if deleted:
            AmaQuestion.objects.filter(pk=current.pk, vote_count__gt=0).update(
                vote_count=F("vote_count") - 1
            )
    return AmaQuestion.objects.get(pk=question.pk)


def _moderate(question: AmaQuestion, actor: Any, status: str, action: str) -> AmaQuestion:
    if not can_moderate_ama(actor, question.event):
        raise PermissionDenied(_("Only the event's hosts and organizers moderate its questions."))
    with transaction.atomic():
        current = _locked(question)
        if current.status == status:
            return current
        current.status = status
        current.answered_at = timezone.now() if status == QuestionStatus.ANSWERED else None
        current.save(update_fields=["status", "answered_at"])
        record_audit(
            actor_id=actor.pk,
            action=action,
            target=current,
            community_id=current.event.community_id,
            data={"event": current.event_id},
        )
    return current


def hide_question(*, question: AmaQuestion, actor: Any) -> AmaQuestion:
    """Take a question off the board (off-topic, abusive, a duplicate). Reversible."""
    return _moderate(question, actor, QuestionStatus.HIDDEN, "events.ama_question_hidden")


def mark_answered(*, question: AmaQuestion, actor: Any) -> AmaQuestion:
    """The host answered it: it moves to the answered list, with the time."""
    return _moderate(question, actor, QuestionStatus.ANSWERED, "events.ama_question_answered")


def reopen_question(*, question: AmaQuestion, actor: Any) -> AmaQuestion:
    """Put a hidden or answered question back on the open board."""
    return _moderate(question, actor, QuestionStatus.OPEN, "events.ama_question_reopened")
