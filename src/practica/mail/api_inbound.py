"""The signed inbound HTTP hook: relay services (and MTAs without LMTP) post received mail here.

`POST /api/v1/mail/inbound` with the raw message as the body, the envelope in headers, and an
HMAC signature instead of a session or token (part of the mail router, `mail.api` includes
it). The message then goes through exactly what the mail server does:
`mail.services.inbound.receive_for_recipients`.

Authentication: `X-Practica-Signature: sha256=<hex>` is HMAC-SHA256, keyed with
`settings.MAIL_INBOUND_SECRET`, of `"<X-Practica-Timestamp>.<sender>.<recipients>." + body`
(recipients comma-separated, as the hook reads them: query string first); the timestamp (Unix
seconds) must be within `SIGNATURE_MAX_AGE` of now, so a captured request cannot be replayed
later (and a replay within the window is a duplicate Message-ID, ignored). No secret set: the
hook is off (503). No CSRF: the request carries no cookie, the signature is the proof.
"""

import hashlib
import hmac
import time
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status

from practica.api.errors import ErrorOut, error_responses
from practica.api.fields import Id
from practica.mail.models import InboundMessage, InboundVia
from practica.mail.services.inbound import receive_for_recipients, replay_inbound_message

router = Router(tags=["mail: inbound"])

SIGNATURE_MAX_AGE = 300  # seconds, either way (clock skew)
MAX_RECIPIENTS = 100
CONTENT_TYPES = ("message/rfc822", "application/octet-stream")
SIGNATURE_PREFIX = "sha256="


class InboundRecipientOut(Schema):
    recipient: str
    status: str = Field(description="What became of the message: posted, held, bounce, …")
    smtp_code: int = Field(description="The SMTP reply code an MTA would get (250, 451, 550…).")
    smtp_text: str = Field(description='The enhanced status and text, e.g. "2.0.0 Posted".')
    inbound_id: int | None = Field(description="The stored message's id (for support).")
    result_url: str = Field(description="The post it became, when it became one.")


class InboundHookOut(Schema):
    detail: str
    results: list[InboundRecipientOut]


class InboundQuery(Schema):
    recipient: list[str] = Field(
        default_factory=list,
        description="Envelope recipient(s), instead of or besides X-Practica-Recipient.",
    )


def inbound_signature(
    *, secret: str, timestamp: str, body: bytes, recipients: Sequence[str] = (), sender: str = ""
) -> str:
    """The `X-Practica-Signature` value relays compute: HMAC-SHA256 over
    "<timestamp>.<sender>.<recipients, comma-separated>." followed by the body. The envelope is
    signed too, so a captured request cannot be replayed to another list or as another sender.
    """
    envelope = f"{timestamp}.{sender}.{','.join(recipients)}.".encode()
    digest = hmac.new(secret.encode(), envelope + body, hashlib.sha256)
    return SIGNATURE_PREFIX + digest.hexdigest()


def _signature_problem(
    request: HttpRequest, body: bytes, secret: str, *, recipients: Sequence[str], sender: str
) -> str | None:
    timestamp = request.headers.get("X-Practica-Timestamp", "").strip()
    signature = request.headers.get("X-Practica-Signature", "").strip().lower()
    if not timestamp or not signature:
        return _("Sign the request: X-Practica-Timestamp and X-Practica-Signature are required.")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > SIGNATURE_MAX_AGE:
        return _("The request's timestamp is missing, malformed or too old.")
    expected = inbound_signature(
        secret=secret, timestamp=timestamp, body=body, recipients=recipients, sender=sender
    )
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        return _("The request's signature does not match.")
    return None


def _envelope_recipients(request: HttpRequest, query: InboundQuery) -> list[str]:
    values = [*query.recipient, request.headers.get("X-Practica-Recipient", "")]
    found: list[str] = []
    for value in values:
        for part in value.split(","):
            address = part.strip()
            if address and address not in found:
                found.append(address)
    return found


def _error(status: int, message: str) -> Status:
    return Status(status, {"detail": message})


@router.post(
    "/mail/inbound",
    auth=None,
    response={
        200: InboundHookOut,
        400: ErrorOut,
        401: ErrorOut,
        413: ErrorOut,
        415: ErrorOut,
        503: InboundHookOut,
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The raw message (RFC 5322), exactly as received.",
            "content": {
                content_type: {"schema": {"type": "string", "format": "binary"}}
                for content_type in CONTENT_TYPES
            },
        }
    },
)
def receive_inbound_mail(
    request: HttpRequest,
    *,
    query: Query[InboundQuery],
    x_practica_recipient: str = Header(
        "",
        alias="X-Practica-Recipient",
        description="Envelope recipient(s): comma-separated, or the header repeated.",
    ),
    x_practica_sender: str = Header(
        "", alias="X-Practica-Sender", description="Envelope sender; empty for a bounce."
    ),
    x_practica_timestamp: str = Header(
        "", alias="X-Practica-Timestamp", description="Unix seconds when the request was signed."
    ),
    x_practica_signature: str = Header(
        "",
        alias="X-Practica-Signature",
        description=(
            '"sha256=" + hex HMAC-SHA256, with the shared secret, of '
            '"<timestamp>.<sender>.<recipients, comma-separated>." followed by the body.'
        ),
    ),
) -> Any:
    """Receive one message from a relay service, for one or more envelope recipients.

    Answers 200 with one outcome per recipient (a refused recipient is an outcome, not an
    error: retrying would not help), or 503 when any recipient failed temporarily — retry the
    whole request; recipients already handled then answer "duplicate". 503 without results:
    the hook is turned off (no `MAIL_INBOUND_SECRET`).
    """
    secret = str(settings.MAIL_INBOUND_SECRET or "")
    if not secret:
        return Status(
            503,
            {
                "detail": _("The inbound mail hook is turned off: MAIL_INBOUND_SECRET is not set."),
                "results": [],
            },
        )
    limit = int(settings.MAIL_MAX_MESSAGE_BYTES)
    content_type = (request.content_type or "").lower()
    if content_type not in CONTENT_TYPES:
        return _error(415, _("Send the raw message as message/rfc822 or application/octet-stream."))
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return _error(413, _("The message is larger than %(limit)d bytes.") % {"limit": limit})
    body = request.read(limit + 1)
    if len(body) > limit:
        return _error(413, _("The message is larger than %(limit)d bytes.") % {"limit": limit})
    recipients = _envelope_recipients(request, query)
    sender = request.headers.get("X-Practica-Sender", "")
    if problem := _signature_problem(request, body, secret, recipients=recipients, sender=sender):
        return _error(401, problem)
    if not recipients:
        return _error(400, _("Name the envelope recipient in X-Practica-Recipient."))
    if len(recipients) > MAX_RECIPIENTS:
        return _error(400, _("At most %(n)d recipients per message.") % {"n": MAX_RECIPIENTS})
    outcomes = receive_for_recipients(
        raw=body,
        envelope_from=sender,
        recipients=recipients,
        via=InboundVia.HTTP,
    )
    results = [
        {
            "recipient": recipient,
            "status": outcome.status,
            "smtp_code": outcome.smtp_code,
            "smtp_text": outcome.smtp_text,
            "inbound_id": outcome.inbound_id,
            "result_url": outcome.result_url,
        }
        for recipient, outcome in zip(recipients, outcomes, strict=True)
    ]
    if any(outcome.is_temporary for outcome in outcomes):
        return Status(
            503, {"detail": _("Try again later: the message was not handled."), "results": results}
        )
    return Status(200, {"detail": _("Received."), "results": results})


# --- Replaying what failed (staff) -----------------------------------------------------------


@router.post(
    "/mail/inbound/{inbound_id}/replay",
    response={200: InboundRecipientOut, **error_responses(401, 403, 404, 422)},
    tags=["mail: inbound"],
)
def replay_inbound(request: HttpRequest, inbound_id: Id) -> dict[str, Any]:
    """Handle a received message that failed (a 451 was answered) again from its stored raw
    bytes; staff only. Not failed: 422."""
    message = get_object_or_404(InboundMessage, pk=inbound_id)
    outcome = replay_inbound_message(inbound=message, actor=request.auth)
    return {
        "recipient": message.recipients[0] if message.recipients else "",
        "status": outcome.status,
        "smtp_code": outcome.smtp_code,
        "smtp_text": outcome.smtp_text,
        "inbound_id": outcome.inbound_id,
        "result_url": outcome.result_url,
    }
