"""Component health for load balancers and operators: database, object store, broker, ffmpeg."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC, datetime

from sqlalchemy import text

from vault.db import get_engine
from vault.settings import Settings
from vault.store import backend_from_settings
from vault.worker import broker_connection

TIMEOUT = 5.0


def _database(_settings: Settings) -> str:
    with get_engine().connect() as conn:
        conn.execute(text("SELECT 1"))
        return conn.dialect.name


def _store(settings: Settings) -> str:
    return backend_from_settings(settings).check()


def _broker(settings: Settings) -> str:
    with broker_connection(settings) as conn:
        conn.ensure_connection(max_retries=1, timeout=3)
        return str(conn.transport.driver_type)


def _ffmpeg(settings: Settings) -> str:
    for tool in (settings.ffmpeg, settings.ffprobe):
        if not shutil.which(tool):
            raise RuntimeError(f"{tool} not found")
    out = subprocess.run(  # noqa: S603 - fixed argv, binary from settings
        [settings.ffmpeg, "-hide_banner", "-version"],
        capture_output=True,
        text=True,
        timeout=5,
        check=True,
    )
    return out.stdout.split("\n", 1)[0]


def _audit_checkpoint(settings: Settings) -> str:
    """How long the oldest record not yet under a signed checkpoint has waited: past twice the interval,
    the schedule is not running and records could be rewritten unnoticed."""
    from vault.audit import PREFIX

    names = backend_from_settings(settings).worm_names(PREFIX)
    covered = max((int(n[len(PREFIX) :].split("-", 1)[0]) for n in names), default=0)
    with get_engine().connect() as conn:
        oldest = conn.execute(
            text("SELECT occurred_at FROM audit_record WHERE seq = :seq"), {"seq": covered}
        ).scalar()
    if oldest is None:
        return f"every record is under a checkpoint ({covered})"
    if isinstance(oldest, str):  # SQLite
        oldest = datetime.fromisoformat(oldest)
    waited = (datetime.now(UTC) - oldest.replace(tzinfo=oldest.tzinfo or UTC)).total_seconds()
    if waited > 2 * settings.audit_checkpoint_seconds:
        raise CheckpointOverdue(f"records from {covered} on wait {waited:.0f} s for a checkpoint")
    return f"records from {covered} on wait {waited:.0f} s for a checkpoint"


class CheckpointOverdue(RuntimeError):
    pass


CHECKS: dict[str, Callable[[Settings], str]] = {
    "database": _database,
    "object_store": _store,
    "broker": _broker,
    "ffmpeg": _ffmpeg,
    "audit_checkpoint": _audit_checkpoint,
}


def report(settings: Settings) -> dict[str, object]:
    """Run every check in parallel with a time limit; a down component is reported, never raised."""
    components: dict[str, dict[str, str]] = {}
    with ThreadPoolExecutor(max_workers=len(CHECKS)) as pool:
        futures = {name: pool.submit(check, settings) for name, check in CHECKS.items()}
        for name, future in futures.items():
            try:
                components[name] = {"status": "ok", "detail": future.result(timeout=TIMEOUT)}
            except FutureTimeout:
                components[name] = {"status": "down", "detail": "timeout"}
            except CheckpointOverdue as exc:
                components[name] = {"status": "down", "detail": str(exc)}
            except Exception as exc:  # noqa: BLE001 - health reports every failure kind
                components[name] = {"status": "down", "detail": type(exc).__name__}
    status = "ok" if all(c["status"] == "ok" for c in components.values()) else "degraded"
    return {"status": status, "components": components}
