"""The keyring on SQLite and PostgreSQL: create, read, rotate without touching ciphertext, shred."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, SQLModel, select

from keys import KeyDestroyed, Keyring, LocalMasterKey, open_stream, seal
from vault.db import engine_for
from vault.keyring import FamilyKekRow, ObjectDekRow, SqlKeys


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    engine = engine_for(database_url)
    SQLModel.metadata.create_all(engine, tables=[FamilyKekRow.__table__, ObjectDekRow.__table__])  # type: ignore[attr-defined]  # SQLModel sets __table__ at runtime
    with Session(engine) as session:
        yield session


@pytest.fixture
def keyring(session: Session, tmp_path: Path) -> Keyring:
    return Keyring(SqlKeys(session), LocalMasterKey.create(tmp_path / "master.key"))


def store(keyring: Keyring, family: uuid.UUID, data: bytes) -> tuple[uuid.UUID, bytes]:
    obj = uuid.uuid4()
    key = keyring.new_object_key(family, obj)
    return obj, b"".join(seal(key, family_id=family, object_id=obj, source=[data]))


def read(keyring: Keyring, family: uuid.UUID, obj: uuid.UUID, cipher: bytes) -> bytes:
    return b"".join(
        open_stream(keyring.object_key(obj), family_id=family, object_id=obj, source=[cipher])
    )


def test_keys_survive_a_new_unit_of_work(keyring: Keyring, session: Session) -> None:
    family = uuid.uuid4()
    obj, cipher = store(keyring, family, b"bath time")
    session.commit()
    fresh = Keyring(SqlKeys(session), keyring.provider)
    assert read(fresh, family, obj, cipher) == b"bath time"


def test_master_rotation_rewraps_every_family_and_keeps_objects_readable(
    keyring: Keyring, session: Session
) -> None:
    families = [uuid.uuid4() for _ in range(5)]
    objects = [(f, *store(keyring, f, f.bytes)) for f in families]
    session.commit()
    before = {(r.family_id, r.generation): r.wrapped for r in session.exec(select(FamilyKekRow))}
    keyring.provider.rotate()
    assert keyring.rotate_master(batch=2) == 5
    session.commit()
    after = {(r.family_id, r.generation): r.wrapped for r in session.exec(select(FamilyKekRow))}
    assert all(before[k] != after[k] for k in before)
    keyring.provider.trim(keyring.provider.current_version())
    fresh = Keyring(SqlKeys(session), LocalMasterKey(keyring.provider.path))  # type: ignore[attr-defined]  # the fixture's provider is a LocalMasterKey
    for family, obj, cipher in objects:
        assert read(fresh, family, obj, cipher) == family.bytes
    assert keyring.rotate_master() == 0


def test_family_rotation_rewraps_deks_without_touching_ciphertext(
    keyring: Keyring, session: Session
) -> None:
    family = uuid.uuid4()
    stored = [store(keyring, family, bytes([i]) * 100) for i in range(3)]
    before = {r.object_id: r.wrapped for r in session.exec(select(ObjectDekRow))}
    assert keyring.rotate_family(family) == 2
    session.commit()
    rows = session.exec(select(ObjectDekRow)).all()
    assert {r.generation for r in rows} == {2}
    assert all(before[r.object_id] != r.wrapped for r in rows)
    assert [r.generation for r in session.exec(select(FamilyKekRow))] == [2]
    fresh = Keyring(SqlKeys(session), keyring.provider)
    for i, (obj, cipher) in enumerate(stored):
        assert read(fresh, family, obj, cipher) == bytes([i]) * 100


def test_shred_object_and_family(keyring: Keyring, session: Session) -> None:
    family, other = uuid.uuid4(), uuid.uuid4()
    a, ca = store(keyring, family, b"a")
    b, cb = store(keyring, family, b"b")
    c, cc = store(keyring, other, b"c")
    keyring.shred_object(a)
    with pytest.raises(KeyDestroyed, match="vernietigd"):
        read(keyring, family, a, ca)
    assert read(keyring, family, b, cb) == b"b"
    keyring.shred_family(family)
    session.commit()
    fresh = Keyring(SqlKeys(session), keyring.provider)
    with pytest.raises(KeyDestroyed, match="vernietigd"):
        read(fresh, family, b, cb)
    assert not fresh.family_has_keys(family)
    assert session.exec(select(FamilyKekRow).where(FamilyKekRow.family_id == family)).all() == []
    assert read(fresh, other, c, cc) == b"c"


def test_a_rewrap_from_a_stale_read_loses_to_the_writer_before_it(
    keyring: Keyring, session: Session, database_url: str
) -> None:
    """The repository's compare-and-set: a key rewrapped by another unit of work since it was read is
    left as that writer left it, and the keyring reads the winner's key."""
    family = uuid.uuid4()
    obj, cipher = store(keyring, family, b"lunch")
    keys = SqlKeys(session)
    stale = keys.current_family_key(family)
    assert stale is not None
    session.commit()
    keyring.provider.rotate()
    with Session(engine_for(database_url)) as other:
        assert Keyring(SqlKeys(other), keyring.provider).rotate_master() == 1
        other.commit()
    assert not keys.replace_family_key(stale, b"\x00" * len(stale.wrapped), stale.master_version)
    session.commit()
    now = keys.current_family_key(family)
    assert now is not None
    assert now.wrapped != stale.wrapped
    assert now.master_version == keyring.provider.current_version()
    assert read(Keyring(SqlKeys(session), keyring.provider), family, obj, cipher) == b"lunch"


def test_two_master_rotations_in_one_unit_of_work_rewrap_every_key_twice(
    keyring: Keyring, session: Session
) -> None:
    """A rewrap goes around the session; the second rotation must read the keys the first one wrote."""
    families = [uuid.uuid4() for _ in range(3)]
    objects = [(f, *store(keyring, f, f.bytes)) for f in families]
    # Something else in this unit of work has read the rows (the ORM holds them).
    loaded = session.exec(select(FamilyKekRow)).all()
    for _ in range(2):
        keyring.provider.rotate()
        assert keyring.rotate_master(batch=2) == 3
    assert {row.master_version for row in loaded} == {keyring.provider.current_version()}
    session.commit()
    fresh = Keyring(SqlKeys(session), keyring.provider)
    for family, obj, cipher in objects:
        assert read(fresh, family, obj, cipher) == family.bytes
