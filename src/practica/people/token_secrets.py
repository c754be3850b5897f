"""Bearer-token secrets, made and checked alike for personal access tokens (`pat_…`) and the
SCIM clients' provisioning tokens (`scim_…`).

A secret is `<prefix><lookup>_<random>`: the public lookup part finds the token's row, and
only the SHA-256 of the whole secret is stored, compared in constant time. A token's last use
is stamped at most once a minute.
"""

import hashlib
import secrets
from typing import Any

from django.db import connection
from django.utils import timezone

MAX_SECRET_LENGTH = 200
# Writing on every request would serialise API traffic on SQLite; a minute's precision will do.
LAST_USED_PRECISION_SECONDS = 60


def hash_token_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token_secret(prefix: str) -> tuple[str, str]:
    """A fresh secret starting with `prefix`: (its lookup part, the secret)."""
    lookup_prefix = secrets.token_hex(6)
    return lookup_prefix, f"{prefix}{lookup_prefix}_{secrets.token_urlsafe(32)}"


def lookup_prefix_of(secret: str, prefix: str) -> str | None:
    """The lookup part of a secret made with `prefix`; None for anything else (empty, another
    kind of token, implausibly long)."""
    if not secret or not secret.startswith(prefix) or len(secret) > MAX_SECRET_LENGTH:
        return None
    return secret[len(prefix) :].split("_", 1)[0]


def secret_matches(token_hash: str, secret: str) -> bool:
    return secrets.compare_digest(token_hash, hash_token_secret(secret))


def note_token_use(token: Any) -> None:
    """Stamp the token's `last_used_at` (at most once a minute), without waiting for the disk
    on PostgreSQL.

    The stamp is only a hint for its owner, so losing the last second of them in a crash is
    harmless, while a synchronous commit (a WAL flush, 1–2 ms) on each API caller's first
    request of the minute cost a registration rush a fifth of its throughput.
    """
    now = timezone.now()
    last = token.last_used_at
    if last is not None and (now - last).total_seconds() <= LAST_USED_PRECISION_SECONDS:
        return
    model = type(token)
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        # Inside a caller's transaction the setting would reach the caller's own writes.
        model._default_manager.filter(pk=token.pk).update(last_used_at=now)
    else:
        # Two statements in one query string run as one implicit transaction, so SET LOCAL
        # covers the UPDATE alone: one round trip instead of BEGIN, SET, UPDATE and COMMIT.
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        column = quote(model._meta.get_field("last_used_at").column)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SET LOCAL synchronous_commit TO OFF; "  # noqa: S608 — names from the model
                f"UPDATE {table} SET {column} = %s WHERE {quote(model._meta.pk.column)} = %s",
                [now, token.pk],
            )
    token.last_used_at = now
