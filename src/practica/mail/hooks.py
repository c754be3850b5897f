"""Where mail in meets the apps that own what it becomes.

`mail` sits below `discussions` and knows nothing of threads (DESIGN.md: dependencies point
one way). So the app that turns list mail into posts registers a handler here, in its
`AppConfig.ready()`, and the inbound service calls it: the effect of a received message can
still be read in one place (`mail.services.inbound`), and no signal is involved.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from practica.mail.models import InboundMessage
    from practica.mail.parsing import ParsedMessage


@dataclass(frozen=True)
class HandledMail:
    """What a message became: `ref` names it for the record ("post:12"), `url` shows it."""

    ref: str
    url: str


class MailRefused(Exception):  # noqa: N818 — named like PermissionDenied: a verdict, not a fault
    """The handler refuses the message for a reason the sender should be told.

    `reason` is a sentence for the sender (locked thread, posting too fast, not a member...).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ListMailHandler(Protocol):
    """Turns accepted list mail into threads and replies. Every method runs inside the
    inbound service's transaction and raises `MailRefused` to refuse."""

    def start_thread(
        self,
        *,
        community: Any,
        author: Any,
        message: "ParsedMessage",
        inbound: "InboundMessage",
        group: Any = None,
    ) -> HandledMail:
        """A message to the list address that answers nothing known: a new thread (in
        `group`, a grassroots group of `community`, when it came to the group's address)."""
        ...

    def reply(
        self,
        *,
        thread_id: int,
        author: Any,
        message: "ParsedMessage",
        inbound: "InboundMessage",
    ) -> HandledMail:
        """A message to a reply address: a post in that thread."""
        ...

    def thread_replied_to(self, *, community: Any, message: "ParsedMessage") -> int | None:
        """The thread of `community` whose mail `message` answers (In-Reply-To/References
        naming one of its posts' Message-IDs), so list mail that replies is not a new thread."""
        ...

    def is_duplicate(self, *, community: Any, message: "ParsedMessage") -> bool:
        """Whether a post already came from this message (its Message-ID), e.g. a resend."""
        ...


_list_handler: ListMailHandler | None = None


def register_list_handler(handler: ListMailHandler) -> None:
    global _list_handler  # noqa: PLW0603 — one registry, set once at start-up
    _list_handler = handler


def list_handler() -> ListMailHandler:
    if _list_handler is None:
        raise ImproperlyConfigured(
            "No list mail handler is registered: is `practica.discussions` installed?"
        )
    return _list_handler


# --- The old list's archive (helper "archive") ----------------------------------------------
# `practica import-mbox` reads and threads an mbox (practica.mail.archive) and hands the
# conversations to the importer registered here by the app that turns them into threads.

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from practica.mail.archive import Conversation


@dataclass
class ArchiveImportCounts:
    """What an archive import did. `posts_merged` counts posts added to threads that existed
    before (a later archive file, or mail that came in since); `already_imported` messages
    found as posts of the community (by Message-ID) and left alone; `invalid_senders` messages
    left out because no account can have their From address."""

    threads_created: int = 0
    posts_created: int = 0
    posts_merged: int = 0
    threads_merged: int = 0
    already_imported: int = 0
    placeholders_created: int = 0
    invalid_senders: int = 0


class ArchiveImporter(Protocol):
    """Turns archive conversations into threads and posts of a community."""

    def import_conversations(
        self,
        *,
        community: Any,
        conversations: "Iterable[Conversation]",
        dry_run: bool = False,
        progress: "Callable[[int], None] | None" = None,
    ) -> ArchiveImportCounts:
        """Import `conversations` (oldest first), idempotently: a message already imported
        into `community` (its Message-ID on a post there) is skipped. With `dry_run` nothing
        is kept; the counts say what would have happened. `progress(n)`: n more messages done."""
        ...


_archive_importer: ArchiveImporter | None = None


def register_archive_importer(importer: ArchiveImporter) -> None:
    global _archive_importer  # noqa: PLW0603 — one registry, set once at start-up
    _archive_importer = importer


def archive_importer() -> ArchiveImporter:
    if _archive_importer is None:
        raise ImproperlyConfigured(
            "No archive importer is registered: is `practica.discussions` installed?"
        )
    return _archive_importer
