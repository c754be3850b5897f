"""NPS pulse surveys: scheduling, cancelling, sending, closing and answering.

Who is asked (`eligible_person_ids`): the community's counted current members (not service
accounts or placeholders, accounts active, membership not left) who have not been invited to
any pulse of any community in the pulse's `min_interval_days` (`PULSE_MIN_INTERVAL_DAYS` when
it was scheduled). A pulse with a `sample_size` asks that many of them, drawn at random with
the survey's id as the seed (the same data gives the same sample); without one, all of them.

Sending is idempotent and safe under concurrency: `send_pulse` locks the survey row, sends
only a SCHEDULED pulse and marks it OPEN in the same transaction as the invitations and their
outbox mail, so a second send (a retried task, the beat) finds it OPEN and does nothing. On
PostgreSQL it also holds an advisory lock for pulse sending, so two pulses of different
communities sent at once cannot both ask the same person within the interval (SQLite's
IMMEDIATE transactions serialise writers already). The unique (survey, person) pair is the
last line of defence.
"""

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from practica.communities.models import Community, Membership
from practica.core.services import record_audit
from practica.mail.services import enqueue_messages
from practica.metrics.definitions.population import COUNTED_PERSON
from practica.metrics.models import PulseInvitation, PulseStatus, PulseSurvey
from practica.metrics.models.surveys import MAX_SCORE
from practica.metrics.permissions import can_manage_pulses
from practica.metrics.surveys.mail import pulse_mail
from practica.metrics.surveys.tokens import hash_pulse_token, is_plausible_token, new_pulse_token
from practica.people.models import User

DEFAULT_QUESTION = gettext_lazy("How likely are you to recommend this community to a colleague?")
MAX_QUESTION_LENGTH = PulseSurvey._meta.get_field("question").max_length or 300
MAX_COMMENT_LENGTH = 2000
MAX_SAMPLE_SIZE = 1_000_000
MAX_OPEN_DAYS = 90
DEFAULT_OPEN_DAYS = 14
# The form's "now" is a minute or so old when it is sent; an hour covers a slow hand.
SEND_AT_GRACE = timedelta(hours=1)
MAX_SCHEDULE_AHEAD = timedelta(days=365)
_ADVISORY_NAMESPACE = 0x50554C53  # "PULS": keeps our advisory lock apart from anyone else's
_ADVISORY_KEY = 1
_IN_CHUNK = 500  # stays far below SQLite's bound-parameter limit


class UnknownPulseTokenError(PulseInvitation.DoesNotExist):
    """The answer link's token matches no invitation (mistyped, truncated, or made up)."""


def default_closes_at(send_at: datetime) -> datetime:
    try:
        return send_at + timedelta(days=DEFAULT_OPEN_DAYS)
    except OverflowError:
        # A send time at the calendar's end (9999-12-31): refused as too far ahead anyway, so
        # the answer is a clear message, not a crash.
        return send_at


def _clean_question(question: Any) -> str:
    text = " ".join(str(question or "").split())
    if not text:
        raise ValidationError({"question": _("Write the question to ask.")})
    if len(text) > MAX_QUESTION_LENGTH:
        raise ValidationError(
            {
                "question": _("Keep the question to %(limit)d characters.")
                % {"limit": MAX_QUESTION_LENGTH}
            }
        )
    return text


def _clean_sample_size(sample_size: Any) -> int | None:
    if sample_size in (None, ""):
        return None
    message = _("The sample size is a whole number of people, at least 1 (or empty for everyone).")
    if isinstance(sample_size, bool):
        raise ValidationError({"sample_size": message})
    try:
        number = int(str(sample_size).strip())
    except (TypeError, ValueError):
        raise ValidationError({"sample_size": message}) from None
    if number < 1:
        raise ValidationError({"sample_size": message})
    if number > MAX_SAMPLE_SIZE:
        raise ValidationError(
            {
                "sample_size": _("The sample size can be at most %(limit)s people.")
                % {"limit": f"{MAX_SAMPLE_SIZE:,}"}
            }
        )
    return number


def _check_times(send_at: datetime, closes_at: datetime, now: datetime) -> None:
    errors: dict[str, str] = {}
    if timezone.is_naive(send_at) or timezone.is_naive(closes_at):
        raise ValidationError(_("Times need a time zone."))
    if send_at < now - SEND_AT_GRACE:
        errors["send_at"] = _("The send time is in the past: choose now or later.")
    elif send_at > now + MAX_SCHEDULE_AHEAD:
        errors["send_at"] = _("Schedule the pulse at most a year ahead.")
    if closes_at <= send_at:
        errors["closes_at"] = _("The pulse must close after it is sent.")
    elif closes_at - send_at > timedelta(days=MAX_OPEN_DAYS):
        errors["closes_at"] = _("A pulse stays open at most %(days)d days after it is sent.") % {
            "days": MAX_OPEN_DAYS
        }
    if errors:
        raise ValidationError(errors)


def schedule_pulse(
    *,
    community: Community,
    actor: Any,
    question: str | Promise = DEFAULT_QUESTION,
    sample_size: int | None,
    send_at: datetime,
    closes_at: datetime,
) -> PulseSurvey:
    """Schedule a pulse of `community` (the manager only): `sample_size` random members, or all
    when None. Snapshots `PULSE_MIN_INTERVAL_DAYS`. A pulse due now is sent by a task on commit;
    a later one by the beat (`send_due_pulses`). No lock: it writes one new row."""
    if not can_manage_pulses(actor, community):
        raise PermissionDenied(
            _("Only the community manager of %(name)s runs its pulse surveys.")
            % {"name": community.name}
        )
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for name, clean in (("question", _clean_question), ("sample_size", _clean_sample_size)):
        value = question if name == "question" else sample_size
        try:
            cleaned[name] = clean(value)
        except ValidationError as error:
            errors.update(error.message_dict)
    try:
        _check_times(send_at, closes_at, now)
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        survey = PulseSurvey.objects.create(
            community=community,
            question=cleaned["question"],
            sample_size=cleaned["sample_size"],
            send_at=max(send_at, now),
            closes_at=closes_at,
            min_interval_days=settings.PULSE_MIN_INTERVAL_DAYS,
            created_by=actor,
            created_at=now,
        )
        record_audit(
            actor_id=actor.pk,
            action="pulse.scheduled",
            target=survey,
            community_id=community.pk,
            data={"sample_size": survey.sample_size, "send_at": survey.send_at.isoformat()},
        )
        if survey.send_at <= now:
            transaction.on_commit(lambda: _send_later(survey.pk), robust=True)
    return survey


def _send_later(survey_id: int) -> None:
    from practica.metrics.tasks import send_pulse_task  # tasks import this module

    send_pulse_task.delay(survey_id)


def cancel_pulse(*, survey: PulseSurvey, actor: Any) -> PulseSurvey:
    """Cancel a pulse that has not been sent (the manager only). Locks the survey row, so a
    cancel racing the send either wins (nothing is sent) or is refused (it was sent)."""
    if not can_manage_pulses(actor, survey.community):
        raise PermissionDenied(
            _("Only the community manager of %(name)s runs its pulse surveys.")
            % {"name": survey.community.name}
        )
    with transaction.atomic():
        locked = PulseSurvey.objects.select_for_update().get(pk=survey.pk)
        if locked.status == PulseStatus.CANCELLED:
            return locked
        if locked.status != PulseStatus.SCHEDULED:
            raise ValidationError(
                _("This pulse has been sent already; only a scheduled pulse can be cancelled.")
            )
        locked.status = PulseStatus.CANCELLED
        locked.save(update_fields=["status"])
        record_audit(
            actor_id=actor.pk,
            action="pulse.cancelled",
            target=locked,
            community_id=locked.community_id,
        )
    survey.status = locked.status
    return locked


def eligible_person_ids(*, community_id: int, min_interval_days: int, now: datetime) -> list[int]:
    """Who a pulse of the community may ask now, in id order (see the module docstring)."""
    recently_asked = PulseInvitation.objects.filter(
        invited_at__gt=now - timedelta(days=min_interval_days)
    ).values("person_id")
    return list(
        Membership.objects.current()
        .filter(COUNTED_PERSON, community_id=community_id, person__is_active=True)
        .exclude(person__email="")
        .exclude(person_id__in=recently_asked)
        .order_by("person_id")
        .values_list("person_id", flat=True)
        .distinct()
    )


def sample_people(*, person_ids: Sequence[int], sample_size: int | None, seed: int) -> list[int]:
    """`sample_size` of `person_ids` drawn at random (reproducibly from `seed`), or all."""
    ids = sorted(person_ids)
    if sample_size is None or sample_size >= len(ids):
        return ids
    return sorted(random.Random(seed).sample(ids, sample_size))  # noqa: S311 — not a secret


def _lock_pulse_sending() -> None:
    """Serialise pulse sending (PostgreSQL; SQLite writers are serial), so the interval rule
    holds across communities sending at the same moment."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [_ADVISORY_NAMESPACE, _ADVISORY_KEY]
            )


def send_pulse(*, survey_id: int) -> int:
    """Invite the pulse's sample and mail each person their links; return how many were
    invited (0 when the pulse is not SCHEDULED, not due yet, or gone).

    One transaction: the pulse-sending advisory lock (PostgreSQL), then the survey row
    (`select_for_update`). Invitations, their outbox mail (key `pulse:<survey>:<person>`) and
    the status change to OPEN commit together, so a concurrent or repeated call sends nothing
    twice. A pulse whose closing time passed before it could be sent is closed unsent.
    """
    return _send_pulse(survey_id, timezone.now())[1]


def _send_pulse(survey_id: int, now: datetime) -> tuple[bool, int]:
    """`send_pulse`'s work: (whether the pulse changed status, how many were invited)."""
    with transaction.atomic():
        _lock_pulse_sending()
        survey = (
            PulseSurvey.objects.select_for_update()
            .select_related("community")
            .filter(pk=survey_id)
            .first()
        )
        if survey is None or survey.status not in (PulseStatus.SCHEDULED, PulseStatus.SENDING):
            return False, 0
        if survey.send_at > now:
            return False, 0
        if survey.closes_at <= now:
            survey.status = PulseStatus.CLOSED
            survey.save(update_fields=["status"])
            return True, 0
        eligible = eligible_person_ids(
            community_id=survey.community_id,
            min_interval_days=survey.min_interval_days,
            now=now,
        )
        chosen = sample_people(person_ids=eligible, sample_size=survey.sample_size, seed=survey.pk)
        invitations: list[PulseInvitation] = []
        mails = []
        for start in range(0, len(chosen), _IN_CHUNK):
            people = User.objects.filter(pk__in=chosen[start : start + _IN_CHUNK]).order_by("pk")
            for person in people:
                token, token_hash = new_pulse_token()
                invitations.append(
                    PulseInvitation(
                        survey=survey, person=person, token_hash=token_hash, invited_at=now
                    )
                )
                mails.append(pulse_mail(survey=survey, person=person, token=token))
        PulseInvitation.objects.bulk_create(invitations, batch_size=500)
        enqueue_messages(mails=mails)
        survey.status = PulseStatus.OPEN
        survey.sent_at = now
        survey.invited_count = len(invitations)
        survey.save(update_fields=["status", "sent_at", "invited_count"])
    return True, len(invitations)


def close_due_pulses(*, now: datetime | None = None) -> int:
    """Close every OPEN pulse past its closing time; return how many. One UPDATE, no lock
    (answers check the closing time themselves)."""
    now = now or timezone.now()
    return PulseSurvey.objects.filter(status=PulseStatus.OPEN, closes_at__lte=now).update(
        status=PulseStatus.CLOSED
    )


def send_due_pulses() -> int:
    """The beat's work: close the OPEN pulses past their closing time, and send every
    SCHEDULED pulse whose time has come (one transaction each, see `send_pulse`). Returns how
    many pulses were sent or closed."""
    now = timezone.now()
    handled = close_due_pulses(now=now)
    due = list(
        PulseSurvey.objects.filter(
            status__in=[PulseStatus.SCHEDULED, PulseStatus.SENDING], send_at__lte=now
        ).values_list("pk", flat=True)
    )
    for survey_id in due:
        changed, _invited = _send_pulse(survey_id, now)
        handled += int(changed)
    return handled


def invitation_for_token(token: str) -> PulseInvitation:
    """The invitation a link's token belongs to, with its survey and community; raises
    `UnknownPulseTokenError` for anything else."""
    if not is_plausible_token(token):
        raise UnknownPulseTokenError
    invitation = (
        PulseInvitation.objects.select_related("survey__community")
        .filter(token_hash=hash_pulse_token(token))
        .first()
    )
    if invitation is None:
        raise UnknownPulseTokenError
    return invitation


def is_open_for_answers(survey: PulseSurvey, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return survey.status == PulseStatus.OPEN and now < survey.closes_at


def clean_score(score: Any) -> int:
    message = _("Choose a score from 0 to %(max)d.") % {"max": MAX_SCORE}
    if isinstance(score, bool):
        raise ValidationError({"score": message})
    try:
        number = int(str(score).strip())
    except (TypeError, ValueError):
        raise ValidationError({"score": message}) from None
    if not 0 <= number <= MAX_SCORE:
        raise ValidationError({"score": message})
    return number


def record_pulse_answer(*, token: str, score: int, comment: str | None = "") -> PulseInvitation:
    """Record (or change) the answer of the invitation `token` belongs to: the last answer
    counts, `answered_at` is its time. `comment=None` keeps the comment already given (the
    one-click form sends none); a string replaces it.

    Raises `UnknownPulseTokenError` (a 404) for an unknown token, `ValidationError` for a score
    outside 0–10, a comment too long, or a pulse that is closed or cancelled. Locks the
    invitation row.
    """
    invitation = invitation_for_token(token)
    if not is_open_for_answers(invitation.survey):
        raise ValidationError(_("This survey has closed."))
    number = clean_score(score)
    text = None if comment is None else str(comment).strip()
    if text is not None and len(text) > MAX_COMMENT_LENGTH:
        raise ValidationError(
            {
                "comment": _("Keep the comment to %(limit)d characters.")
                % {"limit": MAX_COMMENT_LENGTH}
            }
        )
    if text is not None and "\x00" in text:
        raise ValidationError({"comment": _("The comment contains characters we cannot store.")})
    now = timezone.now()
    with transaction.atomic():
        locked = PulseInvitation.objects.select_for_update().get(pk=invitation.pk)
        locked.score = number
        locked.answered_at = now
        fields = ["score", "answered_at"]
        if text is not None:
            locked.comment = text
            fields.append("comment")
        locked.save(update_fields=fields)
    locked.survey = invitation.survey
    return locked
