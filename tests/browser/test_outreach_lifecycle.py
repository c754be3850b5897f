"""The identity lifecycle and outreach in a real Chromium, one actor after another:

1. a staff member opens a community's Outreach hub, goes to the HR feed imports, uploads a
   file (two joiners, one of them a data scientist; a transfer; a leaver who runs a group),
   checks the suggested column mapping and the preview by kind, applies it, follows the
   background apply's progress until the worker is done, and reads the report;
2. the community's manager finds the continuity alert that leaver raised and hands
   everything to a successor in one step;

then, each on its own: a file with a bad row shows the row's message and changes nothing;
the manager reads the welcome funnel (chart, table, period filter, CSV); a member invites
two colleagues and follows the invitation on "My invitations".

The main pages pass an axe scan. Skipped without Chromium (see conftest.py)."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from practica.celery import app as celery_app
from practica.communities.models import GroupMembership, GroupRole, Membership, MembershipRole
from practica.outreach.models import (
    ContinuityAlert,
    HrImport,
    HrImportStatus,
    Invitation,
    PersonChange,
)
from practica.outreach.tasks import apply_hr_import_task
from practica.people.models import OrgUnit, User
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories.communities import (
    CommunityFactory,
    GroupFactory,
    GroupMembershipFactory,
    MembershipFactory,
)
from tests.factories.people import DEFAULT_PASSWORD, OrgUnitFactory, UserFactory
from tests.outreach.funnel_setup import build_funnel_fixture

pytestmark = pytest.mark.django_db(transaction=True)

EFFECTIVE_ON = "2026-03-01"
HR_FILE = (
    "Employee ID,Name,Work Email,Job Title,Department,Manager ID,Hire Date,Status,"
    "Termination Date\n"
    "E500,Dana Datasci,dana.datasci@example.com,Data Scientist,Research/Vision,E200,"
    "2026-02-02,active,\n"
    "E501,Joe Engineer,joe.engineer@example.com,Software Engineer,Platform,,2026-02-16,active,\n"
    "E200,Tara Transfer,tara.transfer@example.com,Senior Data Scientist,Platform,,,active,\n"
    "E300,Leo Leaver,leo.leaver@example.com,Data Scientist,Research,,,terminated,2026-02-27\n"
)
BAD_FILE = (
    "Employee ID,Name,Work Email,Hire Date\n"
    "E600,Gina Good,gina.good@example.com,2026-02-02\n"
    "E601,Bart Baddate,bart.baddate@example.com,2026-02-30\n"
)
BAD_DATE_MESSAGE = re.compile(r"^Hire Date: “2026-02-30” is not a valid date\b")
FUNNEL_CSV_HEADER = (
    "Month,Campaign,HR joiners,Mailed,Mailed conversion (%),Delivered,"
    "Delivered conversion (%),Clicked,Clicked conversion (%),Joined,Joined conversion (%),"
    "Active within 30 days,Active within 30 days conversion (%),Active in the second month,"
    "Active in the second month conversion (%)"
)


def heading(page):
    return page.get_by_role("heading", level=1)


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


def change(row, label: str):
    """What a preview or report row changes for one detail (its <del> before, <ins> after)."""
    return row.locator(".hr-changes > div").filter(
        has=row.page.locator("dt", has_text=re.compile(f"^{re.escape(label)}$"))
    )


# --- Celery: the apply waits in an in-memory broker until the test, as the worker, runs it ---


def forget_broker_connections() -> None:
    """Celery keeps its connection and producer pools once made; drop them so the next
    message goes to the broker the configuration now names."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def queued():
    """Celery is eager in tests; here tasks go to an in-memory broker no worker reads, as in
    production before a worker picks them up, so the import's page shows its progress bar
    until the test, as the worker, runs the task."""
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.broker_url)
    conf.task_always_eager, conf.broker_url = False, "memory://"
    forget_broker_connections()
    try:
        yield celery_app
    finally:
        conf.task_always_eager, conf.broker_url = saved
        forget_broker_connections()


def queued_tasks(app) -> list[tuple[str, list]]:
    """The (task name, arguments) of the messages waiting in the in-memory broker."""
    with app.connection_for_read() as connection:
        queue = connection.SimpleQueue("celery")
        tasks = []
        while queue.qsize():
            message = queue.get(block=False)
            tasks.append((message.headers["task"], list(message.payload[0])))
            message.ack()
        queue.close()
    return tasks


# --- 1 and 2: the HR feed, then continuity ------------------------------------------------------


@pytest.fixture
def company(transactional_db):
    """A community with its manager and an organizer (the successor-to-be), a staff member,
    the org chart, Tara (E200, moving to Platform) and Leo (E300, leaving; he runs a group)."""
    community = CommunityFactory(name="Machine Learning", slug="machine-learning")
    manager = UserFactory(email="maria@example.com", display_name="Maria Manager")
    MembershipFactory(community=community, person=manager, role=MembershipRole.MANAGER)
    successor = UserFactory(email="sam@example.com", display_name="Sam Successor")
    MembershipFactory(community=community, person=successor, role=MembershipRole.ORGANIZER)
    staff = UserFactory(email="stella@example.com", display_name="Stella Staff", is_staff=True)
    research = OrgUnitFactory(name="Research")
    OrgUnitFactory(name="Platform")
    tara = UserFactory(
        email="tara.transfer@example.com",
        display_name="Tara Transfer",
        employee_number="E200",
        job_title="Data Scientist",
        org_unit=research,
    )
    leaver = UserFactory(
        email="leo.leaver@example.com",
        display_name="Leo Leaver",
        employee_number="E300",
        job_title="Data Scientist",
        org_unit=research,
        hired_on=date(2019, 4, 1),
    )
    MembershipFactory(community=community, person=leaver)
    group = GroupFactory(community=community, name="Deep RL papers", slug="deep-rl-papers")
    GroupMembershipFactory(group=group, person=leaver, role=GroupRole.OWNER)
    GroupMembershipFactory(group=group, person=successor)
    return {
        "community": community,
        "manager": manager,
        "successor": successor,
        "staff": staff,
        "tara": tara,
        "leaver": leaver,
        "group": group,
    }


def test_hr_feed_applied_in_the_background_then_the_leavers_group_is_handed_over(
    browser, live_server, company, queued
):
    community, group = company["community"], company["group"]
    leaver, successor = company["leaver"], company["successor"]

    # 1. Stella, staff, uploads the HR export from the community's Outreach hub.
    with signed_in(browser, live_server, "stella@example.com") as page:
        page.goto("/communities/machine-learning/")
        page.get_by_role("link", name="Outreach", exact=True).click()
        expect(heading(page)).to_have_text("Outreach")
        assert_accessible(page, "the Outreach hub")
        page.get_by_role("link", name="HR feed imports").click()

        expect(heading(page)).to_have_text("HR feed imports")
        expect(page.get_by_role("heading", name="No import yet")).to_be_visible()
        assert_accessible(page, "the HR feed imports page")
        page.get_by_label("HR export (CSV)").set_input_files(
            {"name": "hr-feed.csv", "mimeType": "text/csv", "buffer": HR_FILE.encode()}
        )
        page.get_by_label("Effective on").fill(EFFECTIVE_ON)
        page.get_by_role("button", name="Upload and preview").click()

        expect(heading(page)).to_have_text("Preview of hr-feed.csv")
        expect(page.locator(".page-header")).to_contain_text("Nothing has changed yet.")
        expect(page.get_by_role("status").filter(has_text="Applying changes")).to_contain_text(
            "Applying changes 4 people, all at once. It also creates 1 org unit: Research / Vision."
        )
        # The suggested mapping, matched from the header's names.
        mapping = page.locator("details.hr-mapping")
        mapping.locator("summary").click()
        expected_mapping = {
            "employee_number": "Employee ID",
            "email": "Work Email",
            "display_name": "Name",
            "job_title": "Job Title",
            "org_unit": "Department",
            "manager_employee_number": "Manager ID",
            "hired_on": "Hire Date",
            "left_on": "Termination Date",
            "status": "Status",
            "time_zone": "",
        }
        for field, column in expected_mapping.items():
            expect(mapping.locator(f'select[name="column_{field}"]')).to_have_value(column)
        expect(mapping.get_by_label("Dates like 03/04/2026 are")).to_have_value("dmy")
        # The preview, grouped by kind.
        counts = page.locator(".hr-counts")
        for kind, count in {"joiner": 2, "transfer": 1, "leaver": 1, "total": 4}.items():
            expect(counts.locator(f'[data-kind="{kind}"] .stat-value')).to_have_text(str(count))
        expect(counts.locator('[data-kind="refused"]')).to_have_count(0)
        tabs = page.get_by_role("navigation", name="Rows by kind")
        expect(tabs.get_by_role("link", name="Joiner 2")).to_be_visible()
        expect(tabs.get_by_role("link", name="Every change 4")).to_be_visible()
        rows = page.locator("table.hr-rows tbody tr")
        expect(rows).to_have_count(4)
        dana_row = rows.filter(has_text="dana.datasci@example.com")
        expect(dana_row.locator(".hr-kind")).to_have_text("Joiner")
        expect(change(dana_row, "Manager").locator("ins")).to_have_text("Tara Transfer (E200)")
        expect(change(dana_row, "Org unit").locator("ins")).to_have_text("Research / Vision (new)")
        tara_row = rows.filter(has_text="tara.transfer@example.com")
        expect(tara_row.locator(".hr-kind")).to_have_text("Transfer")
        expect(change(tara_row, "Job title").locator("del")).to_have_text("Data Scientist")
        expect(change(tara_row, "Job title").locator("ins")).to_have_text("Senior Data Scientist")
        expect(change(tara_row, "Org unit").locator("del")).to_have_text("Research")
        expect(change(tara_row, "Org unit").locator("ins")).to_have_text("Platform")
        leo_row = rows.filter(has_text="leo.leaver@example.com")
        expect(leo_row.locator(".hr-kind")).to_have_text("Leaver")
        expect(change(leo_row, "Leaving date").locator("ins")).to_have_text("2026-02-27")
        assert_accessible(page, "the HR import's preview")
        tabs.get_by_role("link", name="Leaver 1").click()
        expect(page.locator("table.hr-rows tbody tr")).to_have_count(1)
        expect(page.locator("table.hr-rows tbody tr")).to_contain_text("Leo Leaver")
        assert not User.objects.filter(employee_number="E500").exists()

        page.get_by_role("button", name="Apply the import").click()

        # Queued: the page shows the progress bar until a worker has applied it.
        expect(heading(page)).to_have_text("Applying hr-feed.csv")
        expect(page.locator(".messages")).to_contain_text(
            "The import is being applied in the background"
        )
        progress = page.locator("#hr-apply-progress")
        expect(progress.get_by_role("progressbar")).to_be_visible()
        expect(progress).to_contain_text("Waiting for a background worker")
        assert_accessible(page, "the import's progress")
        hr_import = HrImport.objects.get()
        assert hr_import.status == HrImportStatus.PREVIEWED
        assert not User.objects.filter(employee_number="E500").exists()
        tasks = queued_tasks(queued)
        assert tasks == [
            ("practica.outreach.tasks.apply_hr_import_task", [hr_import.pk, company["staff"].pk])
        ]
        assert apply_hr_import_task(*tasks[0][1]) == HrImportStatus.APPLIED

        # The page, polling, goes to the report by itself.
        expect(heading(page)).to_have_text("What hr-feed.csv changed", timeout=20_000)
        expect(page.get_by_role("progressbar")).to_have_count(0)
        expect(page.get_by_role("status").filter(has_text="Applied. Joiners")).to_have_text(
            "Applied. Joiners: 2 · leavers: 1 · transfers: 1 · updates: 0 · returners: 0."
        )
        expect(page.get_by_role("region", name="Org units created")).to_contain_text(
            "Research / Vision"
        )
        dana = User.objects.get(employee_number="E500")
        expect(page.get_by_role("link", name="Dana Datasci")).to_have_attribute(
            "href", f"/people/{dana.pk}/"
        )
        assert_accessible(page, "the HR import's report")

    hr_import.refresh_from_db()
    assert hr_import.status == HrImportStatus.APPLIED
    assert hr_import.applied_at is not None
    assert dana.job_title == "Data Scientist"
    assert dana.hired_on == date(2026, 2, 2)
    assert dana.org_unit.name == "Vision"
    assert dana.manager == company["tara"]
    assert User.objects.get(employee_number="E501").org_unit.name == "Platform"
    tara = User.objects.get(pk=company["tara"].pk)
    assert (tara.job_title, tara.org_unit.name) == ("Senior Data Scientist", "Platform")
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert leaver.left_on == date(2026, 2, 27)
    assert not Membership.objects.current().filter(person=leaver).exists()
    assert OrgUnit.objects.filter(name="Vision", parent__name="Research").count() == 1
    assert PersonChange.objects.filter(hr_import=hr_import).count() == 4
    alert = ContinuityAlert.objects.get(community=community, leaver=leaver)
    assert alert.resolved_at is None
    assert [item.object_id for item in alert.items.all()] == [group.pk]
    alert_mails = [message for message in mail.outbox if "maria@example.com" in message.to]
    assert [message.subject for message in alert_mails] == [
        "Leo Leaver left: 1 thing in Machine Learning needs a new owner"
    ]

    # 2. Maria, the community's manager, hands everything Leo ran to Sam in one step.
    with signed_in(browser, live_server, "maria@example.com") as page:
        page.goto("/communities/machine-learning/")
        page.get_by_role("link", name="Outreach", exact=True).click()
        open_alerts = page.locator(".stat", has_text="Open continuity alerts")
        expect(open_alerts.locator(".stat-value")).to_have_text("1")
        continuity = page.get_by_role("region", name="Continuity")
        expect(continuity).to_contain_text("A leaver owned things that need a new owner.")
        continuity.get_by_role("link", name="Continuity alerts").click()

        expect(heading(page)).to_have_text("Continuity after leavers")
        card = page.get_by_role("region", name="Leo Leaver has left")
        expect(card).to_contain_text("1 thing needs a new owner")
        expect(card).to_contain_text("Deep RL papers")
        assert_accessible(page, "the continuity alerts")
        card.get_by_role("link", name="Leo Leaver has left").click()

        expect(heading(page)).to_have_text("Continuity alert")
        card = page.get_by_role("region", name="Leo Leaver has left")
        expect(card.get_by_role("link", name=re.compile("Deep RL papers"))).to_have_attribute(
            "href", "/communities/machine-learning/groups/deep-rl-papers/"
        )
        assert_accessible(page, "a continuity alert")
        whole = card.locator(".card-footer")
        whole.get_by_label("New owner's email address").fill("sam@example.com")
        whole.get_by_role("button", name="Hand everything over").click()

        expect(heading(page)).to_have_text("Continuity after leavers")
        expect(page.locator(".messages")).to_contain_text(
            "Sam Successor now owns everything Leo Leaver left behind in Machine Learning."
        )
        expect(page.get_by_role("heading", name="Nothing needs a new owner")).to_be_visible()
        history = page.get_by_role("region", name="Handed over")
        expect(history).to_contain_text("Leo Leaver has left")
        expect(history).to_contain_text("1 thing handed over")
        page.goto("/outreach/communities/machine-learning/")
        expect(open_alerts.locator(".stat-value")).to_have_text("0")
        expect(continuity).to_contain_text("Nothing waits for a new owner.")

        page.goto("/communities/machine-learning/groups/deep-rl-papers/")
        owners = page.get_by_role("region", name="Run by")
        expect(owners.get_by_role("link", name="Sam Successor")).to_be_visible()
        expect(owners).not_to_contain_text("Leo Leaver")
        assert_accessible(page, "the group's page")

    alert.refresh_from_db()
    assert alert.resolved_at is not None
    [item] = alert.items.all()
    assert (item.handed_to, item.handed_by) == (successor, company["manager"])
    owners = GroupMembership.objects.filter(group=group, role=GroupRole.OWNER, left_at=None)
    assert [row.person for row in owners] == [successor]


# --- 1b: a file with a bad row -------------------------------------------------------------------


def test_a_file_with_a_bad_row_shows_the_message_and_changes_nothing(
    page, transactional_db, queued
):
    staff = UserFactory(email="stella@example.com", display_name="Stella Staff", is_staff=True)
    sign_in(page, "stella@example.com", DEFAULT_PASSWORD)
    page.goto("/outreach/provisioning/hr-imports/")
    page.get_by_label("HR export (CSV)").set_input_files(
        {"name": "bad.csv", "mimeType": "text/csv", "buffer": BAD_FILE.encode()}
    )
    page.get_by_label("Effective on").fill(EFFECTIVE_ON)
    page.get_by_role("button", name="Upload and preview").click()

    expect(heading(page)).to_have_text("Preview of bad.csv")
    expect(page.locator("#apply-blocked")).to_have_text(
        "1 row has errors; the file can only be applied when every row is right. Correct the "
        "file and upload it again, or change the column mapping."
    )
    expect(page.locator('.hr-counts [data-kind="refused"] .stat-value')).to_have_text("1")
    expect(page.locator('.hr-counts [data-kind="joiner"] .stat-value')).to_have_text("1")
    # The refused rows are shown first, with the row's message against its column.
    refused = page.locator("table.hr-rows tbody tr")
    expect(refused).to_have_count(1)
    expect(refused.get_by_role("rowheader")).to_have_text("3")
    expect(refused).to_contain_text("Bart Baddate")
    expect(refused.locator(".hr-error")).to_have_text(BAD_DATE_MESSAGE)
    apply = page.get_by_role("button", name="Apply the import")
    expect(apply).to_be_disabled()
    expect(apply).to_have_accessible_description(re.compile("^1 row has errors"))
    assert_accessible(page, "a refused preview")
    hr_import = HrImport.objects.get()
    assert hr_import.status == HrImportStatus.PREVIEWED

    # Forcing the button anyway: the worker checks every row again and refuses the file.
    apply.evaluate("button => button.removeAttribute('disabled')")
    apply.click()
    expect(heading(page)).to_have_text("Applying bad.csv")
    [(_task, arguments)] = queued_tasks(queued)
    assert arguments == [hr_import.pk, staff.pk]
    assert apply_hr_import_task(*arguments) == HrImportStatus.FAILED
    expect(heading(page)).to_have_text("bad.csv was refused", timeout=20_000)
    expect(page.get_by_role("alert").filter(has_text="not applied")).to_contain_text(
        "The file was not applied; nothing was changed."
    )
    expect(page.locator("table.hr-rows tbody tr.hr-row-refused .hr-error")).to_have_text(
        BAD_DATE_MESSAGE
    )
    assert_accessible(page, "a refused import's report")

    hr_import.refresh_from_db()
    assert hr_import.status == HrImportStatus.FAILED
    assert hr_import.applied_at is None
    assert not User.objects.filter(employee_number__in=["E600", "E601"]).exists()
    assert not PersonChange.objects.exists()


# --- 3: the funnel ------------------------------------------------------------------------------


def test_the_manager_reads_the_funnel_filters_it_and_downloads_the_csv(page, transactional_db):
    community = CommunityFactory(name="Machine Learning", slug="machine-learning")
    manager = UserFactory(email="maria@example.com", display_name="Maria Manager")
    MembershipFactory(community=community, person=manager, role=MembershipRole.MANAGER)
    build_funnel_fixture(community)

    sign_in(page, "maria@example.com", DEFAULT_PASSWORD)
    page.goto("/outreach/communities/machine-learning/")
    page.get_by_role("link", name="Funnel").click()

    expect(heading(page)).to_have_text("Welcome funnel")
    chart = page.get_by_role(
        "img", name=re.compile(r"^Welcome funnel: All campaigns of Machine Learning, 2025-12")
    )
    expect(chart).to_be_visible()
    expect(chart.locator("title")).to_have_text(
        "Welcome funnel: All campaigns of Machine Learning, 2025-12 – 2026-02"
    )
    totals = page.get_by_role("table", name="The funnel's steps, summed over the months shown")
    expect(totals.get_by_role("row", name=re.compile("^HR joiners"))).to_contain_text("14")
    expect(totals.get_by_role("row", name=re.compile("^Mailed"))).to_contain_text("10")
    expect(totals.get_by_role("row", name=re.compile("^Mailed"))).to_contain_text("71.4 %")
    months = page.get_by_role("region", name="Per campaign month")
    expect(months.locator("tbody tr")).to_have_count(3)
    assert_accessible(page, "the funnel page")

    search = page.get_by_role("search", name="Filter the funnel")
    search.get_by_label("From (month)").fill("2026-01")
    search.get_by_label("To (month)").fill("2026-01")
    search.get_by_role("button", name="Show").click()

    expect(page).to_have_url(re.compile(r"period_from=2026-01&period_to=2026-01"))
    expect(page.get_by_role("img", name=re.compile("^Welcome funnel"))).to_have_accessible_name(
        re.compile(r"^Welcome funnel: All campaigns of Machine Learning, 2026-01")
    )
    expect(page.get_by_text("Summed over 1 campaign month.")).to_be_visible()
    expect(months.locator("tbody tr")).to_have_count(1)
    january = months.locator("tbody tr").first
    expect(january).to_contain_text("Monthly welcome")
    expect(january.locator("td").nth(2)).to_contain_text("8")  # mailed
    expect(january).to_contain_text("80.0 %")
    expect(totals.get_by_role("row", name=re.compile("^Joined"))).to_contain_text("60.0 %")
    assert_accessible(page, "the filtered funnel")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == "funnel-machine-learning.csv"
    lines = Path(download.path()).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == FUNNEL_CSV_HEADER
    assert len(lines) == 2
    assert lines[1].startswith("2026-01,Monthly welcome,10,8,80.0,6,75.0,5,83.3,3,60.0")


# --- 4: invitations ------------------------------------------------------------------------------


def test_a_member_invites_two_colleagues_and_follows_the_invitation(page, transactional_db):
    community = CommunityFactory(name="Machine Learning", slug="machine-learning")
    member = UserFactory(email="mia@example.com", display_name="Mia Member")
    MembershipFactory(community=community, person=member)

    sign_in(page, "mia@example.com", DEFAULT_PASSWORD)
    page.goto("/communities/machine-learning/")
    page.get_by_role("link", name="Invite colleagues").first.click()
    expect(heading(page)).to_have_text("Invite colleagues")
    assert_accessible(page, "the invite page")
    page.get_by_label("Email addresses").fill("Colin Colleague <colin@example.com>\nnot-an-address")
    page.get_by_label("A note from you").fill("Our reading group would suit you.")
    page.get_by_role("button", name="Send invitations").click()

    results = page.get_by_role("region", name="Results")
    expect(results.get_by_role("status")).to_have_text("1 of 2 invited.")
    colin = results.locator("li", has_text="colin@example.com")
    expect(colin).to_contain_text("Invited: the mail is on its way.")
    expect(colin.locator(".badge")).to_have_text("Invited")
    bad = results.locator("li", has_text="not-an-address")
    expect(bad).to_contain_text("“not-an-address” is not an email address.")
    expect(bad.locator(".badge")).to_have_text("Not invited")
    # The refused address stays in the form, to be corrected.
    expect(page.get_by_label("Email addresses")).to_have_value("not-an-address")
    assert_accessible(page, "the invitation results")

    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.inviter, invitation.community) == (
        "colin@example.com",
        member,
        community,
    )
    to_colin = [message for message in mail.outbox if message.to == ["colin@example.com"]]
    assert len(to_colin) == 1
    assert "Our reading group would suit you." in to_colin[0].body

    page.get_by_role("link", name="My invitations").first.click()
    expect(heading(page)).to_have_text("My invitations")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("colin@example.com")
    expect(rows.first).to_contain_text("Machine Learning")
    expect(rows.first.locator(".badge")).to_have_text("Pending")
    expect(
        rows.first.get_by_role("button", name="Withdraw the invitation to colin@example.com")
    ).to_be_visible()
    assert_accessible(page, "my invitations")
