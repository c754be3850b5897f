# Fixtures come from scim_helpers; pytest injects them by name.
# ruff: noqa: F401, F811
"""SCIM /Groups: create, read, filter, replace, the member PATCHes of Entra ID and Okta, and
delete; unknown members, duplicate names and bad requests."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practica.outreach.models import ProvisionedAccount, ScimGroup
from tests.outreach.scim_helpers import (
    ENTERPRISE,
    GROUP_SCHEMA,
    assert_scim_error,
    okta_user,
    patch_body,
    scim,
    scim_secret,
)

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


@pytest.fixture
def users(scim):
    ids = []
    for number in range(3):
        response = scim.post("Users", okta_user(f"user{number}@okta.local", externalId=str(number)))
        ids.append(response.json()["id"])
    return ids


def members_of(group_id):
    group = ScimGroup.objects.get(scim_id=group_id)
    return {
        str(account.scim_id)
        for account in ProvisionedAccount.objects.filter(person__in=group.members.all())
    }


def test_okta_creates_a_group_and_reads_it(scim, users):
    response = scim.post(
        "Groups",
        {
            "schemas": [GROUP_SCHEMA],
            "displayName": "Test SCIMv2",
            "members": [{"value": users[0], "display": "user0@okta.local"}],
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert response["Location"].endswith(f"/scim/v2/Groups/{body['id']}")
    assert response["ETag"] == 'W/"1"'
    assert body["schemas"] == [GROUP_SCHEMA]
    assert body["displayName"] == "Test SCIMv2"
    assert [member["value"] for member in body["members"]] == [users[0]]
    assert body["members"][0]["display"] == "Test User"
    assert body["members"][0]["type"] == "User"
    assert body["meta"]["resourceType"] == "Group"
    assert scim.get(f"Groups/{body['id']}").json()["displayName"] == "Test SCIMv2"


def test_entra_finds_a_group_by_name_without_members(scim, users):
    group = scim.post("Groups", {"displayName": "Data science", "members": [{"value": users[0]}]})
    group_id = group.json()["id"]
    listed = scim.get(
        "Groups", excludedAttributes="members", filter='displayName eq "DATA science"'
    ).json()
    assert listed["totalResults"] == 1
    assert listed["Resources"][0]["id"] == group_id
    assert "members" not in listed["Resources"][0]
    assert scim.get("Groups", filter='displayName eq "nothing"').json()["totalResults"] == 0
    by_member = scim.get("Groups", filter=f'members[value eq "{users[0]}"]').json()
    assert by_member["totalResults"] == 1
    assert_scim_error(scim.get("Groups", filter='owner eq "x"'), 400, "invalidFilter")


def test_members_are_loaded_only_when_the_attributes_asked_for_include_them(scim, users):
    created = scim.post("Groups", {"displayName": "Data", "members": [{"value": users[0]}]})
    group_id = created.json()["id"]
    [named] = scim.get("Groups", attributes="displayName").json()["Resources"]
    assert set(named) == {"schemas", "id", "displayName", "meta"}
    assert (named["id"], named["displayName"]) == (group_id, "Data")
    [with_members] = scim.get("Groups", attributes="displayName,MEMBERS").json()["Resources"]
    assert [member["value"] for member in with_members["members"]] == [users[0]]
    alone = scim.get(f"Groups/{group_id}", excludedAttributes="Members").json()
    assert "members" not in alone
    assert alone["displayName"] == "Data"


def test_entra_adds_and_removes_members_with_value_lists(scim, users):
    group_id = scim.post("Groups", {"displayName": "Readers"}).json()["id"]
    url = f"Groups/{group_id}"

    added = scim.patch(
        url,
        patch_body(
            {
                "op": "Add",
                "path": "members",
                "value": [{"$ref": None, "value": users[0]}, {"$ref": None, "value": users[1]}],
            }
        ),
    )
    assert added.status_code == 200
    assert members_of(group_id) == {users[0], users[1]}
    again = scim.patch(
        url, patch_body({"op": "Add", "path": "members", "value": [{"value": users[0]}]})
    )
    assert again.status_code == 200
    assert ScimGroup.objects.get(scim_id=group_id).members.count() == 2

    removed = scim.patch(
        url, patch_body({"op": "Remove", "path": "members", "value": [{"value": users[0]}]})
    )
    assert removed.status_code == 200
    assert members_of(group_id) == {users[1]}
    renamed = scim.patch(
        url, patch_body({"op": "Replace", "path": "displayName", "value": "Reading group"})
    )
    assert renamed.json()["displayName"] == "Reading group"


def test_okta_renames_and_removes_a_member_by_filter(scim, users):
    group_id = scim.post(
        "Groups", {"displayName": "Okta group", "members": [{"value": u} for u in users]}
    ).json()["id"]
    url = f"Groups/{group_id}"

    renamed = scim.patch(
        url,
        patch_body({"op": "replace", "value": {"id": group_id, "displayName": "Okta renamed"}}),
    )
    assert renamed.json()["displayName"] == "Okta renamed"
    assert renamed["ETag"] == 'W/"2"'

    removed = scim.patch(
        url, patch_body({"op": "remove", "path": f'members[value eq "{users[1]}"]'})
    )
    assert removed.status_code == 200
    assert members_of(group_id) == {users[0], users[2]}
    emptied = scim.patch(url, patch_body({"op": "remove", "path": "members"}))
    assert emptied.json()["members"] == []


def test_put_replaces_the_name_and_members(scim, users):
    group_id = scim.post(
        "Groups", {"displayName": "Before", "members": [{"value": users[0]}]}
    ).json()["id"]
    response = scim.put(
        f"Groups/{group_id}",
        {"schemas": [GROUP_SCHEMA], "displayName": "After", "members": [{"value": users[2]}]},
    )
    assert response.status_code == 200
    assert response.json()["displayName"] == "After"
    assert members_of(group_id) == {users[2]}
    stale = scim.put(f"Groups/{group_id}", {"displayName": "Stale"}, headers={"If-Match": 'W/"1"'})
    assert_scim_error(stale, 412)


def test_delete_removes_the_group_and_a_deleted_user_leaves_groups(scim, users):
    group_id = scim.post(
        "Groups", {"displayName": "G", "members": [{"value": u} for u in users]}
    ).json()["id"]
    assert scim.delete(f"Users/{users[0]}").status_code == 204
    assert members_of(group_id) == {users[1], users[2]}
    assert scim.get(f"Groups/{group_id}").json()["meta"]["version"] == 'W/"2"'

    assert scim.delete(f"Groups/{group_id}").status_code == 204
    assert_scim_error(scim.get(f"Groups/{group_id}"), 404)
    assert_scim_error(scim.delete(f"Groups/{group_id}"), 404)


def test_bad_group_requests(scim, users):
    assert_scim_error(scim.post("Groups", {"members": []}), 400, "invalidValue")
    assert_scim_error(scim.post("Groups", {"displayName": 7}), 400, "invalidValue")
    assert_scim_error(
        scim.post("Groups", {"displayName": "X", "members": [{"value": "unknown"}]}),
        400,
        "invalidValue",
    )
    assert_scim_error(scim.post("Groups", {"displayName": "X", "members": "all"}), 400)
    assert not ScimGroup.objects.exists()
    scim.post("Groups", {"displayName": "Taken"})
    assert_scim_error(scim.post("Groups", {"displayName": "taken"}), 409, "uniqueness")
    group_id = scim.post("Groups", {"displayName": "Other"}).json()["id"]
    rename = patch_body({"op": "replace", "path": "displayName", "value": "Taken"})
    assert_scim_error(scim.patch(f"Groups/{group_id}", rename), 409, "uniqueness")
    bad_member = patch_body(
        {"op": "add", "path": "members", "value": [{"value": users[0]}]},
        {"op": "add", "path": "members", "value": [{"value": "nobody"}]},
    )
    assert_scim_error(scim.patch(f"Groups/{group_id}", bad_member), 400, "invalidValue")
    assert members_of(group_id) == set()
    assert_scim_error(scim.get("Groups/not-a-uuid"), 404)


def test_listing_reads_as_many_queries_for_many_users_and_groups_as_for_few(scim):
    def queries_for_a_page():
        with CaptureQueriesContext(connection) as users_page:
            assert scim.get("Users").status_code == 200
        with CaptureQueriesContext(connection) as groups_page:
            assert scim.get("Groups").status_code == 200
        return len(users_page), len(groups_page)

    def add(count, start):
        ids = [
            scim.post("Users", okta_user(f"u{start + n}@okta.local", externalId=f"{start + n}"))
            for n in range(count)
        ]
        ids = [response.json()["id"] for response in ids]
        for user_id in ids[1:]:
            manager = patch_body({"op": "add", "path": f"{ENTERPRISE}:manager", "value": ids[0]})
            assert scim.patch(f"Users/{user_id}", manager).status_code == 200
        members = [{"value": user_id} for user_id in ids]
        team = scim.post("Groups", {"displayName": f"Team {start}", "members": members})
        assert team.status_code == 201

    add(2, 0)
    few = queries_for_a_page()
    add(6, 100)
    assert scim.get("Users").json()["totalResults"] == 8
    assert queries_for_a_page() == few
