"""The community's numbers over HTTP (filled in by the dashboards' API)."""

from ninja import Router

router = Router(tags=["metrics"])
