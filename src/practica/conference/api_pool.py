"""Conference API: pool."""

from ninja import Router

router = Router(tags=["conference"])
