"""Review streaming helpers: a watchable clip, its segments in the store, and ffprobe on segment bytes."""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from sqlmodel import select

from tests.factories import SupervisionLinkFactory, bound
from tests.support.api import Api
from tests.support.families import consent_body, family_with_recording
from tests.support.media import make_video
from tests.support.tus import tus_upload, upload_id
from vault.db import unit_of_work
from vault.ingest.tasks import verify_upload
from vault.recordings.models import Recording
from vault.settings import get_settings
from vault.store import StoredObject, backend_from_settings


def watchable(api: Api, server: str, tmp_path: Path, seconds: int = 12) -> dict[str, Any]:
    """A recording (12 s) with a clip, its family's consent for supervision, and an opleider who may watch."""
    trainer, opleider = api.account("trainer"), api.account("opleider")
    with unit_of_work() as db, bound(db):
        SupervisionLinkFactory(trainee_id=trainer.id, opleider_id=opleider.id)
    world = family_with_recording(api, trainer)
    video = make_video(tmp_path / "MVI_0200.MP4", seconds)
    url = tus_upload(server, world["headers"], video, world["trajectory"]["id"])
    assert verify_upload(upload_id(url)) == "stored"
    status = httpx.get(f"{server}/api/v1/uploads/{upload_id(url)}", headers=world["headers"]).json()
    clip = httpx.post(
        f"{server}/api/v1/recordings/{status['recording_id']}/clips",
        headers=world["headers"],
        json={"start_s": 0, "end_s": seconds, "title": "Samen spelen"},
    ).json()
    api.client.post(
        f"/api/v1/families/{world['family']['id']}/consents",
        headers=world["headers"],
        json=consent_body(world, "supervision"),
    ).raise_for_status()
    with unit_of_work() as db:
        recording = db.get(Recording, uuid.UUID(status["recording_id"]))
        assert recording is not None
        assert recording.original_object_id is not None
        original = recording.original_object_id
    return {
        "recording_id": uuid.UUID(status["recording_id"]),
        "clip_id": clip["id"],
        "ho": api.as_(opleider),
        "server": server,
        "original": original,
        "video": video,
        "opleider": opleider,
    }


def segment_objects() -> tuple[list[StoredObject], list[str]]:
    with unit_of_work() as db:
        rows = list(db.exec(select(StoredObject).where(StoredObject.kind == "segment")))
    return rows, [name for name, _ in backend_from_settings(get_settings()).listing("segment/")]


def ffprobe(data: bytes, *args: str) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", *args, "-"],
        input=data,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return json.loads(out.stdout)


def first_frame_rgb(data: bytes) -> tuple[bytes, int, int]:
    info = ffprobe(data, "-show_streams", "-select_streams", "v:0")["streams"][0]
    w, h = info["width"], info["height"]
    raw = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            "-",
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ],
        input=data,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    return raw, w, h


def region_diff(a: bytes, b: bytes, w: int, h: int, x0: int, y0: int, x1: int, y1: int) -> float:
    total = 0
    for y in range(y0, y1):
        row = (y * w + x0) * 3
        total += sum(
            abs(p - q)
            for p, q in zip(a[row : row + (x1 - x0) * 3], b[row : row + (x1 - x0) * 3], strict=True)
        )
    return total / ((x1 - x0) * (y1 - y0) * 3)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Overrides the shared fixture in a module that imports it: production's parts only."""
    request.getfixturevalue("s3_env")
    broker = request.getfixturevalue("redis_db")(2)
    redis.Redis.from_url(broker).flushdb()
    monkeypatch.setenv("BEELDKLUIS_BROKER_URL", broker)
    return str(request.getfixturevalue("fresh_postgres"))
