"""Segments on the web and in the services: managers only, the rule editor (rows, adding a row,
messages on the bad row), the live count, a segment's page with its people, deleting."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from practica.core.models import AuditLogEntry
from practica.outreach.models import Segment
from practica.outreach.services.segments import create_segment, delete_segment, update_segment
from tests.factories.outreach import CampaignFactory, NewHireFactory, SegmentFactory

pytestmark = pytest.mark.django_db

RULES = [{"field": "job_title", "op": "matches", "value": "scientist"}]


def rows(*rules, extra=0):
    data = {"rules-TOTAL_FORMS": str(len(rules) + extra), "rules-INITIAL_FORMS": "0"}
    for number, (field, op, value) in enumerate(rules):
        data.update(
            {
                f"rules-{number}-field": field,
                f"rules-{number}-op": op,
                f"rules-{number}-value": value,
            }
        )
    return data


# --- Services -------------------------------------------------------------------------------------


def test_managers_create_change_and_delete_segments(community, manager):
    segment = create_segment(community=community, actor=manager, name="  ML  hires ", rules=RULES)
    assert (segment.name, segment.rules, segment.created_by) == ("ML hires", RULES, manager)
    changed = update_segment(segment=segment, actor=manager, description="New people")
    assert changed.description == "New people"
    assert changed.rules == RULES
    delete_segment(segment=segment, actor=manager)
    assert not Segment.objects.exists()
    actions = AuditLogEntry.objects.filter(action__startswith="outreach.segment_").order_by("pk")
    assert list(actions.values_list("action", flat=True)) == [
        "outreach.segment_created",
        "outreach.segment_changed",
        "outreach.segment_deleted",
    ]


def test_others_may_not(community, manager, member, staff):
    with pytest.raises(PermissionDenied):
        create_segment(community=community, actor=member, name="x", rules=RULES)
    segment = create_segment(community=community, actor=staff, name="By staff", rules=RULES)
    with pytest.raises(PermissionDenied):
        update_segment(segment=segment, actor=member, name="Mine")
    with pytest.raises(PermissionDenied):
        delete_segment(segment=segment, actor=member)
    assert Segment.objects.get().name == "By staff"


def test_bad_input_names_the_field_and_changes_nothing(community, manager):
    SegmentFactory(community=community, name="Taken")
    with pytest.raises(ValidationError) as refused:
        create_segment(
            community=community, actor=manager, name="", rules=[{"field": "x", "op": "y"}]
        )
    assert set(refused.value.message_dict) == {"name", "rules"}
    assert refused.value.message_dict["rules"][0].startswith("Rule 1: unknown field")
    with pytest.raises(ValidationError, match="already has a segment called"):
        create_segment(community=community, actor=manager, name="taken", rules=RULES)
    segment = SegmentFactory(community=community, name="Other")
    with pytest.raises(ValidationError):
        update_segment(segment=segment, actor=manager, rules=[])
    with pytest.raises(ValidationError, match="already has a segment called"):
        update_segment(segment=segment, actor=manager, name="TAKEN")
    segment.refresh_from_db()
    assert segment.name == "Other"
    assert Segment.objects.count() == 2


def test_a_segment_in_use_cannot_be_deleted(community, manager):
    campaign = CampaignFactory(community=community, name="Monthly welcome")
    with pytest.raises(ValidationError, match="Monthly welcome"):
        delete_segment(segment=campaign.segment, actor=manager)
    assert Segment.objects.filter(pk=campaign.segment_id).exists()


# --- Pages ----------------------------------------------------------------------------------------


def test_only_managers_see_the_pages(client, community, member):
    segment = SegmentFactory(community=community)
    client.force_login(member)
    for url in (
        reverse("outreach:segments", args=[community.slug]),
        reverse("outreach:segment_create", args=[community.slug]),
        reverse("outreach:segment_detail", args=[segment.pk]),
        reverse("outreach:segment_edit", args=[segment.pk]),
        reverse("outreach:segment_delete", args=[segment.pk]),
    ):
        assert client.get(url).status_code == 403
    assert client.post(reverse("outreach:segment_count", args=[community.slug])).status_code == 403
    client.logout()
    assert client.get(reverse("outreach:segments", args=[community.slug])).status_code == 302


def test_the_list_shows_each_segment_and_its_rules(client, community, manager):
    SegmentFactory(community=community, name="Last month's scientists")
    client.force_login(manager)
    body = client.get(reverse("outreach:segments", args=[community.slug])).content.decode()
    assert "Last month&#x27;s scientists" in body
    assert "Hired on in the previous calendar month" in body


def test_the_editor_starts_with_useful_rows_and_adds_one(client, community, manager):
    client.force_login(manager)
    url = reverse("outreach:segment_create", args=[community.slug])
    page = client.get(url)
    assert page.context["rules"].total_form_count() == 2
    more = client.post(
        url,
        {"name": "Draft", **rows(("hired_on", "in_previous_month", "")), "add_rule": "1"},
    )
    assert more.status_code == 200
    assert more.context["rules"].total_form_count() == 2
    assert not Segment.objects.exists()


def test_saving_the_editor_creates_the_segment(client, community, manager):
    client.force_login(manager)
    response = client.post(
        reverse("outreach:segment_create", args=[community.slug]),
        {
            "name": "Scientists",
            "description": "",
            **rows(
                ("hired_on", "between", "2026-01-01 to 2026-03-31"),
                ("country", "in", "de, us"),
                ("", "", ""),  # an empty row is ignored
            ),
        },
    )
    segment = Segment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("outreach:segment_detail", args=[segment.pk])
    assert segment.rules == [
        {"field": "hired_on", "op": "between", "value": ["2026-01-01", "2026-03-31"]},
        {"field": "country", "op": "in", "value": ["DE", "US"]},
    ]


def test_a_bad_row_gets_its_message_and_nothing_is_saved(client, community, manager):
    client.force_login(manager)
    response = client.post(
        reverse("outreach:segment_create", args=[community.slug]),
        {
            "name": "Scientists",
            **rows(("job_title", "matches", "data (scientist"), ("hired_on", "within_days", "")),
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "is not a valid regular expression" in body
    assert "“within_days” on hired_on needs a value." in body
    assert not Segment.objects.exists()


def test_a_name_taken_meanwhile_is_shown_beside_the_name(client, community, manager):
    SegmentFactory(community=community, name="Scientists")
    client.force_login(manager)
    response = client.post(
        reverse("outreach:segment_create", args=[community.slug]),
        {"name": "scientists", **rows(("job_title", "matches", "scientist"))},
    )
    assert response.status_code == 422
    assert response.context["form"].errors == {
        "name": ["This community already has a segment called “scientists”."]
    }
    assert response.context["rules_error"] == ""
    assert Segment.objects.count() == 1


def test_the_services_refusal_of_rules_stands_above_the_rows(
    client, community, manager, monkeypatch
):
    def refuse(**values):
        raise ValidationError({"rules": ["Rule 1: gone since."], "description": ["Too long."]})

    monkeypatch.setattr("practica.outreach.services.segments.create_segment", refuse)
    client.force_login(manager)
    response = client.post(
        reverse("outreach:segment_create", args=[community.slug]),
        {"name": "Scientists", **rows(("job_title", "matches", "scientist"))},
    )
    assert response.status_code == 422
    assert response.context["rules_error"] == "Rule 1: gone since."
    assert response.context["form"].errors == {"description": ["Too long."]}
    assert "Rule 1: gone since." in response.content.decode()


def test_removed_rows_are_dropped_and_no_rule_at_all_is_refused(client, community, manager):
    client.force_login(manager)
    data = {"name": "Nobody", **rows(("membership", "member", ""))}
    data["rules-0-DELETE"] = "on"
    response = client.post(reverse("outreach:segment_create", args=[community.slug]), data)
    assert response.status_code == 422
    assert "Add at least one rule." in response.content.decode()
    assert not Segment.objects.exists()


def test_editing_shows_the_rules_and_saves_changes(client, community, manager):
    segment = SegmentFactory(community=community, name="Old")
    client.force_login(manager)
    url = reverse("outreach:segment_edit", args=[segment.pk])
    page = client.get(url)
    assert [form.initial["op"] for form in page.context["rules"].forms] == [
        "in_previous_month",
        "matches",
        "not_member",
    ]
    client.post(url, {"name": "New", **rows(("role", "in", "data_scientist"))})
    segment.refresh_from_db()
    assert (segment.name, segment.rules) == (
        "New",
        [{"field": "role", "op": "in", "value": ["data_scientist"]}],
    )


def test_the_live_count_follows_the_rows(client, community, manager):
    NewHireFactory(job_title="Data Scientist", display_name="Ada Live")
    NewHireFactory(job_title="Recruiter")
    client.force_login(manager)
    url = reverse("outreach:segment_count", args=[community.slug])
    counted = client.post(url, rows(("job_title", "matches", "scientist")), HTTP_HX_REQUEST="true")
    assert counted.status_code == 200
    assert counted.context["live"]["count"] == 1
    assert "Ada Live" in counted.content.decode()
    bad = client.post(url, rows(("job_title", "under", "x")))
    assert "Rule 1:" in bad.content.decode()
    assert "takes the operators matches" in bad.content.decode()
    empty = client.post(url, rows(extra=1))
    assert "Add at least one rule." in empty.content.decode()


def test_the_segment_page_lists_its_people_as_on_a_day(client, community, manager):
    segment = SegmentFactory(community=community)
    april = NewHireFactory(hired_on=datetime.date(2026, 4, 2), display_name="April Hire")
    NewHireFactory(hired_on=datetime.date(2026, 5, 2), display_name="May Hire")
    client.force_login(manager)
    url = reverse("outreach:segment_detail", args=[segment.pk])
    page = client.get(url, {"on": "2026-05-01"})
    assert list(page.context["page_obj"].object_list) == [april]
    body = page.content.decode()
    assert "April Hire" in body
    assert "May Hire" not in body
    assert "Data Scientist" in body
    fragment = client.get(url, {"on": "2026-06-01"}, HTTP_HX_REQUEST="true")
    assert "May Hire" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    assert client.get(url, {"on": "not-a-date"}).context["reference"] == timezone.localdate()


def test_deleting_from_the_page(client, community, manager):
    segment = SegmentFactory(community=community)
    used = CampaignFactory(community=community).segment
    client.force_login(manager)
    assert client.get(reverse("outreach:segment_delete", args=[segment.pk])).status_code == 200
    response = client.post(reverse("outreach:segment_delete", args=[segment.pk]))
    assert response["Location"] == reverse("outreach:segments", args=[community.slug])
    refused = client.post(reverse("outreach:segment_delete", args=[used.pk]), follow=True)
    assert "change their segment first" in refused.content.decode()
    assert list(Segment.objects.all()) == [used]


def test_a_mangled_editor_post_is_a_422_not_an_error(client, community, manager):
    client.force_login(manager)
    url = reverse("outreach:segment_create", args=[community.slug])
    assert client.post(url, {"name": "No rows at all"}).status_code == 422
    too_many = {"name": "Many", "rules-TOTAL_FORMS": "1000", "rules-INITIAL_FORMS": "0"}
    assert client.post(url, too_many).status_code == 422
    live = client.post(reverse("outreach:segment_count", args=[community.slug]), {})
    assert live.status_code == 200
    assert "Not counted yet" in live.content.decode()
    assert not Segment.objects.exists()
