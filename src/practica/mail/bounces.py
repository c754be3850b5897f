"""Bounces: reading delivery status notifications about mail we sent.

`read_bounce(message)` says whether a message reports a failed (or delayed) delivery and
what it reports, from a standard RFC 3464 report (multipart/report with a
message/delivery-status part: Postfix, Exchange/Office 365, Gmail, modern Exim) or from the
plain-text notices older MTAs write (classic Exim, qmail, sendmail, legacy Exchange).

The VERP token (`bounce+TOKEN@domain`) is found too: the member it names is the reliable
answer to "whose address failed", whatever the report's own format says. Checking the
token's signature is the caller's business (`mail.addresses.verp_token_person`).
Pure Python, no Django. `practica.mail.parsing.read_bounce` is this function.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.parser import BytesHeaderParser, HeaderParser
from email.policy import compat32

from practica.mail.parsing import (
    MessageRejected,
    ParsedMessage,
    clean_header_text,
    decode_bytes,
    header_index,
    parse_addresses,
    parse_message,
    parse_message_ids,
)

MAX_DIAGNOSTIC_CHARS = 500


@dataclass(frozen=True)
class BounceReport:
    """What a delivery status notification reports.

    `recipients`: the failed final recipients (lower-case; the delayed ones for a delay
    notice), possibly empty when a notice names none we can read — `verp_token` still says
    whose mail it was. `status`: the enhanced status code ("5.1.1"), "" if unknown.
    `action`: "failed", "delayed", … `is_hard`: a permanent failure (5.x.x, or "failed"
    with no code); 4.x.x and delays are soft. `diagnostic`: the remote server's words
    (≤ 500 characters). `original_message_id` / `original_envelope_to`: the Message-ID and
    the To addresses (lower-case, comma-separated) of the returned message, "" if not
    returned. `verp_token`: the TOKEN of a `bounce+TOKEN@…` recipient, "" if none.
    """

    recipients: list[str]
    status: str
    action: str
    is_hard: bool
    diagnostic: str
    original_message_id: str
    original_envelope_to: str
    verp_token: str


_DELIVERY_STATUS_TYPES = ("message/delivery-status", "message/global-delivery-status")
_RETURNED_MESSAGE_TYPES = (
    "message/rfc822",
    "message/global",
    "text/rfc822-headers",
    "message/rfc822-headers",
    "message/global-headers",
)
_SUCCESS_ACTIONS = ("delivered", "relayed", "expanded")
_VERP_ADDRESS = re.compile(r"\bbounce\+([0-9a-z]+(?:-[0-9a-z]+)*)@", re.IGNORECASE)
# An enhanced status code, not the tail of an IP address such as 10.5.2.25.
_ENHANCED_STATUS = re.compile(r"(?<![\w.])([245]\.\d{1,3}\.\d{1,3})(?!\.?\d)")
_BASIC_REPLY_CODE = re.compile(r"(?<![\w.#-])[#]?([45])\d\d(?=[\s-])")
_EXCHANGE_DIAGNOSTIC = re.compile(r"Remote Server returned '([^'\n]{1,600})'", re.IGNORECASE)

_BOUNCE_SUBJECT = re.compile(
    r"undeliver|returned mail|mail delivery (?:failed|failure|subsystem|notification)|"
    r"delivery (?:status notification|failure|has failed|failed|notification|delayed)|"
    r"failure notice|non-?delivery|nondeliverable|unzustellbar|nicht zustellbar|"
    r"non remis|échec de (?:la )?remise|无法投递|退信|delayed mail|warning: message",
    re.IGNORECASE,
)
_BOUNCE_TEXT = re.compile(
    r"could ?n[o']t be delivered|was ?n[o']t delivered|could not deliver|undeliverable|"
    r"delivery (?:has )?failed|delivery to the following recipients? failed|"
    r"permanent (?:fatal )?error|wasn't able to deliver|qmail-send program|"
    r"mail delivery software|has not yet been delivered|delivery (?:has been |is )?delayed|"
    r"remote server returned|user unknown|no such user|mailbox unavailable|"
    r"recipient address rejected|address not found|failed to these recipients",
    re.IGNORECASE,
)
_DELAY_TEXT = re.compile(
    r"has not yet been delivered|not been delivered yet|delivery (?:has been |is |was )?delayed|"
    r"will (?:continue|keep) (?:trying|to try|retrying)|still (?:trying|being retried)|"
    r"\(delay\)|warning: message .{0,200} delayed",
    re.IGNORECASE,
)
# Where a plain-text notice starts quoting the message it returns.
_RETURNED_DIVIDER = re.compile(
    r"^[ \t>-]*(?:this is a copy of the (?:message|body)|below this line is a copy of the message|"
    r"original message headers|original message follows|-{2,} *original message *-{2,}|"
    r"-{2,} *returned message)[^\n]*$",
    re.IGNORECASE | re.MULTILINE,
)
_ANGLED_ADDRESS_LINE = re.compile(r"^\s*<([^<>\s]+@[^<>\s]+)>:?(?:\s|$)", re.MULTILINE)
_BARE_ADDRESS_LINE = re.compile(
    r"^\s*(?:[^\n<>()@]{0,80}[<(])?([^\s<>()@]+@[^\s<>()@]+?)[>)]?:?\s*$", re.MULTILINE
)
_DELIVERED_TO_PHRASE = re.compile(
    r"(?:was ?n[o']t|could ?n[o']t be|not) delivered to <?([^\s<>()@]+@[^\s<>()@]+?)>?[\s.,;:]",
    re.IGNORECASE,
)


def _text_of(content: bytes) -> str:
    return decode_bytes(content, "utf-8")


def _field_groups(text: str) -> list[dict[str, str]]:
    """The blank-line separated groups of `Name: value` fields of a delivery-status part."""
    groups: list[dict[str, str]] = []
    current: dict[str, str] = {}
    last = ""
    for line in text.split("\n"):
        if not line.strip():
            if current:
                groups.append(current)
            current, last = {}, ""
        elif line[0] in " \t":
            if last:
                current[last] = f"{current[last]} {line.strip()}"
        else:
            name, colon, value = line.partition(":")
            name = name.strip().lower()
            if colon and name and " " not in name and name not in current:
                current[name] = value.strip()
                last = name
            else:
                last = ""
    if current:
        groups.append(current)
    return groups


def _typed_value(value: str) -> str:
    """`rfc822; bob@example.org` → `bob@example.org`; `smtp; 550 …` → `550 …`."""
    kind, semicolon, rest = value.partition(";")
    return clean_header_text(rest if semicolon and " " not in kind.strip() else value)


def _address(value: str) -> str:
    address = _typed_value(value).strip("<> ").lower()
    return address if "@" in address and not any(char.isspace() for char in address) else ""


def _status(*texts: str) -> str:
    for text in texts:
        found = _ENHANCED_STATUS.search(text)
        if found:
            return found.group(1)
    return ""


def _action(group: dict[str, str]) -> str:
    action = clean_header_text(group.get("action", "")).split(" ", 1)[0].lower()
    if action:
        return action
    status = _status(group.get("status", ""))
    return {"2": "delivered", "4": "delayed"}.get(status[:1], "failed")


def _is_hard(status: str, action: str, diagnostic: str) -> bool:
    if status:
        return status.startswith("5")
    if action != "failed":
        return False
    basic = _BASIC_REPLY_CODE.search(diagnostic)
    return basic is None or basic.group(1) == "5"


def _returned_headers(parsed: ParsedMessage) -> tuple[str, str]:
    """Message-ID and To of the returned original: an attached message or header part,
    else the headers quoted after a plain-text notice's divider."""
    headers: dict[str, list[str]] = {}
    for attachment in parsed.attachments:
        if attachment.content_type in _RETURNED_MESSAGE_TYPES:
            headers = header_index(
                BytesHeaderParser(policy=compat32).parsebytes(attachment.content)
            )
            if headers:
                break
    if not headers:
        divider = _RETURNED_DIVIDER.search(parsed.text)
        if divider:
            quoted = parsed.text[divider.end() :].lstrip("\n")
            headers = header_index(HeaderParser(policy=compat32).parsestr(quoted))
    ids = parse_message_ids(headers["message-id"][0]) if headers.get("message-id") else []
    to = ", ".join(address for _name, address in parse_addresses(headers.get("to", [])))
    return (ids[0] if ids else ""), to


def _verp_token(parsed: ParsedMessage, envelope_recipients: Sequence[str]) -> str:
    candidates = [
        *envelope_recipients,
        *(parsed.headers.get(name, "") for name in ("delivered-to", "x-original-to")),
        *(parsed.headers.get(name, "") for name in ("envelope-to", "x-envelope-to")),
        *parsed.to,
        *parsed.cc,
    ]
    for candidate in candidates:
        found = _VERP_ADDRESS.search(str(candidate))
        if found:
            return found.group(1).lower()
    return ""


def _failure_section(text: str) -> str:
    divider = _RETURNED_DIVIDER.search(text)
    return text[: divider.start()] if divider else text


def _text_recipients(section: str, parsed: ParsedMessage) -> list[str]:
    found = [
        *_ANGLED_ADDRESS_LINE.findall(section),
        *_BARE_ADDRESS_LINE.findall(section),
        *_DELIVERED_TO_PHRASE.findall(section),
    ]
    ours = {parsed.from_address}
    recipients = []
    for address in found:
        lowered = address.strip(".,;:").lower()
        if lowered not in ours and not _VERP_ADDRESS.search(lowered):
            recipients.append(lowered)
    # Keep the order in which the notice names them.
    return sorted(dict.fromkeys(recipients), key=lambda address: section.lower().find(address))


def _text_diagnostic(section: str) -> str:
    exchange = _EXCHANGE_DIAGNOSTIC.search(section)
    if exchange:
        return exchange.group(1)
    coded = [line for line in section.split("\n") if _ENHANCED_STATUS.search(line)]
    coded = coded or [line for line in section.split("\n") if _BASIC_REPLY_CODE.search(line)]
    return coded[0].strip() if coded else ""


def _looks_like_notice(parsed: ParsedMessage) -> bool:
    """A plain-text delivery notice: sent by a mail system (its sender, a null Return-Path,
    or a notice's subject on automatic mail), and saying so in its text. A person writing
    about "undeliverable mail" sends neither."""
    local_part = parsed.from_address.rpartition("@")[0]
    from_mail_system = local_part in ("mailer-daemon", "postmaster", "mail-daemon") or (
        parsed.headers.get("return-path", "").replace(" ", "") == "<>"
    )
    automatic_notice = bool(parsed.auto_submitted_reason) and bool(
        _BOUNCE_SUBJECT.search(parsed.subject)
    )
    if not (from_mail_system or automatic_notice):
        return False
    return bool(_BOUNCE_TEXT.search(_failure_section(parsed.text)[:20_000]))


def _recipient_groups(parsed: ParsedMessage) -> list[dict[str, str]]:
    """The per-recipient field groups of the message's delivery-status part(s)."""
    return [
        group
        for attachment in parsed.attachments
        if attachment.content_type in _DELIVERY_STATUS_TYPES
        for group in _field_groups(_text_of(attachment.content))
        if {"final-recipient", "original-recipient", "action"} & group.keys()
    ]


def read_bounce(
    message: bytes | ParsedMessage, *, envelope_recipients: Sequence[str] = ()
) -> BounceReport | None:
    """The delivery failure (or delay) `message` reports, or None if it is not a bounce.

    `message` is the raw bytes or a `ParsedMessage`; `envelope_recipients` are the SMTP RCPT
    TO addresses it came to (the VERP address is looked for there first, then in
    Delivered-To, X-Original-To, Envelope-To, To and Cc). Ordinary mail, automatic replies and
    success notices are not bounces. Never raises.
    """
    if isinstance(message, bytes | bytearray | memoryview):
        try:
            parsed = parse_message(bytes(message))
        except MessageRejected:
            return None
    else:
        parsed = message
    section = _failure_section(parsed.text)
    groups = _recipient_groups(parsed)
    if groups:
        actions = [_action(group) for group in groups]
        if all(action in _SUCCESS_ACTIONS for action in actions):
            return None  # a delivery receipt someone asked for
        action = next((wanted for wanted in ("failed", "delayed") if wanted in actions), actions[0])
        chosen = [group for group, each in zip(groups, actions, strict=True) if each == action]
        addresses = (
            _address(group.get("final-recipient") or group.get("original-recipient", ""))
            for group in chosen
        )
        recipients = list(dict.fromkeys(address for address in addresses if address))
        diagnostic = _typed_value(chosen[0].get("diagnostic-code", ""))
        diagnostic = diagnostic or _text_diagnostic(section[:50_000])
        status = _status(chosen[0].get("status", ""), diagnostic)
    elif _looks_like_notice(parsed):
        delayed = _DELAY_TEXT.search(parsed.subject) or _DELAY_TEXT.search(section[:20_000])
        action = "delayed" if delayed else "failed"
        recipients = _text_recipients(section[:50_000], parsed)
        diagnostic = clean_header_text(_text_diagnostic(section[:50_000]))
        status = _status(diagnostic, section[:50_000])
    else:
        return None
    original_message_id, original_to = _returned_headers(parsed)
    return BounceReport(
        recipients=recipients,
        status=status,
        action=action,
        is_hard=action != "delayed" and _is_hard(status, action, diagnostic),
        diagnostic=clean_header_text(diagnostic)[:MAX_DIAGNOSTIC_CHARS],
        original_message_id=original_message_id,
        original_envelope_to=original_to,
        verp_token=_verp_token(parsed, envelope_recipients),
    )
