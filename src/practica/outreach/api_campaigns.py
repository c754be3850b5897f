"""Outreach over HTTP: campaigns."""

from ninja import Router

router = Router()
