"""The ladder screens: every page, who may see what, and each action through its view."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from practica.communities.ladder import services
from practica.communities.ladder.contributions import ANSWERED
from practica.communities.models import (
    Access,
    ContributionAsk,
    LadderRung,
    LadderStep,
    LadderStepSource,
    MembershipRole,
)
from practica.core.models import ActivityKind
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.ladder import (
    ContributionAskFactory,
    LadderRungFactory,
    LadderStepFactory,
    LedgerRowFactory,
    OpportunityFactory,
)
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db


def url(name, community, *args):
    return reverse(f"communities:{name}", args=[community.slug, *args])


@pytest.fixture
def ladder(community, manager):
    return services.create_default_ladder(community=community, actor=manager)


# --- The ladder page -----------------------------------------------------------------------


def test_the_ladder_shows_rungs_counts_and_where_everyone_stands(
    client, community, ladder, alice, bob
):
    LadderStepFactory(rung=ladder[1], person=alice)
    LadderStepFactory(rung=ladder[0], person=bob, reached_at=timezone.now() - timedelta(days=9))
    LadderStepFactory(rung=ladder[2], person=bob)
    client.force_login(alice)

    response = client.get(url("ladder", community))

    assert response.status_code == 200
    page = response.content.decode()
    for rung in ladder:
        assert rung.name in page
    assert "answered 1 question" in page
    assert "You are here" in page
    rungs = {rung.name: rung.member_count for rung in response.context["rungs"]}
    assert rungs["Presenter"] == 1
    assert rungs["Reviewer"] == 1
    assert rungs["Participant"] == 0  # Bob moved on
    members = {m.person: m.rung_name for m in response.context["page_obj"]}
    assert members[alice] == "Presenter"
    assert members[bob] == "Reviewer"
    assert response.context["unplaced"] == 1  # the manager
    # A member does not get the links to others' histories.
    assert url("ladder_person", community, bob.pk) not in page


def test_the_ladder_filters_by_rung_and_name(client, community, ladder, people):
    manager, alice, bob = people.manager, people.alice, people.bob
    LadderStepFactory(rung=ladder[1], person=alice)
    client.force_login(manager)

    by_rung = client.get(url("ladder", community), {"rung": ladder[1].pk})
    assert [m.person for m in by_rung.context["page_obj"]] == [alice]
    unplaced = client.get(url("ladder", community), {"rung": "none"})
    assert alice not in [m.person for m in unplaced.context["page_obj"]]
    assert bob in [m.person for m in unplaced.context["page_obj"]]
    by_name = client.get(url("ladder", community), {"q": "Bob"})
    assert [m.person for m in by_name.context["page_obj"]] == [bob]
    nobody = client.get(url("ladder", community), {"q": "Zed"})
    assert "Nobody matches" in nobody.content.decode()
    # The leadership sees the links to each member's history.
    assert url("ladder_person", community, alice.pk) in by_rung.content.decode()


def test_a_ladder_without_rungs_offers_the_default_to_the_manager(
    client, community, manager, alice
):
    client.force_login(alice)
    assert "has not set up the ladder" in client.get(url("ladder", community)).content.decode()

    client.force_login(manager)
    page = client.get(url("ladder", community)).content.decode()
    assert "Use the default ladder" in page

    response = client.post(url("ladder_default", community), {"next": url("ladder", community)})
    assert response.status_code == 302
    assert response.url == url("ladder", community)
    assert LadderRung.objects.filter(community=community).count() == 5


def test_a_closed_community_hides_its_ladder_and_board_from_outsiders(client, outsider):
    closed = CommunityFactory(access=Access.CLOSED)
    client.force_login(outsider)

    for name in ("ladder", "opportunities"):
        response = client.get(url(name, closed))
        assert response.status_code == 403
        assert "closed community" in response.content.decode()


def test_pages_need_a_sign_in(client, community):
    response = client.get(url("ladder", community))
    assert response.status_code == 302
    assert "sign-in" in response.url


# --- Rung editor ---------------------------------------------------------------------------


def test_the_manager_adds_edits_moves_and_removes_rungs(client, community, manager):
    client.force_login(manager)
    assert client.get(url("ladder_rungs", community)).status_code == 200

    response = client.post(
        url("ladder_rung_add", community),
        {"name": "Speaker", "description": "Gave a talk.", "needs_presented": "1"},
    )
    assert response.status_code == 302
    client.post(url("ladder_rung_add", community), {"name": "Helper", "needs_answered": "5"})
    speaker, helper = LadderRung.objects.filter(community=community).order_by("position")
    assert speaker.requirements == {"presented": 1}
    assert helper.requirements == {ANSWERED: 5}

    client.post(url("ladder_rung_move", community, helper.pk), {"direction": "down"})
    assert list(
        LadderRung.objects.filter(community=community)
        .order_by("position")
        .values_list("name", flat=True)
    ) == ["Helper", "Speaker"]

    edit = client.get(url("ladder_rung_edit", community, speaker.pk))
    assert edit.status_code == 200
    assert 'value="Speaker"' in edit.content.decode()
    client.post(
        url("ladder_rung_edit", community, speaker.pk),
        {"name": "Presenter", "description": "", "needs_presented": "2"},
    )
    speaker.refresh_from_db()
    assert (speaker.name, speaker.requirements) == ("Presenter", {"presented": 2})

    client.post(url("ladder_rung_delete", community, helper.pk))
    assert list(LadderRung.objects.filter(community=community).values_list("name", "position")) == [
        ("Presenter", 1)
    ]


def test_bad_rungs_are_shown_back_with_their_errors(client, community, manager, alice):
    LadderRungFactory(community=community, name="Speaker")
    client.force_login(manager)

    duplicate = client.post(url("ladder_rung_add", community), {"name": "speaker"})
    assert duplicate.status_code == 422
    assert "already has a rung of this name" in duplicate.content.decode()
    negative = client.post(url("ladder_rung_add", community), {"name": "X", "needs_answered": "-1"})
    assert negative.status_code == 422
    assert "greater than or equal to 1" in negative.content.decode()
    absurd = client.post(url("ladder_rung_add", community), {"name": "X", "needs_hosted": "99999"})
    assert absurd.status_code == 422
    assert LadderRung.objects.filter(community=community).count() == 1


def test_a_rung_with_history_cannot_be_removed(client, community, ladder, manager, alice):
    LadderStepFactory(rung=ladder[0], person=alice)
    client.force_login(manager)

    response = client.post(url("ladder_rung_delete", community, ladder[0].pk), follow=True)

    assert "stays in their history" in response.content.decode()
    assert LadderRung.objects.filter(pk=ladder[0].pk).exists()
    assert "In use" in client.get(url("ladder_rungs", community)).content.decode()


@pytest.mark.parametrize("who", ["leader", "alice"])
def test_only_the_manager_edits_the_ladder(client, community, ladder, request, who):
    client.force_login(request.getfixturevalue(who))
    rung = ladder[0]

    for method, name, args, data in [
        ("get", "ladder_rungs", [], {}),
        ("post", "ladder_rung_add", [], {"name": "New"}),
        ("get", "ladder_rung_edit", [rung.pk], {}),
        ("post", "ladder_rung_edit", [rung.pk], {"name": "Renamed"}),
        ("post", "ladder_rung_move", [rung.pk], {"direction": "up"}),
        ("post", "ladder_rung_delete", [rung.pk], {}),
        ("post", "ladder_default", [], {}),
    ]:
        response = getattr(client, method)(url(name, community, *args), data)
        assert response.status_code == 403, name
    assert LadderRung.objects.filter(community=community).count() == 5
    assert LadderRung.objects.get(pk=rung.pk).name == "Participant"


def test_a_rung_of_another_community_is_not_found(client, community, manager):
    client.force_login(manager)
    foreign = LadderRungFactory()

    assert client.get(url("ladder_rung_edit", community, foreign.pk)).status_code == 404


# --- A member's history --------------------------------------------------------------------


def test_members_see_their_own_history_and_not_others(client, community, ladder, alice, bob):
    LadderStepFactory(rung=ladder[0], person=alice)
    LedgerRowFactory(kind=ActivityKind.ANSWERED, person=alice, community=community)
    LedgerRowFactory(kind=ActivityKind.ACCEPTED, person=bob, counterpart=alice, community=community)
    client.force_login(alice)

    mine = client.get(url("ladder_person", community, alice.pk))
    assert mine.status_code == 200
    page = mine.content.decode()
    assert "Your place on the ladder" in page
    assert "Participant" in page
    assert "Answer accepted by Bob Builder" in page
    summary = {key: (total, recent) for key, _label, total, recent in mine.context["summary"]}
    assert summary["answered"] == (1, 1)
    assert summary["answer_accepted"] == (1, 1)
    assert "Set the rung by hand" not in page

    assert client.get(url("ladder_person", community, bob.pk)).status_code == 403
    assert client.get(url("ladder_person", community, 999_999)).status_code == 404


def test_the_manager_sets_a_rung_by_hand_with_a_note(client, community, ladder, manager, alice):
    client.force_login(manager)
    page = client.get(url("ladder_person", community, alice.pk)).content.decode()
    assert "Set the rung by hand" in page

    response = client.post(
        url("ladder_set_rung", community, alice.pk),
        {"rung": ladder[3].pk, "note": "Chaired the 2014 committee"},
        follow=True,
    )

    assert "is now on “Program committee”" in response.content.decode()
    step = LadderStep.objects.get(person=alice)
    assert (step.source, step.note) == (LadderStepSource.MANAGER, "Chaired the 2014 committee")
    assert "Chaired the 2014 committee" in response.content.decode()


def test_setting_a_rung_needs_a_note_a_rung_of_this_ladder_and_the_manager(
    client, community, ladder, people
):
    manager, leader, alice = people.manager, people.leader, people.alice
    client.force_login(manager)
    no_note = client.post(
        url("ladder_set_rung", community, alice.pk), {"rung": ladder[0].pk}, follow=True
    )
    assert "This field is required" in no_note.content.decode()
    foreign = client.post(
        url("ladder_set_rung", community, alice.pk),
        {"rung": LadderRungFactory().pk, "note": "x"},
        follow=True,
    )
    assert "Select a valid choice" in foreign.content.decode()
    client.force_login(leader)
    refused = client.post(
        url("ladder_set_rung", community, alice.pk), {"rung": ladder[0].pk, "note": "x"}
    )
    assert refused.status_code == 403
    assert not LadderStep.objects.exists()


# --- Suggestions and asks ------------------------------------------------------------------


def _rising(community, person, answers=5):
    for _ in range(answers):
        LedgerRowFactory(kind=ActivityKind.ANSWERED, person=person, community=community)


@pytest.mark.usefixtures("outbox_backend", "ladder", "bob")
def test_the_leadership_sees_suggestions_with_reasons_and_asks(client, community, sponsor, alice):
    _rising(community, alice)
    client.force_login(sponsor)

    page = client.get(url("ladder_suggestions", community))
    assert page.status_code == 200
    [suggestion] = page.context["page_obj"]
    assert suggestion.person == alice
    assert "answered 5 questions in the last 90 days" in page.content.decode()
    assert "never asked" in page.content.decode()

    opportunity = OpportunityFactory(community=community, title="Reviewers for 2025")
    form = client.get(
        url("ladder_ask", community, alice.pk),
        {"opportunity": opportunity.pk, "next": "https://evil.example/"},
    )
    assert form.status_code == 200
    assert form.context["next"] == ""  # not a safe address: dropped
    response = client.post(
        url("ladder_ask", community, alice.pk),
        {"opportunity": opportunity.pk, "note": "Your answers are great."},
    )
    assert response.status_code == 302
    assert response.url == url("ladder_suggestions", community)
    ask = ContributionAsk.objects.get(person=alice)
    assert (ask.asked_by, ask.opportunity, ask.note) == (
        sponsor,
        opportunity,
        "Your answers are great.",
    )
    # Asked: no longer suggested.
    assert list(client.get(url("ladder_suggestions", community)).context["page_obj"]) == []


def test_asking_again_is_refused_on_the_form(client, community, leader, alice):
    ContributionAskFactory(community=community, person=alice, asked_by=leader)
    client.force_login(leader)

    response = client.post(url("ladder_ask", community, alice.pk), {"note": "Again"})

    assert response.status_code == 422
    assert "already asked" in response.content.decode()
    assert ContributionAsk.objects.count() == 1


def test_suggestions_and_asks_are_for_the_leadership(client, community, organizer, alice, bob):
    client.force_login(organizer)

    assert client.get(url("ladder_suggestions", community)).status_code == 403
    assert client.get(url("ladder_ask", community, bob.pk)).status_code == 403
    assert client.post(url("ladder_ask", community, bob.pk), {"note": "x"}).status_code == 403
    assert not ContributionAsk.objects.exists()


def test_an_empty_suggestions_page_says_so(client, community, manager):
    client.force_login(manager)

    page = client.get(url("ladder_suggestions", community)).content.decode()

    assert "Nobody to suggest right now" in page


def test_the_ask_page_of_a_non_member_is_not_found(client, community, manager):
    client.force_login(manager)
    stranger = UserFactory()

    assert client.get(url("ladder_ask", community, stranger.pk)).status_code == 404


def test_a_past_member_history_is_still_readable_by_the_leadership(client, community, manager):
    gone = MembershipFactory(
        community=community, role=MembershipRole.MEMBER, left_at=timezone.now()
    ).person
    client.force_login(manager)

    page = client.get(url("ladder_person", community, gone.pk)).content.decode()

    assert "No longer a member" in page
    assert "Set the rung by hand" not in page
