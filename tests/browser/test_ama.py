"""The AMA board in a real Chromium: a member upvotes a question and the board reorders at once;
a question asked elsewhere appears without reloading (htmx polling); an anonymous question shows
no name; the page passes an axe scan."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from practica.events.models import AmaVote, EventFormat
from practica.events.services import ama
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.events import EventFactory
from tests.factories.people import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

FIRST = "How do you choose which research bets to fund?"
SECOND = "What is your view on open-sourcing our models?"
LATE = "Which skills should a new ML engineer learn first?"
SECRET = "Is the reorg going to affect our team?"


@pytest.fixture
def scene(transactional_db):
    community = CommunityFactory(name="Machine Learning", slug="machine-learning")
    now = timezone.now()
    event = EventFactory(
        community=community,
        title="AMA with the CTO",
        format=EventFormat.AMA,
        anonymous_questions=True,
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(minutes=50),
    )
    member = MembershipFactory(
        community=community,
        person=UserFactory(email="ada@example.com", display_name="Ada Member"),
    ).person
    asker, voter = UserFactory(display_name="Bo Asker"), UserFactory()
    first = ama.ask_question(event=event, author=asker, text=FIRST)
    second = ama.ask_question(event=event, author=UserFactory(), text=SECOND)
    ama.vote_question(question=first, person=voter)
    ama.vote_question(question=second, person=voter)
    ama.ask_question(
        event=event, author=UserFactory(display_name="Secret Sam"), text=SECRET, anonymous=True
    )
    return {"event": event, "member": member, "first": first, "second": second}


def board_texts(page):
    return page.locator("#ama-board .ama-list:not(.is-answered) .ama-text").all_inner_texts()


def test_upvote_reorders_the_board(browser, live_server, page, scene):
    event, member, second = scene["event"], scene["member"], scene["second"]
    sign_in(page, "ada@example.com", DEFAULT_PASSWORD)
    page.goto(f"/events/{event.pk}/ama/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask me anything")

    # Equal votes: first asked, first shown; the anonymous question (no votes) last, no name.
    assert board_texts(page) == [FIRST, SECOND, SECRET]
    secret_card = page.locator(".ama-question", has_text=SECRET)
    expect(secret_card.locator(".ama-author")).to_have_text("Anonymous")
    expect(page.locator("#ama-board")).not_to_contain_text("Secret Sam")
    assert_accessible(page, "the AMA board")

    # Upvoting the second question moves it to the top at once.
    second_card = page.locator(f"#question-{second.pk}")
    second_card.get_by_role("button", name="Upvote").click()
    expect(page.locator("#ama-board .ama-text").first).to_have_text(SECOND)
    expect(page.locator(f"#question-{second.pk} .ama-vote-number")).to_have_text("2")
    expect(
        page.locator(f"#question-{second.pk}").get_by_role("button", name="Withdraw your upvote")
    ).to_have_attribute("aria-pressed", "true")
    assert board_texts(page) == [SECOND, FIRST, SECRET]
    assert AmaVote.objects.filter(question=second, person=member).exists()

    # Withdrawing the vote puts the board back in order.
    page.locator(f"#question-{second.pk}").get_by_role(
        "button", name="Withdraw your upvote"
    ).click()
    expect(page.locator("#ama-board .ama-text").first).to_have_text(FIRST)


def test_a_question_asked_elsewhere_appears_without_reloading(browser, live_server, page, scene):
    event = scene["event"]
    sign_in(page, "ada@example.com", DEFAULT_PASSWORD)
    page.goto(f"/events/{event.pk}/ama/")
    expect(page.locator("#ama-board")).not_to_contain_text(LATE)
    late = ama.ask_question(event=event, author=UserFactory(), text=LATE)
    for voter in (UserFactory(), UserFactory(), UserFactory()):
        ama.vote_question(question=late, person=voter)
    # The board polls every few seconds: the new, most voted question arrives on top.
    expect(page.locator("#ama-board .ama-text").first).to_have_text(LATE, timeout=15_000)


def test_asking_from_the_page(browser, live_server, page, scene):
    event = scene["event"]
    sign_in(page, "ada@example.com", DEFAULT_PASSWORD)
    page.goto(f"/events/{event.pk}/ama/")
    page.get_by_label("Your question").fill("Will there be a second AMA this year?")
    page.get_by_role("button", name="Ask", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Your question is on the board.")
    mine = page.locator(".ama-question", has_text="Will there be a second AMA this year?")
    expect(mine.locator(".ama-author")).to_have_text("Ada Member")
    expect(mine.get_by_role("button", name="Upvote")).to_be_disabled()
