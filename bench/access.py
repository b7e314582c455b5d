"""The access seam: one decision (a WOK participant streaming a clip) as the WOK grows, against the same
decision with no other sessions, measured in the same run.

Every segment of a stream is decided again, so a decision that read every WOK session would grow with
the region's history; vault.access loads only this viewer's sessions with this clip. Printed: the
time per decision with --sessions unrelated sessions (of other viewers, or of this viewer with other
clips) divided by the time with none (about 1: flat).

    python bench/access.py [--sessions 5000] [--n 300]
    (PostgreSQL when BEELDKLUIS_TEST_DATABASE_URL is set, else SQLite)
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))
sys.path.insert(0, str(Path(__file__).parent))

from sqlmodel import Session, SQLModel  # noqa: E402

import vault.tables  # noqa: E402, F401
from vault import access, audit  # noqa: E402
from vault.consents.models import ConsentRecordRow, ConsentSignatureRow, WokSessionRow
from vault.db import engine_for  # noqa: E402
from vault.domain.models import Organisation, User
from vault.families.models import Family, Person, Trajectory
from vault.recordings.models import Clip, Recording


def world(db: Session) -> tuple[audit.Principal, uuid.UUID, uuid.UUID]:
    now = datetime.now(UTC)
    org = Organisation(name="Bench")
    db.add(org)
    db.flush()
    trainer = User(organisation_id=org.id, email=f"{uuid.uuid4()}@x", name="T", role="trainer")
    peer = User(organisation_id=org.id, email=f"{uuid.uuid4()}@x", name="P", role="trainer")
    db.add_all([trainer, peer])
    db.flush()
    family = Family(organisation_id=org.id, created_by=trainer.id)
    db.add(family)
    db.flush()
    mother = Person(family_id=family.id, kind="parent", display_name="M")
    trajectory = Trajectory(
        family_id=family.id, type="k_vht", trainer_id=trainer.id, phase="active"
    )
    db.add_all([mother, trajectory])
    db.flush()
    recording = Recording(trajectory_id=trajectory.id, recorded_at=now - timedelta(days=1))
    db.add(recording)
    db.flush()
    clip = Clip(recording_id=recording.id, start_s=0, end_s=10, created_by=trainer.id)
    record = ConsentRecordRow(
        family_id=family.id,
        purpose="wok",
        trajectory_id=trajectory.id,
        valid_from=now - timedelta(days=2),
        recorded_by=trainer.id,
    )
    db.add_all([clip, record])
    db.flush()
    db.add(
        ConsentSignatureRow(
            record_id=record.id,
            person_id=mother.id,
            capacity="parent_with_authority",
            signed_at=now - timedelta(days=2),
        )
    )
    db.add(
        WokSessionRow(
            starts_at=now - timedelta(minutes=5),
            ends_at=now + timedelta(hours=1),
            organiser_id=trainer.id,
            participant_ids=json.dumps([str(peer.id)]),
            clip_ids=json.dumps([str(clip.id)]),
        )
    )
    db.commit()
    return audit.Principal(peer.id, "P", "trainer", org.id), clip.id, trainer.id


def unrelated(db: Session, organiser: uuid.UUID, viewer: uuid.UUID, n: int) -> None:
    now = datetime.now(UTC)
    for i in range(n):
        others = [str(uuid.uuid4()) for _ in range(8)]
        participants = [str(viewer)] + others if i % 2 else others  # half: this viewer, other clips
        db.add(
            WokSessionRow(
                starts_at=now - timedelta(days=i % 400, hours=2),
                ends_at=now - timedelta(days=i % 400),
                organiser_id=organiser,
                participant_ids=json.dumps(participants),
                clip_ids=json.dumps([str(uuid.uuid4()) for _ in range(6)]),
            )
        )
    db.commit()


def per_decision(db: Session, viewer: audit.Principal, clip_id: uuid.UUID, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        decision, _ = access.judge(db, viewer, "stream", clip_id=clip_id)
        assert decision.allowed, decision
    return (time.perf_counter() - start) / n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=5000)
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()
    from audit import database, drop  # bench/audit.py: a fresh database per run

    with tempfile.TemporaryDirectory() as tmp:
        url = database(Path(tmp), "access")
        try:
            engine = engine_for(url)
            SQLModel.metadata.create_all(engine)
            with Session(engine, expire_on_commit=False) as db:
                viewer, clip_id, organiser = world(db)
                per_decision(db, viewer, clip_id, 20)  # warm up
                baseline = per_decision(db, viewer, clip_id, args.n)
                unrelated(db, organiser, viewer.user_id, args.sessions)  # type: ignore[arg-type]  # world() builds the viewer from a user row, so it has an id
                grown = per_decision(db, viewer, clip_id, args.n)
            engine.dispose()
        finally:
            drop(url)
    print(f"database: {url.split(':')[0]}")
    print(f"decision, 1 session:             {baseline * 1000:.2f} ms")
    print(f"decision, +{args.sessions} unrelated sessions: {grown * 1000:.2f} ms")
    print(f"ratio: {grown / baseline:.2f} (1.00: flat)")


if __name__ == "__main__":
    main()
