"""Conference API: reviews."""

from ninja import Router

router = Router(tags=["conference"])
