"""Small helpers shared by the events API tests (test_api_*.py)."""

from practica.communities.models import MembershipRole
from tests.api.clients import API, token_client
from tests.factories.communities import MembershipFactory


def call(client, method, path, data=None):
    """`client.<method>(API + path)` with a JSON body for writes."""
    if method == "get":
        return client.get(f"{API}{path}", data or {})
    return getattr(client, method)(f"{API}{path}", data or {}, content_type="application/json")


def organizer_of(community):
    """A member with the organizer role in `community` (they schedule its events)."""
    return MembershipFactory(community=community, role=MembershipRole.ORGANIZER).person


def client_for(user):
    return token_client(user)
