"""Real Celery: a worker process takes tasks from Redis, and from the embedded filesystem broker."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from vault.settings import Settings
from vault.worker import make_celery


@pytest.fixture
def worker_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BEELDKLUIS_")}
    env["BEELDKLUIS_DATA_DIR"] = str(tmp_path / "data")
    return env


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own argv
        [sys.executable, "-m", "vault.cli", "worker", "--concurrency", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture
def stop_after() -> Iterator[list[subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def round_trip(settings: Settings) -> str:
    app = make_celery(settings)
    token = uuid.uuid4().hex
    result = app.send_task("vault.ping", args=[token])
    value = result.get(timeout=60)
    assert value.startswith(f"pong:{token}:")
    return str(value)


def test_redis_broker_round_trip(
    broker_url: str, worker_env: dict[str, str], stop_after: list[subprocess.Popen[bytes]]
) -> None:
    worker_env["BEELDKLUIS_BROKER_URL"] = broker_url
    stop_after.append(start_worker(worker_env))
    round_trip(Settings(broker_url=broker_url, data_dir=Path(worker_env["BEELDKLUIS_DATA_DIR"])))


def test_embedded_filesystem_broker_round_trip(
    worker_env: dict[str, str], stop_after: list[subprocess.Popen[bytes]]
) -> None:
    stop_after.append(start_worker(worker_env))
    round_trip(Settings(data_dir=Path(worker_env["BEELDKLUIS_DATA_DIR"])))


def test_reconfiguring_to_a_broker_used_before_still_sends(
    redis_db: Callable[[int], str], tmp_path: Path
) -> None:
    """Tests (and a reloaded service) point the app at a broker again; kombu's process-wide pool
    registry must not hand back the pool that was closed when the app moved away from it."""
    from kombu import Connection

    from vault.worker import celery_app, configure

    first, second = redis_db(4), redis_db(5)
    try:
        for url in (first, second, first):
            configure(celery_app, Settings(broker_url=url, data_dir=tmp_path))
            celery_app.send_task("vault.ping", args=["x"], queue="bk-test-reconfigure")
        with Connection(first) as conn:
            queue = conn.SimpleQueue("bk-test-reconfigure")
            assert queue.qsize() == 2
            queue.clear()
            queue.close()
    finally:
        configure(celery_app, Settings(data_dir=tmp_path))
