"""The shared kernel's writes: the topic taxonomy, the activity ledger, the audit log."""

import pytest
from django.core.exceptions import ValidationError

from practica.core.models import Activity, ActivityKind, AuditLogEntry, Topic
from practica.core.queries import topics_with_descendants
from practica.core.services import create_topic, record_activity, record_audit
from tests.factories.communities import CommunityFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def test_create_topic_builds_the_path_under_its_parent():
    nlp = create_topic(name="NLP")
    translation = create_topic(name="Machine translation", parent=nlp)

    assert nlp.path == "/nlp/"
    assert translation.path == "/nlp/machine-translation/"
    assert translation.depth == 1
    assert translation.full_name == "NLP › Machine translation"


def test_topic_subtree_includes_descendants_only():
    nlp = create_topic(name="NLP")
    create_topic(name="Machine translation", parent=nlp)
    create_topic(name="Computer vision")

    names = set(topics_with_descendants([nlp]).values_list("name", flat=True))

    assert names == {"NLP", "Machine translation"}


@pytest.mark.parametrize("name", ["", "   ", "!!!"])
def test_create_topic_rejects_names_without_letters(name):
    with pytest.raises(ValidationError):
        create_topic(name=name)
    assert not Topic.objects.exists()


def test_create_topic_rejects_a_duplicate_slug():
    create_topic(name="Speech")
    with pytest.raises(ValidationError) as error:
        create_topic(name="speech")
    assert "slug" in error.value.message_dict
    assert Topic.objects.count() == 1


def test_record_activity_keeps_subject_and_counterpart(member, staff):
    community = CommunityFactory()

    row = record_activity(
        kind=ActivityKind.JOINED,
        person_id=member.pk,
        community_id=community.pk,
        subject=community,
        counterpart_id=staff.pk,
        data={"source": "organic"},
    )

    stored = Activity.objects.get(pk=row.pk)
    assert stored.subject == community
    assert stored.counterpart == staff
    assert stored.data == {"source": "organic"}


def test_record_audit_names_actor_and_target(member, staff):
    entry = record_audit(actor_id=staff.pk, action="profile.updated", target=member)

    stored = AuditLogEntry.objects.get(pk=entry.pk)
    assert stored.actor == staff
    assert stored.target == member
