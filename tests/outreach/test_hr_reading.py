"""Reading HR feed files: encodings and separators, the mapping suggestion, cell values."""

from datetime import date

import pytest

from practica.outreach.hr_feed.mapping import ColumnMapping, mapping_problems, suggest_mapping
from practica.outreach.hr_feed.reading import HrFileError, read_hr_table, sniff_delimiter
from practica.outreach.hr_feed.values import (
    CellError,
    clean_time_zone,
    is_leaver_status,
    parse_date,
    slashed_date_order,
)
from tests.outreach.hr_files import fixture_bytes

pytestmark = pytest.mark.unit


# --- reading ------------------------------------------------------------------------------


def test_reads_a_comma_separated_file_with_its_header_and_lines():
    table = read_hr_table(fixture_bytes("hr_joiners.csv"))
    assert table.delimiter == ","
    assert table.headers[:4] == ["Employee ID", "First Name", "Last Name", "Work Email"]
    assert [row.line for row in table.rows] == [2, 3, 4]
    assert table.column(table.rows[0], "Work Email") == "Ada.Lovelace@example.com"
    # The top of the chain has an empty manager cell.
    assert table.column(table.rows[2], "Manager ID") == ""


def test_reads_semicolons_a_byte_order_mark_crlf_and_quoted_cells():
    table = read_hr_table(fixture_bytes("hr_semicolon_bom.csv"))
    assert table.delimiter == ";"
    assert table.headers[0] == "Personnel Number"  # no BOM glued to the first header
    # The blank line is skipped, the next row keeps its own line number.
    assert [row.line for row in table.rows] == [2, 4, 5]
    assert table.column(table.rows[2], "Name") == "Lovelace; Ada"


def test_reads_text_as_well_as_bytes_and_tabs():
    table = read_hr_table("\ufeffEmployee ID\tEmail\nE1\ta@example.com\n")
    assert table.delimiter == "\t"
    assert table.headers == ["Employee ID", "Email"]
    assert table.rows[0].cells == ("E1", "a@example.com")


def test_sniffs_the_separator_from_the_header_line():
    assert sniff_delimiter("a;b;c") == ";"
    assert sniff_delimiter("a,b,c") == ","
    assert sniff_delimiter('"Name, full";Email;ID') == ";"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\n\n ,, \n", "empty"),
        ("Employee ID,Email\n".encode("utf-16"), "not UTF-8"),
        ("Nom,Prénom\n".encode("latin-1"), "not UTF-8"),
        (b"Employee ID\nE1\n", "only one column"),
        (b"Email,Employee ID,email\n", "twice"),
    ],
)
def test_refuses_files_that_cannot_be_read_as_a_whole(content, message):
    with pytest.raises(HrFileError) as refused:
        read_hr_table(content)
    assert message in " ".join(refused.value.messages)


def test_short_rows_get_empty_cells_and_long_rows_a_problem():
    table = read_hr_table("Employee ID,Email,Title\nE1,a@example.com\nE2,b@example.com,T,extra\n")
    assert table.column(table.rows[0], "Title") == ""
    assert table.rows[0].problem == ""
    assert "more cells than the header" in table.rows[1].problem


# --- mapping -------------------------------------------------------------------------------


def test_suggests_the_mapping_from_common_header_names():
    mapping = suggest_mapping(read_hr_table(fixture_bytes("hr_joiners.csv")))
    assert mapping.columns == {
        "employee_number": "Employee ID",
        "email": "Work Email",
        "first_name": "First Name",
        "last_name": "Last Name",
        "job_title": "Job Title",
        "org_unit": "Department",
        "manager_employee_number": "Manager ID",
        "hired_on": "Hire Date",
        "time_zone": "Time Zone",
        "country": "Country",
        "location": "Location",
    }
    assert mapping.full_snapshot is False
    assert mapping.date_order == "dmy"


def test_suggestion_ignores_case_spaces_and_punctuation_and_reads_manager_emails():
    table = read_hr_table(
        "EMPLOYEE_NUMBER;e-mail;Full name;HireDate;Manager;Employment Status;Termination Date\n"
        "E1;a@example.com;A;2026-01-01;boss@example.com;active;\n"
    )
    mapping = suggest_mapping(table)
    assert mapping.columns == {
        "employee_number": "EMPLOYEE_NUMBER",
        "email": "e-mail",
        "display_name": "Full name",
        "hired_on": "HireDate",
        "manager_email": "Manager",
        "status": "Employment Status",
        "left_on": "Termination Date",
    }


def test_suggests_month_first_when_the_dates_say_so():
    mapping = suggest_mapping(read_hr_table(fixture_bytes("hr_us_dates.csv")))
    assert mapping.columns["hired_on"] == "Hire Date"
    assert mapping.columns["left_on"] == "Termination Date"
    assert mapping.date_order == "mdy"
    assert slashed_date_order(["05/01/2026", "25/03/2026"]) == "dmy"
    assert slashed_date_order(["05/01/2026"]) == "dmy"  # ambiguous: day first


def test_mapping_problems_name_missing_required_columns_and_absent_columns():
    headers = ["Employee ID", "Name"]
    problems = mapping_problems(
        ColumnMapping(columns={"employee_number": "Employee ID", "job_title": "Title"}), headers
    )
    assert any("no column for: Work email" in problem for problem in problems)
    assert any("“Title”" in problem for problem in problems)
    problems = mapping_problems(ColumnMapping(columns={"salary": "Name"}), headers)
    assert any("Unknown fields in the column mapping: salary" in problem for problem in problems)


def test_mapping_reads_its_stored_and_its_flat_forms():
    stored = ColumnMapping(
        columns={"email": "Mail", "employee_number": "ID"}, full_snapshot=True, date_order="mdy"
    ).to_json()
    assert ColumnMapping.from_json(stored) == ColumnMapping(
        columns={"email": "Mail", "employee_number": "ID"}, full_snapshot=True, date_order="mdy"
    )
    flat = ColumnMapping.from_json({"email": "Mail", "employee_number": "ID", "job_title": ""})
    assert flat.columns == {"email": "Mail", "employee_number": "ID"}
    assert flat.full_snapshot is False


# --- values --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2026-03-25", "dmy", date(2026, 3, 25)),
        ("2026-03-25T00:00:00Z", "dmy", date(2026, 3, 25)),
        ("2026-03-25 09:30:00", "dmy", date(2026, 3, 25)),
        ("2026/03/25", "dmy", date(2026, 3, 25)),
        ("25.03.2026", "dmy", date(2026, 3, 25)),
        ("25.03.2026", "mdy", date(2026, 3, 25)),  # dots are always day first
        ("05/03/2026", "dmy", date(2026, 3, 5)),
        ("05/03/2026", "mdy", date(2026, 5, 3)),
        ("25-03-2026", "dmy", date(2026, 3, 25)),
        ("20260325", "dmy", date(2026, 3, 25)),
        ("25 Mar 2026", "dmy", date(2026, 3, 25)),
        ("25-Mar-2026", "dmy", date(2026, 3, 25)),
        ("March 25, 2026", "dmy", date(2026, 3, 25)),
    ],
)
def test_parses_the_accepted_date_formats(text, order, expected):
    assert parse_date(text, date_order=order) == expected


@pytest.mark.parametrize(
    ("text", "order", "message"),
    [
        ("2026-02-30", "dmy", "not a valid date"),
        ("25/03/2026", "mdy", "read month first"),
        ("03/25/26", "dmy", "two-digit year"),
        ("next monday", "dmy", "is not a date"),
        ("0001-01-01", "dmy", "not a plausible date"),
    ],
)
def test_bad_dates_say_why_and_which_formats_are_accepted(text, order, message):
    with pytest.raises(CellError) as refused:
        parse_date(text, date_order=order)
    assert message in str(refused.value)
    if message != "not a plausible date":
        assert "Accepted dates: 2026-03-25 (ISO)" in str(refused.value)


def test_time_zones_statuses():
    assert clean_time_zone("europe/berlin") == "Europe/Berlin"
    assert clean_time_zone("America/New York") == "America/New_York"
    with pytest.raises(CellError, match="not a known time zone"):
        clean_time_zone("Mars/Olympus_Mons")
    assert is_leaver_status("Terminated") is True
    assert is_leaver_status("ACTIVE") is False
    with pytest.raises(CellError, match="not a status"):
        is_leaver_status("sabbatical")


def test_an_impossible_date_names_the_day_month_order_only_where_the_order_decided():
    with pytest.raises(CellError) as iso:
        parse_date("2026-02-30", date_order="dmy")
    assert "read day first" not in str(iso.value)
    assert str(iso.value).startswith("“2026-02-30” is not a valid date.")

    with pytest.raises(CellError) as slashed:
        parse_date("02/30/2026", date_order="dmy")
    assert "is not a valid date (read day first)" in str(slashed.value)
