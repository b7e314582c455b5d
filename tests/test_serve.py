"""`beeldkluis serve` on its embedded defaults runs the periodic tasks (a signed checkpoint is written
without anyone asking) and takes its worker with it when it stops, on SIGTERM as on SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psutil
import pytest

from tests.support.api import free_port
from vault.audit import PREFIX
from vault.settings import get_settings
from vault.store import backend_from_settings


def serve(port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "vault.cli", "serve", "--port", str(port)],
        env=os.environ.copy(),  # noqa: S603
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(check: Callable[[], object], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.5)


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_serve_checkpoints_on_schedule_and_its_worker_ends_with_it(
    settings_env: Path, monkeypatch: pytest.MonkeyPatch, how: signal.Signals
) -> None:
    monkeypatch.setenv("BEELDKLUIS_AUDIT_CHECKPOINT_SECONDS", "3")
    get_settings.cache_clear()
    port = free_port()
    proc = serve(port)
    try:

        def up() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/health").status_code in (200, 503)
            except httpx.HTTPError:
                return False

        wait_for(up, 60, "serve did not start")
        workers = psutil.Process(proc.pid).children(recursive=True)
        assert any("celery" in " ".join(p.cmdline()) for p in workers)
        backend = backend_from_settings(get_settings())
        wait_for(
            lambda: any(backend.worm_names(PREFIX)), 90, "no checkpoint was written under serve"
        )
        os.kill(proc.pid, how)
        proc.wait(timeout=30)
        wait_for(
            lambda: not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in workers),
            60,
            "the worker outlived serve",
        )
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
