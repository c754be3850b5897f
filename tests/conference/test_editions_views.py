"""The edition screens: a community's editions (and the link from the community page), an
edition's page (dates in the viewer's zone, the call's countdown, what the viewer may do),
creating and editing an edition, its settings and committee — permissions and bad input."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from practica.communities.models import MembershipRole
from practica.conference.models import CommitteeMember, Edition, SessionFormat, Track
from practica.events.models import EventStatus
from tests.conference.call_helpers import member_of
from tests.events.outbox import outbox_backend  # noqa: F401 — the fixture
from tests.factories.conference import (
    CommitteeMemberFactory,
    EditionFactory,
    ProposalFactory,
    ReviewerVolunteerFactory,
)
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outbox_backend")]

WALL = "%Y-%m-%dT%H:%M"


def signed_in(client, user):
    client.force_login(user)
    return client


def edition_form(**changes):
    now = timezone.now()
    starts = (now + timedelta(days=120)).date()
    data = {
        "name": "Spring 2032",
        "slug": "",
        "description": "The **spring** edition.",
        "time_zone": "Asia/Shanghai",
        "starts_on": starts.isoformat(),
        "ends_on": (starts + timedelta(days=1)).isoformat(),
        "cfp_opens_at": (now - timedelta(days=1)).strftime(WALL),
        "cfp_closes_at": (now + timedelta(days=30)).strftime(WALL),
        "review_opens_at": (now + timedelta(days=31)).strftime(WALL),
        "review_closes_at": (now + timedelta(days=60)).strftime(WALL),
        "decisions_due_at": (now + timedelta(days=70)).strftime(WALL),
        "reviewers_per_proposal": "3",
        "reviewer_min_load": "0",
        "reviewer_max_load": "8",
        "mode": "in_person",
        "venue_city": "Shanghai",
        "capacity": "1000",
    }
    data.update(changes)
    return data


# --- Lists and the community page ------------------------------------------------------------


def test_the_community_page_links_to_its_conference(client, community):
    response = signed_in(client, UserFactory()).get(
        reverse("communities:detail", args=[community.slug])
    )
    assert reverse("conference:editions", args=[community.slug]) in response.text


def test_members_see_announced_editions_and_managers_all(client, community, edition):
    hidden = EditionFactory(community=community, name="Next year", is_published=False)
    member = UserFactory()
    url = reverse("conference:editions", args=[community.slug])

    member_page = signed_in(client, member).get(url)
    assert member_page.status_code == 200
    assert edition.name in member_page.text
    assert hidden.name not in member_page.text
    assert "New edition" not in member_page.text

    manager = member_of(community, MembershipRole.MANAGER)
    manager_page = signed_in(client, manager).get(url)
    assert hidden.name in manager_page.text
    assert "New edition" in manager_page.text


def test_an_empty_list_says_so(client, community):
    page = signed_in(client, UserFactory()).get(
        reverse("conference:editions", args=[community.slug])
    )
    assert "No conference edition yet" in page.text


def test_the_list_needs_a_signed_in_member(client, community):
    response = client.get(reverse("conference:editions", args=[community.slug]))
    assert response.status_code == 302


# --- An edition's page -----------------------------------------------------------------------


def test_the_edition_page_shows_dates_in_the_viewers_zone_with_the_editions(client, edition):
    viewer = UserFactory(time_zone="America/New_York")
    page = signed_in(client, viewer).get(reverse("conference:edition_detail", args=[edition.pk]))

    assert page.status_code == 200
    assert "(America/New_York)" in page.text
    assert "(Europe/Berlin)" in page.text
    assert "Research" in page.text
    assert "Keynote" in page.text
    assert "By invitation" in page.text
    assert "days left" in page.text
    assert reverse("conference:proposal_create", args=[edition.pk]) in page.text
    assert reverse("conference:volunteer", args=[edition.pk]) in page.text
    assert "Announce" not in page.text


def test_an_unannounced_edition_is_hidden_from_members_but_not_its_committee(client, community):
    edition = EditionFactory(community=community, is_published=False)
    url = reverse("conference:edition_detail", args=[edition.pk])
    assert signed_in(client, UserFactory()).get(url).status_code == 404
    member = CommitteeMemberFactory(edition=edition).person
    assert signed_in(client, member).get(url).status_code == 200


def test_after_the_deadline_there_is_no_submit_button(client, edition):
    Edition.objects.filter(pk=edition.pk).update(cfp_closes_at=timezone.now() - timedelta(hours=1))
    page = signed_in(client, UserFactory()).get(
        reverse("conference:edition_detail", args=[edition.pk])
    )
    assert reverse("conference:proposal_create", args=[edition.pk]) not in page.text
    assert "The call is closed." in page.text


def test_a_reviewer_sees_the_bidding_link_and_the_chair_the_settings(client, edition, chair):
    seat = ReviewerVolunteerFactory(edition=edition)
    page = signed_in(client, seat.person).get(
        reverse("conference:edition_detail", args=[edition.pk])
    )
    assert reverse("conference:bids", args=[edition.pk]) in page.text
    assert reverse("conference:edition_settings", args=[edition.pk]) not in page.text

    chair_page = signed_in(client, chair).get(
        reverse("conference:edition_detail", args=[edition.pk])
    )
    assert reverse("conference:edition_settings", args=[edition.pk]) in chair_page.text
    assert reverse("conference:pool", args=[edition.pk]) in chair_page.text


# --- Creating and editing --------------------------------------------------------------------


def test_a_manager_creates_and_announces_an_edition(client, community):
    manager = member_of(community, MembershipRole.MANAGER)
    client = signed_in(client, manager)
    url = reverse("conference:edition_create", args=[community.slug])
    assert client.get(url).status_code == 200

    response = client.post(url, edition_form(publish="1"))

    edition = Edition.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("conference:edition_detail", args=[edition.pk])
    assert edition.is_published
    assert edition.time_zone == "Asia/Shanghai"
    assert edition.cfp_closes_at.tzinfo is not None
    assert edition.event.status == EventStatus.PUBLISHED
    assert edition.formats.count() == 6


def test_bad_dates_are_shown_beside_their_fields_and_nothing_is_saved(client, community):
    manager = member_of(community, MembershipRole.MANAGER)
    data = edition_form()
    data["cfp_closes_at"] = data["cfp_opens_at"]
    response = signed_in(client, manager).post(
        reverse("conference:edition_create", args=[community.slug]), data
    )
    assert response.status_code == 422
    assert "The deadline must come after the call opens." in response.text
    assert not Edition.objects.exists()


def test_members_cannot_create_editions(client, community):
    member = member_of(community)
    response = signed_in(client, member).post(
        reverse("conference:edition_create", args=[community.slug]), edition_form()
    )
    assert response.status_code == 403
    assert not Edition.objects.exists()


def test_the_chair_edits_the_edition(client, edition, chair):
    url = reverse("conference:edition_edit", args=[edition.pk])
    client = signed_in(client, chair)
    form = client.get(url)
    assert form.status_code == 200
    assert 'value="Europe/Berlin" selected' in form.text

    data = edition_form(name="Spring, renamed", time_zone="Europe/Berlin")
    data.update(
        {
            "starts_on": edition.starts_on.isoformat(),
            "ends_on": edition.ends_on.isoformat(),
            "cfp_opens_at": edition.cfp_opens_at.astimezone().strftime(WALL),
        }
    )
    for name in ("mode", "venue_city", "capacity"):
        data.pop(name)
    response = client.post(url, data)
    assert response.status_code == 302
    edition.refresh_from_db()
    assert edition.name == "Spring, renamed"


def test_others_cannot_edit_or_announce(client, edition, committee_member):
    client = signed_in(client, committee_member)
    assert client.get(reverse("conference:edition_edit", args=[edition.pk])).status_code == 403
    assert client.get(reverse("conference:edition_settings", args=[edition.pk])).status_code == 403
    Edition.objects.filter(pk=edition.pk).update(is_published=False)
    client.post(reverse("conference:edition_announce", args=[edition.pk]))
    assert not Edition.objects.get(pk=edition.pk).is_published


def test_the_chair_announces(client, community, chair):
    edition = EditionFactory(community=community, is_published=False)
    response = signed_in(client, chair).post(
        reverse("conference:edition_announce", args=[edition.pk]), follow=True
    )
    assert "announced" in response.text
    assert Edition.objects.get(pk=edition.pk).is_published


# --- Settings --------------------------------------------------------------------------------


def test_the_settings_page_lists_every_part(client, edition, chair):
    page = signed_in(client, chair).get(reverse("conference:edition_settings", args=[edition.pk]))
    assert page.status_code == 200
    for text in ("Research", "Lightning talk", "Main hall", "Relevance", "Program committee"):
        assert text in page.text


def test_parts_are_added_edited_and_removed(client, edition, chair):
    client = signed_in(client, chair)
    add = reverse("conference:edition_part_add", args=[edition.pk, "tracks"])
    response = client.post(add, {"tracks-name": "Product", "tracks-position": "3"})
    assert response.status_code == 302
    track = Track.objects.get(edition=edition, name="Product")

    edit = reverse("conference:edition_part_edit", args=[edition.pk, "tracks", track.pk])
    assert client.get(edit).status_code == 200
    client.post(edit, {"name": "Products", "description": "", "position": "1"})
    assert Track.objects.get(pk=track.pk).name == "Products"

    client.post(reverse("conference:edition_part_remove", args=[edition.pk, "tracks", track.pk]))
    assert not Track.objects.filter(pk=track.pk).exists()


def test_a_duplicate_name_is_shown_beside_the_field(client, edition, chair):
    response = signed_in(client, chair).post(
        reverse("conference:edition_part_add", args=[edition.pk, "formats"]),
        {"formats-kind": "talk", "formats-name": "talk", "formats-minutes": "20"},
    )
    assert response.status_code == 422
    assert "already has one by this name" in response.text


def test_removing_a_format_in_use_explains_why_not(client, edition, chair):
    talk = SessionFormat.objects.get(edition=edition, name="Talk")
    ProposalFactory(edition=edition, format=talk)
    response = signed_in(client, chair).post(
        reverse("conference:edition_part_remove", args=[edition.pk, "formats", talk.pk]),
        follow=True,
    )
    assert "close it to new proposals instead" in response.text
    assert SessionFormat.objects.filter(pk=talk.pk).exists()


def test_an_unknown_part_or_another_editions_item_is_not_found(client, edition, chair):
    client = signed_in(client, chair)
    other = Track.objects.create(edition=EditionFactory(), name="Elsewhere")
    assert (
        client.get(
            reverse("conference:edition_part_edit", args=[edition.pk, "tracks", other.pk])
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("conference:edition_part_add", args=[edition.pk, "sponsors"]), {}
        ).status_code
        == 404
    )


def test_the_committee_is_managed_from_the_settings(client, edition, chair):
    person = UserFactory(email="pc@example.com")
    client = signed_in(client, chair)
    response = client.post(
        reverse("conference:committee_add", args=[edition.pk]),
        {"committee-email": "PC@example.com", "committee-is_chair": "on"},
    )
    assert response.status_code == 302
    seat = CommitteeMember.objects.get(edition=edition, person=person)
    assert seat.is_chair

    client.post(
        reverse("conference:committee_chair", args=[edition.pk, seat.pk]), {"is_chair": "0"}
    )
    assert not CommitteeMember.objects.get(pk=seat.pk).is_chair
    client.post(reverse("conference:committee_remove", args=[edition.pk, seat.pk]))
    assert not CommitteeMember.objects.filter(pk=seat.pk).exists()

    unknown = client.post(
        reverse("conference:committee_add", args=[edition.pk]),
        {"committee-email": "ghost@example.com"},
    )
    assert unknown.status_code == 422
    assert "No active member has the address ghost@example.com" in unknown.text


def test_the_manager_deletes_an_edition_nobody_proposed_to(client, edition, chair):
    client = signed_in(client, chair)
    settings_page = client.get(reverse("conference:edition_settings", args=[edition.pk]))
    assert reverse("conference:edition_delete", args=[edition.pk]) in settings_page.text
    response = client.post(reverse("conference:edition_delete", args=[edition.pk]))
    assert response.url == reverse("conference:editions", args=[edition.community.slug])
    assert not Edition.objects.filter(pk=edition.pk).exists()


def test_an_edition_with_proposals_offers_no_delete(client, edition, chair):
    ProposalFactory(edition=edition)
    client = signed_in(client, chair)
    page = client.get(reverse("conference:edition_settings", args=[edition.pk]))
    assert reverse("conference:edition_delete", args=[edition.pk]) not in page.text
    client.post(reverse("conference:edition_delete", args=[edition.pk]))
    assert Edition.objects.filter(pk=edition.pk).exists()
