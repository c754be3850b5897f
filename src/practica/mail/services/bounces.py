"""Bounces: delivery status notifications about our mail, and suspending dead mailboxes.

Contract:

- `record_bounce` (called by `inbound.receive_message` inside its transaction) writes one
  `Bounce` row per failed recipient the report names. The member is the one the VERP address
  names (`bounce+<key>@`, checked by its HMAC, so it cannot be forged), else the one the
  report's `verp_token` names, else the member whose address it is. A report that comes to a
  forged `bounce+` key never gets here: the recipient is refused (550 5.1.1) first.
- A hard bounce counts towards suspension, a soft (temporary) one does not. Bounces count "in
  a row": a hard bounce more than `BOUNCE_STALE_AFTER` after the previous one starts a new
  count, as Mailman's `bounce_info_stale_after` does. Counting resets on successful SMTP
  delivery would be wrong: the relay accepts a message (250) long before the destination
  bounces it. After `settings.MAIL_HARD_BOUNCES_BEFORE_SUSPENDING` hard bounces the member's
  mailbox is suspended (`MailboxHealth.suspended_at`): list mail skips them
  (`mail.queries.list_recipients`) and the site shows them a banner to resume delivery.
- `resume_mail_delivery` — the member themself (or staff) confirms their address works: the
  count restarts and delivery resumes.

Locks: the member's `MailboxHealth` row (`select_for_update`; created on first bounce, the
one-to-one constraint settling a concurrent first insert). Suspending and resuming are audited.
"""

from collections.abc import Iterable
from datetime import timedelta
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.core.services import record_audit
from practica.mail.addresses import verp_token_person
from practica.mail.models import Bounce, BounceKind, InboundMessage, MailboxHealth
from practica.people.models import User

BOUNCE_STALE_AFTER = timedelta(days=7)
_ADDRESS_LENGTH = Bounce._meta.get_field("address").max_length or 320
_STATUS_LENGTH = Bounce._meta.get_field("status_code").max_length or 16


def _address(value: Any) -> str:
    return parseaddr(str(value or ""))[1].strip().strip("<>").lower()[:_ADDRESS_LENGTH]


def _failed_recipients(report: Any) -> list[str]:
    """The failed addresses a report names, in order, once each."""
    seen: dict[str, None] = {}
    for recipient in getattr(report, "recipients", None) or ():
        address = _address(getattr(recipient, "address", recipient))
        if address:
            seen.setdefault(address, None)
    return list(seen)


def record_bounce(
    *, inbound: InboundMessage, report: Any, person_id: int | None = None
) -> list[Bounce]:
    """Record `report` (a `parsing.BounceReport`) as Bounce rows; count hard bounces.

    `person_id` is the member a verified VERP recipient names. Run inside the caller's
    transaction (it opens a savepoint). Returns the rows written.
    """
    verp_person_id = person_id
    token = getattr(report, "verp_token", "") or ""
    if verp_person_id is None and token:
        verp_person_id = verp_token_person(token)
    verp_person = User.objects.filter(pk=verp_person_id).first() if verp_person_id else None
    recipients = _failed_recipients(report)
    if not recipients and verp_person is not None:
        recipients = [verp_person.email.lower()]
    kind = BounceKind.HARD if getattr(report, "is_hard", False) else BounceKind.SOFT
    status_code = str(getattr(report, "status", "") or "")[:_STATUS_LENGTH]
    diagnostic = str(getattr(report, "diagnostic", "") or "")[:4000]
    now = timezone.now()
    rows: list[Bounce] = []
    with transaction.atomic():
        for address in recipients:
            person = verp_person or User.objects.filter(email__iexact=address).first()
            rows.append(
                Bounce.objects.create(
                    person=person,
                    address=address,
                    kind=kind,
                    status_code=status_code,
                    diagnostic=diagnostic,
                    inbound=inbound,
                    received_at=now,
                )
            )
        for person in _distinct_people(row.person for row in rows):
            _count_bounce(person=person, kind=kind, now=now, inbound=inbound)
    return rows


def _distinct_people(people: Iterable[User | None]) -> list[User]:
    found: dict[int, User] = {}
    for person in people:
        if person is not None:
            found.setdefault(person.pk, person)
    return list(found.values())


def _locked_health(person: User) -> MailboxHealth:
    try:
        with transaction.atomic():
            health, _created = MailboxHealth.objects.select_for_update().get_or_create(
                person=person
            )
    except IntegrityError:  # a concurrent first bounce inserted it
        health = MailboxHealth.objects.select_for_update().get(person=person)
    return health


def _count_bounce(*, person: User, kind: str, now: Any, inbound: InboundMessage) -> None:
    health = _locked_health(person)
    if kind == BounceKind.HARD:
        stale = health.last_bounce_at is None or now - health.last_bounce_at > BOUNCE_STALE_AFTER
        health.hard_bounces = 1 if stale else health.hard_bounces + 1
    health.last_bounce_at = now
    limit = int(settings.MAIL_HARD_BOUNCES_BEFORE_SUSPENDING)
    newly_suspended = health.suspended_at is None and health.hard_bounces >= limit
    if newly_suspended:
        health.suspended_at = now
    health.save(update_fields=["hard_bounces", "last_bounce_at", "suspended_at"])
    if newly_suspended:
        record_audit(
            actor_id=None,
            action="mail.delivery_suspended",
            target=person,
            data={"hard_bounces": health.hard_bounces, "inbound": inbound.pk},
        )


def is_mail_suspended(person: Any) -> bool:
    """Whether list mail to this member is suspended after hard bounces."""
    if person is None or not getattr(person, "pk", None):
        return False
    return MailboxHealth.objects.filter(person=person, suspended_at__isnull=False).exists()


def resume_mail_delivery(*, person: User, actor: User) -> MailboxHealth | None:
    """The member (or staff) says their address works again: the bounce count restarts and
    list mail is delivered again. Only the member themself or staff (else PermissionDenied).
    Locks the member's MailboxHealth row; audited when delivery was suspended. Returns the row
    (None if the member never bounced).
    """
    if not (actor.is_active and (actor.pk == person.pk or actor.is_staff)):
        raise PermissionDenied(_("Only the member themself can resume their mail."))
    with transaction.atomic():
        health = MailboxHealth.objects.select_for_update().filter(person=person).first()
        if health is None:
            return None
        was_suspended = health.suspended_at is not None
        health.hard_bounces = 0
        health.suspended_at = None
        health.save(update_fields=["hard_bounces", "suspended_at"])
        if was_suspended:
            record_audit(actor_id=actor.pk, action="mail.delivery_resumed", target=person)
    return health
