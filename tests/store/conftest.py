"""Fixtures for the encrypted object store on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, SQLModel

import vault.tables  # noqa: F401 - every table
from keys import Keyring, LocalMasterKey
from tests.support.store import make_s3
from vault.db import engine_for
from vault.keyring import SqlKeys
from vault.store import Backend, LocalBackend, ObjectStore
from vault.store._s3 import S3Backend


@pytest.fixture(params=["local", "s3"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "local":
        local = LocalBackend(tmp_path / "objects")
        local.ensure_ready()
        return local
    return make_s3(request.getfixturevalue("s3_config"))


@pytest.fixture
def s3_backend(s3_config: dict[str, str]) -> S3Backend:
    return make_s3(s3_config)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    engine = engine_for(f"sqlite:///{tmp_path / 'store.db'}")
    SQLModel.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def keyring(session: Session, tmp_path: Path) -> Keyring:
    return Keyring(SqlKeys(session), LocalMasterKey.open_or_create(tmp_path / "master.key"))


@pytest.fixture
def store(session: Session, backend: Backend, keyring: Keyring) -> ObjectStore:
    return ObjectStore(session, backend, keyring)


@pytest.fixture
def s3_store(session: Session, s3_backend: S3Backend, keyring: Keyring) -> ObjectStore:
    return ObjectStore(session, s3_backend, keyring)
