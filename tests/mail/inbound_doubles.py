"""Building inbound mail for tests, and a recording list handler.

The list handler is an extension point (`mail.hooks.register_list_handler`) that discussions
fills; routing tests register `RecordingListHandler` in its place (and restore the real one),
so they check what the inbound service decides without depending on how posts are made.
End-to-end tests use the real handler.
"""

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid
from typing import Any

from practica.mail import hooks
from practica.mail.addresses import list_domain
from practica.mail.hooks import HandledMail, MailRefused


def list_to(slug: str) -> str:
    return f"{slug}@{list_domain()}"


def new_message_id() -> str:
    return make_msgid(domain="mail.example.org")


def make_message(
    *,
    sender: str = "someone@example.org",
    to: str = "",
    subject: str = "Hello list",
    body: str = "A question for everyone.\n",
    message_id: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to or list_to("ml")
    message["Subject"] = subject
    message["Date"] = formatdate()
    message["Message-ID"] = message_id or new_message_id()
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes(policy=SMTP)  # CRLF line ends, as on the wire


def make_dsn(
    *,
    failed: str,
    status: str = "5.1.1",
    action: str = "failed",
    to: str = "",
    diagnostic: str = "550 5.1.1 <{failed}>: Recipient address rejected: User unknown",
) -> bytes:
    """An RFC 3464 delivery status notification, as Postfix writes them."""
    boundary = "=_dsn_boundary"
    diagnostic = diagnostic.format(failed=failed)
    return (
        f"From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\r\n"
        f"To: {to or list_to('ml')}\r\n"
        f"Subject: Undelivered Mail Returned to Sender\r\n"
        f"Date: {formatdate()}\r\n"
        f"Message-ID: {new_message_id()}\r\n"
        f"Auto-Submitted: auto-replied\r\n"
        f"MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n'
        f"\r\n"
        f"--{boundary}\r\n"
        f"Content-Type: text/plain; charset=us-ascii\r\n"
        f"\r\n"
        f"I'm sorry to have to inform you that your message could not be delivered.\r\n"
        f"<{failed}>: host mx.example.org said: {diagnostic}\r\n"
        f"\r\n"
        f"--{boundary}\r\n"
        f"Content-Type: message/delivery-status\r\n"
        f"\r\n"
        f"Reporting-MTA: dns; mx.example.org\r\n"
        f"\r\n"
        f"Final-Recipient: rfc822; {failed}\r\n"
        f"Original-Recipient: rfc822; {failed}\r\n"
        f"Action: {action}\r\n"
        f"Status: {status}\r\n"
        f"Diagnostic-Code: smtp; {diagnostic}\r\n"
        f"\r\n"
        f"--{boundary}\r\n"
        f"Content-Type: text/rfc822-headers\r\n"
        f"\r\n"
        f"From: Ada via ML <{list_to('ml')}>\r\n"
        f"To: {list_to('ml')}\r\n"
        f"Subject: [ml] Something\r\n"
        f"Message-ID: <post-1@127.0.0.1>\r\n"
        f"\r\n"
        f"--{boundary}--\r\n"
    ).encode()


class RecordingListHandler:
    """Records what the inbound service asks of the list handler; can refuse or fail."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.posted_ids: set[str] = set()
        self.replied_thread: int | None = None
        self.refuse_with: str | None = None
        self.fail_with: Exception | None = None
        self.seen_inbound: list[Any] = []
        self._lock = threading.Lock()

    def _post(self, kind: str, target: Any, author: Any, message: Any, inbound: Any) -> HandledMail:
        if self.fail_with is not None:
            raise self.fail_with
        if self.refuse_with is not None:
            raise MailRefused(self.refuse_with)
        with self._lock:
            self.calls.append((kind, target, author.pk, message.message_id))
            self.seen_inbound.append(inbound)
            if message.message_id:
                self.posted_ids.add(message.message_id)
            number = len(self.calls)
        return HandledMail(ref=f"post:{number}", url=f"http://testserver/posts/{number}")

    def start_thread(
        self, *, community: Any, author: Any, message: Any, inbound: Any
    ) -> HandledMail:
        return self._post("start", community.pk, author, message, inbound)

    def reply(self, *, thread_id: int, author: Any, message: Any, inbound: Any) -> HandledMail:
        return self._post("reply", thread_id, author, message, inbound)

    def thread_replied_to(self, *, community: Any, message: Any) -> int | None:
        return self.replied_thread

    def is_duplicate(self, *, community: Any, message: Any) -> bool:
        return bool(message.message_id) and message.message_id in self.posted_ids


@contextmanager
def registered_handler(handler: Any) -> Iterator[Any]:
    """Register `handler` as the list handler for the block; the previous one comes back."""
    previous = hooks._list_handler
    hooks.register_list_handler(handler)
    try:
        yield handler
    finally:
        hooks._list_handler = previous
