"""Limit/offset pagination shared by every list endpoint: `{"items": [...], "count": N}`."""

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_PAGE_SIZE = 100
# Far beyond any real list, and small enough that no database rejects it as an OFFSET.
MAX_OFFSET = 10_000_000


class Page(LimitOffsetPagination):
    """`limit` (1–100, default PRACTICA_PAGE_SIZE) and `offset`; a larger limit is a 422."""

    class Input(Schema):
        limit: int = Field(
            settings.PRACTICA_PAGE_SIZE,
            ge=1,
            le=MAX_PAGE_SIZE,
            description=f"How many items to return (at most {MAX_PAGE_SIZE}).",
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many items to skip.")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_limit=MAX_PAGE_SIZE, **kwargs)
