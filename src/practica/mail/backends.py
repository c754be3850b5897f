"""Django's mail framework, pointed at the outbox (`EMAIL_BACKEND`).

Any `send_mail`, `EmailMessage.send()` or `send_templated_mail` becomes outbox rows written in
the caller's transaction; `practica.mail.services` delivers them after commit through
`DELIVERY_EMAIL_BACKEND`.
"""

import logging
from collections.abc import Sequence
from email.utils import parseaddr

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.html import strip_tags

from practica.core.outgoing_mail import IDEMPOTENCY_HEADER
from practica.mail.services import (
    OutgoingMail,
    TextAttachment,
    enqueue_messages,
    new_message_id,
    random_idempotency_key,
)

logger = logging.getLogger(__name__)

# Headers the outbox sets per row itself; a caller's `To`/`Cc` are display-only (see below).
_HANDLED_HEADERS = {"to", "cc", "reply-to", "message-id", IDEMPOTENCY_HEADER.lower()}


def outgoing_mails_from(message: EmailMessage) -> list[OutgoingMail]:
    """One `OutgoingMail` per distinct recipient in to/cc/bcc of a Django `EmailMessage`.

    The idempotency key comes from the `X-Practica-Idempotency-Key` header (a random one if
    absent); with several recipients each row's key is `<key>:<address>`. All rows share one
    Message-ID (the caller's, or a new one), as copies of one mail do. `To` and `Cc` headers show
    the visible recipients, never the Bcc ones. Text attachments (an `.ics` invitation) are
    carried; binary ones are refused: the outbox stores text, and dropping them silently would
    lose mail content.
    """
    attachments = [_text_attachment(attachment) for attachment in message.attachments]
    extra = {name: str(value) for name, value in message.extra_headers.items()}
    by_lower = {name.lower(): value for name, value in extra.items()}
    key = by_lower.get(IDEMPOTENCY_HEADER.lower(), "").strip() or random_idempotency_key()
    headers = {name: value for name, value in extra.items() if name.lower() not in _HANDLED_HEADERS}
    headers["Message-ID"] = by_lower.get("message-id") or new_message_id()
    if message.reply_to or "reply-to" in by_lower:
        headers["Reply-To"] = by_lower.get("reply-to") or ", ".join(message.reply_to)

    recipients = _distinct(message.to + message.cc + message.bcc)
    if len(recipients) > 1 or message.cc:
        if message.to or "to" in by_lower:
            headers["To"] = by_lower.get("to") or ", ".join(message.to)
        if message.cc or "cc" in by_lower:
            headers["Cc"] = by_lower.get("cc") or ", ".join(message.cc)

    body_text, body_html = str(message.body), ""
    if message.content_subtype == "html":
        body_text, body_html = strip_tags(body_text), body_text
    for alternative in getattr(message, "alternatives", []):
        content, mimetype = alternative[0], alternative[1]
        if mimetype == "text/html" and not body_html:
            body_html = str(content)

    return [
        OutgoingMail(
            to=recipient,
            subject=str(message.subject),
            body_text=body_text,
            body_html=body_html,
            headers=headers,
            idempotency_key=key if len(recipients) == 1 else f"{key}:{address_of(recipient)}",
            from_email=message.from_email,
            attachments=tuple(attachments),
        )
        for recipient in recipients
    ]


def _text_attachment(attachment: object) -> TextAttachment:
    """An attachment given as (filename, str content, mimetype); anything else is refused."""
    if isinstance(attachment, tuple) and len(attachment) == 3 and isinstance(attachment[1], str):
        filename, content, mimetype = attachment
        return TextAttachment(
            filename=filename or "attachment.txt",
            content=content,
            mimetype=mimetype or "text/plain",
        )
    raise ValueError("The outbox carries text attachments only; link to other files instead.")


def address_of(recipient: str) -> str:
    """The bare, lower-cased address of `Name <addr>` or `addr`."""
    return (parseaddr(recipient)[1] or recipient).strip().lower()


def _distinct(recipients: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    distinct = []
    for recipient in recipients:
        address = address_of(recipient)
        if address and address not in seen:
            seen.add(address)
            distinct.append(recipient.strip())
    return distinct


class OutboxEmailBackend(BaseEmailBackend):
    """Writes each mail to the outbox in the current transaction instead of sending it.

    Returns the number of messages accepted (those with at least one recipient), as Django's
    backends do. Delivery is scheduled on commit; a rolled-back transaction leaves no trace.
    """

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        try:
            mails: list[OutgoingMail] = []
            accepted = 0
            for message in email_messages:
                converted = outgoing_mails_from(message)
                if converted:
                    accepted += 1
                    mails.extend(converted)
            if mails:
                enqueue_messages(mails=mails)
        except Exception:
            # fail_silently is how Django's error mails (mail_admins) ask not to raise.
            if not self.fail_silently:
                raise
            logger.exception("Could not put a mail in the outbox")
            return 0
        return accepted
