"""The web applies HR imports in the background: "Apply" queues the Celery task on commit
(eager in tests), the import's page polls the progress, then shows the report."""

from datetime import date, timedelta

import pytest
from django.core.cache.backends.filebased import FileBasedCache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from practica.core.models import AuditLogEntry
from practica.outreach import tasks
from practica.outreach.hr_feed import progress as progress_module
from practica.outreach.hr_feed.progress import CachedProgress, is_being_applied, progress_cache
from practica.outreach.hr_feed.report import stored_plan
from practica.outreach.models import HrImport, HrImportStatus, PersonChange
from practica.outreach.services.hr_imports import (
    apply_hr_import,
    preview_hr_import,
    remap_hr_import,
    start_hr_import_apply,
)
from practica.people.models import User
from tests.factories.people import UserFactory
from tests.outreach.hr_files import EFFECTIVE_ON, fixture_bytes

pytestmark = pytest.mark.django_db

JOINERS = ["E100", "E101", "E102"]
ODD_FILE = (  # row 3 is refused by the lifecycle while applying, after row 2 was written
    b"Employee ID,Email,Name,Hire Date\n"
    b"E1,first@example.com,First,2026-01-05\n"
    b"E9,odd@example.com,Odd,2026-01-05\n"
)


@pytest.fixture(autouse=True)
def progress_files(settings, tmp_path):
    """The tests' default cache is per process: the counts go to files, here in tmp."""
    settings.DATA_DIR = tmp_path


def stored_import(content=None, actor=None, name="feed.csv"):
    return preview_hr_import(
        file_name=name,
        content=content or fixture_bytes("hr_joiners.csv"),
        effective_on=EFFECTIVE_ON,
        actor=actor,
    )


def urls(hr_import):
    return {
        "page": reverse("outreach:hr_import", args=[hr_import.pk]),
        "apply": reverse("outreach:hr_import_apply", args=[hr_import.pk]),
        "progress": reverse("outreach:hr_import_progress", args=[hr_import.pk]),
        "mapping": reverse("outreach:hr_import_mapping", args=[hr_import.pk]),
    }


def test_apply_queues_the_task_on_commit_and_the_task_applies(
    client, staff, django_capture_on_commit_callbacks, monkeypatch
):
    client.force_login(staff)
    hr_import = stored_import(actor=staff)
    url = urls(hr_import)
    queued = []
    delay = tasks.apply_hr_import_task.delay
    monkeypatch.setattr(
        tasks.apply_hr_import_task, "delay", lambda *args: queued.append(args) or delay(*args)
    )
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url["apply"])
    assert response.status_code == 302
    assert response["Location"] == url["page"]
    assert len(callbacks) == 1
    assert queued == []  # enqueued only once committed
    hr_import.refresh_from_db()
    assert hr_import.status == HrImportStatus.PREVIEWED
    marker = hr_import.report["progress"]
    assert (marker["state"], marker["done"], marker["total"], marker["by"]) == (
        "queued",
        0,
        6,  # 3 rows checked again + 3 joiners written
        staff.pk,
    )
    assert stored_plan(hr_import) is not None  # the preview is still there
    assert not User.objects.filter(employee_number__in=JOINERS).exists()
    assert AuditLogEntry.objects.filter(action="outreach.hr_import_apply_started").count() == 1

    page = client.get(url["page"]).content.decode()
    assert "The import is being applied in the background; its progress is below." in page
    assert "Applying feed.csv" in page
    assert "Being applied" in page
    assert f'hx-get="{url["progress"]}" hx-trigger="every 2s" hx-swap="outerHTML"' in page
    assert "Waiting for a background worker" in page
    assert "0 / 6 rows" in page
    assert 'name="column_email"' not in page  # no mapping form while it is queued
    listing = client.get(reverse("outreach:hr_imports")).content.decode()
    assert "Being applied" in listing
    # The mapping cannot change under a queued apply.
    response = client.post(url["mapping"], {"column_employee_number": "Employee ID"})
    assert response.status_code == 302
    with pytest.raises(ValidationError, match="being applied"):
        remap_hr_import(
            hr_import=hr_import,
            column_mapping=hr_import.column_mapping,
            effective_on=EFFECTIVE_ON,
            actor=staff,
        )

    callbacks[0]()  # the commit: the task is sent, and runs at once (eager)
    assert queued == [(hr_import.pk, staff.pk)]
    hr_import.refresh_from_db()
    assert hr_import.status == HrImportStatus.APPLIED
    assert "progress" not in hr_import.report
    assert User.objects.filter(employee_number__in=JOINERS, is_active=True).count() == 3
    assert PersonChange.objects.filter(hr_import=hr_import).count() == 3
    report = client.get(url["page"]).content.decode()
    assert "What feed.csv changed" in report
    assert "Applied. Joiners: 3 · leavers: 0 · transfers: 0 · updates: 0 · returners: 0." in report
    assert "hx-trigger" not in report


def test_the_progress_answers_while_applying_and_after(
    client, staff, django_capture_on_commit_callbacks, monkeypatch
):
    client.force_login(staff)
    hr_import = stored_import(actor=staff)
    url = urls(hr_import)
    monkeypatch.setattr(progress_module, "WRITE_EVERY_SECONDS", 0)
    during = {}
    advance = CachedProgress.advance

    def advance_and_look(self, stage, n=1):
        advance(self, stage, n)
        if stage not in during:  # what the page sees after the first row of each stage
            polled = client.get(url["progress"], HTTP_HX_REQUEST="true")
            during[stage] = (polled, client.get(url["page"]))

    monkeypatch.setattr(CachedProgress, "advance", advance_and_look)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url["apply"])

    polled, page = during["checking"]
    html = polled.content.decode()
    assert polled.status_code == 200
    assert 'hx-trigger="every 2s"' in html
    assert "Checking every row again · 1 of 3" in html
    assert "1 / 6 rows" in html
    assert 'max="6" value="1"' in html
    assert "Waiting for a background worker" not in html
    assert "Applying feed.csv" in page.content.decode()
    polled, page = during["applying"]
    html = polled.content.decode()
    assert "Applying the changes · 1 of 3" in html
    assert "4 / 6 rows" in html
    assert "66%" in html
    assert "Being applied" in page.content.decode()

    hr_import.refresh_from_db()
    assert hr_import.status == HrImportStatus.APPLIED
    # After: htmx is sent to the report; a plain request gets a link to it.
    response = client.get(url["progress"], HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == url["page"]
    html = client.get(url["progress"]).content.decode()
    assert "Applying has ended." in html
    assert f'href="{url["page"]}"' in html
    assert "hx-trigger" not in html
    # The counts were removed from the cache once done.
    assert list(progress_cache()._list_cache_files()) == []


def test_a_refusal_found_while_applying_shows_the_row_messages(
    client, staff, django_capture_on_commit_callbacks
):
    UserFactory(employee_number="E9", email="odd@example.com", left_on=date(2020, 1, 1))
    client.force_login(staff)
    hr_import = stored_import(ODD_FILE, actor=staff, name="odd.csv")
    assert not stored_plan(hr_import).refused  # the preview found nothing wrong
    url = urls(hr_import)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url["apply"])
    hr_import.refresh_from_db()
    assert hr_import.status == HrImportStatus.FAILED
    assert "progress" not in hr_import.report
    assert not User.objects.filter(employee_number="E1").exists()  # row 2 rolled back
    assert not PersonChange.objects.exists()
    response = client.get(url["progress"], HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == url["page"]
    html = client.get(url["page"]).content.decode()
    assert "odd.csv was refused" in html
    assert "The file was not applied; nothing was changed." in html
    assert "leaving date cannot be before the hiring date" in html
    assert html.count('class="hr-row-refused"') == 1
    # A refused import is not applied again.
    response = client.post(url["apply"], follow=True)
    assert "This import was refused; upload the corrected file again." in (
        response.content.decode()
    )


def test_applying_twice_at_once_is_refused(client, staff, django_capture_on_commit_callbacks):
    client.force_login(staff)
    hr_import = stored_import(actor=staff)
    url = urls(hr_import)
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(url["apply"])
        second = client.post(url["apply"], follow=True)
    assert "This import is being applied; its page shows the progress." in (second.content.decode())
    assert len(callbacks) == 1
    hr_import.refresh_from_db()
    assert is_being_applied(hr_import)
    with pytest.raises(ValidationError) as refused:
        start_hr_import_apply(hr_import=hr_import, actor=staff)
    assert refused.value.code == "running"
    callbacks[0]()
    assert PersonChange.objects.filter(hr_import=hr_import).count() == 3
    response = client.post(url["apply"], follow=True)
    assert "This import was already applied." in response.content.decode()
    # The task's message delivered again (acks_late): the import applies once.
    assert tasks.apply_hr_import_task.delay(hr_import.pk, staff.pk).get() == "applied"
    assert PersonChange.objects.filter(hr_import=hr_import).count() == 3
    assert User.objects.filter(employee_number__in=JOINERS).count() == 3


def test_a_row_or_database_locked_by_another_apply_is_refused(staff, monkeypatch):
    """What select_for_update(nowait=True) raises on PostgreSQL when another request holds
    the row, or BEGIN IMMEDIATE on SQLite when an apply holds the write lock."""
    hr_import = stored_import(actor=staff)
    other = stored_import(actor=staff, name="other.csv")

    def locked(hr_import, plan, *, actor_id):
        raise OperationalError("could not obtain lock on row")

    monkeypatch.setattr("practica.outreach.services.hr_imports.queued_marker", locked)
    with pytest.raises(ValidationError) as refused:  # another import holds the database
        start_hr_import_apply(hr_import=hr_import, actor=staff)
    assert refused.value.code == "busy"
    assert "The import or the database is busy" in refused.value.messages[0]
    hr_import.refresh_from_db()
    assert "progress" not in hr_import.report

    # The other request had queued this very import (its marker is read after the refusal).
    answers = iter([False, False, True])  # before the lock, under it, after the refusal
    monkeypatch.setattr(
        "practica.outreach.services.hr_imports.is_being_applied", lambda hr_import: next(answers)
    )
    with pytest.raises(ValidationError) as refused:
        start_hr_import_apply(hr_import=other, actor=staff)
    assert refused.value.code == "running"
    assert refused.value.messages == ["This import is being applied; its page shows the progress."]


def test_the_background_apply_is_for_staff_only(
    client, member, staff, django_capture_on_commit_callbacks
):
    hr_import = stored_import(actor=staff)
    url = urls(hr_import)
    response = client.get(url["progress"])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:login"))
    client.force_login(member)
    with django_capture_on_commit_callbacks() as callbacks:
        assert client.post(url["apply"]).status_code == 403
        assert client.get(url["progress"]).status_code == 403
        assert client.get(url["progress"], HTTP_HX_REQUEST="true").status_code == 403
    assert callbacks == []
    for actor in (member, None):
        with pytest.raises(PermissionDenied):
            start_hr_import_apply(hr_import=hr_import, actor=actor)
    hr_import.refresh_from_db()
    assert "progress" not in hr_import.report
    client.force_login(staff)
    assert client.get(reverse("outreach:hr_import_progress", args=[999])).status_code == 404


def test_a_staff_member_who_lost_the_right_before_the_worker_ran_applies_nothing(
    client, staff, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    hr_import = stored_import(actor=staff)
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(urls(hr_import)["apply"])
    User.objects.filter(pk=staff.pk).update(is_staff=False)
    callbacks[0]()
    hr_import.refresh_from_db()
    assert hr_import.status == HrImportStatus.PREVIEWED
    assert hr_import.report["progress"]["state"] == "failed"
    assert hr_import.report["progress"]["error"] == "Only staff members import the HR feed."
    assert not User.objects.filter(employee_number__in=JOINERS).exists()


def test_an_unexpected_failure_keeps_nothing_and_can_be_applied_again(
    client, staff, django_capture_on_commit_callbacks, monkeypatch
):
    from practica.outreach.services import hr_imports

    client.force_login(staff)
    hr_import = stored_import(actor=staff)
    url = urls(hr_import)
    apply_plan = hr_imports.apply_plan

    def write_then_break(*args, **kwargs):
        apply_plan(*args, **kwargs)  # every joiner written …
        raise RuntimeError("the worker's disk is full")  # … then it breaks

    monkeypatch.setattr(hr_imports, "apply_plan", write_then_break)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url["apply"])
    assert not User.objects.filter(employee_number__in=JOINERS).exists()  # rolled back
    hr_import.refresh_from_db()
    assert hr_import.status == HrImportStatus.PREVIEWED
    assert hr_import.report["progress"]["state"] == "failed"
    html = client.get(url["page"]).content.decode()
    assert (
        "Applying stopped unexpectedly; nothing was changed. Apply again; if it fails again, "
        f"tell the administrators (import {hr_import.pk})."
    ) in html
    assert "Preview of feed.csv" in html
    assert "disabled" not in html.split("Apply the import")[0].rsplit("<button", 1)[1]
    response = client.get(url["progress"], HTTP_HX_REQUEST="true")
    assert response.status_code == 204  # not in flight: the poll stops

    monkeypatch.setattr(hr_imports, "apply_plan", apply_plan)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url["apply"])
    hr_import.refresh_from_db()
    assert hr_import.status == HrImportStatus.APPLIED
    assert User.objects.filter(employee_number__in=JOINERS).count() == 3


def test_a_marker_nobody_refreshed_for_half_an_hour_is_abandoned(
    client, staff, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    hr_import = stored_import(actor=staff)
    with django_capture_on_commit_callbacks():  # queued, but no worker ever takes it
        start_hr_import_apply(hr_import=hr_import, actor=staff)
    hr_import.refresh_from_db()
    assert is_being_applied(hr_import)
    report = hr_import.report
    long_ago = (timezone.now() - timedelta(minutes=31)).isoformat()
    report["progress"].update(state="running", updated_at=long_ago)
    HrImport.objects.filter(pk=hr_import.pk).update(report=report)
    hr_import.refresh_from_db()
    assert not is_being_applied(hr_import)
    html = client.get(urls(hr_import)["page"]).content.decode()
    assert "stopped reporting its progress" in html
    assert "Preview of feed.csv" in html
    with django_capture_on_commit_callbacks(execute=True):
        start_hr_import_apply(hr_import=hr_import, actor=staff)
    hr_import.refresh_from_db()
    assert hr_import.status == HrImportStatus.APPLIED
    assert User.objects.filter(employee_number__in=JOINERS).count() == 3


def test_the_count_goes_to_a_cache_every_process_sees(settings, tmp_path):
    # The default cache of the tests (like the site's) is per process: a file cache instead.
    fallback = progress_cache()
    assert isinstance(fallback, FileBasedCache)
    assert fallback._dir == str(tmp_path / "cache" / "hr-import-progress")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "shared"),
        }
    }
    assert progress_cache()._dir == str(tmp_path / "shared")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cache_table",
        }
    }
    assert progress_cache()._dir == str(tmp_path / "cache" / "hr-import-progress")


def test_the_command_line_still_applies_in_the_call(staff, django_capture_on_commit_callbacks):
    hr_import = stored_import()
    with django_capture_on_commit_callbacks() as callbacks:
        applied = apply_hr_import(hr_import=hr_import, actor=None)
    assert applied.status == HrImportStatus.APPLIED
    assert callbacks == []  # nothing queued
    assert "progress" not in applied.report
