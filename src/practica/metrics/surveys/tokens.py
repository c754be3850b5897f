"""The one-click answer links of a pulse mail.

Each invitation has its own random token; only its SHA-256 is stored (`token_hash`), so a
leaked database copy cannot answer for anyone, and the raw token exists only in the mail's
links. The token is the credential: answering needs no sign-in.
"""

import hashlib
import secrets

from django.conf import settings
from django.urls import reverse

# 32 random bytes: far beyond guessing, short enough for a readable link.
TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 100


def hash_pulse_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_pulse_token() -> tuple[str, str]:
    """A fresh token and its hash: (token, token_hash)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_pulse_token(token)


def is_plausible_token(token: str) -> bool:
    """Cheap shape check before a lookup (anything else cannot be one of ours)."""
    return 0 < len(token) <= MAX_TOKEN_LENGTH and token.isascii() and "\x00" not in token


def answer_url(token: str, score: int) -> str:
    """The absolute link that answers `score` with one click."""
    return settings.SITE_URL + reverse("metrics:pulse_answer", args=[token, str(score)])


def answer_page_url(token: str) -> str:
    """The absolute link to the answer's page (change the score, add a comment)."""
    return settings.SITE_URL + reverse("metrics:pulse_answered", args=[token])
