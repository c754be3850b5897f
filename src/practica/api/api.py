"""The one NinjaAPI instance at /api/v1/; each app contributes a router from its own api.py."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Practica API",
    version="1.0.0",
    description="Communities of practice: people, org units, topics, communities, memberships.",
    urls_namespace="api",
)
