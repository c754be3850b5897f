"""Writes about people: members, profiles, org units, API tokens."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from practica.core.models import Activity, ActivityKind, AuditLogEntry
from practica.people.models import OrgUnitKind, User
from practica.people.queries import org_unit_at_depth, org_unit_chain, search_directory
from practica.people.services import (
    MAX_TOKENS_PER_MEMBER,
    authenticate_access_token,
    create_access_token,
    create_member,
    create_org_unit,
    revoke_access_token,
    set_preferred_language,
    update_profile,
)
from tests.factories.core import TopicFactory
from tests.factories.people import OrgUnitFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def test_create_member_normalises_the_email_and_refuses_duplicates_in_any_case():
    person = create_member(email="  Ada.Lovelace@Example.COM ", display_name="Ada Lovelace")
    assert person.email == "ada.lovelace@example.com"
    assert not person.has_usable_password()

    with pytest.raises(ValidationError) as error:
        create_member(email="ADA.LOVELACE@example.com", display_name="Someone else")
    assert "email" in error.value.message_dict
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"career_level": 11}, "career_level"),
        ({"career_level": 0}, "career_level"),
        ({"bio": "x" * 5001}, "bio"),
        ({"role": "wizard"}, "role"),
        ({"country": "Germany"}, "country"),
        ({"display_name": "   "}, "display_name"),
        ({"languages": [f"lang{n}" for n in range(20)]}, "languages"),
        ({"is_staff": True}, "__all__"),
    ],
)
def test_update_profile_rejects_bad_input_and_changes_nothing(changes, field):
    person = UserFactory(time_zone="Europe/Berlin", career_level=4, bio="Hello")
    with pytest.raises(ValidationError) as error:
        update_profile(person=person, actor=person, **changes)
    assert field in error.value.message_dict

    person.refresh_from_db()
    assert (person.time_zone, person.career_level, person.bio) == ("Europe/Berlin", 4, "Hello")
    assert not person.is_staff
    assert not Activity.objects.filter(kind=ActivityKind.PROFILE_UPDATED).exists()


def test_update_profile_saves_fields_and_expertise_and_records_activity():
    person = UserFactory()
    topic = TopicFactory(name="Speech")

    update_profile(
        person=person,
        actor=person,
        time_zone="Asia/Shanghai",
        career_level=6,
        languages="English, 中文",
        expertise=[topic],
    )

    person.refresh_from_db()
    assert person.time_zone == "Asia/Shanghai"
    assert person.languages == ["English", "中文"]
    assert list(person.expertise.all()) == [topic]
    assert Activity.objects.filter(kind=ActivityKind.PROFILE_UPDATED, person=person).exists()


def test_only_the_member_or_staff_may_edit_a_profile():
    person, other = UserFactory(), UserFactory()
    with pytest.raises(PermissionDenied):
        update_profile(person=person, actor=other, bio="hijacked")

    admin = UserFactory(is_staff=True)
    update_profile(person=person, actor=admin, bio="Fixed by support")
    assert AuditLogEntry.objects.filter(action="profile.updated", actor=admin).exists()


def test_a_member_cannot_manage_themself_through_a_chain():
    boss = UserFactory()
    report = UserFactory(manager=boss)
    with pytest.raises(ValidationError) as error:
        update_profile(person=boss, actor=boss, manager=report)
    assert "manager" in error.value.message_dict


def test_set_preferred_language_accepts_only_site_languages():
    person = UserFactory()
    set_preferred_language(person=person, language="zh-hans")
    assert User.objects.get(pk=person.pk).preferred_language == "zh-hans"
    with pytest.raises(ValidationError):
        set_preferred_language(person=person, language="tlh")


def test_org_units_form_a_tree_queried_by_path():
    research = create_org_unit(name="Research", kind=OrgUnitKind.DIVISION)
    ai = create_org_unit(name="AI Research", kind=OrgUnitKind.GROUP, parent=research)
    team = create_org_unit(name="Translation Team", kind=OrgUnitKind.TEAM, parent=ai)

    assert team.path == "/research/ai-research/translation-team/"
    assert org_unit_chain(team) == [research, ai, team]
    assert org_unit_at_depth(team, 1) == ai
    assert org_unit_at_depth(research, 2) == research
    with pytest.raises(ValidationError):
        create_org_unit(name="Research", kind=OrgUnitKind.DIVISION)
    with pytest.raises(ValidationError):
        create_org_unit(name="Lab", kind="department")


def test_directory_finds_experts_in_a_topic_and_its_subtopics_best_first():
    nlp = TopicFactory(name="NLP")
    translation = TopicFactory(name="Machine translation", parent=nlp)
    vision = TopicFactory(name="Vision")
    generalist = UserFactory(display_name="Gen", expertise=[nlp, translation])
    specialist = UserFactory(display_name="Spec", expertise=[translation])
    UserFactory(display_name="Other", expertise=[vision])
    UserFactory(display_name="Gone", expertise=[nlp], is_active=False)

    found = list(search_directory(topic=nlp))

    assert found == [generalist, specialist]


def test_directory_filters_by_org_unit_subtree_location_role_and_text():
    research = OrgUnitFactory(name="Research")
    team = OrgUnitFactory(name="Speech Team", parent=research)
    inside = UserFactory(
        display_name="Li Wei", org_unit=team, location="Beijing", country="CN", role="researcher"
    )
    UserFactory(
        display_name="Li Na",
        org_unit=OrgUnitFactory(name="Sales"),
        location="Beijing",
        country="CN",
    )

    assert list(search_directory(org_unit=research)) == [inside]
    assert list(search_directory(text="li", role="researcher")) == [inside]
    assert set(search_directory(location="cn")) == set(User.objects.filter(country="CN"))


def test_access_tokens_are_hashed_authenticate_and_can_be_revoked():
    person = UserFactory()
    token, secret = create_access_token(user=person, name="notebook")

    assert secret not in token.token_hash
    assert authenticate_access_token(secret) == person
    assert authenticate_access_token(secret + "x") is None
    assert authenticate_access_token("garbage") is None

    with pytest.raises(PermissionDenied):
        revoke_access_token(token=token, actor=UserFactory())
    revoke_access_token(token=token, actor=person)
    assert authenticate_access_token(secret) is None


def test_access_tokens_expire_and_stop_working_for_deactivated_members():
    person = UserFactory()
    with pytest.raises(ValidationError):
        create_access_token(user=person, name="past", expires_at=timezone.now())
    token, secret = create_access_token(
        user=person, name="soon", expires_at=timezone.now() + timedelta(days=1)
    )
    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save()
    assert authenticate_access_token(secret) is None

    _token, fresh = create_access_token(user=person, name="fresh")
    person.is_active = False
    person.save()
    assert authenticate_access_token(fresh) is None


def test_access_token_names_are_validated_and_counted():
    person = UserFactory()
    with pytest.raises(ValidationError):
        create_access_token(user=person, name="  ")
    for n in range(MAX_TOKENS_PER_MEMBER):
        create_access_token(user=person, name=f"t{n}")
    with pytest.raises(ValidationError):
        create_access_token(user=person, name="one too many")
