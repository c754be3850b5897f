# Fixtures come from scim_helpers; pytest injects them by name.
# ruff: noqa: F401, F811
"""SCIM discovery: /ServiceProviderConfig, /Schemas and /ResourceTypes (and one of each), in
SCIM's content type, behind the same bearer token."""

import pytest

from tests.outreach.scim_helpers import (
    CONTENT_TYPE,
    ENTERPRISE,
    GROUP_SCHEMA,
    USER_SCHEMA,
    ScimClient,
    assert_scim_error,
    scim,
    scim_secret,
)

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def test_the_service_provider_config_says_what_is_supported(scim):
    response = scim.get("ServiceProviderConfig")
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPE
    config = response.json()
    assert config["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"]
    assert config["patch"] == {"supported": True}
    assert config["filter"] == {"supported": True, "maxResults": 200}
    assert config["etag"] == {"supported": True}
    assert config["bulk"]["supported"] is False
    assert config["sort"]["supported"] is False
    assert config["changePassword"]["supported"] is False
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"
    assert config["meta"]["location"] == "http://testserver/scim/v2/ServiceProviderConfig"
    assert scim.get("ServiceProviderConfig/").status_code == 200


def test_schemas_describe_users_the_extension_and_groups(scim):
    listed = scim.get("Schemas").json()
    assert listed["totalResults"] == 3
    assert {item["id"] for item in listed["Resources"]} == {USER_SCHEMA, ENTERPRISE, GROUP_SCHEMA}

    user = scim.get(f"Schemas/{USER_SCHEMA}").json()
    attributes = {attribute["name"]: attribute for attribute in user["attributes"]}
    assert attributes["userName"]["required"] is True
    assert attributes["userName"]["uniqueness"] == "server"
    assert attributes["active"]["type"] == "boolean"
    assert attributes["password"]["returned"] == "never"
    assert attributes["emails"]["multiValued"] is True
    assert {sub["name"] for sub in attributes["name"]["subAttributes"]} >= {
        "givenName",
        "familyName",
        "formatted",
    }

    enterprise = scim.get(f"Schemas/{ENTERPRISE}").json()
    names = {attribute["name"] for attribute in enterprise["attributes"]}
    assert names >= {"employeeNumber", "organization", "division", "department", "manager"}
    assert enterprise["meta"]["resourceType"] == "Schema"

    assert_scim_error(scim.get("Schemas/urn:example:nothing"), 404)


def test_resource_types_name_the_endpoints(scim):
    listed = scim.get("ResourceTypes").json()
    assert listed["totalResults"] == 2
    user = scim.get("ResourceTypes/User").json()
    assert user["endpoint"] == "/Users"
    assert user["schema"] == USER_SCHEMA
    assert user["schemaExtensions"] == [{"schema": ENTERPRISE, "required": False}]
    group = scim.get("ResourceTypes/Group").json()
    assert (group["endpoint"], group["schema"]) == ("/Groups", GROUP_SCHEMA)
    assert_scim_error(scim.get("ResourceTypes/Printer"), 404)


def test_discovery_needs_the_token_and_is_read_only(scim):
    for path in ("ServiceProviderConfig", "Schemas", "ResourceTypes", "ResourceTypes/User"):
        assert_scim_error(ScimClient(None).get(path), 401)
    assert_scim_error(scim.post("Schemas", {}), 405)


def test_other_paths_are_scim_404s(scim):
    for path in ("Bulk", "Me", "Users/abc/def", ""):
        assert_scim_error(scim.get(path), 404)
    assert_scim_error(scim.post("Bulk", {}), 404)
    assert_scim_error(ScimClient(None).get("Bulk"), 401)
