"""What a moderator sees of mail held for a list: read from the stored raw message.

Reading only: nothing here writes. The text is returned as plain text; templates escape it
and the API returns it as a JSON string, so nothing of the mail is trusted.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import strip_tags

from practica.mail.models import InboundMessage
from practica.mail.parsing import parse_message

PREVIEW_CHARACTERS = 600


@dataclass(frozen=True)
class HeldPreview:
    """A held message with its sender's name, text and attachments, as parsed."""

    message: InboundMessage
    from_name: str
    text: str
    attachments: list[tuple[str, int]]
    unreadable: bool = False

    @property
    def excerpt(self) -> str:
        if len(self.text) <= PREVIEW_CHARACTERS:
            return self.text
        return self.text[:PREVIEW_CHARACTERS].rstrip() + "…"

    @property
    def is_truncated(self) -> bool:
        return len(self.text) > PREVIEW_CHARACTERS


def held_preview(message: InboundMessage, raw: bytes | memoryview) -> HeldPreview:
    """Parse `raw` (the message's stored bytes) for the moderation queue; never raises."""
    try:
        parsed = parse_message(bytes(raw))
    except Exception:  # malformed mail is a preview we can't show, never a broken page
        return HeldPreview(message=message, from_name="", text="", attachments=[], unreadable=True)
    text = (parsed.text or strip_tags(parsed.html or "")).strip()
    attachments = [(item.filename, item.size) for item in parsed.attachments]
    return HeldPreview(
        message=message, from_name=parsed.from_name or "", text=text, attachments=attachments
    )


def held_previews(messages: Iterable[InboundMessage]) -> list[HeldPreview]:
    """Previews of `messages` (loaded without `raw`), reading their raw bytes in one query."""
    messages = list(messages)
    raw_by_id = dict(
        InboundMessage.objects.filter(pk__in=[message.pk for message in messages]).values_list(
            "pk", "raw"
        )
    )
    return [held_preview(message, raw_by_id.get(message.pk, b"")) for message in messages]
