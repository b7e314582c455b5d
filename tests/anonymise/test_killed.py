"""A worker process killed with SIGKILL in the middle of an anonymising job: the task goes back to the
queue, the next worker process makes the copy, one copy is kept, and nothing is left in scratch."""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import psutil
import pytest
from sqlmodel import select

from tests.anonymise.conftest import decoder_under
from tests.media.camera import _ffmpeg
from tests.support.api import Api
from tests.support.families import family_with_recording
from tests.support.tus import tus_upload, upload_id
from vault.anonymise.tasks import anonymise
from vault.db import unit_of_work
from vault.ingest.tasks import verify_upload
from vault.media import scratch
from vault.recordings.models import Clip, Recording
from vault.store import ObjectKind, StoredObject


@pytest.fixture
def database_url(fresh_postgres: str) -> str:
    """End to end on production's database only (as the proxy's kill test)."""
    return fresh_postgres


def wait_for(check: Callable[[], object], what: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def test_an_anonymising_job_killed_halfway_is_made_again(
    api: Api, server: str, worker: None, tmp_path: Path
) -> None:
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    video = tmp_path / "MVI_0301.MP4"  # long enough that the job still runs when it is killed
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
    assert verify_upload(uid) == "stored"
    recording_id = uuid.UUID(
        httpx.get(f"{server}/api/v1/uploads/{uid}", headers=world["headers"]).json()["recording_id"]
    )

    def proxied() -> bool:
        with unit_of_work() as db:
            recording = db.get(Recording, recording_id)
            return recording is not None and recording.proxy_object_id is not None

    wait_for(proxied, "the proxy was not made", 240)  # its ffmpeg out of the way first
    with unit_of_work() as db:
        clip = Clip(recording_id=recording_id, start_s=1.0, end_s=39.0, created_by=trainer.id)
        db.add(clip)
        clip_id = clip.id
    anonymise.delay(str(clip_id))
    me = psutil.Process()
    wait_for(lambda: decoder_under(me) is not None, "the worker never started the job", 120)
    decoder = decoder_under(me)
    assert decoder is not None
    pool_process = decoder.parent()
    assert pool_process is not None
    killed = pool_process.pid
    os.kill(killed, signal.SIGKILL)  # the process running the task, as the OOM killer would

    def made() -> bool:
        with unit_of_work() as db:
            clip = db.get(Clip, clip_id)
            return clip is not None and clip.anonymised_object_id is not None

    wait_for(made, "the anonymised copy was not made again", 300)
    with unit_of_work() as db:
        copies = db.exec(
            select(StoredObject).where(StoredObject.kind == ObjectKind.anonymised)
        ).all()
        kept = db.get(Clip, clip_id)
        assert kept is not None
        assert [c.id for c in copies] == [kept.anonymised_object_id]
    # Nothing of the footage where the killed process was: the job writes no file, not even to tmpfs.
    left = [
        f
        for folder in scratch.root().glob(f"{killed}-*")
        for f in folder.iterdir()
        if f.name != scratch.LOCK
    ]
    assert left == []
