# Fixtures come from scim_helpers; pytest injects them by name.
# ruff: noqa: F401, F811
"""SCIM /Users conformance with the payloads Microsoft Entra ID and Okta send: create, read,
list and filter, replace (PUT), deactivate and delete; tokens, ETags and bad input. PATCH is
in test_scim_users_patch."""

import pytest

from practica.communities.models import LeftReason, Membership
from practica.outreach.models import ChangeKind, ChangeSource, PersonChange, ProvisionedAccount
from practica.outreach.services.tokens import revoke_provisioning_token
from practica.people.models import OrgUnit, OrgUnitKind, User
from tests.api.clients import token_for
from tests.factories.communities import MembershipFactory
from tests.factories.people import OrgUnitFactory, UserFactory
from tests.outreach.scim_helpers import (
    CONTENT_TYPE,
    ENTERPRISE,
    USER_SCHEMA,
    ScimClient,
    assert_scim_error,
    created,
    entra_user,
    okta_user,
    patch_body,
    scim,
    scim_secret,
)

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def person_of(resource) -> User:
    return ProvisionedAccount.objects.get(scim_id=resource["id"]).person


# --- Create and read --------------------------------------------------------------------------


def test_entra_creates_a_user_with_the_enterprise_extension(scim):
    response = scim.post("Users", entra_user())

    assert response.status_code == 201
    assert response["Content-Type"] == CONTENT_TYPE
    body = response.json()
    assert response["Location"] == f"http://testserver/scim/v2/Users/{body['id']}"
    assert response["ETag"] == 'W/"1"'
    assert body["schemas"] == [USER_SCHEMA, ENTERPRISE]
    assert body["userName"] == "alice@contoso.com"
    assert body["externalId"] == "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"
    assert body["active"] is True
    assert body["name"]["familyName"] == "Smith"
    assert body["emails"] == [{"value": "alice@contoso.com", "type": "work", "primary": True}]
    assert body["meta"]["resourceType"] == "User"
    assert body["meta"]["version"] == 'W/"1"'
    assert body["meta"]["location"] == response["Location"]
    assert body[ENTERPRISE] == {
        "employeeNumber": "701984",
        "organization": "Contoso",
        "division": "Research",
        "department": "Machine Learning",
    }

    person = person_of(body)
    assert person.email == "alice@contoso.com"
    assert person.display_name == "Alice Smith"
    assert person.job_title == "Applied scientist"
    assert person.employee_number == "701984"
    assert not person.has_usable_password()
    department = person.org_unit
    assert (department.name, department.kind) == ("Machine Learning", OrgUnitKind.GROUP)
    assert (department.parent.name, department.parent.kind) == ("Research", OrgUnitKind.DIVISION)
    change = PersonChange.objects.get(person=person)
    assert (change.kind, change.source) == (ChangeKind.JOINER, ChangeSource.SCIM)


def test_org_units_are_found_by_name_before_they_are_made(scim):
    research = OrgUnitFactory(name="Research", kind=OrgUnitKind.DIVISION)
    scim.post("Users", entra_user())
    scim.post(
        "Users",
        entra_user(
            "bob@contoso.com",
            externalId="b",
            **{
                ENTERPRISE: {
                    "employeeNumber": "2",
                    "division": "research",
                    "department": "machine learning",
                }
            },
        ),
    )
    assert OrgUnit.objects.filter(kind=OrgUnitKind.DIVISION).count() == 1
    assert OrgUnit.objects.filter(kind=OrgUnitKind.GROUP, parent=research).count() == 1


def test_okta_creates_a_user_and_reads_it_back(scim):
    response = scim.post("Users", okta_user())
    assert response.status_code == 201
    body = response.json()
    assert body["locale"] == "en-US"
    assert "password" not in body
    assert ENTERPRISE not in body

    again = scim.get(f"Users/{body['id']}")
    assert again.status_code == 200
    assert again["ETag"] == 'W/"1"'
    assert again.json()["displayName"] == "Test User"
    assert scim.get(f"Users/{body['id']}", headers={"If-None-Match": 'W/"1"'}).status_code == 304


def test_unknown_and_malformed_ids_are_404(scim):
    assert_scim_error(scim.get("Users/6f1c1a86-0000-4000-8000-000000000000"), 404)
    assert_scim_error(scim.get("Users/not-a-uuid"), 404)
    assert_scim_error(scim.patch("Users/not-a-uuid", patch_body()), 404)


def test_a_comeback_is_the_same_person_and_resource(scim, created):
    first = created()
    person = person_of(first)
    scim.patch(f"Users/{first['id']}", patch_body({"op": "replace", "value": {"active": False}}))
    scim.delete(f"Users/{first['id']}")

    again = scim.post("Users", entra_user())

    assert again.status_code == 201
    assert again.json()["id"] != first["id"]  # the deleted resource stays deleted
    assert person_of(again.json()).pk == person.pk
    person.refresh_from_db()
    assert person.is_active
    assert PersonChange.objects.filter(person=person).first().kind == ChangeKind.REACTIVATED


def test_an_existing_account_is_taken_over_by_its_email(scim):
    existing = UserFactory(email="alice@contoso.com", display_name="Alice S.")
    response = scim.post("Users", entra_user())
    assert response.status_code == 201
    assert person_of(response.json()).pk == existing.pk
    existing.refresh_from_db()
    assert existing.display_name == "Alice Smith"


@pytest.mark.parametrize("kind", ["service account", "superuser"])
def test_a_service_account_or_a_superuser_is_never_taken_over(scim, kind):
    flags = {"is_system": True} if kind == "service account" else {"is_superuser": True}
    existing = UserFactory(email="alice@contoso.com", display_name="Alice S.", **flags)

    assert_scim_error(scim.post("Users", entra_user()), 409, "uniqueness")

    existing.refresh_from_db()
    assert existing.is_active
    assert existing.display_name == "Alice S."
    assert not hasattr(existing, "provisioned_account")


# --- Duplicates -------------------------------------------------------------------------------


def test_duplicate_user_name_external_id_email_or_employee_number_is_409(scim, created):
    created()
    assert_scim_error(scim.post("Users", entra_user("ALICE@contoso.com")), 409, "uniqueness")
    other = entra_user("bob@contoso.com")
    other[ENTERPRISE] = {"employeeNumber": "2"}
    assert_scim_error(scim.post("Users", other), 409, "uniqueness")  # same externalId
    other["externalId"] = "bob"
    other["emails"] = [{"value": "alice@contoso.com", "primary": True}]
    assert_scim_error(scim.post("Users", other), 409, "uniqueness")  # same email
    other["emails"] = [{"value": "bob@contoso.com", "primary": True}]
    other[ENTERPRISE] = {"employeeNumber": "701984"}
    assert_scim_error(scim.post("Users", other), 409, "uniqueness")  # same employee number
    assert User.objects.filter(is_staff=False).count() == 1


# --- Listing and filtering --------------------------------------------------------------------


def test_entra_finds_a_user_by_user_name_or_finds_none(scim, created):
    resource = created()
    found = scim.get("Users", filter='userName eq "Alice@Contoso.com"').json()
    assert found["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]
    assert found["totalResults"] == 1
    assert found["Resources"][0]["id"] == resource["id"]
    none = scim.get("Users", filter='userName eq "non-existent user"').json()
    assert (none["totalResults"], none["Resources"]) == (0, [])
    by_external = scim.get("Users", filter=f'externalId eq "{resource["externalId"]}"').json()
    assert by_external["totalResults"] == 1


def test_pagination_is_one_based_and_capped(scim):
    for number in range(3):
        scim.post("Users", okta_user(f"user{number}@okta.local", externalId=str(number)))
    page = scim.get("Users", startIndex=2, count=1).json()
    assert (page["totalResults"], page["itemsPerPage"], page["startIndex"]) == (3, 1, 2)
    assert page["Resources"][0]["userName"] == "user1@okta.local"
    assert scim.get("Users", startIndex=0).json()["startIndex"] == 1
    assert scim.get("Users", count=0).json()["Resources"] == []
    assert scim.get("Users", count=5000).json()["itemsPerPage"] == 3
    assert scim.get("Users", startIndex=99).json()["Resources"] == []
    assert_scim_error(scim.get("Users", count="ten"), 400, "invalidValue")


def test_attributes_and_excluded_attributes_choose_what_is_returned(scim, created):
    created()
    only = scim.get("Users", attributes="userName,name.familyName").json()["Resources"][0]
    assert set(only) == {"id", "schemas", "meta", "userName", "name"}
    assert only["name"] == {"familyName": "Smith"}
    extension = scim.get("Users", attributes=f"{ENTERPRISE}:employeeNumber").json()
    assert extension["Resources"][0][ENTERPRISE] == {"employeeNumber": "701984"}
    without = scim.get("Users", excludedAttributes="emails,name").json()["Resources"][0]
    assert "emails" not in without
    assert "name" not in without
    assert "userName" in without


# --- Replace (PUT) ----------------------------------------------------------------------------


def test_okta_put_replaces_the_user(scim):
    resource = scim.post("Users", okta_user()).json()
    replacement = {
        **okta_user(),
        "id": resource["id"],
        "name": {"givenName": "Tess", "familyName": "User"},
        "displayName": "Tess User",
        "title": "Data scientist",
        "active": True,
    }

    response = scim.put(f"Users/{resource['id']}", replacement)

    assert response.status_code == 200
    assert response["ETag"] == 'W/"2"'
    body = response.json()
    assert body["displayName"] == "Tess User"
    assert body["title"] == "Data scientist"
    assert body["name"]["givenName"] == "Tess"
    person = person_of(resource)
    assert (person.display_name, person.job_title) == ("Tess User", "Data scientist")
    assert PersonChange.objects.filter(person=person).first().kind == ChangeKind.TRANSFER


def test_put_with_active_false_deprovisions(scim, community):
    resource = scim.post("Users", okta_user()).json()
    person = person_of(resource)
    MembershipFactory(community=community, person=person)

    response = scim.put(f"Users/{resource['id']}", {**okta_user(), "active": False})

    assert response.json()["active"] is False
    membership = Membership.objects.get(person=person)
    assert membership.left_reason == LeftReason.LEFT_COMPANY


def test_if_match_is_honoured(scim, created):
    resource = created()
    url = f"Users/{resource['id']}"
    stale = scim.put(url, entra_user(title="Lead"), headers={"If-Match": 'W/"7"'})
    assert_scim_error(stale, 412)
    assert person_of(resource).job_title == "Applied scientist"
    fresh = scim.put(url, entra_user(title="Lead"), headers={"If-Match": 'W/"1"'})
    assert fresh.status_code == 200
    assert fresh["ETag"] == 'W/"2"'


# --- Delete -----------------------------------------------------------------------------------


def test_delete_deprovisions_and_the_resource_is_gone(scim, created, community):
    resource = created()
    person = person_of(resource)
    MembershipFactory(community=community, person=person)

    response = scim.delete(f"Users/{resource['id']}")

    assert response.status_code == 204
    assert_scim_error(scim.get(f"Users/{resource['id']}"), 404)
    person.refresh_from_db()
    assert not person.is_active
    assert Membership.objects.get(person=person).left_reason == LeftReason.LEFT_COMPANY
    assert scim.get("Users").json()["totalResults"] == 0


# --- Authentication ---------------------------------------------------------------------------


def test_a_missing_or_wrong_bearer_token_is_401(scim_secret, staff):
    for client in (
        ScimClient(None),
        ScimClient("scim_nope_nope"),
        ScimClient(scim_secret[:-2] + "xx"),
        ScimClient(token_for(staff)),  # a personal API token is not a provisioning token
    ):
        response = client.get("Users")
        body = assert_scim_error(response, 401)
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert "scimType" not in body
    assert ScimClient(scim_secret).get("Users").status_code == 200


def test_a_revoked_token_stops_working(scim, staff):
    from practica.outreach.models import ProvisioningToken

    revoke_provisioning_token(token=ProvisioningToken.objects.get(), actor=staff)
    assert_scim_error(scim.get("Users"), 401)
    assert_scim_error(scim.post("Users", okta_user()), 401)
    assert not User.objects.filter(email="test.user@okta.local").exists()


# --- Bad input --------------------------------------------------------------------------------


def test_malformed_json_is_400_invalid_syntax(scim):
    assert_scim_error(scim.post("Users", raw="{not json"), 400, "invalidSyntax")
    assert_scim_error(scim.post("Users", raw="[1, 2]"), 400, "invalidSyntax")
    assert_scim_error(scim.post("Users", raw=b"\xff\xfe"), 400, "invalidSyntax")


@pytest.mark.parametrize(
    "change",
    [
        {"userName": None},
        {"userName": 42},
        {"active": "maybe"},
        {"name": "Alice"},
        {"emails": "alice@contoso.com"},
        {"emails": [{"value": "alice@contoso.com", "primary": "sometimes"}]},
        {"title": ["Lead"]},
        {"timezone": "Mars/Olympus"},
        {"schemas": ["urn:example:not-a-user"]},
        {ENTERPRISE: "Research"},
        {ENTERPRISE: {"employeeNumber": 12.5}},
        {"displayName": "x\u0000y"},
        {"emails": [{"value": "not an address", "primary": True}]},
    ],
)
def test_known_attributes_with_the_wrong_type_are_400(scim, change):
    assert_scim_error(scim.post("Users", {**entra_user(), **change}), 400, "invalidValue")
    assert not User.objects.filter(is_staff=False).exists()
    assert not OrgUnit.objects.exists()


def test_unknown_attributes_and_schemas_are_ignored(scim):
    body = {
        **okta_user(),
        "favouriteColour": "blue",
        "urn:example:params:scim:schemas:extension:custom:1.0:User": {"badge": 7},
    }
    response = scim.post("Users", body)
    assert response.status_code == 201
    assert "favouriteColour" not in response.json()


def test_methods_a_resource_does_not_have_are_405(scim):
    response = scim.put("Users", okta_user())
    assert_scim_error(response, 405)
    assert "POST" in response["Allow"]
