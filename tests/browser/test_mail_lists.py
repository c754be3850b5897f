"""Mailing lists in a real Chromium: a member changes their email delivery from the community
page (saved by htmx, no reload); a manager opens the list's manage pages, changes a
subscriber's delivery and moderates held mail. Every page passes an axe scan."""

import re
from email.message import EmailMessage

import pytest
from playwright.sync_api import expect

from practica.mail.models import (
    DeliveryMode,
    InboundMessage,
    InboundStatus,
    InboundVia,
    ListSubscription,
    MailboxHealth,
)
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.people import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scene(transactional_db):
    community = CommunityFactory(name="Machine Learning", slug="machine-learning")
    other = CommunityFactory(name="Data Engineering", slug="data-engineering")
    member = UserFactory(email="ada@example.com", display_name="Ada Lovelace")
    MembershipFactory(community=community, person=member)
    MembershipFactory(community=other, person=member)
    manager = MembershipFactory(
        community=community,
        person=UserFactory(email="bea@example.com", display_name="Bea Boss"),
        role="manager",
    ).person
    bouncing = MembershipFactory(
        community=community, person=UserFactory(display_name="Quinn Quiet")
    ).person
    MailboxHealth.objects.create(
        person=bouncing, hard_bounces=3, suspended_at="2026-01-02T00:00:00Z"
    )
    mail = EmailMessage()
    mail["From"] = "Olga Outside <olga@elsewhere.example>"
    mail["To"] = "machine-learning@lists.example.com"
    mail["Subject"] = "Is there a reading group?"
    mail["Message-ID"] = "<reading-group@elsewhere.example>"
    mail.set_content("Hello! I would like to join a reading group on transformers.\n")
    raw = mail.as_bytes()
    held = InboundMessage.objects.create(
        raw=raw,
        size=len(raw),
        via=InboundVia.LMTP,
        envelope_from="olga@elsewhere.example",
        recipients=["machine-learning@lists.example.com"],
        message_id="<reading-group@elsewhere.example>",
        from_address="olga@elsewhere.example",
        subject="Is there a reading group?",
        status=InboundStatus.HELD,
        reason="The sender is not a member",
        community=community,
    )
    return {"community": community, "member": member, "manager": manager, "held": held}


def test_a_member_changes_their_delivery(page, scene):
    community, member = scene["community"], scene["member"]

    sign_in(page, "ada@example.com", DEFAULT_PASSWORD)
    page.goto(f"/communities/{community.slug}/")
    page.get_by_role("link", name="Email delivery from this community").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Email delivery")
    card = page.locator("#list-machine-learning")
    expect(card.get_by_text("machine-learning@lists.example.com")).to_be_visible()
    expect(card.get_by_role("radio", name=re.compile("Daily digest"))).to_be_checked()
    assert_accessible(page, "the Email delivery page")

    # htmx saves on change: the card is swapped and says so, the page is not reloaded.
    page.evaluate("window.__not_reloaded = true")
    card.get_by_role("radio", name=re.compile("Every message")).check()
    expect(card.get_by_role("status")).to_contain_text("Saved: Machine Learning")
    assert page.evaluate("window.__not_reloaded") is True
    subscription = ListSubscription.objects.get(person=member, community=community)
    assert subscription.mode == DeliveryMode.EVERY
    expect(
        page.locator("#list-data-engineering").get_by_role("radio", name=re.compile("Daily"))
    ).to_be_checked()

    page.reload()
    expect(
        page.locator("#list-machine-learning").get_by_role(
            "radio", name=re.compile("Every message")
        )
    ).to_be_checked()
    assert_accessible(page, "the Email delivery page after saving")


def test_a_manager_opens_the_mailing_list(page, scene):
    community, member, held = scene["community"], scene["member"], scene["held"]

    sign_in(page, "bea@example.com", DEFAULT_PASSWORD)
    page.goto(f"/communities/{community.slug}/")
    page.get_by_role("link", name="Mailing list").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mailing list")
    expect(page.get_by_role("link", name="Quinn Quiet")).to_be_visible()
    expect(page.locator(".manage-counts")).to_contain_text("Delivery suspended")
    assert_accessible(page, "the list's subscribers")

    page.get_by_label("Delivery of Ada Lovelace").select_option("weekly")
    expect(page.locator(f"#subscriber-{member.pk}").get_by_role("status")).to_contain_text(
        "now gets weekly digest"
    )
    assert ListSubscription.objects.get(person=member, community=community).mode == "weekly"

    page.get_by_role("navigation", name="Mailing list").get_by_role(
        "link", name=re.compile("Moderation")
    ).click()
    item = page.locator(f"#held-{held.pk}")
    expect(item.get_by_role("heading")).to_have_text("Is there a reading group?")
    expect(item).to_contain_text("reading group on transformers")
    assert_accessible(page, "the moderation queue")

    item.get_by_text("Discard…").click()
    item.get_by_label("Reason (optional)").fill("Please join first")
    item.get_by_role("button", name="Discard", exact=True).click()
    expect(page.locator(f"#held-{held.pk}").get_by_role("status")).to_contain_text("Discarded")
    held.refresh_from_db()
    assert held.status == InboundStatus.DISCARDED

    for tab, heading in (("Bounces", "Bounces"), ("Sent mail", "Latest list mail")):
        page.get_by_role("navigation", name="Mailing list").get_by_role("link", name=tab).click()
        expect(page.get_by_role("heading", level=2, name=heading)).to_be_visible()
        assert_accessible(page, f"the list's {tab} tab")
    page.get_by_role("navigation", name="Mailing list").get_by_role("link", name="Settings").click()
    expect(page.get_by_label("Largest attachment kept (MB)")).to_have_value("10.0")
    assert_accessible(page, "the list's settings")


def test_the_unsubscribe_link_asks_then_stops_the_mail(page, scene):
    from practica.mail.services.subscriptions import list_unsubscribe_token

    community, member = scene["community"], scene["member"]
    token = list_unsubscribe_token(person_id=member.pk, community_id=community.pk)

    page.goto(f"/lists/unsubscribe/{token}/")  # no sign-in: the link is the proof
    expect(page.get_by_role("heading", level=1)).to_have_text("Stop mail from Machine Learning?")
    assert not ListSubscription.objects.filter(person=member).exists()
    assert_accessible(page, "the unsubscribe confirmation")

    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("no longer receive mail")
    assert ListSubscription.objects.get(person=member, community=community).mode == "none"
    assert_accessible(page, "the unsubscribe result")
