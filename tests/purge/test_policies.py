"""An organisation's own retention periods move its families' purge dates, and no one else's."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, SQLModel, select

import retention
import vault.tables  # noqa: F401
from keys import Keyring, LocalMasterKey, SigningKey
from vault import audit
from vault.db import engine_for
from vault.domain.models import Organisation, User
from vault.families.models import Family, Trajectory
from vault.keyring import SqlKeys
from vault.purge import PurgeMark, family_plan, purge_family
from vault.purge.policies import policies_for, set_policy
from vault.recordings.models import Recording
from vault.store import LocalBackend, ObjectKind, ObjectStore

CLOSED = date(2026, 1, 10)
DEFAULT_DUE = date(2026, 7, 10)  # K-VHT default: closure + 6 calendar months
OWN_DUE = date(2026, 4, 10)  # the organisation's own: closure + 3 months


def _family(db: Session, store: ObjectStore, org: Organisation) -> Family:
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
    stored = store.put(family_id=family.id, kind=ObjectKind.original, source=[b"beelden " * 500])
    db.add(
        Recording(
            trajectory_id=trajectory.id,
            situation="bath",
            original_object_id=stored.id,
            recorded_at=datetime(2025, 11, 1, 10, tzinfo=UTC),
        )
    )
    db.commit()
    return family


@pytest.fixture
def world(tmp_path: Path):  # type: ignore[no-untyped-def]  # the test's world: a dict of its rows and ids
    engine = engine_for(f"sqlite:///{tmp_path / 'p.db'}")
    SQLModel.metadata.create_all(engine)
    db = Session(engine, expire_on_commit=False)
    backend = LocalBackend(tmp_path / "objects")
    backend.ensure_ready()
    store = ObjectStore(
        db, backend, Keyring(SqlKeys(db), LocalMasterKey.create(tmp_path / "master.key"))
    )
    own, other = Organisation(name="Eigen beleid"), Organisation(name="Standaard")
    db.add_all([own, other])
    db.commit()
    return db, store, _family(db, store, own), _family(db, store, other), own


def test_a_shorter_organisation_policy_moves_the_purge_date(world) -> None:  # type: ignore[no-untyped-def]  # the test's world: a dict of its rows and ids
    db, store, family, neighbour, own = world
    assert {i.due for i in family_plan(db, family.id, CLOSED).items} == {DEFAULT_DUE}
    admin = audit.Principal(None, "Beheerder", "administrator", own.id)
    set_policy(db, own.id, "k_vht", {"keep_after_closure": retention.Period(months=3)}, by=admin)
    db.commit()
    assert policies_for(db, own.id)[retention.TrajectoryType.k_vht].keep_after_closure == (
        retention.Period(months=3)
    )
    assert {i.due for i in family_plan(db, family.id, CLOSED).items} == {OWN_DUE}
    assert {i.due for i in family_plan(db, neighbour.id, CLOSED).items} == {DEFAULT_DUE}
    # The purge itself follows: on the organisation's day its footage is blocked, the other not yet.
    key, when = SigningKey.generate(), datetime(2026, 4, 10, 3, tzinfo=UTC)
    for f in (family, neighbour):
        purge_family(db, store, key, f.id, now=when, grace=timedelta(minutes=11))
    db.commit()
    assert {m.family_id for m in db.exec(select(PurgeMark))} == {family.id}


def test_a_period_left_out_or_equal_to_the_default_follows_the_default(world) -> None:  # type: ignore[no-untyped-def]  # the test's world: a dict of its rows and ids
    db, _store, _family, _neighbour, own = world
    admin = audit.Principal(None, "Beheerder", "administrator", own.id)
    policy = set_policy(
        db,
        own.id,
        "vib",
        {
            "teaching_max": retention.Period(months=24),
            "keep_after_closure": retention.Period(months=6),
        },
        by=admin,
    )
    assert policy.teaching_max == retention.Period(months=24)
    assert (
        policy.keep_after_closure
        == retention.DEFAULT_POLICIES[retention.TrajectoryType.vib].keep_after_closure
    )
    assert policy.organisation_id == own.id
    with pytest.raises(retention.RetentionError, match="negatief"):
        set_policy(db, own.id, "vib", {"teaching_max": retention.Period(months=-1)}, by=admin)
    with pytest.raises(retention.RetentionError, match="100 jaar"):
        set_policy(db, own.id, "vib", {"teaching_max": retention.Period(months=1201)}, by=admin)
