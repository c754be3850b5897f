"""The program API, added to /api/v1/ by practica.api.api."""

from ninja import Router

router = Router(tags=["program"])
