"""The editions API: listing, one edition, creating, editing and announcing; tracks,
formats, rooms, criteria and the committee — happy paths and 401/403/404/409/422."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from practica.communities.models import MembershipRole
from practica.conference.models import CommitteeMember, Edition, SessionFormat, Track
from practica.core.models import Activity, ActivityKind
from tests.api.clients import API
from tests.conference.call_helpers import api_client, call, edition_values, member_of
from tests.events.outbox import outbox_backend  # noqa: F401 — the fixture
from tests.factories.conference import EditionFactory, ProposalFactory
from tests.factories.core import TopicFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db, pytest.mark.usefixtures("outbox_backend")]


def new_edition(**changes):
    values = edition_values()
    body = {
        key: value.isoformat() if hasattr(value, "isoformat") else value
        for key, value in values.items()
    }
    body.update(changes)
    return body


def test_anonymous_callers_are_refused(edition):
    response = Client().get(f"{API}/conference/editions/{edition.pk}")
    assert response.status_code == 401


def test_members_list_and_read_announced_editions(community, edition):
    hidden = EditionFactory(community=community, is_published=False)
    client = api_client(UserFactory())

    listed = call(client, "get", f"/conference/communities/{community.slug}/editions")
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["items"]] == [edition.pk]

    one = call(client, "get", f"/conference/editions/{edition.pk}").json()
    assert one["phase"] == "call_open"
    assert one["call_is_open"] is True
    assert [track["name"] for track in one["tracks"]] == ["Research", "Engineering"]
    assert {row["name"] for row in one["formats"]} >= {"Talk", "Keynote"}
    assert one["is_chair"] is False
    assert call(client, "get", f"/conference/editions/{hidden.pk}").status_code == 404
    assert call(client, "get", "/conference/editions/999999").status_code == 404


def test_a_manager_creates_an_edition(community):
    manager = member_of(community, MembershipRole.MANAGER)
    topic = TopicFactory(slug="nlp")
    response = call(
        api_client(manager),
        "post",
        f"/conference/communities/{community.slug}/editions",
        new_edition(topics=["nlp"], publish=True),
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["is_published"] is True
    assert body["is_chair"] is True
    assert body["topics"][0]["slug"] == topic.slug
    assert len(body["formats"]) == 6
    assert body["event_id"] == Edition.objects.get().event_id


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"cfp_opens_at": "2031-01-01T10:00:00"}, "cfp_opens_at"),  # naive
        ({"time_zone": "Nowhere/Else"}, "time_zone"),
        ({"topics": ["no-such-topic"]}, "topics"),
        ({"reviewer_max_load": 99}, "reviewer_max_load"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(community, changes, field):
    manager = member_of(community, MembershipRole.MANAGER)
    response = call(
        api_client(manager),
        "post",
        f"/conference/communities/{community.slug}/editions",
        new_edition(**changes),
    )
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not Edition.objects.exists()


def test_members_may_not_create(community):
    response = call(
        api_client(member_of(community)),
        "post",
        f"/conference/communities/{community.slug}/editions",
        new_edition(),
    )
    assert response.status_code == 403


def test_the_chair_edits_only_what_is_sent(edition, chair):
    client = api_client(chair)
    response = call(client, "patch", f"/conference/editions/{edition.pk}", {"double_blind": True})
    assert response.status_code == 200
    assert response.json()["double_blind"] is True
    assert response.json()["name"] == edition.name

    bad = call(
        client,
        "patch",
        f"/conference/editions/{edition.pk}",
        {"review_closes_at": (edition.review_opens_at - timedelta(days=1)).isoformat()},
    )
    assert bad.status_code == 422
    assert "review_closes_at" in bad.json()["errors"]


def test_others_may_not_edit_or_announce(edition, committee_member):
    client = api_client(committee_member)
    assert (
        call(client, "patch", f"/conference/editions/{edition.pk}", {"name": "X"}).status_code
        == 403
    )
    assert call(client, "post", f"/conference/editions/{edition.pk}/announce").status_code == 403


def test_announcing(community, chair):
    edition = EditionFactory(community=community, is_published=False)
    client = api_client(chair)
    response = call(client, "post", f"/conference/editions/{edition.pk}/announce")
    assert response.status_code == 200
    assert response.json()["is_published"] is True

    over = EditionFactory(
        community=community,
        is_published=False,
        starts_on=timezone.localdate() - timedelta(days=30),
        cfp_opens_at=timezone.now() - timedelta(days=200),
        cfp_closes_at=timezone.now() - timedelta(days=150),
    )
    refused = call(client, "post", f"/conference/editions/{over.pk}/announce")
    assert refused.status_code == 409
    assert refused.json()["code"] == "state"


def test_tracks_formats_rooms_and_criteria(edition, chair):
    client = api_client(chair)
    base = f"/conference/editions/{edition.pk}"

    track = call(client, "post", f"{base}/tracks", {"name": "Product"})
    assert track.status_code == 201
    track_id = track.json()["id"]
    renamed = call(client, "patch", f"{base}/tracks/{track_id}", {"name": "Products"})
    assert renamed.json()["name"] == "Products"
    removed = call(client, "delete", f"{base}/tracks/{track_id}")
    assert (removed.status_code, removed.json()["name"]) == (200, "Products")

    duplicate = call(
        client, "post", f"{base}/formats", {"kind": "talk", "name": "Talk", "minutes": 20}
    )
    assert duplicate.status_code == 422
    fmt = call(client, "post", f"{base}/formats", {"kind": "panel", "name": "Panel", "minutes": 45})
    assert fmt.status_code == 201
    closed = call(
        client, "patch", f"{base}/formats/{fmt.json()['id']}", {"open_for_proposals": False}
    )
    assert closed.json()["open_for_proposals"] is False

    room = call(client, "post", f"{base}/rooms", {"name": "Hall C", "capacity": 120})
    assert room.status_code == 201
    assert (
        call(client, "patch", f"{base}/rooms/{room.json()['id']}", {"capacity": 150}).json()[
            "capacity"
        ]
        == 150
    )
    assert call(client, "delete", f"{base}/rooms/{room.json()['id']}").status_code == 200

    criterion = call(client, "post", f"{base}/criteria", {"name": "Novelty", "weight": "1.5"})
    assert criterion.status_code == 201
    assert criterion.json()["weight"] in ("1.50", 1.5, "1.5")
    assert (
        call(client, "post", f"{base}/criteria", {"name": "Heavy", "weight": 500}).status_code
        == 422
    )


def test_removing_a_part_in_use_is_a_409(edition, chair):
    talk = SessionFormat.objects.get(edition=edition, name="Talk")
    research = Track.objects.get(edition=edition, name="Research")
    ProposalFactory(edition=edition, format=talk, track=research)
    client = api_client(chair)
    base = f"/conference/editions/{edition.pk}"

    response = call(client, "delete", f"{base}/formats/{talk.pk}")
    assert response.status_code == 409
    assert response.json()["code"] == "in_use"
    assert call(client, "delete", f"{base}/tracks/{research.pk}").status_code == 409
    other = Track.objects.create(edition=EditionFactory(), name="Elsewhere")
    assert call(client, "delete", f"{base}/tracks/{other.pk}").status_code == 404


def test_parts_are_for_chairs(edition, committee_member):
    response = call(
        api_client(committee_member),
        "post",
        f"/conference/editions/{edition.pk}/tracks",
        {"name": "X"},
    )
    assert response.status_code == 403


def test_the_committee(edition, chair):
    client = api_client(chair)
    base = f"/conference/editions/{edition.pk}/committee"
    person = UserFactory()

    added = call(client, "post", base, {"person_id": person.pk})
    assert added.status_code == 201
    again = call(client, "post", base, {"person_id": person.pk, "is_chair": True})
    assert again.status_code == 200
    assert again.json()["is_chair"] is True
    assert (
        Activity.objects.filter(kind=ActivityKind.SERVED_ON_COMMITTEE, person=person).count() == 1
    )

    listed = call(api_client(UserFactory()), "get", base)
    assert [row["person"]["id"] for row in listed.json()] == [person.pk]

    seat_id = added.json()["id"]
    assert (
        call(client, "patch", f"{base}/{seat_id}", {"is_chair": False}).json()["is_chair"] is False
    )
    assert call(client, "delete", f"{base}/{seat_id}").json()["person"]["id"] == person.pk
    assert not CommitteeMember.objects.exists()

    assert call(client, "post", base, {"person_id": 987654}).status_code == 422
    outsider = call(api_client(UserFactory()), "post", base, {"person_id": person.pk})
    assert outsider.status_code == 403


def test_deleting_an_edition(community, chair, committee_member):
    empty = EditionFactory(community=community)
    used = EditionFactory(community=community)
    ProposalFactory(edition=used)
    assert (
        call(api_client(committee_member), "delete", f"/conference/editions/{empty.pk}").status_code
        == 403
    )
    client = api_client(chair)
    deleted = call(client, "delete", f"/conference/editions/{empty.pk}")
    assert (deleted.status_code, deleted.json()["id"]) == (200, empty.pk)
    refused = call(client, "delete", f"/conference/editions/{used.pk}")
    assert refused.status_code == 409
    assert refused.json()["code"] == "in_use"
    assert not Edition.objects.filter(pk=empty.pk).exists()
    assert Edition.objects.filter(pk=used.pk).exists()
