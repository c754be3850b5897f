"""Q&A in a real Chromium: a member asks and sees similar questions while typing; the expert
the question is routed to gets the notification and answers; the asker accepts; the question
leaves the unanswered queue. The ask page and the question page pass an axe scan."""

import re

import pytest
from playwright.sync_api import expect

from practica.communities.models import MembershipRole
from practica.discussions.models import (
    FlagReason,
    Notification,
    RoutedExpert,
    Thread,
    ThreadKind,
    ThreadState,
)
from practica.discussions.services import moderation
from practica.discussions.services import threads as services
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.core import TopicFactory
from tests.factories.people import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

NEW_TITLE = "How do I calibrate the probabilities of a boosted classifier?"


@pytest.fixture
def scene(transactional_db):
    topic = TopicFactory(name="Model calibration")
    community = CommunityFactory(name="Machine Learning", slug="machine-learning")
    community.topics.add(topic)
    asker = MembershipFactory(
        community=community,
        person=UserFactory(email="ada@example.com", display_name="Ada Asker"),
    ).person
    expert = MembershipFactory(
        community=community,
        person=UserFactory(email="eve@example.com", display_name="Eve Expert", expertise=[topic]),
    ).person
    earlier = MembershipFactory(community=community).person
    existing = services.create_thread(
        community=community,
        author=earlier,
        kind=ThreadKind.QUESTION,
        title="Calibrating a gradient boosted classifier: isotonic or Platt?",
        body="Which calibration method works better for boosted trees?",
        topics=[topic],
    )
    return {
        "community": community,
        "topic": topic,
        "asker": asker,
        "expert": expert,
        "existing": existing,
    }


def test_ask_route_answer_accept(browser, live_server, page, scene):
    community, existing = scene["community"], scene["existing"]

    # The asker types a question and sees the similar one already asked.
    sign_in(page, "ada@example.com", DEFAULT_PASSWORD)
    page.goto(f"/communities/{community.slug}/ask/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask the community")
    page.get_by_label("Title").press_sequentially("calibrate boosted classifier", delay=20)
    similar = page.locator("#similar-results")
    expect(similar.get_by_role("link", name=existing.title)).to_be_visible()
    assert_accessible(page, "the ask page with similar questions")

    page.get_by_label("Title").fill(NEW_TITLE)
    page.get_by_label("Details").fill("Our **predicted** probabilities are too confident.")
    page.get_by_role("button", name="Show preview").click()
    expect(page.locator("#body-preview strong")).to_have_text("predicted")
    page.get_by_label("Model calibration").check()
    page.get_by_role("button", name="Post").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(NEW_TITLE)
    expect(page.get_by_role("status").first).to_contain_text("Your question is posted")
    thread = Thread.objects.get(title=NEW_TITLE)
    assert RoutedExpert.objects.filter(thread=thread, person=scene["expert"]).exists()
    page.reload()
    expect(page.get_by_role("heading", name=re.compile(r"Routed to \d+ expert"))).to_be_visible()
    expect(page.locator(".routed-list")).to_contain_text("Eve Expert")
    assert_accessible(page, "the question page")
    page.goto("/questions/unanswered/")
    expect(page.get_by_role("link", name=NEW_TITLE)).to_be_visible()

    # The expert it was routed to gets the notification and answers.
    expert_context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    expert_context.set_default_timeout(15_000)
    expert_page = expert_context.new_page()
    try:
        sign_in(expert_page, "eve@example.com", DEFAULT_PASSWORD)
        expect(
            expert_page.get_by_role("link", name=re.compile(r"Notifications: \d+ unread"))
        ).to_be_visible()
        expert_page.get_by_role("link", name=re.compile("Notifications")).first.click()
        expect(expert_page.get_by_role("heading", level=1)).to_have_text("Notifications")
        expert_page.get_by_role("link", name=NEW_TITLE).click()
        expect(expert_page.get_by_role("heading", level=1)).to_have_text(NEW_TITLE)
        expert_page.get_by_label("Your answer").fill(
            "Fit an **isotonic regression** on a held-out set; Platt scaling if data is scarce."
        )
        expert_page.get_by_role("button", name="Post your answer").click()
        expect(expert_page.get_by_role("status").first).to_contain_text("Your answer is posted")
        assert not Notification.objects.filter(
            recipient=scene["expert"], thread=thread, read_at__isnull=True
        ).exists()
    finally:
        expert_context.close()

    # The asker accepts; the question leaves the unanswered queue.
    page.goto("/questions/unanswered/")
    expect(page.get_by_role("link", name=NEW_TITLE)).to_have_count(0)  # answered already
    page.goto(f"/questions/{thread.pk}/")
    page.get_by_role("button", name="Accept this answer").click()
    expect(page.get_by_text("Accepted answer", exact=True)).to_be_visible()
    expect(page.locator(".thread-header .badge").first).to_have_text("Accepted")
    thread.refresh_from_db()
    assert thread.state == ThreadState.ACCEPTED
    assert thread.accepted_answer.author == scene["expert"]
    page.goto("/questions/unanswered/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Unanswered questions")
    expect(page.get_by_role("link", name=NEW_TITLE)).to_have_count(0)
    expect(page.get_by_role("link", name=existing.title)).to_be_visible()


def test_a_moderator_works_through_the_flag_queue(browser, live_server, page, scene):
    community, existing = scene["community"], scene["existing"]
    MembershipFactory(
        community=community,
        person=UserFactory(email="mo@example.com", display_name="Mo Moderator"),
        role=MembershipRole.ORGANIZER,
    )
    spam = services.post_reply(thread=existing, author=scene["expert"], body="Buy watches here!")
    useful = services.post_reply(thread=existing, author=scene["asker"], body="Platt scaling.")
    moderation.flag_post(post=spam, actor=scene["asker"], reason=FlagReason.SPAM, note="An ad")
    moderation.flag_post(post=useful, actor=scene["expert"], reason=FlagReason.OFF_TOPIC)

    sign_in(page, "mo@example.com", DEFAULT_PASSWORD)
    page.goto(f"/communities/{community.slug}/questions/")
    page.get_by_role("link", name=re.compile(r"^Flags 2")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Flagged posts")
    assert_accessible(page, "the flag queue")

    useful_card = page.locator(".flagged-post", has_text="Platt scaling.")
    useful_card.get_by_role("button", name=re.compile("^Dismiss the flag")).click()
    expect(page.get_by_role("status").first).to_contain_text("dismissed")

    page.once("dialog", lambda dialog: dialog.accept())
    spam_card = page.locator(".flagged-post", has_text="Buy watches here!")
    spam_card.get_by_label("Reason for the author (optional)").fill("Advertising.")
    spam_card.get_by_role("button", name=re.compile("^Hide post")).click()
    expect(page.get_by_role("heading", name="No flags to review")).to_be_visible()
    spam.refresh_from_db()
    assert spam.is_hidden
    note = Notification.objects.get(recipient=scene["expert"], kind="moderation")
    assert note.data["reason"] == "Advertising."
