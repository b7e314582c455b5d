"""Fixtures of the audit log's tests: a migrated database (SQLite and PostgreSQL), a local write-once
store and a signing key."""

from __future__ import annotations

from pathlib import Path

import pytest

from keys import SigningKey
from vault import migrate
from vault.store import LocalBackend


@pytest.fixture
def db(database_url: str) -> str:
    migrate.upgrade(database_url)
    return database_url


@pytest.fixture
def backend(tmp_path: Path) -> LocalBackend:
    backend = LocalBackend(tmp_path / "store")
    backend.ensure_ready()
    return backend


@pytest.fixture
def key() -> SigningKey:
    return SigningKey.generate()
