"""Mail in: every received message is stored raw, classified and handed to its handler.

`receive_message` is the one entry of the SMTP/LMTP listener and the HTTP hook, called once
per envelope recipient. Its contract:

1. The raw message is stored first, as an `InboundMessage` row written in its own (short)
   transaction, so it survives whatever happens next and can be audited and replayed. The
   one exception is a message over `MAIL_MAX_MESSAGE_BYTES`: its row keeps only the header
   section (at most 64 KiB) with the real size, because storing a hostile 1 GB body is what
   the limit exists to prevent, and a refused message is never replayed anyway.
2. The recipient is read (`mail.addresses.read_recipient`): a bad key or a list of a community
   that does not exist is refused with 550 5.1.1.
3. The message is parsed (`mail.parsing.parse_message`); what the parser refuses (empty, not
   mail, bad From, too large) gets the parser's own code.
4. Then, in ONE transaction: loops (our X-Loop marker, our own Message-IDs) → LOOP; delivery
   status notifications (or anything to a `bounce+` address) → BOUNCE, recorded by
   `bounces.record_bounce`; automatic replies → AUTO_REPLY; the same Message-ID already
   posted/held for this recipient → DUPLICATE. Those are accepted (250) and post nothing:
   refusing them would only make more automatic mail.
5. List mail from a current member of the community goes to the registered list handler
   (`mail.hooks.list_handler()`): already posted → DUPLICATE; answers a thread → reply; else a
   new thread. Mail to a reply key is a reply by the member the key names, whatever the From
   header says (a different known member in From is noted in `reason`). List mail from anyone
   else is HELD for the community's moderators. A list that does not accept mail → REJECTED.
   A group's list (`<community>.<group>@`) works the same for the group's current members (a
   new thread is the group's); anyone else is refused as in 6, never held.
6. `MailRefused` from the handler → REJECTED. A known sender is told why by a mail through the
   outbox (idempotency key `inbound-refused:<row id>`) and the MTA gets 250, so they are not
   told twice (once by us, once by a bounce); an unknown sender gets 550 5.7.1 with the reason.
7. Any other exception rolls the handling back, marks the row FAILED (the raw row survives, as
   it was committed in step 1) and answers 451 4.3.0, so the MTA retries; staff can also
   replay it with `replay_inbound_message` once the cause is fixed.

Locks: the handling transaction takes a PostgreSQL advisory lock on the Message-ID
(`pg_advisory_xact_lock`), so the same message delivered concurrently is handled once and the
later deliveries see it as a duplicate; on SQLite the IMMEDIATE transaction serialises writers.
The moderation queue's services (`approve_held_message`, `discard_held_message`) live in
`.moderation` and are re-exported here.
"""

import logging
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from practica.communities.models import Community, Group, Membership
from practica.core.services import record_audit
from practica.mail import addresses
from practica.mail.hooks import HandledMail, MailRefused, list_handler
from practica.mail.models import InboundMessage, InboundStatus, InboundVia, ListSettings
from practica.mail.parsing import (
    MessageRejected,
    ParsedMessage,
    is_loop,
    parse_message,
    read_bounce,
)
from practica.mail.services.bounces import record_bounce
from practica.mail.services.group_lists import group_list_refusal
from practica.mail.services.moderation import approve_held_message, discard_held_message
from practica.mail.services.outbox import enqueue_message, site_mail_domain
from practica.people.models import User
from practica.people.queries import claimants_of_placeholders

logger = logging.getLogger(__name__)

__all__ = [
    "InboundOutcome",
    "approve_held_message",  # the moderation queue's services, from .moderation
    "attachment_limit",
    "clean_address",
    "discard_held_message",
    "known_sender",
    "receive_for_recipients",
    "receive_message",
    "replay_inbound_message",
]

OVERSIZE_KEPT_BYTES = 64 * 1024
# A Message-ID already in one of these states for the same recipient is a resend (MTA retry).
SETTLED = (
    InboundStatus.BOUNCE,
    InboundStatus.POSTED,
    InboundStatus.HELD,
    InboundStatus.APPROVED,
    InboundStatus.DISCARDED,
)
POSTED_STATES = (InboundStatus.POSTED, InboundStatus.APPROVED)
_ADVISORY_NAMESPACE = 0x4D41494C  # "MAIL": keeps our advisory locks apart from anyone else's
_MAX = {
    "message_id": InboundMessage._meta.get_field("message_id").max_length or 255,
    "from_address": InboundMessage._meta.get_field("from_address").max_length or 320,
    "subject": InboundMessage._meta.get_field("subject").max_length or 998,
    "result_ref": InboundMessage._meta.get_field("result_ref").max_length or 64,
}


@dataclass(frozen=True)
class InboundOutcome:
    """What became of one message for one recipient, and what the MTA is told.

    `smtp_text` starts with the enhanced status code ("2.0.0 Posted", "5.1.1 No such list").
    """

    status: str
    smtp_code: int
    smtp_text: str
    inbound_id: int | None
    result_url: str = ""
    reason: str = ""

    @property
    def smtp_reply(self) -> str:
        return f"{self.smtp_code} {self.smtp_text}"

    @property
    def is_temporary(self) -> bool:
        return 400 <= self.smtp_code < 500

    @property
    def is_accepted(self) -> bool:
        return 200 <= self.smtp_code < 300


class _Decided(Exception):  # noqa: N818 — control flow, never escapes this module
    """Ends the handling of a message with an outcome (raised from inside the transaction)."""

    def __init__(self, status: str, code: int, text: str, reason: str = "") -> None:
        super().__init__(text)
        self.status, self.code, self.text, self.reason = status, code, text, reason or text


# --- Receiving -------------------------------------------------------------------------------


def clean_address(address: str) -> str:
    """An envelope address as stored: no angle brackets or blanks, lower-case; `<>` is ""."""
    return (address or "").strip().strip("<>").strip().lower()[:320]


def receive_message(
    *, raw: bytes, envelope_from: str, recipient: str, via: InboundVia | str
) -> InboundOutcome:
    """Store, classify and handle one received message for one envelope recipient.

    See the module docstring for the whole contract. Never raises for anything about the
    message itself; a database outage while storing the raw row does raise (the caller answers
    451 then).
    """
    recipient = clean_address(recipient)
    envelope_from = clean_address(envelope_from)
    limit = int(settings.MAIL_MAX_MESSAGE_BYTES)
    if len(raw) > limit:
        return _refuse_oversized(raw, envelope_from=envelope_from, recipient=recipient, via=via)
    inbound = InboundMessage.objects.create(
        raw=raw,
        size=len(raw),
        via=via,
        envelope_from=envelope_from,
        recipients=[recipient],
        status=InboundStatus.RECEIVED,
    )
    return _handle(inbound, raw)


def _delivery_order(recipient: str) -> int:
    """Reply keys first: a reply-all to the list and the key posts once, as the key's member."""
    target = addresses.read_recipient(recipient)
    return 0 if isinstance(target, addresses.ReplyRecipient) else 1


def receive_for_recipients(
    *, raw: bytes, envelope_from: str, recipients: Sequence[str], via: InboundVia | str
) -> list[InboundOutcome]:
    """`receive_message` for each envelope recipient of one message (reply keys first, see
    `_route_reply`); the outcomes in the recipients' order. A failure outside the message's
    handling (the database is down while storing it) is a temporary failure (451)."""
    outcomes: dict[int, InboundOutcome] = {}
    for index in sorted(range(len(recipients)), key=lambda i: _delivery_order(recipients[i])):
        try:
            outcomes[index] = receive_message(
                raw=raw, envelope_from=envelope_from, recipient=recipients[index], via=via
            )
        except Exception:
            logger.exception("Could not store a message for %s", recipients[index])
            outcomes[index] = InboundOutcome(
                InboundStatus.FAILED, 451, "4.3.0 Temporary failure; try again later", None
            )
    return [outcomes[index] for index in range(len(recipients))]


def _refuse_oversized(
    raw: bytes, *, envelope_from: str, recipient: str, via: InboundVia | str
) -> InboundOutcome:
    end = raw.find(b"\r\n\r\n")
    if end < 0:
        end = raw.find(b"\n\n")
    kept = raw[: min(end if end >= 0 else len(raw), OVERSIZE_KEPT_BYTES)]
    text = (
        f"5.3.4 Message too big: {len(raw)} bytes, the limit is {settings.MAIL_MAX_MESSAGE_BYTES}"
    )
    inbound = InboundMessage.objects.create(
        raw=kept,
        size=len(raw),
        via=via,
        envelope_from=envelope_from,
        recipients=[recipient],
        status=InboundStatus.REJECTED,
        reason=text + " (only the headers were kept)",
    )
    return InboundOutcome(InboundStatus.REJECTED, 552, text, inbound.pk, reason=inbound.reason)


def _handle(inbound: InboundMessage, raw: bytes) -> InboundOutcome:
    """Parse and route a stored message; writes its final state on the row."""
    recipient = inbound.recipients[0] if inbound.recipients else ""
    try:
        outcome = _parse_and_route(inbound, raw, recipient)
    except Exception as error:
        logger.exception("Inbound message %s to %s failed", inbound.pk, recipient)
        reason = f"{type(error).__name__}: {error}"[:2000]
        InboundMessage.objects.filter(pk=inbound.pk).update(
            status=InboundStatus.FAILED,
            reason=reason,
            message_id=inbound.message_id,
            from_address=inbound.from_address,
            subject=inbound.subject,
            community=inbound.community,
        )
        return InboundOutcome(
            InboundStatus.FAILED,
            451,
            "4.3.0 Temporary failure while handling the message; try again later",
            inbound.pk,
            reason=reason,
        )
    return outcome


def _parse_and_route(inbound: InboundMessage, raw: bytes, recipient: str) -> InboundOutcome:
    target = addresses.read_recipient(recipient)
    community: Community | None = None
    group: Group | None = None
    if isinstance(target, addresses.UnknownRecipient):
        return _finish(
            inbound,
            _Decided(InboundStatus.REJECTED, 550, f"5.1.1 No such recipient: {target.reason}"),
        )
    if isinstance(target, addresses.ListRecipient | addresses.GroupListRecipient):
        community = Community.objects.filter(slug=target.community_slug).first()
        if isinstance(target, addresses.GroupListRecipient) and community is not None:
            group = Group.objects.filter(community=community, slug=target.group_slug).first()
            community = community if group is not None else None
        if community is None:
            return _finish(
                inbound, _Decided(InboundStatus.REJECTED, 550, "5.1.1 No such list here")
            )
    list_settings = ListSettings.objects.filter(community=community).first() if community else None
    try:
        parsed = parse_message(
            raw,
            max_bytes=int(settings.MAIL_MAX_MESSAGE_BYTES),
            max_attachment_bytes=attachment_limit(list_settings),
        )
    except MessageRejected as refused:
        return _finish(
            inbound,
            _Decided(InboundStatus.REJECTED, refused.code, f"{refused.enhanced} {refused.text}"),
            community=community,
        )
    inbound.message_id = (parsed.message_id or "")[: _MAX["message_id"]]
    inbound.from_address = (parsed.from_address or "")[: _MAX["from_address"]]
    inbound.subject = (parsed.subject or "")[: _MAX["subject"]]
    inbound.community = community
    with transaction.atomic():
        _lock_message_id(inbound.message_id)
        try:
            _route(inbound, parsed, target, community, list_settings, group=group)
        except _Decided as decided:
            return _finish(inbound, decided, community=community)
    raise AssertionError("routing always decides")  # pragma: no cover


def attachment_limit(list_settings: ListSettings | None) -> int:
    if list_settings is not None:
        return int(list_settings.max_attachment_bytes)
    return int(ListSettings._meta.get_field("max_attachment_bytes").get_default())


def _finish(
    inbound: InboundMessage, decided: _Decided, *, community: Community | None = None
) -> InboundOutcome:
    inbound.status = decided.status
    inbound.reason = decided.reason[:4000]
    if community is not None:
        inbound.community = community
    inbound.save(
        update_fields=[
            "status",
            "reason",
            "message_id",
            "from_address",
            "subject",
            "person",
            "community",
            "result_ref",
            "result_url",
        ]
    )
    return InboundOutcome(
        decided.status,
        decided.code,
        decided.text,
        inbound.pk,
        result_url=inbound.result_url,
        reason=inbound.reason,
    )


def _lock_message_id(message_id: str) -> None:
    """Serialise the handling of one Message-ID (PostgreSQL; SQLite writers are serial)."""
    if message_id and connection.vendor == "postgresql":
        key = zlib.crc32(message_id.encode("utf-8", "replace")) - 2**31
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_ADVISORY_NAMESPACE, key])


def _route(
    inbound: InboundMessage,
    parsed: ParsedMessage,
    target: addresses.Recipient,
    community: Community | None,
    list_settings: ListSettings | None,
    *,
    group: Group | None = None,
) -> None:
    """Decide what the message is and do it; always ends by raising `_Decided`."""
    if is_loop(parsed, our_loop_marker=addresses.loop_marker(), our_domain=site_mail_domain()):
        raise _Decided(InboundStatus.LOOP, 250, "2.0.0 Mail loop detected; ignored")
    if _already_settled(inbound):
        raise _Decided(InboundStatus.DUPLICATE, 250, "2.0.0 Already received; ignored")
    verp_person_id = target.person_id if isinstance(target, addresses.BounceRecipient) else None
    report = read_bounce(parsed, envelope_recipients=[inbound.recipients[0]])
    if report is not None or verp_person_id is not None:
        if report is None:
            raise _Decided(InboundStatus.BOUNCE, 250, "2.0.0 Not a delivery report; ignored")
        bounces = record_bounce(inbound=inbound, report=report, person_id=verp_person_id)
        raise _Decided(
            InboundStatus.BOUNCE, 250, f"2.0.0 Bounce recorded ({len(bounces)} recipient(s))"
        )
    if parsed.auto_submitted_reason:
        raise _Decided(
            InboundStatus.AUTO_REPLY,
            250,
            "2.0.0 Automatic reply; ignored",
            f"Automatic reply ({parsed.auto_submitted_reason}); not posted",
        )
    if isinstance(target, addresses.ReplyRecipient):
        _route_reply(inbound, parsed, target)
    assert community is not None  # only list recipients are left
    _route_list_mail(inbound, parsed, community, list_settings, group=group)


def _already_settled(inbound: InboundMessage) -> bool:
    if not inbound.message_id:
        return False
    earlier = (
        InboundMessage.objects.filter(message_id=inbound.message_id, status__in=SETTLED)
        .exclude(pk=inbound.pk)
        .values_list("recipients", flat=True)
    )
    return any(inbound.recipients[0] in (recipients or []) for recipients in earlier)


def known_sender(address: str) -> User | None:
    """The active person whose address this is (case-insensitive), placeholders included; the
    address of a placeholder someone claimed stands for the member who claimed it."""
    address = parseaddr(address or "")[1].strip().lower()
    person = User.objects.filter(email__iexact=address).first() if address else None
    if person is None or person.is_active:
        return person
    if person.is_placeholder:
        claimant_id = claimants_of_placeholders([person.pk]).get(person.pk)
        return User.objects.filter(pk=claimant_id, is_active=True).first() if claimant_id else None
    return None


def _is_current_member(person: User, community: Community) -> bool:
    return Membership.objects.current().filter(community=community, person=person).exists()


def _route_reply(
    inbound: InboundMessage, parsed: ParsedMessage, target: addresses.ReplyRecipient
) -> None:
    person = User.objects.filter(pk=target.person_id).first()
    if person is None:
        raise _Decided(InboundStatus.REJECTED, 550, "5.1.1 No such reply address")
    inbound.person = person
    if not person.is_active:
        raise _Decided(InboundStatus.REJECTED, 550, "5.7.1 This member's account is closed")
    if inbound.message_id and (
        InboundMessage.objects.filter(message_id=inbound.message_id, status__in=POSTED_STATES)
        .exclude(pk=inbound.pk)
        .exists()
    ):
        # Reply-all: the same mail also went to the list address and was posted from there.
        raise _Decided(InboundStatus.DUPLICATE, 250, "2.0.0 Already posted; ignored")
    note = ""
    sender = (parsed.from_address or "").lower()
    if sender and sender != person.email.lower():
        other = known_sender(sender)
        note = (
            f"From names {sender}, another member (#{other.pk}); "
            f"attributed by the reply key to #{person.pk}"
            if other is not None and other.pk != person.pk
            else f"From {sender} is not the key's member; attributed by the reply key"
        )
    handler = list_handler()
    handled = _call_handler(
        inbound,
        parsed,
        lambda: handler.reply(
            thread_id=target.thread_id, author=person, message=parsed, inbound=inbound
        ),
        sender=person,
    )
    if inbound.message_id:
        # The same mail held from the list address (say, sent from another address) is settled.
        InboundMessage.objects.filter(
            message_id=inbound.message_id, status=InboundStatus.HELD
        ).exclude(pk=inbound.pk).update(
            status=InboundStatus.DUPLICATE, reason="Posted through its reply address"
        )
    _posted(inbound, handled, note)


def _route_list_mail(
    inbound: InboundMessage,
    parsed: ParsedMessage,
    community: Community,
    list_settings: ListSettings | None,
    *,
    group: Group | None = None,
) -> None:
    if list_settings is not None and not list_settings.accepts_mail:
        raise _Decided(
            InboundStatus.REJECTED, 550, "5.7.1 This list does not accept posts by email"
        )
    handler = list_handler()
    if handler.is_duplicate(community=community, message=parsed):
        raise _Decided(InboundStatus.DUPLICATE, 250, "2.0.0 Already posted; ignored")
    person = known_sender(parsed.from_address)
    inbound.person = person
    if group is not None and (refusal := group_list_refusal(person, group)) is not None:
        raise _refused(inbound, parsed, person, refusal)  # never held: see group_lists
    if person is None or person.is_placeholder or not _is_current_member(person, community):
        raise _Decided(
            InboundStatus.HELD,
            250,
            "2.0.0 Held for moderation",
            "Sender is not a member" if person is not None else "Sender is unknown",
        )
    thread_id = handler.thread_replied_to(community=community, message=parsed)
    if thread_id is not None:
        handled = _call_handler(
            inbound,
            parsed,
            lambda: handler.reply(
                thread_id=thread_id, author=person, message=parsed, inbound=inbound
            ),
            sender=person,
        )
    else:
        in_group = {"group": group} if group is not None else {}  # only group lists name one
        handled = _call_handler(
            inbound,
            parsed,
            lambda: handler.start_thread(
                community=community, author=person, message=parsed, inbound=inbound, **in_group
            ),
            sender=person,
        )
    _posted(inbound, handled, "")


def _call_handler(
    inbound: InboundMessage, parsed: ParsedMessage, call: Any, *, sender: User
) -> HandledMail:
    """Run a handler method in a savepoint; a refusal undoes its writes and is explained.

    It runs in the sender's language, so the handler's refusal reads as the mail it goes into.
    """
    try:
        with transaction.atomic(), translation.override(_language_of(sender)):
            handled: HandledMail = call()
            return handled
    except MailRefused as refused:
        raise _refused(inbound, parsed, sender, refused.reason) from None


def _refused(
    inbound: InboundMessage, parsed: ParsedMessage, sender: User | None, reason: str
) -> _Decided:
    """REJECTED: the sender is told why by mail (250), or the MTA is (550) if we cannot."""
    if sender is not None and _tell_sender_refused(inbound, parsed, sender, reason):
        text = "2.0.0 Not posted; the sender is told why by mail"
        return _Decided(InboundStatus.REJECTED, 250, text, reason)
    return _Decided(InboundStatus.REJECTED, 550, f"5.7.1 Not posted: {_one_line(reason)}", reason)


def _posted(inbound: InboundMessage, handled: HandledMail, note: str) -> None:
    inbound.result_ref = handled.ref[: _MAX["result_ref"]]
    inbound.result_url = handled.url[:500]
    raise _Decided(InboundStatus.POSTED, 250, "2.0.0 Posted", note or "Posted")


def _language_of(person: User) -> str:
    return person.preferred_language or settings.LANGUAGE_CODE


def _one_line(text: str) -> str:
    return " ".join(str(text).split())[:300].encode("ascii", "replace").decode("ascii")


def _tell_sender_refused(
    inbound: InboundMessage, parsed: ParsedMessage, person: User, reason: str
) -> bool:
    """Mail the member why their message was not posted (once per received message)."""
    if not person.is_active or person.is_placeholder or not person.email:
        return False
    with translation.override(_language_of(person)):
        subject = _("Your message was not posted: %(subject)s") % {
            "subject": parsed.subject or _("(no subject)")
        }
        body = _(
            "Hello %(name)s,\n\nyour message “%(subject)s” was not posted.\n\n"
            "Reason: %(reason)s\n\nThis is an automatic message; please do not reply to it.\n"
        ) % {
            "name": person.display_name or person.email,
            "subject": parsed.subject or _("(no subject)"),
            "reason": reason,
        }
    headers = {"Auto-Submitted": "auto-replied", "X-Loop": addresses.loop_marker()}
    if inbound.message_id:
        headers["In-Reply-To"] = inbound.message_id
        headers["References"] = inbound.message_id
    enqueue_message(
        to=person.email,
        subject=" ".join(subject.split()),
        body_text=body,
        headers=headers,
        idempotency_key=f"inbound-refused:{inbound.pk}",
    )
    return True


# --- Replay -------------------------------------------------------------------------------


def replay_inbound_message(*, inbound: InboundMessage, actor: User) -> InboundOutcome:
    """Handle a FAILED message again from its stored raw bytes; staff only.

    The same row is reused and ends in whatever state the handling reaches now (a duplicate if
    the MTA's own retry was posted meanwhile). Raises PermissionDenied for non-staff and
    ValidationError unless the message failed. The replay is audited.
    """
    if not (actor.is_active and actor.is_staff):
        raise PermissionDenied(_("Only staff may replay received mail."))
    with transaction.atomic():
        locked = InboundMessage.objects.select_for_update().get(pk=inbound.pk)
        if locked.status != InboundStatus.FAILED:
            raise ValidationError(
                _("Only a message that failed can be replayed; this one is “%(status)s”.")
                % {"status": locked.get_status_display()}
            )
        locked.status = InboundStatus.RECEIVED
        locked.save(update_fields=["status"])
        record_audit(
            actor_id=actor.pk,
            action="mail.inbound.replayed",
            target=locked,
            community_id=locked.community_id,
        )
    outcome = _handle(locked, bytes(locked.raw))
    logger.info("Inbound message %s replayed by %s: %s", locked.pk, actor.pk, outcome.smtp_reply)
    return outcome
