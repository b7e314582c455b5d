"""The master-key schedule that makes shredded keys unrecoverable from database backups.

A backup taken at time T holds family keys wrapped under the master version current at T. After a
rotation at R every live key is rewrapped under the new version, so the old version is needed only
to read backups taken before R. Once those backups have expired (R + backup retention), the old
version is trimmed: keys that were shredded before R can then not be unwrapped from any backup.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from vault import audit
from vault.keyring.models import MasterRotation
from vault.keyring.repository import keyring_from_settings
from vault.settings import Settings


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def run_schedule(db: Session, settings: Settings, now: datetime | None = None) -> dict[str, int]:
    """Rotate when the current version is older than the rotation period; trim what backups no longer need."""
    now = now or datetime.now(UTC)
    keyring = keyring_from_settings(db, settings)
    provider = keyring.provider
    current = provider.current_version()
    latest = db.exec(select(MasterRotation).order_by(col(MasterRotation.version).desc())).first()
    if latest is None or latest.version != current:
        latest = MasterRotation(version=current, rotated_at=now)
        db.add(latest)
        db.flush()
    done = {"rotated": 0, "rewrapped": 0, "trimmed_below": 0}
    if _aware(latest.rotated_at) + timedelta(days=settings.master_rotation_days) <= now:
        current = provider.rotate()
        done["rotated"] = current
        done["rewrapped"] = keyring.rotate_master()
        db.add(MasterRotation(version=current, rotated_at=now))
        audit.record(
            db,
            action="key_rotation",
            outcome="success",
            reason="master_rotated",
            detail={"version": str(current)},
        )
    else:
        keyring.rotate_master()  # a row written under an old version by a late writer is rewrapped too
    # Version v is needed only by backups older than the rotation to v+1.
    window = timedelta(days=settings.backup_retention_days)
    expired = [
        r.version
        for r in db.exec(select(MasterRotation).order_by(col(MasterRotation.version)))
        if r.version > 1 and _aware(r.rotated_at) + window <= now and r.version <= current
    ]
    if expired:
        keep_from = max(expired)
        untrimmed = db.exec(
            select(MasterRotation).where(
                MasterRotation.version < keep_from, col(MasterRotation.trimmed_at).is_(None)
            )
        ).all()
        if (
            untrimmed
            or not db.exec(
                select(MasterRotation).where(MasterRotation.version == keep_from - 1)
            ).first()
        ):
            provider.trim(keep_from)
            for row in untrimmed:
                row.trimmed_at = now
                db.add(row)
            done["trimmed_below"] = keep_from
            audit.record(
                db,
                action="key_rotation",
                outcome="success",
                reason="master_trimmed",
                detail={"min_version": str(keep_from)},
            )
    db.flush()
    return done
