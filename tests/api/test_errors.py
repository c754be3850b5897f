"""Every API error is JSON in one documented shape; bad input is never a 500."""

import json

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.test import RequestFactory

from practica.api.api import api
from practica.api.errors import field_name
from practica.core.models import Topic
from practica.people.models import MAX_BIO_LENGTH
from tests.api.clients import API, token_client
from tests.factories.communities import CommunityFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def test_validation_errors_carry_detail_and_field_messages(member):
    client = token_client(member)

    response = client.patch(
        f"{API}/me",
        {"bio": "x" * (MAX_BIO_LENGTH + 1), "career_level": 11},
        content_type="application/json",
    )

    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert set(body["errors"]) == {"bio", "career_level"}
    assert all(isinstance(message, str) for message in body["errors"]["bio"])
    assert {tuple(item["loc"]) for item in body["detail"]} == {
        ("body", "payload", "bio"),
        ("body", "payload", "career_level"),
    }


def test_service_validation_errors_become_422_with_field_messages(member):
    client = token_client(member)

    response = client.patch(
        f"{API}/me", {"time_zone": "Mars/Olympus_Mons"}, content_type="application/json"
    )

    assert response.status_code == 422
    assert "Mars/Olympus_Mons" in response.json()["errors"]["time_zone"][0]
    member.refresh_from_db()
    assert member.time_zone == "Europe/Berlin"


def test_query_parameter_errors_name_the_parameter(member):
    response = token_client(member).get(f"{API}/people", {"limit": 101})

    assert response.status_code == 422
    assert "limit" in response.json()["errors"]


def test_malformed_json_is_a_400_json_error(member):
    response = token_client(member).patch(f"{API}/me", "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"]


def test_unknown_fields_are_refused(member):
    response = token_client(member).patch(
        f"{API}/me", {"is_staff": True}, content_type="application/json"
    )

    assert response.status_code == 422
    assert "is_staff" in response.json()["errors"]
    member.refresh_from_db()
    assert not member.is_staff


@pytest.mark.parametrize(
    "path",
    [
        "/people/99999999999999999999999",
        "/people/-1",
        "/people/abc",
        "/communities/not%20a%20slug",
        "/topics/" + "a" * 500,
    ],
)
def test_out_of_range_ids_and_slugs_are_422_not_500(member, path):
    response = token_client(member).get(f"{API}{path}")

    assert response.status_code == 422
    assert response.json()["errors"]


@pytest.mark.parametrize("params", [{"q": "a\x00b"}, {"location": "\x00"}, {"offset": 10**30}])
def test_hostile_query_values_are_422(member, params):
    response = token_client(member).get(f"{API}/people", params)

    assert response.status_code == 422


def test_nul_characters_in_a_body_are_422(member):
    response = token_client(member).patch(
        f"{API}/me", {"bio": "a\x00b"}, content_type="application/json"
    )

    assert response.status_code == 422
    assert "bio" in response.json()["errors"]


def test_unknown_objects_are_404_json(member):
    client = token_client(member)

    for path in ("/people/424242", "/communities/nowhere", "/topics/nothing", "/org-units/none"):
        response = client.get(f"{API}{path}")
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found."}


def test_unknown_api_paths_are_404_json(member):
    response = token_client(member).get(f"{API}/no/such/endpoint")

    assert response.status_code == 404
    assert response.json()["detail"]


def test_permission_denied_is_403_json(member):
    community = CommunityFactory(access="closed")

    response = token_client(member).get(f"{API}/communities/{community.slug}/members")

    assert response.status_code == 403
    assert response.json()["detail"]


@pytest.mark.parametrize(
    ("error", "status", "body"),
    [
        (Topic.DoesNotExist(), 404, {"detail": "Not found."}),
        (ObjectDoesNotExist(), 404, {"detail": "Not found."}),
        (PermissionDenied("No."), 403, {"detail": "No."}),
        (
            ValidationError("Broken."),
            422,
            {
                "detail": [{"loc": [], "msg": "Broken.", "type": "invalid"}],
                "errors": {"__all__": ["Broken."]},
            },
        ),
        (
            ValidationError({"name": ["Too short.", "Taken."]}),
            422,
            {
                "detail": [
                    {"loc": ["name"], "msg": "Too short.", "type": "invalid"},
                    {"loc": ["name"], "msg": "Taken.", "type": "invalid"},
                ],
                "errors": {"name": ["Too short.", "Taken."]},
            },
        ),
        (RuntimeError("boom"), 500, {"detail": "Internal server error."}),
    ],
)
def test_exceptions_map_to_json_errors(error, status, body):
    request = RequestFactory().get(f"{API}/anything")

    response = api.on_exception(request, error)

    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content) == body


@pytest.mark.parametrize(
    ("loc", "expected"),
    [
        (("body", "payload", "bio"), "bio"),
        (("body", "payload", "languages", 3), "languages.3"),
        (("query", "limit"), "limit"),
        (("path", "slug"), "slug"),
        (("body",), "__all__"),
    ],
)
def test_field_names_drop_the_source_and_the_body_parameter(loc, expected):
    assert field_name(loc, body_attribute="payload") == expected


def test_a_wrong_method_on_a_real_endpoint_answers_json_405(client, member):
    client.force_login(member)

    response = client.put("/api/v1/me", data={}, content_type="application/json")

    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert "PATCH" in response["Allow"]
    assert "PUT" in response.json()["detail"]
