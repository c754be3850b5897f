"""The progress of an HR import applied in the background (the web's "Apply").

Where the progress lives, and why:

- **The state** — queued, running, or failed before anything was applied — is the marker
  `HrImport.report["progress"]` = {"state", "token", "by", "done", "total", "queued_at",
  "updated_at", ["started_at"], ["error"]}, written in short transactions of its own: when
  the web asks for the apply, when the worker takes it, and when it stops unexpectedly.
  Applying replaces the whole report (the plan as applied, or as refused), so the marker
  goes away by itself when the import is applied or refused. The model cannot change, so
  the report is where it lives; `token` tells one apply from a later one.
- **The rows done while applying** cannot go to the database. Applying is ONE transaction
  (all or nothing) that holds the import's row lock. Writes inside it are invisible to the
  page until it commits. A second database connection does not help on either database:
  on PostgreSQL it waits for the row lock its own process holds (a deadlock nobody
  detects), and SQLite has one writer at a time — the apply holds the write lock, so the
  second connection waits `busy_timeout` and fails. So the worker writes the count to a
  cache, outside any transaction, keyed by the import and its token (`progress_cache`):
  the default cache when other processes see it (Redis, Memcached, files), else a file
  cache under `DATA_DIR`. The default `LocMemCache` lives in one process (the worker is
  another); `DatabaseCache` would write inside the apply's transaction. `DATA_DIR` is
  already shared by the web and the worker for the default filesystem broker; a deployment
  on several hosts uses a shared default cache. Without any count the page still shows the
  state and stage, with the count from the marker.

A marker nothing has refreshed for `STALE_AFTER` (the worker was stopped) is abandoned: the
import can be applied again (the import's row lock still applies a file at most once).
"""

import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django.db.models.fields.json import KeyTransform
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.outreach.hr_feed.plan import CHANGING_KINDS, Plan
from practica.outreach.models import HrImport, HrImportStatus

QUEUED = "queued"
RUNNING = "running"
FAILED = "failed"
IN_FLIGHT = (QUEUED, RUNNING)
STALE_AFTER = timedelta(minutes=30)
WRITE_EVERY_SECONDS = 0.5  # the page polls every 2 s: fresher counts would not be seen
CACHE_TIMEOUT = 24 * 3600
# Cache backends the web cannot read the worker's count from (see the module docstring).
UNSHARED_CACHES = (LocMemCache, DummyCache, DatabaseCache)


def progress_cache() -> BaseCache:
    """The cache the worker writes its count to and the page reads it from."""
    default = caches["default"]
    if not isinstance(default, UNSHARED_CACHES):
        return default
    location = Path(settings.DATA_DIR) / "cache" / "hr-import-progress"
    return FileBasedCache(str(location), {"TIMEOUT": CACHE_TIMEOUT})


def _cache_key(hr_import_id: int, token: str) -> str:
    return f"practica:hr-import-progress:{hr_import_id}:{token}"


def queued_marker(hr_import: HrImport, plan: Plan | None, *, actor_id: int) -> dict[str, Any]:
    """The marker of a newly queued apply: every row is checked again, then the changes
    (as many as the preview found; the worker corrects it when it knows)."""
    now = timezone.now().isoformat()
    planned = sum(plan.counts[kind] for kind in CHANGING_KINDS) if plan is not None else 0
    return {
        "state": QUEUED,
        "token": uuid.uuid4().hex,
        "by": actor_id,
        "done": 0,
        "total": hr_import.rows_total + planned,
        "queued_at": now,
        "updated_at": now,
    }


def marker_of(hr_import: HrImport) -> dict[str, Any]:
    """The import's progress marker ({} when none), from `polled_import` too."""
    if "report" in hr_import.get_deferred_fields():
        return dict(getattr(hr_import, "progress_marker", None) or {})
    return dict((hr_import.report or {}).get("progress") or {})


def polled_import(pk: int) -> HrImport | None:
    """The import for its polled progress: without its file and report (megabytes for a
    big file, every 2 s), with the marker alone as `progress_marker`."""
    return (
        HrImport.objects.defer("content", "report")
        .annotate(progress_marker=KeyTransform("progress", "report"))
        .filter(pk=pk)
        .first()
    )


class CachedProgress:
    """The worker's `ImportProgress`: the rows checked and the changes applied, written to
    the progress cache at most every WRITE_EVERY_SECONDS (and at each stage's start)."""

    def __init__(self, hr_import: HrImport, marker: dict[str, Any]) -> None:
        self.cache = progress_cache()
        self.key = _cache_key(hr_import.pk, marker["token"])
        rows = hr_import.rows_total
        self.stages: dict[str, list[int]] = {
            "checking": [0, rows],
            "applying": [0, max(0, int(marker.get("total") or 0) - rows)],
        }
        self.stage = "checking"
        self.written_at = 0.0

    def start(self, stage: str, total: int) -> None:
        self.stages[stage] = [0, total]
        self.stage = stage
        self._write(force=True)

    def advance(self, stage: str, n: int = 1) -> None:
        self.stages.setdefault(stage, [0, 0])[0] += n
        self._write()

    def _write(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.written_at < WRITE_EVERY_SECONDS:
            return
        self.written_at = now
        done, total = self.stages[self.stage]
        self.cache.set(
            self.key,
            {
                "stage": self.stage,
                "stage_done": done,
                "stage_total": total,
                "done": sum(stage[0] for stage in self.stages.values()),
                "total": sum(stage[1] for stage in self.stages.values()),
                "at": time.time(),
            },
            CACHE_TIMEOUT,
        )

    def clear(self) -> None:
        self.cache.delete(self.key)


@dataclass(frozen=True)
class ApplyProgress:
    """What the page shows of a background apply."""

    state: str
    stage: str  # "waiting" | "checking" | "applying"
    done: int
    total: int
    stage_done: int
    stage_total: int
    stale: bool
    error: str

    @property
    def in_flight(self) -> bool:
        """Queued or running, and still reporting: the page keeps polling."""
        return self.state in IN_FLIGHT and not self.stale

    @property
    def percent(self) -> int:
        if not self.total:
            return 0
        return max(0, min(100, self.done * 100 // self.total))

    @property
    def stage_label(self) -> str:
        if self.stage == "checking":
            return _("Checking every row again")
        if self.stage == "applying":
            return _("Applying the changes")
        return _("Waiting for a background worker")


def _seconds_since(moment: str | None) -> float:
    if not moment:
        return float("inf")
    try:
        return (timezone.now() - datetime.fromisoformat(moment)).total_seconds()
    except ValueError:
        return float("inf")


def apply_progress(hr_import: HrImport) -> ApplyProgress | None:
    """The import's background apply as the page shows it; None when none was asked for,
    or once it is applied or refused (the report is then the page)."""
    marker = marker_of(hr_import)
    if not marker or hr_import.status != HrImportStatus.PREVIEWED:
        return None
    state = marker.get("state", "")
    counts: dict[str, Any] = {}
    if state == RUNNING and marker.get("token"):
        counts = progress_cache().get(_cache_key(hr_import.pk, marker["token"])) or {}
    quiet = _seconds_since(marker.get("updated_at"))
    if "at" in counts:
        quiet = min(quiet, time.time() - float(counts["at"]))
    done = int(counts.get("done", marker.get("done") or 0))
    total = int(counts.get("total", marker.get("total") or 0))
    return ApplyProgress(
        state=state,
        stage=counts.get("stage", "checking" if state == RUNNING else "waiting"),
        done=done,
        total=max(total, done),
        stage_done=int(counts.get("stage_done", 0)),
        stage_total=int(counts.get("stage_total", hr_import.rows_total)),
        stale=state in IN_FLIGHT and quiet > STALE_AFTER.total_seconds(),
        error=str(marker.get("error") or ""),
    )


def is_being_applied(hr_import: HrImport) -> bool:
    """A background apply is queued or running, and still reporting."""
    progress = apply_progress(hr_import)
    return progress is not None and progress.in_flight
