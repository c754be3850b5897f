"""HR feed imports: preview a file, change its column mapping, apply it all or nothing.

`preview_hr_import` reads the file, suggests a column mapping when none is given, plans what
each row would do (`practica.outreach.hr_feed.planning`) and stores the import with status
*previewed* and the plan in `report`. `remap_hr_import` plans it again with another mapping
or effective date. `apply_hr_import` plans it again against the database as it is now (which
may have moved since the preview) and, only when no row is refused, applies every row in one
transaction through the lifecycle services (source "hr_feed"): joiners, returners,
transfers, updates, then leavers. A refused import keeps nothing of the file: it is marked
*refused* with its row messages, and `HrImportRefused` is raised. Importing the same file
again finds every row unchanged.

The web applies in the background (`start_hr_import_apply` → the Celery task
`apply_hr_import_task` → `run_hr_import_apply` → `apply_hr_import`), any size of file: the
import is marked as being applied (`report["progress"]`, see
`practica.outreach.hr_feed.progress`), the task is enqueued on commit, and the import's page
polls its progress until it is applied or refused. `practica import-hr` calls
`apply_hr_import` itself, with its progress bars. Either way the file is applied in ONE
transaction, all or nothing.

Permissions: staff (`can_manage_provisioning`); `actor=None` is the command line, which runs
with the server's rights (never so for the web: its apply needs a staff member, checked
again when the worker runs it). Locks: applying holds the import's row
(`select_for_update`), so a double click applies once; the second sees it applied and is
refused. Asking for a background apply of an import already queued or running is refused
(its marker is read first, then again under the row lock, taken without waiting).
"""

import logging
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from practica.core.services import record_audit
from practica.outreach.hr_feed.applying import RowNotApplied, apply_order, apply_plan
from practica.outreach.hr_feed.mapping import ColumnMapping, suggest_mapping
from practica.outreach.hr_feed.plan import CHANGING_KINDS, Plan, RowKind
from practica.outreach.hr_feed.planning import plan_hr_import
from practica.outreach.hr_feed.progress import (
    FAILED,
    IN_FLIGHT,
    RUNNING,
    CachedProgress,
    is_being_applied,
    marker_of,
    queued_marker,
)
from practica.outreach.hr_feed.reading import HrTable, decode_hr_file, read_hr_table
from practica.outreach.hr_feed.report import ImportProgress, row_messages, stored_plan
from practica.outreach.models import HrImport, HrImportStatus, PersonChange
from practica.outreach.permissions import can_manage_provisioning
from practica.people.models import User

logger = logging.getLogger(__name__)

MAX_FILE_NAME = 255
MESSAGES_IN_REFUSAL = 20


class HrImportRefused(ValidationError):  # noqa: N818 — a refusal, not a fault
    """Applying was refused (rows with errors, or the lifecycle refused one); nothing was
    kept. `.hr_import` is the import, now marked refused, with every message in its report."""

    def __init__(self, messages: list[str], *, hr_import: HrImport) -> None:
        super().__init__(messages, code="refused")
        self.hr_import = hr_import


def _being_applied() -> str:
    return _("This import is being applied; its page shows the progress.")


def _check_actor(actor: User | None) -> None:
    if actor is not None and not can_manage_provisioning(actor):
        raise PermissionDenied(_("Only staff members import the HR feed."))


def suggest_column_mapping(content: str | bytes) -> ColumnMapping:
    """The mapping `preview_hr_import` would use for this file when given none."""
    return suggest_mapping(read_hr_table(content))


def _planned(
    table: HrTable,
    mapping: ColumnMapping,
    effective_on: date,
    progress: ImportProgress | None,
) -> Plan:
    if progress is not None:
        progress.start("checking", len(table.rows))
    return plan_hr_import(
        table,
        mapping,
        effective_on=effective_on,
        progress=(lambda n: progress.advance("checking", n)) if progress is not None else None,
    )


def _mapping(table: HrTable, column_mapping: Mapping[str, Any] | None) -> ColumnMapping:
    if column_mapping is None:
        return suggest_mapping(table)
    return ColumnMapping.from_json(column_mapping)


def preview_hr_import(
    *,
    file_name: str,
    content: str | bytes,
    column_mapping: Mapping[str, Any] | None = None,
    effective_on: date,
    actor: User | None,
    progress: ImportProgress | None = None,
) -> HrImport:
    """Store the file as an import and its preview (the plan, in `report`). Without a
    mapping, the one suggested from the header is used. Raises ValidationError when the file
    cannot be read at all (not UTF-8, empty, no header); row problems are in the plan."""
    _check_actor(actor)
    text = decode_hr_file(content)
    table = read_hr_table(text)
    mapping = _mapping(table, column_mapping)
    plan = _planned(table, mapping, effective_on, progress)
    with transaction.atomic():
        return HrImport.objects.create(
            file_name=(file_name or "hr-feed.csv")[:MAX_FILE_NAME],
            content=text,
            column_mapping=mapping.to_json(),
            effective_on=effective_on,
            status=HrImportStatus.PREVIEWED,
            uploaded_by=actor,
            rows_total=len(table.rows),
            report=plan.to_json(),
        )


def remap_hr_import(
    *,
    hr_import: HrImport,
    column_mapping: Mapping[str, Any],
    effective_on: date,
    actor: User | None,
    progress: ImportProgress | None = None,
) -> HrImport:
    """Preview the import again with another mapping or effective date (only before it is
    applied or refused)."""
    _check_actor(actor)
    if hr_import.status != HrImportStatus.PREVIEWED:
        raise ValidationError(_("This import is finished; upload the file again to redo it."))
    if is_being_applied(hr_import):
        raise ValidationError(_being_applied(), code="running")
    table = read_hr_table(hr_import.content)
    mapping = ColumnMapping.from_json(column_mapping)
    plan = _planned(table, mapping, effective_on, progress)
    with transaction.atomic():
        locked = HrImport.objects.select_for_update().get(pk=hr_import.pk)
        if locked.status != HrImportStatus.PREVIEWED:
            raise ValidationError(_("This import is finished; upload the file again to redo it."))
        if is_being_applied(locked):
            raise ValidationError(_being_applied(), code="running")
        locked.column_mapping = mapping.to_json()
        locked.effective_on = effective_on
        locked.report = plan.to_json()
        locked.save(update_fields=["column_mapping", "effective_on", "report"])
    return locked


class _Refusal(Exception):  # noqa: N818
    def __init__(self, plan: Plan) -> None:
        super().__init__("refused")
        self.plan = plan


def apply_hr_import(
    *, hr_import: HrImport, actor: User | None, progress: ImportProgress | None = None
) -> HrImport:
    """Apply every row of the import in one transaction, or nothing: a refused row (found now
    or by the lifecycle while applying) marks the import refused and raises HrImportRefused.
    The report then holds the plan as applied, the counts, and the org units created."""
    _check_actor(actor)
    try:
        with transaction.atomic():
            locked = HrImport.objects.select_for_update().get(pk=hr_import.pk)
            _require_previewed(locked)
            table = read_hr_table(locked.content)
            plan = _planned(
                table, ColumnMapping.from_json(locked.column_mapping), locked.effective_on, progress
            )
            if plan.refused:
                raise _Refusal(plan)
            _apply(plan, locked, progress, actor)
    except _Refusal as refusal:
        refused = _mark_refused(hr_import, refusal.plan)
        raise HrImportRefused(_refusal_messages(refusal.plan), hr_import=refused) from None
    hr_import.refresh_from_db()
    return hr_import


def _require_previewed(hr_import: HrImport) -> None:
    if hr_import.status == HrImportStatus.APPLIED:
        raise ValidationError(_("This import was already applied."), code="applied")
    if hr_import.status != HrImportStatus.PREVIEWED:
        raise ValidationError(
            _("This import was refused; upload the corrected file again."), code="refused"
        )


def _apply(
    plan: Plan, hr_import: HrImport, progress: ImportProgress | None, actor: User | None
) -> None:
    if progress is not None:
        progress.start("applying", len(apply_order(plan)))
    try:
        created = apply_plan(
            plan,
            hr_import=hr_import,
            progress=(lambda n: progress.advance("applying", n)) if progress else None,
        )
    except RowNotApplied as refused:
        refused.row.refuse(refused.message, field_name=refused.field_name)
        refused.row.kind = RowKind.REFUSED
        for row in plan.rows:  # the accounts made before the refusal are rolled back
            if row.kind == RowKind.JOINER:
                row.person_id = None
        raise _Refusal(plan) from refused
    counts = plan.counts
    report = plan.to_json()
    report["applied"] = {
        "at": timezone.now().isoformat(),
        "counts": {kind: counts[kind] for kind in CHANGING_KINDS},
        "org_units_created": created,
        "person_changes": PersonChange.objects.filter(hr_import=hr_import).count(),
    }
    hr_import.status = HrImportStatus.APPLIED
    hr_import.applied_at = timezone.now()
    hr_import.report = report
    hr_import.save(update_fields=["status", "applied_at", "report"])
    record_audit(
        actor_id=actor.pk if actor is not None else None,
        action="outreach.hr_import_applied",
        target=hr_import,
        data={"file": hr_import.file_name, **report["applied"]["counts"]},
    )


def _mark_refused(hr_import: HrImport, plan: Plan) -> HrImport:
    report = plan.to_json()
    report["refused_at"] = timezone.now().isoformat()
    with transaction.atomic():
        HrImport.objects.filter(pk=hr_import.pk, status=HrImportStatus.PREVIEWED).update(
            status=HrImportStatus.FAILED, report=report
        )
    hr_import.refresh_from_db()
    return hr_import


def _refusal_messages(plan: Plan) -> list[str]:
    messages = row_messages(plan)
    shown = messages[:MESSAGES_IN_REFUSAL]
    if len(messages) > len(shown):
        shown.append(
            _("…and %(n)s more messages in the import's report.")
            % {"n": len(messages) - len(shown)}
        )
    return [_("The file was not applied; nothing was changed."), *shown]


def start_hr_import_apply(*, hr_import: HrImport, actor: User) -> HrImport:
    """The web's "Apply": mark the import as being applied and enqueue
    `apply_hr_import_task` on commit; returns the import (already applied or refused by now
    when Celery runs eagerly). Refused (ValidationError) when the import is applied,
    refused, or already queued or running — also when another request holds its row."""
    if actor is None or not can_manage_provisioning(actor):
        raise PermissionDenied(_("Only staff members import the HR feed."))
    _require_startable(hr_import)  # a plain read first: never wait behind a running apply
    try:
        with transaction.atomic():
            locked = HrImport.objects.select_for_update(nowait=True).get(pk=hr_import.pk)
            _require_startable(locked)
            marker = queued_marker(locked, stored_plan(locked), actor_id=actor.pk)
            locked.report = {**(locked.report or {}), "progress": marker}
            locked.save(update_fields=["report"])
            record_audit(
                actor_id=actor.pk,
                action="outreach.hr_import_apply_started",
                target=locked,
                data={"file": locked.file_name, "rows": locked.rows_total},
            )
            transaction.on_commit(lambda: _enqueue(locked.pk, actor.pk))
    except OperationalError:
        # PostgreSQL: the row is locked (nowait). SQLite: the write lock stayed taken for
        # `busy_timeout` — by an apply of this import, or of another one.
        hr_import.refresh_from_db()
        if is_being_applied(hr_import):
            raise ValidationError(_being_applied(), code="running") from None
        raise ValidationError(
            _("The import or the database is busy (another import may be applying); try again."),
            code="busy",
        ) from None
    locked.refresh_from_db()
    return locked


def _require_startable(hr_import: HrImport) -> None:
    _require_previewed(hr_import)
    if is_being_applied(hr_import):
        raise ValidationError(_being_applied(), code="running")


def _enqueue(hr_import_id: int, actor_id: int) -> None:
    from practica.outreach.tasks import apply_hr_import_task

    apply_hr_import_task.delay(hr_import_id, actor_id)


def run_hr_import_apply(*, hr_import: HrImport, actor: User | None) -> HrImport:
    """The task's body: apply an import the web queued, writing its progress as it goes.

    `actor` is the staff member who asked (None when their account is gone: refused, not the
    command line). Returns the import: applied, refused (its report has the row messages),
    or still previewed with a *failed* marker saying why nothing was applied. Does nothing
    when the import is not queued (already applied, refused, or taken by another worker)."""
    language = getattr(actor, "preferred_language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        marker = _claim(hr_import)
        if marker is None:
            hr_import.refresh_from_db()
            return hr_import
        progress = CachedProgress(hr_import, marker)
        try:
            if actor is None:
                raise PermissionDenied(_("Only staff members import the HR feed."))
            return apply_hr_import(hr_import=hr_import, actor=actor, progress=progress)
        except HrImportRefused as refused:
            return refused.hr_import
        except PermissionDenied as denied:
            return _fail(hr_import, marker, " ".join(str(arg) for arg in denied.args))
        except ValidationError as refused:  # applied or refused meanwhile: nothing to add
            logger.info("HR import %s not applied: %s", hr_import.pk, refused.messages)
            hr_import.refresh_from_db()
            return hr_import
        except Exception:
            logger.exception("Applying HR import %s failed", hr_import.pk)
            message = _(
                "Applying stopped unexpectedly; nothing was changed. Apply again; if it fails "
                "again, tell the administrators (import %(id)s)."
            ) % {"id": hr_import.pk}
            return _fail(hr_import, marker, message)
        finally:
            progress.clear()


def _claim(hr_import: HrImport) -> dict[str, Any] | None:
    """Mark the queued import running, in a short transaction of its own. A running one is
    taken again too (a worker stopped mid-way and the message came back): the row lock of
    the apply keeps it from applying twice."""
    with transaction.atomic():
        locked = HrImport.objects.select_for_update().get(pk=hr_import.pk)
        marker = marker_of(locked)
        if locked.status != HrImportStatus.PREVIEWED or marker.get("state") not in IN_FLIGHT:
            return None
        now = timezone.now().isoformat()
        marker.update(state=RUNNING, started_at=now, updated_at=now)
        locked.report = {**locked.report, "progress": marker}
        locked.save(update_fields=["report"])
    hr_import.report = locked.report
    return marker


def _fail(hr_import: HrImport, marker: dict[str, Any], message: str) -> HrImport:
    """Nothing was applied: the import stays a preview, its marker says why."""
    with transaction.atomic():
        locked = HrImport.objects.select_for_update().get(pk=hr_import.pk)
        current = marker_of(locked)
        if locked.status == HrImportStatus.PREVIEWED and current.get("token") == marker["token"]:
            current.update(state=FAILED, error=message, updated_at=timezone.now().isoformat())
            locked.report = {**locked.report, "progress": current}
            locked.save(update_fields=["report"])
    hr_import.refresh_from_db()
    return hr_import
