"""Reading MIME without ever failing: the part tree, charsets, encoded words, addresses, ids.

The low layer of `practica.mail.parsing`: every function here takes whatever bytes or header
text a sender produced (unknown charsets, broken transfer encodings, hostile nesting) and
returns the best reading available, noting what was wrong instead of raising.
"""

import base64
import binascii
import codecs
import hashlib
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

# Deeper MIME parts are kept as opaque text: the stdlib parser recurses once per level.
MAX_MIME_DEPTH = 40
MAX_HEADER_CHARS = 4_096
MAX_REFERENCES = 100
MAX_RECIPIENTS = 1_000


class _DepthLimitedMessage(Message):
    """A message part that knows its nesting depth and, past `MAX_MIME_DEPTH`, reports itself
    as text/plain, so the parser keeps its body as text instead of recursing into it."""

    mime_depth = 0

    def attach(self, payload: Any) -> None:
        # The feed parser attaches each new part to its parent before reading its headers.
        if isinstance(payload, _DepthLimitedMessage):
            payload.mime_depth = self.mime_depth + 1
        super().attach(payload)

    def get_content_type(self) -> str:
        if self.mime_depth > MAX_MIME_DEPTH:
            return "text/plain"
        return super().get_content_type()


def load_message(raw: bytes) -> Message:
    """The MIME tree of `raw` (compat32 objects, header values as undecoded strings).
    Never raises for any bytes."""
    try:
        return BytesParser(_DepthLimitedMessage, policy=compat32).parsebytes(raw)
    except RecursionError:
        # Only a caller already deep in its own stack gets here; keep the headers at least.
        return BytesParser(_DepthLimitedMessage, policy=compat32).parsebytes(raw, headersonly=True)


def walk_parts(
    message: Message, *, max_depth: int = MAX_MIME_DEPTH
) -> Iterator[tuple[Message, int]]:
    """Every part of `message` with its depth, in document order, without recursion.
    A message/* part is yielded but not entered; parts below `max_depth` are not yielded."""
    stack: list[tuple[Message, int]] = [(message, 0)]
    while stack:
        part, depth = stack.pop()
        yield part, depth
        if depth < max_depth and content_type_of(part).startswith("multipart/"):
            stack.extend((child, depth + 1) for child in reversed(subparts(part)))


def subparts(part: Message) -> list[Message]:
    """The parts of a multipart, or the message(s) inside a message/* part; [] for a leaf.
    (Asking a leaf for its payload as text can raise for a hostile charset.)"""
    if not part.is_multipart():
        return []
    return [child for child in part.get_payload() if isinstance(child, Message)]


def disposition_of(part: Message) -> str:
    """The part's disposition ("inline", "attachment") or "", read from the raw header,
    where no charset can make decoding fail."""
    for name, value in part.raw_items():
        if str(name).strip().lower() == "content-disposition":
            return str(value).split(";", 1)[0].strip().lower()
    return ""


def payload_bytes(part: Message) -> bytes:
    """A leaf's content with its transfer encoding undone, as far as it can be."""
    try:
        data = part.get_payload(decode=True)
    except (ValueError, TypeError, LookupError, UnicodeError):
        return b""
    return data if isinstance(data, bytes) else b""


# --- Decoding text -------------------------------------------------------------------------

# Labels mail software writes, mapped to the codec that decodes what they actually send.
_CHARSET_SUPERSETS = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
    "euc-cn": "gb18030", "csgb2312": "gb18030", "chinese": "gb18030", "gb_2312-80": "gb18030",
    "big5": "big5hkscs", "x-big5": "big5hkscs", "cn-big5": "big5hkscs", "cp950": "big5hkscs",
    "ks_c_5601-1987": "cp949", "euc-kr": "cp949", "ks_c_5601": "cp949",
    "shift_jis": "cp932", "sjis": "cp932", "x-sjis": "cp932",
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "l1": "cp1252",
    "iso-8859-8-i": "iso-8859-8", "tis-620": "cp874", "windows-874": "cp874",
    "us-ascii": "ascii", "ansi_x3.4-1968": "ascii", "unicode-1-1-utf-7": "utf-7",
}  # fmt: skip
# Codecs that are not charsets mail can declare, or that only work with errors="strict".
_REFUSED_CODECS = {"idna", "punycode", "unicode_escape", "raw_unicode_escape", "undefined", "mbcs"}
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_LINE_BREAKS_AND_TABS = re.compile(r"[\r\n\t\v\f\x85\u2028\u2029]")
SPACE_RUN = re.compile(r"\s+")


def _codec_for(charset: str) -> str | None:
    """The Python codec for a declared charset, or None when it is unknown or not a charset."""
    name = charset.strip().strip("\"'").split("*", 1)[0].lower()
    name = _CHARSET_SUPERSETS.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError, TypeError):
        return None
    if not info._is_text_encoding or info.name in _REFUSED_CODECS:
        return None
    return info.name


def decode_bytes(data: bytes, charset: str | None = None, defects: list[str] | None = None) -> str:
    """`data` as text: the declared charset if it decodes cleanly, then UTF-8 (mislabelled
    mail is usually UTF-8), then the declared charset with replacement characters. An unknown
    charset is noted in `defects` and decoded as UTF-8, else Latin-1. Never raises."""
    codec = _codec_for(charset) if charset else "utf-8"
    if codec is None:
        if defects is not None:
            defects.append(f"unknown charset {charset!r}; decoded as UTF-8 or Latin-1")
        try:
            return _clean_text(data.decode("utf-8"))
        except UnicodeDecodeError:
            return _clean_text(data.decode("latin-1"))
    for attempt in dict.fromkeys((codec, "utf-8")):
        try:
            return _clean_text(data.decode(attempt))
        except (UnicodeError, LookupError, ValueError):
            continue
    try:
        return _clean_text(data.decode(codec, errors="replace"))
    except (UnicodeError, LookupError, ValueError):
        return _clean_text(data.decode("latin-1"))


def _clean_text(text: str) -> str:
    """Newlines as \\n; no NUL, control characters or lone surrogates (databases refuse them)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    return _SURROGATES.sub("\ufffd", _CONTROL_CHARS.sub("", text))


def clean_header_text(value: str, *, limit: int = MAX_HEADER_CHARS) -> str:
    """A header-derived string safe to use anywhere: CR, LF and other breaks become spaces
    (an encoded word can smuggle a newline), controls go, whitespace runs fold to one."""
    value = _LINE_BREAKS_AND_TABS.sub(" ", value)
    value = _SURROGATES.sub("\ufffd", _CONTROL_CHARS.sub("", value))
    return SPACE_RUN.sub(" ", value).strip()[:limit]


_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,75})\?([bBqQ])\?([^?\s]*)\?=")


def _decode_encoded_word_payload(encoding: str, payload: str) -> bytes:
    if encoding in "bB":
        letters = re.sub(r"[^A-Za-z0-9+/]", "", payload)
        letters = letters[: len(letters) - 1] if len(letters) % 4 == 1 else letters
        try:
            return base64.b64decode(letters + "=" * (-len(letters) % 4))
        except (binascii.Error, ValueError):
            return b""
    return binascii.a2b_qp(payload.encode("ascii", "replace"), header=True)


def _recover_raw_bytes(value: str) -> bytes:
    """The original bytes of a header the parser read as ASCII with surrogate escapes."""
    return _SURROGATES.sub(
        lambda match: match.group() if 0xDC80 <= ord(match.group()) <= 0xDCFF else "?", value
    ).encode("utf-8", "surrogateescape")


def decode_header_value(raw: str, fallback_charset: str | None = None) -> str:
    """A raw header value decoded: RFC 2047 encoded words (adjacent words joined first, so a
    character split across them survives), raw 8-bit text as UTF-8 or `fallback_charset`.
    The result is cleaned with `clean_header_text`. Never raises."""
    raw = raw[: MAX_HEADER_CHARS * 16]
    if _SURROGATES.search(raw):
        raw_bytes = _recover_raw_bytes(raw)
        try:
            raw = raw_bytes.decode("utf-8")
        except UnicodeDecodeError:
            raw = decode_bytes(raw_bytes, fallback_charset or "cp1252")
    pieces: list[str] = []
    run: list[tuple[str, bytes]] = []

    def flush_run() -> None:
        merged: list[tuple[str, bytes]] = []
        for charset, data in run:
            if merged and merged[-1][0].lower() == charset.lower():
                merged[-1] = (charset, merged[-1][1] + data)
            else:
                merged.append((charset, data))
        pieces.extend(decode_bytes(data, charset) for charset, data in merged)
        run.clear()

    position = 0
    for match in _ENCODED_WORD.finditer(raw):
        gap = raw[position : match.start()]
        if gap and (not run or gap.strip()):
            flush_run()
            pieces.append(gap)
        charset, encoding, payload = match.groups()
        run.append((charset, _decode_encoded_word_payload(encoding, payload)))
        position = match.end()
    flush_run()
    pieces.append(raw[position:])
    return clean_header_text("".join(pieces))


# --- Headers -------------------------------------------------------------------------------


def header_index(part: Message) -> dict[str, list[str]]:
    """Raw values of each header of `part`, by lower-case name, in order (one pass)."""
    index: dict[str, list[str]] = {}
    for name, value in part.raw_items():
        index.setdefault(str(name).strip().lower(), []).append(str(value))
    return index


def content_type_of(part: Message) -> str:
    try:
        return part.get_content_type().lower()
    except (TypeError, ValueError, AttributeError, IndexError):
        return "text/plain"


def param_of(part: Message, name: str, header: str = "content-type") -> str:
    try:
        value = part.get_param(name, header=header)
    except (TypeError, ValueError, AttributeError, IndexError, LookupError):
        return ""
    if isinstance(value, tuple):  # RFC 2231: (charset, language, text)
        value = value[2]
    return str(value or "")


def charset_of(part: Message) -> str | None:
    try:
        charset = part.get_content_charset()
    except (TypeError, ValueError, AttributeError, IndexError, LookupError):
        return None
    return str(charset) if charset else None


def _is_address(address: str) -> bool:
    local, at, domain = address.rpartition("@")
    return bool(
        at
        and local
        and domain
        and "@" not in local
        and not any(char.isspace() or char in "<>,;()[]\\" for char in domain)
        and not any(char.isspace() or char in "<>" for char in local)
    )


def parse_addresses(
    raw_values: Sequence[str], fallback_charset: str | None = None
) -> list[tuple[str, str]]:
    """(display name, lower-case address) pairs of address headers, invalid ones left out.

    Addresses are read from the raw value and only display names are decoded afterwards: an
    encoded word can never pose as an address or split a header into more recipients."""
    unfolded = [re.sub(r"\r?\n", "", value)[: MAX_HEADER_CHARS * 16] for value in raw_values]
    try:
        pairs = getaddresses(unfolded)
    except (TypeError, ValueError, IndexError, AttributeError):
        return []
    found: list[tuple[str, str]] = []
    for name, address in pairs:
        text_address = clean_header_text(address)
        if _SURROGATES.search(text_address):
            text_address = _recover_raw_bytes(text_address).decode("utf-8", "replace")
        if _is_address(text_address):
            found.append((decode_header_value(name, fallback_charset), text_address.lower()))
    return found[:MAX_RECIPIENTS]


_MESSAGE_ID = re.compile(r"<([^<>\s]{1,500})>")
_HEADER_COMMENT = re.compile(r"\([^()]*\)")


MAX_MESSAGE_ID_LENGTH = 255  # the Message-ID columns of posts and inbound messages
LONG_ID_DOMAIN = "long-id.archive.invalid"


def normalize_message_id(value: str) -> str:
    """A Message-ID as stored and compared: "<id>", spaces trimmed, "" for none. An id too long
    for the columns is stood for by a hash of it, the same wherever it appears (as a message's
    own id or in another's references), so threading still finds it."""
    value = (value or "").strip().strip("<>").strip()
    if not value:
        return ""
    if len(value) + 2 > MAX_MESSAGE_ID_LENGTH:
        digest = hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()[:40]
        return f"<{digest}@{LONG_ID_DOMAIN}>"
    return f"<{value}>"


def parse_message_ids(raw: str) -> list[str]:
    """The `<id>`s of a Message-ID, In-Reply-To or References value, in order, without
    duplicates, each normalised (`normalize_message_id`); comments (which may hold an address
    in angle brackets) are skipped."""
    value = clean_header_text(raw, limit=MAX_REFERENCES * 1_000)
    for _ in range(5):
        value, removed = _HEADER_COMMENT.subn(" ", value)
        if not removed:
            break
    ids = [normalize_message_id(found) for found in _MESSAGE_ID.findall(value)]
    if not ids:
        ids = [normalize_message_id(token) for token in value.split() if "@" in token.strip("<>")]
    return list(dict.fromkeys(ids))


def parse_date(raw: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(clean_header_text(raw))
    except (TypeError, ValueError, IndexError, OverflowError, AttributeError):
        return None
    if parsed.tzinfo is None:  # "-0000": UTC with no claim about the sender's zone
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
