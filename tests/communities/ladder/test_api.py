"""The ladder and board API: rungs, members and history, the ledger, suggestions, asks and
the opportunities board, with their permissions and bad input."""

from datetime import timedelta

import pytest
from django.utils import timezone

from practica.communities.ladder import services
from practica.communities.models import (
    Access,
    ContributionAsk,
    LadderRung,
    LadderStep,
    Opportunity,
    OpportunityStatus,
    Volunteer,
    VolunteerStatus,
)
from practica.core.models import Activity, ActivityKind
from tests.api.clients import API, token_client
from tests.factories.communities import CommunityFactory
from tests.factories.ladder import (
    LadderRungFactory,
    LadderStepFactory,
    LedgerRowFactory,
    OpportunityFactory,
    VolunteerFactory,
)

pytestmark = [pytest.mark.unit, pytest.mark.django_db]

BASE = f"{API}/communities/machine-learning"


@pytest.fixture
def ladder(community, manager):
    return services.create_default_ladder(community=community, actor=manager)


def _json(client, method, path, data=None):
    return getattr(client, method)(path, data=data, content_type="application/json")


# --- Rungs ---------------------------------------------------------------------------------


def test_contribution_kinds(alice):
    body = token_client(alice).get(f"{API}/ladder/contribution-kinds").json()

    assert [kind["key"] for kind in body] == [
        "answered",
        "answer_accepted",
        "presented",
        "hosted",
        "reviewed",
        "served_on_committee",
        "organized_group",
        "ran_grant_activity",
    ]
    assert body[0]["label"] == "Answered questions"


def test_rungs_with_member_counts(community, ladder, alice, bob):
    LadderStepFactory(rung=ladder[1], person=alice)

    body = token_client(bob).get(f"{BASE}/ladder/rungs").json()

    assert body["count"] == 5
    first, second = body["items"][:2]
    assert first == {
        "id": ladder[0].pk,
        "position": 1,
        "name": "Participant",
        "description": "Takes part: has answered a colleague's question.",
        "requirements": {"answered": 1},
        "member_count": 0,
    }
    assert second["member_count"] == 1


def test_the_manager_creates_edits_orders_and_deletes_rungs(community, manager):
    client = token_client(manager)

    created = _json(
        client,
        "post",
        f"{BASE}/ladder/rungs",
        {"name": "Speaker", "requirements": {"presented": 2}},
    )
    assert created.status_code == 201
    speaker = created.json()
    assert (speaker["position"], speaker["requirements"]) == (1, {"presented": 2})
    helper = _json(client, "post", f"{BASE}/ladder/rungs", {"name": "Helper"}).json()

    patched = _json(
        client, "patch", f"{BASE}/ladder/rungs/{speaker['id']}", {"description": "Talks."}
    )
    assert patched.json()["description"] == "Talks."
    assert patched.json()["requirements"] == {"presented": 2}

    order = _json(
        client,
        "put",
        f"{BASE}/ladder/rungs/order",
        {"rung_ids": [helper["id"], speaker["id"]]},
    )
    assert [rung["name"] for rung in order.json()] == ["Helper", "Speaker"]

    deleted = client.delete(f"{BASE}/ladder/rungs/{helper['id']}")
    assert deleted.status_code == 200
    assert [(rung["name"], rung["position"]) for rung in deleted.json()] == [("Speaker", 1)]
    assert list(LadderRung.objects.values_list("name", "position")) == [("Speaker", 1)]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"name": "Ok", "requirements": {"flying": 1}}, "requirements"),
        ({"name": "Ok", "requirements": {"answered": -1}}, "requirements"),
        ({"name": "Ok", "requirements": {"answered": 10_000_000}}, "requirements"),
        ({"name": "Ok", "requirements": {"answered": "many"}}, "requirements"),
        ({"name": "Ok", "colour": "red"}, "colour"),
        ({"name": "Participant"}, "name"),
    ],
)
def test_bad_rungs_are_422(community, ladder, manager, payload, field):
    response = _json(token_client(manager), "post", f"{BASE}/ladder/rungs", payload)

    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert LadderRung.objects.count() == 5


def test_rung_refusals(community, ladder, manager, leader):
    client = token_client(manager)
    LadderStepFactory(rung=ladder[0])

    with_history = client.delete(f"{BASE}/ladder/rungs/{ladder[0].pk}")
    assert with_history.status_code == 422
    assert "stays in their history" in with_history.json()["errors"]["__all__"][0]
    assert _json(client, "post", f"{BASE}/ladder/rungs/default").status_code == 422
    bad_order = _json(client, "put", f"{BASE}/ladder/rungs/order", {"rung_ids": [ladder[0].pk]})
    assert bad_order.status_code == 422
    assert client.delete(f"{BASE}/ladder/rungs/{LadderRungFactory().pk}").status_code == 404
    assert client.delete(f"{BASE}/ladder/rungs/0").status_code == 422

    leaders = token_client(leader)
    assert _json(leaders, "post", f"{BASE}/ladder/rungs", {"name": "X"}).status_code == 403
    assert leaders.delete(f"{BASE}/ladder/rungs/{ladder[1].pk}").status_code == 403
    assert LadderRung.objects.filter(community=community).count() == 5


def test_the_default_ladder_by_api(community, manager):
    response = _json(token_client(manager), "post", f"{BASE}/ladder/rungs/default")

    assert response.status_code == 201
    assert [rung["name"] for rung in response.json()][-1] == "Organizer"


# --- Members, history, the ledger ----------------------------------------------------------


def test_members_on_the_ladder_and_filters(community, ladder, alice, bob):
    LadderStepFactory(rung=ladder[2], person=alice)
    client = token_client(bob)

    body = client.get(f"{BASE}/ladder/members").json()
    first = body["items"][0]
    assert first["person"]["display_name"] == "Alice Answerer"
    assert first["rung"] == {"id": ladder[2].pk, "position": 3, "name": "Reviewer"}
    on_rung = client.get(f"{BASE}/ladder/members", {"rung_id": ladder[2].pk}).json()
    assert on_rung["count"] == 1
    unplaced = client.get(f"{BASE}/ladder/members", {"unplaced": True}).json()
    assert all(item["rung"] is None for item in unplaced["items"])
    assert (
        client.get(f"{BASE}/ladder/members", {"rung_id": LadderRungFactory().pk}).status_code == 404
    )


def test_a_member_reads_their_own_history_the_leadership_anyones(community, ladder, people):
    manager, sponsor, alice, bob = people.manager, people.sponsor, people.alice, people.bob
    LadderStepFactory(rung=ladder[0], person=alice, reached_at=timezone.now() - timedelta(days=5))
    services.set_member_rung(
        community=community, person=alice, rung=ladder[3], note="Chaired", actor=manager
    )
    LedgerRowFactory(kind=ActivityKind.ANSWERED, person=alice, community=community)

    mine = token_client(alice).get(f"{BASE}/ladder/members/{alice.pk}")
    assert mine.status_code == 200
    body = mine.json()
    assert body["rung"]["name"] == "Program committee"
    assert [step["source"] for step in body["history"]] == ["manager", "earned"]
    assert body["history"][0]["note"] == "Chaired"
    assert body["history"][0]["recorded_by"]["display_name"] == "Mia Manager"
    assert body["contributions"]["answered"] == 1
    assert body["recent_contributions"]["answered"] == 1
    assert body["is_member"] is True

    assert token_client(bob).get(f"{BASE}/ladder/members/{alice.pk}").status_code == 403
    assert token_client(sponsor).get(f"{BASE}/ladder/members/{alice.pk}").status_code == 200
    assert token_client(sponsor).get(f"{BASE}/ladder/members/999999").status_code == 404


def test_the_manager_sets_a_rung_by_api(ladder, people, outsider):
    manager, leader, alice = people.manager, people.leader, people.alice
    client = token_client(manager)
    path = f"{BASE}/ladder/members/{alice.pk}/steps"

    response = _json(client, "post", path, {"rung_id": ladder[4].pk, "note": "Runs the club"})
    assert response.status_code == 201
    assert response.json()["rung"]["name"] == "Organizer"
    assert response.json()["source"] == "manager"

    assert _json(client, "post", path, {"rung_id": ladder[4].pk, "note": ""}).status_code == 422
    assert _json(client, "post", path, {"rung_id": ladder[4].pk}).status_code == 422
    again = _json(client, "post", path, {"rung_id": ladder[4].pk, "note": "x"})
    assert "already on" in again.json()["errors"]["rung"][0]
    foreign = _json(client, "post", path, {"rung_id": LadderRungFactory().pk, "note": "x"})
    assert foreign.status_code == 404
    stranger = f"{BASE}/ladder/members/{outsider.pk}/steps"
    assert (
        _json(client, "post", stranger, {"rung_id": ladder[0].pk, "note": "x"}).status_code == 404
    )
    by_leader = _json(token_client(leader), "post", path, {"rung_id": ladder[0].pk, "note": "x"})
    assert by_leader.status_code == 403
    assert LadderStep.objects.count() == 1


def test_the_contribution_ledger_for_the_leadership(community, leader, alice, bob):
    now = timezone.now()
    LedgerRowFactory(kind=ActivityKind.ANSWERED, person=alice, community=community)
    LedgerRowFactory(kind=ActivityKind.PRESENTED, person=alice, community=community)
    LedgerRowFactory(
        kind=ActivityKind.HOSTED,
        person=bob,
        community=community,
        occurred_at=now - timedelta(days=40),
    )
    client = token_client(leader)

    body = client.get(f"{BASE}/ladder/contributions").json()
    assert [(row["person"]["id"], row["total"]) for row in body["items"]] == [
        (alice.pk, 2),
        (bob.pk, 1),
    ]
    assert body["items"][0]["counts"]["presented"] == 1
    since = (now - timedelta(days=30)).isoformat()
    recent = client.get(f"{BASE}/ladder/contributions", {"since": since}).json()
    assert recent["count"] == 1
    inverted = client.get(
        f"{BASE}/ladder/contributions", {"since": now.isoformat(), "until": since}
    )
    assert inverted.status_code == 422
    too_long = client.get(
        f"{BASE}/ladder/contributions", {"since": (now - timedelta(days=4000)).isoformat()}
    )
    assert too_long.status_code == 422
    assert client.get(f"{BASE}/ladder/contributions", {"since": "yesterday"}).status_code == 422
    assert token_client(alice).get(f"{BASE}/ladder/contributions").status_code == 403


# --- Suggestions and asks ------------------------------------------------------------------


@pytest.mark.usefixtures("outbox_backend", "ladder")
def test_suggestions_and_asks_by_api(community, leader, alice, bob):
    for _ in range(5):
        LedgerRowFactory(kind=ActivityKind.ANSWERED, person=alice, community=community)
    client = token_client(leader)

    suggestions = client.get(f"{BASE}/ladder/suggestions").json()
    assert suggestions["count"] == 1
    item = suggestions["items"][0]
    assert item["person"]["id"] == alice.pk
    assert item["reason"] == "answered 5 questions in the last 90 days; never asked"
    assert item["current_rung"] is None

    call = OpportunityFactory(community=community)
    asked = _json(
        client,
        "post",
        f"{BASE}/ladder/asks",
        {"person_id": alice.pk, "opportunity_id": call.pk, "note": "Review with us?"},
    )
    assert asked.status_code == 201
    assert asked.json()["opportunity"] == {"id": call.pk, "title": call.title}
    assert client.get(f"{BASE}/ladder/suggestions").json()["count"] == 0
    assert client.get(f"{BASE}/ladder/asks").json()["count"] == 1

    twice = _json(
        client, "post", f"{BASE}/ladder/asks", {"person_id": alice.pk, "opportunity_id": call.pk}
    )
    assert twice.status_code == 422
    foreign = _json(
        client,
        "post",
        f"{BASE}/ladder/asks",
        {"person_id": bob.pk, "opportunity_id": OpportunityFactory().pk},
    )
    assert "opportunity_id" in foreign.json()["errors"]
    nobody = _json(client, "post", f"{BASE}/ladder/asks", {"person_id": 999_999})
    assert nobody.status_code == 404
    members = token_client(bob)
    assert members.get(f"{BASE}/ladder/suggestions").status_code == 403
    assert _json(members, "post", f"{BASE}/ladder/asks", {"person_id": alice.pk}).status_code == 403
    assert ContributionAsk.objects.count() == 1


def test_a_closed_community_ladder_is_for_members(alice):
    closed = CommunityFactory(slug="inner-circle", access=Access.CLOSED)
    client = token_client(alice)

    for path in ("ladder/rungs", "ladder/members", "opportunities"):
        response = client.get(f"{API}/communities/{closed.slug}/{path}")
        assert response.status_code == 403
        assert "closed community" in response.json()["detail"]
    assert client.get(f"{API}/communities/nowhere/ladder/rungs").status_code == 404


def test_the_api_needs_authentication(community):
    from django.test import Client

    assert Client().get(f"{BASE}/ladder/rungs").status_code == 401


# --- Opportunities -------------------------------------------------------------------------


def test_a_call_from_opening_to_accepting(outbox_backend, community, organizer, alice):
    runner = token_client(organizer)
    closes = (timezone.localdate() + timedelta(days=10)).isoformat()

    opened = _json(
        runner,
        "post",
        f"{BASE}/opportunities",
        {"kind": "speakers", "title": "Lightning talks", "seats": 2, "closes_on": closes},
    )
    assert opened.status_code == 201
    call = opened.json()
    assert (call["state"], call["accepted_count"], call["seats"]) == ("open", 0, 2)

    member = token_client(alice)
    offered = _json(
        member, "post", f"{BASE}/opportunities/{call['id']}/volunteers", {"message": "Me!"}
    )
    assert offered.status_code == 201
    again = _json(member, "post", f"{BASE}/opportunities/{call['id']}/volunteers")
    assert again.status_code == 200
    assert again.json()["id"] == offered.json()["id"]

    listed = runner.get(f"{BASE}/opportunities/{call['id']}/volunteers").json()
    assert listed["items"][0]["message"] == "Me!"
    assert member.get(f"{BASE}/opportunities/{call['id']}/volunteers").status_code == 403

    accepted = _json(
        runner,
        "post",
        f"{BASE}/opportunities/{call['id']}/volunteers/{offered.json()['id']}/accept",
        {"note": "Slot 3"},
    )
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    assert Activity.objects.filter(kind=ActivityKind.VOLUNTEERED, person=alice).exists()
    assert member.get(f"{BASE}/opportunities/{call['id']}").json()["accepted_count"] == 1


def test_the_board_lists_open_and_closed_calls(community, alice):
    OpportunityFactory(community=community, title="Open one")
    OpportunityFactory(community=community, title="Closed one", status=OpportunityStatus.CLOSED)
    OpportunityFactory(
        community=community,
        title="Expired one",
        closes_on=timezone.localdate() - timedelta(days=1),
    )
    client = token_client(alice)

    assert [c["title"] for c in client.get(f"{BASE}/opportunities").json()["items"]] == ["Open one"]
    closed = client.get(f"{BASE}/opportunities", {"state": "closed"}).json()
    assert {c["title"]: c["state"] for c in closed["items"]} == {
        "Closed one": "closed",
        "Expired one": "expired",
    }
    assert client.get(f"{BASE}/opportunities", {"state": "all"}).json()["count"] == 3
    assert client.get(f"{BASE}/opportunities", {"state": "soon"}).status_code == 422


def test_editing_and_closing_a_call(community, manager, alice):
    call = OpportunityFactory(community=community, seats=4)
    client = token_client(manager)

    patched = _json(client, "patch", f"{BASE}/opportunities/{call.pk}", {"title": "New title"})
    assert patched.json()["title"] == "New title"
    assert patched.json()["seats"] == 4
    unlimited = _json(client, "patch", f"{BASE}/opportunities/{call.pk}", {"seats": None})
    assert unlimited.json()["seats"] is None
    bad = _json(client, "patch", f"{BASE}/opportunities/{call.pk}", {"seats": -1})
    assert bad.status_code == 422
    assert "seats" in bad.json()["errors"]

    closed = _json(client, "post", f"{BASE}/opportunities/{call.pk}/close")
    assert closed.json()["state"] == "closed"
    late = _json(token_client(alice), "post", f"{BASE}/opportunities/{call.pk}/volunteers")
    assert late.status_code == 422
    assert "closed" in late.json()["errors"]["__all__"][0]
    reopened = _json(client, "patch", f"{BASE}/opportunities/{call.pk}", {"title": "Again"})
    assert reopened.status_code == 422


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "pilots", "title": "x"}, "kind"),
        ({"kind": "hosts", "title": ""}, "title"),
        ({"kind": "hosts", "title": "x", "seats": 0}, "seats"),
        ({"kind": "hosts", "title": "x", "seats": 5000}, "seats"),
        ({"kind": "hosts", "title": "x", "closes_on": "2001-01-01"}, "closes_on"),
        ({"kind": "hosts", "title": "x", "closes_on": "tomorrow"}, "closes_on"),
        ({"kind": "hosts", "title": "x\x00"}, "title"),
    ],
)
def test_bad_calls_are_422(community, manager, payload, field):
    response = _json(token_client(manager), "post", f"{BASE}/opportunities", payload)

    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not Opportunity.objects.exists()


def test_board_permissions(community, alice, bob, outsider):
    call = OpportunityFactory(community=community)
    offer = VolunteerFactory(opportunity=call, person=bob)
    member = token_client(alice)

    assert (
        _json(member, "post", f"{BASE}/opportunities", {"kind": "hosts", "title": "x"}).status_code
        == 403
    )
    assert _json(member, "post", f"{BASE}/opportunities/{call.pk}/close").status_code == 403
    accept = f"{BASE}/opportunities/{call.pk}/volunteers/{offer.pk}/accept"
    assert _json(member, "post", accept).status_code == 403
    stranger = _json(token_client(outsider), "post", f"{BASE}/opportunities/{call.pk}/volunteers")
    assert stranger.status_code == 403
    assert "Join" in stranger.json()["detail"]
    other = OpportunityFactory()
    assert member.get(f"{BASE}/opportunities/{other.pk}").status_code == 404
    offer.refresh_from_db()
    assert offer.status == VolunteerStatus.OFFERED


def test_withdrawing_and_declining(outbox_backend, community, manager, alice, bob):
    call = OpportunityFactory(community=community, seats=1)
    mine = VolunteerFactory(opportunity=call, person=alice)
    theirs = VolunteerFactory(opportunity=call, person=bob)
    member = token_client(alice)

    withdrawn = member.delete(f"{BASE}/opportunities/{call.pk}/volunteers/me")
    assert withdrawn.json()["status"] == "withdrawn"
    assert member.delete(f"{BASE}/opportunities/{call.pk}/volunteers/me").status_code == 404

    runner = token_client(manager)
    declined = _json(
        runner,
        "post",
        f"{BASE}/opportunities/{call.pk}/volunteers/{theirs.pk}/decline",
        {"note": "Next time!"},
    )
    assert declined.json()["decision_note"] == "Next time!"
    twice = _json(runner, "post", f"{BASE}/opportunities/{call.pk}/volunteers/{theirs.pk}/accept")
    assert twice.status_code == 422
    missing = _json(
        runner, "post", f"{BASE}/opportunities/{call.pk}/volunteers/{mine.pk + 999}/accept"
    )
    assert missing.status_code == 404
    assert Volunteer.objects.get(pk=mine.pk).status == "withdrawn"
