"""The admin's Import, as a service: a run is started (its upload kept in the private import
folder), checked by a task (a dry run: nothing written) and then imported by a task, each
step recording its progress and report on the ``ImportRun`` row.

A step may run more than once: a worker killed mid-step leaves the run "working" until the
task is queued again (``core.task_recovery``) or an editor runs a stalled step again. Every
execution takes the run's next ``attempt`` number and writes only while that number is still
the run's, so an older execution that wakes up stops at its next write. Imports are
idempotent (each item found again by its source key), so a step run twice writes each
article once.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.text import get_valid_filename

from gazette.news.models import SectionPage
from gazette.people.models import Author

from .models import ImportRun
from .run import STATUSES, ItemReport, import_sources
from .upsert import ImportOptions

__all__ = [
    "ITEMS_PER_WRITE",
    "SECONDS_PER_WRITE",
    "execute_step",
    "run_again",
    "start_check",
    "start_import",
    "upload_storage",
]

logger = logging.getLogger(__name__)

# Progress is written once per this many items, or sooner when this much time has passed.
ITEMS_PER_WRITE = 25
SECONDS_PER_WRITE = 1.0


class Superseded(Exception):
    """This execution is no longer the run's: a newer one took it over."""


def upload_storage() -> FileSystemStorage:
    # No base_url: nothing here has a public address.
    return FileSystemStorage(location=settings.GAZETTE_IMPORT_DIR, base_url=None)


def _keep_upload(upload: UploadedFile) -> str:
    today = timezone.now()
    safe = get_valid_filename(Path(upload.name or "upload").name)[-100:] or "upload"
    name = f"{today:%Y/%m}/{uuid.uuid4().hex}-{safe}"
    return upload_storage().save(name, upload)


def start_check(
    *,
    user,
    upload: UploadedFile | None = None,
    url: str = "",
    format: str = ImportRun.Format.AUTO,
    section: SectionPage | None = None,
    default_author: Author | None = None,
) -> ImportRun:
    """A new run from an upload or an address, its check queued."""
    if (upload is None) == (not url):
        raise ValueError("give a file or an address, one of the two")
    run = ImportRun.objects.create(
        created_by=user,
        source_name=upload.name if upload is not None else url,
        source_url=url,
        upload=_keep_upload(upload) if upload is not None else "",
        format=format,
        section=section,
        default_author=default_author,
        status=ImportRun.Status.CHECKING,
    )
    _enqueue(run)
    run.refresh_from_db()  # the immediate backend has already done the step
    return run


def start_import(run: ImportRun) -> bool:
    """Queue the import of a checked run; False when it is not (or no longer) checked."""
    claimed = ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.CHECKED).update(
        status=ImportRun.Status.IMPORTING,
        heartbeat_at=timezone.now(),
        progress_done=0,
        progress_total=0,
        items_done=0,
        message="",
    )
    if claimed:
        _enqueue(run)
    run.refresh_from_db()
    return bool(claimed)


def run_again(run: ImportRun) -> bool:
    """Queue a stalled step again, or an import that an error stopped (idempotent both)."""
    if run.is_stalled():
        status = run.status
    elif run.status == ImportRun.Status.FAILED:
        status = ImportRun.Status.IMPORTING if run.check_report else ImportRun.Status.CHECKING
    else:
        return False
    claimed = ImportRun.objects.filter(pk=run.pk, status=run.status, attempt=run.attempt).update(
        status=status, heartbeat_at=timezone.now(), message=""
    )
    if claimed:
        _enqueue(run)
    run.refresh_from_db()
    return bool(claimed)


def _enqueue(run: ImportRun) -> None:
    from .tasks import perform_import_step

    perform_import_step.enqueue(run.pk)


# --- the step, in the task ----------------------------------------------------------------------


def execute_step(run_id: int) -> str:
    """Check or import the run, as its status says; returns the status it ends in."""
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None or not run.is_working:
        return run.status if run else "gone"  # done already: a duplicate of the task
    attempt = run.attempt + 1
    now = timezone.now()
    claimed = ImportRun.objects.filter(pk=run.pk, attempt=run.attempt, status=run.status).update(
        attempt=attempt, started_at=now, heartbeat_at=now, progress_done=0, progress_total=0,
        items_done=0, finished_at=None,
    )  # fmt: skip
    if not claimed:
        return "superseded"
    dry_run = run.status == ImportRun.Status.CHECKING
    recorder = _Recorder(run.pk, attempt)
    try:
        import_sources(
            [run.source_url or str(upload_storage().path(run.upload))],
            format=run.format,
            options=ImportOptions(
                section=run.section, default_author=run.default_author or "", dry_run=dry_run
            ),
            on_item=recorder.on_item,
            progress_for=recorder.progress_for,
        )
    except Superseded:
        return "superseded"
    except Exception as exc:  # reported on the run page, never left "working"
        logger.exception("import run %s stopped", run.pk)
        reason = f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
        recorder.finish(status=ImportRun.Status.FAILED, message=reason)
        return ImportRun.Status.FAILED
    reports = [_shown(report, source=run.source_name) for report in recorder.reports]
    if dry_run:
        refusal = _refusal(reports)
        if refusal:
            recorder.finish(status=ImportRun.Status.REFUSED, message=refusal)
            if run.upload:  # nothing in it can be imported: not kept
                upload_storage().delete(run.upload)
            return ImportRun.Status.REFUSED
        # The live counts were the check's: the import starts its own.
        recorder.finish(status=ImportRun.Status.CHECKED, check_report=reports,
                        check_counts=recorder.counts, counts={})  # fmt: skip
        return ImportRun.Status.CHECKED
    recorder.finish(status=ImportRun.Status.FINISHED, report=reports)
    return ImportRun.Status.FINISHED


def _shown(report: ItemReport, *, source: str) -> dict:
    """An item as the run keeps it: the source is the editor's name for it, not the path in
    the private folder."""
    return {**report.as_json(), "source": source}


def _refusal(reports: list[dict]) -> str:
    """Why the source could not be read at all (not one item found in it), else ""."""
    if reports and all(
        report["status"] == "failed" and not report["source_key"] for report in reports
    ):
        return "; ".join(report["reason"] for report in reports)
    return ""


class _Recorder:
    """Counts and keeps each item's report; writes the progress now and then, not per item."""

    def __init__(self, run_id: int, attempt: int):
        self.run_id = run_id
        self.attempt = attempt
        self.reports: list[ItemReport] = []
        self.counts = dict.fromkeys(STATUSES, 0)
        self.done = self.total = 0
        self.unwritten = 0
        self.written_at = time.monotonic()

    def on_item(self, report: ItemReport) -> None:
        self.reports.append(report)
        self.counts[report.status] = self.counts.get(report.status, 0) + 1
        self.unwritten += 1
        self._maybe_write()

    @contextmanager
    def progress_for(self, name: str, unit: str) -> Iterator:
        def on_progress(done: int, total: int) -> None:
            self.done, self.total = done, total
            # A long stretch without items (a large export's first pass) still shows life.
            if time.monotonic() - self.written_at >= SECONDS_PER_WRITE:
                self.write()

        yield on_progress

    def _maybe_write(self) -> None:
        due = time.monotonic() - self.written_at >= SECONDS_PER_WRITE
        if self.unwritten >= ITEMS_PER_WRITE or due:
            self.write()

    def write(self, **fields) -> None:
        values = {
            "heartbeat_at": timezone.now(),
            "progress_done": self.done,
            "progress_total": self.total,
            "items_done": len(self.reports),
            "counts": self.counts,
            **fields,
        }
        updated = ImportRun.objects.filter(pk=self.run_id, attempt=self.attempt).update(**values)
        if not updated:
            raise Superseded
        self.unwritten = 0
        self.written_at = time.monotonic()

    def finish(self, *, status: str, **fields) -> None:
        self.done = self.total = max(self.total, 1)
        try:
            self.write(status=status, finished_at=timezone.now(), **fields)
        except Superseded:
            logger.info("import run %s: a newer execution took over", self.run_id)
