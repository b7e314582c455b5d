"""The master-key schedule: a shredded key in an old database backup becomes unrecoverable."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session

from keys import KeyDestroyed, Keyring, LocalMasterKey, TamperedError, seal
from vault import migrate
from vault.db import engine_for
from vault.keyring import SqlKeys
from vault.keyring.rotation import run_schedule
from vault.settings import get_settings


def test_backup_of_a_shredded_key_is_useless_after_rotation_and_trim(
    settings_env: Path, tmp_path: Path
) -> None:
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)  # the filesystem broker may have made it
    url = settings.effective_database_url
    migrate.upgrade(url)
    engine = engine_for(url)
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    family, obj = uuid.uuid4(), uuid.uuid4()
    with Session(engine) as db:
        keyring = Keyring(
            SqlKeys(db), LocalMasterKey.open_or_create(settings.effective_master_key_file)
        )
        key = keyring.new_object_key(family, obj)
        cipher = b"".join(seal(key, family_id=family, object_id=obj, source=[b"badje"]))
        run_schedule(db, settings, t0)
        db.commit()
    backup = tmp_path / "backup.db"
    # the nightly database backup, kept for the retention window
    source, target = sqlite3.connect(settings.data_dir / "beeldkluis.db"), sqlite3.connect(backup)
    source.backup(target)
    source.close()
    target.close()
    with Session(engine) as db:
        Keyring(SqlKeys(db), LocalMasterKey(settings.effective_master_key_file)).shred_object(obj)
        db.commit()
    # Before the rotation period nothing changes; then the master rotates and rewraps.
    with Session(engine) as db:
        assert run_schedule(db, settings, t0 + timedelta(days=10))["rotated"] == 0
        assert run_schedule(db, settings, t0 + timedelta(days=90))["rotated"] == 2
        db.commit()

    def read_from_backup() -> bytes:
        old = engine_for(f"sqlite:///{backup}")
        with Session(old) as db:
            restored = Keyring(SqlKeys(db), LocalMasterKey(settings.effective_master_key_file))
            return restored.object_key(obj).secret

    assert len(read_from_backup()) == 32  # within the backup window the old backup still opens
    with Session(engine) as db:
        assert run_schedule(db, settings, t0 + timedelta(days=90 + 34))["trimmed_below"] == 0
        assert run_schedule(db, settings, t0 + timedelta(days=90 + 35))["trimmed_below"] == 2
        db.commit()
    with pytest.raises(TamperedError, match="bestaat niet meer"):
        read_from_backup()
    with Session(engine) as db, pytest.raises(KeyDestroyed):
        Keyring(SqlKeys(db), LocalMasterKey(settings.effective_master_key_file)).object_key(obj)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM master_rotation")).scalar() == 2
    assert cipher
