"""A member's delivery from each community's list, the list's settings, and RFC 8058 one-click
unsubscribing.

Contract:

- `set_list_delivery` — the member themself, or a manager of the list acting for them, picks
  every message / daily / weekly / none. Only a current member of the community may pick
  anything but none (none is always allowed, so a leaver can still stop mail). One row per
  member and community (`one_list_subscription`); no row means the list's default.
- `update_list_settings` — managers only; every value is checked before anything changes.
- `unsubscribe_by_token` — the link in `List-Unsubscribe` carries a token naming the member
  and the community, signed with the site's secret (HMAC-SHA256 with its own salt): it cannot
  be made up or altered, and never expires, as a link in an old mail must still work. Using it
  sets the delivery to none; using it again changes nothing.

Each write is one transaction and records an audit row (who changed whose delivery, from what
to what). Locks: the member's subscription row, or the list's settings row
(`select_for_update`; on SQLite the IMMEDIATE transaction serialises writers anyway). A
concurrent first write of the same row is settled by the unique constraint (`get_or_create`).
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.communities.models import Community
from practica.core.services import record_audit
from practica.mail.addresses import signed_key, verified_key_ids
from practica.mail.models import DeliveryMode, ListSettings, ListSubscription
from practica.mail.permissions import (
    can_choose_list_delivery,
    can_manage_list,
    may_receive_list_mail,
)
from practica.people.models import User

LIST_SETTINGS_FIELDS = ("default_mode", "accepts_mail", "max_attachment_bytes")

_TOKEN_SIGNATURE_CHARS = 32  # 128 bits of HMAC-SHA256


def max_attachment_limit() -> int:
    """The largest attachment limit a list may set: no message is larger than this anyway."""
    return int(settings.MAIL_MAX_MESSAGE_BYTES)


# --- Delivery --------------------------------------------------------------------------------


def set_list_delivery(
    *, person: User, community: Community, mode: str, actor: User
) -> ListSubscription:
    """Set how `person` receives `community`'s list mail; return their subscription row.

    `actor` is the person, or a manager of the list acting for them (PermissionDenied
    otherwise). A mode other than none needs a current membership (ValidationError). Choosing
    the mode already chosen changes and records nothing. Locks the subscription row.
    """
    if not can_choose_list_delivery(actor, person, community):
        raise PermissionDenied(_("Only the member or the list's managers can change this."))
    if mode not in DeliveryMode.values:
        raise ValidationError(
            {"mode": _("Choose every message, daily digest, weekly digest or no mail.")}
        )
    if mode != DeliveryMode.NONE and not may_receive_list_mail(person, community):
        raise ValidationError(
            {
                "mode": _("%(person)s is not a member of %(community)s: join to receive its mail.")
                % {"person": person, "community": community.name}
            }
        )
    return _write_delivery(
        person=person, community=community, mode=mode, actor=actor, via="settings"
    )


def _write_delivery(
    *, person: User, community: Community, mode: str, actor: User, via: str
) -> ListSubscription:
    with transaction.atomic():
        subscription, created = ListSubscription.objects.select_for_update().get_or_create(
            person=person, community=community, defaults={"mode": mode}
        )
        previous = None if created else subscription.mode
        if previous == mode:
            return subscription
        if not created:
            subscription.mode = mode
            subscription.updated_at = timezone.now()
            subscription.save(update_fields=["mode", "updated_at"])
        record_audit(
            actor_id=actor.pk,
            action="mail.delivery_changed",
            target=subscription,
            community_id=community.pk,
            data={"person": person.pk, "mode": mode, "previous": previous, "via": via},
        )
    return subscription


# --- The list's settings ---------------------------------------------------------------------


def _checked_settings(changes: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The changes as stored, and a message per field that is not acceptable."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in sorted(set(changes) - set(LIST_SETTINGS_FIELDS)):
        errors[name] = _("There is no such list setting.")
    if "default_mode" in changes:
        if changes["default_mode"] not in DeliveryMode.values:
            errors["default_mode"] = _(
                "Choose every message, daily digest, weekly digest or no mail."
            )
        else:
            values["default_mode"] = changes["default_mode"]
    if "accepts_mail" in changes:
        if not isinstance(changes["accepts_mail"], bool):
            errors["accepts_mail"] = _("Choose yes or no.")
        else:
            values["accepts_mail"] = changes["accepts_mail"]
    if "max_attachment_bytes" in changes:
        size = changes["max_attachment_bytes"]
        limit = max_attachment_limit()
        if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= limit:
            errors["max_attachment_bytes"] = _(
                "Enter a size from 0 to %(limit)s bytes (the largest message accepted)."
            ) % {"limit": limit}
        else:
            values["max_attachment_bytes"] = size
    return values, errors


def update_list_settings(*, community: Community, actor: User, **changes: Any) -> ListSettings:
    """Change the list's `default_mode`, `accepts_mail` and `max_attachment_bytes`.

    Managers only (PermissionDenied). An unknown setting or a bad value is a ValidationError
    naming each field, and nothing changes. Creates the settings row on first change.
    Locks the list's settings row.
    """
    if not can_manage_list(actor, community):
        raise PermissionDenied(_("Only the community's managers can change its list."))
    values, errors = _checked_settings(changes)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        list_settings, _created = ListSettings.objects.select_for_update().get_or_create(
            community=community
        )
        changed = {
            name: value for name, value in values.items() if getattr(list_settings, name) != value
        }
        if changed:
            for name, value in changed.items():
                setattr(list_settings, name, value)
            list_settings.save(update_fields=list(changed))
            record_audit(
                actor_id=actor.pk,
                action="mail.list_settings_changed",
                target=list_settings,
                community_id=community.pk,
                data=changed,
            )
    return list_settings


# --- One-click unsubscribe (RFC 8058) --------------------------------------------------------


def list_unsubscribe_token(*, person_id: int, community_id: int) -> str:
    """The token of `person_id`'s unsubscribe link for `community_id`'s list (URL-safe)."""
    if person_id < 1 or community_id < 1:
        raise ValueError("Unsubscribe tokens name saved people and communities.")
    return signed_key(
        "unsubscribe", person_id, community_id, signature_chars=_TOKEN_SIGNATURE_CHARS
    )


@dataclass(frozen=True)
class UnsubscribeTarget:
    """Whom and which list a valid unsubscribe token names."""

    person_id: int
    community_id: int


def read_list_unsubscribe_token(token: str) -> UnsubscribeTarget | None:
    """What a token names, or None if it is malformed or its signature does not match."""
    ids = verified_key_ids("unsubscribe", token or "", 2, signature_chars=_TOKEN_SIGNATURE_CHARS)
    if ids is None:
        return None
    return UnsubscribeTarget(person_id=ids[0], community_id=ids[1])


def list_unsubscribe_url(*, person_id: int, community_id: int) -> str:
    """The absolute one-click unsubscribe URL for list mail (`List-Unsubscribe: <…>`)."""
    token = list_unsubscribe_token(person_id=person_id, community_id=community_id)
    return f"{settings.SITE_URL}{reverse('mail:unsubscribe', args=[token])}"


def list_delivery_url(*, community_slug: str = "") -> str:
    """The absolute URL of the member's Email delivery page (at that community's list)."""
    anchor = f"#list-{community_slug}" if community_slug else ""
    return f"{settings.SITE_URL}{reverse('mail:deliveries')}{anchor}"


def unsubscribe_by_token(*, token: str) -> ListSubscription:
    """Stop the list mail a valid token names: the member's delivery becomes none.

    No sign-in is needed: the token is the proof. A forged or mangled token, or one naming a
    member or community that no longer exists, is a ValidationError and changes nothing.
    Idempotent. Locks the subscription row.
    """
    target = read_list_unsubscribe_token(token)
    invalid = ValidationError(_("This unsubscribe link is not valid."), code="invalid_token")
    if target is None:
        raise invalid
    person = User.objects.filter(pk=target.person_id).first()
    community = Community.objects.filter(pk=target.community_id).first()
    if person is None or community is None:
        raise invalid
    return _write_delivery(
        person=person,
        community=community,
        mode=DeliveryMode.NONE,
        actor=person,
        via="one-click",
    )
