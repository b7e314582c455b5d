"""The master key schedule, daily on the purge queue (its task name keeps it there)."""

from __future__ import annotations

from vault.db import unit_of_work
from vault.keyring.rotation import run_schedule
from vault.settings import get_settings
from vault.worker import celery_app


@celery_app.task(name="vault.purge.master_schedule", acks_late=True)
def master_schedule() -> dict[str, int]:
    with unit_of_work() as db:
        return run_schedule(db, get_settings())
