"""The export task: the parents' package as a ZIP (AES-256 with the passphrase the trainer was shown)
streamed into the encrypted store, with progress and cancellation; and the sweep of expired packages.

Idempotent under redelivery: a task takes an export only when it is queued, or building under a lease
that ran out (the task building it died); while it works it renews the lease, and it stops when the
export stopped being its own (cancelled, or taken over). A task that finds a live lease tries again
when it would have run out, and the sweep (and every worker at start, after one lease) puts stale
builds back in the queue, or fails them with a reason after MAX_ATTEMPTS.
"""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from celery import Task
from celery.signals import worker_ready
from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, select

from vault import audit
from vault.accounts import principal_of
from vault.db import release, unit_of_work
from vault.domain.models import User
from vault.errors import ServiceUnavailable, VaultError
from vault.export.messages import detail
from vault.export.models import Export, ExportStatus
from vault.export.package import Cancelled, RecordingFailed, ZipSink, prepare, write
from vault.settings import get_settings
from vault.store import ObjectKind, open_store
from vault.worker import celery_app, enqueue_after_commit

MAX_ATTEMPTS = 3
BUSY = "busy"  # another task holds a live lease on it


def _mine(export_id: uuid.UUID, attempt: int) -> bool:
    """Is the export still being built by this attempt (not cancelled, not taken over)?"""
    with unit_of_work() as db:
        export = db.get(Export, export_id)
        return bool(export and export.status == ExportStatus.building and export.attempt == attempt)


def _progress(export_id: uuid.UUID, attempt: int, done: int, total: int) -> None:
    with unit_of_work() as db:
        db.execute(
            update(Export)
            .where(col(Export.id) == export_id, col(Export.attempt) == attempt)
            .values(done=done, total=total, heartbeat_at=datetime.now(UTC))
        )


def _fail(
    export_id: uuid.UUID, attempt: int | None, code: str, info: dict[str, str] | None = None
) -> None:
    with unit_of_work() as db:
        export = db.get(Export, export_id)
        if export is None or export.status != ExportStatus.building:
            return
        if attempt is not None and export.attempt != attempt:
            return
        export.status, export.error, export.partial_object_id = ExportStatus.failed, code, None
        export.error_detail = json.dumps(info or {}, ensure_ascii=False)
        db.add(export)
        audit.record(
            db,
            action="export",
            outcome="failure",
            reason=code,
            family_id=export.family_id,
            object_id=export.id,
            object_type="export_package",
            detail={"recording_id": (info or {}).get("recording_id", "")},
        )


def _claim(export_id: uuid.UUID, lease_s: int) -> tuple[int | None, str]:
    """Take the export for this task: (attempt, "") or (None, why not). Atomic, so two deliveries of
    the same task never both build it."""
    now = datetime.now(UTC)
    stale = now - timedelta(seconds=lease_s)
    with unit_of_work() as db:
        taken = db.execute(
            update(Export)
            .where(
                col(Export.id) == export_id,
                or_(
                    col(Export.status) == ExportStatus.queued,
                    and_(
                        col(Export.status) == ExportStatus.building,
                        or_(col(Export.heartbeat_at).is_(None), col(Export.heartbeat_at) < stale),
                    ),
                ),
            )
            .values(status=ExportStatus.building, heartbeat_at=now, attempt=col(Export.attempt) + 1)
        )
        export = db.get(Export, export_id)
        if export is None:
            return None, "missing"
        db.refresh(export)
        if taken.rowcount != 1:  # type: ignore[attr-defined]  # SQLAlchemy's Result has rowcount at run time; its stubs do not say so
            return None, BUSY if export.status == ExportStatus.building else export.status
        if export.attempt > 1:
            if (
                export.partial_object_id is not None
            ):  # what the dead attempt wrote can never be read
                open_store(db, get_settings()).shred_key(export.partial_object_id)
                export.partial_object_id = None
                db.add(export)
            audit.record(
                db,
                action="export",
                outcome="failure",
                reason="build_interrupted",
                family_id=export.family_id,
                object_id=export.id,
                object_type="export_package",
                detail={"attempt": str(export.attempt)},
            )
        return export.attempt, ""


class _Lease:
    """Renews the lease every quarter of it, in a thread, while the long work runs."""

    def __init__(self, export_id: uuid.UUID, attempt: int, lease_s: int) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(export_id, attempt, max(1.0, lease_s / 4)), daemon=True
        )

    def _run(self, export_id: uuid.UUID, attempt: int, every: float) -> None:
        while not self._stop.wait(every):
            try:
                with unit_of_work() as db:
                    db.execute(
                        update(Export)
                        .where(
                            col(Export.id) == export_id,
                            col(Export.attempt) == attempt,
                            col(Export.status) == ExportStatus.building,
                        )
                        .values(heartbeat_at=datetime.now(UTC))
                    )
            except Exception:  # noqa: BLE001, S112 - a missed beat is retried; a lost lease stops the work
                continue

    def __enter__(self) -> _Lease:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


def _reason(failure: BaseException) -> tuple[str, dict[str, str]]:
    """A stable code and what it concerns, for the export's error."""
    if isinstance(failure, RecordingFailed):
        return failure.code, failure.detail
    if isinstance(failure, ServiceUnavailable):
        return "store_unavailable", {}
    if isinstance(failure, VaultError):
        return failure.code, detail(None, failure.message_nl, failure.message_en)
    return "internal_error", {}


def build_export(export_id: uuid.UUID) -> str:
    """Idempotent: builds a queued export, or one whose building task died; the long work runs
    outside any transaction. Returns the status, or BUSY when another task holds a live lease."""
    settings = get_settings()
    attempt, why_not = _claim(export_id, settings.export_lease_s)
    if attempt is None:
        return why_not
    if attempt > MAX_ATTEMPTS:
        _fail(export_id, attempt, "build_interrupted")
        return ExportStatus.failed
    with unit_of_work() as db:
        export = db.get(Export, export_id)
        assert export is not None  # noqa: S101 - claimed just now
        user = db.get(User, export.created_by)
        if user is None or not user.active:
            export.status, export.error = ExportStatus.failed, "trainer_inactive"
            return export.status
        principal = principal_of(user, network="worker")
        ids = (
            [uuid.UUID(i) for i in json.loads(export.recording_ids)]
            if export.recording_ids
            else None
        )
        store = open_store(db, settings)
        passphrase = None
        if export.passphrase_object_id:
            passphrase = b"".join(store.iter_plaintext(export.passphrase_object_id)).decode()
        skip_failed = export.skip_failed
    failure: BaseException | None = None
    with _Lease(export_id, attempt, settings.export_lease_s):
        try:
            # Consent and role are decided again, now, for the trainer who asked.
            with unit_of_work() as db:
                package = prepare(db, settings, principal, export.trajectory_id, ids)
        except Exception as exc:
            failure = exc
        else:
            _progress(export_id, attempt, 0, len(package.items))
            with unit_of_work() as db:
                store = open_store(db, settings)
                try:
                    with store.writer(family_id=package.family_id, kind=ObjectKind.export) as out:
                        db.execute(
                            update(Export)
                            .where(col(Export.id) == export_id, col(Export.attempt) == attempt)
                            .values(partial_object_id=out.object_id)
                        )
                        release(
                            db
                        )  # the object key is stored; no transaction stays open while ffmpeg works
                        result = write(
                            package,
                            ZipSink(out, package.folder_name, passphrase),
                            settings,  # type: ignore[arg-type]  # SealedWriter offers the write/flush/close ZipSink uses, but is no BinaryIO subclass
                            progress=lambda d, t: _progress(export_id, attempt, d, t),
                            cancelled=lambda: not _mine(export_id, attempt),
                            skip_failed=skip_failed,
                        )
                except Exception as exc:
                    failure = exc  # the writer aborted and shredded its key; this unit of work commits that
    if isinstance(failure, Cancelled):
        return ExportStatus.cancelled
    if failure is not None:
        code, info = _reason(failure)
        _fail(export_id, attempt, code, info)
        if not isinstance(failure, VaultError):
            raise failure
        return ExportStatus.failed
    with unit_of_work() as db:
        export = db.get(Export, export_id)
        store = open_store(db, settings)
        if export is None or export.status != ExportStatus.building or export.attempt != attempt:
            store.delete(out.object_id)  # cancelled (or taken over) at the very end
            return ExportStatus.cancelled
        row = store.get(out.object_id)
        if export.passphrase_object_id:
            store.delete(export.passphrase_object_id)  # the trainer has it; Beeldkluis forgets it
        now = datetime.now(UTC)
        export.status, export.object_id, export.size, export.sha256 = (
            ExportStatus.ready,
            row.id,
            row.size,
            row.sha256,
        )
        export.skipped = json.dumps(result["left_out"], ensure_ascii=False)
        export.error, export.error_detail = "", ""
        export.passphrase_object_id, export.partial_object_id, export.ready_at = None, None, now
        export.expires_at = now + timedelta(days=settings.export_keep_days)
        db.add(export)
        audit.record(
            db,
            action="export",
            outcome="success",
            actor=principal,
            family_id=export.family_id,
            object_id=export.id,
            object_type="export_package",
            detail={
                "recordings": str(result["recordings"]),
                "remuxed": str(result["remuxed"]),
                "left_out": ",".join(i["recording_id"] for i in result["left_out"]),  # type: ignore[attr-defined]  # the package plan is a dict of JSON-like objects; these values are lists at run time
                "encrypted": str(export.encrypted).lower(),
            },
        )
    return ExportStatus.ready


def remove_package(
    db: Session, export: Export, reason: str, actor: audit.Principal | None = None
) -> None:
    """Delete the package object (all versions, key shredded) and say why in the log."""
    store = open_store(db, get_settings())
    for object_id in (export.object_id, export.passphrase_object_id):
        if object_id is not None:
            store.delete(object_id)
    export.object_id = export.passphrase_object_id = None
    export.link_token_sha256 = export.link_code_hash = None
    if export.status in (ExportStatus.ready, ExportStatus.failed):
        export.status = ExportStatus.removed
    db.add(export)
    audit.record(
        db,
        action="delete",
        outcome="success",
        reason=reason,
        actor=actor,
        family_id=export.family_id,
        object_id=export.id,
        object_type="export_package",
    )


def sweep_expired(now: datetime | None = None) -> int:
    """Remove packages past their keeping period. Returns how many."""
    now = now or datetime.now(UTC)
    with unit_of_work() as db:
        rows = db.exec(
            select(Export).where(col(Export.object_id).is_not(None), col(Export.expires_at) <= now)
        ).all()
        for export in rows:
            remove_package(db, export, "export_expired")
        return len(rows)


def rescue_stale(now: datetime | None = None) -> int:
    """Builds whose lease ran out (their worker died): back in the queue, or failed with a reason
    after MAX_ATTEMPTS. Returns how many."""
    now = now or datetime.now(UTC)
    stale = now - timedelta(seconds=get_settings().export_lease_s)
    with unit_of_work() as db:
        rows = db.exec(
            select(Export).where(
                col(Export.status) == ExportStatus.building,
                or_(col(Export.heartbeat_at).is_(None), col(Export.heartbeat_at) < stale),
            )
        ).all()
        for export in rows:
            if export.attempt >= MAX_ATTEMPTS:
                export.status, export.error = ExportStatus.failed, "build_interrupted"
                audit.record(
                    db,
                    action="export",
                    outcome="failure",
                    reason="build_interrupted",
                    family_id=export.family_id,
                    object_id=export.id,
                    object_type="export_package",
                )
            else:
                export.status = ExportStatus.queued
                db.add(export)
                db.flush()
                enqueue_after_commit(db, build, str(export.id))
            db.add(export)
        return len(rows)


@celery_app.task(name="vault.export.build", bind=True, acks_late=True, max_retries=None)
def build(self: Task, export_id: str) -> str:
    outcome = build_export(uuid.UUID(export_id))
    if outcome == BUSY:  # redelivered while the lease of the task that died still runs: wait it out
        raise self.retry(countdown=get_settings().export_lease_s + 1)
    return outcome


@celery_app.task(name="vault.export.sweep", acks_late=True)
def sweep() -> int:
    rescue_stale()
    return sweep_expired()


@celery_app.task(name="vault.export.rescue", acks_late=True)
def rescue() -> int:
    return rescue_stale()


@worker_ready.connect
def _rescue_after_one_lease(**_: Any) -> None:
    """A worker that starts may follow one that was killed mid-build: look once its lease ran out."""
    rescue.apply_async(countdown=get_settings().export_lease_s + 1)
