"""The people API: directory search, profiles, /me, the org chart and personal access tokens."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from practica.core.models import Activity, ActivityKind
from practica.people.models import OrgUnitKind, PersonalAccessToken, Role
from tests.api.clients import API, token_client
from tests.factories.core import TopicFactory
from tests.factories.people import OrgUnitFactory, UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


@pytest.fixture
def client(member):
    return token_client(member)


def names(response):
    assert response.status_code == 200, response.content
    return [person["display_name"] for person in response.json()["items"]]


# --- Directory -----------------------------------------------------------------------------


def test_the_directory_lists_active_people_by_name(client, member):
    UserFactory(display_name="Ada Lovelace")
    UserFactory(display_name="Zed Left", left_on=date(2020, 1, 1))
    UserFactory(display_name="Build Bot", is_system=True)
    UserFactory(display_name="Gone", is_active=False)

    response = client.get(f"{API}/people")

    assert names(response) == sorted(["Ada Lovelace", member.display_name])
    assert response.json()["count"] == 2


def test_the_directory_searches_name_and_title_words(client):
    UserFactory(display_name="Grace Hopper", job_title="Compiler engineer")
    UserFactory(display_name="Alan Turing", job_title="Researcher")

    assert names(client.get(f"{API}/people", {"q": "grace"})) == ["Grace Hopper"]
    assert names(client.get(f"{API}/people", {"q": "compiler hopper"})) == ["Grace Hopper"]


def test_the_topic_filter_includes_sub_topics_and_ranks_exact_experts_first(client):
    nlp = TopicFactory(name="NLP")
    translation = TopicFactory(name="Machine translation", parent=nlp)
    vision = TopicFactory(name="Vision")
    UserFactory(display_name="A Sub-topic expert", expertise=[translation])
    UserFactory(display_name="B Topic expert", expertise=[nlp])
    UserFactory(display_name="C Vision", expertise=[vision])

    response = client.get(f"{API}/people", {"topic": "nlp"})

    assert names(response) == ["B Topic expert", "A Sub-topic expert"]
    first = response.json()["items"][0]
    assert first["expertise"] == [{"id": nlp.pk, "slug": "nlp", "name": "NLP"}]


def test_the_org_unit_filter_includes_descendant_units(client):
    division = OrgUnitFactory(name="Research")
    team = OrgUnitFactory(name="NLP team", parent=division, kind=OrgUnitKind.TEAM)
    other = OrgUnitFactory(name="Sales")
    UserFactory(display_name="In division", org_unit=division)
    UserFactory(display_name="In team", org_unit=team)
    UserFactory(display_name="Elsewhere", org_unit=other)

    assert names(client.get(f"{API}/people", {"org_unit": "research"})) == [
        "In division",
        "In team",
    ]
    item = client.get(f"{API}/people", {"org_unit": "nlp-team"}).json()["items"][0]
    assert item["org_unit"] == {
        "id": team.pk,
        "slug": "nlp-team",
        "name": "NLP team",
        "kind": "team",
    }


def test_location_and_role_filters(client):
    UserFactory(
        display_name="Shanghai scientist", location="Shanghai", country="CN", role=Role.RESEARCHER
    )
    UserFactory(
        display_name="Shanghai PM", location="Shanghai", country="CN", role=Role.PRODUCT_MANAGER
    )

    assert names(client.get(f"{API}/people", {"location": "shang", "role": "researcher"})) == [
        "Shanghai scientist"
    ]
    assert len(names(client.get(f"{API}/people", {"location": "cn"}))) == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"topic": "no-such-topic"}, "topic"),
        ({"org_unit": "no-such-unit"}, "org_unit"),
        ({"role": "wizard"}, "role"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_unknown_filters_are_422_naming_the_filter(client, params, field):
    response = client.get(f"{API}/people", params)

    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_the_directory_is_paginated_with_limit_and_offset(client, member):
    for number in range(30):
        UserFactory(display_name=f"Person {number:02d}")

    first = client.get(f"{API}/people").json()
    page = client.get(f"{API}/people", {"limit": 5, "offset": 5}).json()
    most = client.get(f"{API}/people", {"limit": 100}).json()

    assert first["count"] == 31
    assert len(first["items"]) == 25
    assert page["items"] == most["items"][5:10]
    assert len(most["items"]) == 31
    for limit in (0, 101, -1):
        assert client.get(f"{API}/people", {"limit": limit}).status_code == 422
    assert client.get(f"{API}/people", {"offset": 1000}).json()["items"] == []


def test_a_page_of_people_takes_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    topics = [TopicFactory() for _ in range(3)]
    unit = OrgUnitFactory()
    for _ in range(10):
        UserFactory(expertise=topics, org_unit=unit)

    with django_assert_max_num_queries(8):
        response = client.get(f"{API}/people")

    assert len(response.json()["items"]) == 11


def test_a_profile_by_id(client):
    boss = UserFactory(display_name="The Boss")
    person = UserFactory(
        display_name="Report", manager=boss, bio="I do NLP.", languages=["en", "zh"]
    )

    response = client.get(f"{API}/people/{person.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["manager"] == {"id": boss.pk, "display_name": "The Boss"}
    assert body["bio"] == "I do NLP."
    assert body["languages"] == ["en", "zh"]
    assert "password" not in body


def test_people_who_left_are_not_found(client):
    gone = UserFactory(left_on=date(2021, 5, 1))

    assert client.get(f"{API}/people/{gone.pk}").status_code == 404


# --- Me ------------------------------------------------------------------------------------


def test_me_is_the_callers_profile(client, member):
    body = client.get(f"{API}/me").json()

    assert body["id"] == member.pk
    assert body["time_zone"] == "Europe/Berlin"
    assert body["is_staff"] is False


def test_patch_me_changes_only_the_fields_sent(client, member):
    unit = OrgUnitFactory(name="Applied AI")
    topic = TopicFactory(name="Speech")

    response = client.patch(
        f"{API}/me",
        {
            "display_name": "  New Name ",
            "time_zone": "Asia/Shanghai",
            "country": "cn",
            "languages": ["en", "zh"],
            "org_unit": "applied-ai",
            "expertise": ["speech"],
        },
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["display_name"] == "New Name"
    assert body["country"] == "CN"
    assert body["org_unit"]["id"] == unit.pk
    assert body["expertise"] == [{"id": topic.pk, "slug": "speech", "name": "Speech"}]
    member.refresh_from_db()
    assert member.time_zone == "Asia/Shanghai"
    assert member.location == "Berlin"
    assert Activity.objects.filter(person=member, kind=ActivityKind.PROFILE_UPDATED).exists()


def test_patch_me_can_clear_the_org_unit_and_expertise(member):
    member.org_unit = OrgUnitFactory()
    member.save()
    member.expertise.set([TopicFactory()])
    client = token_client(member)

    response = client.patch(
        f"{API}/me",
        {"org_unit": None, "expertise": [], "career_level": None},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["org_unit"] is None
    assert response.json()["expertise"] == []
    assert response.json()["career_level"] is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"time_zone": "Europe/Atlantis"}, "time_zone"),
        ({"bio": "x" * 5001}, "bio"),
        ({"display_name": ""}, "display_name"),
        ({"display_name": "   "}, "display_name"),
        ({"display_name": None}, "display_name"),
        ({"role": "wizard"}, "role"),
        ({"career_level": 0}, "career_level"),
        ({"country": "DEU"}, "country"),
        ({"country": "1"}, "country"),
        ({"languages": ["x"] * 13}, "languages"),
        ({"expertise": ["no-such-topic"]}, "expertise"),
        ({"org_unit": "no-such-unit"}, "org_unit"),
        ({"bio": None}, "bio"),
    ],
)
def test_bad_profile_changes_are_422_and_change_nothing(client, member, changes, field):
    before = (member.display_name, member.time_zone, member.bio, member.role, member.country)

    response = client.patch(
        f"{API}/me", {**changes, "location": "Paris"}, content_type="application/json"
    )

    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    member.refresh_from_db()
    assert (
        member.display_name,
        member.time_zone,
        member.bio,
        member.role,
        member.country,
    ) == before
    assert member.location == "Berlin"


# --- Org chart -----------------------------------------------------------------------------


def test_org_units_list_as_a_tree_with_parent_ids(client):
    division = OrgUnitFactory(name="Research")
    group = OrgUnitFactory(name="AI", parent=division, kind=OrgUnitKind.GROUP)
    team = OrgUnitFactory(name="Vision", parent=group, kind=OrgUnitKind.TEAM)
    other = OrgUnitFactory(name="Engineering")

    body = client.get(f"{API}/org-units").json()

    assert [(unit["slug"], unit["parent_id"], unit["depth"]) for unit in body] == [
        ("engineering", None, 0),
        ("research", None, 0),
        ("ai", division.pk, 1),
        ("vision", group.pk, 2),
    ]
    assert {unit["id"] for unit in body} == {division.pk, group.pk, team.pk, other.pk}


def test_an_org_unit_with_its_ancestors_and_children(client):
    division = OrgUnitFactory(name="Research")
    group = OrgUnitFactory(name="AI", parent=division, kind=OrgUnitKind.GROUP)
    OrgUnitFactory(name="Vision", parent=group, kind=OrgUnitKind.TEAM)

    body = client.get(f"{API}/org-units/ai").json()

    assert body["kind"] == "group"
    assert [unit["slug"] for unit in body["ancestors"]] == ["research"]
    assert [unit["slug"] for unit in body["children"]] == ["vision"]


# --- Tokens --------------------------------------------------------------------------------


def test_create_a_token_shows_the_secret_once_and_it_works(client, member):
    response = client.post(
        f"{API}/me/tokens", {"name": "notebook"}, content_type="application/json"
    )

    assert response.status_code == 201
    created = response.json()
    assert created["secret"].startswith("pat_")
    assert created["is_usable"] is True
    listed = client.get(f"{API}/me/tokens").json()
    assert created["id"] in [token["id"] for token in listed]
    assert all("secret" not in token for token in listed)
    assert created["secret"] not in str(listed)
    me = Client().get(f"{API}/me", headers={"Authorization": f"Bearer {created['secret']}"})
    assert me.json()["id"] == member.pk


def test_create_a_token_with_an_expiry(client):
    expires = (timezone.now() + timedelta(days=30)).isoformat()

    response = client.post(
        f"{API}/me/tokens", {"name": "ci", "expires_at": expires}, content_type="application/json"
    )

    assert response.status_code == 201
    assert response.json()["expires_at"] is not None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 81}, "name"),
        ({}, "name"),
        ({"name": "old", "expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
        ({"name": "naive", "expires_at": "2099-01-01T00:00:00"}, "expires_at"),
        ({"name": "junk", "expires_at": "tomorrow"}, "expires_at"),
    ],
)
def test_bad_token_requests_are_422(client, member, payload, field):
    response = client.post(f"{API}/me/tokens", payload, content_type="application/json")

    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert PersonalAccessToken.objects.filter(user=member).count() == 1  # the client's own


def test_revoke_a_token(client, member):
    created = client.post(
        f"{API}/me/tokens", {"name": "old"}, content_type="application/json"
    ).json()

    response = client.delete(f"{API}/me/tokens/{created['id']}")

    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert response.json()["is_usable"] is False
    revoked = Client().get(f"{API}/me", headers={"Authorization": f"Bearer {created['secret']}"})
    assert revoked.status_code == 401
    assert client.delete(f"{API}/me/tokens/{created['id']}").status_code == 200


def test_someone_elses_token_is_not_found(client):
    other = UserFactory()
    foreign = (
        token_client(other)
        .post(f"{API}/me/tokens", {"name": "theirs"}, content_type="application/json")
        .json()
    )

    assert client.delete(f"{API}/me/tokens/{foreign['id']}").status_code == 404
    assert foreign["id"] not in [token["id"] for token in client.get(f"{API}/me/tokens").json()]
