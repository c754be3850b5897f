"""The addresses of the lists: list posting, per-recipient reply keys and VERP bounce returns.

All live on `settings.MAIL_LIST_DOMAIN`:

- `<community-slug>@domain` — the list; mail to it from a member starts a thread.
- `<community-slug>.<group-slug>@domain` — a grassroots group's list; mail to it from a member
  of the group starts a thread in the group. Slugs have no dots, so the dot is unambiguous.
- `reply+<key>@domain` — the Reply-To of list mail sent to one member about one thread. The key
  names the member and the thread and carries an HMAC of both, so a reply is attributed by
  the key, never by the From header alone (From is easily forged; the key is not).
- `bounce+<key>@domain` — the envelope sender (Return-Path) of list mail to one member (VERP):
  a bounce comes back to it and names the member whose address failed, whatever the bounce's
  own format says.

Keys are lower-case letters and digits only, because MTAs may lower-case local parts.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

REPLY_PREFIX = "reply+"
BOUNCE_PREFIX = "bounce+"
_SIGNATURE_CHARS = 16  # 64 bits: enough for a key that only names a reply or a bounce
_KEY_SALT = {
    "reply": "practica.mail.reply-key",
    "bounce": "practica.mail.bounce-key",
    "unsubscribe": "practica.mail.list-unsubscribe",
}
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_KEY_RE = re.compile(r"^[0-9a-z]+(?:-[0-9a-z]+)*$")


def list_domain() -> str:
    return str(settings.MAIL_LIST_DOMAIN)


def _base36(number: int) -> str:
    if number < 0:
        raise ValueError("Only non-negative ids have keys.")
    digits = ""
    while True:
        number, rest = divmod(number, 36)
        digits = _BASE36[rest] + digits
        if number == 0:
            return digits


def _signature(purpose: str, payload: str, chars: int) -> str:
    return salted_hmac(_KEY_SALT[purpose], payload, algorithm="sha256").hexdigest()[:chars]


def signed_key(purpose: str, *ids: int, signature_chars: int = _SIGNATURE_CHARS) -> str:
    """`ids` in base 36 and an HMAC of them for `purpose` ("reply", "bounce", "unsubscribe"),
    joined by dashes: lower-case letters and digits only, unforgeable without SECRET_KEY."""
    payload = "-".join(_base36(value) for value in ids)
    return f"{payload}-{_signature(purpose, payload, signature_chars)}"


def verified_key_ids(
    purpose: str, key: str, count: int, *, signature_chars: int = _SIGNATURE_CHARS
) -> tuple[int, ...] | None:
    """The `count` ids a `signed_key` names, or None if it is malformed or forged."""
    key = key.strip().lower()
    if not _KEY_RE.match(key):
        return None
    parts = key.split("-")
    if len(parts) != count + 1 or any(len(part) > 13 for part in parts[:-1]):
        return None
    payload, signature = "-".join(parts[:-1]), parts[-1]
    if not constant_time_compare(signature, _signature(purpose, payload, signature_chars)):
        return None
    return tuple(int(part, 36) for part in parts[:-1])


def loop_marker() -> str:
    """The `X-Loop` value stamped on every list mail: mail that comes back with it is a loop."""
    return f"practica@{list_domain()}"


def list_id(community_slug: str) -> str:
    """The RFC 2919 list identifier, as in `List-Id: Name <slug.lists.example.com>`."""
    return f"{community_slug.lower()}.{list_domain()}"


def list_address(community_slug: str) -> str:
    return f"{community_slug.lower()}@{list_domain()}"


def group_list_id(community_slug: str, group_slug: str) -> str:
    """The group list's RFC 2919 identifier: `<group>.<community>.<domain>`."""
    return f"{group_slug.lower()}.{list_id(community_slug)}"


def group_list_address(community_slug: str, group_slug: str) -> str:
    """Where a grassroots group's members write to start a thread in the group."""
    return f"{community_slug.lower()}.{group_slug.lower()}@{list_domain()}"


def reply_key(*, person_id: int, thread_id: int) -> str:
    return signed_key("reply", person_id, thread_id)


def reply_address(*, person_id: int, thread_id: int) -> str:
    return f"{REPLY_PREFIX}{reply_key(person_id=person_id, thread_id=thread_id)}@{list_domain()}"


def bounce_address(*, person_id: int) -> str:
    return f"{BOUNCE_PREFIX}{signed_key('bounce', person_id)}@{list_domain()}"


@dataclass(frozen=True)
class ListRecipient:
    """Mail to a community's list address."""

    community_slug: str


@dataclass(frozen=True)
class GroupListRecipient:
    """Mail to a grassroots group's list address."""

    community_slug: str
    group_slug: str


@dataclass(frozen=True)
class ReplyRecipient:
    """Mail to a valid reply key: `person_id` replies in `thread_id`."""

    person_id: int
    thread_id: int


@dataclass(frozen=True)
class BounceRecipient:
    """A bounce of list mail sent to `person_id`."""

    person_id: int


@dataclass(frozen=True)
class UnknownRecipient:
    """Not ours, or a reply/bounce key that fails its check (`reason` says which)."""

    reason: str


Recipient = ListRecipient | GroupListRecipient | ReplyRecipient | BounceRecipient | UnknownRecipient


def read_recipient(address: str) -> Recipient:
    """What an envelope recipient on the list domain stands for. Never raises.

    A `+detail` on a list address (`ml+anything@`) is ignored, as MTAs do for sub-addressing.
    `community.group@` is a group's list. Whether the community (or group) exists is for the
    caller to check.
    """
    address = address.strip().strip("<>").lower()
    local, at, domain = address.rpartition("@")
    if not at or not local:
        return UnknownRecipient("not an email address")
    if domain != list_domain():
        return UnknownRecipient(f"not on the list domain {list_domain()}")
    if local.startswith(REPLY_PREFIX):
        ids = verified_key_ids("reply", local.removeprefix(REPLY_PREFIX), 2)
        if ids is None:
            return UnknownRecipient("the reply key is not valid")
        return ReplyRecipient(person_id=ids[0], thread_id=ids[1])
    if local.startswith(BOUNCE_PREFIX):
        ids = verified_key_ids("bounce", local.removeprefix(BOUNCE_PREFIX), 1)
        if ids is None:
            return UnknownRecipient("the bounce key is not valid")
        return BounceRecipient(person_id=ids[0])
    slugs = local.split("+", 1)[0].split(".")
    if len(slugs) > 2 or not all(re.fullmatch(r"[-a-z0-9_]+", slug) for slug in slugs):
        return UnknownRecipient("not a list name")
    if len(slugs) == 2:
        return GroupListRecipient(community_slug=slugs[0], group_slug=slugs[1])
    return ListRecipient(community_slug=slugs[0])


def verp_token_person(token: str) -> int | None:
    """The member a VERP token (the part after `bounce+`) names, or None if it is forged."""
    ids = verified_key_ids("bounce", token, 1)
    return ids[0] if ids else None
