# Fixtures come from scim_helpers; pytest injects them by name.
# ruff: noqa: F401, F811
"""The SCIM filter parser: its grammar (operators, and/or/not, parentheses, value paths,
URN-qualified paths), PATCH paths, in-memory matching, and /Users?filter= over the database;
bad filters are 400 invalidFilter."""

import pytest

from practica.outreach.scim.filters import (
    And,
    AttrPath,
    Compare,
    FilterError,
    Not,
    Or,
    Present,
    ValuePath,
    equalities,
    matches,
    parse_filter,
    parse_patch_path,
)
from tests.outreach.scim_helpers import (
    ENTERPRISE,
    assert_scim_error,
    entra_user,
    okta_user,
    patch_body,
    scim,
    scim_secret,
)

pytestmark = pytest.mark.unit

USER_NAME = AttrPath(schema="", name="userName")


# --- Parsing ----------------------------------------------------------------------------------


def test_a_comparison_and_its_values():
    assert parse_filter('userName eq "bjensen"') == Compare(USER_NAME, "eq", "bjensen")
    assert parse_filter('userName EQ "b\\"j"') == Compare(USER_NAME, "eq", 'b"j')
    assert parse_filter("active eq true").value is True
    assert parse_filter("active eq False").value is False
    assert parse_filter("title eq null").value is None
    assert parse_filter("meta.version gt 2").value == 2
    assert parse_filter("title pr") == Present(AttrPath(schema="", name="title"))


def test_precedence_is_not_then_and_then_or():
    node = parse_filter('title pr or userName eq "a" and not (active eq false)')
    assert isinstance(node, Or)
    assert isinstance(node.right, And)
    assert isinstance(node.right.right, Not)
    grouped = parse_filter('(title pr or userName eq "a") and active eq true')
    assert isinstance(grouped, And)
    assert isinstance(grouped.left, Or)


def test_attribute_paths_with_sub_attributes_and_urns():
    assert parse_filter('name.familyName co "O\'Malley"').path == AttrPath("", "name", "familyName")
    enterprise = parse_filter(f'{ENTERPRISE}:manager.value eq "x"').path
    assert enterprise == AttrPath(ENTERPRISE.lower(), "manager", "value")
    assert enterprise.key == f"{ENTERPRISE.lower()}:manager.value"
    core = parse_filter('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a"').path
    assert core.key == "username"


def test_a_value_path():
    node = parse_filter('emails[type eq "work" and value co "@example.com"]')
    assert isinstance(node, ValuePath)
    assert node.path.name == "emails"
    assert isinstance(node.inner, And)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "userName",
        'userName eq "unterminated',
        'userName like "a"',
        'userName eq "a" and',
        'userName eq "a" or or title pr',
        '(userName eq "a"',
        'userName eq "a")',
        "userName eq bjensen",
        'emails[type eq "work"',
        'name.familyName.more eq "x"',
        '"userName" eq "x"',
        "not title pr",
        "userName eq \x00",
        "(" * 50 + "title pr" + ")" * 50,
        "title pr " + "and title pr " * 2000,
    ],
)
def test_bad_filters_raise(text):
    with pytest.raises(FilterError):
        parse_filter(text)


# --- PATCH paths and matching in memory -------------------------------------------------------


def test_patch_paths():
    path = parse_patch_path('emails[type eq "work"].value')
    assert (path.attr.name, path.sub) == ("emails", "value")
    assert path.filter == Compare(AttrPath("", "type"), "eq", "work")
    assert parse_patch_path("name.givenName").attr == AttrPath("", "name", "givenName")
    manager = parse_patch_path(f"{ENTERPRISE}:manager")
    assert manager.attr == AttrPath(ENTERPRISE.lower(), "manager")
    assert parse_patch_path(ENTERPRISE).whole_extension
    for bad in ("", "emails[type eq", 'emails[type eq "work"]value', "a.b.c"):
        with pytest.raises(FilterError):
            parse_patch_path(bad)


def test_matching_elements_is_case_insensitive_for_strings():
    work = {"value": "A@Example.com", "type": "Work", "primary": True}
    home = {"value": "a@home.example", "type": "home"}
    node = parse_filter('type eq "work" and value ew "example.com"')
    assert matches(node, work)
    assert not matches(node, home)
    assert matches(parse_filter("primary eq true"), work)
    assert matches(parse_filter('primary eq "True"'), {"primary": "True"})
    assert matches(parse_filter("not (primary pr)"), home)
    assert not matches(parse_filter("value gt 3"), work)
    assert equalities(parse_filter('type eq "work"')) == {"type": "work"}
    assert equalities(parse_filter('type eq "work" or type eq "home"')) is None


# --- Over the database ------------------------------------------------------------------------


@pytest.fixture
def people(scim):
    alice = scim.post("Users", entra_user()).json()
    bob = scim.post(
        "Users",
        entra_user(
            "bob@fabrikam.com",
            externalId="bob-1",
            name={"givenName": "Bob", "familyName": "O'Neil"},
            displayName="Bob O'Neil",
            title="Engineer",
            **{ENTERPRISE: {"employeeNumber": "42", "manager": {"value": alice["id"]}}},
        ),
    ).json()
    carol = scim.post("Users", okta_user("carol@okta.local")).json()
    scim.patch(f"Users/{carol['id']}", patch_body({"op": "replace", "value": {"active": False}}))
    return {"alice": alice["id"], "bob": bob["id"], "carol": carol["id"]}


def found(scim, text):
    response = scim.get("Users", filter=text)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["totalResults"] == len(body["Resources"])
    return {item["id"] for item in body["Resources"]}


def test_filters_over_users(scim, people):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    assert found(scim, 'userName sw "BOB@"') == {bob}
    assert found(scim, 'userName ew "contoso.com"') == {alice}
    assert found(scim, 'userName co "@"') == {alice, bob, carol}
    assert found(scim, 'userName ne "bob@fabrikam.com"') == {alice, carol}
    assert found(scim, 'emails.value eq "carol@okta.local"') == {carol}
    assert found(scim, 'emails[value co "fabrikam"]') == {bob}
    assert found(scim, 'emails co "okta"') == {carol}
    assert found(scim, 'name.familyName eq "o\'neil"') == {bob}
    assert found(scim, 'name.givenName sw "Al"') == {alice}
    assert found(scim, "active eq false") == {carol}
    assert found(scim, "not (active eq false)") == {alice, bob}
    assert found(scim, "title pr") == {alice, bob}
    assert found(scim, 'title eq "Engineer" or displayName co "smith"') == {alice, bob}
    assert found(scim, '(title eq "Engineer" or title eq "x") and active eq true') == {bob}
    assert found(scim, f'{ENTERPRISE}:employeeNumber eq "42"') == {bob}
    assert found(scim, f'{ENTERPRISE}:manager.value eq "{alice}"') == {bob}
    assert found(scim, f'id eq "{alice}"') == {alice}
    assert found(scim, 'id eq "not-a-uuid"') == set()
    assert found(scim, 'meta.created gt "2000-01-01T00:00:00Z"') == {alice, bob, carol}
    assert found(scim, 'meta.lastModified lt "2000-01-01T00:00:00"') == set()
    assert found(scim, 'externalId eq "bob-1"') == {bob}
    assert found(scim, 'externalId eq "BOB-1"') == set()  # caseExact
    assert found(scim, "externalId eq null") == set()


@pytest.mark.parametrize(
    "text",
    [
        'favouriteColour eq "blue"',
        'emails.type eq "work"',
        'userName eq "a" and',
        "userName eq 42",
        'active eq "yes"',
        "active gt true",
        'meta.created gt "yesterday"',
        'meta.created co "2020"',
        'id co "abc"',
        "title gt null",
        'emails[value co "a" and emails[type eq "w"]]',
        'urn:example:custom:1.0:User:badge eq "7"',
    ],
)
def test_bad_or_unsupported_filters_are_400_invalid_filter(scim, text):
    assert_scim_error(scim.get("Users", filter=text), 400, "invalidFilter")
