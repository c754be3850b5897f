"""HTTP clients for API tests: a member's personal access token or their browser session."""

from django.test import Client

from practica.people.services import create_access_token

API = "/api/v1"


def token_for(user, name="tests") -> str:
    _token, secret = create_access_token(user=user, name=name)
    return secret


def token_client(user, **kwargs) -> Client:
    """A client that sends `Authorization: Bearer pat_…` for `user` on every request."""
    return Client(headers={"Authorization": f"Bearer {token_for(user)}"}, **kwargs)


def session_client(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client
