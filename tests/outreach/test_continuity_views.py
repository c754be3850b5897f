# Fixtures come from continuity_setup; pytest injects them by name.
# ruff: noqa: F401, F811
"""The continuity pages: a community's alerts for its managers, one alert's page, and the
hand-over forms (one thing, or everything in one step)."""

import pytest
from django.urls import reverse

from practica.communities.models import Group, GroupMembership, GroupRole, MembershipRole
from practica.events.models import Event, EventSeries
from practica.events.ownership import event_url
from practica.outreach.models import ContinuityAlert
from practica.outreach.services.continuity import hand_over_alert, raise_continuity_alerts
from tests.factories.communities import GroupFactory, GroupMembershipFactory, MembershipFactory
from tests.factories.people import UserFactory
from tests.outreach.continuity_setup import (
    KINDS,
    leaver,
    leavers_with_groups_and_series,
    other_community,
    owned,
    successor,
)

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


@pytest.fixture
def alert(owned):
    [raised] = raise_continuity_alerts(leaver=owned.leaver)
    return raised


@pytest.fixture
def as_manager(client, manager):
    client.force_login(manager)
    return client


def list_url(community):
    return reverse("outreach:continuity", args=[community.slug])


def alert_url(alert):
    return reverse("outreach:continuity_alert", args=[alert.community.slug, alert.pk])


def item_url(alert, item):
    return reverse(
        "outreach:continuity_item_hand_over", args=[alert.community.slug, alert.pk, item.pk]
    )


def all_url(alert):
    return reverse("outreach:continuity_hand_over", args=[alert.community.slug, alert.pk])


# --- Pages --------------------------------------------------------------------------------------


def test_the_list_links_every_thing_in_a_bounded_number_of_queries(
    as_manager, community, django_assert_max_num_queries
):
    for person in leavers_with_groups_and_series(community, 4):
        raise_continuity_alerts(leaver=person)

    with django_assert_max_num_queries(13):
        response = as_manager.get(list_url(community))

    page = response.content.decode()
    assert page.count("has left") == 4
    for group in Group.objects.filter(community=community):
        assert f'href="/communities/{community.slug}/groups/{group.slug}/"' in page
    for series in EventSeries.objects.filter(community=community):
        event = Event.objects.filter(series=series).first()
        target = event_url(event.pk) if event else reverse("events:planning", args=[community.slug])
        assert f'href="{target}">Event series: {series.title}<' in page


def test_the_managers_page_lists_open_alerts_with_every_thing_and_its_link(
    as_manager, community, alert, owned
):
    response = as_manager.get(list_url(community))

    assert response.status_code == 200
    page = response.content.decode()
    assert f"{owned.leaver} has left" in page
    for item in alert.items.all():
        assert item.label in page
        assert item_url(alert, item) in page
    assert f'href="/communities/{community.slug}/groups/{owned.group.slug}/"' in page
    assert f'href="/questions/{owned.question.pk}/"' in page
    assert f'href="/events/{owned.event.pk}/"' in page
    assert "#committee" in page
    for name in ("Group", "Event series", "Event to host", "Program committee seat"):
        assert name in page
    assert all_url(alert) in page
    assert "Hand everything to one person" in page
    assert "5 things waiting" in page
    assert "No alert has been resolved yet." in page


def test_the_picker_suggests_the_communitys_organizers(as_manager, alert, successor, community):
    member = MembershipFactory(community=community).person

    page = as_manager.get(list_url(community)).content.decode()

    assert f'<option value="{successor.email}">' in page
    assert f'<option value="{member.email}">' not in page
    assert 'list="continuity-successors"' in page


def test_resolved_alerts_move_to_the_history(as_manager, community, alert, successor, manager):
    hand_over_alert(alert=alert, successor=successor, actor=manager)

    page = as_manager.get(list_url(community)).content.decode()

    assert "Nothing needs a new owner" in page
    assert "5 things handed over" in page
    assert alert_url(alert) in page
    detail = as_manager.get(alert_url(alert)).content.decode()
    assert f"Handed to {successor}" in detail
    assert "Hand everything over" not in detail
    assert all_url(alert) not in detail


def test_an_empty_community_shows_the_empty_state(as_manager, community):
    page = as_manager.get(list_url(community)).content.decode()

    assert "Nothing needs a new owner" in page


def test_members_and_other_communities_managers_get_a_403(
    client, community, alert, other_community
):
    member = MembershipFactory(community=community).person
    elsewhere = MembershipFactory(community=other_community, role=MembershipRole.MANAGER).person
    for person in (member, elsewhere):
        client.force_login(person)
        assert client.get(list_url(community)).status_code == 403
        assert client.get(alert_url(alert)).status_code == 403
        response = client.post(all_url(alert), {"successor": member.email})
        assert response.status_code == 403
    assert not alert.items.filter(handed_at__isnull=False).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, community, alert):
    response = client.get(list_url(community))

    assert response.status_code == 302
    assert "sign-in" in response.url


def test_another_communitys_alert_or_item_is_not_found(
    as_manager, community, alert, other_community
):
    stranger = MembershipFactory(community=other_community).person
    group = GroupFactory(community=other_community)
    GroupMembershipFactory(group=group, person=stranger, role=GroupRole.OWNER)
    [foreign] = raise_continuity_alerts(leaver=stranger)
    foreign_item = foreign.items.get()
    own_item = alert.items.first()

    assert (
        as_manager.get(
            reverse("outreach:continuity_alert", args=[community.slug, foreign.pk])
        ).status_code
        == 404
    )
    assert (
        as_manager.get(
            reverse("outreach:continuity_alert", args=[community.slug, 999999])
        ).status_code
        == 404
    )
    response = as_manager.post(
        reverse(
            "outreach:continuity_item_hand_over", args=[community.slug, alert.pk, foreign_item.pk]
        ),
        {"successor": stranger.email},
    )
    assert response.status_code == 404
    response = as_manager.post(
        reverse("outreach:continuity_hand_over", args=[community.slug, foreign.pk]),
        {"successor": stranger.email},
    )
    assert response.status_code == 404
    assert as_manager.get(list_url(other_community)).status_code == 403
    assert (
        as_manager.get(reverse("outreach:continuity", args=["no-such-community"])).status_code
        == 404
    )
    assert own_item.handed_at is None
    assert foreign_item.handed_at is None


# --- Hand-overs ---------------------------------------------------------------------------------


def test_handing_one_thing_over_from_its_form(as_manager, alert, owned, successor):
    item = alert.items.get(kind="event_series")

    response = as_manager.post(item_url(alert, item), {"successor": successor.email.upper()})

    assert response.status_code == 302
    assert response.url == alert_url(alert)
    assert EventSeries.objects.get(pk=owned.series.pk).owner == successor
    page = as_manager.get(response.url).content.decode()
    assert f"{successor} now owns" in page
    assert f"Handed to {successor}" in page
    assert "4 things need a new owner" in page


def test_handing_everything_over_in_one_step(as_manager, community, alert, owned, successor):
    response = as_manager.post(all_url(alert), {"successor": successor.email})

    assert response.status_code == 302
    assert response.url == list_url(community)
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert set(alert.items.values_list("handed_to", flat=True)) == {successor.pk}
    assert GroupMembership.objects.filter(
        group=owned.group, person=successor, role=GroupRole.OWNER, left_at__isnull=True
    ).exists()
    page = as_manager.get(response.url).content.decode()
    assert "now owns everything" in page


def test_the_last_thing_handed_over_resolves_the_alert_and_says_so(
    as_manager, community, alert, successor, manager
):
    items = list(alert.items.all())
    for item in items[:-1]:
        as_manager.post(item_url(alert, item), {"successor": successor.email})

    response = as_manager.post(item_url(alert, items[-1]), {"successor": successor.email})

    assert response.url == list_url(community)
    assert ContinuityAlert.objects.get(pk=alert.pk).resolved_at is not None
    assert (
        "Everything on this alert has a new owner." in as_manager.get(response.url).content.decode()
    )


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("", "Give the email address of who takes over."),
        ("not an address", "Enter a valid email address."),
        ("nobody@example.com", "Nobody has the address nobody@example.com."),
    ],
)
def test_a_bad_address_is_shown_beside_the_field(as_manager, alert, address, message):
    item = alert.items.get(kind="group")

    response = as_manager.post(item_url(alert, item), {"successor": address})

    assert response.status_code == 422
    assert message in response.content.decode()
    assert not alert.items.filter(handed_at__isnull=False).exists()


def test_a_successor_who_cannot_take_over_is_explained(as_manager, alert, owned):
    gone = UserFactory(is_active=False, display_name="Gone Person")

    response = as_manager.post(all_url(alert), {"successor": gone.email})

    assert response.status_code == 422
    assert "Gone Person cannot take over: choose an active colleague." in response.content.decode()
    response = as_manager.post(all_url(alert), {"successor": owned.leaver.email})
    assert response.status_code == 422
    assert "The leaver cannot take over their own things." in response.content.decode()
    assert not alert.items.filter(handed_at__isnull=False).exists()


def test_a_thing_already_handed_over_is_refused_with_a_message(as_manager, alert, successor):
    item = alert.items.get(kind="group")
    as_manager.post(item_url(alert, item), {"successor": successor.email})

    response = as_manager.post(
        item_url(alert, item), {"successor": UserFactory().email}, follow=True
    )

    assert response.redirect_chain == [(alert_url(alert), 302)]
    assert f"was already handed to {successor}" in response.content.decode()
    assert alert.items.get(kind="group").handed_to == successor


def test_a_resolved_alert_is_not_handed_over_twice(as_manager, alert, successor):
    as_manager.post(all_url(alert), {"successor": successor.email})

    response = as_manager.post(all_url(alert), {"successor": UserFactory().email}, follow=True)

    assert response.redirect_chain == [(alert_url(alert), 302)]
    assert "This alert was already resolved." in response.content.decode()
    assert set(alert.items.values_list("handed_to", flat=True)) == {successor.pk}


def test_hand_overs_are_posts_only(as_manager, alert):
    assert as_manager.get(all_url(alert)).status_code == 405
    assert as_manager.get(item_url(alert, alert.items.first())).status_code == 405
