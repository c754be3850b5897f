"""Names unique within a community (segments, campaigns): a name taken is a ValidationError
on `name`, whether it was seen first or lost to a concurrent write the constraint settles."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from practica.outreach.models import Campaign, Segment
from practica.outreach.services import unique_names
from practica.outreach.services.unique_names import create_named, name_taken, save_changes
from tests.factories.communities import CommunityFactory
from tests.factories.outreach import CampaignFactory, SegmentFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def taken(name):
    return ValidationError({"name": f"“{name}” is taken."})


def test_a_name_is_taken_case_insensitively_in_its_community_only(community):
    segment = SegmentFactory(community=community, name="Data hires")
    assert name_taken(Segment, community.pk, "DATA HIRES")
    assert not name_taken(Segment, community.pk, "data hires", exclude_pk=segment.pk)
    assert not name_taken(Segment, CommunityFactory().pk, "Data hires")
    assert not name_taken(Campaign, community.pk, "Data hires")


def test_creating_with_a_taken_name_is_refused_on_the_name(community, manager):
    SegmentFactory(community=community, name="Data hires")
    with pytest.raises(ValidationError) as refused:
        create_named(
            Segment, community=community, taken=taken, name="data HIRES", created_by=manager
        )
    assert refused.value.message_dict == {"name": ["“data HIRES” is taken."]}
    assert Segment.objects.count() == 1


def test_a_concurrent_create_settled_by_the_constraint_is_the_same_refusal(
    community, manager, monkeypatch
):
    SegmentFactory(community=community, name="Data hires")
    # The other writer committed after our look: only the unique constraint sees it.
    monkeypatch.setattr(unique_names, "name_taken", lambda *args, **kwargs: False)
    with transaction.atomic(), pytest.raises(ValidationError) as refused:
        create_named(Segment, community=community, taken=taken, name="Data hires", rules=[])
    assert refused.value.message_dict == {"name": ["“Data hires” is taken."]}
    assert Segment.objects.count() == 1


def test_saving_changes_saves_only_what_differs(community):
    campaign = CampaignFactory(community=community, name="Welcome", local_hour=9)
    before = Campaign.objects.get(pk=campaign.pk).updated_at
    assert save_changes(campaign, {"name": "Welcome", "local_hour": 9}, taken=taken) == []
    assert Campaign.objects.get(pk=campaign.pk).updated_at == before
    assert save_changes(campaign, {"name": "Hello", "local_hour": 9}, taken=taken) == ["name"]
    assert Campaign.objects.get(pk=campaign.pk).name == "Hello"


def test_renaming_onto_a_taken_name_is_refused_seen_or_raced(community, monkeypatch):
    CampaignFactory(community=community, name="Welcome")
    campaign = CampaignFactory(community=community, name="Hello")
    with pytest.raises(ValidationError, match="“WELCOME” is taken"):
        save_changes(campaign, {"name": "WELCOME"}, taken=taken)
    monkeypatch.setattr(unique_names, "name_taken", lambda *args, **kwargs: False)
    with transaction.atomic(), pytest.raises(ValidationError, match="“Welcome” is taken"):
        save_changes(campaign, {"name": "Welcome"}, taken=taken)
    assert Campaign.objects.get(pk=campaign.pk).name == "Hello"
