"""Members invite colleagues to their community by email, with the same signed one-click join
link the welcome campaigns use; the inviter can withdraw an invitation nobody has used yet.

An invitation is refused, with a message naming why, when the address is malformed, belongs to
a current member, already has a pending invitation to the community (the message gives its
date), belongs to a deactivated account, or when the inviter has sent their daily allowance
(`OUTREACH_INVITATIONS_PER_DAY`, 25 by default, counted over the last 24 hours from the activity
ledger, so withdrawing does not give invitations back). An address that opted out of outreach
is refused with a neutral sentence that does not say it opted out.

A pending invitation older than the join link's life (`JOIN_LINK_MAX_AGE_DAYS`) no longer
blocks: inviting again renews it (new date, inviter and message, a fresh link).

Each invitation is one transaction: the row, the INVITED activity of the inviter and the mail
to the invitee in the outbox commit together or not at all. It locks the inviter's row, so
two requests of one inviter cannot both take the last invitation of the day; the unique
constraint on pending invitations settles two inviters of one address at the same moment.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from practica.communities.models import Community, Membership
from practica.core.models import ActivityKind
from practica.core.services import record_activity, record_audit
from practica.core.time_zones import zone_named
from practica.outreach.join_links import JOIN_LINK_MAX_AGE_DAYS
from practica.outreach.mails.invitations import mail_invitation
from practica.outreach.models import Invitation, OutreachOptOut
from practica.outreach.permissions import can_invite, can_withdraw_invitation
from practica.outreach.queries.invitations import (
    LIMIT_WINDOW,
    invitations_per_day,
    invitations_sent_since,
)

MAX_MESSAGE = 2000
MAX_ADDRESS = 254
# One form or API call invites at most this many addresses.
MAX_ADDRESSES_PER_REQUEST = 50

# Why an address was refused (the API's `code`):
INVALID_ADDRESS = "invalid_address"
ALREADY_MEMBER = "already_member"
ALREADY_INVITED = "already_invited"
NOT_INVITABLE = "not_invitable"  # opted out of outreach, or left the company; said neutrally
DAILY_LIMIT = "daily_limit"
JOINED = "joined"  # withdrawing an invitation that was used


class InvitationRefused(ValidationError):  # noqa: N818 — a refusal, not a fault
    """An invitation refused for the address or the inviter's allowance (see the codes above).
    `field` is "email" for everything about the address."""

    def __init__(self, message: str, code: str, field: str = "email") -> None:
        super().__init__({field: [ValidationError(message, code=code)]})
        self.code = code
        self.message_text = message


@dataclass(frozen=True)
class InvitationResult:
    """One address of a batch: the invitation, or why it was refused."""

    email: str
    invitation: Invitation | None = None
    code: str = ""
    message: str = ""

    @property
    def invited(self) -> bool:
        return self.invitation is not None


def _zone(person: Any) -> ZoneInfo:
    return zone_named(getattr(person, "time_zone", "") or settings.TIME_ZONE)


def clean_address(email: Any) -> str:
    """The address, trimmed and lower-cased; InvitationRefused(INVALID_ADDRESS) if malformed."""
    address = str(email or "").strip()
    try:
        if not address or len(address) > MAX_ADDRESS:
            raise ValidationError("length")
        validate_email(address)
    except ValidationError:
        shown = address if len(address) <= 80 else f"{address[:77]}…"
        raise InvitationRefused(
            _("“%(email)s” is not an email address.") % {"email": shown}, INVALID_ADDRESS
        ) from None
    return address.lower()


def split_addresses(text: str) -> list[str]:
    """The addresses in pasted text: one per line (commas and semicolons also separate), each
    either bare or as `Name <address>`; blanks dropped, repeats dropped (first kept)."""
    found: list[str] = []
    for part in re.split(r"[\n\r,;]+", text or ""):
        item = part.strip()
        if not item:
            continue
        if "<" in item and item.endswith(">"):
            item = parseaddr(item)[1] or item
        found.append(item)
    seen: set[str] = set()
    unique = []
    for item in found:
        if item.lower() not in seen:
            seen.add(item.lower())
            unique.append(item)
    return unique


def _clean_message(message: Any) -> str:
    text = str(message or "").strip()
    if len(text) > MAX_MESSAGE:
        raise ValidationError(
            {"message": _("Keep the message under %(max)s characters.") % {"max": MAX_MESSAGE}}
        )
    if "\x00" in text:
        raise ValidationError({"message": _("The message contains a character we can't store.")})
    return text


def _require_inviter(inviter: Any, community: Community) -> None:
    if not can_invite(inviter, community):
        raise PermissionDenied(
            _("Only members of %(name)s can invite colleagues to it.") % {"name": community.name}
        )


def _not_invitable_message() -> str:
    return _("This address can't be invited. If you know them, ask them to join themselves.")


def _check_address(
    *, community: Community, inviter: Any, address: str, now: Any
) -> tuple[Any, Invitation | None]:
    """The account with the address (or None) and an expired pending invitation to renew;
    raises InvitationRefused for every reason the address can't be invited now."""
    account = get_user_model().objects.filter(email__iexact=address).first()
    if account is not None and not account.is_active:
        # Said as neutrally as an opt-out: a member must not learn who left the company.
        raise InvitationRefused(_not_invitable_message(), NOT_INVITABLE)
    if (
        account is not None
        and Membership.objects.current().filter(community=community, person=account).exists()
    ):
        raise InvitationRefused(
            _("%(email)s is already a member of %(name)s.")
            % {"email": address, "name": community.name},
            ALREADY_MEMBER,
        )
    pending = (
        Invitation.objects.select_for_update()
        .filter(community=community, email__iexact=address, joined_at__isnull=True)
        .first()
    )
    if pending is not None and pending.created_at > now - timedelta(days=JOIN_LINK_MAX_AGE_DAYS):
        day = timezone.localtime(pending.created_at, _zone(inviter)).date()
        raise InvitationRefused(
            _("%(email)s was already invited to %(name)s on %(date)s.")
            % {
                "email": address,
                "name": community.name,
                "date": formats.date_format(day, "DATE_FORMAT"),
            },
            ALREADY_INVITED,
        )
    if OutreachOptOut.objects.filter(email__iexact=address).exists():
        raise InvitationRefused(_not_invitable_message(), NOT_INVITABLE)
    return account, pending


def _check_allowance(inviter: Any, now: Any) -> None:
    limit = invitations_per_day()
    sent = invitations_sent_since(inviter, now - LIMIT_WINDOW)
    if sent >= limit:
        raise InvitationRefused(
            _(
                "You have sent %(limit)s invitations in the last 24 hours, as many as a member "
                "can send in a day. Try again tomorrow."
            )
            % {"limit": limit},
            DAILY_LIMIT,
        )


def invite_colleague(
    *, community: Community, inviter: Any, email: str, message: str = ""
) -> Invitation:
    """Invite the person at `email` to `community` on behalf of `inviter` (a member): record
    the invitation and the inviter's INVITED activity, and mail the invitee their signed join
    link with the inviter's `message`. `invitee` is set when an account has the address.

    Raises PermissionDenied for a non-member, ValidationError on `message`, and
    InvitationRefused (a ValidationError on `email` with a `code`) otherwise. Locks the
    inviter's row, then any pending invitation of the address.
    """
    _require_inviter(inviter, community)
    address = clean_address(email)
    text = _clean_message(message)
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=inviter.pk).first()
        now = timezone.now()
        account, expired = _check_address(
            community=community, inviter=inviter, address=address, now=now
        )
        _check_allowance(inviter, now)
        if expired is not None:
            invitation = expired
            invitation.inviter = inviter
            invitation.invitee = account
            invitation.message = text
            invitation.created_at = now
            invitation.clicked_at = None
            invitation.save(
                update_fields=["inviter", "invitee", "message", "created_at", "clicked_at"]
            )
        else:
            try:
                with transaction.atomic():
                    invitation = Invitation.objects.create(
                        community=community,
                        inviter=inviter,
                        email=account.email.lower() if account is not None else address,
                        invitee=account,
                        message=text,
                        created_at=now,
                    )
            except IntegrityError:
                # Another member invited the address a moment ago.
                raise InvitationRefused(
                    _("%(email)s was just invited to %(name)s by another member.")
                    % {"email": address, "name": community.name},
                    ALREADY_INVITED,
                ) from None
        invitation.community = community
        invitation.inviter = inviter
        record_activity(
            kind=ActivityKind.INVITED,
            person_id=inviter.pk,
            community_id=community.pk,
            subject=invitation,
            counterpart_id=account.pk if account is not None else None,
            occurred_at=now,
        )
        mail_invitation(invitation)
    return invitation


def invite_colleagues(
    *, community: Community, inviter: Any, emails: Iterable[str], message: str = ""
) -> list[InvitationResult]:
    """Invite each address on its own (one transaction each, so one refusal stops nothing
    else); one result per address, in order, repeats dropped. PermissionDenied for a
    non-member and ValidationError for a bad message or too many addresses, before anything
    is sent."""
    _require_inviter(inviter, community)
    _clean_message(message)
    addresses = []
    seen: set[str] = set()
    for email in emails:
        key = str(email or "").strip().lower()
        if key not in seen:
            seen.add(key)
            addresses.append(str(email or "").strip())
    if not addresses:
        raise ValidationError({"emails": _("Give at least one email address.")})
    if len(addresses) > MAX_ADDRESSES_PER_REQUEST:
        raise ValidationError(
            {
                "emails": _("Invite at most %(max)s addresses at a time.")
                % {"max": MAX_ADDRESSES_PER_REQUEST}
            }
        )
    results = []
    for address in addresses:
        try:
            invitation = invite_colleague(
                community=community, inviter=inviter, email=address, message=message
            )
        except InvitationRefused as refusal:
            results.append(
                InvitationResult(
                    email=address, code=refusal.code or "", message=refusal.message_text
                )
            )
        else:
            results.append(InvitationResult(email=invitation.email, invitation=invitation))
    return results


def withdraw_invitation(*, invitation: Invitation, actor: Any) -> None:
    """Take back an invitation nobody has joined with: its row goes, so its link stops
    working (the INVITED activity stays: the mail was sent). The inviter only; a used one is
    InvitationRefused(JOINED). Locks the invitation's row; recorded in the audit log."""
    if not can_withdraw_invitation(actor, invitation):
        raise PermissionDenied(_("Only the member who sent an invitation can withdraw it."))
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
        if locked is None:
            return
        if locked.joined_at is not None:
            raise InvitationRefused(
                _("%(email)s has joined with this invitation; it can't be withdrawn.")
                % {"email": locked.email},
                JOINED,
                field="__all__",
            )
        record_audit(
            actor_id=actor.pk,
            action="invitation_withdrawn",
            target=locked,
            community_id=locked.community_id,
            data={"email": locked.email, "invited_at": locked.created_at.isoformat()},
        )
        locked.delete()
