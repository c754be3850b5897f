"""The secret in a member's calendar feed addresses: issue, rotate, revoke, and resolve it.

Calendar clients cannot sign in, so a feed address carries a secret that stands for the
member. A member has at most one live token (a partial unique constraint); rotating revokes it
and issues a new one in the same transaction, so old addresses stop working at once. Resolving
refuses anything that is not a live token of an active member with the same error, so a
forged, revoked or stale address cannot be told apart (the views answer 404).
"""

import re
import secrets
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.events.models import CalendarToken

# token_urlsafe(32): 43 characters of [A-Za-z0-9_-].
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{20,64}")
# Clients poll every few minutes; record the use at most this often, not on every poll.
LAST_USED_PRECISION = timedelta(hours=1)


class UnknownCalendarToken(ValidationError):  # noqa: N818 — a refusal, not a fault
    """The secret is not a live token of an active member."""


def _check_actor(person: Any, actor: Any) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to manage calendar feeds."))
    if actor.pk != person.pk and not actor.is_staff:
        raise PermissionDenied(_("Only the member can manage their calendar feeds."))


def live_calendar_token(person: Any) -> CalendarToken | None:
    """The member's live token, or None."""
    return CalendarToken.objects.filter(person_id=person.pk, revoked_at__isnull=True).first()


def issue_calendar_token(*, person: Any, actor: Any) -> CalendarToken:
    """The member's live token, made now if they have none. Idempotent: issuing twice, or
    twice at once, gives the same token (the unique live-token constraint lets one in; the
    loser reads the winner's row). The member themselves or staff."""
    _check_actor(person, actor)
    if not person.is_active:
        raise ValidationError(_("This account is not active."))
    existing = live_calendar_token(person)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return CalendarToken.objects.create(person=person, secret=_new_secret())
    except IntegrityError:
        token = live_calendar_token(person)
        if token is None:  # pragma: no cover - only if revoked in the same instant
            raise
        return token


def rotate_calendar_token(*, person: Any, actor: Any) -> CalendarToken:
    """Revoke the live token (if any) and issue a new one, in one transaction that locks the
    live token's row; every old feed address stops working. The member themselves or staff."""
    _check_actor(person, actor)
    if not person.is_active:
        raise ValidationError(_("This account is not active."))
    with transaction.atomic():
        now = timezone.now()
        CalendarToken.objects.select_for_update().filter(
            person_id=person.pk, revoked_at__isnull=True
        ).update(revoked_at=now)
        return CalendarToken.objects.create(person=person, secret=_new_secret(), created_at=now)


def revoke_calendar_token(*, person: Any, actor: Any) -> int:
    """Revoke the member's live token: their feed addresses answer 404 from now on. Returns
    how many tokens were revoked (0 if there was none: idempotent). The member or staff."""
    _check_actor(person, actor)
    with transaction.atomic():
        return CalendarToken.objects.filter(person_id=person.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )


def person_for_calendar_token(*, secret: str) -> Any:
    """The active member whose live token `secret` is, or `UnknownCalendarToken`.

    Records the use (`last_used_at`) at most once an hour, with a single UPDATE.
    """
    if not isinstance(secret, str) or not SECRET_PATTERN.fullmatch(secret):
        raise UnknownCalendarToken(_("This calendar address is not valid."))
    token = (
        CalendarToken.objects.select_related("person")
        .filter(secret=secret, revoked_at__isnull=True, person__is_active=True)
        .first()
    )
    # The lookup matched on the indexed column; compare again in constant time anyway.
    if token is None or not secrets.compare_digest(token.secret, secret):
        raise UnknownCalendarToken(_("This calendar address is not valid."))
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        CalendarToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.person


def _new_secret() -> str:
    return secrets.token_urlsafe(32)
