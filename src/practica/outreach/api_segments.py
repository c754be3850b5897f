"""Outreach over HTTP: segments."""

from ninja import Router

router = Router()
