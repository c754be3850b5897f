# Fixtures come from scim_helpers; pytest injects them by name.
# ruff: noqa: F401, F811
"""SCIM PATCH on /Users with the operations Microsoft Entra ID and Okta send: string booleans,
filtered and enterprise URN paths, path-less value objects; deactivation and reactivation,
managers (and looping chains), transfers, and bad PATCH requests that change nothing."""

import pytest

from practica.communities.models import GroupRole, LeftReason, Membership, MembershipRole
from practica.outreach.models import ChangeKind, ContinuityAlert, PersonChange, ProvisionedAccount
from practica.people.models import OrgUnitKind, User
from tests.factories.communities import GroupFactory, GroupMembershipFactory, MembershipFactory
from tests.factories.people import OrgUnitFactory
from tests.outreach.scim_helpers import (
    ENTERPRISE,
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


# --- PATCH ------------------------------------------------------------------------------------


def test_entra_patch_replaces_the_work_email_and_family_name(scim, created):
    resource = created()
    response = scim.patch(
        f"Users/{resource['id']}",
        patch_body(
            {
                "op": "Replace",
                "path": 'emails[type eq "work"].value',
                "value": "updatedEmail@contoso.com",
            },
            {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
        ),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["emails"][0]["value"] == "updatedemail@contoso.com"
    assert body["name"] == {
        "formatted": "Alice Smith",
        "familyName": "updatedFamilyName",
        "givenName": "Alice",
    }
    assert person_of(resource).email == "updatedemail@contoso.com"


def test_entra_patch_with_string_booleans_deactivates_and_reactivates(scim, created, community):
    resource = created()
    person = person_of(resource)
    MembershipFactory(community=community, person=person)
    url = f"Users/{resource['id']}"

    off = scim.patch(url, patch_body({"op": "Replace", "path": "active", "value": "False"}))

    assert off.status_code == 200
    assert off.json()["active"] is False
    person.refresh_from_db()
    assert not person.is_active
    membership = Membership.objects.get(person=person)
    assert membership.left_at is not None
    assert membership.left_reason == LeftReason.LEFT_COMPANY
    assert PersonChange.objects.filter(person=person).first().kind == ChangeKind.LEAVER

    on = scim.patch(url, patch_body({"op": "Replace", "path": "active", "value": "True"}))

    assert on.json()["active"] is True
    assert PersonChange.objects.filter(person=person).first().kind == ChangeKind.REACTIVATED
    assert not Membership.objects.current().filter(person=person).exists()


def test_deactivating_a_group_owner_alerts_the_community_managers(scim, created, community):
    resource = created()
    person = person_of(resource)
    MembershipFactory(community=community, person=person)
    MembershipFactory(community=community, role=MembershipRole.MANAGER)
    GroupMembershipFactory(
        group=GroupFactory(community=community), person=person, role=GroupRole.OWNER
    )

    scim.patch(
        f"Users/{resource['id']}",
        patch_body({"op": "Replace", "path": "active", "value": "False"}),
    )

    alert = ContinuityAlert.objects.get(leaver=person)
    assert alert.items.get().kind == "group"


def test_okta_patch_value_object_deactivates(scim):
    resource = scim.post("Users", okta_user()).json()
    response = scim.patch(
        f"Users/{resource['id']}", patch_body({"op": "replace", "value": {"active": False}})
    )
    assert response.json()["active"] is False
    assert not person_of(resource).is_active


def test_entra_sets_and_removes_the_manager_by_enterprise_path(scim, created):
    boss = created(user_name="boss@contoso.com", externalId="boss")
    boss_person = person_of(boss)
    report = scim.post(
        "Users", entra_user("report@contoso.com", externalId="r", **{ENTERPRISE: {}})
    ).json()
    url = f"Users/{report['id']}"
    path = f"{ENTERPRISE}:manager"

    added = scim.patch(url, patch_body({"op": "Add", "path": path, "value": boss["id"]}))

    assert added.status_code == 200
    assert added.json()[ENTERPRISE]["manager"]["value"] == boss["id"]
    assert added.json()[ENTERPRISE]["manager"]["displayName"] == "Alice Smith"
    assert person_of(report).manager == boss_person
    assert PersonChange.objects.filter(person=person_of(report)).first().kind == ChangeKind.TRANSFER
    filtered = scim.get("Users", filter=f'{ENTERPRISE}:manager.value eq "{boss["id"]}"').json()
    assert [item["id"] for item in filtered["Resources"]] == [report["id"]]

    removed = scim.patch(url, patch_body({"op": "Remove", "path": path}))

    assert "manager" not in removed.json().get(ENTERPRISE, {})
    assert person_of(report).manager is None


def test_an_unknown_or_cyclic_manager_is_400_and_changes_nothing(scim, created):
    top = created(user_name="top@contoso.com", externalId="top")
    below = scim.post(
        "Users",
        entra_user(
            "below@contoso.com",
            externalId="below",
            **{ENTERPRISE: {"employeeNumber": "2", "manager": {"value": top["id"]}}},
        ),
    ).json()
    assert person_of(below).manager == person_of(top)

    cyclic = scim.patch(
        f"Users/{top['id']}",
        patch_body(
            {"op": "Replace", "path": "title", "value": "Boss"},
            {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": below["id"]},
        ),
    )
    assert_scim_error(cyclic, 400, "invalidValue")
    unknown = scim.patch(
        f"Users/{top['id']}",
        patch_body({"op": "Add", "path": f"{ENTERPRISE}:manager", "value": "nobody-we-know"}),
    )
    assert_scim_error(unknown, 400, "invalidValue")
    top_person = person_of(top)
    assert top_person.manager is None
    assert top_person.job_title == "Applied scientist"  # the first operation was not applied


def test_a_department_change_is_a_transfer(scim, created):
    resource = created()
    response = scim.patch(
        f"Users/{resource['id']}",
        patch_body(
            {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "Speech"},
        ),
    )
    assert response.json()[ENTERPRISE]["department"] == "Speech"
    person = person_of(resource)
    assert person.org_unit.name == "Speech"
    assert person.org_unit.parent.name == "Research"
    change = PersonChange.objects.filter(person=person).first()
    assert change.kind == ChangeKind.TRANSFER
    assert person.affiliations.get(valid_to=None).org_unit == person.org_unit


def test_a_person_in_a_team_stays_there_when_other_fields_change(scim, created):
    resource = created()
    person = person_of(resource)
    team = OrgUnitFactory(name="Speech team", kind=OrgUnitKind.TEAM, parent=person.org_unit)
    person.org_unit = team
    person.save(update_fields=["org_unit"])

    scim.patch(
        f"Users/{resource['id']}", patch_body({"op": "Add", "path": "title", "value": "Lead"})
    )

    person.refresh_from_db()
    assert person.org_unit == team
    assert person.job_title == "Lead"


def test_entra_path_less_replace_with_dotted_and_urn_keys(scim, created):
    resource = created()
    response = scim.patch(
        f"Users/{resource['id']}",
        patch_body(
            {
                "op": "Replace",
                "value": {
                    "displayName": "Alice Jones",
                    "name.familyName": "Jones",
                    f"{ENTERPRISE}:employeeNumber": "9",
                    'addresses[type eq "work"].country': "DE",
                },
            }
        ),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["displayName"] == "Alice Jones"
    assert body["name"]["familyName"] == "Jones"
    assert body[ENTERPRISE]["employeeNumber"] == "9"
    assert body["addresses"] == [{"type": "work", "country": "DE"}]
    person = person_of(resource)
    assert (person.employee_number, person.country) == ("9", "DE")


def test_patch_remove_clears_and_add_of_nothing_new_records_nothing(scim, created):
    resource = created()
    url = f"Users/{resource['id']}"
    scim.patch(url, patch_body({"op": "remove", "path": "title"}))
    person = person_of(resource)
    assert person.job_title == ""
    changes = PersonChange.objects.filter(person=person).count()
    same = scim.patch(url, patch_body({"op": "add", "path": "displayName", "value": "Alice Smith"}))
    assert same.status_code == 200
    assert PersonChange.objects.filter(person=person).count() == changes
    assert same["ETag"] == scim.get(url)["ETag"]


def test_bad_patch_requests_are_400_and_apply_nothing(scim, created):
    resource = created()
    url = f"Users/{resource['id']}"
    title = {"op": "replace", "path": "title", "value": "Changed"}
    cases = [
        (patch_body(title, {"op": "move", "path": "title"}), "invalidSyntax"),
        (patch_body(title, {"op": "remove"}), "noTarget"),
        (patch_body(title, {"op": "replace", "path": "emails[type eq"}), "invalidPath"),
        (patch_body(title, {"op": "replace", "value": "not an object"}), "invalidValue"),
        (patch_body(title, {"op": "replace", "path": "active", "value": 3}), "invalidValue"),
        ({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}, "invalidSyntax"),
        ({"schemas": ["wrong"], "Operations": [title]}, "invalidSyntax"),
        (patch_body("not an operation"), "invalidSyntax"),
    ]
    for body, scim_type in cases:
        assert_scim_error(scim.patch(url, body), 400, scim_type)
    assert person_of(resource).job_title == "Applied scientist"
