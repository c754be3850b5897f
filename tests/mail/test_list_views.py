"""The list screens: a member's email delivery, the manage pages, and one-click unsubscribe."""

from email.message import EmailMessage

import pytest
from django.test import Client
from django.urls import reverse

from practica.core.models import AuditLogEntry
from practica.mail.models import (
    Bounce,
    BounceKind,
    DeliveryMode,
    InboundMessage,
    InboundStatus,
    InboundVia,
    ListSettings,
    ListSubscription,
    MailboxHealth,
    MessageStatus,
    OutboundMessage,
)
from practica.mail.services import enqueue_message
from practica.mail.services.subscriptions import list_unsubscribe_token
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def community():
    return CommunityFactory(name="Machine Learning", slug="machine-learning")


@pytest.fixture
def boss(community):
    return MembershipFactory(
        community=community, person=UserFactory(display_name="Bea Boss"), role="manager"
    ).person


@pytest.fixture
def organizer(community):
    return MembershipFactory(community=community, role="organizer").person


@pytest.fixture
def subscriber(community, member):
    MembershipFactory(community=community, person=member)
    return member


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def held_message(community, *, subject="Question from outside", body="Hello list!", **fields):
    mail = EmailMessage()
    mail["From"] = "Olga Outside <olga@elsewhere.example>"
    mail["To"] = f"{community.slug}@lists.example.com"
    mail["Subject"] = subject
    mail["Message-ID"] = f"<{subject.replace(' ', '.')}@elsewhere.example>"
    mail.set_content(body)
    raw = mail.as_bytes()
    return InboundMessage.objects.create(
        raw=raw,
        size=len(raw),
        via=InboundVia.LMTP,
        envelope_from="olga@elsewhere.example",
        recipients=[mail["To"]],
        message_id=mail["Message-ID"],
        from_address="olga@elsewhere.example",
        subject=subject,
        community=community,
        **{"status": InboundStatus.HELD, "reason": "Not a member", **fields},
    )


def list_mail(community, *, to, status=MessageStatus.SENT, subject="[ml] Hello"):
    """A list mail through the outbox (which files it under its List-Id), then `status`."""
    row = enqueue_message(
        idempotency_key=f"test-{to}-{subject}",
        from_email="bounce@lists.example.com",
        to=to,
        subject=subject,
        body_text="…",
        headers={"List-Id": f"{community.name} <{community.slug}.lists.example.com>"},
    )
    OutboundMessage.objects.filter(pk=row.pk).update(status=status)
    row.refresh_from_db()
    return row


# --- A member's email delivery ---------------------------------------------------------------


def test_the_member_page_lists_my_communities_with_their_delivery(community, subscriber):
    other = CommunityFactory(name="Data Engineering", slug="data-engineering")
    MembershipFactory(community=other, person=subscriber)
    ListSubscription.objects.create(person=subscriber, community=other, mode=DeliveryMode.EVERY)
    CommunityFactory(name="Not mine")

    response = client_for(subscriber).get(reverse("mail:deliveries"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "machine-learning@lists.example.com" in page
    assert "data-engineering@lists.example.com" in page
    assert "Not mine" not in page
    assert 'id="mode-data-engineering-every" checked' in page
    assert 'id="mode-machine-learning-daily" checked' in page  # the default, not chosen
    assert "list default" in page
    assert "Reply to any list mail" in page


def test_the_member_page_without_communities_says_how_to_join(member):
    response = client_for(member).get(reverse("mail:deliveries"))

    assert response.status_code == 200
    assert "You are not in any community yet" in response.content.decode()


def test_the_member_page_needs_a_sign_in():
    response = Client().get(reverse("mail:deliveries"))

    assert response.status_code == 302
    assert "/people/sign-in/" in response["Location"]


def test_a_plain_post_saves_and_redirects_with_a_message(community, subscriber):
    client = client_for(subscriber)

    response = client.post(
        reverse("mail:deliveries"), {"community": community.slug, "mode": "weekly"}, follow=True
    )

    assert response.redirect_chain[-1][0].endswith("/lists/delivery/#list-machine-learning")
    assert ListSubscription.objects.get(person=subscriber).mode == DeliveryMode.WEEKLY
    assert "Saved: Machine Learning" in response.content.decode()


def test_an_htmx_post_answers_the_card_only(community, subscriber):
    response = client_for(subscriber).post(
        reverse("mail:deliveries"), {"community": community.slug, "mode": "every"}, **HTMX
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(
        '<section class="card delivery-card" id="list-machine-learning"'
    )
    assert 'id="mode-machine-learning-every" checked' in html
    assert 'role="status"' in html
    assert ListSubscription.objects.get(person=subscriber).mode == DeliveryMode.EVERY


def test_a_non_member_cannot_subscribe_through_the_form(community, member):
    response = client_for(member).post(
        reverse("mail:deliveries"), {"community": community.slug, "mode": "every"}, follow=True
    )

    assert "not a member of Machine Learning" in response.content.decode()
    assert not ListSubscription.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"community": "machine-learning", "mode": "hourly"},
        {"community": "nope", "mode": "every"},
        {},
    ],
)
def test_bad_input_changes_nothing(community, subscriber, data):
    response = client_for(subscriber).post(reverse("mail:deliveries"), data, follow=True)

    assert response.status_code == 200
    assert "Choose one of the listed deliveries." in response.content.decode()
    assert not ListSubscription.objects.exists()


def test_a_suspended_mailbox_is_shown_and_can_be_resumed(community, subscriber):
    MailboxHealth.objects.create(
        person=subscriber, hard_bounces=3, suspended_at="2026-01-02T00:00:00Z"
    )
    client = client_for(subscriber)

    page = client.get(reverse("mail:deliveries")).content.decode()
    assert "Mail to you is paused." in page

    response = client.post(reverse("mail:resume_delivery"), follow=True)

    assert "send mail to" in response.content.decode()
    assert MailboxHealth.objects.get(person=subscriber).suspended_at is None


def test_the_community_page_and_preferences_link_to_email_delivery(community, subscriber):
    client = client_for(subscriber)
    link = reverse("mail:deliveries")

    assert (
        f'{link}#list-machine-learning"'
        in client.get(f"/communities/{community.slug}/").content.decode()
    )
    assert f'href="{link}"' in client.get(reverse("discussions:preferences")).content.decode()


# --- Manage pages ----------------------------------------------------------------------------


def test_the_community_pages_link_managers_to_the_list(community, boss, organizer):
    manage = f'href="{reverse("mail:manage", args=[community.slug])}"'
    moderation = f'href="{reverse("mail:moderation", args=[community.slug])}"'

    assert manage in client_for(boss).get(f"/communities/{community.slug}/").content.decode()
    assert manage in client_for(boss).get(f"/communities/{community.slug}/manage/").content.decode()
    organizer_page = client_for(organizer).get(f"/communities/{community.slug}/").content.decode()
    assert moderation in organizer_page
    assert manage not in organizer_page


def test_subscribers_with_counts_per_mode(community, boss, subscriber):
    ListSettings.objects.create(community=community, default_mode=DeliveryMode.WEEKLY)
    ListSubscription.objects.create(person=subscriber, community=community, mode="every")
    quiet = MembershipFactory(
        community=community, person=UserFactory(display_name="Quinn Quiet")
    ).person
    ListSubscription.objects.create(person=quiet, community=community, mode="none")
    MailboxHealth.objects.create(person=quiet, hard_bounces=3, suspended_at="2026-01-02T00:00:00Z")

    response = client_for(boss).get(reverse("mail:manage", args=[community.slug]))

    assert response.status_code == 200
    context = response.context
    assert context["counts"].total == 3
    assert context["counts"].by_mode == {"every": 1, "daily": 0, "weekly": 1, "none": 1}
    assert context["counts"].suspended == 1
    page = response.content.decode()
    assert "Quinn Quiet" in page
    assert "Suspended" in page
    assert "Weekly digest" in page


def test_subscribers_are_searched_filtered_and_paginated(community, boss):
    for number in range(30):
        MembershipFactory(
            community=community, person=UserFactory(display_name=f"Person {number:02}")
        )
    ListSubscription.objects.create(
        person=community.memberships.get(person__display_name="Person 07").person,
        community=community,
        mode="every",
    )
    client = client_for(boss)
    url = reverse("mail:manage", args=[community.slug])

    first = client.get(url)
    assert first.context["page_obj"].paginator.count == 31
    assert len(first.context["page_obj"].object_list) == 25
    assert client.get(url, {"page": 2}).context["page_obj"].number == 2

    found = client.get(url, {"q": "person 1"}).context["page_obj"]
    assert [row.person.display_name for row in found] == [f"Person {n}" for n in range(10, 20)]

    every = client.get(url, {"mode": "every"})
    assert [row.person.display_name for row in every.context["page_obj"]] == ["Person 07"]

    nobody = client.get(url, {"q": "zzz"})
    assert "No subscriber matches" in nobody.content.decode()


def test_a_manager_changes_a_subscribers_delivery_with_htmx(community, boss, subscriber):
    url = reverse("mail:subscriber_delivery", args=[community.slug, subscriber.pk])

    response = client_for(boss).post(url, {"mode": "none"}, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="subscriber-{subscriber.pk}"')
    assert "now gets no mail" in html
    assert ListSubscription.objects.get(person=subscriber).mode == "none"
    assert AuditLogEntry.objects.get(action="mail.delivery_changed").actor_id == boss.pk


def test_a_manager_changes_a_subscribers_delivery_without_javascript(community, boss, subscriber):
    url = reverse("mail:subscriber_delivery", args=[community.slug, subscriber.pk])

    response = client_for(boss).post(url, {"mode": "bogus"}, follow=True)

    assert "Choose every message" in response.content.decode()
    assert not ListSubscription.objects.exists()


@pytest.mark.parametrize("tab", ["manage", "bounces", "outbox", "settings"])
def test_manager_tabs_are_403_for_members(community, subscriber, tab):
    response = client_for(subscriber).get(reverse(f"mail:{tab}", args=[community.slug]))

    assert response.status_code == 403
    assert "Only the community" in response.content.decode()


@pytest.mark.parametrize("tab", ["bounces", "outbox", "settings"])
def test_organizers_moderate_but_do_not_manage(community, organizer, tab):
    client = client_for(organizer)

    assert client.get(reverse(f"mail:{tab}", args=[community.slug])).status_code == 403
    assert client.get(reverse("mail:moderation", args=[community.slug])).status_code == 200
    redirect = client.get(reverse("mail:manage", args=[community.slug]))
    assert redirect.status_code == 302
    assert redirect["Location"] == reverse("mail:moderation", args=[community.slug])


def test_members_may_not_change_others_delivery_or_moderate(community, subscriber):
    other = MembershipFactory(community=community).person
    message = held_message(community)
    client = client_for(subscriber)

    assert (
        client.post(
            reverse("mail:subscriber_delivery", args=[community.slug, other.pk]), {"mode": "none"}
        ).status_code
        == 403
    )
    assert client.get(reverse("mail:moderation", args=[community.slug])).status_code == 403
    assert (
        client.post(reverse("mail:approve", args=[community.slug, message.pk])).status_code == 403
    )
    assert (
        client.post(reverse("mail:discard", args=[community.slug, message.pk])).status_code == 403
    )
    message.refresh_from_db()
    assert message.status == InboundStatus.HELD
    assert not ListSubscription.objects.exists()


def test_an_unknown_community_is_404(boss):
    assert client_for(boss).get(reverse("mail:manage", args=["nope"])).status_code == 404


def test_the_moderation_queue_previews_held_mail_escaped(community, boss):
    held_message(community, subject="First <b>bold</b>", body="Hi all,\n<script>alert(1)</script>")
    held_message(community, subject="Already done", status=InboundStatus.POSTED)

    response = client_for(boss).get(reverse("mail:moderation", args=[community.slug]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "First &lt;b&gt;bold&lt;/b&gt;" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert "Olga Outside" in page
    assert "Already done" not in page
    assert ">1<span" in page.replace(" ", "") or "1 held" in page


def test_an_unreadable_held_message_still_shows(community, boss):
    held_message(community, subject="Broken")
    InboundMessage.objects.filter(subject="Broken").update(raw=b"")

    page = client_for(boss).get(reverse("mail:moderation", args=[community.slug])).content.decode()

    assert "Broken" in page


def test_an_empty_moderation_queue(community, boss):
    page = client_for(boss).get(reverse("mail:moderation", args=[community.slug])).content.decode()

    assert "Nothing is waiting" in page


def test_discarding_held_mail_with_htmx(community, boss):
    message = held_message(community)

    response = client_for(boss).post(
        reverse("mail:discard", args=[community.slug, message.pk]), {"reason": "Spam"}, **HTMX
    )

    assert response.status_code == 200
    assert "Discarded" in response.content.decode()
    message.refresh_from_db()
    assert message.status == InboundStatus.DISCARDED
    assert message.moderated_by == boss


def test_discarding_twice_says_it_was_dealt_with(community, organizer):
    message = held_message(community)
    client = client_for(organizer)
    url = reverse("mail:discard", args=[community.slug, message.pk])

    client.post(url)
    response = client.post(url, follow=True)

    assert "already dealt with" in response.content.decode()


def test_bounces_of_members_only(community, boss, subscriber):
    outsider = UserFactory(email="out@example.com")
    inbound = held_message(community, status=InboundStatus.BOUNCE)
    Bounce.objects.create(
        person=subscriber,
        address=subscriber.email,
        kind=BounceKind.HARD,
        status_code="5.1.1",
        diagnostic="User unknown",
        inbound=inbound,
    )
    Bounce.objects.create(
        person=outsider, address=outsider.email, kind=BounceKind.SOFT, inbound=inbound
    )

    page = client_for(boss).get(reverse("mail:bounces", args=[community.slug])).content.decode()

    assert "User unknown" in page
    assert "5.1.1" in page
    assert "out@example.com" not in page


def test_no_bounces(community, boss):
    page = client_for(boss).get(reverse("mail:bounces", args=[community.slug])).content.decode()

    assert "No bounces" in page


def test_the_outbox_tab_counts_only_this_lists_mail(community, boss):
    other = CommunityFactory(slug="other")
    list_mail(community, to="a@example.com")
    list_mail(community, to="b@example.com", status=MessageStatus.DEFERRED)
    list_mail(community, to="c@example.com", status=MessageStatus.FAILED)
    list_mail(other, to="d@example.com")
    OutboundMessage.objects.create(
        idempotency_key="plain",
        from_email="x@example.com",
        to_email="e@example.com",
        subject="Welcome",
        body_text="…",
    )

    response = client_for(boss).get(reverse("mail:outbox", args=[community.slug]))

    assert response.context["status_counts"] == {
        "queued": 0,
        "sending": 0,
        "sent": 1,
        "deferred": 1,
        "failed": 1,
    }
    assert {message.to_email for message in response.context["recent"]} == {
        "a@example.com",
        "b@example.com",
        "c@example.com",
    }


def test_an_empty_outbox_tab(community, boss):
    page = client_for(boss).get(reverse("mail:outbox", args=[community.slug])).content.decode()

    assert "No list mail yet" in page


def test_the_settings_form_saves_in_megabytes(community, boss):
    client = client_for(boss)
    url = reverse("mail:settings", args=[community.slug])
    assert client.get(url).context["form"].initial["max_attachment_mb"] == 10

    response = client.post(url, {"default_mode": "weekly", "max_attachment_mb": "2.5"}, follow=True)

    assert "The list" in response.content.decode()
    saved = ListSettings.objects.get(community=community)
    assert (saved.default_mode, saved.accepts_mail, saved.max_attachment_bytes) == (
        "weekly",
        False,
        int(2.5 * 1024 * 1024),
    )


@pytest.mark.parametrize(
    "data",
    [
        {"default_mode": "hourly", "max_attachment_mb": "1"},
        {"default_mode": "daily", "max_attachment_mb": "-1"},
        {"default_mode": "daily", "max_attachment_mb": "100000"},
        {"default_mode": "daily", "max_attachment_mb": "lots"},
    ],
)
def test_bad_settings_are_a_400_and_change_nothing(community, boss, data):
    response = client_for(boss).post(reverse("mail:settings", args=[community.slug]), data)

    assert response.status_code == 400
    assert not ListSettings.objects.exists()


# --- One-click unsubscribe -------------------------------------------------------------------


def test_get_shows_a_confirmation_and_changes_nothing(community, subscriber):
    token = list_unsubscribe_token(person_id=subscriber.pk, community_id=community.pk)

    response = Client().get(reverse("mail:unsubscribe", args=[token]))

    assert response.status_code == 200
    assert "Stop mail from Machine Learning?" in response.content.decode()
    assert not ListSubscription.objects.exists()


def test_one_click_post_without_session_or_csrf(community, subscriber):
    token = list_unsubscribe_token(person_id=subscriber.pk, community_id=community.pk)
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("mail:unsubscribe", args=[token]),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert ListSubscription.objects.get(person=subscriber, community=community).mode == "none"
    assert client.post(reverse("mail:unsubscribe", args=[token])).status_code == 200


def test_one_click_post_as_multipart(community, subscriber):
    token = list_unsubscribe_token(person_id=subscriber.pk, community_id=community.pk)

    response = Client(enforce_csrf_checks=True).post(
        reverse("mail:unsubscribe", args=[token]), {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 200
    assert "You will no longer receive mail from Machine Learning" in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_forged_link_is_404_and_changes_nothing(community, subscriber, method):
    token = list_unsubscribe_token(person_id=subscriber.pk, community_id=community.pk)
    forged = token.replace(f"-{token.rsplit('-', 1)[1]}", "-" + "0" * 32)

    response = getattr(Client(enforce_csrf_checks=True), method)(
        reverse("mail:unsubscribe", args=[forged])
    )

    assert response.status_code == 404
    assert "not valid" in response.content.decode()
    assert not ListSubscription.objects.exists()


def test_approving_held_mail_posts_it_with_htmx(community, boss):
    message = held_message(community, subject="Reading group?", body="Is there one?\n")

    response = client_for(boss).post(
        reverse("mail:approve", args=[community.slug, message.pk]), **HTMX
    )

    assert response.status_code == 200
    html = response.content.decode()
    message.refresh_from_db()
    assert message.status == InboundStatus.APPROVED
    assert message.moderated_by == boss
    assert "Approved: it is posted to the list." in html
    assert f'href="{message.result_url}"' in html
