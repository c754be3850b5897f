"""The strategy screens: who sees what, the draft editor (rows, adding a row, problems shown
beside their section), approval, discarding, versions and their comparison."""

from decimal import Decimal

import pytest
from django.urls import reverse

from practica.communities.models import StrategyStatus, StrategyVersion
from practica.communities.strategy.sections import AudienceRow, LeaderRow, TargetRow
from practica.communities.strategy.services import (
    approve_strategy_draft,
    edit_strategy_draft,
    start_strategy_draft,
)
from tests.factories.communities import MembershipFactory
from tests.factories.people import OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(name, community, *args):
    return reverse(f"communities:{name}", args=[community.slug, *args])


def client_for(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def approved(community, manager, leader, metrics):
    """Version 1, approved: with an audience row, two targets and a leader."""
    draft = start_strategy_draft(community=community, actor=manager)
    edit_strategy_draft(
        draft=draft,
        actor=manager,
        summary="Help every practitioner learn from the others.",
        goals=["Faster answers for field engineers"],
        scenarios=["I can easily find and connect with other practitioners at the company"],
        principles=["We don't try to control the conversation"],
        audience=[AudienceRow(label="Data scientists", role="data_scientist")],
        targets=[
            TargetRow("response_hours", "at_most", Decimal(2)),
            TargetRow("answered_share", "at_least", Decimal("0.6")),
        ],
        leaders=[LeaderRow(person=leader, remit="Questions and answers")],
    )
    return approve_strategy_draft(draft=draft, actor=manager, approval_note="By the sponsor")


def editor_data(**overrides):
    """A full POST of the editor: texts and three row sections, one row each."""
    data = {
        "summary": "A summary",
        "goals": "Faster answers\n\nFewer repeated questions",
        "scenarios": "I can find an expert",
        "principles": "",
        "change_note": "Second cut",
        "audience-TOTAL_FORMS": "1",
        "audience-INITIAL_FORMS": "0",
        "audience-0-label": "Engineers",
        "audience-0-role": "engineer",
        "audience-0-org_unit": "",
        "audience-0-job_title_contains": "",
        "targets-TOTAL_FORMS": "1",
        "targets-INITIAL_FORMS": "0",
        "targets-0-metric_key": "answered_share",
        "targets-0-comparison": "at_least",
        "targets-0-target_value": "60",
        "targets-0-amber_margin_percent": "10",
        "targets-0-label": "",
        "leaders-TOTAL_FORMS": "0",
        "leaders-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


# --- The strategy page ----------------------------------------------------------------------------


def test_members_see_the_public_parts_only(client, community, approved, plain_member):
    MembershipFactory(community=community, person=UserFactory(role="data_scientist"))
    UserFactory(role="data_scientist")

    response = client_for(client, plain_member).get(url("strategy", community))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Help every practitioner learn from the others." in page
    assert "I can easily find and connect with other practitioners at the company" in page
    assert "Data scientists" in page
    assert '<span style="width: 50%"></span>' in page
    assert "50.0 %" in page
    assert '<span aria-current="page">Strategy</span>' in page
    assert "Questions and answers" in page
    assert "Targets" not in page
    assert "By the sponsor" not in page
    assert url("strategy_versions", community) not in page


@pytest.mark.parametrize("who", ["leader", "sponsor", "manager"])
def test_the_leadership_sees_targets_with_live_values(request, client, community, approved, who):
    response = client_for(client, request.getfixturevalue(who)).get(url("strategy", community))

    page = response.content.decode()
    assert "Median time to first response" in page
    assert "1.5 h" in page
    assert "at most 2.0 h" in page
    assert "On target" in page
    assert "55.0 %" in page
    assert "Close" in page
    assert 'class="sparkline"' in page
    assert "By the sponsor" in page
    assert url("strategy_versions", community) in page
    assert response.context["status_counts"] == {"green": 1, "amber": 1, "red": 0, "no_data": 0}


def test_only_the_manager_gets_the_edit_buttons(client, community, approved, leader, manager):
    leader_page = client_for(client, leader).get(url("strategy", community)).content.decode()
    assert url("strategy_start", community) not in leader_page

    manager_page = client_for(client, manager).get(url("strategy", community)).content.decode()
    assert url("strategy_start", community) in manager_page


def test_outsiders_are_turned_away(client, community, approved, outsider):
    response = client_for(client, outsider).get(url("strategy", community))

    assert response.status_code == 403
    assert "Only members of Machine Learning see its strategy" in response.content.decode()


def test_signed_out_visitors_sign_in_first(client, community):
    response = client.get(url("strategy", community))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:login"))


def test_an_unknown_community_is_a_404(client, plain_member):
    client_for(client, plain_member)
    assert client.get(reverse("communities:strategy", args=["nope"])).status_code == 404


def test_before_any_approval_the_page_says_so(client, community, manager, plain_member):
    member_page = client_for(client, plain_member).get(url("strategy", community))
    assert "No strategy approved yet" in member_page.content.decode()

    manager_page = client_for(client, manager).get(url("strategy", community)).content.decode()
    assert "Start the first draft" in manager_page


# --- Drafting -------------------------------------------------------------------------------------


def test_the_manager_starts_edits_and_approves_a_draft(client, community, manager, metrics):
    client_for(client, manager)

    response = client.post(url("strategy_start", community))
    assert response.status_code == 302
    assert response["Location"] == url("strategy_edit", community)

    editor = client.get(url("strategy_edit", community))
    assert editor.status_code == 200
    assert "Draft version 1" in editor.content.decode()

    saved = client.post(url("strategy_edit", community), editor_data())
    assert saved.status_code == 302
    draft = StrategyVersion.objects.get()
    assert draft.goals == ["Faster answers", "Fewer repeated questions"]
    assert draft.principles == []
    assert draft.change_note == "Second cut"
    assert draft.targets.get().target_value == Decimal("0.6000")  # 60 % typed as a percentage
    assert draft.audience.get().role == "engineer"

    # The editor shows the share as a percentage again.
    again = client.get(url("strategy_edit", community)).content.decode()
    assert 'value="60"' in again

    confirm = client.get(url("strategy_approve", community))
    assert "This is the first version" in confirm.content.decode()
    approved = client.post(url("strategy_approve", community), {"approval_note": "At the QBR"})
    assert approved.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.approval_note) == (StrategyStatus.APPROVED, "At the QBR")


def test_adding_a_row_keeps_what_was_typed(client, community, manager, metrics):
    start_strategy_draft(community=community, actor=manager)
    client_for(client, manager)

    response = client.post(
        url("strategy_edit", community), editor_data(add_leaders="1", summary="Not saved yet")
    )

    assert response.status_code == 200
    assert response.context["leaders"].total_form_count() == 1
    assert "Not saved yet" in response.content.decode()
    assert StrategyVersion.objects.get().summary == ""


def test_problems_are_shown_beside_their_section_and_nothing_is_saved(
    client, community, manager, outsider, metrics
):
    start_strategy_draft(community=community, actor=manager)
    client_for(client, manager)

    response = client.post(
        url("strategy_edit", community),
        editor_data(
            **{
                "goals": "Same\nsame",
                "targets-0-target_value": "160",
                "leaders-TOTAL_FORMS": "1",
                "leaders-0-email": outsider.email,
                "leaders-0-remit": "Everything",
            }
        ),
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert "Nothing was saved" in page
    assert "“same” is listed twice." in page
    assert "A share is a percentage, at most 100." in page
    assert StrategyVersion.objects.get().goals == []


def test_the_service_has_the_last_word_on_leaders(client, community, manager, outsider, metrics):
    start_strategy_draft(community=community, actor=manager)
    client_for(client, manager)

    response = client.post(
        url("strategy_edit", community),
        editor_data(
            **{
                "leaders-TOTAL_FORMS": "1",
                "leaders-0-email": outsider.email.upper(),
                "leaders-0-remit": "Everything",
            }
        ),
    )

    assert response.status_code == 422
    assert "Row 1: Otto Outsider is not a member of Machine Learning." in (
        response.content.decode()
    )
    assert StrategyVersion.objects.get().summary == ""


def test_unknown_addresses_and_metrics_are_marked_on_the_row(client, community, manager, metrics):
    start_strategy_draft(community=community, actor=manager)
    client_for(client, manager)

    response = client.post(
        url("strategy_edit", community),
        editor_data(
            **{
                "targets-0-metric_key": "made_up",
                "leaders-TOTAL_FORMS": "1",
                "leaders-0-email": "nobody@example.com",
                "leaders-0-remit": "x",
            }
        ),
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert "No one at the company has the address nobody@example.com." in page
    assert "Select a valid choice" in page


def test_the_editor_lists_org_units_and_leadership_candidates(
    client, community, manager, leader, metrics
):
    OrgUnitFactory(name="Research")
    start_strategy_draft(community=community, actor=manager)

    page = client_for(client, manager).get(url("strategy_edit", community)).content.decode()

    assert "Research" in page
    assert f'<option value="{leader.email}">' in page
    assert "Median time to first response" in page


@pytest.mark.parametrize("who", ["leader", "sponsor", "plain_member", "outsider"])
def test_only_the_manager_drafts(request, client, community, manager, who):
    start_strategy_draft(community=community, actor=manager)
    client_for(client, request.getfixturevalue(who))

    assert client.get(url("strategy_edit", community)).status_code == 403
    assert client.post(url("strategy_edit", community), editor_data()).status_code == 403
    assert client.post(url("strategy_start", community)).status_code == 403
    assert client.post(url("strategy_approve", community)).status_code == 403
    assert client.post(url("strategy_discard", community)).status_code == 403
    assert StrategyVersion.objects.get().status == StrategyStatus.DRAFT


def test_without_a_draft_the_editor_sends_back_to_the_strategy(client, community, manager):
    client_for(client, manager)

    for name in ("strategy_edit", "strategy_approve", "strategy_discard"):
        response = client.get(url(name, community))
        assert response.status_code == 302
        assert response["Location"] == url("strategy", community)


def test_starting_twice_opens_the_existing_draft(client, community, manager):
    start_strategy_draft(community=community, actor=manager)

    response = client_for(client, manager).post(url("strategy_start", community))

    assert response["Location"] == url("strategy_edit", community)
    assert StrategyVersion.objects.count() == 1


def test_approving_an_empty_draft_says_why(client, community, manager):
    start_strategy_draft(community=community, actor=manager)

    response = client_for(client, manager).post(url("strategy_approve", community))

    assert response.status_code == 422
    assert "An empty strategy cannot be approved" in response.content.decode()


def test_approval_page_shows_what_changes(client, community, manager, approved):
    draft = start_strategy_draft(community=community, actor=manager)
    edit_strategy_draft(draft=draft, actor=manager, principles=["Recruit for enthusiasm"])

    page = client_for(client, manager).get(url("strategy_approve", community)).content.decode()

    assert "Recruit for enthusiasm" in page
    assert "We don&#x27;t try to control the conversation" in page


def test_discarding_asks_then_deletes(client, community, manager, approved):
    start_strategy_draft(community=community, actor=manager)
    client_for(client, manager)

    assert (
        "Discard draft version 2?"
        in client.get(url("strategy_discard", community)).content.decode()
    )
    response = client.post(url("strategy_discard", community))

    assert response.status_code == 302
    assert list(StrategyVersion.objects.values_list("number", flat=True)) == [1]


# --- Versions and comparison ----------------------------------------------------------------------


def test_versions_list_version_page_and_comparison(client, community, manager, leader, approved):
    draft = start_strategy_draft(community=community, actor=manager)
    edit_strategy_draft(
        draft=draft,
        actor=manager,
        goals=["Faster answers for field engineers", "A conference twice a year"],
        change_note="The conference",
    )
    client_for(client, leader)

    versions = client.get(url("strategy_versions", community))
    assert versions.status_code == 200
    page = versions.content.decode()
    assert "The conference" in page
    assert "By the sponsor" in page

    version = client.get(url("strategy_version", community, 1))
    assert version.status_code == 200
    assert "at least 60.0 %" in version.content.decode()
    assert client.get(url("strategy_version", community, 2)).status_code == 200
    assert client.get(url("strategy_version", community, 9)).status_code == 404

    compared = client.get(url("strategy_compare", community), {"older": 1, "newer": 2})
    assert compared.status_code == 200
    assert "A conference twice a year" in compared.content.decode()
    assert compared.context["comparison"].newer.number == 2

    # By default the latest two; the same version twice is refused.
    assert client.get(url("strategy_compare", community)).context["comparison"] is not None
    same = client.get(url("strategy_compare", community), {"older": 2, "newer": 2})
    assert same.status_code == 422
    assert "Choose two different versions." in same.content.decode()
    unknown = client.get(url("strategy_compare", community), {"older": 1, "newer": 7})
    assert unknown.status_code == 422


def test_one_version_has_nothing_to_compare(client, community, leader, approved):
    response = client_for(client, leader).get(url("strategy_compare", community))

    assert response.status_code == 200
    assert "Nothing to compare yet" in response.content.decode()


@pytest.mark.parametrize("name", ["strategy_versions", "strategy_compare"])
def test_versions_are_for_the_leadership(client, community, approved, plain_member, name):
    response = client_for(client, plain_member).get(url(name, community))

    assert response.status_code == 403
    assert "Only the leadership team of Machine Learning" in response.content.decode()
    assert client.get(url("strategy_version", community, 1)).status_code == 403


def test_a_long_history_is_paginated(client, community, manager, settings):
    settings.PRACTICA_PAGE_SIZE = 2
    for number in range(1, 6):
        MembershipFactory(community=community)
        draft = start_strategy_draft(community=community, actor=manager)
        edit_strategy_draft(draft=draft, actor=manager, goals=[f"Goal {number}"])
        approve_strategy_draft(draft=draft, actor=manager)

    response = client_for(client, manager).get(url("strategy_versions", community), {"page": 3})

    assert [v.number for v in response.context["page_obj"]] == [1]
    assert "Showing 5–5 of 5" in response.content.decode()
