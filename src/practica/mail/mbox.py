"""Reading mbox files one message at a time, whatever flavour they are.

An mbox is messages one after another, each starting with a "From sender date" line (the
postmark). Flavours differ in how a body line that itself starts with "From " is kept apart:

- mboxo / mboxrd quote it (">From ", and mboxrd quotes already-quoted lines once more): we
  undo one level of quoting (the mboxrd rule, which reads mboxo the same in practice);
- mboxcl / mboxcl2 give the body's length in a Content-Length header (mboxcl2 quotes nothing):
  we trust the length when it ends exactly at a message boundary, and fall back to the
  postmark lines when it does not (lengths go stale when files are edited).

A line counts as a postmark only when it also carries a time and a year, so an unquoted
"From my experience, …" in a broken file does not split a message. Files may be gzip
compressed (detected by their magic bytes, not their name). Mailman 2 (Pipermail) archives
are mbox files whose addresses read "user at example.com"; `deobfuscate_pipermail_headers`
turns them back into addresses in the headers that carry them.

Nothing here holds more than one message in memory.
"""

import gzip
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

GZIP_MAGIC = b"\x1f\x8b"
PROGRESS_EVERY_BYTES = 256 * 1024
# "From " + something with a time (10:01 or 10:01:02) and a year, in either order.
_POSTMARK = re.compile(rb"^From (?=.*\b\d{1,2}:\d{2}\b)(?=.*\b(?:1[89]|2\d)\d\d\b)")
_QUOTED_FROM = re.compile(rb"^>(>*From )")
_CONTENT_LENGTH = re.compile(rb"^content-length:[ \t]*(\d{1,12})[ \t]*\r?$", re.IGNORECASE)
# Headers Pipermail obfuscates ("jdoe at example.com") that carry addresses or message ids.
_ADDRESS_HEADERS = re.compile(
    rb"^(from|sender|reply-to|to|cc|message-id|in-reply-to|references):", re.IGNORECASE
)
_OBFUSCATED_IN_BRACKETS = re.compile(rb"<([^<>@\s]+) at ([^<>@\s]+)>")
_OBFUSCATED_BARE = re.compile(rb"(?<![\w@.<])([\w.+%!=~'-]+) at ([\w-]+(?:\.[\w-]+)+)(?![\w@])")


class NotAnMbox(ValueError):  # noqa: N818 — reads as what the file is not
    """The file is missing, unreadable, or not an mbox (it must start with a "From " line)."""


@dataclass(frozen=True)
class MboxEntry:
    """One message of an mbox: its bytes with the mbox quoting undone, the postmark line
    (after "From "), where it came from, and its 1-based position in that file."""

    raw: bytes
    postmark: str
    source: str
    position: int


def _is_blank(line: bytes) -> bool:
    return line in (b"\n", b"\r\n", b"")


def _is_postmark(line: bytes) -> bool:
    return line.startswith(b"From ") and _POSTMARK.match(line) is not None


class _Lines:
    """The file's lines with pushback (the Content-Length check reads ahead), and how far into
    the file on disk (compressed bytes, for a .gz) reading has got."""

    def __init__(self, stream: BinaryIO, disk: BinaryIO) -> None:
        self._stream = stream
        self._disk = disk
        self._pending: list[bytes] = []

    def next(self) -> bytes | None:
        if self._pending:
            return self._pending.pop()
        line = self._stream.readline()
        return line or None

    def push(self, *lines: bytes) -> None:
        """Put lines back, to be read again in the order given."""
        self._pending.extend(reversed(lines))

    def peek(self) -> bytes | None:
        line = self.next()
        if line is not None:
            self.push(line)
        return line

    def disk_position(self) -> int:
        return self._disk.tell()


def open_mbox(path: str | Path) -> tuple[BinaryIO, BinaryIO]:
    """(text stream, file on disk) for an mbox, gunzipping when the file is gzip data.

    Raises NotAnMbox for a missing or unreadable file, or one whose first non-blank line does
    not start with "From ". The caller closes the file on disk.
    """
    path = Path(path)
    if not path.is_file():
        raise NotAnMbox(f"{path}: no such file.")
    try:
        disk: BinaryIO = path.open("rb")
    except OSError as error:
        raise NotAnMbox(f"{path}: cannot be read ({error.strerror}).") from error
    try:
        stream: BinaryIO = disk
        if disk.read(2) == GZIP_MAGIC:
            disk.seek(0)
            stream = gzip.GzipFile(fileobj=disk, mode="rb")  # type: ignore[assignment]
        else:
            disk.seek(0)
        first = _first_line(stream, path)
        if not first.startswith(b"From "):
            raise NotAnMbox(
                f"{path}: not an mbox file (it must start with a “From ” line, "
                f"as mbox and Pipermail archives do)."
            )
        disk.seek(0)
        if stream is not disk:
            stream.close()  # leaves the file on disk open
            stream = gzip.GzipFile(fileobj=disk, mode="rb")  # type: ignore[assignment]
    except BaseException:
        disk.close()
        raise
    return stream, disk


def _first_line(stream: BinaryIO, path: Path) -> bytes:
    try:
        for _ in range(100):
            line = stream.readline(4096)
            if not line:
                break
            if not _is_blank(line):
                return line
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise NotAnMbox(f"{path}: cannot be read ({error}).") from error
    raise NotAnMbox(f"{path}: the file is empty.")


def read_mbox(
    path: str | Path, *, progress: Callable[[int], None] | None = None
) -> Iterator[MboxEntry]:
    """The messages of an mbox file, one at a time, in file order.

    `progress(n)` is called with the number of bytes of the file on disk read since the last
    call (compressed bytes for a .gz), so a progress bar can be sized by the file size.
    Raises NotAnMbox as `open_mbox` does; a corrupt gzip stream ends the file with NotAnMbox.
    """
    stream, disk = open_mbox(path)
    source = Path(path).name
    lines = _Lines(stream, disk)
    reported = 0
    try:
        line = lines.next()
        while line is not None and _is_blank(line):
            line = lines.next()
        position = 0
        while line is not None:
            postmark = line[5:].strip().decode("latin-1")
            body = _read_message(lines)
            position += 1
            yield MboxEntry(raw=body, postmark=postmark, source=source, position=position)
            if progress is not None:
                done = lines.disk_position()
                if done - reported >= PROGRESS_EVERY_BYTES:
                    progress(done - reported)
                    reported = done
            line = lines.next()  # the next postmark (or the end)
        if progress is not None:
            progress(lines.disk_position() - reported)
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise NotAnMbox(f"{path}: the file is damaged ({error}).") from error
    finally:
        if stream is not disk:
            stream.close()
        disk.close()


def _read_message(lines: _Lines) -> bytes:
    """The lines of one message, up to (not including) the next postmark or the end."""
    headers: list[bytes] = []
    content_length: int | None = None
    while True:
        line = lines.next()
        if line is None:
            return _joined(headers, [])
        if _is_postmark(line):
            # A message cut short (no body, or nothing at all): a header never starts "From ".
            lines.push(line)
            return _joined(headers, [])
        headers.append(line)
        if _is_blank(line):
            break
        match = _CONTENT_LENGTH.match(line)
        if match:
            content_length = int(match.group(1))
    if content_length is not None:
        body = _body_by_length(lines, content_length)
        if body is not None:
            return b"".join(headers) + b"".join(body)
    return _joined(headers, _body_by_postmarks(lines))


def _body_by_length(lines: _Lines, length: int) -> list[bytes] | None:
    """The body when Content-Length ends exactly at a boundary (a postmark, a blank line and
    a postmark, or the end); else None, with every line read put back."""
    body: list[bytes] = []
    size = 0
    while size < length:
        line = lines.next()
        if line is None:
            break
        body.append(line)
        size += len(line)
    if size == length:
        following = lines.next()
        if following is None or _is_postmark(following):
            if following is not None:
                lines.push(following)
            return body
        if _is_blank(following):
            after = lines.peek()
            if after is None or _is_postmark(after):
                return body
        if following is not None:
            lines.push(following)
    lines.push(*body)
    return None


def _body_by_postmarks(lines: _Lines) -> list[bytes]:
    """Body lines up to the next postmark, with one level of From-quoting undone."""
    body: list[bytes] = []
    while True:
        line = lines.next()
        if line is None:
            return body
        if _is_postmark(line):
            lines.push(line)
            return body
        if line.startswith(b">"):
            line = _QUOTED_FROM.sub(rb"\1", line, count=1)
        body.append(line)


def _joined(headers: list[bytes], body: list[bytes]) -> bytes:
    # The blank line before the next postmark belongs to the mbox, not the message.
    if body and _is_blank(body[-1]):
        body = body[:-1]
    return b"".join(headers) + b"".join(body)


def deobfuscate_pipermail_headers(raw: bytes) -> bytes:
    """Turn Pipermail's "jdoe at example.com" back into "jdoe@example.com" in the headers that
    carry addresses and message ids (From, To, Cc, Reply-To, Sender, Message-ID,
    In-Reply-To, References). Other headers and the body are left as they are."""
    end = raw.find(b"\n\n")
    crlf_end = raw.find(b"\r\n\r\n")
    if crlf_end != -1 and (end == -1 or crlf_end < end):
        end = crlf_end
    head, rest = (raw, b"") if end == -1 else (raw[:end], raw[end:])
    if b" at " not in head:
        return raw
    out: list[bytes] = []
    in_address_header = False
    for line in head.splitlines(keepends=True):
        if line[:1] in (b" ", b"\t"):
            pass  # a continuation of the header before
        else:
            in_address_header = _ADDRESS_HEADERS.match(line) is not None
        if in_address_header and b" at " in line:
            bracketed = _OBFUSCATED_IN_BRACKETS.sub(rb"<\1@\2>", line)
            out.append(_OBFUSCATED_BARE.sub(rb"\1@\2", bracketed))
        else:
            out.append(line)
    return b"".join(out) + rest
