"""The HR feed screens: staff only; upload → mapping and preview → apply → report."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from practica.outreach.models import HrImport, HrImportStatus
from practica.outreach.services.hr_imports import preview_hr_import
from practica.people.models import User
from tests.factories.people import UserFactory
from tests.outreach.hr_files import EFFECTIVE_ON, fixture_bytes

pytestmark = pytest.mark.django_db


def upload(client, content, name="feed.csv", **data):
    return client.post(
        reverse("outreach:hr_import_upload"),
        {
            "file": SimpleUploadedFile(name, content, "text/csv"),
            "effective_on": "2026-03-01",
            **data,
        },
    )


def stored_import(content=None, actor=None):
    return preview_hr_import(
        file_name="feed.csv",
        content=content or fixture_bytes("hr_joiners.csv"),
        effective_on=EFFECTIVE_ON,
        actor=actor,
    )


def test_the_screens_are_for_staff_only(client, member):
    hr_import = stored_import()
    pages = [
        ("get", reverse("outreach:hr_imports")),
        ("get", reverse("outreach:hr_import", args=[hr_import.pk])),
        ("post", reverse("outreach:hr_import_upload")),
        ("post", reverse("outreach:hr_import_mapping", args=[hr_import.pk])),
        ("post", reverse("outreach:hr_import_apply", args=[hr_import.pk])),
    ]
    for method, url in pages:
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("people:login"))
    client.force_login(member)
    for method, url in pages:
        assert getattr(client, method)(url).status_code == 403, url
    hr_import.refresh_from_db()
    assert hr_import.status == HrImportStatus.PREVIEWED
    assert not User.objects.filter(employee_number="E100").exists()


def test_upload_preview_apply_report(client, staff, django_capture_on_commit_callbacks):
    client.force_login(staff)
    page = client.get(reverse("outreach:hr_imports"))
    assert page.status_code == 200
    assert "No import yet" in page.content.decode()
    response = upload(client, fixture_bytes("hr_joiners.csv"))
    hr_import = HrImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("outreach:hr_import", args=[hr_import.pk])
    assert hr_import.uploaded_by == staff
    preview = client.get(response["Location"])
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Preview of feed.csv" in html
    assert "Applying changes 3 people, all at once." in html
    assert "It also creates 2 org units: Research, Research / Vision." in html
    assert 'name="column_email"' in html
    assert '<option value="Work Email" selected>Work Email</option>' in html
    assert "Ada Lovelace" in html
    assert "Alan Turing (E101)" in html
    assert 'scope="col"' in html
    assert "disabled" not in html.split("Apply the import")[0].rsplit("<button", 1)[1]
    with django_capture_on_commit_callbacks(execute=True):  # the background apply, eager
        response = client.post(reverse("outreach:hr_import_apply", args=[hr_import.pk]))
    assert response.status_code == 302
    hr_import.refresh_from_db()
    assert hr_import.status == HrImportStatus.APPLIED
    assert User.objects.filter(employee_number__in=["E100", "E101", "E102"]).count() == 3
    report = client.get(response["Location"])
    html = report.content.decode()
    assert "What feed.csv changed" in html
    assert "Applied. Joiners: 3 · leavers: 0 · transfers: 0 · updates: 0 · returners: 0." in html
    assert "Org units created" in html
    ada = User.objects.get(employee_number="E102")
    assert reverse("people:profile", args=[ada.pk]) in html
    listing = client.get(reverse("outreach:hr_imports")).content.decode()
    assert "feed.csv" in listing
    assert "Applied" in listing


def test_a_refused_preview_highlights_the_rows_and_cannot_be_applied(
    client, staff, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    upload(client, fixture_bytes("hr_bad_rows.csv"), name="bad.csv")
    hr_import = HrImport.objects.get()
    html = client.get(reverse("outreach:hr_import", args=[hr_import.pk])).content.decode()
    assert "15 rows have errors" in html
    assert html.count('class="hr-row-refused"') == 15  # the refused tab is shown first
    assert "“not-an-email” is not an email address." in html
    assert "Apply the import</button>" in html
    assert 'disabled aria-describedby="apply-blocked"' in html
    every = client.get(reverse("outreach:hr_import", args=[hr_import.pk]), {"kind": "all"})
    assert every.content.decode().count("<tr") == 17  # header + 16 rows
    joiners = client.get(reverse("outreach:hr_import", args=[hr_import.pk]), {"kind": "joiner"})
    assert joiners.content.decode().count('class="hr-row-refused"') == 0
    # Forcing the button anyway: refused, nothing changed, the import is marked refused.
    with django_capture_on_commit_callbacks(execute=True):  # the background apply, eager
        response = client.post(reverse("outreach:hr_import_apply", args=[hr_import.pk]))
    html = client.get(response["Location"]).content.decode()
    assert "The file was not applied; nothing was changed." in html
    assert "bad.csv was refused" in html
    hr_import.refresh_from_db()
    assert hr_import.status == HrImportStatus.FAILED
    assert not User.objects.filter(employee_number="E213").exists()


def test_a_file_with_missing_columns_is_fixed_with_the_mapping_form(client, staff):
    client.force_login(staff)
    upload(client, fixture_bytes("hr_missing_columns.csv"))
    hr_import = HrImport.objects.get()
    url = reverse("outreach:hr_import", args=[hr_import.pk])
    html = client.get(url).content.decode()
    assert "The file has no column for: Work email." in html
    assert '<details class="card hr-mapping" open>' in html
    mapping_url = reverse("outreach:hr_import_mapping", args=[hr_import.pk])
    # The required column is still missing: the form says so.
    response = client.post(
        mapping_url,
        {
            "column_employee_number": "Employee ID",
            "effective_on": "2026-03-01",
            "date_order": "dmy",
        },
    )
    assert response.status_code == 400
    assert "Choose the column for “Work email”." in response.content.decode()
    response = client.post(
        mapping_url,
        {
            "column_employee_number": "Employee ID",
            "column_email": "Name",
            "column_display_name": "Name",
            "effective_on": "2026-04-01",
            "date_order": "dmy",
            "full_snapshot": "on",
        },
    )
    assert response.status_code == 302
    hr_import.refresh_from_db()
    assert hr_import.column_mapping == {
        "columns": {"employee_number": "Employee ID", "email": "Name", "display_name": "Name"},
        "full_snapshot": True,
        "date_order": "dmy",
    }
    assert hr_import.effective_on.isoformat() == "2026-04-01"
    html = client.get(url).content.decode()
    assert "The preview follows the new column mapping." in html
    assert "“Grace Hopper” is not an email address." in html
    # A column that is not in the file cannot be chosen.
    response = client.post(
        mapping_url,
        {
            "column_employee_number": "Employee ID",
            "column_email": "Mail",
            "effective_on": "2026-03-01",
            "date_order": "dmy",
        },
    )
    assert response.status_code == 400


def test_upload_with_full_snapshot_marks_the_mapping(client, staff):
    client.force_login(staff)
    UserFactory(employee_number="E999", email="gone@example.com", display_name="Gone Person")
    upload(client, fixture_bytes("hr_joiners.csv"), full_snapshot="on")
    hr_import = HrImport.objects.get()
    assert hr_import.column_mapping["full_snapshot"] is True
    html = client.get(reverse("outreach:hr_import", args=[hr_import.pk]), {"kind": "leaver"})
    assert "Gone Person" in html.content.decode()
    assert "Not in the file, which lists everyone" in html.content.decode()


def test_upload_refusals_are_explained(client, staff, monkeypatch):
    client.force_login(staff)
    response = upload(client, "Employee ID,Email\nE1,josé@example.com\n".encode("latin-1"))
    assert response.status_code == 400
    assert "The file is not UTF-8 text." in response.content.decode()
    monkeypatch.setattr("practica.outreach.forms.hr_feed.MAX_UPLOAD_BYTES", 100)
    response = upload(client, b"Employee ID,Email\n" + b"E1,a@example.com\n" * 20)
    assert response.status_code == 400
    assert "The file is too large (0.0 MB); at most 0 MB." in response.content.decode()
    response = client.post(reverse("outreach:hr_import_upload"), {"effective_on": "2026-03-01"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not HrImport.objects.exists()


def test_an_applied_import_cannot_be_remapped_or_applied_again(
    client, staff, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    hr_import = stored_import(actor=staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("outreach:hr_import_apply", args=[hr_import.pk]))
    hr_import.refresh_from_db()
    assert hr_import.status == HrImportStatus.APPLIED
    response = client.post(reverse("outreach:hr_import_apply", args=[hr_import.pk]), follow=True)
    assert "This import was already applied." in response.content.decode()
    response = client.post(
        reverse("outreach:hr_import_mapping", args=[hr_import.pk]),
        {"column_employee_number": "Employee ID", "column_email": "Work Email"},
        follow=True,
    )
    assert "This import is finished" in response.content.decode()


def test_a_missing_import_is_a_404(client, staff):
    client.force_login(staff)
    assert client.get(reverse("outreach:hr_import", args=[999])).status_code == 404


def test_the_web_applies_a_file_of_any_size_in_the_background(client, staff):
    # There is no web limit any more (it was 1,000 changed people): the preview offers the
    # apply and says it runs in the background; tests/outreach/test_hr_background.py runs it.
    client.force_login(staff)
    hr_import = stored_import(actor=staff)  # three joiners
    html = client.get(reverse("outreach:hr_import", args=[hr_import.pk])).content.decode()
    assert "the web applies at most" not in html
    assert "It runs in the background; this page shows its progress." in html
    assert "disabled" not in html.split("Apply the import")[0].rsplit("<button", 1)[1]
