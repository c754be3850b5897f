"""What the service provider supports, told the SCIM way (RFC 7643 §5–7, RFC 7644 §4):
`/ServiceProviderConfig`, `/Schemas` (User, the enterprise extension, Group) and
`/ResourceTypes`. The documents are protocol vocabulary, so they are not translated."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from practica.outreach.scim.http import (
    MAX_PAGE,
    ScimError,
    list_response,
    scim_endpoint,
    scim_response,
)

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"
RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
CONFIG_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
# The sub-attributes of a User's `name`, as the schema lists them and the reader keeps them.
NAME_PARTS = (
    "formatted",
    "familyName",
    "givenName",
    "middleName",
    "honorificPrefix",
    "honorificSuffix",
)


def attribute(
    name: str,
    kind: str = "string",
    *,
    multi: bool = False,
    required: bool = False,
    mutability: str = "readWrite",
    returned: str = "default",
    uniqueness: str = "none",
    case_exact: bool = False,
    canonical: list[str] | None = None,
    references: list[str] | None = None,
    sub: list[dict[str, Any]] | None = None,
    description: str = "",
) -> dict[str, Any]:
    """One attribute definition as RFC 7643 §7 writes it."""
    definition: dict[str, Any] = {
        "name": name,
        "type": kind,
        "multiValued": multi,
        "description": description or name,
        "required": required,
        "caseExact": case_exact,
        "mutability": mutability,
        "returned": returned,
        "uniqueness": uniqueness,
    }
    if canonical:
        definition["canonicalValues"] = canonical
    if references:
        definition["referenceTypes"] = references
    if sub is not None:
        definition["subAttributes"] = sub
    return definition


def _multi_valued(name: str, types: list[str], *, value_kind: str = "string") -> dict[str, Any]:
    return attribute(
        name,
        "complex",
        multi=True,
        sub=[
            attribute("value", value_kind),
            attribute("display"),
            attribute("type", canonical=types),
            attribute("primary", "boolean"),
        ],
    )


USER_ATTRIBUTES = [
    attribute(
        "userName",
        required=True,
        uniqueness="server",
        description="The login, usually the person's work email address.",
    ),
    attribute(
        "name",
        "complex",
        sub=[attribute(part) for part in NAME_PARTS],
    ),
    attribute("displayName", description="The name shown in the directory."),
    attribute("nickName"),
    attribute("profileUrl", "reference", references=["external"]),
    attribute("title", description="The job title."),
    attribute("userType"),
    attribute("preferredLanguage"),
    attribute("locale"),
    attribute("timezone", description="An IANA time zone, e.g. Europe/Berlin."),
    attribute("active", "boolean", description="false deprovisions the account."),
    attribute("password", mutability="writeOnly", returned="never"),
    _multi_valued("emails", ["work", "home", "other"]),
    _multi_valued("phoneNumbers", ["work", "home", "mobile", "fax", "pager", "other"]),
    attribute(
        "addresses",
        "complex",
        multi=True,
        sub=[
            attribute(part)
            for part in (
                "formatted",
                "streetAddress",
                "locality",
                "region",
                "postalCode",
                "country",
                "type",
            )
        ]
        + [attribute("primary", "boolean")],
    ),
    attribute(
        "groups",
        "complex",
        multi=True,
        mutability="readOnly",
        sub=[
            attribute("value", mutability="readOnly"),
            attribute("$ref", "reference", mutability="readOnly", references=["Group"]),
            attribute("display", mutability="readOnly"),
        ],
    ),
]

ENTERPRISE_ATTRIBUTES = [
    attribute("employeeNumber", uniqueness="server", description="The HR system's number."),
    attribute("costCenter"),
    attribute("organization"),
    attribute("division", description="A division of the org chart (created if missing)."),
    attribute("department", description="A group of the org chart under the division."),
    attribute(
        "manager",
        "complex",
        sub=[
            attribute("value", description="The manager's id in this service provider."),
            attribute("$ref", "reference", references=["User"]),
            attribute("displayName", mutability="readOnly"),
        ],
    ),
]

GROUP_ATTRIBUTES = [
    attribute("displayName", required=True, uniqueness="server"),
    attribute(
        "members",
        "complex",
        multi=True,
        sub=[
            attribute("value", mutability="immutable", description="A user's id."),
            attribute("$ref", "reference", mutability="immutable", references=["User"]),
            attribute("display", mutability="readOnly"),
            attribute("type", mutability="immutable", canonical=["User"]),
        ],
    ),
]

SCHEMAS = {
    USER_SCHEMA: ("User", "User Account", USER_ATTRIBUTES),
    ENTERPRISE_SCHEMA: ("EnterpriseUser", "Enterprise User", ENTERPRISE_ATTRIBUTES),
    GROUP_SCHEMA: ("Group", "Group", GROUP_ATTRIBUTES),
}


def _location(request: HttpRequest, name: str, *args: str) -> str:
    return request.build_absolute_uri(reverse(f"scim:{name}", args=args))


def schema_document(request: HttpRequest, urn: str) -> dict[str, Any]:
    name, description, attributes = SCHEMAS[urn]
    return {
        "schemas": [SCHEMA_SCHEMA],
        "id": urn,
        "name": name,
        "description": description,
        "attributes": attributes,
        "meta": {"resourceType": "Schema", "location": _location(request, "schema", urn)},
    }


def resource_types(request: HttpRequest) -> dict[str, dict[str, Any]]:
    return {
        "User": {
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "User Account",
            "schema": USER_SCHEMA,
            "schemaExtensions": [{"schema": ENTERPRISE_SCHEMA, "required": False}],
            "meta": {
                "resourceType": "ResourceType",
                "location": _location(request, "resource_type", "User"),
            },
        },
        "Group": {
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "description": "Group",
            "schema": GROUP_SCHEMA,
            "schemaExtensions": [],
            "meta": {
                "resourceType": "ResourceType",
                "location": _location(request, "resource_type", "Group"),
            },
        },
    }


@scim_endpoint("GET")
def service_provider_config(request: HttpRequest) -> HttpResponse:
    return scim_response(
        {
            "schemas": [CONFIG_SCHEMA],
            "patch": {"supported": True},
            "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": True, "maxResults": MAX_PAGE},
            "changePassword": {"supported": False},
            "sort": {"supported": False},
            "etag": {"supported": True},
            "authenticationSchemes": [
                {
                    "type": "oauthbearertoken",
                    "name": "OAuth Bearer Token",
                    "description": "A provisioning token created by staff on the "
                    "Provisioning page, sent as Authorization: Bearer scim_…",
                    "primary": True,
                }
            ],
            "meta": {
                "resourceType": "ServiceProviderConfig",
                "location": _location(request, "service_provider_config"),
            },
        }
    )


@scim_endpoint("GET")
def schemas(request: HttpRequest) -> HttpResponse:
    documents = [schema_document(request, urn) for urn in SCHEMAS]
    return list_response(documents, total=len(documents), start=1)


@scim_endpoint("GET")
def schema(request: HttpRequest, urn: str) -> HttpResponse:
    for known in SCHEMAS:
        if known.lower() == urn.lower():
            return scim_response(schema_document(request, known))
    raise ScimError(404, _("There is no schema %(id)s.") % {"id": urn})


@scim_endpoint("GET")
def resource_type_list(request: HttpRequest) -> HttpResponse:
    documents = list(resource_types(request).values())
    return list_response(documents, total=len(documents), start=1)


@scim_endpoint("GET")
def resource_type(request: HttpRequest, name: str) -> HttpResponse:
    for key, document in resource_types(request).items():
        if key.lower() == name.lower():
            return scim_response(document)
    raise ScimError(404, _("There is no resource type %(id)s.") % {"id": name})


@scim_endpoint("GET", "POST", "PUT", "PATCH", "DELETE")
def unknown_endpoint(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other path under /scim/v2/ answers SCIM's 404, not the site's HTML page."""
    raise ScimError(404, _("There is no such SCIM endpoint; see /ResourceTypes."))
