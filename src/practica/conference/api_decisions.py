"""Conference API: decisions."""

from ninja import Router

router = Router(tags=["conference"])
