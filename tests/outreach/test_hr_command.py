"""`practica import-hr FILE`: the report, dry runs, --map, and exit status 1 on refusal."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from practica.outreach.models import HrImport, HrImportStatus, PersonChange
from practica.people.models import User
from tests.factories.people import UserFactory
from tests.outreach.hr_files import fixture_path

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def import_hr(*args):
    out = StringIO()
    call_command("import_hr", *args, stdout=out)
    return out.getvalue()


def test_imports_the_file_and_prints_the_report():
    output = import_hr(fixture_path("hr_joiners.csv"), "--effective-on", "2026-03-01")
    assert User.objects.filter(employee_number__in=["E100", "E101", "E102"]).count() == 3
    hr_import = HrImport.objects.get()
    assert hr_import.status == HrImportStatus.APPLIED
    assert hr_import.uploaded_by is None
    assert hr_import.effective_on.isoformat() == "2026-03-01"
    assert "Column mapping" in output
    assert "Work Email" in output
    assert "Checking rows" in output
    assert "Applying" in output
    assert "HR import — applied" in output
    assert "Ada Lovelace" in output
    assert "New org unit: Research / Vision" in output
    assert f"Applied as import #{hr_import.pk}, effective on 2026-03-01." in output
    # Again: nothing changes.
    output = import_hr(fixture_path("hr_joiners.csv"), "--effective-on", "2026-03-01")
    assert "Nothing to change" in output
    assert PersonChange.objects.count() == 3


def test_a_refused_file_prints_the_row_messages_and_exits_with_status_1():
    out = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_hr", fixture_path("hr_bad_rows.csv"), stdout=out)
    assert refused.value.returncode == 1
    assert "nothing was changed" in str(refused.value)
    output = out.getvalue()
    assert "Row 3, Work Email: “not-an-email” is not an email address." in output
    assert "Row 6, Manager ID: The manager with employee number E999" in output
    assert not User.objects.filter(employee_number="E213").exists()
    assert HrImport.objects.get().status == HrImportStatus.FAILED


def test_missing_columns_are_named_and_exit_with_status_1():
    out = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_hr", fixture_path("hr_missing_columns.csv"), stdout=out)
    assert refused.value.returncode == 1
    assert "The file has no column for: Work email." in out.getvalue()


def test_map_overrides_a_column_and_full_snapshot_removes_the_missing():
    gone = UserFactory(employee_number="E555", email="gone@example.com")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_hr",
            fixture_path("hr_missing_columns.csv"),
            "--map",
            "email=Name",
            "--dry-run",
            stdout=out,
        )
    # The column given for the email was read (and is no email address); nothing was kept.
    assert "Row 2, Name: “Grace Hopper” is not an email address." in out.getvalue()
    assert not HrImport.objects.exists()
    import_hr(
        fixture_path("hr_snapshot.csv"),
        "--map",
        "left_on=",
        "--full-snapshot",
        "--effective-on",
        "2026-03-01",
    )
    gone.refresh_from_db()
    assert not gone.is_active
    hr_import = HrImport.objects.get()
    assert hr_import.column_mapping["full_snapshot"] is True
    assert "left_on" not in hr_import.column_mapping["columns"]


def test_a_dry_run_shows_the_changes_and_keeps_nothing():
    output = import_hr(fixture_path("hr_joiners.csv"), "--dry-run")
    assert "HR import (dry run)" in output
    assert "Ada Lovelace" in output
    assert "Dry run: nothing was kept." in output
    assert not User.objects.filter(employee_number="E100").exists()
    assert not HrImport.objects.exists()


def test_a_dry_run_of_a_bad_file_exits_with_status_1():
    with pytest.raises(CommandError) as refused:
        import_hr(fixture_path("hr_bad_rows.csv"), "--dry-run")
    assert refused.value.returncode == 1
    assert not HrImport.objects.exists()


def test_month_first_dates_are_read_from_the_option():
    import_hr(
        fixture_path("hr_us_dates.csv"), "--date-order", "mdy", "--effective-on", "2026-04-01"
    )
    assert User.objects.get(employee_number="E301").hired_on.isoformat() == "2026-01-05"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.csv"], "No such file"),
        (["{fixture}", "--effective-on", "1.3.2026"], "--effective-on takes a date"),
        (["{fixture}", "--map", "salary=Pay"], "--map takes FIELD=COLUMN"),
        (["{fixture}", "--map", "email"], "--map takes FIELD=COLUMN"),
    ],
)
def test_bad_arguments_are_explained(args, message):
    args = [arg.replace("{fixture}", fixture_path("hr_joiners.csv")) for arg in args]
    with pytest.raises(CommandError, match=message):
        import_hr(*args)


def test_an_unreadable_file_is_explained(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("Employee ID,Email,Name\nE1,a@example.com,José\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        import_hr(str(path))
