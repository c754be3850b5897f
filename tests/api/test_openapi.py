"""The OpenAPI document is valid and complete; the interactive docs work without internet."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from openapi_spec_validator import validate

from tests.api.clients import API

pytestmark = [pytest.mark.unit, pytest.mark.django_db]

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def schema(db):
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def test_openapi_json_is_a_valid_openapi_3_document(schema):
    validate(schema)
    assert schema["openapi"].startswith("3.")


def test_the_foundation_endpoints_are_documented(schema):
    documented = {(method, path.removeprefix(API)) for path, method, _op in operations(schema)}

    assert {
        ("get", "/people"),
        ("get", "/people/{person_id}"),
        ("get", "/me"),
        ("patch", "/me"),
        ("get", "/org-units"),
        ("get", "/org-units/{slug}"),
        ("get", "/me/tokens"),
        ("post", "/me/tokens"),
        ("delete", "/me/tokens/{token_id}"),
        ("get", "/topics"),
        ("get", "/topics/{slug}"),
        ("get", "/communities"),
        ("get", "/communities/{slug}"),
        ("get", "/communities/{slug}/members"),
        ("post", "/communities/{slug}/membership"),
        ("delete", "/communities/{slug}/membership"),
        ("get", "/me/memberships"),
        ("get", "/communities/{slug}/requests"),
        ("post", "/communities/{slug}/requests/{request_id}/approve"),
        ("post", "/communities/{slug}/requests/{request_id}/decline"),
        ("patch", "/communities/{slug}/members/{person_id}"),
    } <= documented


def test_the_events_endpoints_are_documented(schema):
    documented = {(method, path.removeprefix(API)) for path, method, _op in operations(schema)}

    assert {
        ("get", "/events"),
        ("post", "/communities/{slug}/events"),
        ("get", "/events/{event_id}"),
        ("patch", "/events/{event_id}"),
        ("post", "/events/{event_id}/publish"),
        ("post", "/events/{event_id}/cancel"),
        ("post", "/events/{event_id}/registrations"),
        ("get", "/events/{event_id}/registrations"),
        ("delete", "/events/{event_id}/registrations/mine"),
        ("post", "/events/{event_id}/registrations/mine/confirm"),
        ("get", "/events/{event_id}/waitlist"),
        ("get", "/me/registrations"),
        ("post", "/events/{event_id}/registrations/{registration_id}/check-in"),
        ("post", "/events/{event_id}/check-in"),
        ("put", "/events/{event_id}/feedback/mine"),
        ("get", "/events/{event_id}/questions"),
        ("put", "/events/{event_id}/questions/{question_id}/vote"),
        ("post", "/events/{event_id}/materials"),
        ("get", "/events/{event_id}/costs"),
        ("post", "/me/calendar-feed"),
    } <= documented
    register = schema["paths"][f"{API}/events/{{event_id}}/registrations"]["post"]
    assert {"200", "201", "404", "409"} <= set(register["responses"])


# Called with a credential of their own, not a member's session or token: the relay services'
# inbound mail hook (`mail.api_inbound`, an HMAC signature) and a pulse survey's answer (the
# token from the invitation mail, `metrics.surveys.api`).
SIGNED_NOT_SIGNED_IN = frozenset({"receive_inbound_mail", "answer_pulse"})


def test_every_operation_has_a_readable_id_tags_a_success_schema_and_errors(schema):
    ids = []
    for path, method, operation in operations(schema):
        where = f"{method.upper()} {path}"
        ids.append(operation["operationId"])
        assert re.fullmatch(r"[a-z][a-z_]+", operation["operationId"]), where
        assert operation.get("tags"), where
        successes = [code for code in operation["responses"] if code.startswith("2")]
        assert successes, where
        for code in successes:
            assert operation["responses"][code]["content"]["application/json"]["schema"], where
        assert "401" in operation["responses"], where
        if operation["operationId"] in SIGNED_NOT_SIGNED_IN:
            assert "security" not in operation, where
            continue
        assert {"AccessTokenAuth": []} in operation["security"], where
        assert {"SessionAuth": []} in operation["security"], where
    assert len(ids) == len(set(ids))


def test_both_authentication_methods_are_security_schemes(schema):
    schemes = schema["components"]["securitySchemes"]

    assert schemes["AccessTokenAuth"]["type"] == "http"
    assert schemes["AccessTokenAuth"]["scheme"] == "bearer"
    assert schemes["SessionAuth"] == {**schemes["SessionAuth"], "type": "apiKey", "in": "cookie"}


def test_the_validation_error_shape_is_documented(schema):
    error = schema["components"]["schemas"]["ValidationErrorOut"]

    assert set(error["properties"]) == {"detail", "errors"}


def test_the_docs_page_uses_only_local_static_files(db):
    response = Client().get(f"{API}/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    for host in ("cdn", "jsdelivr", "unpkg", "googleapis", "cloudflare", "http://", "https://"):
        assert host not in html, host
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), asset


def test_the_docs_page_turns_off_the_online_validator_badge(db):
    html = Client().get(f"{API}/docs").content.decode()

    assert '"validatorUrl": null' in html
