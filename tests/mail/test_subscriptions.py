"""A member's list delivery, the list's settings, and the one-click unsubscribe token."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from practica.core.models import AuditLogEntry
from practica.mail.models import DeliveryMode, ListSettings, ListSubscription
from practica.mail.queries import list_delivery_for
from practica.mail.services.subscriptions import (
    list_delivery_url,
    list_unsubscribe_token,
    list_unsubscribe_url,
    read_list_unsubscribe_token,
    set_list_delivery,
    unsubscribe_by_token,
    update_list_settings,
)
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


@pytest.fixture
def community():
    return CommunityFactory(name="Machine Learning", slug="machine-learning")


@pytest.fixture
def manager(community):
    return MembershipFactory(community=community, role="manager").person


@pytest.fixture
def subscriber(community, member):
    MembershipFactory(community=community, person=member)
    return member


def _audits(action):
    return AuditLogEntry.objects.filter(action=action)


# --- Delivery --------------------------------------------------------------------------------


def test_a_member_chooses_every_message(community, subscriber):
    subscription = set_list_delivery(
        person=subscriber, community=community, mode=DeliveryMode.EVERY, actor=subscriber
    )

    assert subscription.mode == DeliveryMode.EVERY
    assert list_delivery_for(person=subscriber, community=community) == DeliveryMode.EVERY
    audit = _audits("mail.delivery_changed").get()
    assert audit.actor_id == subscriber.pk
    assert audit.community_id == community.pk
    assert audit.data == {
        "person": subscriber.pk,
        "mode": "every",
        "previous": None,
        "via": "settings",
    }


@pytest.mark.parametrize("mode", ["every", "daily", "weekly", "none"])
def test_every_mode_can_be_chosen_and_changed(community, subscriber, mode):
    set_list_delivery(person=subscriber, community=community, mode="weekly", actor=subscriber)
    set_list_delivery(person=subscriber, community=community, mode=mode, actor=subscriber)

    assert ListSubscription.objects.get(person=subscriber, community=community).mode == mode
    assert list_delivery_for(person=subscriber, community=community) == mode


def test_choosing_the_same_mode_again_records_nothing(community, subscriber):
    set_list_delivery(person=subscriber, community=community, mode="daily", actor=subscriber)
    set_list_delivery(person=subscriber, community=community, mode="daily", actor=subscriber)

    assert ListSubscription.objects.filter(person=subscriber).count() == 1
    assert _audits("mail.delivery_changed").count() == 1


def test_a_change_records_the_previous_mode(community, subscriber):
    set_list_delivery(person=subscriber, community=community, mode="daily", actor=subscriber)
    set_list_delivery(person=subscriber, community=community, mode="none", actor=subscriber)

    latest = _audits("mail.delivery_changed").order_by("-pk").first()
    assert latest.data["previous"] == "daily"
    assert latest.data["mode"] == "none"


def test_without_a_choice_the_list_default_applies_then_daily(community, subscriber):
    assert list_delivery_for(person=subscriber, community=community) == DeliveryMode.DAILY

    ListSettings.objects.create(community=community, default_mode=DeliveryMode.WEEKLY)

    assert list_delivery_for(person=subscriber, community=community) == DeliveryMode.WEEKLY


def test_an_unknown_mode_is_refused(community, subscriber):
    with pytest.raises(ValidationError) as error:
        set_list_delivery(person=subscriber, community=community, mode="hourly", actor=subscriber)

    assert "mode" in error.value.message_dict
    assert not ListSubscription.objects.exists()


@pytest.mark.parametrize("mode", ["every", "daily", "weekly"])
def test_a_non_member_may_not_receive_mail(community, member, mode):
    with pytest.raises(ValidationError) as error:
        set_list_delivery(person=member, community=community, mode=mode, actor=member)

    assert "not a member" in error.value.message_dict["mode"][0]
    assert not ListSubscription.objects.exists()


def test_a_former_member_may_still_stop_mail(community, member):
    MembershipFactory(community=community, person=member, left_at="2024-01-01T00:00:00Z")

    subscription = set_list_delivery(person=member, community=community, mode="none", actor=member)

    assert subscription.mode == DeliveryMode.NONE


def test_a_manager_changes_a_members_delivery(community, subscriber, manager):
    set_list_delivery(person=subscriber, community=community, mode="none", actor=manager)

    assert list_delivery_for(person=subscriber, community=community) == DeliveryMode.NONE
    audit = _audits("mail.delivery_changed").get()
    assert audit.actor_id == manager.pk
    assert audit.data["person"] == subscriber.pk


@pytest.mark.parametrize("role", ["member", "organizer", "executive_sponsor"])
def test_others_may_not_change_a_members_delivery(community, subscriber, role):
    other = MembershipFactory(community=community, role=role).person

    with pytest.raises(PermissionDenied):
        set_list_delivery(person=subscriber, community=community, mode="none", actor=other)

    assert not ListSubscription.objects.exists()


def test_a_manager_of_another_community_may_not(community, subscriber):
    elsewhere = MembershipFactory(role="manager").person

    with pytest.raises(PermissionDenied):
        set_list_delivery(person=subscriber, community=community, mode="none", actor=elsewhere)


def test_staff_may_change_a_members_delivery(community, subscriber, staff):
    set_list_delivery(person=subscriber, community=community, mode="weekly", actor=staff)

    assert list_delivery_for(person=subscriber, community=community) == DeliveryMode.WEEKLY


# --- The list's settings ---------------------------------------------------------------------


def test_a_manager_changes_the_lists_settings(community, manager):
    saved = update_list_settings(
        community=community,
        actor=manager,
        default_mode="weekly",
        accepts_mail=False,
        max_attachment_bytes=2_000_000,
    )

    saved.refresh_from_db()
    assert (saved.default_mode, saved.accepts_mail, saved.max_attachment_bytes) == (
        "weekly",
        False,
        2_000_000,
    )
    audit = _audits("mail.list_settings_changed").get()
    assert audit.actor_id == manager.pk
    assert audit.data == {
        "default_mode": "weekly",
        "accepts_mail": False,
        "max_attachment_bytes": 2_000_000,
    }


def test_only_changed_settings_are_recorded(community, manager):
    update_list_settings(community=community, actor=manager, default_mode="daily")
    update_list_settings(community=community, actor=manager, accepts_mail=True)

    assert ListSettings.objects.filter(community=community).count() == 1
    assert not _audits("mail.list_settings_changed").exists()


@pytest.mark.parametrize("role", ["member", "organizer"])
def test_only_managers_change_the_lists_settings(community, role):
    actor = MembershipFactory(community=community, role=role).person

    with pytest.raises(PermissionDenied):
        update_list_settings(community=community, actor=actor, default_mode="none")

    assert not ListSettings.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"default_mode": "hourly"}, "default_mode"),
        ({"accepts_mail": "yes"}, "accepts_mail"),
        ({"max_attachment_bytes": -1}, "max_attachment_bytes"),
        ({"max_attachment_bytes": "10"}, "max_attachment_bytes"),
        ({"max_attachment_bytes": True}, "max_attachment_bytes"),
        ({"max_attachment_bytes": 10**12}, "max_attachment_bytes"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_settings_change_nothing(community, manager, changes, field):
    with pytest.raises(ValidationError) as error:
        update_list_settings(
            community=community, actor=manager, **{"accepts_mail": False, **changes}
        )

    assert field in error.value.message_dict
    assert not ListSettings.objects.exists()


# --- One-click unsubscribe -------------------------------------------------------------------


def test_a_token_names_the_member_and_the_list(community, subscriber):
    token = list_unsubscribe_token(person_id=subscriber.pk, community_id=community.pk)

    target = read_list_unsubscribe_token(token)

    assert (target.person_id, target.community_id) == (subscriber.pk, community.pk)
    assert read_list_unsubscribe_token(token.upper()) == target  # MTAs may change the case


def test_the_url_is_absolute_and_carries_the_token(settings, community, subscriber):
    settings.SITE_URL = "https://practica.example.com"

    url = list_unsubscribe_url(person_id=subscriber.pk, community_id=community.pk)

    token = list_unsubscribe_token(person_id=subscriber.pk, community_id=community.pk)
    assert url == f"https://practica.example.com/lists/unsubscribe/{token}/"


def test_the_delivery_page_url_is_absolute(settings):
    settings.SITE_URL = "https://practica.example.com"

    assert list_delivery_url() == "https://practica.example.com/lists/delivery/"
    assert list_delivery_url(community_slug="ml") == (
        "https://practica.example.com/lists/delivery/#list-ml"
    )


def test_tokens_differ_per_member_and_list(community):
    tokens = {
        list_unsubscribe_token(person_id=person, community_id=list_id)
        for person in (1, 2)
        for list_id in (1, 2)
    }
    assert len(tokens) == 4


def test_a_token_signed_with_another_secret_is_refused(settings):
    token = list_unsubscribe_token(person_id=5, community_id=7)
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"

    assert read_list_unsubscribe_token(token) is None


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token.replace("5-7-", "6-7-", 1),  # another member
        lambda token: token.replace("5-7-", "5-8-", 1),  # another list
        lambda token: token[:-1] + ("0" if token[-1] != "0" else "1"),  # signature changed
        lambda token: token[:-2],  # cut short
        lambda token: "5-7-" + "0" * 32,
        lambda token: "",
        lambda token: "5-7",
        lambda token: token + "-extra",
        lambda token: "../" + token,
    ],
)
def test_forged_tokens_are_refused(forge):
    token = list_unsubscribe_token(person_id=5, community_id=7)

    assert read_list_unsubscribe_token(forge(token)) is None


def test_unsubscribing_by_token_stops_the_mail(community, subscriber):
    set_list_delivery(person=subscriber, community=community, mode="every", actor=subscriber)
    token = list_unsubscribe_token(person_id=subscriber.pk, community_id=community.pk)

    subscription = unsubscribe_by_token(token=token)
    unsubscribe_by_token(token=token)  # a second click changes nothing

    assert subscription.mode == DeliveryMode.NONE
    assert list_delivery_for(person=subscriber, community=community) == DeliveryMode.NONE
    audits = _audits("mail.delivery_changed").order_by("pk")
    assert [entry.data["via"] for entry in audits] == ["settings", "one-click"]
    assert audits.last().actor_id == subscriber.pk


def test_a_forged_token_changes_nothing(community, subscriber):
    token = list_unsubscribe_token(person_id=subscriber.pk, community_id=community.pk)

    with pytest.raises(ValidationError):
        unsubscribe_by_token(token=token[:-1] + ("a" if token[-1] != "a" else "b"))

    assert not ListSubscription.objects.exists()


def test_a_token_for_a_deleted_member_is_refused(community):
    gone = UserFactory()
    token = list_unsubscribe_token(person_id=gone.pk, community_id=community.pk)
    gone.delete()

    with pytest.raises(ValidationError):
        unsubscribe_by_token(token=token)


# --- Reads -----------------------------------------------------------------------------------


def test_subscribers_and_counts_are_current_members_only(community, subscriber):
    from practica.mail.queries import list_deliveries_of, list_subscriber_counts, list_subscribers

    former = MembershipFactory(community=community, left_at="2024-01-01T00:00:00Z").person
    ListSubscription.objects.create(person=former, community=community, mode="every")
    ListSettings.objects.create(community=community, default_mode="weekly")

    counts = list_subscriber_counts(community)

    assert [row.person_id for row in list_subscribers(community)] == [subscriber.pk]
    assert counts.total == 1
    assert counts.by_mode == {"every": 0, "daily": 0, "weekly": 1, "none": 0}
    assert list(list_deliveries_of(former)) == []
    mine = list_deliveries_of(subscriber).get()
    assert (mine.delivery_mode, mine.chosen_mode, mine.default_mode) == ("weekly", None, "weekly")
