"""Long work never starves viewers: a worker runs (and starts its ffmpeg) at its queues' CPU budget, the
nice value in `queue_nice`; a worker that serves viewers' segments keeps normal priority (ADR 0009)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest


def nice_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def worker_nice(queues: str, budget: dict[str, int] | None = None) -> int:
    """Start `beeldkluis worker --queues QUEUES` and read its nice value once it has become Celery."""
    env = os.environ.copy()
    if budget is not None:
        env["BEELDKLUIS_QUEUE_NICE"] = json.dumps(budget)
    proc = subprocess.Popen(
        [sys.executable, "-m", "vault.cli", "worker", "--queues", queues, "--concurrency", "1"],  # noqa: S603
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):
            if b"celery" in Path(f"/proc/{proc.pid}/cmdline").read_bytes():
                return nice_of(proc.pid)
            time.sleep(0.05)
        raise AssertionError("the worker did not start")
    finally:
        proc.terminate()
        proc.wait(timeout=60)


@pytest.mark.parametrize(
    ("queues", "budget", "nice"),
    [
        ("ingest,media,export,purge,default", None, 10),  # the compose file's background worker
        ("stream", None, 0),
        ("export,stream", None, 0),  # a worker that also serves viewers keeps their priority
        ("export", {"export": 15}, 15),
    ],
)
def test_a_worker_runs_at_its_queues_budget(
    queues: str, budget: dict[str, int] | None, nice: int
) -> None:
    assert nice_of(os.getpid()) == 0
    assert worker_nice(queues, budget) == nice
