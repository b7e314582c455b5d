"""No export stays `building` when its worker dies: a real Celery worker is killed with SIGKILL in the
middle of a build (the pool process running the task, or the whole worker), and the export still ends
`ready`, built again from the start by the next task, with the interruption in the log."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import pyzipper

from keys import KeyDestroyed
from tests.support.api import Api
from tests.support.export import family_report, wait_until_done
from tests.support.families import family_with_recording
from tests.support.tus import stored
from vault.db import unit_of_work
from vault.export import Export
from vault.settings import get_settings
from vault.store import open_store

LEASE_S = 4


@pytest.fixture
def short_lease(
    request: pytest.FixtureRequest, settings_env: Path, monkeypatch: pytest.MonkeyPatch
) -> int:
    """A lease of seconds, not minutes, for the API and the workers this test starts; on the embedded
    filesystem broker and on Redis (a database of its own: redelivered messages stay in this test)."""
    monkeypatch.setenv("BEELDKLUIS_EXPORT_LEASE_S", str(LEASE_S))
    if request.param == "redis":
        url = request.getfixturevalue("redis_db")(1)
        monkeypatch.setenv("BEELDKLUIS_BROKER_URL", url)
    get_settings.cache_clear()
    return LEASE_S


class Workers:
    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        settings = get_settings()
        env = {
            **os.environ,
            "BEELDKLUIS_DATA_DIR": str(settings.data_dir),
            "BEELDKLUIS_DATABASE_URL": settings.effective_database_url,
        }
        with open(settings.data_dir / "worker.log", "ab") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "vault.cli", "worker", "--concurrency", "1"],  # noqa: S603
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.procs.append(proc)
        return proc


@pytest.fixture
def workers(api: Api) -> Iterator[Workers]:
    started = Workers()
    yield started
    for proc in started.procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:  # a warm shutdown waits for retries it holds
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=15)
    print((get_settings().data_dir / "worker.log").read_text()[-3000:])


def long_sources(tmp: Path) -> list[Path]:
    """Interlaced camera files that must be transcoded: a build of some seconds to be killed in."""
    paths = []
    for n in (1, 2, 3):
        path = tmp / f"0000{n}.MTS"
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=640x360:rate=50:duration=12",
                "-f",
                "lavfi",
                "-i",
                "sine=duration=12",
                "-vf",
                "tinterlace=interleave_top",
                "-flags",
                "+ilme+ildct",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-c:a",
                "aac",
                "-shortest",
                "-f",
                "mpegts",
                str(path),
            ],
            check=True,
            timeout=120,
        )
        paths.append(path)
    return paths


def started_building(export_id: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with unit_of_work() as db:
            export = db.get(Export, uuid.UUID(export_id))
            assert export is not None
            if export.status == "building" and export.partial_object_id is not None:
                time.sleep(1.0)  # well into the first transcode
                return
        time.sleep(0.05)
    raise AssertionError("the export never started building")


def still_building(export_id: str) -> uuid.UUID:
    """The object the running attempt writes into (its key is stored before ffmpeg starts)."""
    with unit_of_work() as db:
        export = db.get(Export, uuid.UUID(export_id))
        assert export is not None
        assert export.status == "building", "killed too late: the build had already finished"
        assert export.partial_object_id is not None
        return export.partial_object_id


# Each way of killing on one broker each: both kinds of kill and both brokers are covered, in half the
# runs of every pairing (each run takes a minute).
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("kill", "short_lease"),
    [("pool_process", "redis"), ("whole_worker", "filesystem")],
    indirect=["short_lease"],
)
def test_an_export_whose_worker_is_killed_is_built_again(
    kill: str, short_lease: int, api: Api, server: str, workers: Workers, tmp_path: Path
) -> None:
    world = family_with_recording(api, api.account("trainer"))
    stored(api, server, world, long_sources(tmp_path))
    worker = workers.start()
    created = api.client.post(
        f"/api/v1/trajectories/{world['trajectory']['id']}/exports",
        headers=world["headers"],
        json={"encrypted": False},
    )
    export_id = created.json()["id"]
    started_building(export_id)
    if (
        kill == "pool_process"
    ):  # the task's process dies; the worker lives on and gets the task back
        pool = psutil.Process(worker.pid).children()
        assert pool, "no pool process"
        partial = still_building(export_id)
        for child in pool:
            child.send_signal(signal.SIGKILL)
    else:  # the whole worker dies (power, OOM killer, kill -9); another one starts later
        partial = still_building(export_id)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        workers.start()
    view = wait_until_done(api, world["headers"], export_id, seconds=300)
    assert view["status"] == "ready", view  # never stuck in "building"
    with unit_of_work() as db:
        export = db.get(Export, uuid.UUID(export_id))
        assert export is not None
        assert export.attempt >= 2  # built again, from the start
        assert export.partial_object_id is None
        assert export.object_id != partial
        with pytest.raises(KeyDestroyed):  # what the killed attempt had written can never be read
            open_store(db, get_settings()).keyring.object_key(partial)
    reasons = [r["reason"] for r in family_report(world["family"]["id"]) if r["action"] == "export"]
    assert "build_interrupted" in reasons
    zipped = api.client.get(f"/api/v1/exports/{export_id}/download", headers=world["headers"])
    with pyzipper.ZipFile(io.BytesIO(zipped.content)) as z:
        assert len([n for n in z.namelist() if "/Opnames/" in n]) == 3
        assert z.testzip() is None
