"""Conference API: editions."""

from ninja import Router

router = Router(tags=["conference"])
