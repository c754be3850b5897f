"""The reviewer pool screens: volunteering and leaving, the bidding page (filtered by topics,
paginated, htmx buttons, speakers hidden under double-blind), and the chair's pool."""

import pytest
from django.urls import reverse

from practica.conference.models import Bid, DeclaredConflict, Edition, ReviewerVolunteer
from tests.factories.conference import (
    ProposalFactory,
    ReviewAssignmentFactory,
    ReviewerVolunteerFactory,
)
from tests.factories.core import TopicFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def signed_in(client, user):
    client.force_login(user)
    return client


def test_a_member_volunteers_then_lands_on_bidding(client, edition):
    person = UserFactory()
    topic = TopicFactory(name="Speech")
    client = signed_in(client, person)
    url = reverse("conference:volunteer", args=[edition.pk])
    page = client.get(url)
    assert "Join the reviewer pool" in page.text
    assert f'value="{topic.pk}"' in page.text

    response = client.post(url, {"topics": [topic.pk], "max_load": "4", "statement": "ASR"})

    assert response.status_code == 302
    assert response.url == reverse("conference:bids", args=[edition.pk])
    seat = ReviewerVolunteer.objects.get(person=person)
    assert (seat.max_load, list(seat.topics.all())) == (4, [topic])

    # The same page updates the profile.
    assert "Your reviewer profile" in client.get(url).text
    client.post(url, {"topics": [], "max_load": "2", "statement": ""})
    assert ReviewerVolunteer.objects.get(pk=seat.pk).max_load == 2


def test_a_load_above_the_editions_is_refused_beside_the_field(client, edition):
    response = signed_in(client, UserFactory()).post(
        reverse("conference:volunteer", args=[edition.pk]), {"max_load": "20"}
    )
    assert response.status_code == 422
    assert "8" in response.text
    assert not ReviewerVolunteer.objects.exists()


def test_leaving_the_pool(client, edition):
    seat = ReviewerVolunteerFactory(edition=edition)
    client = signed_in(client, seat.person)
    client.post(reverse("conference:volunteer_leave", args=[edition.pk]))
    assert not ReviewerVolunteer.objects.exists()


def test_leaving_with_assignments_is_refused_with_a_message(client, edition):
    seat = ReviewerVolunteerFactory(edition=edition)
    ReviewAssignmentFactory(proposal=ProposalFactory(edition=edition), reviewer=seat.person)
    response = signed_in(client, seat.person).post(
        reverse("conference:volunteer_leave", args=[edition.pk]), follow=True
    )
    assert "ask the chair" in response.text
    assert ReviewerVolunteer.objects.exists()


def test_bidding_needs_a_seat(client, edition):
    response = signed_in(client, UserFactory()).get(reverse("conference:bids", args=[edition.pk]))
    assert response.status_code == 302
    assert response.url == reverse("conference:volunteer", args=[edition.pk])


def test_the_bidding_page_shows_my_topics_first_and_all_on_request(client, edition):
    nlp, vision = TopicFactory(name="NLP"), TopicFactory(name="Vision")
    seat = ReviewerVolunteerFactory(edition=edition, topics=[nlp])
    ProposalFactory(edition=edition, title="Parsing legal text", topics=[nlp])
    ProposalFactory(edition=edition, title="Counting cells", topics=[vision])
    ProposalFactory(edition=edition, title="My own talk", created_by=seat.person, topics=[nlp])
    client = signed_in(client, seat.person)
    url = reverse("conference:bids", args=[edition.pk])

    mine = client.get(url)
    assert "Parsing legal text" in mine.text
    assert "Counting cells" not in mine.text
    assert "My own talk" not in mine.text
    everything = client.get(url, {"all": "1"})
    assert "Counting cells" in everything.text


def test_bidding_pages_through_many_proposals(client, edition):
    seat = ReviewerVolunteerFactory(edition=edition)
    for number in range(25):
        ProposalFactory(edition=edition, title=f"Talk {number:02}")
    page = signed_in(client, seat.person).get(reverse("conference:bids", args=[edition.pk]))
    assert "25 proposals" in page.text
    assert "?page=2" in page.text


def test_a_bid_button_posts_with_htmx_and_returns_the_row(client, edition):
    seat = ReviewerVolunteerFactory(edition=edition)
    proposal = ProposalFactory(edition=edition, title="Serving LLMs")
    client = signed_in(client, seat.person)
    url = reverse("conference:bid", args=[edition.pk, proposal.pk])

    page = reverse("conference:bids", args=[edition.pk]) + "?all=1"
    row = client.post(
        url, {"level": "eager"}, HTTP_HX_CURRENT_URL=f"http://testserver{page}", **HTMX
    )
    assert row.status_code == 200
    assert f'name="next" value="{page}"' in row.text
    assert f'id="bid-{proposal.pk}"' in row.text
    assert 'aria-pressed="true"' in row.text
    assert Bid.objects.get().level == "eager"

    client.post(url, {"level": "conflict"}, **HTMX)
    assert DeclaredConflict.objects.filter(person=seat.person, proposal=proposal).exists()
    client.post(url, {"level": ""}, **HTMX)
    assert not Bid.objects.exists()
    assert not DeclaredConflict.objects.exists()


def test_a_plain_post_bids_too_and_bad_levels_are_refused(client, edition):
    seat = ReviewerVolunteerFactory(edition=edition)
    proposal = ProposalFactory(edition=edition)
    client = signed_in(client, seat.person)
    url = reverse("conference:bid", args=[edition.pk, proposal.pk])
    response = client.post(url, {"level": "willing"})
    assert response.status_code == 302
    assert Bid.objects.get().level == "willing"

    bad = client.post(url, {"level": "ecstatic"}, **HTMX)
    assert bad.status_code == 422
    assert Bid.objects.get().level == "willing"


def test_bidding_on_ones_own_proposal_is_refused(client, edition):
    seat = ReviewerVolunteerFactory(edition=edition)
    own = ProposalFactory(edition=edition, created_by=seat.person)
    response = signed_in(client, seat.person).post(
        reverse("conference:bid", args=[edition.pk, own.pk]), {"level": "eager"}, **HTMX
    )
    assert response.status_code == 422
    assert "speaker of this proposal" in response.text
    assert not Bid.objects.exists()


def test_speakers_are_hidden_on_the_bidding_page_under_double_blind(client, edition):
    Edition.objects.filter(pk=edition.pk).update(double_blind=True)
    seat = ReviewerVolunteerFactory(edition=edition)
    ProposalFactory(edition=edition, created_by=UserFactory(display_name="Secret Speaker"))
    page = signed_in(client, seat.person).get(reverse("conference:bids", args=[edition.pk]))
    assert "Secret Speaker" not in page.text


def test_the_chair_sees_the_pool_and_sets_a_volunteer_aside(client, edition, chair):
    seat = ReviewerVolunteerFactory(edition=edition, person=UserFactory(display_name="Rita"))
    client = signed_in(client, chair)
    page = client.get(reverse("conference:pool", args=[edition.pk]))
    assert page.status_code == 200
    assert "Rita" in page.text

    client.post(reverse("conference:pool_active", args=[edition.pk, seat.pk]), {"active": "0"})
    assert not ReviewerVolunteer.objects.get(pk=seat.pk).is_active
    aside = client.get(reverse("conference:pool", args=[edition.pk]), {"status": "aside"})
    assert "Rita" in aside.text
    active = client.get(reverse("conference:pool", args=[edition.pk]), {"status": "active"})
    assert "Rita" not in active.text


def test_the_pool_is_the_chairs(client, edition, committee_member):
    seat = ReviewerVolunteerFactory(edition=edition)
    client = signed_in(client, committee_member)
    assert client.get(reverse("conference:pool", args=[edition.pk])).status_code == 403
    response = client.post(
        reverse("conference:pool_active", args=[edition.pk, seat.pk]), {"active": "0"}
    )
    assert response.status_code == 403
    assert ReviewerVolunteer.objects.get(pk=seat.pk).is_active


def test_an_empty_pool_says_so(client, edition, chair):
    page = signed_in(client, chair).get(reverse("conference:pool", args=[edition.pk]))
    assert "No volunteers yet" in page.text
