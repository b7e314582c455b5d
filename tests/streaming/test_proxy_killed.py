"""A worker process killed with SIGKILL in the middle of a proxy: the task goes back to the queue, the
next worker process makes the proxy, and one proxy is kept."""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path

import httpx
import psutil
import pytest
from sqlmodel import select

from tests.support.api import Api
from tests.support.families import family_with_recording
from tests.support.tus import tus_upload, upload_id
from vault.db import unit_of_work
from vault.ingest.tasks import verify_upload
from vault.recordings.models import Recording
from vault.store import StoredObject

from ..media.camera import _ffmpeg


@pytest.fixture
def database_url(fresh_postgres: str) -> str:
    """End to end on production's database only: the embedded SQLite default runs the same paths in
    the API and web tests, and each of these runs takes tens of seconds."""
    return fresh_postgres


def ffmpeg_under(root: psutil.Process) -> psutil.Process | None:
    return next((p for p in root.children(recursive=True) if p.name() == "ffmpeg"), None)


def test_a_proxy_killed_halfway_is_made_again(
    api: Api, server: str, worker: None, tmp_path: Path
) -> None:
    world = family_with_recording(api, api.account("trainer"))
    video = (
        tmp_path / "MVI_0300.MP4"
    )  # long enough that the proxy is still running when it is killed
    _ffmpeg(
        "-vf",
        "scale=1280:720",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-shortest",
        str(video),
        seconds=40,
    )
    uid = upload_id(tus_upload(server, world["headers"], video, world["trajectory"]["id"]))
    assert verify_upload(uid) == "stored"  # and the proxy task is queued after the commit
    recording_id = uuid.UUID(
        httpx.get(f"{server}/api/v1/uploads/{uid}", headers=world["headers"]).json()["recording_id"]
    )
    me = psutil.Process()
    deadline = time.monotonic() + 120
    while (ffmpeg := ffmpeg_under(me)) is None:
        assert time.monotonic() < deadline, "the worker never started the proxy"
        time.sleep(0.1)
    pool_process = ffmpeg.parent()
    assert pool_process is not None
    os.kill(
        pool_process.pid, signal.SIGKILL
    )  # the process running the task, as the OOM killer would
    deadline = time.monotonic() + 240
    while True:
        with unit_of_work() as db:
            recording = db.get(Recording, recording_id)
            assert recording is not None
            if recording.proxy_object_id is not None:
                break
        assert time.monotonic() < deadline, "the proxy was not made again"
        time.sleep(0.5)
    with unit_of_work() as db:
        proxies = db.exec(select(StoredObject).where(StoredObject.kind == "proxy")).all()
    assert [p.id for p in proxies] == [recording.proxy_object_id]
