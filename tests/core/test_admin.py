"""The admin: every page of ours loads, tree nodes get correct paths, ledgers are read-only."""

import pytest
from django.urls import reverse

from practica.core.models import Activity, Topic
from practica.core.services import record_activity
from practica.people.models import OrgUnit, PersonalAccessToken, User
from practica.people.services import create_access_token
from tests.factories.core import TopicFactory
from tests.factories.people import OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "model",
    [
        "core_topic",
        "core_activity",
        "core_auditlogentry",
        "people_user",
        "people_orgunit",
        "people_personalaccesstoken",
    ],
)
def test_changelist_and_add_pages_load(admin_client, model):
    TopicFactory()
    OrgUnitFactory()

    assert admin_client.get(reverse(f"admin:{model}_changelist")).status_code == 200


def test_adding_a_topic_under_a_parent_computes_its_path_and_depth(admin_client):
    nlp = TopicFactory(name="NLP")

    response = admin_client.post(
        reverse("admin:core_topic_add"),
        {
            "name": "Machine translation",
            "slug": "machine-translation",
            "parent": nlp.pk,
            "description": "",
        },
    )

    assert response.status_code == 302
    topic = Topic.objects.get(slug="machine-translation")
    assert topic.path == "/nlp/machine-translation/"
    assert topic.depth == 1


def test_a_topics_slug_and_parent_cannot_be_changed_in_the_admin(admin_client):
    nlp = TopicFactory(name="NLP")
    child = TopicFactory(name="Parsing", parent=nlp)
    other = TopicFactory(name="Vision")

    admin_client.post(
        reverse("admin:core_topic_change", args=[child.pk]),
        {"name": "Syntactic parsing", "slug": "moved", "parent": other.pk, "description": ""},
    )

    child.refresh_from_db()
    assert child.name == "Syntactic parsing"
    assert (child.slug, child.parent_id, child.path) == ("parsing", nlp.pk, "/nlp/parsing/")


def test_adding_an_org_unit_computes_its_path(admin_client):
    division = OrgUnitFactory(name="Research")

    response = admin_client.post(
        reverse("admin:people_orgunit_add"),
        {"name": "Language Team", "slug": "language-team", "kind": "team", "parent": division.pk},
    )

    assert response.status_code == 302
    unit = OrgUnit.objects.get(slug="language-team")
    assert (unit.path, unit.depth) == ("/research/language-team/", 1)


def test_adding_a_member_lowercases_the_email_and_refuses_duplicates(admin_client):
    UserFactory(email="taken@example.com")
    add_url = reverse("admin:people_user_add")

    created = admin_client.post(
        add_url,
        {
            "email": "New.Person@Example.com",
            "display_name": "New Person",
            "usable_password": "true",
            "password1": "a-Long-passphrase-77",
            "password2": "a-Long-passphrase-77",
        },
    )
    duplicate = admin_client.post(
        add_url,
        {
            "email": "TAKEN@example.com",
            "display_name": "Copy",
            "usable_password": "true",
            "password1": "a-Long-passphrase-77",
            "password2": "a-Long-passphrase-77",
        },
    )

    assert created.status_code == 302
    assert User.objects.get(email="new.person@example.com").check_password("a-Long-passphrase-77")
    assert duplicate.status_code == 200
    assert "already exists" in duplicate.content.decode()
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1


def test_member_change_page_loads(admin_client):
    person = UserFactory()

    assert (
        admin_client.get(reverse("admin:people_user_change", args=[person.pk])).status_code == 200
    )


def test_ledgers_are_read_only(admin_client):
    person = UserFactory()
    activity = record_activity(kind="joined", person_id=person.pk)

    assert admin_client.get(reverse("admin:core_activity_add")).status_code == 403
    assert (
        admin_client.post(
            reverse("admin:core_activity_delete", args=[activity.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Activity.objects.filter(pk=activity.pk).exists()
    assert admin_client.get(reverse("admin:core_auditlogentry_add")).status_code == 403


def test_tokens_cannot_be_added_in_the_admin_but_can_be_revoked(admin_client):
    token, _secret = create_access_token(user=UserFactory(), name="script")

    assert admin_client.get(reverse("admin:people_personalaccesstoken_add")).status_code == 403
    response = admin_client.post(
        reverse("admin:people_personalaccesstoken_changelist"),
        {"action": "revoke_selected", "_selected_action": [token.pk]},
    )

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert PersonalAccessToken.objects.count() == 1
