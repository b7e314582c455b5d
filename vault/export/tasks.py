"""The export task: the parents' package as a ZIP (AES-256 with the passphrase the trainer was shown)
streamed into the encrypted store, with progress and cancellation; and the sweep of expired packages."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from vault import audit
from vault.accounts import principal_of
from vault.db import unit_of_work
from vault.domain.models import User
from vault.errors import VaultError
from vault.export.models import Export, ExportStatus
from vault.export.package import Cancelled, ZipSink, prepare, write
from vault.media import scratch_dir
from vault.settings import get_settings
from vault.store import ObjectKind, open_store
from vault.worker import celery_app


def _status(export_id: uuid.UUID) -> str:
    with unit_of_work() as db:
        export = db.get(Export, export_id)
        return export.status if export else ExportStatus.cancelled


def _progress(export_id: uuid.UUID, done: int, total: int) -> None:
    with unit_of_work() as db:
        export = db.get(Export, export_id)
        if export is not None:
            export.done, export.total = done, total
            db.add(export)


def _fail(export_id: uuid.UUID, reason: str) -> None:
    with unit_of_work() as db:
        export = db.get(Export, export_id)
        if export is not None and export.status == ExportStatus.building:
            export.status, export.error = ExportStatus.failed, reason[:500]
            db.add(export)
            audit.record(db, action="export", outcome="failure", reason="build_failed", family_id=export.family_id,
                         object_id=export.id, object_type="export_package")  # fmt: skip


def build_export(export_id: uuid.UUID) -> str:
    """Idempotent: only a queued export is built. The long work runs outside any transaction."""
    settings = get_settings()
    with unit_of_work() as db:
        export = db.get(Export, export_id)
        if export is None or export.status != ExportStatus.queued:
            return export.status if export else "missing"
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
        export.status = ExportStatus.building
        db.add(export)
    failure: Exception | None = None
    try:
        # Consent and role are decided again, now, for the trainer who asked.
        with unit_of_work() as db:
            package = prepare(db, settings, principal, export.trajectory_id, ids)
    except Exception as exc:
        failure = exc
    else:
        _progress(export_id, 0, len(package.items))
        with unit_of_work() as db:
            store = open_store(db, settings)
            try:
                with store.writer(family_id=package.family_id, kind=ObjectKind.export) as out:
                    db.commit()  # the object key is stored; no transaction stays open while ffmpeg works
                    result = write(package, ZipSink(out, package.folder_name, passphrase, scratch_dir()), settings,  # type: ignore[arg-type]
                                   progress=lambda d, t: _progress(export_id, d, t),
                                   cancelled=lambda: _status(export_id) != ExportStatus.building)  # fmt: skip
            except Exception as exc:
                failure = (
                    exc  # the writer aborted and shredded its key; this unit of work commits that
                )
    if isinstance(failure, Cancelled):
        return ExportStatus.cancelled
    if failure is not None:
        _fail(
            export_id,
            failure.message_en if isinstance(failure, VaultError) else type(failure).__name__,
        )
        if not isinstance(failure, VaultError):
            raise failure
        return ExportStatus.failed
    with unit_of_work() as db:
        export = db.get(Export, export_id)
        store = open_store(db, settings)
        if export is None or export.status != ExportStatus.building:  # cancelled at the very end
            store.delete(out.object_id)
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
        export.passphrase_object_id, export.ready_at = None, now
        export.expires_at = now + timedelta(days=settings.export_keep_days)
        db.add(export)
        audit.record(db, action="export", outcome="success", actor=principal, family_id=export.family_id, object_id=export.id,
                     object_type="export_package", detail={"recordings": str(result["recordings"]), "remuxed": str(result["remuxed"]),
                                                           "encrypted": str(export.encrypted).lower()})  # fmt: skip
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
    audit.record(db, action="delete", outcome="success", reason=reason, actor=actor, family_id=export.family_id,
                 object_id=export.id, object_type="export_package")  # fmt: skip


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


@celery_app.task(name="vault.export.build", acks_late=True)
def build(export_id: str) -> str:
    return build_export(uuid.UUID(export_id))


@celery_app.task(name="vault.export.sweep", acks_late=True)
def sweep() -> int:
    return sweep_expired()
