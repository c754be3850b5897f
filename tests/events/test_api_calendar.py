"""The calendar feed API: create, see, rotate and revoke the caller's feed addresses."""

import pytest
from django.test import Client

from practica.events.models import CalendarToken
from tests.events.api_helpers import call, client_for
from tests.factories.communities import CommunityFactory, MembershipFactory, ProgramFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]

PATH = "/me/calendar-feed"


def fetch(url):
    """GET an absolute feed address as a calendar client would: no session, no token."""
    return Client().get(url.removeprefix("http://testserver"))


def test_no_feed_until_created(member):
    response = call(client_for(member), "get", PATH)

    assert response.status_code == 200
    assert response.json()["active"] is False
    assert response.json()["mine_url"] is None


def test_create_the_feed_addresses_once(member):
    program = ProgramFactory(name="AI Program")
    community = CommunityFactory(name="Vision", program=program)
    MembershipFactory(community=community, person=member)
    client = client_for(member)

    created = call(client, "post", PATH)
    again = call(client, "post", PATH)

    assert created.status_code == 201, created.content
    assert again.status_code == 200
    body = created.json()
    secret = CalendarToken.objects.get(person=member).secret
    assert body["active"] is True
    assert body["mine_url"].startswith("http://testserver/")
    assert secret in body["mine_url"]
    assert body["mine_url"].endswith("/mine.ics")
    assert body["community_url_template"].endswith("/community/{slug}.ics")
    assert body["communities"] == [
        {
            "community": {"id": community.pk, "slug": "vision", "name": "Vision"},
            "url": body["community_url_template"].replace("{slug}", "vision"),
        }
    ]
    assert [feed["program"]["slug"] for feed in body["programs"]] == [program.slug]
    assert again.json()["mine_url"] == body["mine_url"]
    assert call(client, "get", PATH).json()["mine_url"] == body["mine_url"]

    feed = fetch(body["mine_url"])
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("text/calendar")


def test_rotating_makes_the_old_addresses_404(member):
    client = client_for(member)
    old = call(client, "post", PATH).json()

    new = call(client, "post", f"{PATH}/rotate")

    assert new.status_code == 200
    assert new.json()["mine_url"] != old["mine_url"]
    assert fetch(old["mine_url"]).status_code == 404
    assert fetch(new.json()["mine_url"]).status_code == 200


def test_revoking_stops_every_address_and_twice_is_fine(member):
    client = client_for(member)
    old = call(client, "post", PATH).json()

    revoked = call(client, "delete", PATH)
    twice = call(client, "delete", PATH)

    assert revoked.status_code == twice.status_code == 200
    assert revoked.json()["active"] is False
    assert fetch(old["mine_url"]).status_code == 404
    assert not CalendarToken.objects.filter(revoked_at__isnull=True).exists()


def test_a_forged_feed_address_is_404(member):
    body = call(client_for(member), "post", PATH).json()
    secret = CalendarToken.objects.get(person=member).secret

    assert fetch(body["mine_url"].replace(secret, "x" * 43)).status_code == 404


def test_anonymous_callers_get_401():
    assert Client().get(f"/api/v1{PATH}").status_code == 401
    assert Client().post(f"/api/v1{PATH}").status_code == 401
