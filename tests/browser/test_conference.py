"""The conference from proposal to program in a real Chromium, one actor after another:

1. a member proposes a session through the form while the call is open;
2. (set-up) the call closes and reviewing opens, with a pool of reviewers in two divisions
   and two more proposals;
3. the chair runs the reviewer assignment, the page follows its progress until the worker
   is done and shows the report, and the chair applies it;
4. an assigned reviewer reviews the proposal, and sees the other reviews only once theirs is
   in;
5. the chair accepts the proposal on the committee dashboard, previews and sends the mails;
6. the speaker confirms they will present;
7. the chair places the session in the program builder and publishes the program;
8. a member finds the session on the published program and adds it to their agenda.

The main pages pass an axe scan. Skipped without Chromium (see conftest.py)."""

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core import mail
from playwright.sync_api import expect

from practica.celery import app as celery_app
from practica.communities.models import MembershipRole
from practica.conference.models import (
    AssignmentRun,
    ProgramSlot,
    Proposal,
    ProposalState,
    ReviewAssignment,
    RunStatus,
)
from practica.conference.tasks import run_assignment_task
from practica.people.models import OrgUnitKind
from tests.browser.conftest import assert_accessible, sign_in
from tests.conference.reviewing_setup import move_to_review, submitted
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.conference import (
    EditionFactory,
    ProposalFactory,
    ReviewCriterionFactory,
    ReviewerVolunteerFactory,
    RoomFactory,
    SessionFormatFactory,
    TrackFactory,
)
from tests.factories.core import TopicFactory
from tests.factories.people import DEFAULT_PASSWORD, OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Teaching small models to translate"
ABSTRACT = (
    "How our team distilled a large translation model into one that runs on a laptop, "
    "what the evaluation missed at first, and what we would do differently."
)


@pytest.fixture
def scene(transactional_db):
    """An edition with its call open, a chair, an org chart of two divisions, a speaker-to-be
    (North), two other speakers' proposals and four volunteers in the reviewer pool: Rita is
    the only one from the South division, so every North proposal gets her."""
    community = CommunityFactory(name="Machine Learning", slug="machine-learning")
    edition = EditionFactory(community=community, name="Spring 2031", slug="spring-2031")
    talk = SessionFormatFactory(edition=edition, kind="talk", name="Talk", minutes=30)
    SessionFormatFactory(edition=edition, kind="lightning", name="Lightning talk", minutes=10)
    research = TrackFactory(edition=edition, name="Research", position=1)
    TrackFactory(edition=edition, name="Engineering", position=2)
    RoomFactory(edition=edition, name="Main hall", capacity=400, position=1)
    RoomFactory(edition=edition, name="Room B", capacity=60, position=2)
    ReviewCriterionFactory(edition=edition, name="Relevance", weight=2, position=1)
    ReviewCriterionFactory(edition=edition, name="Clarity", weight=1, position=2)
    nlp = TopicFactory(name="Natural language processing", slug="nlp")
    vision = TopicFactory(name="Computer vision", slug="vision")
    edition.topics.set([nlp, vision])

    north = OrgUnitFactory(name="North", kind=OrgUnitKind.DIVISION)
    north_teams = [
        OrgUnitFactory(name=f"Team N{n}", kind=OrgUnitKind.TEAM, parent=north) for n in (1, 2, 3)
    ]
    south = OrgUnitFactory(name="South", kind=OrgUnitKind.DIVISION)
    south_team = OrgUnitFactory(name="Team S1", kind=OrgUnitKind.TEAM, parent=south)

    chair = UserFactory(email="chair@example.com", display_name="Carla Chair")
    MembershipFactory(community=community, person=chair, role=MembershipRole.MANAGER)
    speaker = UserFactory(
        email="sam@example.com", display_name="Sam Speaker", org_unit=north_teams[0]
    )
    others = [
        ProposalFactory(
            edition=edition,
            format=talk,
            track=research,
            title="Feature stores without tears",
            created_by=UserFactory(display_name="Quinn North", org_unit=north_teams[1]),
            topics=[vision],
        ),
        ProposalFactory(
            edition=edition,
            format=talk,
            track=research,
            title="Graph networks for fraud",
            created_by=UserFactory(display_name="Pia South", org_unit=south_team),
            topics=[vision],
        ),
    ]
    rita = UserFactory(email="rita@example.com", display_name="Rita Reviewer", org_unit=south_team)
    ReviewerVolunteerFactory(edition=edition, person=rita, topics=[nlp], max_load=4)
    for name in ("Nora", "Ned", "Nils"):
        ReviewerVolunteerFactory(
            edition=edition,
            person=UserFactory(
                email=f"{name.lower()}@example.com",
                display_name=f"{name} North",
                org_unit=north_teams[2],
            ),
            topics=[nlp, vision],
            max_load=4,
        )
    UserFactory(email="mia@example.com", display_name="Mia Member")
    return {"edition": edition, "speaker": speaker, "rita": rita, "others": others}


@contextmanager
def signed_in(browser, live_server, email: str) -> Iterator:
    """A tab of a fresh browser context, signed in as `email`."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    try:
        tab = context.new_page()
        sign_in(tab, email, DEFAULT_PASSWORD)
        yield tab
    finally:
        context.close()


def heading(page):
    return page.get_by_role("heading", level=1)


@pytest.fixture
def queued():
    """Celery is eager in tests; here tasks go to an in-memory broker no worker reads, as in
    production before a worker picks them up, so the page shows the run's progress until
    the test, as the worker, runs it. Yields the messages' task arguments."""
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.broker_url)
    conf.task_always_eager, conf.broker_url = False, "memory://"
    forget_broker_connections()
    try:
        yield celery_app
    finally:
        conf.task_always_eager, conf.broker_url = saved
        forget_broker_connections()


def forget_broker_connections() -> None:
    """Celery keeps its connection and producer pools once made; drop them so the next
    message goes to the broker the configuration now names."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def queued_run_ids(app) -> list[int]:
    """The run ids of the assignment tasks waiting in the in-memory broker."""
    with app.connection_for_read() as connection:
        queue = connection.SimpleQueue("celery")
        ids = []
        while queue.qsize():
            message = queue.get(block=False)
            ids.append(message.payload[0][0])
            message.ack()
        queue.close()
    return ids


def test_from_proposal_to_published_program(browser, live_server, scene, queued):
    edition = scene["edition"]

    # 1. Sam proposes a session while the call is open.
    with signed_in(browser, live_server, "sam@example.com") as page:
        page.goto(f"/conference/editions/{edition.pk}/")
        expect(heading(page)).to_have_text("Spring 2031")
        page.get_by_role("link", name="Submit a proposal").first.click()
        expect(heading(page)).to_have_text("Propose a session")
        assert_accessible(page, "the proposal form")
        page.get_by_label("Title").fill(TITLE)
        page.get_by_label("Format").select_option(label="Talk (30 min)")
        page.get_by_label("Track").select_option(label="Research")
        page.get_by_label("Abstract").fill(ABSTRACT)
        page.get_by_role("group", name="Topics").get_by_label("Natural language processing").check()
        page.get_by_role("button", name="Submit", exact=True).click()

        expect(heading(page)).to_have_text(TITLE)
        expect(page.locator(".messages")).to_contain_text("Your proposal is submitted.")
        expect(page.locator(".page-header")).to_contain_text("Submitted")
        expect(page.get_by_role("list", name="Topics")).to_have_text("Natural language processing")
        assert_accessible(page, "a submitted proposal's page")
    proposal = Proposal.objects.get(title=TITLE)
    assert proposal.state == ProposalState.SUBMITTED
    assert list(proposal.topics.values_list("slug", flat=True)) == ["nlp"]

    # 2. Time moves on: the call is closed and reviewing is open.
    move_to_review(edition)

    # 3. The chair runs the assignment, follows its progress and applies it.
    with signed_in(browser, live_server, "chair@example.com") as page:
        page.goto(f"/conference/editions/{edition.pk}/assignment/")
        expect(heading(page)).to_have_text("Reviewer assignment")
        expect(page.locator(".page-header")).to_contain_text(
            "3 proposals in review, 0 assignments, 4 reviewers in the pool."
        )
        expect(page.get_by_role("heading", name="No assignment run yet")).to_be_visible()
        settings = page.locator("form", has=page.get_by_role("button", name="Run", exact=True))
        expect(settings.get_by_label("Reviewers per proposal")).to_have_value("3")
        expect(
            settings.get_by_label("At least one reviewer from another division than the speakers")
        ).to_be_checked()
        assert_accessible(page, "the assignment page before a run")
        settings.get_by_role("button", name="Run", exact=True).click()

        expect(page.locator(".messages")).to_contain_text("The run is queued")
        progress = page.locator("#run-progress")
        expect(progress).to_contain_text("Waiting for a background worker.")
        expect(progress.get_by_role("progressbar")).to_be_visible()
        expect(settings.get_by_role("button", name="Run", exact=True)).to_be_disabled()
        # The worker picks the run up; the page, polling, goes to the run's report.
        run_ids = queued_run_ids(queued)
        assert len(run_ids) == 1
        assert run_assignment_task(run_ids[0]) == RunStatus.DONE
        report = page.locator("section", has=page.locator("#report-title"))
        expect(report.locator("#report-title")).to_contain_text("Highest total affinity")
        expect(report).to_contain_text("Not applied yet")
        expect(report).to_contain_text("3 reviewers per proposal")
        expect(report.locator("dl")).to_contain_text(
            re.compile(r"Proposals with a reviewer from another division\s*3 / 3")
        )
        assert_accessible(page, "an assignment run's report")
        report.get_by_role("button", name="Apply this assignment").click()

        expect(page.locator(".messages")).to_contain_text("Applied: 9 new assignments")
        expect(report.locator(".badge")).to_have_text("Applied")
        row = page.get_by_role("row").filter(has_text=TITLE)
        expect(row.locator(".reviewer-list li")).to_have_count(3)
        expect(row).to_contain_text("Rita Reviewer")
        expect(page.locator(".page-header")).to_contain_text("9 assignments")
    run = AssignmentRun.objects.get(edition=edition)
    assert run.status == RunStatus.DONE
    assert run.applied_at is not None
    reviewers = set(
        ReviewAssignment.objects.filter(proposal=proposal).values_list("reviewer__email", flat=True)
    )
    assert len(reviewers) == 3
    assert "rita@example.com" in reviewers
    assert "sam@example.com" not in reviewers

    # Another reviewer of Sam's proposal submits first.
    colleague = (
        ReviewAssignment.objects.filter(proposal=proposal)
        .exclude(reviewer=scene["rita"])
        .order_by("reviewer__email")
        .select_related("reviewer")
        .first()
        .reviewer
    )
    submitted(
        proposal,
        colleague,
        comments_to_speakers="The evaluation section could be longer.",
        comments_to_committee="A colleague's private note for the committee.",
    )

    # 4. Rita reviews: the others' reviews show only after she submits hers.
    with signed_in(browser, live_server, "rita@example.com") as page:
        page.goto(f"/conference/editions/{edition.pk}/")
        page.get_by_role("link", name="My reviews").first.click()
        expect(heading(page)).to_have_text("My reviews")
        row = page.get_by_role("row").filter(has_text=TITLE)
        expect(row).to_contain_text("Spring 2031")
        expect(row).to_contain_text("Not started")
        assert_accessible(page, "my reviews")
        row.get_by_role("link", name=TITLE).click()

        expect(heading(page)).to_have_text(TITLE)
        reviews = page.locator("#reviews")
        expect(reviews).to_contain_text(
            "Submit your own review first: the other reviews show after that."
        )
        expect(reviews).not_to_contain_text("The evaluation section could be longer.")
        expect(page.locator("article.review-card")).to_have_count(0)
        assert_accessible(page, "the review page before reviewing")

        form = page.locator("#review-form")
        form.get_by_role("group", name="Relevance").get_by_label("4", exact=True).check()
        form.get_by_role("group", name="Clarity").get_by_label("5", exact=True).check()
        form.get_by_role("group", name="Overall recommendation").get_by_label(
            "Strong accept", exact=True
        ).check()
        form.get_by_role("group", name="Your confidence").get_by_label("4 — confident").check()
        form.get_by_label("Comments to the speakers").fill("A clear, useful talk: keep the demo.")
        form.get_by_label("Comments to the committee").fill("Exactly what our members need.")
        form.get_by_role("button", name="Submit review").click()

        expect(page.locator(".messages")).to_contain_text("Your review is submitted.")
        expect(page.locator("#review-form")).to_contain_text("Submitted. You can change it")
        cards = page.locator("#reviews article.review-card")
        expect(cards).to_have_count(2)
        expect(reviews).to_contain_text("The evaluation section could be longer.")
        expect(reviews.get_by_role("article", name="Review by Rita Reviewer")).to_contain_text(
            "Strong accept"
        )
        assert_accessible(page, "the review page after reviewing")

    # 5. The chair accepts the proposal, previews the mail and sends the decisions.
    with signed_in(browser, live_server, "chair@example.com") as page:
        page.goto(f"/conference/editions/{edition.pk}/")
        page.get_by_role("link", name="Committee dashboard").first.click()
        expect(heading(page)).to_have_text("Committee dashboard")
        row = page.get_by_role("row").filter(has_text=TITLE)
        expect(row.locator("td").nth(1)).to_contain_text("2 / 3")
        expect(row).to_contain_text("Not decided")
        expect(row).to_contain_text("Sam Speaker")
        assert_accessible(page, "the committee dashboard")
        row.get_by_role("button", name=f"Accept: {TITLE}").click()

        expect(page.locator(".messages")).to_contain_text(f"“{TITLE}”: Accepted.")
        row = page.get_by_role("row").filter(has_text=TITLE)
        expect(row.locator(".badge").first).to_have_text("Accepted")
        row.get_by_role("link", name="Preview mail").click()

        expect(heading(page)).to_have_text("Mail preview")
        expect(page.locator("#mail-title")).to_have_text(f"Accepted: {TITLE}")
        preview = page.locator(".mail-preview")
        expect(preview).to_contain_text("Comments from the reviewers")
        expect(preview).to_contain_text("A clear, useful talk: keep the demo.")
        expect(preview).not_to_contain_text("Rita")
        expect(preview).not_to_contain_text("Exactly what our members need.")
        assert_accessible(page, "the decision mail preview")

        page.get_by_role("link", name="Committee dashboard").click()
        page.get_by_role("link", name="Send 1 decision").click()
        expect(heading(page)).to_have_text("Send the decision mails")
        expect(page.get_by_role("heading", name="1 proposal to tell")).to_be_visible()
        expect(page.get_by_text("2 proposals are not decided yet and get no mail.")).to_be_visible()
        assert_accessible(page, "the send-decisions page")
        page.get_by_label("Yes, send the decision mails now").check()
        page.get_by_role("button", name="Send the decision mails").click()

        expect(heading(page)).to_have_text("Committee dashboard")
        expect(page.locator(".messages")).to_contain_text(
            "The decision on 1 proposal is on its way. 1 mail queued."
        )
        expect(page.get_by_role("row").filter(has_text=TITLE)).to_contain_text("mailed")
    to_sam = [message.subject for message in mail.outbox if message.to == ["sam@example.com"]]
    assert to_sam == [f"Your proposal is in: {TITLE}", f"Accepted: {TITLE}"]

    # 6. Sam confirms on the proposal's page.
    with signed_in(browser, live_server, "sam@example.com") as page:
        page.goto(f"/conference/proposals/{proposal.pk}/")
        accepted = page.get_by_role("region", name="Your proposal is accepted")
        expect(accepted).to_be_visible()
        accepted.get_by_role("button", name="Confirm: I will present").click()
        expect(page.locator(".messages")).to_contain_text("Thank you: you will present it.")
        expect(page.locator(".page-header .badge")).to_have_text("Confirmed")
        expect(page.get_by_role("region", name="Your proposal is accepted")).to_have_count(0)
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.CONFIRMED

    # 7. The chair places the session and publishes the program.
    with signed_in(browser, live_server, "chair@example.com") as page:
        page.goto(f"/conference/editions/{edition.pk}/program/builder/")
        expect(heading(page)).to_have_text("Program builder")
        place = page.locator("#place")
        place.get_by_label("Proposal").select_option(label=f"{TITLE} · Talk · Research")
        place.get_by_label("Room").select_option(label="Main hall · Building 1")
        place.get_by_label("Starts at").fill("10:00")
        place.get_by_role("button", name="Place").click()
        expect(page.get_by_role("status").first).to_contain_text(f"“{TITLE}” is placed.")
        expect(page.locator("table.program-grid").first).to_contain_text(TITLE)
        assert_accessible(page, "the program builder")
        page.get_by_role("button", name="Publish the program").click()
        expect(page.locator(".messages")).to_contain_text("The program is published")
    slot = ProgramSlot.objects.get(proposal=proposal)
    edition.refresh_from_db()
    assert edition.program_published_at is not None

    # 8. Mia reads the published program and adds the session to her agenda.
    with signed_in(browser, live_server, "mia@example.com") as page:
        page.goto(f"/conference/editions/{edition.pk}/")
        page.get_by_role("link", name="Program", exact=True).first.click()
        expect(heading(page)).to_have_text("Program")
        entry = page.locator(f"#slot-{slot.pk}")
        expect(entry).to_contain_text(TITLE)
        expect(entry).to_contain_text("Sam Speaker")
        expect(entry).to_contain_text("Main hall")
        entry.get_by_role("button", name="Add to my agenda").click()
        expect(entry.get_by_role("button", name="On my agenda")).to_be_visible()
        assert_accessible(page, "the published program")
        page.get_by_role("link", name="My agenda").click()
        expect(heading(page)).to_have_text("My agenda")
        expect(page.locator(f"#slot-{slot.pk}")).to_contain_text(TITLE)
