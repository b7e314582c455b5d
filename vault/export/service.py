"""The parents' package: the rules for building, following, cancelling, sharing and handing it over.

Every function takes a session and the principal, decides access through the access seam (which logs
it), and flushes, never commits: the routes (vault/export/api.py) and the web pages
(vault/web/export.py) both call these."""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from sqlmodel import Session, col, select

from vault import audit
from vault.access import authorize
from vault.errors import Conflict, Malformed, NotFound, VaultError
from vault.export.messages import MESSAGES, left_out, message, recording_name
from vault.export.models import Export, ExportStatus
from vault.export.package import new_secret
from vault.export.schemas import ExportIn, HandoverHow
from vault.export.tasks import build, remove_package
from vault.families.models import Trajectory
from vault.ingest.models import Upload
from vault.recordings.models import Recording
from vault.settings import get_settings
from vault.worker import enqueue_after_commit

codes = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


class PackageDamaged(VaultError):
    status = 409
    code = "package_damaged"

    def __init__(self) -> None:
        super().__init__(*MESSAGES["package_damaged"])


def aware(moment: datetime | None) -> datetime:
    moment = moment or datetime.max.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def view(export: Export) -> dict[str, Any]:
    """An export as the trainer follows it (the fields of ExportPublic)."""
    said = message(export.error, export.error_detail)
    try:
        failed_recording = json.loads(export.error_detail or "{}").get("recording_id") or None
    except (ValueError, AttributeError):
        failed_recording = None
    return {
        "id": str(export.id),
        "trajectory_id": str(export.trajectory_id),
        "status": export.status,
        "progress": {"done": export.done, "total": export.total},
        "encrypted": export.encrypted,
        "size": export.size,
        "sha256": export.sha256,
        "error": export.error or None,
        "message": said[0] if said else None,
        "message_en": said[1] if said else None,
        "failed_recording_id": failed_recording,
        "recording_ids": json.loads(export.recording_ids) if export.recording_ids else None,
        "skip_failed": export.skip_failed,
        "left_out": [{"message": nl, "message_en": en} for nl, en in left_out(export.skipped)],
        "created_at": export.created_at,
        "ready_at": export.ready_at,
        "expires_at": export.expires_at,
        "link": {
            "expires_at": export.link_expires_at,
            "used": export.link_used_at is not None,
            "downloads": export.link_downloads,
            "downloads_allowed": get_settings().export_link_downloads,
        }
        if export.link_token_sha256 or export.link_used_at
        else None,
        "downloaded_at": export.downloaded_at,
        "download_failed_at": export.download_failed_at,
        "handed_over_at": export.handed_over_at,
        "handed_over_how": export.handed_over_how,
    }


def _trajectory(db: Session, trajectory_id: uuid.UUID) -> Trajectory:
    trajectory = db.get(Trajectory, trajectory_id)
    if trajectory is None:
        raise NotFound("Traject niet gevonden.", "Trajectory not found.")
    return trajectory


def get(db: Session, principal: audit.Principal, export_id: uuid.UUID) -> Export:
    """The export, if the trainer may export its trajectory now (decided and logged); else 404/403."""
    export = db.get(Export, export_id)
    if export is None:
        raise NotFound("Pakket niet gevonden.", "Export not found.")
    authorize(
        db,
        principal,
        "export",
        trajectory_id=export.trajectory_id,
        object_id=export.id,
        object_type="export_package",
    )
    return export


def create(
    db: Session, principal: audit.Principal, trajectory_id: uuid.UUID, body: ExportIn
) -> Export:
    """A new package for the trajectory, queued to be built once the unit of work commits."""
    authorize(db, principal, "export", trajectory_id=trajectory_id)
    trajectory = _trajectory(db, trajectory_id)
    ours = set(
        db.exec(
            select(Recording.id).where(
                Recording.trajectory_id == trajectory_id,
                col(Recording.original_object_id).is_not(None),
            )
        )
    )
    if body.encrypted:
        raise Malformed(
            "encrypted",
            "een versleuteld ZIP-bestand (met wachtwoord) wordt alleen nog voor een "
            "usb-stick gemaakt (beeldkluis export --zip); de download voor de ouders is beveiligd met de "
            "link en de code",
            "an encrypted ZIP (with a password) is made only for a USB stick "
            "(beeldkluis export --zip); the parents' download is protected by the link and the code",
        )
    chosen = set(body.recording_ids) if body.recording_ids is not None else ours
    if not chosen or not chosen <= ours:
        raise Conflict(
            "Kies opnames van dit traject die nog bewaard zijn.",
            "Choose recordings of this trajectory that are still stored.",
        )
    export = Export(
        trajectory_id=trajectory_id,
        family_id=trajectory.family_id,
        created_by=principal.user_id,  # type: ignore[arg-type]  # a trainer (checked above) always has a user id
        recording_ids=json.dumps(sorted(str(i) for i in chosen)) if body.recording_ids else None,
        encrypted=False,
        skip_failed=body.skip_failed,
        total=len(chosen),
    )
    db.add(export)
    db.flush()
    enqueue_after_commit(db, build, str(export.id))
    return export


def list_exports(db: Session, principal: audit.Principal, trajectory_id: uuid.UUID) -> list[Export]:
    authorize(db, principal, "export", trajectory_id=trajectory_id)
    rows = db.exec(
        select(Export)
        .where(Export.trajectory_id == trajectory_id)
        .order_by(col(Export.created_at).desc())
    )
    return list(rows)


def exportable(
    db: Session, principal: audit.Principal, trajectory_id: uuid.UUID
) -> list[dict[str, Any]]:
    """The trajectory's stored recordings, each named as the trainer knows it (the card's file name,
    else date and situation), to choose from."""
    authorize(db, principal, "export", trajectory_id=trajectory_id)
    rows = list(
        db.exec(
            select(Recording)
            .where(
                Recording.trajectory_id == trajectory_id,
                col(Recording.original_object_id).is_not(None),
            )
            .order_by(col(Recording.recorded_at))
        )
    )
    uploads = db.exec(select(Upload).where(col(Upload.recording_id).in_([r.id for r in rows])))
    on_card = {u.recording_id: json.loads(u.meta or "{}").get("filename") for u in uploads}
    return [
        {
            "id": str(r.id),
            "name": recording_name(r, on_card.get(r.id)),
            "recorded_at": r.recorded_at,
            "situation": r.situation,
            "duration_s": r.duration_s,
        }
        for r in rows
    ]


def cancel(db: Session, principal: audit.Principal, export_id: uuid.UUID) -> Export:
    """Cancel a package being built (the task sees it before its next recording and aborts), or
    remove a finished one."""
    export = get(db, principal, export_id)
    if export.status in (ExportStatus.queued, ExportStatus.building):
        export.status = ExportStatus.cancelled
    remove_package(
        db,
        export,
        "export_cancelled" if export.status == ExportStatus.cancelled else "export_removed",
        principal,
    )
    return export


@dataclass(frozen=True)
class NewLink:
    """The parents' link and code, shown once (only their hashes are kept)."""

    url: str
    code: str
    expires_at: datetime
    downloads_allowed: int


def create_link(
    db: Session, principal: audit.Principal, export_id: uuid.UUID, base_url: str
) -> NewLink:
    """A new link and code for the parents; it replaces an earlier one. `base_url` is used when the
    settings name no public address."""
    export = get(db, principal, export_id)
    if export.status != ExportStatus.ready or export.object_id is None:
        raise Conflict("Het pakket is nog niet klaar.", "The package is not ready yet.")
    settings = get_settings()
    token, code = secrets.token_urlsafe(32), new_secret(2)
    export.link_token_sha256 = hashlib.sha256(
        token.encode()
    ).hexdigest()  # a new link replaces the old one
    export.link_code_hash, export.link_failures, export.link_downloads = codes.hash(code), 0, 0
    export.link_used_at = export.downloaded_at = export.download_failed_at = None
    export.link_expires_at = min(
        datetime.now(UTC) + timedelta(days=settings.export_link_days), aware(export.expires_at)
    )
    db.add(export)
    audit.record(
        db,
        action="export",
        outcome="success",
        reason="download_link_created",
        actor=principal,
        family_id=export.family_id,
        object_id=export.id,
        object_type="export_package",
    )
    base = settings.public_url.rstrip("/") or base_url.rstrip("/")
    return NewLink(
        f"{base}/ophalen/{token}", code, export.link_expires_at, settings.export_link_downloads
    )


def handover(
    db: Session, principal: audit.Principal, export_id: uuid.UUID, how: HandoverHow
) -> tuple[Export, date]:
    """Record how a finished package reached the parents; the trajectory's hand-over date (returned)
    feeds retention."""
    export = get(db, principal, export_id)
    if (
        export.status not in (ExportStatus.ready, ExportStatus.removed)
        or export.done < export.total
    ):
        raise Conflict(
            "Alleen een afgerond pakket kan worden overgedragen.",
            "Only a finished package can be handed over.",
        )
    trajectory = _trajectory(db, export.trajectory_id)
    today = datetime.now(UTC).date()
    export.handed_over_at, export.handed_over_how = datetime.now(UTC), how
    latest = max(trajectory.export_handed_over_on or date.min, today)
    trajectory.export_handed_over_on = latest  # feeds retention
    db.add(export)
    db.add(trajectory)
    audit.record(
        db,
        action="export",
        outcome="success",
        reason="handed_over",
        actor=principal,
        family_id=export.family_id,
        object_id=export.id,
        object_type="export_package",
        detail={"how": how},
    )
    return export, today
