"""Rendered HTML kept for every viewer who would see it the same, but for their CSRF token.

A fragment whose forms carry the viewer's CSRF token is rendered once with a placeholder in the
token's place and kept as the pieces between the placeholders; each viewer gets the pieces
joined with their own token. The placeholder is random for each rendering, so no text inside
the fragment (a post a member wrote, say) can contain it and have a reader's token put in.
"""

import secrets
from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

Pieces = tuple[str, ...]


def render_around_token(render: Callable[[str], str]) -> Pieces:
    """Call `render` with the placeholder to put where the CSRF token goes; the pieces of its
    HTML between the placeholders."""
    placeholder = f"csrf-slot-{secrets.token_hex(16)}"
    return tuple(render(placeholder).split(placeholder))


def with_token(pieces: Pieces, token: str) -> SafeString:
    """The fragment with the viewer's token in each slot. The pieces were rendered by our
    own autoescaping templates, and a CSRF token is letters and digits only."""
    return mark_safe(str(token).join(pieces))  # noqa: S308 — see above
