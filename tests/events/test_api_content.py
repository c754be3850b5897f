"""The materials, library and costs API."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from practica.events.models import EventCost, EventMaterial, EventStatus, MaterialKind
from tests.events.api_helpers import call, client_for
from tests.factories.core import TopicFactory
from tests.factories.events import EventFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


@pytest.fixture
def past(community):
    now = timezone.now()
    return EventFactory(
        community=community,
        title="Diffusion models deep dive",
        starts_at=now - timedelta(days=3),
        ends_at=now - timedelta(days=3) + timedelta(hours=1),
    )


RECORDING = {"kind": "recording", "url": "https://video.example.com/42", "title": "Recording"}


# --- Materials -----------------------------------------------------------------------------


def test_attach_list_and_remove_materials(past, organizer, member):
    client = client_for(organizer)

    added = call(client, "post", f"/events/{past.pk}/materials", RECORDING)
    again = call(client, "post", f"/events/{past.pk}/materials", {**RECORDING, "title": "Video"})

    assert added.status_code == 201, added.content
    assert again.status_code == 200
    assert again.json()["id"] == added.json()["id"]
    assert again.json()["title"] == "Video"
    listed = call(client_for(member), "get", f"/events/{past.pk}/materials").json()
    assert [m["url"] for m in listed] == ["https://video.example.com/42"]

    removed = call(client, "delete", f"/events/{past.pk}/materials/{added.json()['id']}")
    assert removed.status_code == 200
    assert not EventMaterial.objects.exists()
    gone = call(client, "delete", f"/events/{past.pk}/materials/{added.json()['id']}")
    assert gone.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**RECORDING, "url": "ftp://files.example.com/x"}, "url"),
        ({**RECORDING, "url": "not a link"}, "url"),
        ({**RECORDING, "url": ""}, "url"),
        ({**RECORDING, "kind": "hologram"}, "kind"),
        ({**RECORDING, "title": "t" * 201}, "title"),
    ],
)
def test_bad_materials_are_422(past, organizer, body, field):
    response = call(client_for(organizer), "post", f"/events/{past.pk}/materials", body)

    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not EventMaterial.objects.exists()


def test_only_organizers_attach_and_remove(past, member):
    material = EventMaterial.objects.create(
        event=past, kind=MaterialKind.SLIDES, url="https://s.example.com"
    )
    client = client_for(member)

    assert call(client, "post", f"/events/{past.pk}/materials", RECORDING).status_code == 403
    assert call(client, "delete", f"/events/{past.pk}/materials/{material.pk}").status_code == 403
    assert EventMaterial.objects.count() == 1


def test_a_material_of_another_event_is_404(past, community, organizer):
    other = EventFactory(community=community)
    material = EventMaterial.objects.create(
        event=other, kind=MaterialKind.SLIDES, url="https://s.example.com"
    )

    response = call(client_for(organizer), "delete", f"/events/{past.pk}/materials/{material.pk}")

    assert response.status_code == 404
    assert EventMaterial.objects.filter(pk=material.pk).exists()


def test_the_library_of_past_content(past, community, member):
    topic = TopicFactory(name="Generative")
    past.topics.add(topic)
    EventMaterial.objects.create(
        event=past, kind=MaterialKind.RECORDING, url="https://v.example.com"
    )
    upcoming = EventFactory(community=community)
    EventMaterial.objects.create(
        event=upcoming, kind=MaterialKind.SLIDES, url="https://s.example.com"
    )
    client = client_for(member)

    def ids(**query):
        response = call(client, "get", "/library", query)
        assert response.status_code == 200, response.content
        return [event["id"] for event in response.json()["items"]]

    assert ids() == [past.pk]
    assert ids(q="diffusion", topic="generative", kind="recording") == [past.pk]
    assert ids(kind="slides") == []
    assert ids(format="hackathon") == []
    body = call(client, "get", "/library").json()["items"][0]
    assert body["materials"][0]["kind"] == "recording"
    assert call(client, "get", "/library", {"topic": "nope"}).status_code == 422
    assert call(client, "get", "/library", {"community": "nope"}).status_code == 422


# --- Costs ---------------------------------------------------------------------------------


def test_cost_lines_and_totals(past, organizer):
    client = client_for(organizer)

    venue = call(
        client,
        "post",
        f"/events/{past.pk}/costs",
        {"category": "venue", "amount": "1250.50", "currency": "usd", "incurred_on": "2025-03-01"},
    )
    call(client, "post", f"/events/{past.pk}/costs", {"category": "food", "amount": 99.5})
    call(
        client,
        "post",
        f"/events/{past.pk}/costs",
        {"category": "food", "amount": 10, "currency": "EUR"},
    )

    assert venue.status_code == 201, venue.content
    assert venue.json()["currency"] == "USD"
    assert Decimal(venue.json()["amount"]) == Decimal("1250.50")
    costs = call(client, "get", f"/events/{past.pk}/costs").json()
    assert len(costs["lines"]) == 3
    totals = {row["currency"]: Decimal(row["total"]) for row in costs["totals"]}
    assert totals == {"EUR": Decimal("10"), "USD": Decimal("1350.00")}
    by_category = {
        (r["category"], r["currency"]): Decimal(r["total"]) for r in costs["by_category"]
    }
    assert by_category[("venue", "USD")] == Decimal("1250.50")
    assert by_category[("food", "EUR")] == Decimal("10")

    changed = call(
        client, "patch", f"/events/{past.pk}/costs/{venue.json()['id']}", {"amount": "1000"}
    )
    assert changed.status_code == 200
    assert EventCost.objects.get(pk=venue.json()["id"]).amount == Decimal("1000.00")
    removed = call(client, "delete", f"/events/{past.pk}/costs/{venue.json()['id']}")
    assert removed.status_code == 200
    assert EventCost.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": "venue", "amount": -1}, "amount"),
        ({"category": "venue", "amount": "1.005"}, "amount"),
        ({"category": "venue", "amount": "lots"}, "amount"),
        ({"category": "venue", "amount": "1e20"}, "amount"),
        ({"category": "venue", "amount": "NaN"}, "amount"),
        ({"category": "yacht", "amount": 1}, "category"),
        ({"category": "venue", "amount": 1, "currency": "dollars"}, "currency"),
        ({"category": "venue", "amount": 1, "incurred_on": "yesterday"}, "incurred_on"),
        ({"category": "venue"}, "amount"),
    ],
)
def test_bad_cost_lines_are_422(past, organizer, body, field):
    response = call(client_for(organizer), "post", f"/events/{past.pk}/costs", body)

    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert not EventCost.objects.exists()


def test_costs_are_for_organizers_and_forged_ids_are_404(past, community, organizer, member):
    cost = EventCost.objects.create(event=past, category="venue", amount=5)
    other = EventCost.objects.create(
        event=EventFactory(community=community), category="food", amount=1
    )
    client = client_for(member)

    assert call(client, "get", f"/events/{past.pk}/costs").status_code == 403
    assert (
        call(
            client, "post", f"/events/{past.pk}/costs", {"category": "venue", "amount": 1}
        ).status_code
        == 403
    )
    assert call(client, "delete", f"/events/{past.pk}/costs/{cost.pk}").status_code == 403
    forged = call(
        client_for(organizer), "patch", f"/events/{past.pk}/costs/{other.pk}", {"amount": 9}
    )
    assert forged.status_code == 404
    other.refresh_from_db()
    assert other.amount == 1


def test_a_drafts_costs_are_not_found_for_others(community, member):
    draft = EventFactory(community=community, status=EventStatus.DRAFT)

    assert call(client_for(member), "get", f"/events/{draft.pk}/costs").status_code == 404
