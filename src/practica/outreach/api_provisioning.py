"""Outreach over HTTP: provisioning."""

from ninja import Router

router = Router()
