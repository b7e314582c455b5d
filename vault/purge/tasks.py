"""The purge queue: a daily run over every family with stored objects (and on demand)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from vault.db import unit_of_work
from vault.keyring.repository import signing_key
from vault.purge._service import purge_family
from vault.settings import get_settings
from vault.store import StoredObject, open_store
from vault.worker import celery_app


def grace() -> timedelta:
    """Wait out the longest access token before deleting what was blocked."""
    return timedelta(minutes=get_settings().access_token_minutes + 1)


def run_all(now: datetime | None = None) -> int:
    settings = get_settings()
    key = signing_key(settings)
    now = now or datetime.now(UTC)
    with unit_of_work() as db:
        families = sorted({row.family_id for row in db.exec(select(StoredObject))}, key=str)
    purged = 0
    for family_id in families:  # one transaction per family: a failure stops only that family
        with unit_of_work() as db:
            if purge_family(db, open_store(db, settings), key, family_id, now=now, grace=grace()):
                purged += 1
    return purged


@celery_app.task(name="vault.purge.run", acks_late=True)
def run() -> int:
    return run_all()
