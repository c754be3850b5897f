"""The reviewer pool and bids API: volunteering (idempotent), one's seat, leaving, the chair's
list and setting aside, the proposals to bid on and bids — happy paths and 403/404/409/422."""

import pytest

from practica.conference.models import (
    Bid,
    DeclaredConflict,
    Edition,
    ReviewAssignment,
    ReviewerVolunteer,
)
from tests.conference.call_helpers import api_client, call
from tests.factories.conference import (
    EditionFactory,
    ProposalFactory,
    ReviewAssignmentFactory,
    ReviewerVolunteerFactory,
)
from tests.factories.core import TopicFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def test_volunteering_is_idempotent_and_updates(edition):
    person = UserFactory()
    topic = TopicFactory()
    client = api_client(person)
    url = f"/conference/editions/{edition.pk}/reviewers"

    first = call(client, "post", url, {"topics": [topic.slug], "max_load": 5})
    second = call(client, "post", url, {"topics": [topic.slug], "max_load": 4})

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["max_load"] == 4
    assert second.json()["topics"][0]["slug"] == topic.slug
    assert ReviewerVolunteer.objects.count() == 1
    mine = call(client, "get", f"{url}/mine")
    assert mine.json()["id"] == first.json()["id"]


def test_volunteering_bad_input_and_hidden_editions(edition):
    client = api_client(UserFactory())
    url = f"/conference/editions/{edition.pk}/reviewers"
    assert call(client, "post", url, {"max_load": 9}).status_code == 422  # the edition's is 8
    assert call(client, "post", url, {"topics": ["nope"]}).status_code == 422
    hidden = EditionFactory(is_published=False)
    assert (
        call(client, "post", f"/conference/editions/{hidden.pk}/reviewers", {}).status_code == 404
    )
    assert call(client, "get", f"{url}/mine").status_code == 404


def test_updating_and_leaving_ones_seat(edition):
    seat = ReviewerVolunteerFactory(edition=edition)
    client = api_client(seat.person)
    url = f"/conference/editions/{edition.pk}/reviewers/mine"
    updated = call(client, "patch", url, {"statement": "Speech recognition"})
    assert updated.json()["statement"] == "Speech recognition"
    assert updated.json()["max_load"] == seat.max_load

    ReviewAssignmentFactory(proposal=ProposalFactory(edition=edition), reviewer=seat.person)
    refused = call(client, "delete", url)
    assert refused.status_code == 409
    assert refused.json()["code"] == "state"
    ReviewAssignment.objects.all().delete()
    assert call(client, "delete", url).json()["id"] == seat.pk
    assert not ReviewerVolunteer.objects.exists()


def test_the_chair_lists_the_pool_and_sets_aside(edition, chair, committee_member):
    seat = ReviewerVolunteerFactory(edition=edition)
    client = api_client(chair)
    url = f"/conference/editions/{edition.pk}/reviewers"

    listed = call(client, "get", url).json()
    assert listed["count"] == 1
    assert listed["items"][0]["bid_count"] == 0
    aside = call(client, "patch", f"{url}/{seat.pk}", {"is_active": False})
    assert aside.status_code == 200
    assert aside.json()["is_active"] is False
    assert call(client, "get", url, {"active": "true"}).json()["count"] == 0

    # Set aside: volunteering again is a 409.
    again = call(api_client(seat.person), "post", url, {})
    assert again.status_code == 409
    assert again.json()["code"] == "set_aside"

    assert call(api_client(committee_member), "get", url).status_code == 403
    assert (
        call(
            api_client(committee_member), "patch", f"{url}/{seat.pk}", {"is_active": True}
        ).status_code
        == 403
    )


def test_bidding(edition):
    nlp = TopicFactory()
    seat = ReviewerVolunteerFactory(edition=edition, topics=[nlp])
    on_topic = ProposalFactory(edition=edition, topics=[nlp])
    off_topic = ProposalFactory(edition=edition)
    client = api_client(seat.person)
    url = f"/conference/editions/{edition.pk}/bids"

    listed = call(client, "get", url).json()
    assert [item["id"] for item in listed["items"]] == [on_topic.pk]
    assert listed["items"][0]["my_bid"] is None
    assert listed["items"][0]["speakers"][0]["person"]["id"] == on_topic.created_by_id
    everything = call(client, "get", url, {"all": "true"}).json()
    assert {item["id"] for item in everything["items"]} == {on_topic.pk, off_topic.pk}

    bid = call(client, "put", f"{url}/{on_topic.pk}", {"level": "conflict"})
    assert bid.status_code == 200
    assert bid.json() | {"updated_at": None} == {
        "proposal_id": on_topic.pk,
        "level": "conflict",
        "updated_at": None,
    }
    assert DeclaredConflict.objects.filter(person=seat.person, proposal=on_topic).exists()
    assert call(client, "get", url).json()["items"][0]["my_bid"] == "conflict"

    cleared = call(client, "delete", f"{url}/{on_topic.pk}")
    assert cleared.json() == {"proposal_id": on_topic.pk, "level": None}
    assert not Bid.objects.exists()
    assert not DeclaredConflict.objects.exists()


def test_bad_bids(edition):
    seat = ReviewerVolunteerFactory(edition=edition)
    own = ProposalFactory(edition=edition, created_by=seat.person)
    other_edition = ProposalFactory()
    draft = ProposalFactory(edition=edition, state="draft")
    client = api_client(seat.person)
    url = f"/conference/editions/{edition.pk}/bids"

    own_bid = call(client, "put", f"{url}/{own.pk}", {"level": "eager"})
    assert own_bid.status_code == 422
    assert "speaker of this proposal" in own_bid.json()["errors"]["proposal"][0]
    assert call(client, "put", f"{url}/{other_edition.pk}", {"level": "eager"}).status_code == 404
    assert call(client, "put", f"{url}/{draft.pk}", {"level": "eager"}).status_code == 404
    good = ProposalFactory(edition=edition)
    assert call(client, "put", f"{url}/{good.pk}", {"level": "ecstatic"}).status_code == 422
    assert call(api_client(UserFactory()), "get", url).status_code == 404
    assert not Bid.objects.exists()


def test_double_blind_hides_speakers_from_bidders(edition):
    Edition.objects.filter(pk=edition.pk).update(double_blind=True)
    seat = ReviewerVolunteerFactory(edition=edition)
    ProposalFactory(edition=edition)
    items = call(api_client(seat.person), "get", f"/conference/editions/{edition.pk}/bids").json()
    assert items["items"][0]["speakers"] is None


def test_a_set_aside_reviewer_cannot_bid(edition, chair):
    seat = ReviewerVolunteerFactory(edition=edition, is_active=False)
    proposal = ProposalFactory(edition=edition)
    client = api_client(seat.person)
    url = f"/conference/editions/{edition.pk}/bids"
    assert call(client, "get", url).json()["count"] == 0
    # Not an active reviewer: the proposal isn't visible to them at all.
    assert call(client, "put", f"{url}/{proposal.pk}", {"level": "eager"}).status_code == 404
