"""Outreach over HTTP: invitations."""

from ninja import Router

router = Router()
