"""Previewing an HR import: every bad input gets its row message, every row its kind."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from practica.outreach.hr_feed.plan import RowKind
from practica.outreach.hr_feed.report import row_messages, stored_plan
from practica.outreach.models import HrImport, HrImportStatus
from practica.outreach.services.hr_imports import preview_hr_import, remap_hr_import
from practica.people.models import OrgUnitKind
from tests.factories.people import OrgUnitFactory, UserFactory
from tests.outreach.hr_files import EFFECTIVE_ON, fixture_bytes

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def preview(content, *, actor=None, mapping=None, effective_on=EFFECTIVE_ON, name="hr.csv"):
    hr_import = preview_hr_import(
        file_name=name,
        content=content,
        column_mapping=mapping,
        effective_on=effective_on,
        actor=actor,
    )
    return hr_import, stored_plan(hr_import)


def by_number(plan):
    return {row.employee_number: row for row in plan.rows}


def errors_of(row):
    return [(error.column, error.message) for error in row.errors]


def test_preview_stores_the_import_with_the_suggested_mapping_and_the_plan(staff):
    hr_import, plan = preview(fixture_bytes("hr_joiners.csv"), actor=staff, name="feb.csv")
    assert hr_import.status == HrImportStatus.PREVIEWED
    assert hr_import.file_name == "feb.csv"
    assert hr_import.uploaded_by == staff
    assert hr_import.rows_total == 3
    assert hr_import.column_mapping["columns"]["email"] == "Work Email"
    assert hr_import.content.startswith("Employee ID,")
    assert plan.counts[RowKind.JOINER] == 3
    assert not plan.refused
    ada = by_number(plan)["E102"]
    assert ada.line == 2
    assert ada.kind == RowKind.JOINER
    assert ada.name == "Ada Lovelace"
    assert ada.email == "ada.lovelace@example.com"
    assert ada.changes["manager"] == [None, "Alan Turing (E101)"]
    assert ada.changes["org_unit"] == [None, "Research / Vision (new)"]
    assert ada.changes["hired_on"] == [None, "2026-02-16"]
    assert ada.changes["time_zone"] == [None, "Europe/Berlin"]
    # The unknown units are created on applying, and the preview says so.
    assert hr_import.report["new_org_units"] == ["Research", "Research / Vision"]
    assert any("Creates the org unit" in note for note in ada.notes)


def test_preview_reads_the_semicolon_file_with_day_first_dates_and_manager_emails():
    _, plan = preview(fixture_bytes("hr_semicolon_bom.csv"))
    assert not plan.refused, row_messages(plan)
    rows = by_number(plan)
    assert rows["E100"].changes["hired_on"] == [None, "2015-01-05"]
    assert rows["E101"].changes["manager"] == [None, "Grace Hopper (E100)"]
    assert rows["E102"].name == "Lovelace; Ada"


def test_every_bad_input_is_a_row_message_with_its_row_and_column():
    hr_import, plan = preview(fixture_bytes("hr_bad_rows.csv"))
    assert plan.refused
    rows = {row.line: row for row in plan.rows}
    assert errors_of(rows[2]) == [("Employee ID", "The employee number is missing.")]
    assert errors_of(rows[3]) == [("Work Email", "“not-an-email” is not an email address.")]
    [(column, message)] = errors_of(rows[4])
    assert column == "Hire Date"
    assert "“2026-02-30” is not a valid date" in message
    assert "Accepted dates: 2026-03-25 (ISO), 25.03.2026, 25/03/2026" in message
    [(column, message)] = errors_of(rows[5])
    assert (column, message.split(".")[0]) == ("Hire Date", "“next monday” is not a date")
    assert errors_of(rows[6]) == [
        (
            "Manager ID",
            "The manager with employee number E999 is neither in the file nor in the database.",
        )
    ]
    assert errors_of(rows[7]) == [
        (
            "Manager ID",
            "The manager chain loops: Loop One (E205) → Loop Two (E206) → Loop One (E205).",
        )
    ]
    assert errors_of(rows[8])[0][1].startswith("The manager chain loops: Loop Two (E206)")
    assert errors_of(rows[9]) == [("Employee ID", "The employee number E207 is also on row 10.")]
    assert errors_of(rows[10]) == [("Employee ID", "The employee number E207 is also on row 9.")]
    assert errors_of(rows[11]) == [
        ("Work Email", "The email address same@example.com is also on row 12.")
    ]
    assert errors_of(rows[12]) == [
        ("Work Email", "The email address same@example.com is also on row 11.")
    ]
    [(column, message)] = errors_of(rows[13])
    assert (column, message.startswith("“Mars/Olympus_Mons” is not a known time zone")) == (
        "Time Zone",
        True,
    )
    [(column, message)] = errors_of(rows[14])
    assert column == "Country"
    assert "“Germany” is not a country code" in message
    [(column, message)] = errors_of(rows[15])
    assert column == "Status"
    assert "“sabbatical” is not a status" in message
    assert rows[16].errors == []
    assert rows[16].kind == RowKind.JOINER
    assert errors_of(rows[17]) == [("Manager ID", "A person cannot be their own manager.")]
    assert plan.counts[RowKind.REFUSED] == 15
    assert plan.counts[RowKind.JOINER] == 1
    assert hr_import.report["refused"] is True
    messages = row_messages(plan)
    assert "Row 3, Work Email: “not-an-email” is not an email address." in messages


def test_a_file_with_missing_columns_gets_a_file_message_naming_them():
    hr_import, plan = preview(fixture_bytes("hr_missing_columns.csv"))
    assert plan.refused
    assert plan.rows == []
    assert hr_import.rows_total == 1
    assert plan.file_messages == [
        "The file has no column for: Work email. Map a column to each, or add it."
    ]


def test_a_mapping_naming_a_column_not_in_the_file_is_a_file_message():
    _, plan = preview(
        fixture_bytes("hr_joiners.csv"),
        mapping={"employee_number": "Employee ID", "email": "E-mail address"},
    )
    assert plan.file_messages == [
        "The column “E-mail address” (for Work email) is not in the file."
    ]


def test_unreadable_files_are_refused_and_nothing_is_stored():
    with pytest.raises(ValidationError, match="not UTF-8"):
        preview("Employee ID,Email\n".encode("utf-16"))
    with pytest.raises(ValidationError, match="empty"):
        preview(b"")
    assert not HrImport.objects.exists()


def test_only_staff_preview(member):
    with pytest.raises(PermissionDenied):
        preview(fixture_bytes("hr_joiners.csv"), actor=member)
    assert not HrImport.objects.exists()


def test_existing_people_are_transfers_updates_unchanged_leavers_or_returners():
    research = OrgUnitFactory(name="Research")
    vision = OrgUnitFactory(name="Vision", parent=research, kind=OrgUnitKind.GROUP)
    boss = UserFactory(employee_number="E1", email="boss@example.com", display_name="Boss")
    same = UserFactory(
        employee_number="E2",
        email="same@example.com",
        display_name="Same",
        job_title="Engineer",
        org_unit=vision,
        manager=boss,
        country="DE",
        location="Berlin",
        time_zone="Europe/Berlin",
    )
    UserFactory(
        employee_number="E3",
        email="mover@example.com",
        display_name="Mover",
        job_title="Engineer",
        org_unit=vision,
        manager=boss,
    )
    UserFactory(
        employee_number="E4",
        email="renamed@example.com",
        display_name="Old Name",
        country="DE",
        location="Berlin",
    )
    UserFactory(employee_number="E5", email="leaver@example.com", display_name="Leaver")
    gone = UserFactory(
        employee_number="E6",
        email="back@example.com",
        display_name="Back",
        is_active=False,
        left_on=date(2025, 6, 30),
    )
    content = (
        "Employee ID,Name,Email,Title,Department,Manager ID,Country,Location,Termination Date\n"
        "E1,Boss,boss@example.com,,,,DE,Berlin,\n"
        "E2,Same,same@example.com,Engineer,research/vision,E1,DE,Berlin,\n"
        "E3,Mover,mover@example.com,Senior Engineer,Research,E2,DE,Berlin,\n"
        "E4,New Name,renamed@example.com,,,,DE,Berlin,\n"
        "E5,Leaver,leaver@example.com,,,,DE,Berlin,2026-02-28\n"
        "E6,Back,back@example.com,,,,DE,Berlin,\n"
    )
    _, plan = preview(content.encode())
    rows = by_number(plan)
    assert not plan.refused, row_messages(plan)
    assert rows["E2"].kind == RowKind.UNCHANGED
    assert rows["E2"].changes == {}
    assert rows["E2"].person_id == same.pk
    assert rows["E3"].kind == RowKind.TRANSFER
    assert rows["E3"].changes == {
        "job_title": ["Engineer", "Senior Engineer"],
        "org_unit": ["Research / Vision", "Research"],
        "manager": ["Boss (E1)", "Same (E2)"],
    }
    assert rows["E4"].kind == RowKind.UPDATE
    assert rows["E4"].changes == {"display_name": ["Old Name", "New Name"]}
    assert rows["E5"].kind == RowKind.LEAVER
    assert rows["E5"].changes == {"active": [True, False], "left_on": [None, "2026-02-28"]}
    assert rows["E6"].kind == RowKind.REACTIVATED
    assert rows["E6"].person_id == gone.pk
    assert rows["E6"].changes["active"] == [False, True]
    assert rows["E6"].changes["left_on"] == ["2025-06-30", None]
    assert rows["E1"].kind == RowKind.UNCHANGED


def test_a_leaving_date_after_the_effective_date_keeps_the_person_active():
    UserFactory(employee_number="E5", email="leaver@example.com", display_name="Leaver")
    content = b"Employee ID,Email,Name,Termination Date\nE5,leaver@example.com,Leaver,2026-03-31\n"
    _, plan = preview(content)
    [row] = plan.rows
    assert row.kind == RowKind.UNCHANGED
    assert "still active for now" in row.notes[0]
    _, plan = preview(content, effective_on=date(2026, 4, 1))
    assert plan.rows[0].kind == RowKind.LEAVER


def test_the_status_column_decides_who_leaves():
    UserFactory(employee_number="E5", email="leaver@example.com", display_name="Leaver")
    UserFactory(employee_number="E6", email="stays@example.com", display_name="Stays")
    content = (
        b"Employee ID,Email,Name,Status,Termination Date\n"
        b"E5,leaver@example.com,Leaver,Terminated,\n"
        b"E6,stays@example.com,Stays,Active,2020-01-01\n"
        b"E7,never@example.com,Never Here,terminated,2026-01-31\n"
    )
    _, plan = preview(content)
    rows = by_number(plan)
    assert rows["E5"].kind == RowKind.LEAVER
    assert rows["E5"].changes["left_on"] == [None, EFFECTIVE_ON.isoformat()]
    assert rows["E6"].kind == RowKind.UNCHANGED
    assert "status says active" in rows["E6"].notes[0]
    assert rows["E7"].kind == RowKind.UNCHANGED
    assert "never had an account" in rows["E7"].notes[0]


def test_a_loop_through_the_database_is_refused():
    top = UserFactory(employee_number="E1", email="top@example.com", display_name="Top")
    middle = UserFactory(
        employee_number="E2", email="middle@example.com", display_name="Middle", manager=top
    )
    UserFactory(employee_number="E3", email="low@example.com", display_name="Low", manager=middle)
    # Only the top's row is in the file: making them report to the lowest closes a loop.
    _, plan = preview(b"Employee ID,Email,Manager ID\nE1,top@example.com,E3\n")
    [row] = plan.rows
    assert row.kind == RowKind.REFUSED
    assert errors_of(row) == [
        (
            "Manager ID",
            "The manager chain loops: Top (E1) → Low (E3) → Middle (E2) → Top (E1).",
        )
    ]


def test_a_manager_change_that_breaks_an_old_chain_is_not_a_loop():
    top = UserFactory(employee_number="E1", email="top@example.com", display_name="Top")
    UserFactory(employee_number="E2", email="low@example.com", display_name="Low", manager=top)
    # The two swap places in one file: fine once both rows are read together.
    _, plan = preview(b"Employee ID,Email,Manager ID\nE1,top@example.com,E2\nE2,low@example.com,\n")
    assert not plan.refused, row_messages(plan)
    assert [row.kind for row in plan.rows] == [RowKind.TRANSFER, RowKind.TRANSFER]


def test_emails_and_numbers_that_belong_to_someone_else_are_refused():
    UserFactory(employee_number="E1", email="one@example.com")
    UserFactory(employee_number="E2", email="two@example.com", display_name="Two")
    local = UserFactory(email="local@example.com", display_name="Local")
    content = (
        b"Employee ID,Email\n"
        b"E1,two@example.com\n"  # E1 takes E2's address
        b"E9,one@example.com\n"  # a new number for an address with another number
        b"E8,local@example.com\n"  # an account without a number: taken over
    )
    _, plan = preview(content)
    rows = by_number(plan)
    assert errors_of(rows["E1"]) == [
        ("Email", "The email address two@example.com belongs to Two (E2) in the database.")
    ]
    assert "who has another employee number" in errors_of(rows["E9"])[0][1]
    assert rows["E8"].kind == RowKind.UPDATE
    assert rows["E8"].person_id == local.pk
    assert rows["E8"].changes == {"employee_number": [None, "E8"]}
    assert "Matched by email" in rows["E8"].notes[0]


def test_org_units_are_found_by_slug_name_or_path_and_ambiguous_names_refused():
    research = OrgUnitFactory(name="Research", slug="research")
    OrgUnitFactory(name="Platform", slug="research-platform", parent=research, kind="group")
    sales = OrgUnitFactory(name="Sales", slug="sales")
    OrgUnitFactory(name="Platform", slug="sales-platform", parent=sales, kind="group")
    content = (
        "Employee ID,Email,Department\n"
        "E1,a@example.com,research-platform\n"
        "E2,b@example.com,Sales/Platform\n"
        "E3,c@example.com,Platform\n"
        "E4,d@example.com,Sales / Platform / Robotics\n"
        "E5,e@example.com,Robotics Lab\n"
    )
    _, plan = preview(content.encode())
    rows = by_number(plan)
    assert rows["E1"].changes["org_unit"] == [None, "Research / Platform"]
    assert rows["E2"].changes["org_unit"] == [None, "Sales / Platform"]
    [(column, message)] = errors_of(rows["E3"])
    assert column == "Department"
    assert message.startswith("Several org units are called “Platform”")
    assert rows["E4"].changes["org_unit"] == [None, "Sales / Platform / Robotics (new)"]
    assert rows["E5"].changes["org_unit"] == [None, "Robotics Lab (new)"]
    assert plan.to_json()["new_org_units"] == ["Robotics Lab", "Sales / Platform / Robotics"]


def test_full_snapshot_lists_missing_people_as_leavers():
    UserFactory(employee_number="E100", email="grace.hopper@example.com")
    UserFactory(employee_number="E101", email="alan.turing@example.com")
    missing = UserFactory(employee_number="E555", email="missing@example.com", display_name="Gone")
    UserFactory(email="admin@example.com", is_staff=True)  # no employee number: never a leaver
    UserFactory(employee_number="E777", email="old@example.com", is_active=False)
    _, plan = preview(fixture_bytes("hr_snapshot.csv"))
    assert [row.employee_number for row in plan.rows if row.line is None] == []
    _, plan = preview(
        fixture_bytes("hr_snapshot.csv"),
        mapping={
            "columns": {
                "employee_number": "Employee ID",
                "email": "Work Email",
                "display_name": "Name",
                "status": "Status",
                "left_on": "Termination Date",
            },
            "full_snapshot": True,
        },
    )
    leavers = [row for row in plan.rows if row.kind == RowKind.LEAVER]
    assert {row.employee_number for row in leavers} == {"E101", "E555"}
    [gone] = [row for row in leavers if row.line is None]
    assert gone.person_id == missing.pk
    assert gone.changes == {"active": [True, False], "left_on": [None, "2026-03-01"]}
    assert "which lists everyone" in gone.notes[0]


def test_remapping_plans_the_import_again(staff):
    hr_import, plan = preview(fixture_bytes("hr_missing_columns.csv"), actor=staff)
    assert plan.refused
    hr_import = remap_hr_import(
        hr_import=hr_import,
        column_mapping={"employee_number": "Employee ID", "email": "Name"},
        effective_on=date(2026, 4, 1),
        actor=staff,
    )
    plan = stored_plan(hr_import)
    assert plan.file_messages == []
    assert errors_of(plan.rows[0]) == [("Name", "“Grace Hopper” is not an email address.")]
    assert hr_import.effective_on == date(2026, 4, 1)
    assert hr_import.column_mapping["columns"] == {
        "employee_number": "Employee ID",
        "email": "Name",
    }


def test_a_joiner_without_a_name_is_named_after_the_email():
    _, plan = preview(b"Employee ID,Email\nE1,ada.king-lovelace@example.com\n")
    [row] = plan.rows
    assert row.name == "Ada King Lovelace"
    assert row.changes["display_name"] == [None, "Ada King Lovelace"]
