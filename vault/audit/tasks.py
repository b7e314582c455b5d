"""Periodic signed checkpoints of the access log."""

from __future__ import annotations

from vault import audit
from vault.db import unit_of_work
from vault.keyring.repository import signing_key
from vault.settings import get_settings
from vault.store import backend_from_settings
from vault.worker import celery_app


@celery_app.task(name="vault.audit.checkpoint", acks_late=True)
def write_checkpoint() -> int:
    settings = get_settings()
    key = signing_key(settings)
    with unit_of_work() as db:
        head = audit.checkpoint(db, backend_from_settings(settings), key)
    return int(str(head["tree_size"]))
