"""A SCIM client for the tests: a provisioning token made by staff, and requests sent the way
identity providers send them (`application/scim+json`, `Authorization: Bearer scim_…`)."""

import json

import pytest
from django.test import Client

from practica.outreach.services.tokens import create_provisioning_token
from tests.factories.people import UserFactory

SCIM = "/scim/v2"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
CONTENT_TYPE = "application/scim+json"


class ScimClient:
    def __init__(self, secret: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def _send(self, method, path, body=None, *, raw=None, headers=None, **params):
        url = path if path.startswith("/") else f"{SCIM}/{path}"
        send = getattr(self.client, method)
        merged = {**self.headers, **(headers or {})}
        if method in ("get", "delete"):
            return send(url, params or None, headers=merged)
        data = raw if raw is not None else json.dumps(body)
        return send(url, data, content_type=CONTENT_TYPE, headers=merged)

    def get(self, path, **params):
        return self._send("get", path, **params)

    def post(self, path, body=None, **kwargs):
        return self._send("post", path, body, **kwargs)

    def put(self, path, body=None, **kwargs):
        return self._send("put", path, body, **kwargs)

    def patch(self, path, body=None, **kwargs):
        return self._send("patch", path, body, **kwargs)

    def delete(self, path, **kwargs):
        return self._send("delete", path, **kwargs)


def patch_body(*operations):
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


def assert_scim_error(response, status, scim_type=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(CONTENT_TYPE)
    body = response.json()
    assert body["schemas"] == [ERROR]
    assert body["status"] == str(status)
    assert body["detail"]
    if scim_type is not None:
        assert body.get("scimType") == scim_type, body
    return body


def entra_user(user_name="alice@contoso.com", **extra):
    """A create request as Microsoft Entra ID sends it (its SCIM validator's shape)."""
    body = {
        "schemas": [USER_SCHEMA, ENTERPRISE],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "userName": user_name,
        "active": True,
        "emails": [{"primary": True, "type": "work", "value": user_name}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "Alice Smith", "familyName": "Smith", "givenName": "Alice"},
        "displayName": "Alice Smith",
        "title": "Applied scientist",
        "roles": [],
        ENTERPRISE: {
            "employeeNumber": "701984",
            "department": "Machine Learning",
            "division": "Research",
            "organization": "Contoso",
        },
    }
    body.update(extra)
    return body


def okta_user(user_name="test.user@okta.local", **extra):
    """A create request as Okta sends it."""
    body = {
        "schemas": [USER_SCHEMA],
        "userName": user_name,
        "name": {"givenName": "Test", "familyName": "User"},
        "emails": [{"primary": True, "value": user_name, "type": "work"}],
        "displayName": "Test User",
        "locale": "en-US",
        "externalId": "00ujl29u0le5T6Aj10h7",
        "groups": [],
        "password": "1mz050nq",
        "active": True,
    }
    body.update(extra)
    return body


@pytest.fixture
def scim_secret(db):
    _token, secret = create_provisioning_token(name="Entra ID", actor=UserFactory(is_staff=True))
    return secret


@pytest.fixture
def scim(scim_secret):
    return ScimClient(scim_secret)


@pytest.fixture
def created(scim):
    """POST one user (Entra's shape) and return its resource."""

    def create(**kwargs):
        response = scim.post("Users", entra_user(**kwargs))
        assert response.status_code == 201, response.content
        return response.json()

    return create
