"""Outreach over HTTP: continuity."""

from ninja import Router

router = Router()
