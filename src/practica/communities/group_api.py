"""The grassroots groups API, added to /api/v1/ by practica.api.api."""

from ninja import Router

router = Router(tags=["groups"])
