"""Conference API: assignment."""

from ninja import Router

router = Router(tags=["conference"])
