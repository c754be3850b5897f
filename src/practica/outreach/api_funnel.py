"""Outreach over HTTP: funnel."""

from ninja import Router

router = Router()
