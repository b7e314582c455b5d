"""The purge's world: a family closed on a known day, its footage, keys, consents and certificates on a
fresh database and real MinIO; the purge run at a given moment."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from minio import Minio
from sqlmodel import Session, SQLModel

import vault.tables  # noqa: F401
from keys import Keyring, LocalMasterKey, SigningKey
from tests.support.store import make_s3
from vault.db import engine_for
from vault.domain.models import Organisation, User
from vault.families.models import Family, Trajectory
from vault.keyring import SqlKeys
from vault.purge import purge_family
from vault.recordings.models import Recording
from vault.store import ObjectKind, ObjectStore

CLOSED = date(2026, 1, 10)
DUE = date(2026, 7, 10)  # closure + 6 calendar months (K-VHT)
GRACE = timedelta(minutes=11)


def at(day: date, hour: int = 3) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def world(tmp_path: Path, s3_config: dict[str, str]):  # type: ignore[no-untyped-def]  # the test's world: a dict of its rows and ids
    engine = engine_for(f"sqlite:///{tmp_path / 'p.db'}")
    SQLModel.metadata.create_all(engine)
    db = Session(engine, expire_on_commit=False)
    backend = make_s3(s3_config)
    store = ObjectStore(
        db, backend, Keyring(SqlKeys(db), LocalMasterKey.create(tmp_path / "master.key"))
    )
    org = Organisation(name="Org")
    db.add(org)
    db.flush()
    trainer = User(organisation_id=org.id, email=f"{uuid.uuid4()}@x", name="T", role="trainer")
    db.add(trainer)
    db.flush()
    family = Family(organisation_id=org.id, created_by=trainer.id)
    db.add(family)
    db.flush()
    trajectory = Trajectory(
        family_id=family.id, type="k_vht", trainer_id=trainer.id, phase="ended", closed_on=CLOSED
    )
    db.add(trajectory)
    db.flush()
    recordings = []
    for i in range(2):
        stored = store.put(
            family_id=family.id, kind=ObjectKind.original, source=[f"beelden {i} ".encode() * 5000]
        )
        rec = Recording(
            trajectory_id=trajectory.id,
            recorded_at=at(date(2025, 11, 1 + i)),
            situation="bath",
            original_object_id=stored.id,
        )
        db.add(rec)
        recordings.append(rec)
    db.commit()
    return {
        "db": db,
        "store": store,
        "backend": backend,
        "family": family,
        "trajectory": trajectory,
        "recordings": recordings,
        "key": SigningKey.generate(),
        "trainer": trainer,
        "minio": Minio(
            s3_config["endpoint"], s3_config["access_key"], s3_config["secret_key"], secure=False
        ),
    }


def run(w, when: datetime):  # type: ignore[no-untyped-def]  # the test's world: a dict of its rows and ids
    certificate = purge_family(w["db"], w["store"], w["key"], w["family"].id, now=when, grace=GRACE)
    w["db"].commit()
    return certificate
