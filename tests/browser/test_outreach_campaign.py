"""A community manager checks a welcome campaign's audience, previews the mail and sends
themself a test, then sends it; a new hire opens the join link from their mail, signs in and
joins with one click — in a real Chromium, each page passing an axe scan."""

import re

import pytest
from playwright.sync_api import expect

from practica.communities.models import Membership, MembershipRole, MembershipSource
from practica.mail.models import OutboundMessage
from practica.outreach.models import CampaignRecipient
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.outreach import CampaignFactory, NewHireFactory, SegmentFactory
from tests.factories.people import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def welcome(transactional_db, settings):
    settings.EMAIL_BACKEND = "practica.mail.backends.OutboxEmailBackend"
    community = CommunityFactory(name="Machine Learning", slug="machine-learning")
    manager = UserFactory(email="manager@example.com", display_name="Maria Manager")
    MembershipFactory(community=community, person=manager, role=MembershipRole.MANAGER)
    segment = SegmentFactory(
        community=community,
        name="New data scientists",
        rules=[
            {"field": "job_title", "op": "matches", "value": "data scientist"},
            {"field": "membership", "op": "not_member"},
        ],
    )
    campaign = CampaignFactory(
        community=community,
        segment=segment,
        name="Monthly welcome",
        subject="Welcome to {{ community }}, {{ first_name }}",
        body="Hello {{ first_name }},\n\n**Coming up**\n\n{{ upcoming_events }}\n\n"
        "[Join us]({{ join_link }})",
    )
    hire = NewHireFactory(email="nora@example.com", display_name="Nora Newhire")
    return community, manager, campaign, hire


def test_manager_previews_tests_and_sends_and_a_new_hire_joins(page, welcome):
    community, manager, campaign, hire = welcome

    sign_in(page, manager.email, DEFAULT_PASSWORD)
    page.goto(f"/outreach/segments/{campaign.segment_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("New data scientists")
    expect(page.get_by_role("cell", name="Nora Newhire")).to_be_visible()
    assert_accessible(page, "a segment's page")

    page.get_by_role("link", name="Edit").click()
    expect(page.locator("#live-count .stat-value")).to_have_text("1")
    page.get_by_label("Rule 1: value").fill("nobody-has-this-title")
    expect(page.locator("#live-count .stat-value")).to_have_text("0")
    assert_accessible(page, "the rule editor")

    page.goto(f"/outreach/campaigns/{campaign.pk}/")
    expect(page.locator("#preview-subject")).to_have_text("Welcome to Machine Learning, Nora")
    preview = page.frame_locator("iframe.mail-preview-frame")
    expect(preview.get_by_text("Hello Nora,")).to_be_visible()
    expect(preview.get_by_role("link", name="Join us")).to_be_visible()
    assert_accessible(page, "a campaign's page")

    page.get_by_role("button", name="Send me a test").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "A test mail is on its way to manager@example.com"
    )
    test_mail = OutboundMessage.objects.get(to_email=manager.email)
    assert test_mail.subject == "[TEST] Welcome to Machine Learning, Maria"
    assert not CampaignRecipient.objects.exists()

    page.get_by_role("link", name="Send now").click()
    assert_accessible(page, "the send confirmation")
    page.get_by_label(re.compile("Yes, mail everyone")).check()
    page.get_by_role("button", name="Send now").click()
    expect(page.get_by_role("status").first).to_contain_text("1 person was mailed now")
    recipient = CampaignRecipient.objects.get(campaign=campaign)
    assert recipient.person == hire

    # The new hire, signed out, opens the link from their mail.
    page.get_by_text("Maria Manager").first.click()
    page.get_by_role("button", name="Sign out").click()
    mail = OutboundMessage.objects.get(idempotency_key=recipient.idempotency_key)
    join_path = re.search(r"/outreach/join/[^/\s]+/", mail.body_text).group(0)
    page.goto(join_path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Machine Learning")
    assert_accessible(page, "the join page, signed out")
    page.get_by_role("link", name="Sign in to join Machine Learning").click()
    page.get_by_label("Email").fill(hire.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(join_path)))
    page.get_by_role("button", name="Join Machine Learning").click()
    expect(page.get_by_role("status").first).to_contain_text("Welcome to Machine Learning!")
    expect(page).to_have_url(re.compile("/communities/machine-learning/"))

    membership = Membership.objects.current().get(community=community, person=hire)
    assert membership.source == MembershipSource.WELCOME_MAIL
    recipient.refresh_from_db()
    assert recipient.clicked_at is not None
    assert recipient.joined_at is not None
