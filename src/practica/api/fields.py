"""Input field types with the limits every endpoint applies (ids, slugs, free text)."""

from typing import Annotated

from pydantic import Field, StringConstraints

# Databases store 64-bit keys; a larger number must be a 422, not a database error.
MAX_ID = 2**63 - 1
# PostgreSQL refuses NUL characters in text; reject them as bad input instead.
NO_NUL = r"^[^\x00]*$"

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Slug = Annotated[str, StringConstraints(min_length=1, max_length=160, pattern=r"^[-a-zA-Z0-9_]+$")]


def text(max_length: int, *, min_length: int = 0) -> type[str]:
    """A string of at most `max_length` characters without NUL."""
    return Annotated[  # type: ignore[return-value]
        str, StringConstraints(min_length=min_length, max_length=max_length, pattern=NO_NUL)
    ]
