"""Conference API: program."""

from ninja import Router

router = Router(tags=["conference"])
