"""Two requests that are an organisation's first use of the codebook at the same moment both get
version 1 (the shipped default), stored once; neither fails. On PostgreSQL, where the second insert
waits for the first transaction: the test waits for that lock wait (never for a time)."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from vault.annotations import service
from vault.annotations.models import Codebook
from vault.audit import Principal
from vault.db import get_engine, unit_of_work
from vault.domain.models import Organisation
from vault.settings import get_settings


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_first_uses_at_once_share_version_one(
    database_url: str, settings_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BEELDKLUIS_DATABASE_URL", database_url)
    get_settings.cache_clear()
    from vault import migrate

    migrate.upgrade(database_url)
    with unit_of_work() as db:
        organisation = Organisation(name="Org")
        db.add(organisation)
        db.flush()
        org = organisation.id
    principal = Principal(uuid.uuid4(), "T", "trainer", org)
    seen: dict[str, uuid.UUID] = {}
    errors: list[BaseException] = []

    def second() -> None:
        try:
            with unit_of_work() as db:
                seen["second"] = service.codebook(db, principal).id
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    with unit_of_work() as first:
        seen["first"] = service.codebook(first, principal).id  # inserted, not committed yet
        thread = threading.Thread(target=second)
        thread.start()
        with (
            get_engine().connect() as watcher
        ):  # until the second insert waits for this transaction
            while (
                thread.is_alive()
                and not watcher.execute(
                    text("select count(*) from pg_locks where not granted")
                ).scalar()
            ):
                watcher.rollback()
    thread.join()
    assert not errors, errors
    assert seen["first"] == seen["second"]
    with unit_of_work() as db:
        rows = db.exec(select(Codebook).where(Codebook.organisation_id == org)).all()
        assert [r.version for r in rows] == [1]
